/*-------------------------------------------------------------------------
 *
 * history.c
 *	  kam.mrr_waterfall and kam.cohort_retention: aggregates that keep each
 *	  account's history and return one row per period (waterfall) or per
 *	  cohort and period offset (docs/retention.md).
 *
 *	  The periods (the calendar):
 *	  - without a grain, the distinct snapshot dates of the input, in order;
 *	  - with a grain, every period start of the grain from the first to the
 *		last in the input (dates truncated to the grain), rows or not;
 *	  - with a grain and a range ("from", "to"), every period start from
 *		"from" to "to": the same calendar for every group, so per-account
 *		results add up to the company's (docs/citus.md).
 *	  An account with no row at a period has MRR 0 there.  The interval forms
 *	  (account, valid_from, valid_to, mrr, grain ...) keep each contract as
 *	  two changes of MRR: + at the first period start on or after valid_from,
 *	  - at the first one on or after valid_to.
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
/* more periods than this in a grain calendar is a mistake (a daily grain over millennia) */
#define KAM_MAX_CALENDAR_PERIODS 1000000

static void
check_finite_date(DateADT d, const char *what)
{
	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite date", what),
				 errdetail("Value is %s.", DATE_IS_NOBEGIN(d) ? "-infinity" : "infinity")));
}

/* the calendar range of the range forms (arguments argno, argno + 1), truncated to the grain */
static void
set_range(FunctionCallInfo fcinfo, KamAcctState *st, int argno, int grain)
{
	DateADT		from,
				to;

	if (PG_NARGS() <= argno)
		return;
	if (PG_ARGISNULL(argno) || PG_ARGISNULL(argno + 1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("from and to must not be NULL")));
	from = kam_date_arg(fcinfo, argno);
	to = kam_date_arg(fcinfo, argno + 1);
	kam_check_window(from, to);
	kam_acct_set_window(st, kam_grain_start(from, (KamUnit) grain), kam_grain_start(to, (KamUnit) grain));
}

/*
 * mrr_waterfall / cohort_retention (account, at, mrr [, grain [, from, to]])
 */
/*
 * One snapshot row; with a rate (argument rate_arg > 0) the row's MRR is in
 * its own currency and `rate` converts it to the reporting currency on `at`.
 */
static Datum
history_row(FunctionCallInfo fcinfo, int rate_arg)
{
	KamAcctState *st;
	DateADT		at;
	double		mrr,
				rate = 1;
	int			grain;
	int			w = rate_arg > 0 ? 1 : 0;	/* the shift of the later
											 * arguments */

	KAM_AGG_SKIP_NULL(1, 3 + w);
	grain = kam_grain_arg(fcinfo, 4 + w);
	at = kam_date_arg(fcinfo, 2);
	mrr = kam_money_arg(fcinfo, 3);
	if (rate_arg > 0)
		rate = kam_check_rate(PG_GETARG_FLOAT8(rate_arg));
	kam_check_row_money(mrr, "mrr");
	check_finite_date(at, "snapshot date");
	if (grain >= 0)
		at = kam_grain_start(at, (KamUnit) grain);

	st = kam_acct_state_get(fcinfo, KAM_ACCT_HISTORY);
	kam_acct_set_grain(st, grain);
	if (grain >= 0)
		set_range(fcinfo, st, 5 + w, grain);
	if (rate_arg > 0)
		kam_acct_set_rates(st);
	/* a zero row is the same as no row, but the period still exists */
	kam_acct_add_row(st, PG_GETARG_DATUM(1), at, mrr * rate, mrr);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(kam_history_sfunc);
Datum
kam_history_sfunc(PG_FUNCTION_ARGS)
{
	return history_row(fcinfo, 0);
}

/*
 * mrr_waterfall (account, at, mrr, rate [, grain]): each row's MRR in its own
 * currency, rate converting it to the reporting currency on `at`.
 */
PG_FUNCTION_INFO_V1(kam_history_rate_sfunc);
Datum
kam_history_rate_sfunc(PG_FUNCTION_ARGS)
{
	return history_row(fcinfo, 4);
}

/* the first period start of the grain on or after d */
static DateADT
period_ceil(DateADT d, KamUnit grain)
{
	DateADT		p = kam_grain_start(d, grain);

	return p == d ? p : kam_add_units(p, grain, 1);
}

/*
 * mrr_waterfall / cohort_retention (account, valid_from, valid_to, mrr,
 * grain [, from, to]): a contract counts at a period start p when
 * valid_from <= p < valid_to (NULL valid_to: open-ended).
 */
PG_FUNCTION_INFO_V1(kam_history_interval_sfunc);
Datum
kam_history_interval_sfunc(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	int32		id;
	DateADT		vfrom,
				vto;
	double		mrr;
	int			grain;

	KAM_AGG_SKIP_NULL(1, 2);
	KAM_AGG_SKIP_NULL(4, 4);
	grain = kam_grain_arg(fcinfo, 5);
	vfrom = kam_date_arg(fcinfo, 2);
	vto = PG_ARGISNULL(3) ? DATEVAL_NOEND : kam_date_arg(fcinfo, 3);
	mrr = kam_money_arg(fcinfo, 4);
	kam_check_row_money(mrr, "mrr");
	check_finite_date(vfrom, "valid_from");
	if (vto < vfrom)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("valid_to is before valid_from"),
				 errdetail("valid_from is %s, valid_to is %s.", kam_date_str(vfrom), kam_date_str(vto))));

	st = kam_acct_state_get(fcinfo, KAM_ACCT_HISTORY);
	kam_acct_set_grain(st, grain);
	kam_acct_set_deltas(st);
	set_range(fcinfo, st, 6, grain);
	id = kam_acct_id(st, PG_GETARG_DATUM(1));
	{
		DateADT		start = period_ceil(vfrom, (KamUnit) grain);
		DateADT		end = DATE_NOT_FINITE(vto) ? DATEVAL_NOEND : period_ceil(vto, (KamUnit) grain);

		/*
		 * a contract shorter than a period that holds no period start counts
		 * nowhere
		 */
		if (start >= end)
			PG_RETURN_POINTER(st);
		/* a zero change still makes the period exist */
		kam_acct_add_point(st, id, start, mrr);
		if (!DATE_NOT_FINITE(end))
			kam_acct_add_point(st, id, end, -mrr);
	}
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

/* the span of the dates (kam_history_each_date) and how many there are */
typedef struct DateSpan
{
	DateADT		lo;
	DateADT		hi;
	Size		n;
} DateSpan;

static void
date_span(void *arg, DateADT at)
{
	DateSpan   *s = (DateSpan *) arg;

	s->lo = Min(s->lo, at);
	s->hi = Max(s->hi, at);
	s->n++;
}

static void
date_mark(void *arg, DateADT at)
{
	Periods    *pp = (Periods *) arg;

	pp->map[at - pp->min] = 0;
}

/* every date, as it comes */
typedef struct DateList
{
	DateADT    *dates;
	Size		n;
} DateList;

static void
date_keep(void *arg, DateADT at)
{
	DateList   *l = (DateList *) arg;

	l->dates[l->n++] = at;
}

/*
 * fn(arg, date) for every point's date, in no order (of one account and
 * several partial states merged as read: once per state, or each date once
 * a state when its worker listed them; the same dates every time it is
 * called); inline over a grouped history, so that fn is too.
 */
static inline void
history_dates(KamHistory *h, void (*fn) (void *arg, DateADT at), void *arg)
{
	Size		total;

	if (h->merge != NULL)
	{
		kam_history_each_date(h, fn, arg);
		return;
	}
	total = h->offsets[h->naccts];
	for (Size j = 0; j < total; j++)
	{
		if ((j & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		fn(arg, ((const KamPoint *) (h->points + j * h->stride))->at);
	}
}

static void
collect_periods(KamHistory *h, Periods *pp)
{
	DateSpan	span = {DATEVAL_NOEND, DATEVAL_NOBEGIN, 0};

	memset(pp, 0, sizeof(Periods));
	if (h->merge == NULL)
	{
		/* grouped: each account's first and last points */
		for (int32 i = 0; i < h->naccts; i++)
		{
			int			n;
			const char *run = kam_history_account(h, i, &n);

			CHECK_FOR_INTERRUPTS();
			if (n > 0)
			{
				span.lo = Min(span.lo, kam_run_point(h, run, 0)->at);
				span.hi = Max(span.hi, kam_run_point(h, run, n - 1)->at);
				span.n += n;
			}
		}
	}
	else
		kam_history_each_date(h, date_span, &span);
	if (span.n == 0)
		return;
	pp->min = span.lo;
	if ((int64) span.hi - span.lo < KAM_DENSE_PERIOD_SPAN)
	{
		Size		days = (Size) (span.hi - span.lo) + 1;

		pp->map = kam_alloc_large(CurrentMemoryContext, days * sizeof(int32), 0);
		memset(pp->map, 0xff, days * sizeof(int32));	/* -1: no period */
		history_dates(h, date_mark, pp);
		for (Size d = 0; d < days; d++)
		{
			CHECK_FOR_INTERRUPTS();
			if (pp->map[d] == 0)
				pp->n++;
		}
		pp->dates = palloc(pp->n * sizeof(DateADT));
		pp->n = 0;
		for (Size d = 0; d < days; d++)
		{
			CHECK_FOR_INTERRUPTS();
			if (pp->map[d] == 0)
			{
				pp->dates[pp->n] = span.lo + (DateADT) d;
				pp->map[d] = pp->n++;
			}
		}
	}
	else
	{
		Size		n = 0;
		DateList	l = {kam_alloc_large(CurrentMemoryContext, span.n * sizeof(DateADT), 0), 0};

		history_dates(h, date_keep, &l);
		qsort(l.dates, l.n, sizeof(DateADT), cmp_date);
		for (Size j = 0; j < l.n; j++)
		{
			CHECK_FOR_INTERRUPTS();
			if (n == 0 || l.dates[n - 1] != l.dates[j])
				l.dates[n++] = l.dates[j];
		}
		pp->dates = l.dates;
		pp->n = (int) n;
	}
}


/*
 * The calendar of a final call: the period starts, and for the range forms
 * the period just before the first one (its MRR is the first row's start).
 */
typedef struct Calendar
{
	DateADT    *dates;
	int			n;
	bool		range;
	DateADT		before;			/* range forms: the period before dates[0] */
	bool		deltas;			/* the history holds changes of MRR */
} Calendar;

/* the periods of a grain from first to last */
static void
grain_periods(Calendar *cal, DateADT first, DateADT last, KamUnit grain)
{
	int			max = 16;

	cal->dates = palloc(max * sizeof(DateADT));
	cal->n = 0;
	for (DateADT p = first; p <= last; p = kam_add_units(p, grain, 1))
	{
		CHECK_FOR_INTERRUPTS();
		if (cal->n >= KAM_MAX_CALENDAR_PERIODS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many periods for a kam calendar"),
					 errdetail("From %s to %s by %s is more than %d periods.", kam_date_str(first),
							   kam_date_str(last), kam_unit_names[grain], KAM_MAX_CALENDAR_PERIODS),
					 errhint("Use a coarser grain.")));
		if (cal->n == max)
		{
			max *= 2;
			cal->dates = repalloc(cal->dates, max * sizeof(DateADT));
		}
		cal->dates[cal->n++] = p;
	}
}

static void
make_calendar(KamAcctState *st, KamHistory *h, Calendar *cal)
{
	int			grain = kam_acct_grain(st);
	Periods		pp;

	memset(cal, 0, sizeof(Calendar));
	cal->deltas = kam_acct_deltas(st);
	cal->before = DATEVAL_NOBEGIN;
	if (kam_acct_has_window(st))
	{
		DateADT		from,
					to;

		kam_acct_window(st, &from, &to);
		cal->range = true;
		cal->before = kam_add_units(from, (KamUnit) grain, -1);
		grain_periods(cal, from, to, (KamUnit) grain);
		return;
	}
	collect_periods(h, &pp);
	if (grain < 0 || pp.n == 0)
	{
		cal->dates = pp.dates;
		cal->n = pp.n;
		return;
	}
	grain_periods(cal, pp.dates[0], pp.dates[pp.n - 1], (KamUnit) grain);
}

/* the index of the first period on or after d (n when none) */
static int
period_at_or_after(const Calendar *cal, DateADT d)
{
	int			lo = 0,
				hi = cal->n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (cal->dates[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Walks one account's MRR over the calendar.  For amounts (snapshots) the
 * MRR at a period is the account's total dated exactly there; for changes
 * (contracts) it is the sum of all changes on or before it.
 */
typedef struct AcctWalk
{
	KamAcctState *st;
	Datum		key;
	const KamHistory *h;
	const char *run;			/* the account's points (kam_history_account) */
	int			npts;
	int			j;				/* next point */
	double		level;			/* changes: the running sum */
	bool		deltas;
	double		local;			/* the rate forms: the MRR walk_at last gave,
								 * in the rows' own currency */
} AcctWalk;

/* the account's point j: date, MRR, MRR in the row's own currency */
#define WAT(w, j) (kam_run_point((w)->h, (w)->run, (j))->at)
#define WMRR(w, j) (kam_run_point((w)->h, (w)->run, (j))->mrr)
#define WLOCAL(w, j) kam_run_local((w)->h, (w)->run, (j))

static double
walk_total(AcctWalk *w, double v, DateADT at)
{
	KamSum		s = {v, 0};

	return kam_account_total(w->st, w->key, &s, at);
}

/* the account's MRR at d; d must not decrease from call to call */
static double
walk_at(AcctWalk *w, DateADT d)
{
	double		v = 0;

	if (w->deltas)
	{
		while (w->j < w->npts && WAT(w, w->j) <= d)
			w->level += WMRR(w, w->j++);
		return walk_total(w, w->level, d);
	}
	while (w->j < w->npts && WAT(w, w->j) < d)
		w->j++;
	w->local = 0;
	if (w->j < w->npts && WAT(w, w->j) == d)
	{
		v = WMRR(w, w->j);
		w->local = WLOCAL(w, w->j);
	}
	return walk_total(w, v, d);
}

static bool walk_span(const AcctWalk *w, const Calendar *cal, int *first, int *last);

/* Walk account number acct of the history; false when none of its periods shows. */
static bool
walk_begin(AcctWalk *w, KamAcctState *st, KamHistory *h, int32 acct, const Calendar *cal,
		   int *first, int *last)
{
	w->st = st;
	w->key = kam_history_key(st, h, acct);
	w->h = h;
	w->run = kam_history_account(h, acct, &w->npts);
	w->deltas = cal->deltas;
	return w->npts > 0 && cal->n > 0 && walk_span(w, cal, first, last);
}

/*
 * The range [*first, *last] of periods where the account's rows can show
 * (its first row's period, or the first period when it paid before it, to
 * the period after its last row, where it churns); false when none.
 */
static bool
walk_span(const AcctWalk *w, const Calendar *cal, int *first, int *last)
{
	DateADT		lo = WAT(w, 0),
				hi = WAT(w, w->npts - 1);

	if (cal->range && lo > cal->dates[cal->n - 1])
		return false;
	*first = lo < cal->dates[0] ? 0 : period_at_or_after(cal, lo);
	if (w->deltas)
	{
		double		sum = 0;

		for (int j = 0; j < w->npts; j++)
			sum += WMRR(w, j);

		/*
		 * open-ended contracts run to the calendar's end; else to the last
		 * change
		 */
		*last = !kam_money_same(sum, 0) && sum > KAM_MONEY_ZERO ? cal->n - 1 :
			Min(period_at_or_after(cal, hi), cal->n - 1);
	}
	else
		*last = Min(period_at_or_after(cal, hi) + 1, cal->n - 1);
	if (hi < cal->dates[0])
	{
		/* rows only before the range: what counts is the MRR just before it */
		*first = 0;
		*last = 0;
	}
	return *first <= *last;
}

/*
 * kam.mrr_waterfall final: for each period, the movements from the previous
 * period (the first period without a range: all MRR is new).
 */
#define WF_NCOLS (2 + KAM_RETENTION_NCOLS)

PG_FUNCTION_INFO_V1(kam_waterfall_final);
Datum
kam_waterfall_final(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	Calendar	cal;
	KamHistory	h;
	int			m;
	KamRetention *rows;
	KamSum	   *fx;
	bool		rates;
	KamRows		out;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KamAcctState *) PG_GETARG_POINTER(0);
	rates = kam_acct_rates(st);
	kam_history_open(st, &h);
	make_calendar(st, &h, &cal);
	m = cal.n;
	rows = palloc0(Max((Size) (m), 1) * sizeof(KamRetention));
	fx = palloc0(Max((Size) (m), 1) * sizeof(KamSum));

	for (int32 acct = 0; acct < h.naccts; acct++)
	{
		AcctWalk	w = {0};
		int			first,
					last;
		double		prev = 0,
					prev_local = 0;
		bool		paid_before_prev = false;	/* paid at a period < i - 1 */

		CHECK_FOR_INTERRUPTS();
		if (!walk_begin(&w, st, &h, acct, &cal, &first, &last))
			continue;

		/*
		 * what came before the first period shown: the MRR of the previous
		 * one, paid before it
		 */
		{
			DateADT		prev_period = first > 0 ? cal.dates[first - 1] : cal.before;

			if (cal.range || first > 0)
			{
				while (w.j < w.npts && WAT(&w, w.j) < prev_period)
				{
					if (w.deltas)
						w.level += WMRR(&w, w.j);
					if ((w.deltas ? w.level : WMRR(&w, w.j)) > KAM_MONEY_ZERO)
						paid_before_prev = true;
					w.j++;
				}
				prev = walk_at(&w, prev_period);
				prev_local = w.local;
			}
		}
		for (int i = first; i <= last; i++)
		{
			double		cur;

			CHECK_FOR_INTERRUPTS();
			cur = walk_at(&w, cal.dates[i]);
			if (rates)
				kam_retention_add_fx(&rows[i], &fx[i], prev, prev_local, cur, w.local, paid_before_prev);
			else
				kam_retention_add(&rows[i], prev, cur, paid_before_prev);
			if (prev > 0)
				paid_before_prev = true;
			prev = cur;
			prev_local = w.local;
		}
	}

	kam_rows_init(&out, fcinfo, m);
	/* 16 columns until ALTER EXTENSION kam UPDATE adds fx_mrr */
	if (out.desc->natts != WF_NCOLS && out.desc->natts != WF_NCOLS + 1)
		elog(ERROR, "kam.mrr_movement must have %d columns", WF_NCOLS + 1);
	for (int i = 0; i < m; i++)
	{
		Datum		values[WF_NCOLS + 1];
		bool		nulls[WF_NCOLS + 1];

		CHECK_FOR_INTERRUPTS();
		values[0] = DateADTGetDatum(cal.dates[i]);
		nulls[0] = false;
		values[1] = i > 0 ? DateADTGetDatum(cal.dates[i - 1]) : DateADTGetDatum(cal.before);
		nulls[1] = i == 0 && !cal.range;
		kam_retention_values(&rows[i], &fx[i], values + 2, nulls + 2, out.desc->natts - 2);
		kam_rows_add(&out, values, nulls);
	}
	PG_RETURN_DATUM(kam_rows_result(&out));
}

/*
 * kam.cohort_retention final: accounts grouped by the first period in which
 * they paid; for each later period, how many of them pay and how much.  With
 * a range, an account that first paid before it belongs to no cohort of the
 * table.
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
	Calendar	cal;
	KamHistory	h;
	int			m;
	CohortCell **cells;
	KamRows		out;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KamAcctState *) PG_GETARG_POINTER(0);
	kam_history_open(st, &h);
	make_calendar(st, &h, &cal);
	m = cal.n;
	if (m > KAM_MAX_COHORT_PERIODS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many periods for a cohort table"),
				 errdetail("The input has %d periods; the limit is %d.",
						   m, KAM_MAX_COHORT_PERIODS),
				 errhint("Give a coarser grain, e.g. kam.cohort_retention(account, at, mrr, 'month').")));

	/* a triangle: cohort c has periods c .. m-1 */
	cells = palloc(Max(m, 1) * sizeof(CohortCell *));
	for (int c = 0; c < m; c++)
	{
		CHECK_FOR_INTERRUPTS();
		cells[c] = palloc0(Max((Size) (m - c), 1) * sizeof(CohortCell));
	}

	for (int32 acct = 0; acct < h.naccts; acct++)
	{
		AcctWalk	w = {0};
		int			first,
					last,
					c = -1;

		CHECK_FOR_INTERRUPTS();
		if (!walk_begin(&w, st, &h, acct, &cal, &first, &last))
			continue;
		/* paid before the calendar: its cohort is not in this table */
		if (cal.range && WAT(&w, 0) < cal.dates[0])
		{
			bool		paid = false;

			for (int j = 0; j < w.npts && WAT(&w, j) < cal.dates[0] && !paid; j++)
			{
				if (w.deltas)
					w.level += WMRR(&w, j);
				paid = (w.deltas ? w.level : WMRR(&w, j)) > KAM_MONEY_ZERO;
			}
			if (paid)
				continue;
			w.level = 0;
		}
		for (int i = first; i <= last; i++)
		{
			double		v;

			CHECK_FOR_INTERRUPTS();
			v = walk_at(&w, cal.dates[i]);
			if (v <= 0)
				continue;
			if (c < 0)
				c = i;
			cells[c][i - c].accounts++;
			kam_sum_add(&cells[c][i - c].mrr, v);
		}
	}

	kam_rows_init(&out, fcinfo, 0);
	if (out.desc->natts != CO_NCOLS)
		elog(ERROR, "kam.cohort_cell must have %d columns", CO_NCOLS);
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
			values[0] = DateADTGetDatum(cal.dates[c]);
			values[1] = Int32GetDatum(k);
			values[2] = DateADTGetDatum(cal.dates[c + k]);
			values[3] = Int64GetDatum(base->accounts);
			values[4] = Float8GetDatum(base_mrr);
			values[5] = Int64GetDatum(cell->accounts);
			values[6] = Float8GetDatum(mrr);
			values[7] = Float8GetDatum((double) cell->accounts / base->accounts);
			values[8] = Float8GetDatum(mrr / base_mrr);
			kam_rows_add(&out, values, nulls);
		}
	}
	PG_RETURN_DATUM(kam_rows_result(&out));
}
