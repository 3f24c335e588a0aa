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

#include "access/htup_details.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
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

/* ---------- the order of patterns ---------- */

static inline int
cmp_cust_inline(const BgCust *a, const BgCust *b)
{
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->tx != b->tx)
		return a->tx < b->tx ? -1 : 1;
	if (a->T != b->T)
		return a->T < b->T ? -1 : 1;
	return 0;
}

/* the sort may stop at any comparison: it allocates nothing */
static inline int
cmp_cust_check(const BgCust *a, const BgCust *b)
{
	CHECK_FOR_INTERRUPTS();
	return cmp_cust_inline(a, b);
}

/* bg_sort(): the sort template with the comparison inlined */
#define KAM_SORT_NAME bg_sort
#define KAM_SORT_TYPE BgCust
#define KAM_SORT_CMP cmp_cust_check
#include "kam_sort.h"

/*
 * Sort rows by (x, t_x, T).  The frequencies x are whole numbers, few next
 * to the rows: the rows are first distributed by x in place (one counting
 * pass, then each row swapped into its x's range: the "American flag"
 * distribution), then each x's range sorted (by the same comparison, whose
 * test of x is then always equal), in about a fifth less time than sorting
 * all the rows at once.  Rows whose x are not small whole numbers are
 * sorted whole.
 */
static void
bg_sort_rows(BgCust *c, int64 n)
{
	double		maxx = 0;
	int64		nx;
	int64	   *start,
			   *next;

	for (int64 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!(c[i].x >= 0 && c[i].x == floor(c[i].x)))
		{
			maxx = INFINITY;
			break;
		}
		maxx = fmax(maxx, c[i].x);
	}
	if (n < 64 || !(maxx < n / 4))
	{
		bg_sort(c, n);
		return;
	}
	nx = (int64) maxx + 1;
	start = kam_alloc_large(CurrentMemoryContext, (nx + 1) * sizeof(int64), MCXT_ALLOC_ZERO);
	next = kam_alloc_large(CurrentMemoryContext, nx * sizeof(int64), 0);
	for (int64 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		start[(int64) c[i].x + 1]++;
	}
	for (int64 b = 0; b < nx; b++)
	{
		start[b + 1] += start[b];
		next[b] = start[b];
	}
	for (int64 b = 0, moves = 0; b < nx; b++)
	{
		while (next[b] < start[b + 1])
		{
			BgCust		v = c[next[b]];
			int64		d = (int64) v.x;

			/* follow the cycle: each row goes to the next free place of its x */
			while (d != b)
			{
				BgCust		t = c[next[d]];

				if ((++moves & 0xFFFF) == 0)
					CHECK_FOR_INTERRUPTS();
				c[next[d]++] = v;
				v = t;
				d = (int64) v.x;
			}
			c[next[b]++] = v;
		}
	}
	for (int64 b = 0; b < nx; b++)
		bg_sort(c + start[b], start[b + 1] - start[b]);
	pfree(start);
	pfree(next);
}

static void bg_compact(BgState *st);

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
	st->sorted = false;
	st->nparts = 0;
	return st;
}

/* Append one customer row of weight w to the state (created on the first row). */
BgState *
kam_cust_append(FunctionCallInfo fcinfo, MemoryContext aggctx, double x, double v1, double v2, double w)
{
	BgState    *st = PG_ARGISNULL(0) ? bg_state_new(aggctx, 8) : (BgState *) PG_GETARG_POINTER(0);
	BgCust	   *c = kam_array_push(&st->c);

	st->sorted = false;

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

	/*
	 * A worker's state deserialized into this aggregate's context is taken
	 * over instead of copied, its sorted patterns merged by the final
	 * function in linear time; a state from elsewhere (partitionwise
	 * aggregation) is copied, as the combine contract requires.
	 */
	if (other->c.ctx == aggctx && GetMemoryChunkContext(other) == aggctx && other->nparts == 0)
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_POINTER(other);
		st = (BgState *) PG_GETARG_POINTER(0);
		if (st->nparts < BG_MAX_PARTS)
		{
			st->part[st->nparts++] = other;
			PG_RETURN_POINTER(st);
		}
	}
	else
		st = PG_ARGISNULL(0) ? bg_state_new(aggctx, other->c.n) : (BgState *) PG_GETARG_POINTER(0);
	kam_array_append(&st->c, other->c.data, other->c.n);
	for (int i = 0; i < other->nparts; i++)
		kam_array_append(&st->c, other->part[i]->c.data, other->part[i]->c.n);
	st->sorted = false;
	PG_RETURN_POINTER(st);
}

/*
 * serialized state, format version 2: the number of patterns, then their
 * four doubles each, sorted by (x, t_x, T) and distinct (version 1 had the
 * rows in arrival order)
 */
#define BG_STATE_VERSION 2

PG_FUNCTION_INFO_V1(kam_bgnbd_serial);
Datum
kam_bgnbd_serial(PG_FUNCTION_ARGS)
{
	BgState    *st = (BgState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	kam_agg_context(fcinfo, "kam_bgnbd_serial");
	bg_compact(st);
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
	st->sorted = true;
	for (int64 i = 1; i < n; i++)
		if (cmp_cust_inline((BgCust *) st->c.data + i - 1, (BgCust *) st->c.data + i) >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid kam.bgnbd_fit state: patterns out of order")));
	kam_state_recv_end(&buf, "kam_bgnbd_deserial");
	PG_RETURN_POINTER(st);
}

/* ---------- the likelihood ---------- */

/* sort one state's own rows in place and merge equal ones */
static void
bg_sort_one(BgState *st)
{
	BgCust	   *c = (BgCust *) st->c.data;
	int64		rows = st->c.n;
	int64		n = 0;

	if (st->sorted)
		return;
	bg_sort_rows(c, rows);
	for (int64 i = 0; i < rows; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (n > 0 && cmp_cust_inline(&c[n - 1], &c[i]) == 0)
			c[n - 1].w += c[i].w;
		else
			c[n++] = c[i];
	}
	st->c.n = n;
	st->sorted = true;
}

/*
 * Sort the state's rows and merge equal (x, t_x, T) into weighted
 * patterns, the parts taken over by the combine function merged in (a
 * k-way merge, linear in the rows: re-sorting the workers' sorted patterns
 * made a parallel fit slower than a serial one).  The state then holds the
 * same customers in fewer rows, so the final function may do it (and be
 * called again: a window, or a state shared by two fits), and so may the
 * serial function, which then sends the patterns, sorted by each worker.
 */
static void
bg_compact(BgState *st)
{
	int			k = st->nparts + 1;
	const BgCust *src[BG_MAX_PARTS + 1];
	int64		pos[BG_MAX_PARTS + 1],
				end[BG_MAX_PARTS + 1],
				total = 0,
				n = 0;
	BgCust	   *out;

	bg_sort_one(st);
	if (st->nparts == 0)
		return;
	for (int i = 0; i < k; i++)
	{
		BgState    *p = i == 0 ? st : st->part[i - 1];

		bg_sort_one(p);
		src[i] = (const BgCust *) p->c.data;
		pos[i] = 0;
		end[i] = p->c.n;
		total += p->c.n;
	}
	out = kam_alloc_large(st->c.ctx, Max(total, 1) * sizeof(BgCust), 0);
	for (;;)
	{
		int			best = -1;

		for (int i = 0; i < k; i++)
			if (pos[i] < end[i] && (best < 0 || cmp_cust_inline(&src[i][pos[i]], &src[best][pos[best]]) < 0))
				best = i;
		if (best < 0)
			break;
		if ((n & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (n > 0 && cmp_cust_inline(&out[n - 1], &src[best][pos[best]]) == 0)
			out[n - 1].w += src[best][pos[best]].w;
		else
			out[n++] = src[best][pos[best]];
		pos[best]++;
	}
	for (int i = 0; i < st->nparts; i++)
	{
		pfree(st->part[i]->c.data);
		pfree(st->part[i]);
	}
	pfree(st->c.data);
	st->c.data = (char *) out;
	st->c.n = n;
	st->c.max = Max(total, 1);
	st->nparts = 0;
}

/* the state's patterns (sorted in place) for the likelihoods */
static void
bg_patterns(BgState *st, BgData *d)
{
	bg_compact(st);
	d->c = (BgCust *) st->c.data;
	d->n = st->c.n;
	d->total = 0;
	for (int64 i = 0; i < d->n; i++)
		d->total += d->c[i].w;
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
 *
 * With d->modified (MBG/NBD, Batislam, Denizel & Filiztekin 2007: a
 * customer may also drop out right after the first purchase) the beta
 * terms take xs = x + 1 for x, ln B(a, b+x+1) - ln B(a, b) and
 * L2 = ln a - ln(b+x) - (r+x) ln(alpha+t_x), for every x including 0.
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
					xs = d->modified ? x + 1 : x,
					rx = r + x,
					wx = 0,
					lbx = 0,
					ibx = 0,
					last_tx = -1,
					ltx = 0,
					itx = 0;

		CHECK_FOR_INTERRUPTS();
		if (xs > 0)
		{
			lbx = log(b + xs - 1);
			ibx = 1 / (b + xs - 1);
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
			if (xs == 0)
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
		/* lnG(r+x) - lnG(r) + r ln(alpha) + ln B(a, b+xs) - ln B(a, b) */
		kam_sum_add(&ll, wx * (lgamma(rx) - lgr + r * lalpha +
							   lgab + lgamma(b + xs) - lgb - lgamma(a + b + xs)));
		if (deriv)
		{
			double		dabx = kam_digamma(a + b + xs),
						tabx = kam_trigamma(a + b + xs);

			g[0] += wx * (kam_digamma(rx) - dgr + lalpha);
			g[1] += wx * r / alpha;
			g[2] += wx * (dgab - dabx);
			g[3] += wx * (dgab + kam_digamma(b + xs) - dgb - dabx);
			h[0][0] += wx * (kam_trigamma(rx) - tgr);
			h[0][1] += wx / alpha;
			h[1][1] -= wx * r / (alpha * alpha);
			h[2][2] += wx * (tgab - tabx);
			h[2][3] += wx * (tgab - tabx);
			h[3][3] += wx * (tgab + kam_trigamma(b + xs) - tgb - tabx);
		}
	}
	if (deriv)
		kam_to_log_scale(4, P, g, &h[0][0], grad, hess);
	return -kam_sum_value(&ll);
}

/* the named doubles of the two model types: parameters, ll, n (0.1.0 layout, no standard errors) */
static const char *const bg_names[] = {"r", "alpha", "a", "b", "ll", "n"};
static const char *const gg_names[] = {"p", "q", "v", "ll", "n"};

KAM_MODEL_DEFINE(bgnbd, bg_names, "BG/NBD", 4, false)
KAM_MODEL_DEFINE(gammagamma, gg_names, "Gamma-Gamma", 3, false)

/* patterns in the sample that gives a large fit its starting point */
#define BG_WARM_PATTERNS 20000

/*
 * The final function of every fit over customer rows: merge the rows into
 * patterns, maximise the likelihood over the logarithms of the k
 * parameters from all 1 and return the model.  No rows: NULL with a
 * NOTICE.  modified is passed to the objective in BgData; the objective's
 * argument is the BgData, or what prepare (when not NULL) makes of it.
 */
static bool
cust_optimum(FunctionCallInfo fcinfo, KamObjective objective, const KamModelDef *def, KamFitPrepare prepare,
			 bool modified, const char *fitname, const char *rows, const char *patterns, const char *hint,
			 double *p, double *f, void **argp, BgData *dp, double *curv)
{
	BgData	   *d = dp;			/* the caller's: the objective's argument
								 * points to it */
	int			k = def->k;
	void	   *arg;

	for (int i = 0; i < KAM_OPT_MAXK; i++)
		p[i] = 0;

	if (PG_ARGISNULL(0) || ((BgState *) PG_GETARG_POINTER(0))->c.n == 0)
	{
		ereport(NOTICE,
				(errmsg("%s: no %s, no model", fitname, rows)));
		return false;
	}
	bg_patterns((BgState *) PG_GETARG_POINTER(0), d);
	d->modified = modified;

	/*
	 * Many patterns: start from the optimum of an evenly spaced sample of
	 * them (every stride-th in their sorted order, with its weight), which
	 * lies within the sampling error of the full optimum, so the full data
	 * take 2-4 Newton steps instead of about 12 from the fixed start (if the
	 * sample's fit fails, the fixed start is used)
	 */
	if (d->n > 4 * BG_WARM_PATTERNS)
	{
		BgData		sub = *d;
		int64		stride = d->n / BG_WARM_PATTERNS;
		double		q[KAM_OPT_MAXK] = {0, 0, 0, 0};
		double		fs;

		sub.c = palloc((d->n / stride + 1) * sizeof(BgCust));
		sub.n = 0;
		sub.total = 0;
		for (int64 i = stride / 2; i < d->n; i += stride)
		{
			sub.c[sub.n++] = d->c[i];
			sub.total += d->c[i].w;
		}
		if (kam_minimize(objective, prepare ? prepare(&sub) : &sub, k, q, &fs))
			memcpy(p, q, sizeof(q));
		pfree(sub.c);
	}
	arg = prepare ? prepare(d) : d;
	if (!kam_minimize_curv(objective, arg, k, p, f, curv))
	{
		StringInfoData last;

		initStringInfo(&last);
		for (int i = 0; i < k; i++)
			appendStringInfo(&last, "%s%s = %g", i > 0 ? ", " : "", def->vt.fields[i], exp(p[i]));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s fit did not converge", def->label),
				 errdetail("%.0f %s in " INT64_FORMAT " distinct %s patterns; the likelihood was still rising at %s.",
						   d->total, rows, d->n, patterns, last.data),
				 errhint("%s", hint)));
	}
	*argp = arg;
	return true;
}

Datum
kam_cust_fit(FunctionCallInfo fcinfo, KamObjective objective, const KamModelDef *def, KamFitPrepare prepare,
			 bool modified, const char *fitname, const char *rows, const char *patterns, const char *hint)
{
	BgData		d;
	double		p[KAM_OPT_MAXK],
				curv[KAM_OPT_CURV];
	double		f;
	void	   *arg;

	if (!cust_optimum(fcinfo, objective, def, prepare, modified, fitname, rows, patterns, hint, p, &f, &arg, &d,
					  curv))
		PG_RETURN_NULL();
	return kam_model_datum(def, kam_model_fitted(def, objective, arg, p, curv, f, d.total));
}

/*
 * A fit with the standard errors of a type that does not carry them
 * (kam.bgnbd, kam.gammagamma: their 0.1.0 layout): the composite (model,
 * <parameter>_se..., cor_<a>_<b>...) of the aggregate's result type.
 */
static Datum
cust_fit_se(FunctionCallInfo fcinfo, KamObjective objective, const KamModelDef *def,
			const char *fitname, const char *rows, const char *patterns, const char *hint)
{
	BgData		d;
	double		p[KAM_OPT_MAXK];
	double		f,
				curv[KAM_OPT_CURV],
				se[KAM_OPT_MAXK],
				cor[KAM_OPT_MAXK * (KAM_OPT_MAXK - 1) / 2];
	void	   *arg;
	TupleDesc	tupdesc;
	int			k = def->k,
				ncor = k * (k - 1) / 2;
	Datum		values[1 + KAM_OPT_MAXK + KAM_OPT_MAXK * (KAM_OPT_MAXK - 1) / 2];
	bool		nulls[1 + KAM_OPT_MAXK + KAM_OPT_MAXK * (KAM_OPT_MAXK - 1) / 2] = {0};

	if (!cust_optimum(fcinfo, objective, def, NULL, false, fitname, rows, patterns, hint, p, &f, &arg, &d,
					  curv))
		PG_RETURN_NULL();
	kam_model_se(k, objective, arg, p, curv, se, cor);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = kam_model_datum(def, kam_model_fitted(def, objective, arg, p, curv, f, d.total));
	for (int i = 0; i < k; i++)
	{
		values[i + 1] = Float8GetDatum(se[i]);
		nulls[i + 1] = isnan(se[i]);
	}
	for (int i = 0; i < ncor; i++)
	{
		values[k + 1 + i] = Float8GetDatum(cor[i]);
		nulls[k + 1 + i] = isnan(cor[i]);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
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

/*
 * The odds against being alive, shared by the conditional expectation and
 * P(alive): a/(b+xs-1) ((alpha+T)/(alpha+t_x))^(r+x), with xs = x (BG/NBD,
 * 0 for x = 0: a customer without repeat purchases cannot have dropped out)
 * or x + 1 (MBG/NBD, modified: one can, right after the first purchase)
 */
static double
alive_odds(const KamBgnbd *m, double x, double tx, double T, bool modified)
{
	double		xs = modified ? x + 1 : x;

	if (xs == 0)
		return 0;
	return m->a / (m->b + xs - 1) * pow((m->alpha + T) / (m->alpha + (x > 0 ? tx : 0)), m->r + x);
}

/*
 * E[Y(t) | x, t_x, T] (FHL 2005, eq. 10; for MBG/NBD, Batislam et al.
 * 2007, with xs = x + 1 for x in the beta terms):
 *	 (a+b+xs-1)/(a-1) (1 - ((alpha+T)/(alpha+T+t))^(r+x)
 *		2F1(r+x, b+xs; a+b+xs-1; t/(alpha+T+t))) P(alive)
 */
static double
bg_cond(const KamBgnbd *m, double t, double x, double tx, double T, bool modified)
{
	double		xs = modified ? x + 1 : x;

	if (t == 0)
		return 0;
	return (m->a + m->b + xs - 1) / (m->a - 1) *
		(1 - pow((m->alpha + T) / (m->alpha + T + t), m->r + x) *
		 kam_hyp2f1(m->r + x, m->b + xs, m->a + m->b + xs - 1, t / (m->alpha + T + t))) /
		(1 + alive_odds(m, x, tx, T, modified));
}

/*
 * The predictions of BG/NBD and (modified) MBG/NBD (models.h); the
 * expectations do not exist for a = 1 (NaN: NULL)
 */
static double
bg_predict_family(const double *v, const KamRfmQuery *q, bool modified)
{
	const KamBgnbd *m = (const KamBgnbd *) v;
	double		t = q->t;

	switch (q->what)
	{
		case KAM_P_ALIVE:
			return 1 / (1 + alive_odds(m, q->x, q->tx, q->T, modified));
		case KAM_EXPECTED_COND:
			return m->a == 1 ? NAN : bg_cond(m, t, q->x, q->tx, q->T, modified);
		case KAM_EXPECTED_UNCOND:
			if (m->a == 1)
				return NAN;
			if (t == 0)
				return 0;

			/*
			 * BG/NBD: (a+b-1)/(a-1) (1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1;
			 * z)); MBG/NBD: b/(a-1) (... 2F1(r, b+1; a+b; z))
			 */
			if (modified)
				return m->b / (m->a - 1) *
					(1 - pow(m->alpha / (m->alpha + t), m->r) *
					 kam_hyp2f1(m->r, m->b + 1, m->a + m->b, t / (m->alpha + t)));
			return (m->a + m->b - 1) / (m->a - 1) *
				(1 - pow(m->alpha / (m->alpha + t), m->r) *
				 kam_hyp2f1(m->r, m->b, m->a + m->b - 1, t / (m->alpha + t)));
	}
	return NAN;
}

static double
bg_predict(const double *v, const void *arg)
{
	return bg_predict_family(v, arg, false);
}

static double
mbg_predict(const double *v, const void *arg)
{
	return bg_predict_family(v, arg, true);
}

KAM_MODEL_ENTRY(kam_bgnbd_expected_cond, kam_rfm_predict(fcinfo, &bgnbd_def, bg_predict, NULL, KAM_EXPECTED_COND, false))
KAM_MODEL_ENTRY(kam_bgnbd_expected_uncond, kam_rfm_predict(fcinfo, &bgnbd_def, bg_predict, NULL, KAM_EXPECTED_UNCOND, false))
KAM_MODEL_ENTRY(kam_bgnbd_p_alive, kam_rfm_predict(fcinfo, &bgnbd_def, bg_predict, NULL, KAM_P_ALIVE, false))

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
	return kam_cust_fit(fcinfo, gg_objective, &gammagamma_def, NULL, false, "kam.gammagamma_fit", "repeat buyers", "(x, monetary)",
						"The model needs repeat buyers whose mean spend varies.");
}

StaticAssertDecl(sizeof(KamGammaGamma) == lengthof(gg_names) * sizeof(double),
				 "KamGammaGamma is its named doubles");

static KamGammaGamma *
gg_arg(FunctionCallInfo fcinfo, int argno)
{
	return (KamGammaGamma *) kam_model_arg(fcinfo, argno, &gammagamma_def);
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
typedef struct ClvQuery
{
	double		x;
	double		tx;
	double		T;
	double		money;
	int32		months;
	double		d;
	double		f;
} ClvQuery;

/* the arguments after the two models (2 .. 8), checked */
static ClvQuery
clv_query(FunctionCallInfo fcinfo)
{
	ClvQuery	q;

	q.x = PG_GETARG_FLOAT8(2);
	q.tx = PG_GETARG_FLOAT8(3);
	q.T = PG_GETARG_FLOAT8(4);
	q.money = PG_GETARG_FLOAT8(5);
	q.months = PG_GETARG_INT32(6);
	q.d = PG_GETARG_FLOAT8(7);
	q.f = PG_GETARG_FLOAT8(8);
	kam_check_rfm(q.x, q.tx, q.T);
	kam_check_money(q.money, "monetary");
	if (q.months < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("months must not be negative"),
				 errdetail("Value is %d.", q.months)));
	if (!isfinite(q.d) || q.d < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("monthly_discount_rate must be a finite non-negative rate"),
				 errdetail("Value is %g.", q.d)));
	if (!isfinite(q.f) || q.f <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("periods_per_month must be finite and positive"),
				 errdetail("Value is %g.", q.f)));
	return q;
}

/* the CLV at the BG/NBD model bg and the Gamma-Gamma model gg; NaN where it does not exist */
static double
clv_value(const KamBgnbd *bg, const KamGammaGamma *gg, const ClvQuery *q)
{
	double		spend = gg_expected(gg, q->x, q->money),
				prev = 0;
	KamSum		clv = {0, 0};

	if (isnan(spend) || bg->a == 1)
		return NAN;
	for (int32 i = 1; i <= q->months; i++)
	{
		double		cur = bg_cond(bg, i * q->f, q->x, q->tx, q->T, false);

		kam_sum_add(&clv, spend * (cur - prev) / pow(1 + q->d, i));
		prev = cur;
		CHECK_FOR_INTERRUPTS();
	}
	return kam_sum_value(&clv);
}

PG_FUNCTION_INFO_V1(kam_clv);
Datum
kam_clv(PG_FUNCTION_ARGS)
{
	KamBgnbd   *bg = bg_arg(fcinfo, 0);
	KamGammaGamma *gg = gg_arg(fcinfo, 1);
	ClvQuery	q = clv_query(fcinfo);
	double		v = clv_value(bg, gg, &q);

	if (isnan(v))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(v);
}

/*
 * The model and the standard errors and correlations of a kam.bgnbd_estimate
 * or kam.gammagamma_estimate (argument argno): params[k], cov[k x k]; false
 * when a standard error or correlation is NULL
 */
static bool
estimate_arg(FunctionCallInfo fcinfo, int argno, const KamModelDef *def, double *params, double *cov)
{
	HeapTupleHeader t = PG_GETARG_HEAPTUPLEHEADER(argno);
	int			k = def->k;
	bool		isnull;
	Datum		m = GetAttributeByNum(t, 1, &isnull);
	double		se[KAM_OPT_MAXK];
	double	   *v;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the estimate has no model")));
	v = palloc(def->vt.nfields * sizeof(double));
	kam_counts_load(DatumGetPointer(m), v, def->vt.nfields * sizeof(double), 1U << (k + 1));
	memcpy(params, v, k * sizeof(double));
	for (int i = 0; i < k; i++)
	{
		Datum		d = GetAttributeByNum(t, 2 + i, &isnull);

		if (isnull)
			return false;
		se[i] = DatumGetFloat8(d);
	}
	for (int i = 0, c = 0; i < k; i++)
	{
		cov[i * k + i] = se[i] * se[i];
		for (int j = i + 1; j < k; j++, c++)
		{
			Datum		d = GetAttributeByNum(t, 2 + k + c, &isnull);

			if (isnull)
				return false;
			cov[i * k + j] = cov[j * k + i] = DatumGetFloat8(d) * se[i] * se[j];
		}
	}
	return true;
}

/*
 * kam.clv_interval(bgnbd_estimate, gammagamma_estimate, x, t_x, T,
 * monetary, months, monthly_discount_rate, periods_per_month, confidence):
 * the CLV with its delta-method interval on the log scale over the seven
 * parameters (the gradient by central differences, steps of 10^-6 of each
 * parameter), the BG/NBD and Gamma-Gamma estimates independent (separate
 * likelihoods: spend independent of the transaction process, as the
 * Gamma-Gamma model assumes)
 */
PG_FUNCTION_INFO_V1(kam_clv_interval);
Datum
kam_clv_interval(PG_FUNCTION_ARGS)
{
	double		P[7],
				covb[16],
				covg[9],
				grad[7],
				var = 0,
				est,
				sd,
				z;
	bool		have;
	ClvQuery	q = clv_query(fcinfo);
	double		conf = PG_GETARG_FLOAT8(9);

	kam_check_confidence(conf);
	have = estimate_arg(fcinfo, 0, &bgnbd_def, P, covb);
	have = estimate_arg(fcinfo, 1, &gammagamma_def, P + 4, covg) && have;
	{
		KamBgnbd	bg = {P[0], P[1], P[2], P[3], NAN, 0};
		KamGammaGamma gg = {P[4], P[5], P[6], NAN, 0};

		est = clv_value(&bg, &gg, &q);
	}
	if (isnan(est))
		PG_RETURN_NULL();
	if (!have || !(est > 0))
		return kam_interval_datum(fcinfo, est, est == 0 ? 0 : NAN, est == 0 ? 0 : NAN);
	for (int i = 0; i < 7; i++)
	{
		double		up,
					down,
					h = 1e-6 * P[i];

		for (int s = 0; s < 2; s++)
		{
			double		Q[7];
			KamBgnbd	bg;
			KamGammaGamma gg;

			memcpy(Q, P, sizeof(Q));
			Q[i] += s == 0 ? h : -h;
			bg = (KamBgnbd)
			{
				Q[0], Q[1], Q[2], Q[3], NAN, 0
			};
			gg = (KamGammaGamma)
			{
				Q[4], Q[5], Q[6], NAN, 0
			};
			if (s == 0)
				up = log(clv_value(&bg, &gg, &q));
			else
				down = log(clv_value(&bg, &gg, &q));
		}
		grad[i] = (up - down) / (2 * h);
	}
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			var += grad[i] * grad[j] * covb[i * 4 + j];
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			var += grad[4 + i] * grad[4 + j] * covg[i * 3 + j];
	sd = sqrt(fmax(var, 0));
	if (!isfinite(sd))
		return kam_interval_datum(fcinfo, est, NAN, NAN);
	z = kam_normal_quantile(0.5 + conf / 2);
	return kam_interval_datum(fcinfo, est, est * exp(-z * sd), est * exp(z * sd));
}

/* P(X(t) = n) for a customer drawn from the population (FHL 2005, eq. 8) */
PG_FUNCTION_INFO_V1(kam_bgnbd_probability);
Datum
kam_bgnbd_probability(PG_FUNCTION_ARGS)
{
	KamBgnbd   *m = bg_arg(fcinfo, 0);
	int32		n = PG_GETARG_INT32(1);
	double		t = kam_check_horizon(PG_GETARG_FLOAT8(2));
	double		lnb = lgamma(m->a) + lgamma(m->b) - lgamma(m->a + m->b);
	double		lp,
				lq,
				p,
				head = 0,
				term,
				tail;

	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the number of purchases n must not be negative"),
				 errdetail("Value is %d.", n)));
	if (t == 0)
		PG_RETURN_FLOAT8(n == 0 ? 1.0 : 0.0);

	/*
	 * the NBD(r, alpha/(alpha+t)) probabilities: ln of alpha/(alpha+t) and
	 * t/(alpha+t)
	 */
	lp = -log1p(t / m->alpha);
	lq = -log1p(m->alpha / t);
	/* alive throughout: B(a, b+n)/B(a, b) NBD(n) */
	p = exp(lgamma(m->a) + lgamma(m->b + n) - lgamma(m->a + m->b + n) - lnb +
			lgamma(m->r + n) - lgamma(m->r) - lgamma(n + 1.0) + m->r * lp + n * lq);
	if (n == 0)
		PG_RETURN_FLOAT8(p);

	/*
	 * dropped out after the n-th purchase: B(a+1, b+n-1)/B(a, b) P(N >= n),
	 * the tail summed directly when it is below one half (no cancellation)
	 */
	term = exp(m->r * lp);
	for (int32 j = 0; j < n && head <= 0.5; j++)
	{
		if ((j & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		head += term;
		term *= (m->r + j) / (j + 1.0) * exp(lq);
	}
	if (head > 0.5)
	{
		/* P(N >= n) = sum_{j >= n} NBD(j) */
		KamSum		sum = {0, 0};

		term = exp(lgamma(m->r + n) - lgamma(m->r) - lgamma(n + 1.0) + m->r * lp + n * lq);
		for (int64 j = n; term > 1e-17 * kam_sum_value(&sum) || j == n; j++)
		{
			if ((j & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			kam_sum_add(&sum, term);
			term *= (m->r + j) / (j + 1.0) * exp(lq);
		}
		tail = kam_sum_value(&sum);
	}
	else
		tail = 1 - head;
	p += exp(lgamma(m->a + 1) + lgamma(m->b + n - 1) - lgamma(m->a + m->b + n) - lnb) * tail;
	PG_RETURN_FLOAT8(p);
}

/* ======================================================================
 * MBG/NBD (Batislam, Denizel & Filiztekin 2007), as lifetimes'
 * ModifiedBetaGeoFitter: the BG/NBD likelihood with d->modified (above).
 *	 P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))
 *	 E[X(t)] = b/(a-1) (1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t)))
 *	 E[Y(t) | x, t_x, T] = (a+b+x)/(a-1) (1 - ((alpha+T)/(alpha+T+t))^(r+x)
 *			2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))) P(alive)
 * ====================================================================== */

static const char *const mbg_names[] = {"r", "alpha", "a", "b", "ll", "n", "r_se", "alpha_se", "a_se", "b_se", "cor_r_alpha", "cor_r_a", "cor_r_b", "cor_alpha_a", "cor_alpha_b", "cor_a_b"};

KAM_MODEL_DEFINE(mbgnbd, mbg_names, "MBG/NBD", 4, true)

PG_FUNCTION_INFO_V1(kam_mbgnbd_final);
Datum
kam_mbgnbd_final(PG_FUNCTION_ARGS)
{
	return kam_cust_fit(fcinfo, bg_objective, &mbgnbd_def, NULL, true, "kam.mbgnbd_fit", "customers", "(x, t_x, T)",
						"The model needs repeat buyers and customers of different ages.");
}

KAM_MODEL_ENTRY(kam_mbgnbd_p_alive, kam_rfm_predict(fcinfo, &mbgnbd_def, mbg_predict, NULL, KAM_P_ALIVE, false))
KAM_MODEL_ENTRY(kam_mbgnbd_expected_cond, kam_rfm_predict(fcinfo, &mbgnbd_def, mbg_predict, NULL, KAM_EXPECTED_COND, false))
KAM_MODEL_ENTRY(kam_mbgnbd_expected_uncond, kam_rfm_predict(fcinfo, &mbgnbd_def, mbg_predict, NULL, KAM_EXPECTED_UNCOND, false))
KAM_MODEL_ENTRY(kam_mbgnbd_p_alive_interval, kam_rfm_predict(fcinfo, &mbgnbd_def, mbg_predict, NULL, KAM_P_ALIVE, true))
KAM_MODEL_ENTRY(kam_mbgnbd_expected_cond_interval, kam_rfm_predict(fcinfo, &mbgnbd_def, mbg_predict, NULL, KAM_EXPECTED_COND, true))
KAM_MODEL_ENTRY(kam_mbgnbd_expected_uncond_interval, kam_rfm_predict(fcinfo, &mbgnbd_def, mbg_predict, NULL, KAM_EXPECTED_UNCOND, true))

/* kam.bgnbd_fit_se and kam.gammagamma_fit_se: the fits with their standard errors */
KAM_MODEL_ENTRY(kam_bgnbd_se_final,
				cust_fit_se(fcinfo, bg_objective, &bgnbd_def, "kam.bgnbd_fit_se", "customers", "(x, t_x, T)",
							"The model needs repeat buyers and customers of different ages."))
KAM_MODEL_ENTRY(kam_gammagamma_se_final,
				cust_fit_se(fcinfo, gg_objective, &gammagamma_def, "kam.gammagamma_fit_se", "repeat buyers", "(x, monetary)",
							"The model needs repeat buyers whose mean spend varies."))
