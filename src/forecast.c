/*-------------------------------------------------------------------------
 *
 * forecast.c
 *	  kam.renewal_forecast(term_end, mrr, renewal_probability, from, months
 *	  [, confidence]): expected MRR per month over a horizon from the
 *	  contracts in force (SPEC section 9, docs/kam.md).
 *
 *	  Each row is a contract in force at `from` with its MRR and the end of
 *	  its current term.  Its MRR is committed in every month that starts
 *	  before term_end; from the month that starts on or after term_end on,
 *	  it renews with probability p (given, or from an sBG model at the
 *	  account's tenure: kam.sbg_retention(m, terms completed + 1)) and then
 *	  keeps its MRR to the end of the horizon, so it adds p mrr to the
 *	  expectation and p (1 - p) mrr^2 to the variance of those months
 *	  (renewals independent).  A term that ended before `from` is due at
 *	  once.  The interval of a month is the expectation -+ z sd, the normal
 *	  approximation of the sum of the renewals, cut to what is committed
 *	  and to committed plus everything due.
 *
 *	  The state is a double precision[] (exact text I/O: Citus pushes the
 *	  aggregate down and adds the workers' states with the combine
 *	  function), O(1) work per row: {format 1, from (Julian day), months,
 *	  confidence, contracts, the MRR of terms ending after the horizon
 *	  (sum, compensation), then per month
 *	  k = 0 .. months - 1 the contracts whose renewal falls in k: their MRR,
 *	  p mrr and p (1 - p) mrr^2, each as (sum, compensation)}; the final
 *	  function adds them up month by month (the committed MRR from the last
 *	  month backwards, a sum of positive terms, so no cancellation).
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "miscadmin.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#define FC_FORMAT 1
#define FC_HEAD 7				/* format, from, months, confidence,
								 * contracts, beyond the horizon (sum, comp) */
#define FC_PER_MONTH 6
#define FC_MAX_MONTHS 1200

/* the state's doubles, checked: a state made by hand with another shape is an error */
static double *
fc_values(ArrayType *a, int *n)
{
	double	   *v;

	if (ARR_NDIM(a) != 1 || ARR_HASNULL(a) || ARR_ELEMTYPE(a) != FLOAT8OID || ARR_DIMS(a)[0] < FC_HEAD)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid kam.renewal_forecast state")));
	v = (double *) ARR_DATA_PTR(a);
	*n = ARR_DIMS(a)[0];
	if (v[0] != FC_FORMAT || !(v[2] >= 1 && v[2] <= FC_MAX_MONTHS && v[2] == floor(v[2])) ||
		*n != FC_HEAD + FC_PER_MONTH * (int) v[2])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid kam.renewal_forecast state"),
				 errdetail("Format %g, %g months, %d values.", v[0], v[2], *n)));
	return v;
}

PG_FUNCTION_INFO_V1(kam_renewal_forecast_sfunc);
Datum
kam_renewal_forecast_sfunc(PG_FUNCTION_ARGS)
{
	ArrayType  *a;
	double	   *v;
	int			n;
	DateADT		term_end,
				from;
	int32		months;
	double		mrr,
				p,
				conf = 0.95;
	int			k;

	if (PG_ARGISNULL(4) || PG_ARGISNULL(5) || (PG_NARGS() > 6 && PG_ARGISNULL(6)))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("from, months and confidence of kam.renewal_forecast must not be NULL")));
	from = kam_date_arg(fcinfo, 4);
	months = PG_GETARG_INT32(5);
	if (PG_NARGS() > 6)
	{
		conf = PG_GETARG_FLOAT8(6);
		kam_check_confidence(conf);
	}
	if (DATE_NOT_FINITE(from))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from must be a finite date")));
	if (months < 1 || months > FC_MAX_MONTHS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("months must be between 1 and %d", FC_MAX_MONTHS),
				 errdetail("Value is %d.", months)));
	if (PG_ARGISNULL(0))
	{
		int			size = FC_HEAD + FC_PER_MONTH * months;
		Datum	   *zeros = palloc(sizeof(Datum) * size);

		for (int i = 0; i < size; i++)
			zeros[i] = Float8GetDatum(0.0);
		zeros[0] = Float8GetDatum(FC_FORMAT);
		zeros[1] = Float8GetDatum(from);
		zeros[2] = Float8GetDatum(months);
		zeros[3] = Float8GetDatum(conf);
		a = construct_array(zeros, size, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	}
	else
		a = AggCheckCallContext(fcinfo, NULL) ? PG_GETARG_ARRAYTYPE_P(0) : PG_GETARG_ARRAYTYPE_P_COPY(0);
	v = fc_values(a, &n);
	if (v[1] != from || v[2] != months || v[3] != conf)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from, months and confidence must be the same for every row of one kam.renewal_forecast")));
	/* a contract without an end, an MRR or a probability does not count */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_ARRAYTYPE_P(a);
	term_end = kam_date_arg(fcinfo, 1);
	mrr = kam_money_arg(fcinfo, 2);
	p = PG_GETARG_FLOAT8(3);
	kam_check_money(mrr, "mrr");
	if (!(p >= 0 && p <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("renewal_probability must be between 0 and 1"),
				 errdetail("Value is %g.", p)));
	if (DATE_NOT_FINITE(term_end))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("term_end must be a finite date")));
	v[4] += 1;

	/*
	 * the first month that starts on or after term_end (months: beyond the
	 * horizon), from the calendar months between the two, then a step or two
	 */
	if (term_end <= from)
		k = 0;
	else
	{
		int			y1,
					m1,
					d1,
					y2,
					m2,
					d2;

		j2date(from + POSTGRES_EPOCH_JDATE, &y1, &m1, &d1);
		j2date(term_end + POSTGRES_EPOCH_JDATE, &y2, &m2, &d2);
		k = Max(0, Min((y2 - y1) * 12 + (m2 - m1) - 1, months));
		while (k < months && kam_add_months(from, k) < term_end)
			k++;
	}
	if (k < months)
	{
		int			at = FC_HEAD + FC_PER_MONTH * k;

		kam_sum_add_at(v, at, mrr);
		kam_sum_add_at(v, at + 2, p * mrr);
		kam_sum_add_at(v, at + 4, p * (1 - p) * mrr * mrr);
	}
	else
		kam_sum_add_at(v, 5, mrr);
	PG_RETURN_ARRAYTYPE_P(a);
}

PG_FUNCTION_INFO_V1(kam_renewal_forecast_combine);
Datum
kam_renewal_forecast_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *a,
			   *b;
	double	   *va,
			   *vb;
	int			na,
				nb;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_ARRAYTYPE_P(PG_GETARG_ARRAYTYPE_P(0));
	}
	b = PG_GETARG_ARRAYTYPE_P(1);
	if (PG_ARGISNULL(0))
		PG_RETURN_ARRAYTYPE_P(PG_GETARG_ARRAYTYPE_P_COPY(1));
	a = AggCheckCallContext(fcinfo, NULL) ? PG_GETARG_ARRAYTYPE_P(0) : PG_GETARG_ARRAYTYPE_P_COPY(0);
	va = fc_values(a, &na);
	vb = fc_values(b, &nb);
	if (va[1] != vb[1] || va[2] != vb[2] || va[3] != vb[3])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from, months and confidence must be the same for every row of one kam.renewal_forecast")));
	va[4] += vb[4];
	for (int i = 5; i < na; i += 2)
	{
		kam_sum_add_at(va, i, vb[i]);
		kam_sum_add_at(va, i, vb[i + 1]);
	}
	PG_RETURN_ARRAYTYPE_P(a);
}

/*
 * The forecast as kam.renewal_forecast_month[]: per month, its first day,
 * the committed MRR, the expected renewed MRR, their sum and its interval
 */
PG_FUNCTION_INFO_V1(kam_renewal_forecast_final);
Datum
kam_renewal_forecast_final(PG_FUNCTION_ARGS)
{
	ArrayType  *a;
	double	   *v;
	int			n,
				months;
	Oid			rowtype;
	TupleDesc	tupdesc;
	Datum	   *rows;
	double		ended = 0,
				renew = 0,
				var = 0,
				z,
			   *committed;
	DateADT		from;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	a = PG_GETARG_ARRAYTYPE_P(0);
	v = fc_values(a, &n);
	from = (DateADT) v[1];
	months = (int) v[2];
	z = kam_normal_quantile(0.5 + v[3] / 2);
	rowtype = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(rowtype))
		elog(ERROR, "kam_renewal_forecast_final: the result must be an array of a row type");
	tupdesc = lookup_rowtype_tupdesc_copy(rowtype, -1);
	tupdesc = BlessTupleDesc(tupdesc);
	rows = palloc(sizeof(Datum) * months);

	/*
	 * committed in month k: the terms ending after it, summed from the last
	 * month back
	 */
	committed = palloc(sizeof(double) * months);
	{
		KamSum		c = {v[5], v[6]};

		for (int k = months - 1; k >= 0; k--)
		{
			committed[k] = kam_sum_value(&c);
			kam_sum_add(&c, v[FC_HEAD + FC_PER_MONTH * k]);
			kam_sum_add(&c, v[FC_HEAD + FC_PER_MONTH * k + 1]);
		}
	}
	for (int k = 0; k < months; k++)
	{
		int			at = FC_HEAD + FC_PER_MONTH * k;
		double		expected,
					sd;
		Datum		values[6];
		bool		nulls[6] = {0};

		CHECK_FOR_INTERRUPTS();
		ended += kam_sum_value_at(v, at);
		renew += kam_sum_value_at(v, at + 2);
		var += kam_sum_value_at(v, at + 4);
		expected = committed[k] + renew;
		sd = sqrt(fmax(var, 0));
		values[0] = DateADTGetDatum(kam_add_months(from, k));
		values[1] = Float8GetDatum(committed[k]);
		values[2] = Float8GetDatum(renew);
		values[3] = Float8GetDatum(expected);
		values[4] = Float8GetDatum(fmax(expected - z * sd, committed[k]));
		values[5] = Float8GetDatum(fmin(expected + z * sd, committed[k] + ended));
		if (!isfinite(expected) || !isfinite(sd))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("kam.renewal_forecast: the expected MRR is out of range")));
		rows[k] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}
	get_typlenbyvalalign(rowtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(rows, months, rowtype, typlen, typbyval, typalign));
}
