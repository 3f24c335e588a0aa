/*-------------------------------------------------------------------------
 *
 * history.c
 *	  kam.mrr_waterfall and kam.cohort_retention: aggregates over a snapshot
 *	  table (account, period date, MRR) that keep each account's history and
 *	  return one row per period (waterfall) or per cohort and period offset.
 *
 *	  The periods are the distinct snapshot dates seen in the input, in
 *	  order.  An account with no row at a period has MRR 0 there.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

/* more periods than this makes the cohort triangle unreasonably large */
#define KAM_MAX_COHORT_PERIODS 2000

PG_FUNCTION_INFO_V1(kam_history_sfunc);
Datum
kam_history_sfunc(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	DateADT		at;
	double		mrr;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	at = PG_GETARG_DATEADT(2);
	mrr = PG_GETARG_FLOAT8(3);
	kam_check_mrr(mrr, "mrr");
	if (DATE_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot date must be a finite date"),
				 errdetail("Value is %s.", DATE_IS_NOBEGIN(at) ? "-infinity" : "infinity")));

	st = kam_acct_state_get(fcinfo, KAM_ACCT_HISTORY, NULL);
	/* a zero row is the same as no row, but the period still exists */
	kam_acct_add_point(st, kam_acct_lookup(st, PG_GETARG_DATUM(1)), at, mrr);
	PG_RETURN_POINTER(st);
}

static int
cmp_date(const void *a, const void *b)
{
	DateADT		x = *(const DateADT *) a;
	DateADT		y = *(const DateADT *) b;

	return (x > y) - (x < y);
}

static int
cmp_point(const void *a, const void *b)
{
	return cmp_date(&((const KamPoint *) a)->at, &((const KamPoint *) b)->at);
}

/* Sort an account's points by date and sum rows of the same period. */
static void
normalise_points(KamAcct *a)
{
	int			n = 0;
	bool		sorted = true;

	for (int i = 1; i < a->npoints && sorted; i++)
		sorted = a->points[i - 1].at < a->points[i].at;
	if (sorted)
		return;
	qsort(a->points, a->npoints, sizeof(KamPoint), cmp_point);
	for (int i = 0; i < a->npoints; i++)
	{
		if (n > 0 && a->points[n - 1].at == a->points[i].at)
			a->points[n - 1].mrr += a->points[i].mrr;
		else
			a->points[n++] = a->points[i];
	}
	a->npoints = n;
}

/*
 * The distinct periods of the whole input, sorted; every account's points
 * normalised on the way.
 */
static DateADT *
collect_periods(KamAcctState *st, int *nperiods)
{
	Size		total = 0;
	Size		n = 0;
	DateADT    *all;
	KamAcct    *a;

	kam_acct_iterate_begin(st);
	while ((a = kam_acct_iterate_next(st)) != NULL)
	{
		normalise_points(a);
		total += a->npoints;
	}
	all = palloc_extended(Max(total, 1) * sizeof(DateADT), MCXT_ALLOC_HUGE);
	kam_acct_iterate_begin(st);
	while ((a = kam_acct_iterate_next(st)) != NULL)
		for (int i = 0; i < a->npoints; i++)
			all[n++] = a->points[i].at;
	qsort(all, n, sizeof(DateADT), cmp_date);
	total = n;
	n = 0;
	for (Size i = 0; i < total; i++)
		if (n == 0 || all[n - 1] != all[i])
			all[n++] = all[i];
	*nperiods = (int) n;
	return all;
}

static int
period_index(const DateADT *periods, int n, DateADT at)
{
	DateADT    *p = bsearch(&at, periods, n, sizeof(DateADT), cmp_date);

	Assert(p != NULL);
	return (int) (p - periods);
}

/* Tuple descriptor of the element type of the final function's array result. */
static TupleDesc
result_row_desc(FunctionCallInfo fcinfo, Oid *elemtype)
{
	Oid			rettype = get_func_rettype(fcinfo->flinfo->fn_oid);

	*elemtype = get_element_type(rettype);
	if (!OidIsValid(*elemtype))
		elog(ERROR, "kam history final function must return an array");
	return lookup_rowtype_tupdesc_copy(*elemtype, -1);
}

static Datum
make_array(Datum *elems, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_array(elems, n, elemtype, typlen, typbyval, typalign));
}

/*
 * kam.mrr_waterfall final: for each period, the movements from the previous
 * period (the first period: all MRR is new).
 */
#define WF_NCOLS (2 + KAM_RETENTION_NCOLS)

PG_FUNCTION_INFO_V1(kam_waterfall_final);
Datum
kam_waterfall_final(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	DateADT    *periods;
	int			m;
	KamRetention *rows;
	KamAcct    *a;
	TupleDesc	tupdesc;
	Oid			elemtype;
	Datum	   *elems;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KamAcctState *) PG_GETARG_POINTER(0);
	periods = collect_periods(st, &m);
	rows = palloc0(Max((Size) (m), 1) * sizeof(KamRetention));

	kam_acct_iterate_begin(st);
	while ((a = kam_acct_iterate_next(st)) != NULL)
	{
		int			first,
					last,
					j = 0;
		double		prev = 0;
		bool		paid_before_prev = false;	/* paid at a period < i - 1 */

		if (a->npoints == 0)
			continue;
		first = period_index(periods, m, a->points[0].at);
		last = period_index(periods, m, a->points[a->npoints - 1].at);
		for (int i = first; i <= Min(last + 1, m - 1); i++)
		{
			double		cur = 0;

			if (j < a->npoints && a->points[j].at == periods[i])
				cur = a->points[j++].mrr;
			kam_retention_add(&rows[i], prev, cur, paid_before_prev);
			if (prev > 0)
				paid_before_prev = true;
			prev = cur;
		}
	}

	tupdesc = BlessTupleDesc(result_row_desc(fcinfo, &elemtype));
	if (tupdesc->natts != WF_NCOLS)
		elog(ERROR, "kam.mrr_movement must have %d columns", WF_NCOLS);
	elems = palloc(Max(m, 1) * sizeof(Datum));
	for (int i = 0; i < m; i++)
	{
		Datum		values[WF_NCOLS];
		bool		nulls[WF_NCOLS];

		values[0] = DateADTGetDatum(periods[i]);
		nulls[0] = false;
		values[1] = i > 0 ? DateADTGetDatum(periods[i - 1]) : (Datum) 0;
		nulls[1] = i == 0;
		kam_retention_values(&rows[i], values + 2, nulls + 2);
		elems[i] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}
	PG_RETURN_DATUM(make_array(elems, m, elemtype));
}

/*
 * kam.cohort_retention final: accounts grouped by the first period in which
 * they paid; for each later period, how many of them pay and how much.
 */
typedef struct CohortCell
{
	int64		accounts;
	KamSum		mrr;
} CohortCell;

#define CO_NCOLS 9

PG_FUNCTION_INFO_V1(kam_cohort_final);
Datum
kam_cohort_final(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	DateADT    *periods;
	int			m;
	CohortCell **cells;
	KamAcct    *a;
	TupleDesc	tupdesc;
	Oid			elemtype;
	Datum	   *elems;
	int			nelems = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KamAcctState *) PG_GETARG_POINTER(0);
	periods = collect_periods(st, &m);
	if (m > KAM_MAX_COHORT_PERIODS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many periods for a cohort table"),
				 errdetail("The input has %d distinct snapshot dates; the limit is %d.",
						   m, KAM_MAX_COHORT_PERIODS),
				 errhint("Truncate the snapshot dates to months, e.g. date_trunc('month', at)::date.")));

	/* a triangle: cohort c has periods c .. m-1 */
	cells = palloc(Max(m, 1) * sizeof(CohortCell *));
	for (int c = 0; c < m; c++)
		cells[c] = palloc0(Max((Size) (m - c), 1) * sizeof(CohortCell));

	kam_acct_iterate_begin(st);
	while ((a = kam_acct_iterate_next(st)) != NULL)
	{
		int			c = -1;

		for (int j = 0; j < a->npoints; j++)
		{
			int			i;

			if (a->points[j].mrr <= 0)
				continue;
			i = period_index(periods, m, a->points[j].at);
			if (c < 0)
				c = i;
			cells[c][i - c].accounts++;
			kam_sum_add(&cells[c][i - c].mrr, a->points[j].mrr);
		}
	}

	tupdesc = BlessTupleDesc(result_row_desc(fcinfo, &elemtype));
	if (tupdesc->natts != CO_NCOLS)
		elog(ERROR, "kam.cohort_cell must have %d columns", CO_NCOLS);
	elems = palloc(Max((Size) m * (m + 1) / 2, 1) * sizeof(Datum));
	for (int c = 0; c < m; c++)
	{
		CohortCell *base = &cells[c][0];
		double		base_mrr = kam_sum_value(&base->mrr);

		if (base->accounts == 0)
			continue;
		for (int k = 0; k < m - c; k++)
		{
			Datum		values[CO_NCOLS];
			bool		nulls[CO_NCOLS] = {0};
			CohortCell *cell = &cells[c][k];
			double		mrr = kam_sum_value(&cell->mrr);

			values[0] = DateADTGetDatum(periods[c]);
			values[1] = Int32GetDatum(k);
			values[2] = DateADTGetDatum(periods[c + k]);
			values[3] = Int64GetDatum(base->accounts);
			values[4] = Float8GetDatum(base_mrr);
			values[5] = Int64GetDatum(cell->accounts);
			values[6] = Float8GetDatum(mrr);
			values[7] = Float8GetDatum((double) cell->accounts / base->accounts);
			values[8] = Float8GetDatum(mrr / base_mrr);
			elems[nelems++] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
		}
	}
	PG_RETURN_DATUM(make_array(elems, nelems, elemtype));
}
