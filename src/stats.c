/*-------------------------------------------------------------------------
 *
 * stats.c
 *	  Shared numerics, knowing no metric: float8 array arguments, weights and
 *	  the weighted mean under a missing-value policy (kam.weighted_score,
 *	  kam.score, kam.health_score), the normal quantile, confidence checks
 *	  and the kam.confidence_interval result (kam.wilson_interval,
 *	  kam.nps_interval).
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

/* ---------- float8 arrays ---------- */

/*
 * The elements of a one-dimensional float8 array: returns the length and
 * sets *vals (and *nulls, NULL when the array has no NULL element).
 */
int
kam_float8_array(ArrayType *a, const char *what, const double **vals, bool **nulls)
{
	int			n;
	bits8	   *bitmap;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("The array has %d dimensions.", ARR_NDIM(a))));
	if (ARR_ELEMTYPE(a) != FLOAT8OID)
		elog(ERROR, "kam_float8_array: array of type %u", ARR_ELEMTYPE(a));
	n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	bitmap = ARR_NULLBITMAP(a);
	*nulls = NULL;
	if (bitmap == NULL)
		*vals = (const double *) ARR_DATA_PTR(a);
	else
	{
		const double *src = (const double *) ARR_DATA_PTR(a);
		double	   *v = palloc(Max(n, 1) * sizeof(double));
		bool	   *isnull = palloc(Max(n, 1) * sizeof(bool));

		for (int i = 0; i < n; i++)
		{
			isnull[i] = (bitmap[i / 8] & (1 << (i % 8))) == 0;
			v[i] = isnull[i] ? 0 : *src++;
		}
		*vals = v;
		*nulls = isnull;
	}
	return n;
}

void
kam_check_same_length(int n1, int n2, const char *what1, const char *what2)
{
	if (n1 != n2)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s and %s must have the same length", what1, what2),
				 errdetail("%s has %d elements, %s has %d.", what1, n1, what2, n2)));
}

/* Weights: not NULL, finite, non-negative, not all zero, at least one. */
void
kam_check_weights(int n, const double *w, const bool *wnull)
{
	double		total = 0;

	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("at least one weight is needed")));
	for (int i = 0; i < n; i++)
	{
		if (wnull && wnull[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("weights must not be NULL"),
					 errdetail("Weight %d is NULL.", i + 1)));
		if (!isfinite(w[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("weights must be finite"),
					 errdetail("Weight %d is %g.", i + 1, w[i])));
		if (w[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weights must not be negative"),
					 errdetail("Weight %d is %g.", i + 1, w[i])));
		total += w[i];
	}
	if (total == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weights must not all be zero")));
}

/* the largest of n finite non-negative weights */
static double
weight_max(int n, const double *w)
{
	double		m = 0;

	for (int i = 0; i < n; i++)
		m = Max(m, w[i]);
	return m;
}

/*
 * Weighted mean of scores in [0, 1] under a missing-value policy; false when
 * the result is NULL ('null' policy with a NULL score, or no weight left
 * under 'redistribute').
 */
bool
kam_weighted_mean(int n, const double *s, const bool *snull, const double *w,
				  KamMissing policy, double *result)
{
	double		num = 0,
				den = 0,
				scale = 1;

	/*
	 * Weights near DBL_MAX: their sum overflows, so the pass is made again
	 * with the weights divided by the largest (only then, to keep results
	 * bit-identical otherwise).
	 */
	for (int pass = 0; pass < 2; pass++)
	{
		num = den = 0;
		for (int i = 0; i < n; i++)
		{
			double		wi = w[i] / scale;

			if (snull && snull[i])
			{
				if (policy == KAM_MISSING_NULL)
					return false;
				if (policy == KAM_MISSING_ZERO)
					den += wi;
				continue;
			}
			num += wi * s[i];
			den += wi;
		}
		if (isfinite(num) && isfinite(den))
			break;
		scale = weight_max(n, w);
	}
	if (den == 0)
		return false;
	*result = num / den;
	return true;
}

/* ---------- the normal quantile and intervals ---------- */

/* Phi^-1(p) for 0 < p < 1: a rational first guess (A&S 26.2.23), then Newton on erfc */
double
kam_normal_quantile(double p)
{
	double		q = p < 0.5 ? p : 1 - p;
	double		t = sqrt(-2 * log(q));
	double		z = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
					  (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))));

	/* lower tail, where 0.5 erfc(-z / sqrt 2) keeps its relative precision */
	for (int i = 0; i < 6; i++)
	{
		double		cdf = 0.5 * erfc(-z / M_SQRT2);
		double		pdf = exp(-0.5 * z * z) / sqrt(2 * M_PI);
		double		step = (cdf - q) / pdf;

		z -= step;
		if (fabs(step) <= 1e-15 * fabs(z))
			break;
	}
	return p < 0.5 ? z : -z;
}

void
kam_check_confidence(double conf)
{
	if (!(conf > 0 && conf < 1))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("confidence must be between 0 and 1, exclusive"),
				 errdetail("Value is %g.", conf)));
}

/* a kam.confidence_interval (estimate, lower, upper), the function's result type */
Datum
kam_interval_datum(FunctionCallInfo fcinfo, double estimate, double lower, double upper)
{
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "kam_interval_datum: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	/* a bound unknown (NaN) is NULL */
	values[0] = Float8GetDatum(estimate);
	values[1] = Float8GetDatum(lower);
	values[2] = Float8GetDatum(upper);
	nulls[1] = isnan(lower);
	nulls[2] = isnan(upper);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* ---------- kam.weighted_mean(value, weight) ---------- */

/*
 * State: double precision[] {n, sum w, its compensation, sum w*v, its
 * compensation} (Neumaier sums, as KamSum): exact text I/O, so Citus pushes
 * the aggregate down.  A row with a NULL value or weight drops out.
 */
#define WM_N 5

PG_FUNCTION_INFO_V1(kam_weighted_mean_sfunc);
Datum
kam_weighted_mean_sfunc(PG_FUNCTION_ARGS)
{
	ArrayType  *a;
	double	   *v,
				value,
				weight;

	KAM_AGG_SKIP_NULL(1, 2);
	value = kam_money_arg(fcinfo, 1);
	weight = kam_money_arg(fcinfo, 2);
	if (unlikely(!isfinite(value)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value must be finite"),
				 errdetail("Value is %g.", value)));
	kam_check_money(weight, "weight");
	a = kam_float8_state(fcinfo, 0, WM_N, "kam.weighted_mean");
	v = (double *) ARR_DATA_PTR(a);
	v[0] += 1;
	kam_sum_add_at(v, 1, weight);
	kam_sum_add_at(v, 3, weight * value);
	if (unlikely(!isfinite(v[1] + v[2]) || !isfinite(v[3] + v[4])))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kam.weighted_mean: the weighted sum is out of range")));
	PG_RETURN_ARRAYTYPE_P(a);
}

PG_FUNCTION_INFO_V1(kam_weighted_mean_combine);
Datum
kam_weighted_mean_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *a,
			   *b;
	double	   *v;
	const double *w;

	KAM_AGG_SKIP_NULL(1, 1);
	b = kam_float8_state(fcinfo, 1, WM_N, "kam.weighted_mean");
	a = kam_float8_state(fcinfo, 0, WM_N, "kam.weighted_mean");
	v = (double *) ARR_DATA_PTR(a);
	w = (const double *) ARR_DATA_PTR(b);
	for (int i = 0; i < WM_N; i++)
		if (!isfinite(w[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a state of kam.weighted_mean holds finite numbers")));
	v[0] += w[0];
	kam_sum_add_at(v, 1, w[1]);
	kam_sum_add_at(v, 1, w[2]);
	kam_sum_add_at(v, 3, w[3]);
	kam_sum_add_at(v, 3, w[4]);
	if (unlikely(!isfinite(v[1] + v[2]) || !isfinite(v[3] + v[4])))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kam.weighted_mean: the weighted sum is out of range")));
	PG_RETURN_ARRAYTYPE_P(a);
}

/* sum w*v / sum w; NULL without rows or when every weight is 0 */
PG_FUNCTION_INFO_V1(kam_weighted_mean_final);
Datum
kam_weighted_mean_final(PG_FUNCTION_ARGS)
{
	ArrayType  *a;
	const double *v;
	double		w;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	a = kam_float8_state(fcinfo, 0, WM_N, "kam.weighted_mean");
	v = (const double *) ARR_DATA_PTR(a);
	w = v[1] + v[2];
	if (v[0] == 0 || w == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((v[3] + v[4]) / w);
}
