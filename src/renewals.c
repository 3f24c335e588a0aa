/*-------------------------------------------------------------------------
 *
 * renewals.c
 *	  The key-account manager's renewals (docs/kam.md, SPEC section 8).
 *
 *	  kam.renewal_agg(term_end, renewed_on, term_value, renewal_value,
 *					  "from", "to", as_of [, grace_days]) over one row per
 *		  contract term, counting the terms with from <= term_end < to, into
 *		  a fixed-size kam.renewals summary (concrete state, combine, exact
 *		  text and binary I/O: Citus pushes it down).
 *	  Accessors: kam.renewal_rate, kam.gross_renewal_rate,
 *		  kam.net_renewal_rate, kam.on_time_rate, kam.renewals (one row).
 *
 * A term is renewed when renewed_on is not NULL and not after as_of (a
 * renewal recorded later was not known on as_of): on time when renewed_on
 * <= term_end + grace_days, late otherwise.  A term not renewed is lost when
 * as_of > term_end + grace_days, pending otherwise.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

typedef struct KamRenewals
{
	double		on_time;		/* counts (stored as int64) */
	double		late;
	double		lost;
	double		pending;
	KamSum		renewed_term;	/* sum term_value over renewed terms */
	KamSum		lost_term;		/* ... over lost terms */
	KamSum		pending_term;	/* ... over pending terms */
	KamSum		renewal;		/* sum renewal_value over renewed terms */
	KamSum		renewal_kept;	/* sum min(renewal_value, term_value) over
								 * renewed terms */
} KamRenewals;

#define RENEWALS_NVALUES 9
#define RENEWALS_COUNTS 0xF
#define renewals_load(stored, r) kam_counts_load((stored), (r), sizeof(KamRenewals), RENEWALS_COUNTS)
#define renewals_store(r, stored) kam_counts_store((r), (stored), sizeof(KamRenewals), RENEWALS_COUNTS)

static const char *const renewals_names[] = {
	"on_time", "late", "lost", "pending",
	"renewed_term", "lost_term", "pending_term", "renewal", "renewal_kept"
};

/* the stored layout, which the transition function updates in place */
typedef struct KamRenewalsStored
{
	int64		count[4];		/* on_time, late, lost, pending */
	KamSum		renewed_term;
	KamSum		lost_term;
	KamSum		pending_term;
	KamSum		renewal;
	KamSum		renewal_kept;
} KamRenewalsStored;

StaticAssertDecl(sizeof(KamRenewalsStored) == sizeof(KamRenewals),
				 "kam.renewals: the stored and working layouts differ in size");

static KAM_NORETURN void renewals_out_of_range(void);

static void
renewals_out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("kam.renewals value out of range"),
			 errdetail("The values must be finite and the terms at most 2^52 - 1.")));
}

static const char *
renewals_invalid(const double *v)
{
	for (int i = 0; i < 4; i++)
		if (!(v[i] >= 0 && v[i] <= KAM_MAX_COUNT) || v[i] != floor(v[i]))
			return "on_time, late, lost and pending must be whole counts.";
	for (int i = 4; i < RENEWALS_NVALUES; i++)
		if (!isfinite(v[i]) || v[i] < 0)
			return "The values must be finite and not negative.";
	if (v[0] + v[1] == 0 && (v[4] != 0 || v[7] != 0 || v[8] != 0))
		return "Without a renewed term, renewed_term, renewal and renewal_kept must be 0.";
	if (v[2] == 0 && v[5] != 0)
		return "Without a lost term, lost_term must be 0.";
	if (v[3] == 0 && v[6] != 0)
		return "Without a pending term, pending_term must be 0.";
	if (v[0] + v[1] + v[2] + v[3] > KAM_MAX_COUNT)
		return "The terms must number at most 2^52 - 1.";
	return NULL;
}

static const KamValuesType renewals_type = {"kam.renewals", renewals_names, RENEWALS_NVALUES, 0, renewals_invalid};

static void
renewals_values(const KamRenewals *r, double *v)
{
	v[0] = r->on_time;
	v[1] = r->late;
	v[2] = r->lost;
	v[3] = r->pending;
	v[4] = kam_sum_value(&r->renewed_term);
	v[5] = kam_sum_value(&r->lost_term);
	v[6] = kam_sum_value(&r->pending_term);
	v[7] = kam_sum_value(&r->renewal);
	v[8] = kam_sum_value(&r->renewal_kept);
}

static void *
renewals_from_values(const double *v)
{
	KamRenewals r = {0};

	r.on_time = v[0];
	r.late = v[1];
	r.lost = v[2];
	r.pending = v[3];
	r.renewed_term.sum = v[4];
	r.lost_term.sum = v[5];
	r.pending_term.sum = v[6];
	r.renewal.sum = v[7];
	r.renewal_kept.sum = v[8];
	return renewals_store(&r, NULL);
}

/* a kam.renewals argument as its working copy */
static void
renewals_arg(FunctionCallInfo fcinfo, int argno, KamRenewals *r)
{
	renewals_load(PG_GETARG_POINTER(argno), r);
}

static void
renewals_check_result(const KamRenewals *r)
{
	double		v[RENEWALS_NVALUES];

	renewals_values(r, v);
	kam_values_check_result(&renewals_type, v);
}

PG_FUNCTION_INFO_V1(kam_renewals_in);
Datum
kam_renewals_in(PG_FUNCTION_ARGS)
{
	double		v[RENEWALS_NVALUES];

	kam_values_in(&renewals_type, PG_GETARG_CSTRING(0), v);
	PG_RETURN_POINTER(renewals_from_values(v));
}

PG_FUNCTION_INFO_V1(kam_renewals_out);
Datum
kam_renewals_out(PG_FUNCTION_ARGS)
{
	KamRenewals r;
	double		v[RENEWALS_NVALUES];

	renewals_arg(fcinfo, 0, &r);
	renewals_values(&r, v);
	PG_RETURN_CSTRING(kam_values_out(&renewals_type, v));
}

PG_FUNCTION_INFO_V1(kam_renewals_send);
Datum
kam_renewals_send(PG_FUNCTION_ARGS)
{
	KamRenewals r;
	double		v[RENEWALS_NVALUES];

	renewals_arg(fcinfo, 0, &r);
	renewals_values(&r, v);
	PG_RETURN_BYTEA_P(kam_values_send(&renewals_type, v));
}

PG_FUNCTION_INFO_V1(kam_renewals_recv);
Datum
kam_renewals_recv(PG_FUNCTION_ARGS)
{
	double		v[RENEWALS_NVALUES];

	kam_values_recv(&renewals_type, (StringInfo) PG_GETARG_POINTER(0), v);
	PG_RETURN_POINTER(renewals_from_values(v));
}

static DateADT
required_date(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what)));
	return kam_date_arg(fcinfo, argno);
}

/*
 * renewal_sfunc(state, term_end, renewed_on, term_value, renewal_value,
 *				 "from", "to", as_of [, grace_days])
 */
PG_FUNCTION_INFO_V1(kam_renewal_sfunc);
Datum
kam_renewal_sfunc(PG_FUNCTION_ARGS)
{
	DateADT		term_end,
				from,
				to,
				as_of,
				renewed_on = 0,
				deadline;
	bool		renewed;
	int32		grace = 30;
	double		term_value,
				renewal_value = 0;
	void	   *st;
	KamRenewalsStored *r;
	int64	   *count;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("term_end must not be NULL"),
				 errhint("A term without an end is never due: leave it out with WHERE term_end IS NOT NULL.")));
	term_end = kam_date_arg(fcinfo, 1);
	from = required_date(fcinfo, 5, "from");
	to = required_date(fcinfo, 6, "to");
	as_of = required_date(fcinfo, 7, "as_of");
	if (PG_NARGS() > 8)
	{
		if (PG_ARGISNULL(8))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("grace_days must not be NULL")));
		grace = PG_GETARG_INT32(8);
		if (grace < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("grace_days must not be negative"),
					 errdetail("Value is %d.", grace)));
	}
	kam_check_window(from, to);
	if (DATE_NOT_FINITE(term_end) || DATE_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("term_end and as_of must be finite dates"),
				 errdetail("term_end is %s, as_of is %s.", kam_date_str(term_end), kam_date_str(as_of))));
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("term_value must not be NULL"),
				 errdetail("The term ends on %s.", kam_date_str(term_end))));
	term_value = kam_money_arg(fcinfo, 3);
	kam_check_money(term_value, "term_value");
	if (PG_ARGISNULL(2) != PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(PG_ARGISNULL(2) ? "a renewal value without a renewal date" :
						"a renewal date without a renewal value"),
				 errdetail("The term ends on %s.", kam_date_str(term_end)),
				 errhint("renewed_on and renewal_value are both set (renewed) or both NULL (not renewed).")));
	if (!PG_ARGISNULL(2))
	{
		renewed_on = kam_date_arg(fcinfo, 2);
		if (DATE_NOT_FINITE(renewed_on))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("renewed_on must be a finite date"),
					 errdetail("The term ends on %s.", kam_date_str(term_end))));
		renewal_value = kam_money_arg(fcinfo, 4);
		kam_check_money(renewal_value, "renewal_value");
	}

	st = kam_fixed_state(fcinfo, sizeof(KamRenewals));
	if (term_end < from || term_end >= to)
		PG_RETURN_POINTER(st);	/* not due in the window */

	/*
	 * updated in place in its stored layout (counts as int64, the sums as
	 * they are): one row touches one count and at most three sums, so only
	 * those are checked
	 */
	r = (KamRenewalsStored *) st;
	/* term_end + grace, saturating (term_end is finite, grace < 2^31) */
	deadline = (int64) term_end + grace >= DATEVAL_NOEND ? DATEVAL_NOEND - 1 : term_end + grace;
	renewed = !PG_ARGISNULL(2) && renewed_on <= as_of;
	if (renewed)
	{
		count = &r->count[renewed_on <= deadline ? 0 : 1];
		kam_sum_add(&r->renewed_term, term_value);
		kam_sum_add(&r->renewal, renewal_value);
		kam_sum_add(&r->renewal_kept, Min(renewal_value, term_value));
		if (unlikely(!isfinite(kam_sum_value(&r->renewed_term)) || !isfinite(kam_sum_value(&r->renewal)) ||
					 !isfinite(kam_sum_value(&r->renewal_kept))))
			renewals_out_of_range();
	}
	else if (as_of > deadline)
	{
		count = &r->count[2];
		kam_sum_add(&r->lost_term, term_value);
		if (unlikely(!isfinite(kam_sum_value(&r->lost_term))))
			renewals_out_of_range();
	}
	else
	{
		count = &r->count[3];
		kam_sum_add(&r->pending_term, term_value);
		if (unlikely(!isfinite(kam_sum_value(&r->pending_term))))
			renewals_out_of_range();
	}
	if (unlikely(r->count[0] + r->count[1] + r->count[2] + r->count[3] >= (int64) KAM_MAX_COUNT))
		renewals_out_of_range();
	(*count)++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(kam_renewal_combine);
Datum
kam_renewal_combine(PG_FUNCTION_ARGS)
{
	void	   *st;
	KamRenewals r,
				o;

	KAM_AGG_SKIP_NULL(1, 1);
	renewals_arg(fcinfo, 1, &o);
	st = kam_fixed_state(fcinfo, sizeof(KamRenewals));
	renewals_load(st, &r);
	r.on_time += o.on_time;
	r.late += o.late;
	r.lost += o.lost;
	r.pending += o.pending;
	kam_sum_merge(&r.renewed_term, &o.renewed_term);
	kam_sum_merge(&r.lost_term, &o.lost_term);
	kam_sum_merge(&r.pending_term, &o.pending_term);
	kam_sum_merge(&r.renewal, &o.renewal);
	kam_sum_merge(&r.renewal_kept, &o.renewal_kept);
	renewals_check_result(&r);
	PG_RETURN_POINTER(renewals_store(&r, st));
}

/* ---------- accessors ---------- */

static bool
ratio(double num, double den, double *out)
{
	if (den == 0)
		return false;
	*out = num / den;
	return true;
}

#define RENEWALS_ACCESSOR(fn, num, den) \
PG_FUNCTION_INFO_V1(fn); \
Datum \
fn(PG_FUNCTION_ARGS) \
{ \
	KamRenewals r; \
	double		out; \
\
	renewals_arg(fcinfo, 0, &r); \
	if (!ratio((num), (den), &out)) \
		PG_RETURN_NULL(); \
	PG_RETURN_FLOAT8(out); \
}

#define RENEWED(r) ((r).on_time + (r).late)
#define DECIDED_VALUE(r) (kam_sum_value(&(r).renewed_term) + kam_sum_value(&(r).lost_term))

/* renewed / (renewed + lost), by count */
RENEWALS_ACCESSOR(kam_renewal_rate, RENEWED(r), RENEWED(r) + r.lost)
/* sum min(renewal, term) over renewed / sum term over decided */
RENEWALS_ACCESSOR(kam_gross_renewal_rate, kam_sum_value(&r.renewal_kept), DECIDED_VALUE(r))
/* sum renewal over renewed / sum term over decided */
RENEWALS_ACCESSOR(kam_net_renewal_rate, kam_sum_value(&r.renewal), DECIDED_VALUE(r))
/* on time / renewed */
RENEWALS_ACCESSOR(kam_on_time_rate, r.on_time, RENEWED(r))

/*
 * kam.renewals(r): due, renewed, on_time, late, lost, pending, due_value,
 * renewed_value, renewal_value, lost_value, pending_value, and the four rates
 */
PG_FUNCTION_INFO_V1(kam_renewals_row);
Datum
kam_renewals_row(PG_FUNCTION_ARGS)
{
	KamRenewals r;
	TupleDesc	tupdesc;
	Datum		values[15];
	bool		nulls[15] = {0};
	double		renewed_value,
				lost_value,
				pending_value,
				decided;
	double		rates[4] = {0};
	bool		has[4];

	renewals_arg(fcinfo, 0, &r);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "kam_renewals_row: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	renewed_value = kam_sum_value(&r.renewed_term);
	lost_value = kam_sum_value(&r.lost_term);
	pending_value = kam_sum_value(&r.pending_term);
	decided = renewed_value + lost_value;
	values[0] = Int64GetDatum((int64) (RENEWED(r) + r.lost + r.pending));
	values[1] = Int64GetDatum((int64) RENEWED(r));
	values[2] = Int64GetDatum((int64) r.on_time);
	values[3] = Int64GetDatum((int64) r.late);
	values[4] = Int64GetDatum((int64) r.lost);
	values[5] = Int64GetDatum((int64) r.pending);
	values[6] = Float8GetDatum(decided + pending_value);
	values[7] = Float8GetDatum(renewed_value);
	values[8] = Float8GetDatum(kam_sum_value(&r.renewal));
	values[9] = Float8GetDatum(lost_value);
	values[10] = Float8GetDatum(pending_value);
	has[0] = ratio(RENEWED(r), RENEWED(r) + r.lost, &rates[0]);
	has[1] = ratio(kam_sum_value(&r.renewal_kept), decided, &rates[1]);
	has[2] = ratio(kam_sum_value(&r.renewal), decided, &rates[2]);
	has[3] = ratio(r.on_time, RENEWED(r), &rates[3]);
	for (int i = 0; i < 4; i++)
	{
		values[11 + i] = Float8GetDatum(rates[i]);
		nulls[11 + i] = !has[i];
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
