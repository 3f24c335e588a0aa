/*-------------------------------------------------------------------------
 *
 * bgnbd.c
 *	  The BG/NBD model of Fader, Hardie & Lee (2005), "Counting Your
 *	  Customers the Easy Way": maximum-likelihood fit from per-customer
 *	  (x, t_x, T) and the model's expectations (docs/ltv.md).
 *
 *	  kam.bgnbd_fit(x, t_x, T) -> kam.bgnbd (r, alpha, a, b, ll, n)
 *	  kam.bgnbd_expected(model, t)                 unconditional E[X(t)]
 *	  kam.bgnbd_expected(model, t, x, t_x, T)      E[Y(t) | x, t_x, T]
 *	  kam.bgnbd_p_alive(model, x, t_x, T)
 *
 *	  Log-likelihood of one customer (FHL 2005, eq. 6), with
 *	  A = lnG(r+x) - lnG(r) + r ln(alpha) + lnG(a+b) + lnG(b+x) - lnG(b)
 *		  - lnG(a+b+x):
 *		ll = A + log(exp(-(r+x) ln(alpha+T))
 *					 + [x>0] exp(ln(a) - ln(b+x-1) - (r+x) ln(alpha+t_x)))
 *	  The fit maximises the sum over distinct (x, t_x, T) patterns by the
 *	  damped Newton method of optim.c with the analytic gradient and Hessian,
 *	  on the logarithms of the four parameters (deterministic start).
 *
 *-------------------------------------------------------------------------
 */
#include "models.h"

#include <ctype.h>

#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

typedef struct KamBgnbd
{
	double		r;
	double		alpha;
	double		a;
	double		b;
	double		ll;
	double		n;
} KamBgnbd;

#define BG_NDOUBLES 4
StaticAssertDecl(sizeof(BgCust) == BG_NDOUBLES * sizeof(double), "BgCust is four doubles");

/* ---------- input checks ---------- */

void
kam_check_rfm(double x, double tx, double T)
{
	if (!isfinite(x) || x < 0 || x != floor(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("frequency x must be a non-negative whole number"),
				 errdetail("Value is %g.", x)));
	if (!isfinite(tx) || !isfinite(T) || tx < 0 || T < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recency t_x and age T must be finite and non-negative"),
				 errdetail("t_x is %g, T is %g.", tx, T)));
	if (tx > T)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recency t_x is greater than age T"),
				 errdetail("t_x is %g, T is %g.", tx, T)));
}

/* ---------- aggregate state ---------- */

static BgState *
bg_state_new(MemoryContext aggctx, int64 room)
{
	BgState    *st = MemoryContextAlloc(aggctx, sizeof(BgState));

	kam_array_init(&st->c, aggctx, sizeof(BgCust), room);
	return st;
}

/* Append one customer row of weight w to the state (created on the first row). */
BgState *
kam_cust_append(FunctionCallInfo fcinfo, MemoryContext aggctx, double x, double v1, double v2, double w)
{
	BgState    *st = PG_ARGISNULL(0) ? bg_state_new(aggctx, 8) : (BgState *) PG_GETARG_POINTER(0);
	BgCust	   *c = kam_array_push(&st->c);

	c->x = x;
	c->tx = v1;
	c->T = v2;
	c->w = w;
	return st;
}

PG_FUNCTION_INFO_V1(kam_bgnbd_sfunc);
Datum
kam_bgnbd_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_bgnbd_sfunc");
	double		x,
				tx,
				T;

	KAM_AGG_SKIP_NULL(1, 3);
	x = PG_GETARG_FLOAT8(1);
	tx = PG_GETARG_FLOAT8(2);
	T = PG_GETARG_FLOAT8(3);
	kam_check_rfm(x, tx, T);
	/* recency carries no information when x = 0 */
	PG_RETURN_POINTER(kam_cust_append(fcinfo, aggctx, x, x > 0 ? tx : 0, T, 1));
}

/* combine of every fit over customer rows (kam.bgnbd_fit, kam.gammagamma_fit, ...) */
PG_FUNCTION_INFO_V1(kam_bgnbd_combine);
Datum
kam_bgnbd_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_bgnbd_combine");
	BgState    *st;
	BgState    *other;

	KAM_AGG_SKIP_NULL(1, 1);
	other = (BgState *) PG_GETARG_POINTER(1);
	st = PG_ARGISNULL(0) ? bg_state_new(aggctx, other->c.n) : (BgState *) PG_GETARG_POINTER(0);
	kam_array_append(&st->c, other->c.data, other->c.n);
	PG_RETURN_POINTER(st);
}

/* serialized state, format version 1: the number of customers, then their four doubles each */
#define BG_STATE_VERSION 1

PG_FUNCTION_INFO_V1(kam_bgnbd_serial);
Datum
kam_bgnbd_serial(PG_FUNCTION_ARGS)
{
	BgState    *st = (BgState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	kam_agg_context(fcinfo, "kam_bgnbd_serial");
	kam_state_send_begin(&buf, KAM_STATE_CUSTOMERS, BG_STATE_VERSION);
	pq_sendint64(&buf, st->c.n);
	kam_state_send_doubles(&buf, (const double *) st->c.data, st->c.n * BG_NDOUBLES);
	PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam.bgnbd_fit"));
}

PG_FUNCTION_INFO_V1(kam_bgnbd_deserial);
Datum
kam_bgnbd_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_bgnbd_deserial");
	StringInfoData buf;
	BgState    *st;
	int64		n;

	kam_state_recv_begin(&buf, PG_GETARG_BYTEA_PP(0), KAM_STATE_CUSTOMERS, BG_STATE_VERSION,
						 "kam_bgnbd_deserial");
	n = kam_state_recv_count(&buf, PG_INT64_MAX, sizeof(BgCust), "kam_bgnbd_deserial");
	st = bg_state_new(aggctx, n);
	kam_state_recv_doubles(&buf, (double *) st->c.data, n * BG_NDOUBLES);
	st->c.n = n;
	kam_state_recv_end(&buf, "kam_bgnbd_deserial");
	PG_RETURN_POINTER(st);
}

/* ---------- the likelihood ---------- */

static int
cmp_cust(const void *pa, const void *pb)
{
	const BgCust *a = pa;
	const BgCust *b = pb;

	/*
	 * pg_qsort sorts in place, allocating nothing: it may stop at any
	 * comparison
	 */
	CHECK_FOR_INTERRUPTS();
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->tx != b->tx)
		return a->tx < b->tx ? -1 : 1;
	if (a->T != b->T)
		return a->T < b->T ? -1 : 1;
	return 0;
}

/* Sort and merge equal (x, t_x, T) into weighted patterns. */
static void
bg_patterns(const BgState *st, BgData *d)
{
	int64		rows = st->c.n;
	BgCust	   *c = palloc_extended(Max(rows, 1) * sizeof(BgCust), MCXT_ALLOC_HUGE);
	int64		n = 0;

	memcpy(c, st->c.data, rows * sizeof(BgCust));
	qsort(c, rows, sizeof(BgCust), cmp_cust);
	d->total = 0;
	for (int64 i = 0; i < rows; i++)
	{
		CHECK_FOR_INTERRUPTS();
		d->total += c[i].w;
		if (n > 0 && cmp_cust(&c[n - 1], &c[i]) == 0)
			c[n - 1].w += c[i].w;
		else
			c[n++] = c[i];
	}
	d->n = n;
	d->c = c;
}

/*
 * Minus the total log-likelihood at theta = (ln r, ln alpha, ln a, ln b),
 * with its gradient and Hessian in theta when grad is not NULL.  Patterns
 * come sorted by x: the gamma and beta terms, which depend on x only, are
 * computed once per distinct x.  For x > 0 the last factor is the
 * log-sum-exp of
 *	 L1 = -(r+x) ln(alpha+T)	and  L2 = ln a - ln(b+x-1) - (r+x) ln(alpha+t_x);
 * with p = e^L2 / (e^L1 + e^L2) and D = grad L2 - grad L1 its gradient is
 * grad L1 + p D and its Hessian (1-p) H1 + p H2 + p (1-p) D D'.
 */
static double
bg_objective(const double *th, void *arg, double *grad, double *hess)
{
	const BgData *d = arg;
	double		P[4] = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
	double		r = P[0],
				alpha = P[1],
				a = P[2],
				b = P[3];
	bool		deriv = grad != NULL;
	double		g[4] = {0, 0, 0, 0},
				h[4][4] = {{0}};
	KamSum		ll = {0, 0};
	double		lalpha,
				la,
				ia,
				lgr,
				lgb,
				lgab,
				dgr = 0,
				dgb = 0,
				dgab = 0,
				tgr = 0,
				tgb = 0,
				tgab = 0;

	if (!(r > 0 && alpha > 0 && a > 0 && b > 0) || !isfinite(r + alpha + a + b))
		return INFINITY;
	lalpha = log(alpha);
	la = log(a);
	ia = 1 / a;
	lgr = lgamma(r);
	lgb = lgamma(b);
	lgab = lgamma(a + b);
	if (deriv)
	{
		dgr = kam_digamma(r);
		dgb = kam_digamma(b);
		dgab = kam_digamma(a + b);
		tgr = kam_trigamma(r);
		tgb = kam_trigamma(b);
		tgab = kam_trigamma(a + b);
	}
	for (int64 i = 0; i < d->n;)
	{
		double		x = d->c[i].x,
					rx = r + x,
					wx = 0,
					lbx = 0,
					ibx = 0,
					last_tx = -1,
					ltx = 0,
					itx = 0;

		CHECK_FOR_INTERRUPTS();
		if (x > 0)
		{
			lbx = log(b + x - 1);
			ibx = 1 / (b + x - 1);
		}
		for (; i < d->n && d->c[i].x == x; i++)
		{
			const BgCust *c = &d->c[i];
			double		w = c->w,
						lT = log(alpha + c->T),
						iT = 1 / (alpha + c->T),
						L1,
						L2,
						e,
						p,
						q;

			wx += w;
			if (x == 0)
			{
				kam_sum_add(&ll, -w * r * lT);
				if (deriv)
				{
					g[0] -= w * lT;
					g[1] -= w * r * iT;
					h[0][1] -= w * iT;
					h[1][1] += w * r * iT * iT;
				}
				continue;
			}
			if (c->tx != last_tx)
			{
				last_tx = c->tx;
				ltx = log(alpha + c->tx);
				itx = 1 / (alpha + c->tx);
			}
			L1 = -rx * lT;
			L2 = la - lbx - rx * ltx;
			if (L2 > L1)
			{
				e = exp(L1 - L2);
				kam_sum_add(&ll, w * (L2 + log1p(e)));
				p = 1 / (1 + e);
				q = e * p;
			}
			else
			{
				e = exp(L2 - L1);
				kam_sum_add(&ll, w * (L1 + log1p(e)));
				q = 1 / (1 + e);
				p = e * q;
			}
			if (deriv)
			{
				double		D[4] = {lT - ltx, rx * (iT - itx), ia, -ibx};
				double		wpq = w * p * q;

				g[0] += w * (p * D[0] - lT);
				g[1] += w * (p * D[1] - rx * iT);
				g[2] += w * p * D[2];
				g[3] += w * p * D[3];
				h[0][1] -= w * (q * iT + p * itx);
				h[1][1] += w * rx * (q * iT * iT + p * itx * itx);
				h[2][2] -= w * p * ia * ia;
				h[3][3] += w * p * ibx * ibx;
				for (int j = 0; j < 4; j++)
					for (int m = j; m < 4; m++)
						h[j][m] += wpq * D[j] * D[m];
			}
		}
		/* lnG(r+x) - lnG(r) + r ln(alpha) + ln B(a, b+x) - ln B(a, b) */
		kam_sum_add(&ll, wx * (lgamma(rx) - lgr + r * lalpha +
							   lgab + lgamma(b + x) - lgb - lgamma(a + b + x)));
		if (deriv)
		{
			double		dabx = kam_digamma(a + b + x),
						tabx = kam_trigamma(a + b + x);

			g[0] += wx * (kam_digamma(rx) - dgr + lalpha);
			g[1] += wx * r / alpha;
			g[2] += wx * (dgab - dabx);
			g[3] += wx * (dgab + kam_digamma(b + x) - dgb - dabx);
			h[0][0] += wx * (kam_trigamma(rx) - tgr);
			h[0][1] += wx / alpha;
			h[1][1] -= wx * r / (alpha * alpha);
			h[2][2] += wx * (tgab - tabx);
			h[2][3] += wx * (tgab - tabx);
			h[3][3] += wx * (tgab + kam_trigamma(b + x) - tgb - tabx);
		}
	}
	if (deriv)
		kam_to_log_scale(4, P, g, &h[0][0], grad, hess);
	return -kam_sum_value(&ll);
}

/* the named doubles of the two model types: parameters, ll, n (0.1.0 layout, no standard errors) */
static const char *const bg_names[] = {"r", "alpha", "a", "b", "ll", "n"};
static const char *const gg_names[] = {"p", "q", "v", "ll", "n"};

static const char *bgnbd_invalid(const double *v);
static const char *gg_invalid(const double *v);

static const KamModelDef bgnbd_def = {{"kam.bgnbd", bg_names, lengthof(bg_names), 5, bgnbd_invalid}, "BG/NBD", 4, false};
static const KamModelDef gg_def = {{"kam.gammagamma", gg_names, lengthof(gg_names), 4, gg_invalid}, "Gamma-Gamma", 3, false};

static const char *
bgnbd_invalid(const double *v)
{
	return kam_model_invalid(&bgnbd_def, v);
}

static const char *
gg_invalid(const double *v)
{
	return kam_model_invalid(&gg_def, v);
}

/*
 * The final function of every fit over customer rows: merge the rows into
 * patterns, maximise the likelihood over the logarithms of the k
 * parameters from start (NULL: all 1) and return the model.  No rows: NULL
 * with a NOTICE.  modified is passed to the objective in BgData.
 */
Datum
kam_cust_fit(FunctionCallInfo fcinfo, KamObjective objective, const KamModelDef *def, const double *start,
			 bool modified, const char *fitname, const char *rows, const char *patterns, const char *hint)
{
	BgData		d;
	double		p[KAM_OPT_MAXK] = {0, 0, 0, 0};
	double		f;
	int			k = def->k;

	if (PG_ARGISNULL(0) || ((BgState *) PG_GETARG_POINTER(0))->c.n == 0)
	{
		ereport(NOTICE,
				(errmsg("%s: no %s, no model", fitname, rows)));
		PG_RETURN_NULL();
	}
	bg_patterns((BgState *) PG_GETARG_POINTER(0), &d);
	d.modified = modified;
	if (start)
		for (int i = 0; i < k; i++)
			p[i] = log(start[i]);
	if (!kam_minimize(objective, &d, k, p, &f))
	{
		StringInfoData last;

		initStringInfo(&last);
		for (int i = 0; i < k; i++)
			appendStringInfo(&last, "%s%s = %g", i > 0 ? ", " : "", def->vt.fields[i], exp(p[i]));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s fit did not converge", def->label),
				 errdetail("%.0f %s in " INT64_FORMAT " distinct %s patterns; the likelihood was still rising at %s.",
						   d.total, rows, d.n, patterns, last.data),
				 errhint("%s", hint)));
	}
	return kam_model_datum(def, kam_model_fitted(def, objective, &d, p, f, d.total));
}

PG_FUNCTION_INFO_V1(kam_bgnbd_final);
Datum
kam_bgnbd_final(PG_FUNCTION_ARGS)
{
	return kam_cust_fit(fcinfo, bg_objective, &bgnbd_def, NULL, false, "kam.bgnbd_fit", "customers", "(x, t_x, T)",
						"The model needs repeat buyers and customers of different ages.");
}

/* ---------- model values: named doubles, shared by kam.bgnbd and kam.gammagamma ---------- */


/*
 * One value of a model type's named doubles by name (argument 1); a value
 * unknown (NaN: the log-likelihood or standard errors of a model built from
 * parameters) is NULL.  Shared by every model type (bgnbd.c, sbg.c).
 */
Datum
kam_model_param(FunctionCallInfo fcinfo, const double *v, const char *const *names, int n, const char *model)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(1));
	StringInfoData all;

	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
		{
			if (isnan(v[i]))
				PG_RETURN_NULL();
			PG_RETURN_FLOAT8(v[i]);
		}
	initStringInfo(&all);
	for (int i = 0; i < n; i++)
		appendStringInfo(&all, "%s%s", i == 0 ? "" : (i == n - 1 ? " or " : ", "), names[i]);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown %s parameter \"%s\"", model, s),
			 errhint("Use %s.", all.data)));
}

/* ---------- the kam.bgnbd type ---------- */

StaticAssertDecl(sizeof(KamBgnbd) == lengthof(bg_names) * sizeof(double),
				 "KamBgnbd is its named doubles");

KAM_MODEL_FUNCTIONS(bgnbd, bgnbd_def)

static KamBgnbd *
bg_arg(FunctionCallInfo fcinfo, int argno)
{
	return (KamBgnbd *) kam_model_arg(fcinfo, argno, &bgnbd_def);
}

/* ---------- expectations ---------- */

/* Gauss hypergeometric 2F1(a, b; c; z) for 0 <= z < 1 by its series. */
double
kam_hyp2f1(double a, double b, double c, double z)
{
	double		term = 1,
				sum = 1;

	for (int k = 0; k < 1000000; k++)
	{
		term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
		sum += term;
		if (fabs(term) <= 1e-15 * fabs(sum))
			return sum;
	}
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("hypergeometric series did not converge"),
			 errdetail("2F1(%g, %g; %g; %g).", a, b, c, z)));
}

double
kam_check_horizon(double t)
{
	if (!isfinite(t) || t < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("horizon t must be finite and non-negative"),
				 errdetail("Value is %g.", t)));
	return t;
}

/* E[X(t)] for a new customer */
PG_FUNCTION_INFO_V1(kam_bgnbd_expected_uncond);
Datum
kam_bgnbd_expected_uncond(PG_FUNCTION_ARGS)
{
	KamBgnbd   *m = bg_arg(fcinfo, 0);
	double		t = kam_check_horizon(PG_GETARG_FLOAT8(1));
	double		z = t / (m->alpha + t);

	if (m->a == 1)
		PG_RETURN_NULL();
	if (t == 0)
		PG_RETURN_FLOAT8(0.0);
	PG_RETURN_FLOAT8((m->a + m->b - 1) / (m->a - 1) *
					 (1 - pow(m->alpha / (m->alpha + t), m->r) *
					  kam_hyp2f1(m->r, m->b, m->a + m->b - 1, z)));
}

/* the denominator shared by the conditional expectation and P(alive) */
static double
alive_odds(const KamBgnbd *m, double x, double tx, double T)
{
	if (x == 0)
		return 0;
	return m->a / (m->b + x - 1) * pow((m->alpha + T) / (m->alpha + tx), m->r + x);
}

/* E[Y(t) | x, t_x, T] (FHL 2005, eq. 10) */
static double
bg_cond(const KamBgnbd *m, double t, double x, double tx, double T)
{
	if (t == 0)
		return 0;
	return (m->a + m->b + x - 1) / (m->a - 1) *
		(1 - pow((m->alpha + T) / (m->alpha + T + t), m->r + x) *
		 kam_hyp2f1(m->r + x, m->b + x, m->a + m->b + x - 1, t / (m->alpha + T + t))) /
		(1 + alive_odds(m, x, tx, T));
}

PG_FUNCTION_INFO_V1(kam_bgnbd_expected_cond);
Datum
kam_bgnbd_expected_cond(PG_FUNCTION_ARGS)
{
	KamBgnbd   *m = bg_arg(fcinfo, 0);
	double		t = kam_check_horizon(PG_GETARG_FLOAT8(1));
	double		x = PG_GETARG_FLOAT8(2);
	double		tx = PG_GETARG_FLOAT8(3);
	double		T = PG_GETARG_FLOAT8(4);

	kam_check_rfm(x, tx, T);
	if (m->a == 1)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(bg_cond(m, t, x, tx, T));
}

PG_FUNCTION_INFO_V1(kam_bgnbd_p_alive);
Datum
kam_bgnbd_p_alive(PG_FUNCTION_ARGS)
{
	KamBgnbd   *m = bg_arg(fcinfo, 0);
	double		x = PG_GETARG_FLOAT8(1);
	double		tx = PG_GETARG_FLOAT8(2);
	double		T = PG_GETARG_FLOAT8(3);

	kam_check_rfm(x, tx, T);
	PG_RETURN_FLOAT8(1 / (1 + alive_odds(m, x, tx, T)));
}

/* ======================================================================
 * Gamma-Gamma model of spend per transaction (Fader & Hardie 2013), as in
 * lifetimes' GammaGammaFitter.  Fitted on repeat buyers (x > 0) with their
 * mean repeat-transaction value m:
 *	 ll = lnG(px+q) - lnG(px) - lnG(q) + q ln v + (px-1) ln m + px ln x
 *		  - (px+q) ln(x m + v)
 *	 E[M | x, m] = p (v + x m) / (p x + q - 1)
 * The state is the BG/NBD one: rows (x, m, 0, weight).
 * ====================================================================== */

typedef struct KamGammaGamma
{
	double		p;
	double		q;
	double		v;
	double		ll;
	double		n;
} KamGammaGamma;

PG_FUNCTION_INFO_V1(kam_gammagamma_sfunc);
Datum
kam_gammagamma_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_gammagamma_sfunc");
	double		x,
				m;

	KAM_AGG_SKIP_NULL(1, 2);
	x = PG_GETARG_FLOAT8(1);
	m = PG_GETARG_FLOAT8(2);
	kam_check_rfm(x, 0, 0);
	kam_check_money(m, "monetary");
	if (x > 0 && m == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("monetary must be positive for a repeat buyer"),
				 errdetail("x is %g, monetary is 0.", x)));
	if (x == 0)
	{
		/* the model is fitted on repeat buyers */
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	PG_RETURN_POINTER(kam_cust_append(fcinfo, aggctx, x, m, 0, 1));
}

/*
 * Minus the Gamma-Gamma log-likelihood at theta = (ln p, ln q, ln v), with
 * its gradient and Hessian when grad is not NULL; the gamma terms are
 * computed once per distinct x (rows come sorted by x).
 */
static double
gg_objective(const double *th, void *arg, double *grad, double *hess)
{
	const BgData *d = arg;
	double		P[3] = {exp(th[0]), exp(th[1]), exp(th[2])};
	double		p = P[0],
				q = P[1],
				v = P[2];
	bool		deriv = grad != NULL;
	double		g[3] = {0, 0, 0},
				h[3][3] = {{0}};
	KamSum		ll = {0, 0};
	double		lv,
				lgq,
				dgq = 0,
				tgq = 0;

	if (!(p > 0 && q > 0 && v > 0) || !isfinite(p + q + v))
		return INFINITY;
	lv = log(v);
	lgq = lgamma(q);
	if (deriv)
	{
		dgq = kam_digamma(q);
		tgq = kam_trigamma(q);
	}
	for (int64 i = 0; i < d->n;)
	{
		double		x = d->c[i].x,
					px = p * x,
					lx = log(x),
					wx = 0;

		CHECK_FOR_INTERRUPTS();
		for (; i < d->n && d->c[i].x == x; i++)
		{
			double		w = d->c[i].w,
						m = d->c[i].tx,
						lm = log(m),
						L = log(x * m + v),
						I = 1 / (x * m + v);

			wx += w;
			kam_sum_add(&ll, w * ((px - 1) * lm - (px + q) * L));
			if (deriv)
			{
				g[0] += w * x * (lm - L);
				g[1] -= w * L;
				g[2] -= w * (px + q) * I;
				h[0][2] -= w * x * I;
				h[1][2] -= w * I;
				h[2][2] += w * (px + q) * I * I;
			}
		}
		/* lnG(px+q) - lnG(px) - lnG(q) + q ln v + px ln x */
		kam_sum_add(&ll, wx * (lgamma(px + q) - lgamma(px) - lgq + q * lv + px * lx));
		if (deriv)
		{
			double		tpq = kam_trigamma(px + q);

			g[0] += wx * x * (kam_digamma(px + q) - kam_digamma(px) + lx);
			g[1] += wx * (kam_digamma(px + q) - dgq + lv);
			g[2] += wx * q / v;
			h[0][0] += wx * x * x * (tpq - kam_trigamma(px));
			h[0][1] += wx * x * tpq;
			h[1][1] += wx * (tpq - tgq);
			h[1][2] += wx / v;
			h[2][2] -= wx * q / (v * v);
		}
	}
	if (deriv)
		kam_to_log_scale(3, P, g, &h[0][0], grad, hess);
	return -kam_sum_value(&ll);
}

PG_FUNCTION_INFO_V1(kam_gammagamma_final);
Datum
kam_gammagamma_final(PG_FUNCTION_ARGS)
{
	return kam_cust_fit(fcinfo, gg_objective, &gg_def, NULL, false, "kam.gammagamma_fit", "repeat buyers", "(x, monetary)",
						"The model needs repeat buyers whose mean spend varies.");
}

StaticAssertDecl(sizeof(KamGammaGamma) == lengthof(gg_names) * sizeof(double),
				 "KamGammaGamma is its named doubles");

KAM_MODEL_FUNCTIONS(gammagamma, gg_def)

static KamGammaGamma *
gg_arg(FunctionCallInfo fcinfo, int argno)
{
	return (KamGammaGamma *) kam_model_arg(fcinfo, argno, &gg_def);
}

/* E[M | x, m]; for x = 0 the population mean p v / (q - 1) */
static double
gg_expected(const KamGammaGamma *g, double x, double m)
{
	double		den = g->p * x + g->q - 1;

	if (den <= 0)
		return NAN;
	return g->p * (g->v + x * m) / den;
}

PG_FUNCTION_INFO_V1(kam_gammagamma_expected);
Datum
kam_gammagamma_expected(PG_FUNCTION_ARGS)
{
	KamGammaGamma *g = gg_arg(fcinfo, 0);
	double		x = PG_GETARG_FLOAT8(1);
	double		m = PG_GETARG_FLOAT8(2);
	double		e;

	kam_check_rfm(x, 0, 0);
	kam_check_money(m, "monetary");
	e = gg_expected(g, x, m);
	if (isnan(e))
		PG_RETURN_NULL();		/* q <= 1 with x = 0: the mean does not exist */
	PG_RETURN_FLOAT8(e);
}

/*
 * kam.clv(bgnbd, gammagamma, x, t_x, T, monetary, months,
 *		   monthly_discount_rate, periods_per_month): lifetimes'
 * customer_lifetime_value: the sum over months i = 1..months of
 *	 E[M] * (E[Y(i f)] - E[Y((i-1) f)]) / (1 + d)^i,  f = periods per month.
 */
PG_FUNCTION_INFO_V1(kam_clv);
Datum
kam_clv(PG_FUNCTION_ARGS)
{
	KamBgnbd   *bg = bg_arg(fcinfo, 0);
	KamGammaGamma *gg = gg_arg(fcinfo, 1);
	double		x = PG_GETARG_FLOAT8(2);
	double		tx = PG_GETARG_FLOAT8(3);
	double		T = PG_GETARG_FLOAT8(4);
	double		money = PG_GETARG_FLOAT8(5);
	int32		months = PG_GETARG_INT32(6);
	double		d = PG_GETARG_FLOAT8(7);
	double		f = PG_GETARG_FLOAT8(8);
	double		spend,
				prev = 0;
	KamSum		clv = {0, 0};

	kam_check_rfm(x, tx, T);
	kam_check_money(money, "monetary");
	if (months < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("months must not be negative"),
				 errdetail("Value is %d.", months)));
	if (!isfinite(d) || d < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("monthly_discount_rate must be a finite non-negative rate"),
				 errdetail("Value is %g.", d)));
	if (!isfinite(f) || f <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("periods_per_month must be finite and positive"),
				 errdetail("Value is %g.", f)));
	spend = gg_expected(gg, x, money);
	if (isnan(spend) || bg->a == 1)
		PG_RETURN_NULL();
	for (int32 i = 1; i <= months; i++)
	{
		double		cur = bg_cond(bg, i * f, x, tx, T);

		kam_sum_add(&clv, spend * (cur - prev) / pow(1 + d, i));
		prev = cur;
		CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_FLOAT8(kam_sum_value(&clv));
}
