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

static Datum
sbg_fit_data(SbgData *d)
{
	double		p[KAM_OPT_MAXK] = {0, 0, 0, 0};
	double		f;
	double		churned = 0;

	for (int32 t = 1; t <= d->T; t++)
		churned += d->churned[t];
	if (d->total == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the sBG fit has no customers")));
	if (churned == 0 || d->T < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the sBG fit cannot identify alpha and beta"),
				 errdetail("%.0f customers over %d periods, %.0f of them churned.", d->total, d->T, churned),
				 errhint("The model needs customers who churn and customers who stay, over at least two periods.")));
	if (!kam_minimize(sbg_objective, d, 2, p, &f))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the sBG fit did not converge"),
				 errdetail("%.0f customers over %d periods; the likelihood was still rising at alpha = %g, beta = %g.",
						   d->total, d->T, exp(p[0]), exp(p[1])),
				 errhint("Retention that does not fall or rise the way a beta mixture of geometric lifetimes can (a constant churn rate, say) drives alpha and beta to infinity: the data fit one churn rate for everyone.")));
	return kam_model_datum(&sbg_def, kam_model_fitted(&sbg_def, sbg_objective, d, p, f, d->total));
}

/* kam.sbg_fit(alive int[]): alive[1] customers at the start, alive[t] at the start of period t */
PG_FUNCTION_INFO_V1(kam_sbg_fit_array);
Datum
kam_sbg_fit_array(PG_FUNCTION_ARGS)
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
	return sbg_fit_data(&d);
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

PG_FUNCTION_INFO_V1(kam_sbg_final);
Datum
kam_sbg_final(PG_FUNCTION_ARGS)
{
	SbgState   *s;
	SbgData		d;

	if (PG_ARGISNULL(0))
	{
		ereport(NOTICE,
				(errmsg("kam.sbg_fit: no customers, no model")));
		PG_RETURN_NULL();
	}
	s = (SbgState *) PG_GETARG_POINTER(0);
	d.T = (int32) s->counts.n;
	d.churned = palloc0(sizeof(double) * (d.T + 1));
	d.censored = palloc0(sizeof(double) * (d.T + 1));
	for (int32 t = 1; t <= d.T; t++)
	{
		d.churned[t] = ((double *) s->counts.data)[2 * (t - 1)];
		d.censored[t] = ((double *) s->counts.data)[2 * (t - 1) + 1];
	}
	d.total = 0;
	for (int32 t = 1; t <= d.T; t++)
		d.total += d.churned[t] + d.censored[t];
	if (d.T == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the sBG fit cannot identify alpha and beta"),
				 errdetail("No customer has been through a period."),
				 errhint("The model needs customers who churn and customers who stay, over at least two periods.")));
	return sbg_fit_data(&d);
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

static Datum
sbg_point(FunctionCallInfo fcinfo, SbgWhat what)
{
	KamSbg	   *m = sbg_arg(fcinfo, 0);
	SbgQuery	q = sbg_query(fcinfo, what);

	PG_RETURN_FLOAT8(sbg_predict((double *) m, &q));
}

/* the interval form: confidence in argument confarg; probabilities on the logit scale, the rest on the log scale */
static Datum
sbg_interval(FunctionCallInfo fcinfo, SbgWhat what, int confarg)
{
	KamSbg	   *m = sbg_arg(fcinfo, 0);
	SbgQuery	q = sbg_query(fcinfo, what);

	return kam_model_interval(fcinfo, &sbg_def, (double *) m, sbg_predict, &q, PG_GETARG_FLOAT8(confarg),
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
KAM_MODEL_ENTRY(kam_sbg_survival, sbg_point(fcinfo, SBG_SURVIVAL))
KAM_MODEL_ENTRY(kam_sbg_retention, sbg_point(fcinfo, SBG_RETENTION))
KAM_MODEL_ENTRY(kam_sbg_derl, sbg_point(fcinfo, SBG_DERL))
KAM_MODEL_ENTRY(kam_sbg_expected_renewals, sbg_point(fcinfo, SBG_RENEWALS))
KAM_MODEL_ENTRY(kam_sbg_survival_interval, sbg_interval(fcinfo, SBG_SURVIVAL, 2))
KAM_MODEL_ENTRY(kam_sbg_retention_interval, sbg_interval(fcinfo, SBG_RETENTION, 2))
KAM_MODEL_ENTRY(kam_sbg_derl_interval, sbg_interval(fcinfo, SBG_DERL, 3))
KAM_MODEL_ENTRY(kam_sbg_expected_renewals_interval, sbg_interval(fcinfo, SBG_RENEWALS, 3))

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
