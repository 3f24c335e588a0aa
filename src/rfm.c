/*-------------------------------------------------------------------------
 *
 * rfm.c
 *	  kam.rfm(at, amount, observation_end, period [, unit]): the RFM summary
 *	  of one customer's transactions, with the conventions of Python's
 *	  lifetimes (summary_data_from_transaction_data):
 *
 *	  - purchases are grouped into periods (calendar days, weeks, months...
 *		of the session's TimeZone); one purchase per period, amounts summed;
 *	  - frequency x = number of distinct periods - 1 (repeat purchases);
 *	  - recency t_x = last period - first period;
 *	  - age T = period of observation_end - first period;
 *	  - monetary = mean amount of the repeat periods (the first excluded),
 *		0 when x = 0;
 *	  - t_x and T are expressed in `unit` (default: the period), so period
 *		'1 day' with unit '7 days' gives weeks as in lifetimes'
 *		freq='D', freq_multiplier=7;
 *	  - transactions after observation_end are ignored.
 *
 *	  kam.rfm_holdout(at, amount, calibration_end, holdout_end, period
 *	  [, unit]) (lifetimes' calibration_and_holdout_data) gives the
 *	  same summary of the calibration purchases (at <= calibration_end)
 *	  and, of those in (calibration_end, holdout_end], the number of
 *	  distinct periods, their mean total and the holdout's length in units;
 *	  NULL for a customer whose first purchase is after calibration_end.
 *
 *	  kam.rfm_accounts(account, at, amount, observation_end, period [, unit])
 *	  gives the same summary for every account at once, without a GROUP BY:
 *	  an array of kam.account_rfm, one per account with a transaction up to
 *	  observation_end.  Its state is the per-account history of accounts.c
 *	  (one point per account and period, amounts summed), so it grows with
 *	  accounts and periods, not rows.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "miscadmin.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

/* A period: a whole number of months, or a span of days and time. */
typedef struct KamPeriod
{
	int32		months;
	int64		usec;
} KamPeriod;

typedef struct RfmPurchase
{
	int64		bucket;
	double		amount;
} RfmPurchase;

/*
 * The same purchase in half the room, when its period number fits in 32
 * bits and its amount is a whole number of cents that does too (money read
 * from numeric(12,2) up to 21 474 836.47): (double) cents / 100 gives the
 * amount back bit for bit (kam_amount_cents), and cents order as their
 * amounts do.
 */
typedef struct RfmCents
{
	int32		bucket;
	int32		cents;
} RfmCents;

/* an aggregate's fixed arguments, the same for every row of a group */
typedef struct RfmSettings
{
	TimestampTz end;
	KamPeriod	period;
	KamPeriod	unit;
	int64		end_bucket;
	bool		holdout;		/* the holdout form */
	TimestampTz hold_end;
	int64		hold_end_bucket;
} RfmSettings;

/*
 * A group's state: a 40-byte header and the purchases after it, in one
 * chunk (kam_flex_new): as RfmCents while every purchase fits one (128
 * bytes for up to 11 purchases, 256 for up to 27), else as RfmPurchase
 * (the state is widened once, at the first purchase that does not fit).
 * A struct and an array took two chunks and 352 bytes for 7 to 14
 * purchases.
 * Its settings are shared with the groups before it that had the same
 * (rfm_settings_share), so a GROUP BY over hundreds of thousands of
 * customers does not keep them once a customer: hash aggregation's memory,
 * and the pages a fresh backend faults in, are what a grouped RFM spends
 * most of its time on.
 */
typedef struct RfmState
{
	KamFlexHead f;				/* f.n purchases, in arrival order */
	const RfmSettings *set;		/* in the call site's memory (fn_mcxt) */
	KamArray   *h;				/* the holdout form's RfmPurchase, else NULL */
	bool		wide;			/* the purchases are RfmPurchase, else
								 * RfmCents */
	/* the purchases follow, at RFM_HEADER */
} RfmState;

#define RFM_HEADER MAXALIGN(sizeof(RfmState))
#define RFM_ELEM(st) ((st)->wide ? sizeof(RfmPurchase) : sizeof(RfmCents))
#define RFM_DATA(st) ((char *) (st) + RFM_HEADER)	/* of either form */
#define RFM_WIDE(st) ((RfmPurchase *) RFM_DATA(st))
#define RFM_CENTS(st) ((RfmCents *) RFM_DATA(st))

/* 2000-01-03, a Monday: weeks ('7 days') start on Mondays */
#define RFM_ORIGIN_USEC (2 * USECS_PER_DAY)

/*
 * an interval as a period, its sign unchecked: months, and days and time as
 * microseconds (which must fit)
 */
static inline KamPeriod
period_raw(const Interval *iv)
{
	KamPeriod	p;

	p.months = iv->month;
	if (unlikely(pg_mul_s64_overflow((int64) iv->day, USECS_PER_DAY, &p.usec) ||
				 pg_add_s64_overflow(p.usec, iv->time, &p.usec)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("period and unit must be less than 292 271 years"),
				 errdetail("Value is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out, PointerGetDatum(iv))))));
	return p;
}

static inline bool
periods_equal(KamPeriod a, KamPeriod b)
{
	return a.months == b.months && a.usec == b.usec;
}

static KamPeriod
period_of(Interval *iv, const char *what)
{
	KamPeriod	p;

	if (iv->month != 0 && (iv->day != 0 || iv->time != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be whole months or a span of days and time, not both", what),
				 errdetail("Value is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out, PointerGetDatum(iv))))));
	p = period_raw(iv);
	if (p.months < 0 || p.usec < 0 || (p.months == 0 && p.usec == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a positive interval", what),
				 errdetail("Value is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out, PointerGetDatum(iv))))));
	return p;
}

/* the period and unit checked (each positive, both months or both days and time) */
static void
periods_of(Interval *period, Interval *unit, KamPeriod *p, KamPeriod *u)
{
	*p = period_of(period, "period");
	*u = period_of(unit, "unit");
	if ((p->months > 0) != (u->months > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period and unit must both be months or both be days and time")));
}

/*
 * A moment argument as a comparable int64, whichever of the declared types:
 * a date as its midnight (a date is already local), a timestamp as it is, a
 * timestamptz as its instant.
 */
static int64
moment_arg(FunctionCallInfo fcinfo, int argno, Oid type)
{
	if (type == DATEOID)
	{
		DateADT		d = PG_GETARG_DATEADT(argno);

		if (DATE_NOT_FINITE(d))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("transaction and observation times must be finite")));
		/* as date::timestamp: a date past the last timestamp has no moment */
		if (d >= (DateADT) (TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("date out of range for timestamp"),
					 errdetail("Value is %s.", kam_date_str(d))));
		return (int64) d * USECS_PER_DAY;
	}
	return PG_GETARG_INT64(argno);
}

/*
 * The period number of a moment, in the session's local calendar: a
 * timestamptz is read in the session's time zone, a date or timestamp as it
 * is (no time zone lookup).
 */
static int64
bucket_of(int64 at, Oid type, const KamPeriod *p)
{
	Timestamp	local = at;

	if (TIMESTAMP_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transaction and observation times must be finite")));
	if (type == TIMESTAMPTZOID)
		local = kam_local_timestamp(at);
	if (p->months > 0)
	{
		/* the local day's calendar month (local is a valid timestamp) */
		int			year,
					month,
					mday;

		j2date((int) kam_timestamp_date(local) + POSTGRES_EPOCH_JDATE, &year, &month, &mday);
		return kam_floor_div((int64) year * 12 + month - 1, p->months);
	}
	return kam_floor_div(local - RFM_ORIGIN_USEC, p->usec);
}

static bool
settings_equal(const RfmSettings *a, const RfmSettings *b)
{
	return a->end == b->end && a->holdout == b->holdout && a->hold_end == b->hold_end &&
		periods_equal(a->period, b->period) && periods_equal(a->unit, b->unit) &&
		a->end_bucket == b->end_bucket && a->hold_end_bucket == b->hold_end_bucket;
}

/*
 * Settings for a new group: those of the call site's last new group when
 * they are the same (always, but where a group's arguments come from its
 * own columns), else a copy that becomes the last.  They live in the call
 * site's memory (fn_mcxt, the query's), which outlives every aggregate
 * context and its resets (hash aggregation spilling).
 */
static const RfmSettings *
rfm_settings_share(FunctionCallInfo fcinfo, const RfmSettings *set)
{
	RfmSettings **last = (RfmSettings **) kam_call_cache(fcinfo);

	if (*last == NULL || !settings_equal(*last, set))
	{
		*last = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(RfmSettings));
		**last = *set;
	}
	return *last;
}

/*
 * an empty state of these settings, in ctx, room for `room` purchases of
 * the form `wide` says
 */
static RfmState *
rfm_new(MemoryContext ctx, const RfmSettings *set, bool wide, int64 room)
{
	RfmState   *st = kam_flex_new(ctx, RFM_HEADER,
								  wide ? sizeof(RfmPurchase) : sizeof(RfmCents), room);

	st->set = set;
	st->wide = wide;
	if (set->holdout)
	{
		st->h = MemoryContextAlloc(ctx, sizeof(KamArray));
		kam_array_init(st->h, ctx, sizeof(RfmPurchase), 0);
	}
	return st;
}

/* the amount of a purchase as cents that fit an RfmCents, if it is one */
static inline bool
rfm_cents_of(double amount, int32 *cents)
{
	int64		c;

	if (!kam_amount_cents(kam_double_bits(amount), &c) || c != (int32) c)
		return false;
	*cents = (int32) c;
	return true;
}

/* purchase i of p[], RfmPurchase when wide, else RfmCents */
static inline RfmPurchase
rfm_purchase(const void *p, bool wide, int64 i)
{
	RfmPurchase x;

	if (wide)
		return ((const RfmPurchase *) p)[i];
	x.bucket = ((const RfmCents *) p)[i].bucket;
	x.amount = (double) ((const RfmCents *) p)[i].cents / 100.0;
	return x;
}

/* purchases c[0..n-1] as RfmPurchase, in p */
static void
rfm_cents_widen(const RfmCents *c, int64 n, RfmPurchase *p)
{
	for (int64 i = 0; i < n; i++)
		p[i] = rfm_purchase(c, false, i);
}

/*
 * The state with its purchases as RfmPurchase, room for `more` further: a
 * new chunk in the state's memory when it held RfmCents (freed), the state
 * itself otherwise.
 */
static inline RfmState *
rfm_widen(RfmState *st, int64 more)
{
	RfmState   *w;

	if (st->wide)
		return kam_flex_reserve(st, RFM_HEADER, sizeof(RfmPurchase), more);
	w = kam_flex_new(GetMemoryChunkContext(st), RFM_HEADER, sizeof(RfmPurchase),
					 st->f.n + more);
	w->f.n = st->f.n;
	w->set = st->set;
	w->h = st->h;
	w->wide = true;
	rfm_cents_widen(RFM_CENTS(st), st->f.n, RFM_WIDE(w));
	pfree(st);
	return w;
}

static Datum
rfm_sfunc(FunctionCallInfo fcinfo, bool holdout)
{
	MemoryContext aggctx;
	RfmState   *st;
	int64		at,
				end;
	double		amount;
	Interval   *period,
			   *unit;
	int64		b;
	int64		hold_end;
	Oid			type;

	aggctx = kam_agg_context(fcinfo, "kam_rfm_sfunc");
	KAM_AGG_SKIP_NULL(1, PG_NARGS() - 1);
	/* at and the ends share one declared type: date, timestamp or timestamptz */
	type = kam_arg_type(fcinfo, 1);
	if (type == InvalidOid)
		type = TIMESTAMPTZOID;	/* called without an expression: the first
								 * form */
	at = moment_arg(fcinfo, 1, type);
	amount = kam_money_arg(fcinfo, 2);
	end = moment_arg(fcinfo, 3, type);

	/*
	 * the holdout form: (at, amount, calibration_end, holdout_end, period [,
	 * unit])
	 */
	hold_end = holdout ? moment_arg(fcinfo, 4, type) : end;
	period = PG_GETARG_INTERVAL_P(holdout ? 5 : 4);
	unit = PG_NARGS() > (holdout ? 6 : 5) ? PG_GETARG_INTERVAL_P(holdout ? 6 : 5) : period;
	kam_check_money(amount, "amount");

	if (PG_ARGISNULL(0))
	{
		RfmSettings set;

		if (holdout && !(hold_end > end))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("holdout_end must be after calibration_end")));
		set.end = end;
		set.holdout = holdout;
		set.hold_end = hold_end;
		periods_of(period, unit, &set.period, &set.unit);
		set.end_bucket = bucket_of(end, type, &set.period);
		set.hold_end_bucket = bucket_of(hold_end, type, &set.period);
		/* a chunk of 128 bytes: room for 11 */
		st = rfm_new(aggctx, rfm_settings_share(fcinfo, &set), false, 11);
	}
	else
	{
		st = (RfmState *) PG_GETARG_POINTER(0);
		if (end != st->set->end || hold_end != st->set->hold_end)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be the same for every row of one aggregate",
							st->set->holdout ? "calibration_end and holdout_end" : "observation_end")));
	}
	/* a later row may not change the period or unit either */
	if (!periods_equal(st->set->period, period_raw(period)) ||
		!periods_equal(st->set->unit, period_raw(unit)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period and unit must be the same for every row of one aggregate")));

	b = bucket_of(at, type, &st->set->period);
	if (at > st->set->hold_end || (at > end && !st->set->holdout))
		PG_RETURN_POINTER(st);
	if (at > end)
	{
		RfmPurchase *pu = kam_array_push(st->h);

		pu->bucket = b;
		pu->amount = amount;
	}
	else
	{
		int32		cents;

		if (likely(!st->wide) && b == (int32) b && rfm_cents_of(amount, &cents))
		{
			st = kam_flex_reserve(st, RFM_HEADER, sizeof(RfmCents), 1);
			RFM_CENTS(st)[st->f.n].bucket = (int32) b;
			RFM_CENTS(st)[st->f.n++].cents = cents;
		}
		else
		{
			st = rfm_widen(st, 1);
			RFM_WIDE(st)[st->f.n].bucket = b;
			RFM_WIDE(st)[st->f.n++].amount = amount;
		}
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(kam_rfm_sfunc);
Datum
kam_rfm_sfunc(PG_FUNCTION_ARGS)
{
	return rfm_sfunc(fcinfo, false);
}

PG_FUNCTION_INFO_V1(kam_rfm_holdout_sfunc);
Datum
kam_rfm_holdout_sfunc(PG_FUNCTION_ARGS)
{
	return rfm_sfunc(fcinfo, true);
}

PG_FUNCTION_INFO_V1(kam_rfm_combine);
Datum
kam_rfm_combine(PG_FUNCTION_ARGS)
{
	RfmState   *st;
	RfmState   *other;

	(void) kam_agg_context(fcinfo, "kam_rfm_combine");
	KAM_AGG_SKIP_NULL(1, 1);
	KAM_COMBINE_KEEP_FIRST();
	other = (RfmState *) PG_GETARG_POINTER(1);
	st = (RfmState *) PG_GETARG_POINTER(0);
	if (!settings_equal(st->set, other->set))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("observation_end, period and unit must be the same for every row of one aggregate")));
	if (!st->wide && !other->wide)
		st = kam_flex_append(st, RFM_HEADER, sizeof(RfmCents), RFM_CENTS(other), other->f.n);
	else
	{
		/* the other's purchases, as RfmPurchase, after this state's */
		st = rfm_widen(st, other->f.n);
		if (other->wide)
			memcpy(RFM_WIDE(st) + st->f.n, RFM_WIDE(other), other->f.n * sizeof(RfmPurchase));
		else
			rfm_cents_widen(RFM_CENTS(other), other->f.n, RFM_WIDE(st) + st->f.n);
		st->f.n += other->f.n;
	}
	if (st->h)
		kam_array_append(st->h, other->h->data, other->h->n);
	if (other->h)
		kam_combine_free_spent(fcinfo, other->h, other->h);
	kam_combine_free_spent(fcinfo, other, NULL);
	PG_RETURN_POINTER(st);
}

/*
 * Serialized state, format version 5: observation (calibration) end,
 * period and unit, the end bucket, the holdout flag, holdout end and its
 * bucket, then the calibration purchases (a byte, 1 when they are
 * RfmPurchase and 0 when RfmCents) and, in the holdout form only, the
 * holdout purchases (RfmPurchase), each as a count and the structs in the
 * machine's byte order (kam_state_send_native: a parallel state never leaves
 * the server).  (Version 1 had no holdout; version 2 wrote each pair's
 * fields in network byte order; version 3 sent an empty holdout list in the
 * form without one; version 4 had no RfmCents.)
 */
#define RFM_STATE_VERSION 5

StaticAssertDecl(sizeof(RfmPurchase) == 16, "RfmPurchase is sent as it is, without padding");
StaticAssertDecl(sizeof(RfmCents) == 8, "RfmCents is sent as it is, without padding");

static void
rfm_send_purchases(StringInfo buf, const void *p, int64 n, Size each)
{
	pq_sendint64(buf, n);
	kam_state_send_native(buf, p, n, each);
}

/* the count of a list of purchases, which are read next (kam_state_recv_native) */
static int64
rfm_recv_count(StringInfo buf, Size each)
{
	return kam_state_recv_count(buf, PG_INT64_MAX, each, "kam_rfm_deserial");
}

PG_FUNCTION_INFO_V1(kam_rfm_serial);
Datum
kam_rfm_serial(PG_FUNCTION_ARGS)
{
	RfmState   *st = (RfmState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	kam_agg_context(fcinfo, "kam_rfm_serial");
	kam_state_send_begin(&buf, KAM_STATE_RFM, RFM_STATE_VERSION);
	pq_sendint64(&buf, st->set->end);
	pq_sendint32(&buf, st->set->period.months);
	pq_sendint64(&buf, st->set->period.usec);
	pq_sendint32(&buf, st->set->unit.months);
	pq_sendint64(&buf, st->set->unit.usec);
	pq_sendint64(&buf, st->set->end_bucket);
	pq_sendbyte(&buf, st->set->holdout ? 1 : 0);
	pq_sendint64(&buf, st->set->hold_end);
	pq_sendint64(&buf, st->set->hold_end_bucket);
	pq_sendbyte(&buf, st->wide ? 1 : 0);
	rfm_send_purchases(&buf, RFM_DATA(st), st->f.n, RFM_ELEM(st));
	if (st->h)
		rfm_send_purchases(&buf, st->h->data, st->h->n, sizeof(RfmPurchase));
	PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam.rfm"));
}

PG_FUNCTION_INFO_V1(kam_rfm_deserial);
Datum
kam_rfm_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_rfm_deserial");
	StringInfoData buf;
	RfmSettings hdr;
	RfmState   *st;
	int64		n;
	bool		wide;

	kam_state_recv_begin(&buf, PG_GETARG_BYTEA_PP(0), KAM_STATE_RFM, RFM_STATE_VERSION,
						 "kam_rfm_deserial");
	hdr.end = pq_getmsgint64(&buf);
	hdr.period.months = pq_getmsgint(&buf, 4);
	hdr.period.usec = pq_getmsgint64(&buf);
	hdr.unit.months = pq_getmsgint(&buf, 4);
	hdr.unit.usec = pq_getmsgint64(&buf);
	hdr.end_bucket = pq_getmsgint64(&buf);
	hdr.holdout = pq_getmsgbyte(&buf) != 0;
	hdr.hold_end = pq_getmsgint64(&buf);
	hdr.hold_end_bucket = pq_getmsgint64(&buf);
	wide = pq_getmsgbyte(&buf) != 0;
	n = rfm_recv_count(&buf, wide ? sizeof(RfmPurchase) : sizeof(RfmCents));
	/* one chunk of the purchases' own size */
	st = rfm_new(aggctx, rfm_settings_share(fcinfo, &hdr), wide, n);
	kam_state_recv_native(&buf, RFM_DATA(st), n, RFM_ELEM(st));
	st->f.n = n;
	if (st->h)
	{
		n = rfm_recv_count(&buf, sizeof(RfmPurchase));
		kam_array_reserve(st->h, n);
		kam_state_recv_native(&buf, st->h->data, n, sizeof(RfmPurchase));
		st->h->n = n;
	}
	kam_state_recv_end(&buf, "kam_rfm_deserial");
	PG_RETURN_POINTER(st);
}

/* purchases up to this many are sorted by insertion (RFM_INSERTION_SORT^2 / 4 moves at most) */
#define RFM_INSERTION_SORT 32

/* purchases by period, then by amount: one order whatever the rows' */
static inline bool
purchase_before(const RfmPurchase *a, const RfmPurchase *b)
{
	return a->bucket < b->bucket || (a->bucket == b->bucket && a->amount < b->amount);
}

static int
cmp_purchase(const void *a, const void *b)
{
	/*
	 * pg_qsort sorts in place, allocating nothing: it may stop at any
	 * comparison
	 */
	CHECK_FOR_INTERRUPTS();
	return (int) purchase_before(b, a) - (int) purchase_before(a, b);
}

/* the periods of a customer's purchases: how many, the first and last, their totals summed */
typedef struct RfmPeriods
{
	int64		n;
	int64		first;
	int64		last;
	KamSum		sum;			/* of the totals of all periods but the first
								 * (skip_first) or of all */
} RfmPeriods;

/*
 * The purchases p[0..n-1] (RfmPurchase when wide, else RfmCents) taken by
 * period and amount, one total per period.  A period's amounts add up in
 * ascending order, so the totals do not depend on the order the rows came
 * in (serially, from parallel workers or from partitions), nor on the
 * purchases' form.  Purchases that came in that order (a customer's
 * invoices by date, mostly) are read where they are; others are sorted in a
 * palloc'd copy as RfmPurchase: the state stays as it was.
 */
static void
rfm_periods(const void *p, int64 n, bool wide, bool skip_first, RfmPeriods *out)
{
	int64		i = 1;
	double		total = 0;
	RfmPurchase prev = n > 0 ? rfm_purchase(p, wide, 0) : (RfmPurchase) {0};

	/* each purchase read once: against the one before it */
	for (; i < n; i++)
	{
		RfmPurchase x = rfm_purchase(p, wide, i);

		CHECK_FOR_INTERRUPTS();
		if (purchase_before(&x, &prev))
			break;
		prev = x;
	}
	if (i < n)
	{
		RfmPurchase *s = kam_alloc_large(CurrentMemoryContext, n * sizeof(RfmPurchase), 0);

		if (wide)
			memcpy(s, p, n * sizeof(RfmPurchase));
		else
			rfm_cents_widen(p, n, s);
		if (n <= RFM_INSERTION_SORT)
		{
			/* a customer's few purchases, nearly in order: by insertion */
			for (int64 k = 1; k < n; k++)
			{
				RfmPurchase x = s[k];
				int64		j = k;

				while (j > 0 && purchase_before(&x, &s[j - 1]))
				{
					s[j] = s[j - 1];
					j--;
				}
				s[j] = x;
			}
		}
		else
			qsort(s, n, sizeof(RfmPurchase), cmp_purchase);
		p = s;
		wide = true;
	}
	out->n = 0;
	out->first = out->last = 0;
	out->sum.sum = out->sum.comp = 0;
	for (i = 0; i < n; i++)
	{
		RfmPurchase x = rfm_purchase(p, wide, i);

		CHECK_FOR_INTERRUPTS();
		if (out->n > 0 && x.bucket == out->last)
		{
			total += x.amount;
			continue;
		}
		/* a period ends: its total counts unless it is the first skipped */
		if (out->n > (skip_first ? 1 : 0))
			kam_sum_add(&out->sum, total);
		if (out->n++ == 0)
			out->first = x.bucket;
		out->last = x.bucket;
		total = x.amount;
	}
	if (out->n > (skip_first ? 1 : 0))
		kam_sum_add(&out->sum, total);
}

/*
 * (frequency, recency, age, monetary), and for the holdout form the
 * holdout's (frequency, monetary, duration)
 */
static Datum
rfm_result(FunctionCallInfo fcinfo, bool holdout)
{
	RfmState   *st;
	RfmPeriods	b,
				h;
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {0};
	double		num,
				den;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (RfmState *) PG_GETARG_POINTER(0);
	if (st->set->holdout != holdout)
		elog(ERROR, "kam.rfm: final function of the other form");
	if (st->f.n == 0)
		PG_RETURN_NULL();
	rfm_periods(RFM_DATA(st), st->f.n, st->wide, true, &b);
	num = st->set->period.months > 0 ? st->set->period.months : (double) st->set->period.usec;
	den = st->set->unit.months > 0 ? st->set->unit.months : (double) st->set->unit.usec;
	tupdesc = kam_result_tupdesc(fcinfo);
	values[0] = Int32GetDatum(b.n - 1);
	values[1] = Float8GetDatum((double) (b.last - b.first) * num / den);
	values[2] = Float8GetDatum((double) (st->set->end_bucket - b.first) * num / den);
	values[3] = Float8GetDatum(b.n > 1 ? kam_sum_value(&b.sum) / (b.n - 1) : 0.0);
	if (holdout)
	{
		rfm_periods(st->h->data, st->h->n, true, false, &h);
		values[4] = Int32GetDatum(h.n);
		values[5] = Float8GetDatum(h.n > 0 ? kam_sum_value(&h.sum) / h.n : 0.0);
		values[6] = Float8GetDatum((double) (st->set->hold_end_bucket - st->set->end_bucket) * num / den);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(kam_rfm_final);
Datum
kam_rfm_final(PG_FUNCTION_ARGS)
{
	return rfm_result(fcinfo, false);
}

PG_FUNCTION_INFO_V1(kam_rfm_holdout_final);
Datum
kam_rfm_holdout_final(PG_FUNCTION_ARGS)
{
	return rfm_result(fcinfo, true);
}

/*
 * kam.rfm_accounts: the fixed arguments as the history state keeps them
 * (kam_acct_set_settings), each an int64 in network byte order: the
 * observation end, the period's and the unit's months and microseconds,
 * and the moment type.
 */
#define RFM_ACCT_NSETTINGS 6

static void
rfm_acct_settings(uint64 *w, int64 end, KamPeriod period, KamPeriod unit, Oid type)
{
	w[0] = pg_hton64((uint64) end);
	w[1] = pg_hton64((uint64) (int64) period.months);
	w[2] = pg_hton64((uint64) period.usec);
	w[3] = pg_hton64((uint64) (int64) unit.months);
	w[4] = pg_hton64((uint64) unit.usec);
	w[5] = pg_hton64((uint64) type);
}

/* the settings back: the end, period, unit and type */
static void
rfm_acct_read_settings(KamAcctState *st, int64 *end, KamPeriod *period, KamPeriod *unit, Oid *type)
{
	int32		len;
	const uint64 *w = kam_acct_settings(st, &len);
	int64		v[RFM_ACCT_NSETTINGS];

	if (w == NULL || len != sizeof(v))
		elog(ERROR, "kam.rfm_accounts: a state without its settings");
	for (int i = 0; i < RFM_ACCT_NSETTINGS; i++)
	{
		uint64		x;

		memcpy(&x, w + i, sizeof(x));
		v[i] = (int64) pg_ntoh64(x);
	}
	*end = v[0];
	period->months = (int32) v[1];
	period->usec = v[2];
	unit->months = (int32) v[3];
	unit->usec = v[4];
	*type = (Oid) v[5];
}

#define RFM_ACCT_WHAT "observation_end, period and unit"

/*
 * The fixed arguments of the call site's last row and the state they were
 * checked against (kept in kam_call_cache): a row with the same ones, into
 * the same state, skips checking and comparing them again.
 */
typedef struct RfmAcctLast
{
	KamAcctState *st;
	Oid			type;
	int64		end;
	Interval	period;
	Interval	unit;
	KamPeriod	p;
} RfmAcctLast;

/*
 * kam.rfm_accounts(account, at, amount, observation_end, period [, unit])
 * transition: the row's amount added to the account's period (a row after
 * observation_end is left out, as in kam.rfm).
 */
PG_FUNCTION_INFO_V1(kam_rfm_accounts_sfunc);
Datum
kam_rfm_accounts_sfunc(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	Oid			type;
	int64		at,
				end,
				b;
	double		amount;
	Interval   *period,
			   *unit;
	void	  **cache;
	RfmAcctLast *last;
	int32		len;
	bool		first;

	KAM_AGG_SKIP_NULL(1, PG_NARGS() - 1);
	type = kam_arg_type(fcinfo, 2);
	at = moment_arg(fcinfo, 2, type);
	amount = kam_money_arg(fcinfo, 3);
	end = moment_arg(fcinfo, 4, type);
	period = PG_GETARG_INTERVAL_P(5);
	unit = PG_NARGS() > 6 ? PG_GETARG_INTERVAL_P(6) : period;
	kam_check_money(amount, "amount");

	st = kam_acct_state_get(fcinfo, KAM_ACCT_HISTORY);
	cache = kam_call_cache(fcinfo);
	if (unlikely(*cache == NULL))
		*cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RfmAcctLast));
	last = (RfmAcctLast *) *cache;
	/* a state with no settings yet may sit where the last one was */
	first = kam_acct_settings(st, &len) == NULL;
	if (first || last->st != st || last->type != type || last->end != end ||
		memcmp(&last->period, period, sizeof(Interval)) != 0 ||
		memcmp(&last->unit, unit, sizeof(Interval)) != 0)
	{
		uint64		w[RFM_ACCT_NSETTINGS];
		KamPeriod	p,
					u;

		if (first)
		{
			/* the first row: its arguments checked, then every row's compared */
			periods_of(period, unit, &p, &u);
			bucket_of(end, type, &p);	/* a finite end */
		}
		p = period_raw(period);
		u = period_raw(unit);
		rfm_acct_settings(w, end, p, u, type);
		kam_acct_set_settings(st, RFM_ACCT_WHAT, w, sizeof(w));
		last->st = st;
		last->type = type;
		last->end = end;
		last->period = *period;
		last->unit = *unit;
		last->p = p;
	}

	b = bucket_of(at, type, &last->p);
	if (at > end)
		PG_RETURN_POINTER(st);
	/* a period number is kept where the history keeps a date */
	if (b <= PG_INT32_MIN || b >= PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many periods of %s for kam.rfm_accounts",
						DatumGetCString(DirectFunctionCall1(interval_out, PointerGetDatum(period)))),
				 errhint("Use a longer period, or kam.rfm grouped by account.")));
	kam_acct_add_row(st, PG_GETARG_DATUM(1), (DateADT) b, amount, amount);
	PG_RETURN_POINTER(st);
}

/*
 * kam.rfm_accounts final: for each account (in no particular order), its key
 * as text and kam.rfm's summary of its periods.
 */
PG_FUNCTION_INFO_V1(kam_rfm_accounts_final);
Datum
kam_rfm_accounts_final(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	KamHistory	h;
	int64		end,
				end_bucket;
	KamPeriod	period,
				unit;
	Oid			type,
				keytype,
				outfn;
	bool		varlena;
	FmgrInfo	outf;
	KamRows		out;
	double		num,
				den;
	bool		intkey;
	union
	{
		int32		align;		/* a varlena's header is an int32 */
		char		bytes[VARHDRSZ + MAXINT8LEN + 1];
	}			keytext;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KamAcctState *) PG_GETARG_POINTER(0);
	rfm_acct_read_settings(st, &end, &period, &unit, &type);
	end_bucket = bucket_of(end, type, &period);
	num = period.months > 0 ? period.months : (double) period.usec;
	den = unit.months > 0 ? unit.months : (double) unit.usec;
	keytype = kam_acct_keytype(st);
	getTypeOutputInfo(keytype, &outfn, &varlena);
	fmgr_info(outfn, &outf);
	intkey = keytype == INT2OID || keytype == INT4OID || keytype == INT8OID;

	kam_history_open(st, &h);
	kam_rows_init(&out, fcinfo, h.naccts);
	for (int32 acct = 0; acct < h.naccts; acct++)
	{
		int			n;
		const char *run = kam_history_account(&h, acct, &n);
		int64		nb = n;
		KamSum		repeat = {0, 0};
		int64		b0,
					bl;
		Datum		values[5];
		bool		nulls[5] = {0};
		char	   *key;

		CHECK_FOR_INTERRUPTS();
		/* (every account has a point: it came with one) */
		if (nb == 0)
			continue;
		b0 = kam_run_point(&h, run, 0)->at;
		bl = kam_run_point(&h, run, n - 1)->at;
		for (int j = 1; j < n; j++)
			kam_sum_add(&repeat, kam_run_point(&h, run, j)->mrr);
		if (intkey)
		{
			/*
			 * an integer key's text as int8out writes it, here (the row
			 * copies it): no call, no allocation an account
			 */
			pg_lltoa(DatumGetInt64(kam_history_key(st, &h, acct)), keytext.bytes + VARHDRSZ);
			SET_VARSIZE(keytext.bytes, VARHDRSZ + strlen(keytext.bytes + VARHDRSZ));
			values[0] = PointerGetDatum(keytext.bytes);
		}
		else
		{
			key = OutputFunctionCall(&outf, kam_history_key(st, &h, acct));
			values[0] = CStringGetTextDatum(key);
		}
		values[1] = Int32GetDatum((int32) (nb - 1));
		values[2] = Float8GetDatum((double) (bl - b0) * num / den);
		values[3] = Float8GetDatum((double) (end_bucket - b0) * num / den);
		values[4] = Float8GetDatum(nb > 1 ? kam_sum_value(&repeat) / (nb - 1) : 0.0);
		kam_rows_add(&out, values, nulls);
		/* the key's text, copied into the row: not kept once an account */
		if (!intkey)
		{
			pfree(key);
			pfree(DatumGetPointer(values[0]));
		}
	}
	PG_RETURN_DATUM(kam_rows_result(&out));
}
