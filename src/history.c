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

#include "miscadmin.h"

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

	KAM_AGG_SKIP_NULL(1, 3);
	at = PG_GETARG_DATEADT(2);
	mrr = kam_money_arg(fcinfo, 3);
	kam_check_money(mrr, "mrr");
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

	/*
	 * pg_qsort sorts in place, allocating nothing: it may stop at any
	 * comparison
	 */
	CHECK_FOR_INTERRUPTS();
	return (x > y) - (x < y);
}

/*
 * The distinct periods (snapshot dates) of the whole input, sorted, with a
 * date -> period lookup: a dense map over [min, max] when the dates span
 * fewer than 2^22 days (any real calendar), binary search otherwise.
 */
typedef struct Periods
{
	DateADT    *dates;
	int			n;
	DateADT		min;
	int32	   *map;			/* map[at - min] = index, or NULL */
} Periods;

#define KAM_DENSE_PERIOD_SPAN (1 << 22)

static void
collect_periods(const KamHistory *h, Periods *pp)
{
	DateADT		lo = DATEVAL_NOEND,
				hi = DATEVAL_NOBEGIN;
	Size		total = h->offsets[h->naccts];

	memset(pp, 0, sizeof(Periods));
	if (total == 0)
		return;
	for (int32 i = 0; i < h->naccts; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (h->offsets[i + 1] > h->offsets[i])
		{
			lo = Min(lo, h->points[h->offsets[i]].at);
			hi = Max(hi, h->points[h->offsets[i + 1] - 1].at);
		}
	}
	pp->min = lo;
	if ((int64) hi - lo < KAM_DENSE_PERIOD_SPAN)
	{
		Size		span = (Size) (hi - lo) + 1;

		pp->map = palloc_extended(span * sizeof(int32), MCXT_ALLOC_HUGE);
		memset(pp->map, 0xff, span * sizeof(int32));	/* -1: no period */
		for (Size j = 0; j < total; j++)
		{
			CHECK_FOR_INTERRUPTS();
			pp->map[h->points[j].at - lo] = 0;
		}
		for (Size d = 0; d < span; d++)
		{
			CHECK_FOR_INTERRUPTS();
			if (pp->map[d] == 0)
				pp->n++;
		}
		pp->dates = palloc(pp->n * sizeof(DateADT));
		pp->n = 0;
		for (Size d = 0; d < span; d++)
		{
			CHECK_FOR_INTERRUPTS();
			if (pp->map[d] == 0)
			{
				pp->dates[pp->n] = lo + (DateADT) d;
				pp->map[d] = pp->n++;
			}
		}
	}
	else
	{
		Size		n = 0;

		pp->dates = palloc_extended(total * sizeof(DateADT), MCXT_ALLOC_HUGE);
		for (Size j = 0; j < total; j++)
		{
			CHECK_FOR_INTERRUPTS();
			pp->dates[j] = h->points[j].at;
		}
		qsort(pp->dates, total, sizeof(DateADT), cmp_date);
		for (Size j = 0; j < total; j++)
		{
			CHECK_FOR_INTERRUPTS();
			if (n == 0 || pp->dates[n - 1] != pp->dates[j])
				pp->dates[n++] = pp->dates[j];
		}
		pp->n = (int) n;
	}
}

static inline int
period_index(const Periods *pp, DateADT at)
{
	DateADT    *p;

	if (pp->map)
		return pp->map[at - pp->min];
	p = bsearch(&at, pp->dates, pp->n, sizeof(DateADT), cmp_date);
	Assert(p != NULL);
	return (int) (p - pp->dates);
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
	Periods		pp;
	KamHistory	h;
	DateADT    *periods;
	int			m;
	KamRetention *rows;
	TupleDesc	tupdesc;
	Oid			elemtype;
	Datum	   *elems;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KamAcctState *) PG_GETARG_POINTER(0);
	kam_history_group(st, &h);
	collect_periods(&h, &pp);
	periods = pp.dates;
	m = pp.n;
	rows = palloc0(Max((Size) (m), 1) * sizeof(KamRetention));

	for (int32 acct = 0; acct < h.naccts; acct++)
	{
		const KamPoint *pts = &h.points[h.offsets[acct]];
		int			npts = (int) (h.offsets[acct + 1] - h.offsets[acct]);
		int			first,
					last,
					j = 0;
		double		prev = 0;
		bool		paid_before_prev = false;	/* paid at a period < i - 1 */

		CHECK_FOR_INTERRUPTS();
		if (npts == 0)
			continue;
		first = period_index(&pp, pts[0].at);
		last = period_index(&pp, pts[npts - 1].at);
		for (int i = first; i <= Min(last + 1, m - 1); i++)
		{
			double		cur = 0;

			CHECK_FOR_INTERRUPTS();
			if (j < npts && pts[j].at == periods[i])
				cur = pts[j++].mrr;
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

		CHECK_FOR_INTERRUPTS();
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
	Periods		pp;
	KamHistory	h;
	DateADT    *periods;
	int			m;
	CohortCell **cells;
	TupleDesc	tupdesc;
	Oid			elemtype;
	Datum	   *elems;
	int			nelems = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KamAcctState *) PG_GETARG_POINTER(0);
	kam_history_group(st, &h);
	collect_periods(&h, &pp);
	periods = pp.dates;
	m = pp.n;
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
	{
		CHECK_FOR_INTERRUPTS();
		cells[c] = palloc0(Max((Size) (m - c), 1) * sizeof(CohortCell));
	}

	for (Size acct = 0; acct < (Size) h.naccts; acct++)
	{
		int			c = -1;

		CHECK_FOR_INTERRUPTS();
		for (Size j = h.offsets[acct]; j < h.offsets[acct + 1]; j++)
		{
			int			i;

			CHECK_FOR_INTERRUPTS();
			if (h.points[j].mrr <= 0)
				continue;
			i = period_index(&pp, h.points[j].at);
			if (c < 0)
				c = i;
			cells[c][i - c].accounts++;
			kam_sum_add(&cells[c][i - c].mrr, h.points[j].mrr);
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

		CHECK_FOR_INTERRUPTS();
		if (base->accounts == 0)
			continue;
		for (int k = 0; k < m - c; k++)
		{
			Datum		values[CO_NCOLS];
			bool		nulls[CO_NCOLS] = {0};
			CohortCell *cell = &cells[c][k];
			double		mrr = kam_sum_value(&cell->mrr);

			CHECK_FOR_INTERRUPTS();
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
