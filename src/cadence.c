/*-------------------------------------------------------------------------
 *
 * cadence.c
 *	  Engagement cadence over an activity log (docs/kam.md, SPEC section 8).
 *
 *	  kam.touch_gaps(at, "from", "to") -> touches, touch_days, last_touch,
 *		  days_since_last, longest_gap, touches_per_30_days over the touches
 *		  with from <= at < to (at truncated to the day).
 *	  kam.cadence_met(at, "from", "to", every) -> true when each whole
 *		  period [from + k every, from + (k + 1) every) that ends by `to`
 *		  holds a touch.
 *
 * The state keeps the touch days of the group (4 bytes a touch after a
 * header, one chunk in the aggregate's context; combine appends, the
 * serializer sends them), so memory grows with the touches of one group,
 * and the final function sorts them once.  A row with a NULL `at` still
 * sets the window: an account LEFT JOINed to an empty activity log has
 * touches 0 and its whole window as its longest gap.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "miscadmin.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/timestamp.h"

/*
 * A group's state: a 36-byte header and the touch days after it, in one
 * chunk (kam_flex_new): 64 bytes for up to 7 touches, 128 for up to 23,
 * where a struct and an array took two chunks (at least 128 bytes).
 */
typedef struct KamTouches
{
	KamFlexHead f;				/* f.n touch days in the window */
	DateADT		from;
	DateADT		to;
	int32		every_months;
	int32		every_days;
	bool		has_window;
	bool		has_every;
	DateADT		days[FLEXIBLE_ARRAY_MEMBER];	/* of each touch, in arrival
												 * order */
} KamTouches;

#define TOUCHES_HEADER offsetof(KamTouches, days)

static void
touches_set_window(KamTouches *t, DateADT from, DateADT to)
{
	if (likely(t->has_window && t->from == from && t->to == to))
		return;
	kam_check_window(from, to);
	if (DATE_NOT_FINITE(from) || DATE_NOT_FINITE(to))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from and to must be finite dates"),
				 errdetail("from is %s, to is %s.", kam_date_str(from), kam_date_str(to))));
	if (t->has_window)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from and to must be the same for every row of one aggregate"),
				 errdetail("Got %s to %s after %s to %s.", kam_date_str(from), kam_date_str(to),
						   kam_date_str(t->from), kam_date_str(t->to))));
	t->has_window = true;
	t->from = from;
	t->to = to;
}

static void
touches_set_every(KamTouches *t, int32 months, int32 days)
{
	if (likely(t->has_every && t->every_months == months && t->every_days == days))
		return;
	if (t->has_every)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("every must be the same for every row of one aggregate"),
				 errdetail("Got %d months %d days after %d months %d days.",
						   months, days, t->every_months, t->every_days)));
	t->has_every = true;
	t->every_months = months;
	t->every_days = days;
}

/* `every` as whole months and days, positive */
static void
every_arg(Interval *every, int32 *months, int32 *days)
{
	if (every->time != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("every must be whole days, weeks, months or years"),
				 errdetail("It has a time part of " INT64_FORMAT " microseconds.", every->time),
				 errhint("Touches are counted per day: use '1 day' rather than '24 hours'.")));
	if (every->month < 0 || every->day < 0 || (every->month == 0 && every->day == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("every must be positive"),
				 errdetail("It is %d months and %d days.", every->month, every->day)));
	*months = every->month;
	*days = every->day;
}

/*
 * touches_sfunc(state, at, "from", "to" [, every]): `at`, `from` and `to`
 * dates or timestamptz (the day in the session time zone)
 */
PG_FUNCTION_INFO_V1(kam_touches_sfunc);
Datum
kam_touches_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_touches_sfunc");
	KamTouches *t;
	DateADT		from,
				to;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("from and to must not be NULL")));
	if (PG_NARGS() > 4 && PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("every must not be NULL")));
	from = kam_date_arg(fcinfo, 2);
	to = kam_date_arg(fcinfo, 3);
	/* a chunk of 64 bytes: room for 7 */
	t = PG_ARGISNULL(0) ? kam_flex_new(aggctx, TOUCHES_HEADER, sizeof(DateADT), 7) :
		(KamTouches *) PG_GETARG_POINTER(0);
	touches_set_window(t, from, to);
	if (PG_NARGS() > 4)
	{
		int32		months,
					days;

		every_arg(PG_GETARG_INTERVAL_P(4), &months, &days);
		touches_set_every(t, months, days);
	}
	if (!PG_ARGISNULL(1))
	{
		DateADT		at = kam_date_arg(fcinfo, 1);

		if (at >= from && at < to)
		{
			t = kam_flex_reserve(t, TOUCHES_HEADER, sizeof(DateADT), 1);
			t->days[t->f.n++] = at;
		}
	}
	PG_RETURN_POINTER(t);
}

PG_FUNCTION_INFO_V1(kam_touches_combine);
Datum
kam_touches_combine(PG_FUNCTION_ARGS)
{
	KamTouches *t,
			   *o;

	(void) kam_agg_context(fcinfo, "kam_touches_combine");
	KAM_AGG_SKIP_NULL(1, 1);
	KAM_COMBINE_KEEP_FIRST();
	o = (KamTouches *) PG_GETARG_POINTER(1);
	t = (KamTouches *) PG_GETARG_POINTER(0);
	if (o->has_window)
		touches_set_window(t, o->from, o->to);
	if (o->has_every)
		touches_set_every(t, o->every_months, o->every_days);
	t = kam_flex_append(t, TOUCHES_HEADER, sizeof(DateADT), o->days, o->f.n);
	kam_combine_free_spent(fcinfo, o, NULL);
	PG_RETURN_POINTER(t);
}

/*
 * serialized state, format version 1: window (flag, from, to), every (flag,
 * months, days), the number of days, then the days
 */
#define TOUCHES_STATE_VERSION 1

PG_FUNCTION_INFO_V1(kam_touches_serial);
Datum
kam_touches_serial(PG_FUNCTION_ARGS)
{
	KamTouches *t = (KamTouches *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	kam_agg_context(fcinfo, "kam_touches_serial");
	kam_state_send_begin(&buf, KAM_STATE_TOUCHES, TOUCHES_STATE_VERSION);
	pq_sendbyte(&buf, t->has_window);
	pq_sendint32(&buf, t->from);
	pq_sendint32(&buf, t->to);
	pq_sendbyte(&buf, t->has_every);
	pq_sendint32(&buf, t->every_months);
	pq_sendint32(&buf, t->every_days);
	pq_sendint64(&buf, t->f.n);
	for (int64 i = 0; i < t->f.n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		pq_sendint32(&buf, t->days[i]);
	}
	PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam.touch_gaps"));
}

PG_FUNCTION_INFO_V1(kam_touches_deserial);
Datum
kam_touches_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_touches_deserial");
	StringInfoData buf;
	KamTouches	hdr,
			   *t;
	int64		n;

	kam_state_recv_begin(&buf, PG_GETARG_BYTEA_PP(0), KAM_STATE_TOUCHES, TOUCHES_STATE_VERSION,
						 "kam_touches_deserial");
	hdr.has_window = pq_getmsgbyte(&buf) != 0;
	hdr.from = pq_getmsgint(&buf, 4);
	hdr.to = pq_getmsgint(&buf, 4);
	hdr.has_every = pq_getmsgbyte(&buf) != 0;
	hdr.every_months = pq_getmsgint(&buf, 4);
	hdr.every_days = pq_getmsgint(&buf, 4);
	n = kam_state_recv_count(&buf, PG_INT64_MAX, sizeof(int32), "kam_touches_deserial");
	/* one chunk of the days' own size, then the fields read before them */
	t = kam_flex_new(aggctx, TOUCHES_HEADER, sizeof(DateADT), n);
	t->has_window = hdr.has_window;
	t->from = hdr.from;
	t->to = hdr.to;
	t->has_every = hdr.has_every;
	t->every_months = hdr.every_months;
	t->every_days = hdr.every_days;
	for (int64 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		t->days[i] = pq_getmsgint(&buf, 4);
	}
	t->f.n = n;
	kam_state_recv_end(&buf, "kam_touches_deserial");
	PG_RETURN_POINTER(t);
}

static int
cmp_day(const void *a, const void *b)
{
	DateADT		x = *(const DateADT *) a,
				y = *(const DateADT *) b;

	CHECK_FOR_INTERRUPTS();
	return x < y ? -1 : (x > y ? 1 : 0);
}

/* the distinct touch days, sorted; returns their number */
static int64
touch_days(KamTouches *t, DateADT **days)
{
	DateADT    *d = t->days;
	int64		n = t->f.n,
				k = 0;

	qsort(d, n, sizeof(DateADT), cmp_day);
	for (int64 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (k == 0 || d[k - 1] != d[i])
			d[k++] = d[i];
	}
	*days = d;
	return k;
}

/* touches, touch_days, last_touch, days_since_last, longest_gap, touches_per_30_days */
PG_FUNCTION_INFO_V1(kam_touch_gaps_final);
Datum
kam_touch_gaps_final(PG_FUNCTION_ARGS)
{
	KamTouches *t;
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {0};
	DateADT    *d;
	int64		k;
	int64		longest;
	DateADT		last;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = (KamTouches *) PG_GETARG_POINTER(0);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "kam_touch_gaps_final: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int64GetDatum(t->f.n);
	k = touch_days(t, &d);
	values[1] = Int64GetDatum(k);

	/*
	 * gaps between consecutive touch days, counting from `from` (to the first
	 * touch) and up to `to` (from the last)
	 */
	last = t->from;
	longest = 0;
	for (int64 i = 0; i < k; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		longest = Max(longest, (int64) d[i] - last);
		last = d[i];
	}
	longest = Max(longest, (int64) t->to - last);
	if (k > 0)
		values[2] = DateADTGetDatum(d[k - 1]);
	else
		nulls[2] = true;
	values[3] = Int32GetDatum(t->to - last);
	values[4] = Int32GetDatum((int32) longest);
	if (t->to > t->from)
		values[5] = Float8GetDatum((double) t->f.n * 30.0 / (double) (t->to - t->from));
	else
		nulls[5] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * true when every whole period [from + k every, from + (k + 1) every)
 * ending by `to` holds a touch; NULL when no period ends by `to`
 */
PG_FUNCTION_INFO_V1(kam_cadence_met_final);
Datum
kam_cadence_met_final(PG_FUNCTION_ARGS)
{
	KamTouches *t;
	DateADT    *d;
	int64		k,
				i = 0;
	bool		any_period = false;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = (KamTouches *) PG_GETARG_POINTER(0);
	if (!t->has_every)
		elog(ERROR, "kam_cadence_met_final: a state without every");
	k = touch_days(t, &d);
	for (int64 p = 0;; p++)
	{
		DateADT		start,
					end;

		CHECK_FOR_INTERRUPTS();
		start = kam_add_months(t->from, p * t->every_months) + (int64) p * t->every_days;
		end = kam_add_months(t->from, (p + 1) * t->every_months) + (int64) (p + 1) * t->every_days;
		if (end > t->to)
			break;
		any_period = true;
		while (i < k && d[i] < start)
			i++;
		if (i == k || d[i] >= end)
			PG_RETURN_BOOL(false);
	}
	if (!any_period)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(true);
}
