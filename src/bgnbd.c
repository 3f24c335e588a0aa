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
 *	  The fit maximises the sum over customers by Nelder-Mead on the
 *	  logarithms of the four parameters (deterministic start and steps).
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include <ctype.h>

#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
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

typedef struct BgCust
{
	double		x;
	double		tx;
	double		T;
	double		w;				/* number of customers with this pattern */
} BgCust;

typedef struct BgState
{
	int64		n;
	int64		max;
	BgCust	   *c;
} BgState;

/* ---------- input checks ---------- */

static void
check_rfm(double x, double tx, double T)
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

/* Append one customer row to the state (created on the first row). */
static BgState *
bg_append(FunctionCallInfo fcinfo, MemoryContext aggctx, double x, double v1, double v2)
{
	BgState    *st;

	if (PG_ARGISNULL(0))
	{
		st = MemoryContextAllocZero(aggctx, sizeof(BgState));
		st->max = 64;
		st->c = MemoryContextAlloc(aggctx, st->max * sizeof(BgCust));
	}
	else
		st = (BgState *) PG_GETARG_POINTER(0);
	if (st->n == st->max)
	{
		st->max *= 2;
		st->c = repalloc_huge(st->c, st->max * sizeof(BgCust));
	}
	st->c[st->n].x = x;
	st->c[st->n].tx = v1;
	st->c[st->n].T = v2;
	st->c[st->n].w = 1;
	st->n++;
	return st;
}

PG_FUNCTION_INFO_V1(kam_bgnbd_sfunc);
Datum
kam_bgnbd_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	double		x,
				tx,
				T;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "kam_bgnbd_sfunc called in non-aggregate context");
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	x = PG_GETARG_FLOAT8(1);
	tx = PG_GETARG_FLOAT8(2);
	T = PG_GETARG_FLOAT8(3);
	check_rfm(x, tx, T);
	/* recency carries no information when x = 0 */
	PG_RETURN_POINTER(bg_append(fcinfo, aggctx, x, x > 0 ? tx : 0, T));
}

PG_FUNCTION_INFO_V1(kam_bgnbd_combine);
Datum
kam_bgnbd_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	BgState    *st;
	BgState    *other;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "kam_bgnbd_combine called in non-aggregate context");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	other = (BgState *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
	{
		st = MemoryContextAllocZero(aggctx, sizeof(BgState));
		st->max = Max(other->n, 64);
		st->c = MemoryContextAlloc(aggctx, st->max * sizeof(BgCust));
	}
	else
		st = (BgState *) PG_GETARG_POINTER(0);
	if (st->n + other->n > st->max)
	{
		st->max = st->n + other->n;
		st->c = repalloc_huge(st->c, st->max * sizeof(BgCust));
	}
	memcpy(st->c + st->n, other->c, other->n * sizeof(BgCust));
	st->n += other->n;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(kam_bgnbd_serialize);
Datum
kam_bgnbd_serialize(PG_FUNCTION_ARGS)
{
	BgState    *st = (BgState *) PG_GETARG_POINTER(0);
	Size		size = VARHDRSZ + st->n * sizeof(BgCust);
	bytea	   *out;

	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kam.bgnbd_fit state is too large to pass to a parallel worker")));
	out = palloc(size);
	SET_VARSIZE(out, size);
	memcpy(VARDATA(out), st->c, st->n * sizeof(BgCust));
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(kam_bgnbd_deserialize);
Datum
kam_bgnbd_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_P(0);
	MemoryContext aggctx;
	BgState    *st;
	Size		len = VARSIZE(in) - VARHDRSZ;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "kam_bgnbd_deserialize called in non-aggregate context");
	if (len % sizeof(BgCust) != 0)
		elog(ERROR, "kam_bgnbd_deserialize: bad state size");
	st = MemoryContextAllocZero(aggctx, sizeof(BgState));
	st->n = len / sizeof(BgCust);
	st->max = Max(st->n, 1);
	st->c = MemoryContextAlloc(aggctx, st->max * sizeof(BgCust));
	memcpy(st->c, VARDATA(in), len);
	PG_RETURN_POINTER(st);
}

/* ---------- the likelihood ---------- */

typedef struct BgData
{
	int64		n;				/* distinct patterns */
	BgCust	   *c;				/* sorted by x */
	double		total;			/* customers */
} BgData;

static int
cmp_cust(const void *pa, const void *pb)
{
	const BgCust *a = pa;
	const BgCust *b = pb;

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
	BgCust	   *c = palloc_extended(Max(st->n, 1) * sizeof(BgCust), MCXT_ALLOC_HUGE);
	int64		n = 0;

	memcpy(c, st->c, st->n * sizeof(BgCust));
	qsort(c, st->n, sizeof(BgCust), cmp_cust);
	d->total = 0;
	for (int64 i = 0; i < st->n; i++)
	{
		d->total += c[i].w;
		if (n > 0 && cmp_cust(&c[n - 1], &c[i]) == 0)
			c[n - 1].w += c[i].w;
		else
			c[n++] = c[i];
	}
	d->n = n;
	d->c = c;
}

static inline double
logaddexp(double u, double v)
{
	double		m = fmax(u, v);

	return m + log(exp(u - m) + exp(v - m));
}

/* Total log-likelihood at (r, alpha, a, b); -inf outside the domain. */
static double
bg_ll(const BgData *d, double r, double alpha, double a, double b)
{
	KamSum		ll = {0, 0};
	double		cur_x = -1;
	double		ax = 0;
	double		lgr = lgamma(r),
				lgab = lgamma(a + b),
				lgb = lgamma(b),
				la = log(a),
				lalpha = log(alpha);

	if (!(r > 0 && alpha > 0 && a > 0 && b > 0) || !isfinite(r + alpha + a + b))
		return -INFINITY;
	for (int64 i = 0; i < d->n; i++)
	{
		const BgCust *c = &d->c[i];
		double		rx = r + c->x;
		double		l;

		if (c->x != cur_x)
		{
			cur_x = c->x;
			ax = lgamma(rx) - lgr + r * lalpha + lgab + lgamma(b + c->x) - lgb - lgamma(a + b + c->x);
		}
		l = -rx * log(alpha + c->T);
		if (c->x > 0)
			l = logaddexp(l, la - log(b + c->x - 1) - rx * log(alpha + c->tx));
		kam_sum_add(&ll, c->w * (ax + l));
	}
	return kam_sum_value(&ll);
}

/* ---------- Nelder-Mead on log-parameters ---------- */

typedef double (*nm_fn) (const double *p, void *arg);

/*
 * Minimise f over R^k (k <= 4) from x0 with initial steps `step`.  Returns
 * true when the simplex's values agree to `ftol` (relative) and its points
 * to `xtol`.
 */
static bool
nelder_mead(nm_fn f, void *arg, int k, double *x0, double step, double ftol,
			double xtol, int maxeval, double *fbest, int *nevals)
{
	double		s[5][4],
				fs[5],
				c[4],
				xr[4],
				xe[4],
				xc[4];
	int			ne = 0;
	bool		converged = false;

	for (int i = 0; i <= k; i++)
	{
		for (int j = 0; j < k; j++)
			s[i][j] = x0[j] + (i == j + 1 ? step : 0);
		fs[i] = f(s[i], arg);
		ne++;
	}
	while (ne < maxeval)
	{
		int			hi = 0,
					lo = 0,
					nh = 0;
		double		fr,
					spread = 0;

		for (int i = 1; i <= k; i++)
		{
			if (fs[i] > fs[hi])
				hi = i;
			if (fs[i] < fs[lo])
				lo = i;
		}
		nh = lo;
		for (int i = 0; i <= k; i++)
			if (i != hi && fs[i] >= fs[nh])
				nh = i;
		for (int i = 0; i <= k; i++)
			for (int j = 0; j < k; j++)
				spread = fmax(spread, fabs(s[i][j] - s[lo][j]));
		if (fabs(fs[hi] - fs[lo]) <= ftol * (fabs(fs[lo]) + 1e-30) && spread <= xtol)
		{
			converged = true;
			break;
		}
		for (int j = 0; j < k; j++)
		{
			c[j] = 0;
			for (int i = 0; i <= k; i++)
				if (i != hi)
					c[j] += s[i][j] / k;
		}
		for (int j = 0; j < k; j++)
			xr[j] = c[j] + (c[j] - s[hi][j]);
		fr = f(xr, arg);
		ne++;
		if (fr < fs[lo])
		{
			double		fe;

			for (int j = 0; j < k; j++)
				xe[j] = c[j] + 2 * (c[j] - s[hi][j]);
			fe = f(xe, arg);
			ne++;
			if (fe < fr)
			{
				memcpy(s[hi], xe, sizeof(double) * k);
				fs[hi] = fe;
			}
			else
			{
				memcpy(s[hi], xr, sizeof(double) * k);
				fs[hi] = fr;
			}
		}
		else if (fr < fs[nh])
		{
			memcpy(s[hi], xr, sizeof(double) * k);
			fs[hi] = fr;
		}
		else
		{
			double		fc;
			bool		outside = fr < fs[hi];

			for (int j = 0; j < k; j++)
				xc[j] = outside ? c[j] + 0.5 * (xr[j] - c[j]) : c[j] + 0.5 * (s[hi][j] - c[j]);
			fc = f(xc, arg);
			ne++;
			if (fc < (outside ? fr : fs[hi]))
			{
				memcpy(s[hi], xc, sizeof(double) * k);
				fs[hi] = fc;
			}
			else
			{
				for (int i = 0; i <= k; i++)
					if (i != lo)
					{
						for (int j = 0; j < k; j++)
							s[i][j] = s[lo][j] + 0.5 * (s[i][j] - s[lo][j]);
						fs[i] = f(s[i], arg);
						ne++;
					}
			}
		}
		CHECK_FOR_INTERRUPTS();
	}
	{
		int			lo = 0;

		for (int i = 1; i <= k; i++)
			if (fs[i] < fs[lo])
				lo = i;
		memcpy(x0, s[lo], sizeof(double) * k);
		*fbest = fs[lo];
	}
	*nevals += ne;
	return converged;
}

static double
bg_negll(const double *p, void *arg)
{
	double		ll = bg_ll((const BgData *) arg, exp(p[0]), exp(p[1]), exp(p[2]), exp(p[3]));

	return isfinite(ll) ? -ll : INFINITY;
}

/* Fit: Nelder-Mead from (1,1,1,1), restarted from its result until stable. */
static bool
fit_nm(nm_fn f, void *arg, int k, double *p, double *fbest)
{
	int			nevals = 0;
	bool		ok = false;

	for (int round = 0; round < 6 && !ok; round++)
	{
		double		before = round == 0 ? INFINITY : *fbest;

		ok = nelder_mead(f, arg, k, p, round == 0 ? 1.0 : 0.1, 1e-12, 1e-8, 20000, fbest, &nevals);
		/* converged twice in a row at the same value: done */
		ok = ok && round > 0 && fabs(before - *fbest) <= 1e-9 * fabs(*fbest);
	}
	return ok;
}


/*
 * The final function of both fits: merge the rows into patterns, maximise
 * the likelihood over the logarithms of k parameters and return the model
 * as its named doubles (k parameters, ll, n).  No rows: NULL with a NOTICE.
 */
static Datum
fit_final(FunctionCallInfo fcinfo, nm_fn negll, int k, const char *fitname,
		  const char *model, const char *rows, const char *patterns, const char *hint)
{
	BgData		d;
	double		p[4] = {0, 0, 0, 0};
	double		f;
	double	   *m;

	if (PG_ARGISNULL(0) || ((BgState *) PG_GETARG_POINTER(0))->n == 0)
	{
		ereport(NOTICE,
				(errmsg("%s: no %s, no model", fitname, rows)));
		PG_RETURN_NULL();
	}
	bg_patterns((BgState *) PG_GETARG_POINTER(0), &d);
	if (!fit_nm(negll, &d, k, p, &f) || !isfinite(f))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s fit did not converge", model),
				 errdetail("%.0f %s in " INT64_FORMAT " distinct %s patterns.", d.total, rows, d.n, patterns),
				 errhint("%s", hint)));
	m = palloc((k + 2) * sizeof(double));
	for (int i = 0; i < k; i++)
		m[i] = exp(p[i]);
	m[k] = -f;
	m[k + 1] = d.total;
	PG_RETURN_POINTER(m);
}

PG_FUNCTION_INFO_V1(kam_bgnbd_final);
Datum
kam_bgnbd_final(PG_FUNCTION_ARGS)
{
	return fit_final(fcinfo, bg_negll, 4, "kam.bgnbd_fit", "BG/NBD", "customers", "(x, t_x, T)",
					 "The model needs repeat buyers and customers of different ages.");
}

/* ---------- model values: named doubles, shared by kam.bgnbd and kam.gammagamma ---------- */

static const char *const bg_names[] = {"r", "alpha", "a", "b", "ll", "n"};
static const char *const gg_names[] = {"p", "q", "v", "ll", "n"};

/* "(name=value,...)" with every value in its shortest exact form */
static char *
model_out(const double *v, const char *const *names, int n)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (int i = 0; i < n; i++)
	{
		appendStringInfo(&buf, "%s%s=", i > 0 ? "," : "", names[i]);
		kam_append_double(&buf, v[i]);
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

static void model_syntax_error(const char *type, const char *input, const char *const *names, int n) pg_attribute_noreturn();

static void
model_syntax_error(const char *type, const char *input, const char *const *names, int n)
{
	StringInfoData want;

	initStringInfo(&want);
	for (int i = 0; i < n; i++)
		appendStringInfo(&want, "%s%s=...", i > 0 ? "," : "(", names[i]);
	appendStringInfoChar(&want, ')');
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", type, input),
			 errdetail("Expected %s.", want.data)));
}

/* Parse "(name=value,...)", the names in order; the last value (n) a count. */
static void
model_in(const char *input, const char *type, const char *const *names, int n, double *v)
{
	const char *p = input;

	while (isspace((unsigned char) *p))
		p++;
	if (*p++ != '(')
		model_syntax_error(type, input, names, n);
	for (int i = 0; i < n; i++)
	{
		size_t		len = strlen(names[i]);
		char	   *end;

		while (isspace((unsigned char) *p))
			p++;
		if (strncmp(p, names[i], len) != 0 || p[len] != '=')
			model_syntax_error(type, input, names, n);
		p += len + 1;
		v[i] = strtod(p, &end);
		if (end == p)
			model_syntax_error(type, input, names, n);
		p = end;
		while (isspace((unsigned char) *p))
			p++;
		if (*p++ != (i < n - 1 ? ',' : ')'))
			model_syntax_error(type, input, names, n);
	}
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		model_syntax_error(type, input, names, n);
	if (!isfinite(v[n - 1]) || v[n - 1] < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", type, input),
				 errdetail("n must be a finite non-negative count.")));
}

/* One value by name; the log-likelihood is NULL when unknown (NaN). */
static Datum
model_param(FunctionCallInfo fcinfo, const double *v, const char *const *names, int n, const char *model)
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

PG_FUNCTION_INFO_V1(kam_bgnbd_out);
Datum
kam_bgnbd_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(model_out((double *) PG_GETARG_POINTER(0), bg_names, lengthof(bg_names)));
}

static void
check_params(double r, double alpha, double a, double b)
{
	if (!(isfinite(r) && isfinite(alpha) && isfinite(a) && isfinite(b) &&
		  r > 0 && alpha > 0 && a > 0 && b > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("BG/NBD parameters r, alpha, a and b must be finite and positive"),
				 errdetail("r = %g, alpha = %g, a = %g, b = %g.", r, alpha, a, b)));
}

PG_FUNCTION_INFO_V1(kam_bgnbd_in);
Datum
kam_bgnbd_in(PG_FUNCTION_ARGS)
{
	KamBgnbd   *m = palloc(sizeof(KamBgnbd));

	model_in(PG_GETARG_CSTRING(0), "kam.bgnbd", bg_names, lengthof(bg_names), (double *) m);
	check_params(m->r, m->alpha, m->a, m->b);
	PG_RETURN_POINTER(m);
}

/* kam.bgnbd(r, alpha, a, b): a model from known parameters (ll NaN, n 0) */
PG_FUNCTION_INFO_V1(kam_bgnbd_make);
Datum
kam_bgnbd_make(PG_FUNCTION_ARGS)
{
	KamBgnbd   *m = palloc(sizeof(KamBgnbd));

	m->r = PG_GETARG_FLOAT8(0);
	m->alpha = PG_GETARG_FLOAT8(1);
	m->a = PG_GETARG_FLOAT8(2);
	m->b = PG_GETARG_FLOAT8(3);
	check_params(m->r, m->alpha, m->a, m->b);
	m->ll = NAN;
	m->n = 0;
	PG_RETURN_POINTER(m);
}

PG_FUNCTION_INFO_V1(kam_bgnbd_param);
Datum
kam_bgnbd_param(PG_FUNCTION_ARGS)
{
	return model_param(fcinfo, (double *) PG_GETARG_POINTER(0), bg_names, lengthof(bg_names), "BG/NBD");
}

/* ---------- expectations ---------- */

/* Gauss hypergeometric 2F1(a, b; c; z) for 0 <= z < 1 by its series. */
static double
hyp2f1(double a, double b, double c, double z)
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

static double
check_horizon(double t)
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
	KamBgnbd   *m = (KamBgnbd *) PG_GETARG_POINTER(0);
	double		t = check_horizon(PG_GETARG_FLOAT8(1));
	double		z = t / (m->alpha + t);

	if (m->a == 1)
		PG_RETURN_NULL();
	if (t == 0)
		PG_RETURN_FLOAT8(0.0);
	PG_RETURN_FLOAT8((m->a + m->b - 1) / (m->a - 1) *
					 (1 - pow(m->alpha / (m->alpha + t), m->r) *
					  hyp2f1(m->r, m->b, m->a + m->b - 1, z)));
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
		 hyp2f1(m->r + x, m->b + x, m->a + m->b + x - 1, t / (m->alpha + T + t))) /
		(1 + alive_odds(m, x, tx, T));
}

PG_FUNCTION_INFO_V1(kam_bgnbd_expected_cond);
Datum
kam_bgnbd_expected_cond(PG_FUNCTION_ARGS)
{
	KamBgnbd   *m = (KamBgnbd *) PG_GETARG_POINTER(0);
	double		t = check_horizon(PG_GETARG_FLOAT8(1));
	double		x = PG_GETARG_FLOAT8(2);
	double		tx = PG_GETARG_FLOAT8(3);
	double		T = PG_GETARG_FLOAT8(4);

	check_rfm(x, tx, T);
	if (m->a == 1)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(bg_cond(m, t, x, tx, T));
}

PG_FUNCTION_INFO_V1(kam_bgnbd_p_alive);
Datum
kam_bgnbd_p_alive(PG_FUNCTION_ARGS)
{
	KamBgnbd   *m = (KamBgnbd *) PG_GETARG_POINTER(0);
	double		x = PG_GETARG_FLOAT8(1);
	double		tx = PG_GETARG_FLOAT8(2);
	double		T = PG_GETARG_FLOAT8(3);

	check_rfm(x, tx, T);
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

PG_FUNCTION_INFO_V1(kam_gg_sfunc);
Datum
kam_gg_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	double		x,
				m;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "kam_gg_sfunc called in non-aggregate context");
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	x = PG_GETARG_FLOAT8(1);
	m = PG_GETARG_FLOAT8(2);
	check_rfm(x, 0, 0);
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
	PG_RETURN_POINTER(bg_append(fcinfo, aggctx, x, m, 0));
}

static double
gg_negll(const double *lp, void *arg)
{
	const BgData *d = arg;
	double		p = exp(lp[0]),
				q = exp(lp[1]),
				v = exp(lp[2]);
	KamSum		ll = {0, 0};
	double		lgq = lgamma(q),
				lv = log(v);

	if (!isfinite(p + q + v) || !(p > 0 && q > 0 && v > 0))
		return INFINITY;
	for (int64 i = 0; i < d->n; i++)
	{
		double		x = d->c[i].x,
					m = d->c[i].tx,
					px = p * x;

		kam_sum_add(&ll, d->c[i].w * (lgamma(px + q) - lgamma(px) - lgq + q * lv +
									  (px - 1) * log(m) + px * log(x) - (px + q) * log(x * m + v)));
	}
	return isfinite(kam_sum_value(&ll)) ? -kam_sum_value(&ll) : INFINITY;
}

PG_FUNCTION_INFO_V1(kam_gg_final);
Datum
kam_gg_final(PG_FUNCTION_ARGS)
{
	return fit_final(fcinfo, gg_negll, 3, "kam.gammagamma_fit", "Gamma-Gamma", "repeat buyers", "(x, monetary)",
					 "The model needs repeat buyers whose mean spend varies.");
}

StaticAssertDecl(sizeof(KamGammaGamma) == lengthof(gg_names) * sizeof(double),
				 "KamGammaGamma is its named doubles");

PG_FUNCTION_INFO_V1(kam_gg_out);
Datum
kam_gg_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(model_out((double *) PG_GETARG_POINTER(0), gg_names, lengthof(gg_names)));
}

static void
check_gg_params(double p, double q, double v)
{
	if (!(isfinite(p) && isfinite(q) && isfinite(v) && p > 0 && q > 0 && v > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("Gamma-Gamma parameters p, q and v must be finite and positive"),
				 errdetail("p = %g, q = %g, v = %g.", p, q, v)));
}

PG_FUNCTION_INFO_V1(kam_gg_in);
Datum
kam_gg_in(PG_FUNCTION_ARGS)
{
	KamGammaGamma *m = palloc(sizeof(KamGammaGamma));

	model_in(PG_GETARG_CSTRING(0), "kam.gammagamma", gg_names, lengthof(gg_names), (double *) m);
	check_gg_params(m->p, m->q, m->v);
	PG_RETURN_POINTER(m);
}

PG_FUNCTION_INFO_V1(kam_gg_make);
Datum
kam_gg_make(PG_FUNCTION_ARGS)
{
	KamGammaGamma *m = palloc(sizeof(KamGammaGamma));

	m->p = PG_GETARG_FLOAT8(0);
	m->q = PG_GETARG_FLOAT8(1);
	m->v = PG_GETARG_FLOAT8(2);
	check_gg_params(m->p, m->q, m->v);
	m->ll = NAN;
	m->n = 0;
	PG_RETURN_POINTER(m);
}

PG_FUNCTION_INFO_V1(kam_gg_param);
Datum
kam_gg_param(PG_FUNCTION_ARGS)
{
	return model_param(fcinfo, (double *) PG_GETARG_POINTER(0), gg_names, lengthof(gg_names), "Gamma-Gamma");
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

PG_FUNCTION_INFO_V1(kam_gg_expected);
Datum
kam_gg_expected(PG_FUNCTION_ARGS)
{
	KamGammaGamma *g = (KamGammaGamma *) PG_GETARG_POINTER(0);
	double		x = PG_GETARG_FLOAT8(1);
	double		m = PG_GETARG_FLOAT8(2);
	double		e;

	check_rfm(x, 0, 0);
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
	KamBgnbd   *bg = (KamBgnbd *) PG_GETARG_POINTER(0);
	KamGammaGamma *gg = (KamGammaGamma *) PG_GETARG_POINTER(1);
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

	check_rfm(x, tx, T);
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
