/*-------------------------------------------------------------------------
 *
 * portfolio.c
 *	  Key-account classification, manager load, forecast accuracy and the
 *	  Wilson interval (docs/scoring.md).
 *
 *	  kam.kam_quadrant(attractiveness, strength [, a_threshold, s_threshold])
 *		  McDonald's key-account portfolio: strategic (high, high), star
 *		  (high attractiveness, low strength), status (low, high),
 *		  streamline (low, low); scores 0..100, "high" is >= threshold
 *	  kam.key_account_class(revenue, potential [, revenue_threshold,
 *		  potential_threshold]) -> existing | emerging | other
 *	  kam.portfolio_load(accounts, segment | min, max) -> under | within | over
 *	  kam.forecast_accuracy(forecast, actual) aggregate -> n, zero_actuals,
 *		  mape, wape, bias; state kam.forecast_state (fixed size, text I/O)
 *	  kam.wilson_interval(successes, trials [, confidence])
 *	  kam.am_roi(accounts, annual_revenue, retention, baseline_retention,
 *		  upsell_share, upsell_amount, cost) -- the value of account management
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

/* ---------- classification ---------- */

static double
check_score100(double v, const char *what)
{
	if (isnan(v) || v < 0 || v > 100)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be between 0 and 100", what),
				 errdetail("Value is %g.", v)));
	return v;
}

PG_FUNCTION_INFO_V1(kam_quadrant);
Datum
kam_quadrant(PG_FUNCTION_ARGS)
{
	double		attr = check_score100(PG_GETARG_FLOAT8(0), "attractiveness");
	double		str = check_score100(PG_GETARG_FLOAT8(1), "strength");
	double		at = check_score100(PG_GETARG_FLOAT8(2), "attractiveness_threshold");
	double		st = check_score100(PG_GETARG_FLOAT8(3), "strength_threshold");
	const char *q;

	if (attr >= at)
		q = str >= st ? "strategic" : "star";
	else
		q = str >= st ? "status" : "streamline";
	PG_RETURN_TEXT_P(cstring_to_text(q));
}

PG_FUNCTION_INFO_V1(kam_key_account_class);
Datum
kam_key_account_class(PG_FUNCTION_ARGS)
{
	double		revenue = PG_GETARG_FLOAT8(0);
	double		potential = check_score100(PG_GETARG_FLOAT8(1), "potential");
	double		rt = PG_GETARG_FLOAT8(2);
	double		pt = check_score100(PG_GETARG_FLOAT8(3), "potential_threshold");

	kam_check_money(revenue, "revenue");
	kam_check_money(rt, "revenue_threshold");
	if (revenue >= rt)
		PG_RETURN_TEXT_P(cstring_to_text("existing"));
	PG_RETURN_TEXT_P(cstring_to_text(potential >= pt ? "emerging" : "other"));
}

/* ---------- manager load ---------- */

typedef struct Capacity
{
	const char *segment;
	int			min;
	int			max;
} Capacity;

/* SPEC section 3: accounts per manager */
static const Capacity capacities[] = {
	{"strategic", 10, 20},		/* strategic accounts above 50 k a year */
	{"mid_market", 50, 80},		/* 5-20 k a year */
	{"key_account", 5, 15},		/* pure key-account managers */
};

static Datum
load_text(int64 n, int64 min, int64 max)
{
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("accounts must not be negative"),
				 errdetail("Value is " INT64_FORMAT ".", n)));
	return PointerGetDatum(cstring_to_text(n < min ? "under" : (n > max ? "over" : "within")));
}

PG_FUNCTION_INFO_V1(kam_portfolio_load_segment);
Datum
kam_portfolio_load_segment(PG_FUNCTION_ARGS)
{
	int64		n = PG_GETARG_INT64(0);
	char	   *segment = text_to_cstring(PG_GETARG_TEXT_PP(1));

	for (int i = 0; i < (int) lengthof(capacities); i++)
		if (strcmp(segment, capacities[i].segment) == 0)
			PG_RETURN_DATUM(load_text(n, capacities[i].min, capacities[i].max));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown segment \"%s\"", segment),
			 errhint("Use strategic (10-20 accounts), mid_market (50-80) or key_account (5-15), or give the bounds.")));
}

PG_FUNCTION_INFO_V1(kam_portfolio_load_bounds);
Datum
kam_portfolio_load_bounds(PG_FUNCTION_ARGS)
{
	int64		n = PG_GETARG_INT64(0);
	int64		min = PG_GETARG_INT64(1);
	int64		max = PG_GETARG_INT64(2);

	if (min < 0 || min > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("capacity bounds must satisfy 0 <= min_accounts <= max_accounts"),
				 errdetail("min_accounts is " INT64_FORMAT ", max_accounts is " INT64_FORMAT ".", min, max)));
	PG_RETURN_DATUM(load_text(n, min, max));
}

/* ---------- forecast accuracy ---------- */

typedef struct KamForecast
{
	double		n;
	double		zero_actuals;
	KamSum		ape;			/* sum |f - a| / a over a > 0 */
	KamSum		abs_error;		/* sum |f - a| */
	KamSum		actual;			/* sum a */
	KamSum		error;			/* sum (f - a) */
} KamForecast;

static const char *const fc_names[] = {"n", "zero_actuals", "ape", "abs_error", "actual", "error"};

static const char *
forecast_invalid(const double *v)
{
	if (v[1] < 0 || v[1] > v[0] || v[1] != floor(v[1]) ||
		!isfinite(v[2]) || !isfinite(v[3]) || !isfinite(v[4]) || !isfinite(v[5]) ||
		v[2] < 0 || v[3] < 0 || v[4] < 0)
		return "zero_actuals must be a count up to n; ape, abs_error and actual finite and non-negative; error finite.";
	return NULL;
}

static const KamValuesType forecast_type = {"kam.forecast_state", fc_names, 6, 0, forecast_invalid};

/* the six values of the text and binary forms */
static void
forecast_values(const KamForecast *f, double *v)
{
	v[0] = f->n;
	v[1] = f->zero_actuals;
	v[2] = kam_sum_value(&f->ape);
	v[3] = kam_sum_value(&f->abs_error);
	v[4] = kam_sum_value(&f->actual);
	v[5] = kam_sum_value(&f->error);
}

static KamForecast *
forecast_from_values(const double *v)
{
	KamForecast *f = palloc0(sizeof(KamForecast));

	f->n = v[0];
	f->zero_actuals = v[1];
	f->ape.sum = v[2];
	f->abs_error.sum = v[3];
	f->actual.sum = v[4];
	f->error.sum = v[5];
	return f;
}

/* stored with n and zero_actuals as int64 (kam_counts_load); worked on as doubles */
#define FORECAST_COUNTS 0x3
#define forecast_load(stored, f) kam_counts_load((stored), (f), sizeof(KamForecast), FORECAST_COUNTS)
#define forecast_store(f, stored) kam_counts_store((f), (stored), sizeof(KamForecast), FORECAST_COUNTS)

/* a kam.forecast_state argument as its working copy */
static KamForecast *
forecast_arg(FunctionCallInfo fcinfo, int argno)
{
	KamForecast *f = palloc(sizeof(KamForecast));

	forecast_load(PG_GETARG_POINTER(argno), f);
	return f;
}

static void
forecast_check_result(const KamForecast *f)
{
	double		v[6];

	forecast_values(f, v);
	kam_values_check_result(&forecast_type, v);
}

PG_FUNCTION_INFO_V1(kam_forecast_state_in);
Datum
kam_forecast_state_in(PG_FUNCTION_ARGS)
{
	double		v[6];

	kam_values_in(&forecast_type, PG_GETARG_CSTRING(0), v);
	PG_RETURN_POINTER(forecast_store(forecast_from_values(v), NULL));
}

PG_FUNCTION_INFO_V1(kam_forecast_state_out);
Datum
kam_forecast_state_out(PG_FUNCTION_ARGS)
{
	double		v[6];

	forecast_values(forecast_arg(fcinfo, 0), v);
	PG_RETURN_CSTRING(kam_values_out(&forecast_type, v));
}

PG_FUNCTION_INFO_V1(kam_forecast_state_send);
Datum
kam_forecast_state_send(PG_FUNCTION_ARGS)
{
	double		v[6];

	forecast_values(forecast_arg(fcinfo, 0), v);
	PG_RETURN_BYTEA_P(kam_values_send(&forecast_type, v));
}

PG_FUNCTION_INFO_V1(kam_forecast_state_recv);
Datum
kam_forecast_state_recv(PG_FUNCTION_ARGS)
{
	double		v[6];

	kam_values_recv(&forecast_type, (StringInfo) PG_GETARG_POINTER(0), v);
	PG_RETURN_POINTER(forecast_store(forecast_from_values(v), NULL));
}

PG_FUNCTION_INFO_V1(kam_forecast_sfunc);
Datum
kam_forecast_sfunc(PG_FUNCTION_ARGS)
{
	void	   *st;
	KamForecast w,
			   *s = &w;
	double		f,
				a;

	KAM_AGG_SKIP_NULL(1, 2);
	f = PG_GETARG_FLOAT8(1);
	a = PG_GETARG_FLOAT8(2);
	kam_check_money(f, "forecast");
	kam_check_money(a, "actual");
	st = kam_fixed_state(fcinfo, sizeof(KamForecast));
	forecast_load(st, s);
	s->n += 1;
	if (a == 0)
		s->zero_actuals += 1;
	else
		kam_sum_add(&s->ape, fabs(f - a) / a);
	kam_sum_add(&s->abs_error, fabs(f - a));
	kam_sum_add(&s->actual, a);
	kam_sum_add(&s->error, f - a);
	forecast_check_result(s);
	PG_RETURN_POINTER(forecast_store(s, st));
}

PG_FUNCTION_INFO_V1(kam_forecast_combine);
Datum
kam_forecast_combine(PG_FUNCTION_ARGS)
{
	void	   *st;
	KamForecast w,
			   *s = &w,
			   *o;

	KAM_AGG_SKIP_NULL(1, 1);
	o = forecast_arg(fcinfo, 1);
	st = kam_fixed_state(fcinfo, sizeof(KamForecast));
	forecast_load(st, s);
	s->n += o->n;
	s->zero_actuals += o->zero_actuals;
	kam_sum_merge(&s->ape, &o->ape);
	kam_sum_merge(&s->abs_error, &o->abs_error);
	kam_sum_merge(&s->actual, &o->actual);
	kam_sum_merge(&s->error, &o->error);
	forecast_check_result(s);
	PG_RETURN_POINTER(forecast_store(s, st));
}

/* (n, zero_actuals, mape, wape, bias); NULL for no rows */
PG_FUNCTION_INFO_V1(kam_forecast_final);
Datum
kam_forecast_final(PG_FUNCTION_ARGS)
{
	KamForecast *s;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	double		actual;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = forecast_arg(fcinfo, 0);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "kam_forecast_final: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	actual = kam_sum_value(&s->actual);
	values[0] = Int64GetDatum((int64) s->n);
	values[1] = Int64GetDatum((int64) s->zero_actuals);
	if (s->n > s->zero_actuals)
		values[2] = Float8GetDatum(kam_sum_value(&s->ape) / (s->n - s->zero_actuals));
	else
		nulls[2] = true;
	if (actual > 0)
	{
		values[3] = Float8GetDatum(kam_sum_value(&s->abs_error) / actual);
		values[4] = Float8GetDatum(kam_sum_value(&s->error) / actual);
	}
	else
		nulls[3] = nulls[4] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---------- Wilson score interval ---------- */

PG_FUNCTION_INFO_V1(kam_wilson_interval);
Datum
kam_wilson_interval(PG_FUNCTION_ARGS)
{
	int64		s = PG_GETARG_INT64(0);
	int64		n = PG_GETARG_INT64(1);
	double		conf = PG_GETARG_FLOAT8(2);
	double		p,
				z,
				z2n,
				center,
				half;

	if (s < 0 || n < 0 || s > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("successes must be between 0 and trials"),
				 errdetail("successes is " INT64_FORMAT ", trials is " INT64_FORMAT ".", s, n)));
	kam_check_confidence(conf);
	if (n == 0)
		PG_RETURN_NULL();
	p = (double) s / n;
	z = kam_normal_quantile(1 - (1 - conf) / 2);
	z2n = z * z / n;
	center = (p + z2n / 2) / (1 + z2n);
	half = z / (1 + z2n) * sqrt(p * (1 - p) / n + z2n / (4 * n));
	/* exact at the ends, where the formula gives 0 and 1 up to rounding */
	PG_RETURN_DATUM(kam_interval_datum(fcinfo, p,
									   s == 0 ? 0.0 : Max(0.0, center - half),
									   s == n ? 1.0 : Min(1.0, center + half)));
}

/* ---------- the value of account management ---------- */

/*
 * kam.am_roi works in numeric, so the worked example of SPEC section 8 comes
 * out exact (297000, 0.65); the double precision form converts its
 * arguments as float8::numeric does (15 significant digits).
 */
static Numeric
roi_arg(FunctionCallInfo fcinfo, int argno, const char *what, bool fraction)
{
	Datum		d = PG_GETARG_DATUM(argno);
	Numeric		n;
	double		v;

	if (get_fn_expr_argtype(fcinfo->flinfo, argno) == FLOAT8OID)
	{
		v = DatumGetFloat8(d);
		if (fraction)
			kam_check_fraction(v, what);
		else
			kam_check_money(v, what);
		return DatumGetNumeric(DirectFunctionCall1(float8_numeric, d));
	}
	n = DatumGetNumeric(d);
	/* NaN and +-Infinity read as such: the checks refuse them */
	v = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, d));
	if (fraction)
		kam_check_fraction(v, what);
	else
		kam_check_money(v, what);
	return n;
}

static Numeric
num_op(PGFunction op, Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(op, NumericGetDatum(a), NumericGetDatum(b)));
}

/*
 * kam.am_roi(accounts, annual_revenue, retention, baseline_retention,
 *			  upsell_share, upsell_amount, cost)
 *	-> revenue = accounts * annual_revenue, protected_revenue = revenue *
 *	   retention, upsell_revenue = accounts * upsell_share * upsell_amount,
 *	   incremental_revenue = (retention - baseline_retention) * revenue +
 *	   upsell_revenue, roi = (incremental_revenue - cost) / cost (NULL for a
 *	   cost of 0)
 */
PG_FUNCTION_INFO_V1(kam_am_roi);
Datum
kam_am_roi(PG_FUNCTION_ARGS)
{
	Numeric		accounts = roi_arg(fcinfo, 0, "accounts", false),
				annual_revenue = roi_arg(fcinfo, 1, "annual_revenue", false),
				retention = roi_arg(fcinfo, 2, "retention", true),
				baseline = roi_arg(fcinfo, 3, "baseline_retention", true),
				upsell_share = roi_arg(fcinfo, 4, "upsell_share", true),
				upsell_amount = roi_arg(fcinfo, 5, "upsell_amount", false),
				cost = roi_arg(fcinfo, 6, "cost", false);
	Numeric		revenue,
				upsell,
				incremental;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {0};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "kam_am_roi: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	revenue = num_op(numeric_mul, accounts, annual_revenue);
	upsell = num_op(numeric_mul, num_op(numeric_mul, accounts, upsell_share), upsell_amount);
	incremental = num_op(numeric_add, num_op(numeric_mul, num_op(numeric_sub, retention, baseline), revenue), upsell);
	/* every result without trailing zeros: 918000, not 918000.00 */
	values[0] = DirectFunctionCall1(numeric_trim_scale, NumericGetDatum(revenue));
	values[1] = DirectFunctionCall1(numeric_trim_scale, NumericGetDatum(num_op(numeric_mul, revenue, retention)));
	values[2] = DirectFunctionCall1(numeric_trim_scale, NumericGetDatum(upsell));
	values[3] = DirectFunctionCall1(numeric_trim_scale, NumericGetDatum(incremental));
	if (DatumGetBool(DirectFunctionCall2(numeric_gt, NumericGetDatum(cost),
										 DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))))
		values[4] = DirectFunctionCall1(numeric_trim_scale,
										NumericGetDatum(num_op(numeric_div, num_op(numeric_sub, incremental, cost), cost)));
	else
		nulls[4] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
