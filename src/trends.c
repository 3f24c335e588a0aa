/*-------------------------------------------------------------------------
 *
 * trends.c
 *	  Trends (docs/health.md): kam.trend, the least-squares slope of value on
 *	  time (per 30 days) with a direction and a dead band; kam.sparkline
 *	  (values [, low, high]) and the aggregate kam.sparkline(value ORDER BY
 *	  ...), a Unicode sparkline.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include <ctype.h>

#include "miscadmin.h"

#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

/* ====================================================================== */
/* kam.trend                                                               */
/* ====================================================================== */

/*
 * Running means and co-moments of (t, v), t in days since 2000-01-01,
 * merged with Chan et al.'s pairwise formulas (stable for any row order).
 */
typedef struct KamTrend
{
	double		n;
	double		mean_t;
	double		mean_v;
	double		m2_t;			/* sum (t - mean_t)^2 */
	double		c_tv;			/* sum (t - mean_t)(v - mean_v) */
	double		m2_v;			/* sum (v - mean_v)^2 */
} KamTrend;

static const char *const trend_names[] = {"n", "mean_t", "mean_v", "m2_t", "c_tv", "m2_v"};

StaticAssertDecl(sizeof(KamTrend) == lengthof(trend_names) * sizeof(double), "KamTrend is its named doubles");

static const char *
trend_invalid(const double *v)
{
	const KamTrend *t = (const KamTrend *) v;

	if (!isfinite(t->mean_t) || !isfinite(t->mean_v) || !isfinite(t->c_tv) ||
		!(t->m2_t >= 0) || !(t->m2_v >= 0) || !isfinite(t->m2_t) || !isfinite(t->m2_v))
		return "Means and co-moments must be finite, m2_t and m2_v non-negative.";
	return NULL;
}

static const KamValuesType trend_type = {"kam.trend", trend_names, lengthof(trend_names), 0, trend_invalid};

/* stored with the count n as int64 (kam_counts_load); worked on as doubles */
#define TREND_COUNTS 0x1
#define trend_load(stored, t) kam_counts_load((stored), (t), sizeof(KamTrend), TREND_COUNTS)
#define trend_store(t, stored) kam_counts_store((t), (stored), sizeof(KamTrend), TREND_COUNTS)

PG_FUNCTION_INFO_V1(kam_trend_in);
Datum
kam_trend_in(PG_FUNCTION_ARGS)
{
	KamTrend	t;

	kam_values_in(&trend_type, PG_GETARG_CSTRING(0), (double *) &t);
	PG_RETURN_POINTER(trend_store(&t, NULL));
}

PG_FUNCTION_INFO_V1(kam_trend_out);
Datum
kam_trend_out(PG_FUNCTION_ARGS)
{
	KamTrend	t;

	trend_load(PG_GETARG_POINTER(0), &t);
	PG_RETURN_CSTRING(kam_values_out(&trend_type, (double *) &t));
}

PG_FUNCTION_INFO_V1(kam_trend_send);
Datum
kam_trend_send(PG_FUNCTION_ARGS)
{
	KamTrend	t;

	trend_load(PG_GETARG_POINTER(0), &t);
	PG_RETURN_BYTEA_P(kam_values_send(&trend_type, (double *) &t));
}

PG_FUNCTION_INFO_V1(kam_trend_recv);
Datum
kam_trend_recv(PG_FUNCTION_ARGS)
{
	KamTrend	t;

	kam_values_recv(&trend_type, (StringInfo) PG_GETARG_POINTER(0), (double *) &t);
	PG_RETURN_POINTER(trend_store(&t, NULL));
}

static void
trend_merge(KamTrend *a, const KamTrend *b)
{
	double		n = a->n + b->n,
				dt,
				dv;

	if (b->n == 0)
		return;
	if (a->n == 0)
	{
		*a = *b;
		return;
	}
	dt = b->mean_t - a->mean_t;
	dv = b->mean_v - a->mean_v;
	a->m2_t += b->m2_t + dt * dt * a->n * b->n / n;
	a->m2_v += b->m2_v + dv * dv * a->n * b->n / n;
	a->c_tv += b->c_tv + dt * dv * a->n * b->n / n;
	a->mean_t += dt * b->n / n;
	a->mean_v += dv * b->n / n;
	a->n = n;
}

PG_FUNCTION_INFO_V1(kam_trend_sfunc);
Datum
kam_trend_sfunc(PG_FUNCTION_ARGS)
{
	void	   *st;
	KamTrend	w,
			   *s = &w;
	TimestampTz at;
	double		v;

	KAM_AGG_SKIP_NULL(1, 2);
	at = PG_GETARG_TIMESTAMPTZ(1);
	v = PG_GETARG_FLOAT8(2);
	if (TIMESTAMP_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("trend times must be finite")));
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("trend values must be finite"),
				 errdetail("Value is %g.", v)));
	st = kam_fixed_state(fcinfo, sizeof(KamTrend));
	trend_load(st, s);
	/* Welford's update, the one-point case of trend_merge */
	{
		double		t = (double) at * (1.0 / USECS_PER_DAY);
		double		dt = t - s->mean_t;
		double		dv = v - s->mean_v;
		double		inv;

		s->n += 1;
		inv = 1 / s->n;
		s->mean_t += dt * inv;
		s->mean_v += dv * inv;
		s->m2_t += dt * (t - s->mean_t);
		s->c_tv += dt * (v - s->mean_v);
		s->m2_v += dv * (v - s->mean_v);
	}
	kam_values_check_result(&trend_type, (double *) s);
	PG_RETURN_POINTER(trend_store(s, st));
}

PG_FUNCTION_INFO_V1(kam_trend_combine);
Datum
kam_trend_combine(PG_FUNCTION_ARGS)
{
	void	   *st;
	KamTrend	w,
				o,
			   *s = &w;

	KAM_AGG_SKIP_NULL(1, 1);
	st = kam_fixed_state(fcinfo, sizeof(KamTrend));
	trend_load(st, s);
	trend_load(PG_GETARG_POINTER(1), &o);
	trend_merge(s, &o);
	kam_values_check_result(&trend_type, (double *) s);
	PG_RETURN_POINTER(trend_store(s, st));
}

/* least-squares slope per 30 days; false when the times do not vary */
static bool
trend_slope(const KamTrend *t, double *slope)
{
	if (t->n < 2 || t->m2_t <= 0)
		return false;
	*slope = 30 * t->c_tv / t->m2_t;
	return true;
}

PG_FUNCTION_INFO_V1(kam_slope);
Datum
kam_slope(PG_FUNCTION_ARGS)
{
	double		slope;

	KamTrend	t;

	trend_load(PG_GETARG_POINTER(0), &t);
	if (!trend_slope(&t, &slope))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(slope);
}

PG_FUNCTION_INFO_V1(kam_direction);
Datum
kam_direction(PG_FUNCTION_ARGS)
{
	double		dead = PG_NARGS() > 1 ? PG_GETARG_FLOAT8(1) : 0;
	double		slope;
	KamTrend	t;

	if (!(dead >= 0) || !isfinite(dead))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("dead_band must be finite and non-negative"),
				 errdetail("Value is %g.", dead)));
	trend_load(PG_GETARG_POINTER(0), &t);
	if (!trend_slope(&t, &slope))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(slope > dead ? "up" : (slope < -dead ? "down" : "flat")));
}

PG_FUNCTION_INFO_V1(kam_observations);
Datum
kam_observations(PG_FUNCTION_ARGS)
{
	KamTrend	t;

	trend_load(PG_GETARG_POINTER(0), &t);
	PG_RETURN_INT64((int64) t.n);
}

/* ====================================================================== */
/* kam.sparkline                                                           */
/* ====================================================================== */

static const char *const ticks[] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};

/*
 * Eight levels between low and high (the series' own minimum and maximum
 * unless given); NULL is a space; a constant series sits at the middle.
 */
static text *
sparkline(int n, const double *v, const bool *isnull, bool given, double low, double high)
{
	StringInfoData buf;
	double		lo = INFINITY,
				hi = -INFINITY;

	for (int i = 0; i < n; i++)
	{
		if (isnull && isnull[i])
			continue;
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("sparkline values must be finite"),
					 errdetail("Value %d is %g.", i + 1, v[i])));
		lo = fmin(lo, v[i]);
		hi = fmax(hi, v[i]);
	}
	if (given)
	{
		lo = low;
		hi = high;
	}
	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
	{
		int			level;

		if (isnull && isnull[i])
		{
			appendStringInfoChar(&buf, ' ');
			continue;
		}
		if (hi == lo)
			level = 3;
		else
		{
			double		f = (v[i] - lo) / (hi - lo);

			level = (int) floor(fmin(fmax(f, 0), 1) * 7 + 0.5);
		}
		appendStringInfoString(&buf, ticks[level]);
	}
	return cstring_to_text_with_len(buf.data, buf.len);
}

static void
check_sparkline_bounds(double low, double high)
{
	if (!isfinite(low) || !isfinite(high) || !(low < high))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sparkline bounds must be finite with low < high"),
				 errdetail("low is %g, high is %g.", low, high)));
}

PG_FUNCTION_INFO_V1(kam_sparkline);
Datum
kam_sparkline(PG_FUNCTION_ARGS)
{
	const double *v;
	bool	   *isnull;
	int			n = kam_float8_array(PG_GETARG_ARRAYTYPE_P(0), "values", &v, &isnull);
	bool		given = PG_NARGS() > 1;

	if (given)
		check_sparkline_bounds(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2));
	PG_RETURN_TEXT_P(sparkline(n, v, isnull, given, given ? PG_GETARG_FLOAT8(1) : 0,
							   given ? PG_GETARG_FLOAT8(2) : 0));
}

/*
 * Aggregate form: the values in input order (write ORDER BY), NULL rows as
 * gaps, 8 bytes a value after a 16-byte header in one chunk
 * (kam_flex_new: a GROUP BY keeps one per group, 144 bytes with its
 * chunk header for 14 values where a KamArray and its array took 224): a
 * NULL row as a NaN of its own payload, any NaN value as the usual NaN (an
 * error at the end, as every value that is not finite is).
 */
typedef struct Series
{
	KamFlexHead f;				/* f.n values */
	double		v[FLEXIBLE_ARRAY_MEMBER];
} Series;

#define SERIES_HEADER offsetof(Series, v)

#define SERIES_NULL UINT64CONST(0x7ff4000000000001)

static inline bool
series_isnull(double v)
{
	uint64		bits;

	memcpy(&bits, &v, sizeof(bits));
	return bits == SERIES_NULL;
}

#define SPARKLINE_MAX_POINTS 100000

/* a series of n values and `more` further ones must fit */
static void
series_check_room(int64 n, int64 more)
{
	if (n + more > SPARKLINE_MAX_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a sparkline has at most %d points", SPARKLINE_MAX_POINTS)));
}

/* s with the value v (or a gap) added (s may move) */
static Series *
series_push(Series *s, double v, bool isnull)
{
	uint64		null = SERIES_NULL;

	if (unlikely(s->f.n == SPARKLINE_MAX_POINTS))
		series_check_room(s->f.n, 1);
	s = kam_flex_reserve(s, SERIES_HEADER, sizeof(double), 1);
	if (isnull)
		memcpy(&s->v[s->f.n], &null, sizeof(double));
	else
		s->v[s->f.n] = isnan(v) ? (double) NAN : v;
	s->f.n++;
	return s;
}

PG_FUNCTION_INFO_V1(kam_sparkline_sfunc);
Datum
kam_sparkline_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_sparkline_sfunc");
	Series	   *s;

	/* a chunk of 128 bytes: room for 14 */
	s = PG_ARGISNULL(0) ? kam_flex_new(aggctx, SERIES_HEADER, sizeof(double), 14) :
		(Series *) PG_GETARG_POINTER(0);
	s = series_push(s, PG_ARGISNULL(1) ? 0 : PG_GETARG_FLOAT8(1), PG_ARGISNULL(1));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(kam_sparkline_combine);
Datum
kam_sparkline_combine(PG_FUNCTION_ARGS)
{
	Series	   *s,
			   *o;

	(void) kam_agg_context(fcinfo, "kam_sparkline_combine");
	KAM_AGG_SKIP_NULL(1, 1);
	KAM_COMBINE_KEEP_FIRST();
	o = (Series *) PG_GETARG_POINTER(1);
	s = (Series *) PG_GETARG_POINTER(0);
	series_check_room(s->f.n, o->f.n);
	s = kam_flex_append(s, SERIES_HEADER, sizeof(double), o->v, o->f.n);
	kam_combine_free_spent(fcinfo, o, NULL);
	PG_RETURN_POINTER(s);
}

/*
 * Serialized state, format version 2: the number of points, then the points
 * as the state holds them (kam_state_send_native: a parallel state never
 * leaves the server), a gap as its NaN of SERIES_NULL's bits; 8 bytes a
 * point, copied in one move each way.  (Version 1 sent each point as a
 * byte, 1 for a gap, and the value's 8 bytes in network byte order: two
 * calls a point each way.)
 */
#define SERIES_STATE_VERSION 2

PG_FUNCTION_INFO_V1(kam_sparkline_serial);
Datum
kam_sparkline_serial(PG_FUNCTION_ARGS)
{
	Series	   *s = (Series *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	kam_agg_context(fcinfo, "kam_sparkline_serial");
	kam_state_send_begin(&buf, KAM_STATE_SERIES, SERIES_STATE_VERSION);
	pq_sendint64(&buf, s->f.n);
	kam_state_send_native(&buf, s->v, s->f.n, sizeof(double));
	PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam.sparkline"));
}

PG_FUNCTION_INFO_V1(kam_sparkline_deserial);
Datum
kam_sparkline_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_sparkline_deserial");
	StringInfoData buf;
	Series	   *s;
	int64		n;

	kam_state_recv_begin(&buf, PG_GETARG_BYTEA_PP(0), KAM_STATE_SERIES, SERIES_STATE_VERSION,
						 "kam_sparkline_deserial");
	n = kam_state_recv_count(&buf, SPARKLINE_MAX_POINTS, sizeof(double),
							 "kam_sparkline_deserial");
	/* one chunk of the points' own size */
	s = kam_flex_new(aggctx, SERIES_HEADER, sizeof(double), n);
	kam_state_recv_native(&buf, s->v, n, sizeof(double));
	s->f.n = n;
	/* any NaN but a gap's as series_push keeps it, the usual one */
	for (int64 i = 0; i < n; i++)
		if (unlikely(isnan(s->v[i])) && !series_isnull(s->v[i]))
			s->v[i] = (double) NAN;
	kam_state_recv_end(&buf, "kam_sparkline_deserial");
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(kam_sparkline_final);
Datum
kam_sparkline_final(PG_FUNCTION_ARGS)
{
	Series	   *s;
	double	   *v;
	bool	   *isnull;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (Series *) PG_GETARG_POINTER(0);
	v = palloc(Max(s->f.n, 1) * sizeof(double));
	isnull = palloc(Max(s->f.n, 1) * sizeof(bool));
	for (int64 i = 0; i < s->f.n; i++)
	{
		v[i] = s->v[i];
		isnull[i] = series_isnull(v[i]);
	}
	PG_RETURN_TEXT_P(sparkline((int) s->f.n, v, isnull, false, 0, 0));
}
