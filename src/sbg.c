/*-------------------------------------------------------------------------
 *
 * sbg.c
 *	  The shifted-beta-geometric contract model (Fader & Hardie 2007, "How
 *	  to project customer retention"; docs/ltv.md, SPEC section 9).
 *
 *	  Each customer churns at the end of any period with a probability
 *	  theta of their own, theta ~ Beta(alpha, beta) across customers:
 *		P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)
 *		S(t)	 = P(T > t) = B(alpha, beta + t) / B(alpha, beta)
 *
 *	  kam.sbg_fit(alive int[])			from the customers still active at the
 *										start of each period (1000, 869, ...)
 *	  kam.sbg_fit(periods, churned)		aggregate over one row per customer:
 *										(t, true) churned in period t, (n,
 *										false) still active after n periods
 *	  -> kam.sbg (alpha, beta, ll, n, alpha_se, beta_se), and
 *	  kam.sbg(alpha, beta), kam.sbg_param, kam.sbg_survival,
 *	  kam.sbg_retention, kam.sbg_expected_lifetime, kam.sbg_derl,
 *	  kam.sbg_expected_renewals.
 *
 *	  The fit maximises the likelihood over (ln alpha, ln beta) with the
 *	  damped Newton of optim.c on analytic gradients and Hessians; the
 *	  standard errors are the square roots of the diagonal of the inverse
 *	  observed information at the optimum.
 *
 *-------------------------------------------------------------------------
 */
#include "models.h"

#include "miscadmin.h"

#include "lib/stringinfo.h"

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

typedef struct KamSbg
{
	double		alpha;
	double		beta;
	double		ll;				/* NaN for a model built from parameters */
	double		n;				/* customers fitted (stored as int64) */
	double		alpha_se;		/* NaN when not fitted */
	double		beta_se;
	double		cor_alpha_beta; /* NaN when not fitted */
} KamSbg;

static const char *const sbg_names[] = {"alpha", "beta", "ll", "n", "alpha_se", "beta_se", "cor_alpha_beta"};

StaticAssertDecl(sizeof(KamSbg) == lengthof(sbg_names) * sizeof(double), "KamSbg is its named doubles");

KAM_MODEL_DEFINE(sbg, sbg_names, "sBG", 2, true)

static KamSbg *
sbg_arg(FunctionCallInfo fcinfo, int argno)
{
	return (KamSbg *) kam_model_arg(fcinfo, argno, &sbg_def);
}

/* ---------- the fit ---------- */

/*
 * The data: per period t = 1..T the customers who churned in it and those
 * still active after it (right-censored there).
 */
typedef struct SbgData
{
	int32		T;
	double	   *churned;		/* [1..T] */
	double	   *censored;		/* [1..T] */
	double		total;
} SbgData;

/*
 * Minus the log-likelihood at theta = (ln alpha, ln beta), with its gradient
 * and Hessian in theta when grad is not NULL:
 *	ln P(t) = ln B(a + 1, b + t - 1) - ln B(a, b)
 *	ln S(t) = ln B(a, b + t) - ln B(a, b)
 */
static double
sbg_objective(const double *th, void *arg, double *grad, double *hess)
{
	const SbgData *d = arg;
	double		a = exp(th[0]),
				b = exp(th[1]);
	double		P[2] = {a, b};
	double		g[2] = {0, 0},
				h[2][2] = {{0, 0}, {0, 0}};
	KamSum		ll = {0, 0};
	double		lnb = lgamma(a) + lgamma(b) - lgamma(a + b);
	bool		deriv = grad != NULL;
	double		pab = deriv ? kam_digamma(a + b) : 0,
				pb = deriv ? kam_digamma(b) : 0,
				tab = deriv ? kam_trigamma(a + b) : 0,
				tb = deriv ? kam_trigamma(b) : 0;

	if (!isfinite(a) || !isfinite(b) || a <= 0 || b <= 0)
		return INFINITY;
	for (int32 t = 1; t <= d->T; t++)
	{
		double		c = d->churned[t],
					s = d->censored[t];

		if ((t & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (c > 0)
		{
			kam_sum_add(&ll, c * (lgamma(a + 1) + lgamma(b + t - 1) - lgamma(a + b + t) - lnb));
			if (deriv)
			{
				double		pabt = kam_digamma(a + b + t),
							tabt = kam_trigamma(a + b + t);

				g[0] += c * (1 / a - pabt + pab);
				g[1] += c * (kam_digamma(b + t - 1) - pabt - pb + pab);
				h[0][0] += c * (-1 / (a * a) - tabt + tab);
				h[0][1] += c * (-tabt + tab);
				h[1][1] += c * (kam_trigamma(b + t - 1) - tabt - tb + tab);
			}
		}
		if (s > 0)
		{
			kam_sum_add(&ll, s * (lgamma(b + t) - lgamma(a + b + t) - lgamma(b) + lgamma(a + b)));
			if (deriv)
			{
				double		pabt = kam_digamma(a + b + t),
							tabt = kam_trigamma(a + b + t);

				g[0] += s * (-pabt + pab);
				g[1] += s * (kam_digamma(b + t) - pabt - pb + pab);
				h[0][0] += s * (-tabt + tab);
				h[0][1] += s * (-tabt + tab);
				h[1][1] += s * (kam_trigamma(b + t) - tabt - tb + tab);
			}
		}
	}
	if (deriv)
		kam_to_log_scale(2, P, g, &h[0][0], grad, hess);
	return -kam_sum_value(&ll);
}

/* a contract model family: its type, likelihood and messages */
typedef struct ContractFamily
{
	const KamModelDef *def;
	KamObjective objective;
	const char *params;			/* "alpha and beta" */
	int			min_periods;	/* to identify the parameters */
	const char *hint;			/* when it does not converge */
} ContractFamily;

static const ContractFamily sbg_family = {&sbg_def, sbg_objective, "alpha and beta", 2,
"Retention that does not fall or rise the way a beta mixture of geometric lifetimes can (a constant churn rate, say) drives alpha and beta to infinity: the data fit one churn rate for everyone."};

static Datum
contract_fit(SbgData *d, const ContractFamily *fam)
{
	double		p[KAM_OPT_MAXK] = {0, 0, 0, 0};
	double		f;
	double		churned = 0;
	const KamModelDef *def = fam->def;

	for (int32 t = 1; t <= d->T; t++)
		churned += d->churned[t];
	if (d->total == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s fit has no customers", def->label)));
	if (churned == 0 || d->T < fam->min_periods)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s fit cannot identify %s", def->label, fam->params),
				 errdetail("%.0f customers over %d periods, %.0f of them churned.", d->total, d->T, churned),
				 errhint("The model needs customers who churn and customers who stay, over at least %s periods.",
						 fam->min_periods == 2 ? "two" : "three")));
	if (!kam_minimize(fam->objective, d, def->k, p, &f))
	{
		StringInfoData last;

		initStringInfo(&last);
		for (int i = 0; i < def->k; i++)
			appendStringInfo(&last, "%s%s = %g", i > 0 ? ", " : "", def->vt.fields[i], exp(p[i]));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s fit did not converge", def->label),
				 errdetail("%.0f customers over %d periods; the likelihood was still rising at %s.",
						   d->total, d->T, last.data),
				 errhint("%s", fam->hint)));
	}

	/*
	 * the standard errors at the optimum itself: a contract likelihood is
	 * cheap to evaluate
	 */
	return kam_model_datum(def, kam_model_fitted(def, fam->objective, d, p, NULL, f, d->total));
}

/* kam.sbg_fit(alive int[]): alive[1] customers at the start, alive[t] at the start of period t */
static void
			contract_array_data(FunctionCallInfo fcinfo, SbgData *d);

/* kam.sbg_fit(alive int[]) */
PG_FUNCTION_INFO_V1(kam_sbg_fit_array);
Datum
kam_sbg_fit_array(PG_FUNCTION_ARGS)
{
	SbgData		d;

	contract_array_data(fcinfo, &d);
	return contract_fit(&d, &sbg_family);
}

/* the cohort of alive[] (argument 0) as churned and censored counts per period */
static void
contract_array_data(FunctionCallInfo fcinfo, SbgData *dp)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	SbgData		d;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("alive must be a one-dimensional array")));
	deconstruct_array(arr, INT4OID, sizeof(int32), true, TYPALIGN_INT, &elems, &nulls, &n);
	if (n < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("alive needs the customers at the start and after at least one period"),
				 errdetail("It has %d elements.", n)));
	d.T = n - 1;
	d.churned = palloc0(sizeof(double) * (d.T + 1));
	d.censored = palloc0(sizeof(double) * (d.T + 1));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("alive must not contain NULLs")));
		if (DatumGetInt32(elems[i]) < 0 || (i > 0 && DatumGetInt32(elems[i]) > DatumGetInt32(elems[i - 1])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("alive must not be negative nor grow"),
					 errdetail("Element %d is %d after %d.", i + 1, DatumGetInt32(elems[i]),
							   i > 0 ? DatumGetInt32(elems[i - 1]) : 0),
					 errhint("alive counts one cohort: the customers still active at the start of each period.")));
		if (i > 0)
			d.churned[i] = DatumGetInt32(elems[i - 1]) - DatumGetInt32(elems[i]);
	}
	d.censored[d.T] = DatumGetInt32(elems[n - 1]);
	d.total = DatumGetInt32(elems[0]);
	*dp = d;
}

/*
 * The aggregate form: a state of counts per period, churned and censored,
 * grown to the largest period seen.
 */
typedef struct SbgState
{
	KamArray	counts;			/* double pairs (churned, censored) for period
								 * 1 + index */
	double		total;
} SbgState;

#define SBG_MAX_PERIODS 100000

static SbgState *
sbg_state_new(MemoryContext ctx)
{
	SbgState   *s = MemoryContextAllocZero(ctx, sizeof(SbgState));

	kam_array_init(&s->counts, ctx, 2 * sizeof(double), 16);
	return s;
}

static double *
sbg_period(SbgState *s, int32 t)
{
	while (s->counts.n < t)
	{
		double	   *z = kam_array_push(&s->counts);

		z[0] = z[1] = 0;
	}
	return (double *) s->counts.data + 2 * (t - 1);
}

PG_FUNCTION_INFO_V1(kam_sbg_sfunc);
Datum
kam_sbg_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_sbg_sfunc");
	SbgState   *s;
	int32		t;
	bool		churned;

	KAM_AGG_SKIP_NULL(1, 2);
	t = PG_GETARG_INT32(1);
	churned = PG_GETARG_BOOL(2);
	if (t < (churned ? 1 : 0) || t > SBG_MAX_PERIODS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("periods must be from %d to %d", churned ? 1 : 0, SBG_MAX_PERIODS),
				 errdetail("Value is %d (churned %s).", t, churned ? "true" : "false"),
				 errhint("A customer who churned in period t is (t, true), t >= 1; one still active after n periods is (n, false).")));
	s = PG_ARGISNULL(0) ? sbg_state_new(aggctx) : (SbgState *) PG_GETARG_POINTER(0);
	s->total += 1;
	if (t > 0)
		sbg_period(s, t)[churned ? 0 : 1] += 1;
	/* (0, false): a customer not yet through a period tells nothing */
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(kam_sbg_combine);
Datum
kam_sbg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_sbg_combine");
	SbgState   *s,
			   *o;

	KAM_AGG_SKIP_NULL(1, 1);
	o = (SbgState *) PG_GETARG_POINTER(1);
	s = PG_ARGISNULL(0) ? sbg_state_new(aggctx) : (SbgState *) PG_GETARG_POINTER(0);
	if (o->counts.n > 0)
		sbg_period(s, (int32) o->counts.n);
	for (int64 i = 0; i < o->counts.n; i++)
	{
		double	   *x = (double *) s->counts.data + 2 * i;
		const double *y = (const double *) o->counts.data + 2 * i;

		x[0] += y[0];
		x[1] += y[1];
	}
	s->total += o->total;
	kam_combine_free_spent(fcinfo, o, &o->counts);
	PG_RETURN_POINTER(s);
}

#define SBG_STATE_VERSION 1

PG_FUNCTION_INFO_V1(kam_sbg_serial);
Datum
kam_sbg_serial(PG_FUNCTION_ARGS)
{
	SbgState   *s = (SbgState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	kam_agg_context(fcinfo, "kam_sbg_serial");
	kam_state_send_begin(&buf, KAM_STATE_SBG, SBG_STATE_VERSION);
	pq_sendfloat8(&buf, s->total);
	pq_sendint64(&buf, s->counts.n);
	kam_state_send_doubles(&buf, (const double *) s->counts.data, 2 * s->counts.n);
	PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam.sbg_fit"));
}

PG_FUNCTION_INFO_V1(kam_sbg_deserial);
Datum
kam_sbg_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_sbg_deserial");
	StringInfoData buf;
	SbgState   *s;
	int64		n;

	kam_state_recv_begin(&buf, PG_GETARG_BYTEA_PP(0), KAM_STATE_SBG, SBG_STATE_VERSION, "kam_sbg_deserial");
	s = sbg_state_new(aggctx);
	s->total = pq_getmsgfloat8(&buf);
	n = kam_state_recv_count(&buf, SBG_MAX_PERIODS, 2 * sizeof(double), "kam_sbg_deserial");
	kam_array_reserve(&s->counts, n);
	kam_state_recv_doubles(&buf, (double *) s->counts.data, 2 * n);
	s->counts.n = n;
	kam_state_recv_end(&buf, "kam_sbg_deserial");
	PG_RETURN_POINTER(s);
}

/* the per-customer state as churned and censored counts per period; false: no rows (a NOTICE) */
static bool
contract_state_data(FunctionCallInfo fcinfo, SbgData *d, const ContractFamily *fam, const char *fitname)
{
	SbgState   *s;

	if (PG_ARGISNULL(0))
	{
		ereport(NOTICE,
				(errmsg("%s: no customers, no model", fitname)));
		return false;
	}
	s = (SbgState *) PG_GETARG_POINTER(0);
	d->T = (int32) s->counts.n;
	d->churned = palloc0(sizeof(double) * (d->T + 1));
	d->censored = palloc0(sizeof(double) * (d->T + 1));
	for (int32 t = 1; t <= d->T; t++)
	{
		d->churned[t] = ((double *) s->counts.data)[2 * (t - 1)];
		d->censored[t] = ((double *) s->counts.data)[2 * (t - 1) + 1];
	}
	d->total = 0;
	for (int32 t = 1; t <= d->T; t++)
		d->total += d->churned[t] + d->censored[t];
	if (d->T == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s fit cannot identify %s", fam->def->label, fam->params),
				 errdetail("No customer has been through a period."),
				 errhint("The model needs customers who churn and customers who stay, over at least %s periods.",
						 fam->min_periods == 2 ? "two" : "three")));
	return true;
}

PG_FUNCTION_INFO_V1(kam_sbg_final);
Datum
kam_sbg_final(PG_FUNCTION_ARGS)
{
	SbgData		d;

	if (!contract_state_data(fcinfo, &d, &sbg_family, "kam.sbg_fit"))
		PG_RETURN_NULL();
	return contract_fit(&d, &sbg_family);
}

/* ---------- predictions ---------- */

/* ln S(t) = ln B(alpha, beta + t) - ln B(alpha, beta), t >= 0 */
static double
sbg_log_survival(const KamSbg *m, double t)
{
	return lgamma(m->beta + t) - lgamma(m->alpha + m->beta + t) - lgamma(m->beta) + lgamma(m->alpha + m->beta);
}

static double
check_periods(double t, const char *what)
{
	if (!(t >= 0 && isfinite(t)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be finite and not negative", what),
				 errdetail("Value is %g.", t)));
	return t;
}

/* what an sBG prediction computes, with its arguments */
typedef enum SbgWhat
{
	SBG_SURVIVAL,				/* S(t) */
	SBG_RETENTION,				/* r(t) */
	SBG_DERL,					/* DERL(n, d) */
	SBG_RENEWALS				/* expected renewals (n, horizon) */
} SbgWhat;

typedef struct SbgQuery
{
	SbgWhat		what;
	double		a1;
	double		a2;
} SbgQuery;

/*
 * The future periods of a customer alive after n periods, each weighted by
 * the probability of reaching it, S(n + k) / S(n), discounted by z^k with
 * z = 1 / (1 + d), for k = 0 .. horizon - 1 (horizon < 0: all).  The first
 * term is the renewal at the end of period n.  Terms shrink by (beta + n +
 * k) / (alpha + beta + n + k) * z each.
 */
static double
sbg_future(const KamSbg *m, double n, double d, double horizon)
{
	double		z = 1 / (1 + d),
				term = (m->beta + n) / (m->alpha + m->beta + n),
				sum = 0;

	for (int64 k = 0; horizon < 0 || k < horizon; k++)
	{
		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		sum += term;
		term *= (m->beta + n + k + 1) / (m->alpha + m->beta + n + k + 1) * z;
		if (term < 1e-17 * sum)
			break;
	}
	return sum;
}

/* the prediction q of the model v (its arguments checked) */
static double
sbg_predict(const double *v, const void *arg)
{
	const KamSbg *m = (const KamSbg *) v;
	const SbgQuery *q = arg;

	switch (q->what)
	{
		case SBG_SURVIVAL:
			return exp(sbg_log_survival(m, q->a1));
		case SBG_RETENTION:
			return (m->beta + q->a1 - 1) / (m->alpha + m->beta + q->a1 - 1);
		case SBG_DERL:
			if (q->a2 == 0)
				return m->alpha <= 1 ? get_float8_infinity() : (m->beta + q->a1 - 1) / (m->alpha - 1);
			return sbg_future(m, q->a1 - 1, q->a2, -1);
		case SBG_RENEWALS:
			return sbg_future(m, q->a1 - 1, 0, floor(q->a2));
	}
	return NAN;
}

static void
check_survived(double n)
{
	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("periods_survived must be at least 1"),
				 errdetail("Value is %g.", n)));
}

/*
 * The query of a prediction function from its arguments 1 and 2: kam.sbg_survival(m, t),
 * kam.sbg_retention(m, t), kam.sbg_derl(m, periods_survived, discount_rate),
 * kam.sbg_expected_renewals(m, periods_survived, horizon) and their
 * interval forms (a confidence after them)
 */
static SbgQuery
sbg_query(FunctionCallInfo fcinfo, SbgWhat what)
{
	SbgQuery	q = {what, 0, 0};

	switch (what)
	{
		case SBG_SURVIVAL:
			q.a1 = check_periods(PG_GETARG_FLOAT8(1), "t");
			break;
		case SBG_RETENTION:
			q.a1 = check_periods(PG_GETARG_FLOAT8(1), "t");
			if (q.a1 < 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("t must be at least 1: the retention rate of period t"),
						 errdetail("Value is %g.", q.a1)));
			break;
		case SBG_DERL:
			q.a1 = check_periods(PG_GETARG_FLOAT8(1), "periods_survived");
			check_survived(q.a1);
			q.a2 = PG_GETARG_FLOAT8(2);
			if (!(q.a2 >= 0 && isfinite(q.a2)))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("discount_rate must be finite and not negative"),
						 errdetail("Value is %g.", q.a2)));
			break;
		case SBG_RENEWALS:
			q.a1 = check_periods(PG_GETARG_FLOAT8(1), "periods_survived");
			check_survived(q.a1);
			q.a2 = check_periods(PG_GETARG_FLOAT8(2), "horizon");
			if (q.a2 > 1e7)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("horizon must be at most 10 000 000 periods"),
						 errdetail("Value is %g.", q.a2)));
			break;
	}
	return q;
}

/* the SQL entry points of a contract model fam's predictions and their interval forms */
#define CONTRACT_PREDICTIONS(fam) \
	KAM_MODEL_ENTRY(kam_##fam##_survival, contract_predict(fcinfo, &fam##_def, fam##_predict, SBG_SURVIVAL, false, 0)) \
	KAM_MODEL_ENTRY(kam_##fam##_retention, contract_predict(fcinfo, &fam##_def, fam##_predict, SBG_RETENTION, false, 0)) \
	KAM_MODEL_ENTRY(kam_##fam##_derl, contract_predict(fcinfo, &fam##_def, fam##_predict, SBG_DERL, false, 0)) \
	KAM_MODEL_ENTRY(kam_##fam##_expected_renewals, contract_predict(fcinfo, &fam##_def, fam##_predict, SBG_RENEWALS, false, 0)) \
	KAM_MODEL_ENTRY(kam_##fam##_survival_interval, contract_predict(fcinfo, &fam##_def, fam##_predict, SBG_SURVIVAL, true, 2)) \
	KAM_MODEL_ENTRY(kam_##fam##_retention_interval, contract_predict(fcinfo, &fam##_def, fam##_predict, SBG_RETENTION, true, 2)) \
	KAM_MODEL_ENTRY(kam_##fam##_derl_interval, contract_predict(fcinfo, &fam##_def, fam##_predict, SBG_DERL, true, 3)) \
	KAM_MODEL_ENTRY(kam_##fam##_expected_renewals_interval, contract_predict(fcinfo, &fam##_def, fam##_predict, SBG_RENEWALS, true, 3))

/*
 * A contract model's prediction (argument 0 the model of type def, the
 * query's arguments after it), or with interval its interval form, the
 * confidence in argument confarg: probabilities on the logit scale, the
 * rest on the log scale
 */
static Datum
contract_predict(FunctionCallInfo fcinfo, const KamModelDef *def, KamPrediction g, SbgWhat what,
				 bool interval, int confarg)
{
	double	   *v = kam_model_arg(fcinfo, 0, def);
	SbgQuery	q = sbg_query(fcinfo, what);

	if (!interval)
		PG_RETURN_FLOAT8(g(v, &q));
	return kam_model_interval(fcinfo, def, v, g, &q, PG_GETARG_FLOAT8(confarg),
							  what == SBG_SURVIVAL || what == SBG_RETENTION ? KAM_SCALE_LOGIT : KAM_SCALE_LOG);
}

/*
 * kam.sbg_survival(m, t): the share of a cohort still active after t periods;
 * kam.sbg_retention(m, t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1), t >= 1;
 * kam.sbg_derl(m, periods_survived, discount_rate): the discounted expected
 * residual lifetime (Fader & Hardie 2010) of a customer at the end of
 * period n = periods_survived, just before renewing: sum over k >= 0 of
 * P(T > n + k | T > n - 1) / (1 + d)^k: the customer has been active n
 * periods (made n - 1 renewals) and stands before the renewal at the end of
 * period n, the first term; discount_rate 0: the undiscounted residual
 * lifetime (beta + n - 1) / (alpha - 1), infinite when alpha <= 1;
 * kam.sbg_expected_renewals(m, periods_survived, horizon): the renewals a
 * customer active after n periods is expected to make at the ends of
 * periods n .. n + horizon - 1, the sum of P(T > n + k | T > n - 1) for
 * k = 0 .. horizon - 1.  The _interval forms: delta-method intervals
 * (models.c).
 */
CONTRACT_PREDICTIONS(sbg)

/*
 * kam.sbg_expected_lifetime(m) = E[T] = (alpha + beta - 1) / (alpha - 1) in
 * periods (a customer pays at least one); infinite when alpha <= 1
 */
PG_FUNCTION_INFO_V1(kam_sbg_expected_lifetime);
Datum
kam_sbg_expected_lifetime(PG_FUNCTION_ARGS)
{
	KamSbg	   *m = sbg_arg(fcinfo, 0);

	if (m->alpha <= 1)
		PG_RETURN_FLOAT8(get_float8_infinity());
	PG_RETURN_FLOAT8((m->alpha + m->beta - 1) / (m->alpha - 1));
}

/* ======================================================================
 * The beta-discrete-Weibull contract model (Fader, Hardie, Liu, Davin &
 * Steenburgh 2018, "How to project customer retention" revisited): each
 * customer survives t periods with probability (1 - theta)^(t^c), theta ~
 * Beta(alpha, beta), so that
 *	 S(t) = B(alpha, beta + t^c) / B(alpha, beta)
 * c = 1 is the sBG; c < 1 lets each customer's churn probability fall with
 * tenure, c > 1 rise.  kam.bdw_fit (array and per-customer aggregate, the
 * sBG's inputs and state) -> kam.bdw (alpha, beta, c, ll, n, standard
 * errors, correlations), with the sBG's accessors and interval forms.
 *
 * With u = t^c and L(t) = ln S(t) = lnG(beta+u) - lnG(alpha+beta+u) -
 * lnG(beta) + lnG(alpha+beta), its derivatives are digamma and trigamma
 * terms with du/dc = u ln t, d2u/dc2 = u (ln t)^2; a customer who churned
 * in period t contributes ln(S(t-1) - S(t)) = L(t-1) + ln(1 - e^(L(t) -
 * L(t-1))), one still active after t periods L(t).
 * ====================================================================== */

typedef struct KamBdw
{
	double		alpha;
	double		beta;
	double		c;
	double		ll;
	double		n;
	double		se[3];
	double		cor[3];			/* alpha-beta, alpha-c, beta-c */
} KamBdw;

static const char *const bdw_names[] = {"alpha", "beta", "c", "ll", "n", "alpha_se", "beta_se", "c_se",
"cor_alpha_beta", "cor_alpha_c", "cor_beta_c"};

StaticAssertDecl(sizeof(KamBdw) == lengthof(bdw_names) * sizeof(double), "KamBdw is its named doubles");

KAM_MODEL_DEFINE(bdw, bdw_names, "BdW", 3, true)

/* L(t) = ln S(t) and, when g is not NULL, its gradient g[3] and Hessian h[9] in (alpha, beta, c) */
static double
bdw_log_survival(double a, double b, double c, double t, double *g, double *h)
{
	double		u,
				lt;

	if (t <= 0)
	{
		if (g)
		{
			memset(g, 0, 3 * sizeof(double));
			memset(h, 0, 9 * sizeof(double));
		}
		return 0;
	}
	lt = log(t);
	u = exp(c * lt);
	if (g)
	{
		double		pbu = kam_digamma(b + u),
					pabu = kam_digamma(a + b + u),
					pab = kam_digamma(a + b),
					tbu = kam_trigamma(b + u),
					tabu = kam_trigamma(a + b + u),
					tab = kam_trigamma(a + b),
					uc = u * lt,
					ucc = u * lt * lt;

		g[0] = -pabu + pab;
		g[1] = pbu - pabu - kam_digamma(b) + pab;
		g[2] = (pbu - pabu) * uc;
		h[0] = -tabu + tab;
		h[1] = h[3] = -tabu + tab;
		h[2] = h[6] = -tabu * uc;
		h[4] = tbu - tabu - kam_trigamma(b) + tab;
		h[5] = h[7] = (tbu - tabu) * uc;
		h[8] = (tbu - tabu) * uc * uc + (pbu - pabu) * ucc;
	}
	return lgamma(b + u) - lgamma(a + b + u) - lgamma(b) + lgamma(a + b);
}

/* minus the log-likelihood at theta = ln (alpha, beta, c), with its derivatives in theta */
static double
bdw_objective(const double *th, void *arg, double *grad, double *hess)
{
	const SbgData *d = arg;
	double		P[3] = {exp(th[0]), exp(th[1]), exp(th[2])};
	bool		deriv = grad != NULL;
	double		g[3] = {0, 0, 0},
				h[9] = {0};
	KamSum		ll = {0, 0};
	double		gA[3],
				hA[9],
				gB[3],
				hB[9],
				A,
				B;

	for (int i = 0; i < 3; i++)
		if (!(P[i] > 0 && isfinite(P[i])))
			return INFINITY;
	A = bdw_log_survival(P[0], P[1], P[2], 0, deriv ? gA : NULL, hA);
	for (int32 t = 1; t <= d->T; t++)
	{
		double		cn = d->churned[t],
					sn = d->censored[t];

		if ((t & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		B = bdw_log_survival(P[0], P[1], P[2], t, deriv ? gB : NULL, hB);
		if (cn > 0)
		{
			double		w = exp(B - A);

			if (!(w < 1))
				return INFINITY;
			kam_sum_add(&ll, cn * (A + log1p(-w)));
			if (deriv)
			{
				double		gt[3];

				for (int i = 0; i < 3; i++)
					gt[i] = (gA[i] - w * gB[i]) / (1 - w);
				for (int i = 0; i < 3; i++)
				{
					g[i] += cn * gt[i];
					for (int j = 0; j < 3; j++)
						h[i * 3 + j] += cn * ((hA[i * 3 + j] + gA[i] * gA[j] - w * (hB[i * 3 + j] + gB[i] * gB[j])) / (1 - w)
											  - gt[i] * gt[j]);
				}
			}
		}
		if (sn > 0)
		{
			kam_sum_add(&ll, sn * B);
			if (deriv)
				for (int i = 0; i < 9; i++)
				{
					if (i < 3)
						g[i] += sn * gB[i];
					h[i] += sn * hB[i];
				}
		}
		A = B;
		if (deriv)
		{
			memcpy(gA, gB, sizeof(gA));
			memcpy(hA, hB, sizeof(hA));
		}
	}
	if (deriv)
		kam_to_log_scale(3, P, g, h, grad, hess);
	return -kam_sum_value(&ll);
}

static const ContractFamily bdw_family = {&bdw_def, bdw_objective, "alpha, beta and c", 3,
"Retention that a beta mixture of discrete Weibull lifetimes cannot follow (a constant churn rate, say) drives the parameters to 0 or infinity."};

PG_FUNCTION_INFO_V1(kam_bdw_fit_array);
Datum
kam_bdw_fit_array(PG_FUNCTION_ARGS)
{
	SbgData		d;

	contract_array_data(fcinfo, &d);
	return contract_fit(&d, &bdw_family);
}

PG_FUNCTION_INFO_V1(kam_bdw_final);
Datum
kam_bdw_final(PG_FUNCTION_ARGS)
{
	SbgData		d;

	if (!contract_state_data(fcinfo, &d, &bdw_family, "kam.bdw_fit"))
		PG_RETURN_NULL();
	return contract_fit(&d, &bdw_family);
}

/* ---------- BdW predictions ---------- */

#define BDW_MAX_TERMS 10000000

/*
 * sum over k = 0 .. horizon - 1 (horizon < 0: all) of S(n + k) / S(n - 1)
 * z^k, z = 1 / (1 + d), n >= 1.  Undiscounted and unbounded, the terms fall
 * like t^(-c alpha): the sum diverges when c alpha <= 1 (Infinity), else
 * after 10^6 terms the rest is taken from that power law (Euler-Maclaurin:
 * S(N) (N / (c alpha - 1) + 1/2)); a discounted sum stops when a term adds
 * nothing.
 */
static double
bdw_future(const KamBdw *m, double n, double d, double horizon)
{
	double		z = 1 / (1 + d),
				base = bdw_log_survival(m->alpha, m->beta, m->c, n - 1, NULL, NULL),
				zk = 1;
	KamSum		sum = {0, 0};

	if (horizon < 0 && d == 0 && m->c * m->alpha <= 1)
		return get_float8_infinity();
	for (int64 k = 0; horizon < 0 || k < horizon; k++)
	{
		double		term = exp(bdw_log_survival(m->alpha, m->beta, m->c, n + k, NULL, NULL) - base) * zk;

		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		kam_sum_add(&sum, term);
		zk *= z;
		if (horizon < 0 && term < 1e-17 * kam_sum_value(&sum))
			break;
		if (horizon < 0 && d == 0 && k >= 1000000)
		{
			double		N = n + k + 1,
						sN = exp(bdw_log_survival(m->alpha, m->beta, m->c, N, NULL, NULL) - base);

			kam_sum_add(&sum, sN * (N / (m->c * m->alpha - 1) + 0.5));
			break;
		}
		if (k >= BDW_MAX_TERMS)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the BdW sum did not converge in %d periods", BDW_MAX_TERMS)));
	}
	return kam_sum_value(&sum);
}

static double
bdw_predict(const double *v, const void *arg)
{
	const KamBdw *m = (const KamBdw *) v;
	const SbgQuery *q = arg;

	switch (q->what)
	{
		case SBG_SURVIVAL:
			return exp(bdw_log_survival(m->alpha, m->beta, m->c, q->a1, NULL, NULL));
		case SBG_RETENTION:
			return exp(bdw_log_survival(m->alpha, m->beta, m->c, q->a1, NULL, NULL) -
					   bdw_log_survival(m->alpha, m->beta, m->c, q->a1 - 1, NULL, NULL));
		case SBG_DERL:
			return bdw_future(m, q->a1, q->a2, -1);
		case SBG_RENEWALS:
			return bdw_future(m, q->a1, 0, floor(q->a2));
	}
	return NAN;
}

CONTRACT_PREDICTIONS(bdw)

/* kam.bdw_expected_lifetime(m) = sum over t >= 0 of S(t) (a customer pays at least one period) */
PG_FUNCTION_INFO_V1(kam_bdw_expected_lifetime);
Datum
kam_bdw_expected_lifetime(PG_FUNCTION_ARGS)
{
	KamBdw	   *m = (KamBdw *) kam_model_arg(fcinfo, 0, &bdw_def);

	/* S(0) = 1, then S(1) + S(2) + ... */
	PG_RETURN_FLOAT8(1 + bdw_future(m, 1, 0, -1));
}
