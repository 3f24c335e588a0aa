/*-------------------------------------------------------------------------
 *
 * ledger.c
 *	  From billing lines to MRR (docs/ledger.md, SPEC section 7):
 *	  kam.monthly_amount(amount, unit, count) -- a recurring charge per
 *	  `count` `unit`s as an exact monthly amount; kam.discount(...) -- a
 *	  billing system's coupon; kam.mrr_schedule(...) -- the monthly (or
 *	  daily, weekly, quarterly, yearly) MRR of one subscription line, one row
 *	  per period start, with the accounting policy as arguments: when a line
 *	  counts in a period (anchor), trials, pauses, discounts.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "miscadmin.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/numeric.h"
#include "utils/lsyscache.h"
#if PG_VERSION_NUM >= 140000
#include "utils/multirangetypes.h"
#endif
#include "utils/rangetypes.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

static int32
check_count(int32 count)
{
	if (count <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("count must be positive"),
				 errdetail("Value is %d.", count)));
	return count;
}

static Numeric
int_numeric(int64 v)
{
	return DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(v)));
}

/*
 * amount per `count` `unit`s as a monthly amount, exact: amount times the
 * unit's numerator, then divided by its denominator times count (multiplying
 * before dividing: 12 a week is exactly 52 a month).
 */
static Numeric
monthly(Numeric amount, KamUnit unit, int32 count)
{
	Datum		num = DirectFunctionCall2(numeric_mul, NumericGetDatum(amount),
										  NumericGetDatum(int_numeric(kam_unit_num[unit])));
	int64		den = (int64) kam_unit_den[unit] * count;

	if (den != 1)
		num = DirectFunctionCall2(numeric_div, num, NumericGetDatum(int_numeric(den)));
	/* no trailing zeros: 1200 a year is 100 a month, not 100.0000000000000000 */
	return DatumGetNumeric(DirectFunctionCall1(numeric_trim_scale, num));
}

/* numeric infinities exist from PostgreSQL 14 on */
#if PG_VERSION_NUM >= 140000
#define KAM_NUMERIC_IS_INF(n) numeric_is_inf(n)
#else
#define KAM_NUMERIC_IS_INF(n) false
#endif

static void
check_amount(Numeric n, const char *what)
{
	if (numeric_is_nan(n) || KAM_NUMERIC_IS_INF(n))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite amount", what),
				 errdetail("Value is %s.", numeric_is_nan(n) ? "NaN" : "Infinity")));
}

PG_FUNCTION_INFO_V1(kam_monthly_amount);
Datum
kam_monthly_amount(PG_FUNCTION_ARGS)
{
	Numeric		amount = PG_GETARG_NUMERIC(0);
	KamUnit		unit = kam_unit_of(PG_GETARG_TEXT_PP(1), "unit");
	int32		count = check_count(PG_NARGS() > 2 ? PG_GETARG_INT32(2) : 1);

	check_amount(amount, "amount");
	PG_RETURN_NUMERIC(monthly(amount, unit, count));
}

/* ---------- kam.discount ---------- */

typedef enum KamDuration
{
	KAM_DISCOUNT_ONCE,
	KAM_DISCOUNT_REPEATING,
	KAM_DISCOUNT_FOREVER
} KamDuration;

static const char *const duration_names[] = {"once", "repeating", "forever"};

static KamDuration
duration_of(const char *s)
{
	for (int i = 0; i < (int) lengthof(duration_names); i++)
		if (pg_strcasecmp(s, duration_names[i]) == 0)
			return (KamDuration) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown discount duration \"%s\"", s),
			 errhint("Use once, repeating or forever.")));
	pg_unreachable();
}

/* a discount checked: exactly one of percent and amount, months with repeating only */
typedef struct Discount
{
	bool		present;
	bool		is_percent;
	Numeric		value;			/* percent (0-100) or amount per billing
								 * period */
	KamDuration duration;
	int32		months;
} Discount;

static void
discount_check(Discount *d, bool has_percent, bool has_amount, bool has_months)
{
	if (has_percent == has_amount)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a discount has either a percent or an amount"),
				 errhint("kam.discount(percent => 20) or kam.discount(amount => 10).")));
	check_amount(d->value, has_percent ? "percent" : "discount amount");
	if (has_percent &&
		(DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(d->value),
										  NumericGetDatum(int_numeric(0)))) ||
		 DatumGetBool(DirectFunctionCall2(numeric_gt, NumericGetDatum(d->value),
										  NumericGetDatum(int_numeric(100))))))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("percent must be between 0 and 100"),
				 errdetail("Value is %s.", DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(d->value))))));
	if (has_amount &&
		DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(d->value),
										 NumericGetDatum(int_numeric(0)))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a discount amount must not be negative"),
				 errdetail("Value is %s.", DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(d->value))))));
	if ((d->duration == KAM_DISCOUNT_REPEATING) != has_months)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("months goes with a repeating discount, and only with one")));
	if (has_months && d->months <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("months must be positive"),
				 errdetail("Value is %d.", d->months)));
	d->is_percent = has_percent;
	d->present = true;
}

/* kam.discount(percent, amount, duration, months): the composite, checked */
PG_FUNCTION_INFO_V1(kam_discount);
Datum
kam_discount(PG_FUNCTION_ARGS)
{
	Discount	d = {0};
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a discount's duration must not be NULL")));
	d.duration = duration_of(text_to_cstring(PG_GETARG_TEXT_PP(2)));
	d.value = !PG_ARGISNULL(0) ? PG_GETARG_NUMERIC(0) : (!PG_ARGISNULL(1) ? PG_GETARG_NUMERIC(1) : NULL);
	d.months = PG_ARGISNULL(3) ? 0 : PG_GETARG_INT32(3);
	if (d.value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a discount has either a percent or an amount"),
				 errhint("kam.discount(percent => 20) or kam.discount(amount => 10).")));
	discount_check(&d, !PG_ARGISNULL(0), !PG_ARGISNULL(1), !PG_ARGISNULL(3));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "kam_discount: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	for (int i = 0; i < 4; i++)
	{
		nulls[i] = PG_ARGISNULL(i);
		values[i] = nulls[i] ? (Datum) 0 : PG_GETARG_DATUM(i);
	}
	values[2] = CStringGetTextDatum(duration_names[d.duration]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* a kam.discount value (the composite) read and checked again */
static void
discount_from_datum(Datum d, Discount *out)
{
	HeapTupleHeader t = DatumGetHeapTupleHeader(d);
	bool		isnull[4];
	Datum		v[4];

	for (int i = 0; i < 4; i++)
		v[i] = GetAttributeByNum(t, i + 1, &isnull[i]);
	memset(out, 0, sizeof(Discount));
	if (isnull[2])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a discount's duration must not be NULL")));
	out->duration = duration_of(TextDatumGetCString(v[2]));
	out->value = !isnull[0] ? DatumGetNumeric(v[0]) : (!isnull[1] ? DatumGetNumeric(v[1]) : NULL);
	out->months = isnull[3] ? 0 : DatumGetInt32(v[3]);
	if (out->value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a discount has either a percent or an amount"),
				 errhint("kam.discount(percent => 20) or kam.discount(amount => 10).")));
	discount_check(out, !isnull[0], !isnull[1], !isnull[3]);
}

/* ---------- kam.mrr_schedule ---------- */

typedef enum KamAnchor
{
	KAM_ANCHOR_START,			/* active at the period's first instant */
	KAM_ANCHOR_END,				/* active on its last day */
	KAM_ANCHOR_ANY				/* active on any day of it */
} KamAnchor;

static const char *const anchor_names[] = {"start", "end", "any"};

typedef enum KamPolicy
{
	KAM_DISCOUNTS_DEDUCT,
	KAM_DISCOUNTS_IGNORE,
	KAM_DISCOUNTS_FOREVER_ONLY
} KamPolicy;

static const char *const policy_names[] = {"deduct", "ignore", "forever_only"};

static int
option_of(text *t, const char *const *names, int n, const char *what, const char *hint)
{
	char	   *s = text_to_cstring(t);

	for (int i = 0; i < n; i++)
		if (pg_strcasecmp(s, names[i]) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown %s \"%s\"", what, s),
			 errhint("%s", hint)));
	pg_unreachable();
}

/*
 * The pauses of a line as [lo, hi) day spans.  `paused` is declared
 * anycompatible so that one function takes a daterange, a datemultirange
 * (PostgreSQL 14 and later) or the text of either (a quoted literal, a
 * JDBC varchar parameter) without the ambiguity two overloads with a
 * DEFAULT would bring.
 */
typedef struct PauseSpan
{
	DateADT		lo;				/* inclusive */
	DateADT		hi;				/* exclusive */
} PauseSpan;

static void
pause_add_range(TypeCacheEntry *rngtyp, const RangeType *r, PauseSpan **spans, int *n, int *cap)
{
	RangeBound	lower,
				upper;
	bool		empty;

	range_deserialize(rngtyp, r, &lower, &upper, &empty);
	if (empty)
		return;
	if (*n == *cap)
	{
		*cap *= 2;
		*spans = repalloc(*spans, sizeof(PauseSpan) * *cap);
	}

	/*
	 * daterange is canonical: [lo, hi); lower '-infinity' or unbounded starts
	 * with time
	 */
	(*spans)[*n].lo = lower.infinite ? DATEVAL_NOBEGIN : DatumGetDateADT(lower.val);
	(*spans)[*n].hi = upper.infinite ? DATEVAL_NOEND : DatumGetDateADT(upper.val);
	(*n)++;
}

static PauseSpan *
pause_spans(FunctionCallInfo fcinfo, int argno, int *n)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, argno);
	Datum		value = PG_GETARG_DATUM(argno);
	int			cap = 4;
	PauseSpan  *spans = palloc(sizeof(PauseSpan) * cap);

	*n = 0;
	if (typid == TEXTOID || typid == VARCHAROID || typid == UNKNOWNOID)
	{
		char	   *str = typid == UNKNOWNOID ? DatumGetCString(value) : TextDatumGetCString(value);
		const char *c = str;
		Oid			target = DATERANGEOID;
		Oid			typinput,
					typioparam;

		while (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
			c++;
		if (*c == '{')
		{
#if PG_VERSION_NUM >= 140000
			target = DATEMULTIRANGEOID;
#else
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("paused is a multirange, which needs PostgreSQL 14 or later"),
					 errhint("Pass one daterange per pause, one line per paused span.")));
#endif
		}
		getTypeInputInfo(target, &typinput, &typioparam);
		value = OidInputFunctionCall(typinput, str, typioparam, -1);
		typid = target;
	}
	if (typid == DATERANGEOID)
		pause_add_range(lookup_type_cache(DATERANGEOID, TYPECACHE_RANGE_INFO),
						DatumGetRangeTypeP(value), &spans, n, &cap);
#if PG_VERSION_NUM >= 140000
	else if (typid == DATEMULTIRANGEOID)
	{
		MultirangeType *mr = DatumGetMultirangeTypeP(value);
		TypeCacheEntry *mrtyp = lookup_type_cache(DATEMULTIRANGEOID, TYPECACHE_MULTIRANGE_INFO);
		int32		count;
		RangeType **ranges;

		multirange_deserialize(mrtyp->rngtype, mr, &count, &ranges);
		for (int i = 0; i < count; i++)
			pause_add_range(mrtyp->rngtype, ranges[i], &spans, n, &cap);
	}
#endif
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("paused must be a daterange or a datemultirange"),
				 errdetail("It is %s.", format_type_be(typid)),
				 errhint("For a tstzrange p, pass daterange(lower(p)::date, upper(p)::date).")));
	return spans;
}

static bool
in_pause(const PauseSpan *spans, int n, DateADT t)
{
	for (int i = 0; i < n; i++)
		if (spans[i].lo <= t && t < spans[i].hi)
			return true;
	return false;
}

/*
 * kam.mrr_schedule(valid_from, valid_to, amount, unit, count, "from", "to",
 *					grain, anchor, trial_end, paused, discount, discounts)
 * Arguments 0-6 are required (the function is not STRICT: a NULL valid_to
 * is open-ended, NULL options take their defaults).
 */
PG_FUNCTION_INFO_V1(kam_mrr_schedule);
Datum
kam_mrr_schedule(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DateADT		vfrom,
				vto,
				from,
				to,
				trial_end = DATEVAL_NOBEGIN;
	bool		open_ended = PG_ARGISNULL(1);
	Numeric		amount;
	KamUnit		unit,
				grain = KAM_UNIT_MONTH;
	int32		count;
	KamAnchor	anchor = KAM_ANCHOR_START;
	KamPolicy	policy = KAM_DISCOUNTS_DEDUCT;
	PauseSpan  *paused = NULL;
	int			n_paused = 0;
	Discount	disc = {0};
	Numeric		full,
				zero = int_numeric(0),
				discounted = NULL;
	DateADT		disc_end = DATEVAL_NOEND;

	for (int i = 0; i <= 6; i++)
		if (i != 1 && PG_ARGISNULL(i))
		{
			kam_materialize_srf(fcinfo);
			return (Datum) 0;	/* a line without dates or amount has no MRR */
		}
	vfrom = kam_date_arg(fcinfo, 0);
	vto = open_ended ? DATEVAL_NOEND : kam_date_arg(fcinfo, 1);
	amount = PG_GETARG_NUMERIC(2);
	unit = kam_unit_of(PG_GETARG_TEXT_PP(3), "unit");
	count = check_count(PG_GETARG_INT32(4));
	from = kam_date_arg(fcinfo, 5);
	to = kam_date_arg(fcinfo, 6);
	if (PG_NARGS() > 7 && !PG_ARGISNULL(7))
		grain = kam_unit_of(PG_GETARG_TEXT_PP(7), "grain");
	if (PG_NARGS() > 8 && !PG_ARGISNULL(8))
		anchor = (KamAnchor) option_of(PG_GETARG_TEXT_PP(8), anchor_names, lengthof(anchor_names),
									   "anchor", "Use start, end or any.");
	if (PG_NARGS() > 9 && !PG_ARGISNULL(9))
		trial_end = kam_date_arg(fcinfo, 9);
	if (PG_NARGS() > 10 && !PG_ARGISNULL(10))
		paused = pause_spans(fcinfo, 10, &n_paused);
	if (PG_NARGS() > 11 && !PG_ARGISNULL(11))
		discount_from_datum(PG_GETARG_DATUM(11), &disc);
	if (PG_NARGS() > 12 && !PG_ARGISNULL(12))
		policy = (KamPolicy) option_of(PG_GETARG_TEXT_PP(12), policy_names, lengthof(policy_names),
									   "discount policy", "Use deduct, ignore or forever_only.");

	check_amount(amount, "amount");
	kam_check_window(from, to);
	if (DATE_NOT_FINITE(vfrom))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("valid_from must be a finite date"),
				 errdetail("valid_from is %s.", kam_date_str(vfrom))));
	if (vto < vfrom)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("valid_to is before valid_from"),
				 errdetail("valid_from is %s, valid_to is %s.", kam_date_str(vfrom), kam_date_str(vto))));

	full = monthly(amount, unit, count);
	if (disc.present &&
		(policy == KAM_DISCOUNTS_DEDUCT ||
		 (policy == KAM_DISCOUNTS_FOREVER_ONLY && disc.duration == KAM_DISCOUNT_FOREVER)))
	{
		Datum		cut;

		if (disc.is_percent)
			cut = DirectFunctionCall2(numeric_div,
									  DirectFunctionCall2(numeric_mul, NumericGetDatum(full),
														  NumericGetDatum(disc.value)),
									  NumericGetDatum(int_numeric(100)));
		else
			cut = NumericGetDatum(monthly(disc.value, unit, count));
		discounted = DatumGetNumeric(DirectFunctionCall1(numeric_trim_scale,
														 DirectFunctionCall2(numeric_sub, NumericGetDatum(full), cut)));

		/*
		 * a discount takes a charge down to 0, never below; credit lines are
		 * not discounted
		 */
		if (DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(full), NumericGetDatum(zero))))
			discounted = full;
		else if (DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(discounted), NumericGetDatum(zero))))
			discounted = zero;
		if (disc.duration == KAM_DISCOUNT_ONCE)
			disc_end = kam_add_units(vfrom, unit, count);
		else if (disc.duration == KAM_DISCOUNT_REPEATING)
			disc_end = kam_add_months(vfrom, disc.months);
	}

	kam_materialize_srf(fcinfo);
	{
		DateADT		p = kam_grain_start(from, grain);
		int64		k = 0;

		if (p < from)
			p = kam_add_units(kam_grain_start(from, grain), grain, 1);

		/*
		 * the first period that can count: skip those ending before the line
		 * starts
		 */
		while (p <= to)
		{
			DateADT		next = kam_add_units(p, grain, 1);
			DateADT		t;
			bool		counts;
			Datum		values[2];
			bool		nulls[2] = {false, false};

			CHECK_FOR_INTERRUPTS();
			switch (anchor)
			{
				case KAM_ANCHOR_START:
					t = p;
					counts = vfrom <= t && t < vto;
					break;
				case KAM_ANCHOR_END:
					t = next - 1;
					counts = vfrom <= t && t < vto;
					break;
				default:
					t = Max(p, vfrom);
					counts = vfrom < next && vto > p;
					break;
			}
			if (counts)
			{
				Numeric		mrr = full;

				if (t < trial_end)
					mrr = zero;
				else if (in_pause(paused, n_paused, t))
					mrr = zero;
				else if (discounted != NULL && t < disc_end)
					mrr = discounted;
				values[0] = DateADTGetDatum(p);
				values[1] = NumericGetDatum(mrr);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			}
			else if (p >= vto)
				break;			/* the line has ended */
			p = next;
			k++;
		}
	}
	return (Datum) 0;
}
