/*-------------------------------------------------------------------------
 *
 * retention.c
 *	  The kam.retention summary type (text and binary I/O), the pair-form
 *	  aggregates, the combine/rollup function and the accessors
 *	  (NRR, GRR, churn rates, quick ratio, movements).
 *
 * Definitions follow ChartMogul; see docs/retention.md.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include <ctype.h>
#include <errno.h>

#include "access/htup_details.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "common/int.h"
#include "utils/builtins.h"

/*
 * Field table for the text form:
 *   (starting=1200:3,new=100:1,reactivation=0:0,expansion=50:1,
 *    contraction=0:0,churned=300:1)
 * Each field is amount:count, the amount being the compensated sum rounded
 * to the nearest double and printed in the shortest form that reads back to
 * the same double.  Every accessor works on these rounded amounts, so a
 * value read back from its text gives bit-identical results (the binary
 * send/recv form also keeps the compensation term).
 */
typedef struct RetField
{
	const char *name;
	size_t		sum_off;
	size_t		n_off;
} RetField;

StaticAssertDecl(sizeof(KamRetention) == 144,
				 "kam.retention INTERNALLENGTH in the install script must match");

#define RF(name, s, n) {name, offsetof(KamRetention, s), offsetof(KamRetention, n)}
static const RetField ret_fields[] = {
	RF("starting", starting, n_start),
	RF("new", new_mrr, n_new),
	RF("reactivation", reactivation, n_react),
	RF("expansion", expansion, n_expansion),
	RF("contraction", contraction, n_contraction),
	RF("churned", churned, n_churned),
};
#define N_RET_FIELDS ((int) lengthof(ret_fields))

#define RET_SUM(r, f) ((KamSum *) ((char *) (r) + (f)->sum_off))
#define RET_N(r, f) ((int64 *) ((char *) (r) + (f)->n_off))
#define V(f) kam_sum_value(&r->f)

/*
 * The stored layout carries its version in the top byte of n_start (bits
 * 56-62): 0 for this layout, which 0.1.0 and 0.2.0 wrote too.  Counts are
 * therefore at most 2^56 - 1; a value with another version was written by a
 * later kam and is refused, never misread.
 */
#define RETENTION_LAYOUT_SHIFT 56
#define RETENTION_LAYOUT_VERSION 0
#define RETENTION_MAX_COUNT ((INT64CONST(1) << RETENTION_LAYOUT_SHIFT) - 1)

/* a kam.retention argument, its layout version checked */
static inline KamRetention *
retention_arg(FunctionCallInfo fcinfo, int argno)
{
	KamRetention *r = (KamRetention *) PG_GETARG_POINTER(argno);

	if (unlikely((r->n_start >> RETENTION_LAYOUT_SHIFT) != RETENTION_LAYOUT_VERSION))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kam.retention value of stored layout %d, written by a later kam",
						(int) (r->n_start >> RETENTION_LAYOUT_SHIFT)),
				 errhint("Update kam (ALTER EXTENSION kam UPDATE after installing the newer version).")));
	return r;
}

static void retention_overflow(const char *why) pg_attribute_noreturn();

static void
retention_overflow(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("kam.retention value out of range"),
			 errdetail("%s", why)));
}

/* an amount just added to: infinite or NaN raises 22003 instead of being stored */
static inline void
retention_check_sum(const KamSum *s)
{
	if (unlikely(!isfinite(s->sum + s->comp)))
		retention_overflow("An amount overflows a double.");
}

static inline void
retention_count_inc(int64 *n)
{
	if (unlikely(*n >= RETENTION_MAX_COUNT))
		retention_overflow("An account count passes 2^56 - 1.");
	(*n)++;
}

/* Classify one account with MRR s at `from` and e at `to`. */
void
kam_retention_add(KamRetention *r, double s, double e, bool returning)
{
	if (s > 0)
	{
		retention_count_inc(&r->n_start);
		kam_sum_add(&r->starting, s);
		retention_check_sum(&r->starting);
		if (e == 0)
		{
			retention_count_inc(&r->n_churned);
			kam_sum_add(&r->churned, s);
			retention_check_sum(&r->churned);
		}
		else if (kam_money_same(e, s))
			 /* flat */ ;
		else if (e > s)
		{
			retention_count_inc(&r->n_expansion);
			kam_sum_add(&r->expansion, e);
			kam_sum_add(&r->expansion, -s);
			retention_check_sum(&r->expansion);
		}
		else
		{
			retention_count_inc(&r->n_contraction);
			kam_sum_add(&r->contraction, s);
			kam_sum_add(&r->contraction, -e);
			retention_check_sum(&r->contraction);
		}
	}
	else if (e > 0)
	{
		if (returning)
		{
			retention_count_inc(&r->n_react);
			kam_sum_add(&r->reactivation, e);
			retention_check_sum(&r->reactivation);
		}
		else
		{
			retention_count_inc(&r->n_new);
			kam_sum_add(&r->new_mrr, e);
			retention_check_sum(&r->new_mrr);
		}
	}
}

/*
 * Why r is not a kam.retention value (NULL: it is one).  The text input,
 * the binary input and every function that returns a summary check exactly
 * this, so whatever kam returns reads back through both inputs.
 */
static const char *
retention_invalid(const KamRetention *r)
{
	int64		moved = 0;

	for (int i = 0; i < N_RET_FIELDS; i++)
	{
		const RetField *f = &ret_fields[i];
		const KamSum *s = RET_SUM(r, f);
		double		v = kam_sum_value(s);
		int64		n = *RET_N(r, f);

		if (!isfinite(s->sum) || !isfinite(s->comp) || !isfinite(v))
			return psprintf("The amount of \"%s\" is not finite.", f->name);
		if (v < 0)
			return psprintf("The amount of \"%s\" is negative.", f->name);
		if (n < 0)
			return psprintf("The account count of \"%s\" is negative.", f->name);
		if (n > RETENTION_MAX_COUNT)
			return psprintf("The account count of \"%s\" passes 2^56 - 1.", f->name);
		if ((n == 0) != (v == 0))
			return psprintf("\"%s\" has an amount without accounts or accounts without an amount.", f->name);
	}
	if (pg_add_s64_overflow(r->n_expansion, r->n_contraction, &moved) ||
		pg_add_s64_overflow(moved, r->n_churned, &moved) ||
		moved > r->n_start)
		return "More accounts expanded, contracted or churned than started.";
	return NULL;
}

void
kam_retention_merge(KamRetention *a, const KamRetention *b)
{
	const char *why;

	for (int i = 0; i < N_RET_FIELDS; i++)
	{
		const RetField *f = &ret_fields[i];

		if (pg_add_s64_overflow(*RET_N(a, f), *RET_N(b, f), RET_N(a, f)) ||
			*RET_N(a, f) > RETENTION_MAX_COUNT)
			retention_overflow(psprintf("The account count of \"%s\" passes 2^56 - 1.", f->name));
		kam_sum_merge(RET_SUM(a, f), RET_SUM(b, f));
	}
	why = retention_invalid(a);
	if (why)
		retention_overflow(why);
}

/* ending = starting + new + reactivation + expansion - contraction - churned */
double
kam_retention_ending(const KamRetention *r)
{
	return V(starting) + V(new_mrr) + V(reactivation) + V(expansion)
		- V(contraction) - V(churned);
}

/*
 * The 14 columns of kam.movements() and of each kam.mrr_waterfall() row:
 * seven amounts then seven account counts.
 */
void
kam_retention_values(const KamRetention *r, Datum *values, bool *nulls)
{
	int64		n_end = r->n_start - r->n_churned + r->n_new + r->n_react;

	values[0] = Float8GetDatum(V(starting));
	values[1] = Float8GetDatum(V(new_mrr));
	values[2] = Float8GetDatum(V(reactivation));
	values[3] = Float8GetDatum(V(expansion));
	values[4] = Float8GetDatum(V(contraction));
	values[5] = Float8GetDatum(V(churned));
	values[6] = Float8GetDatum(kam_retention_ending(r));
	values[7] = Int64GetDatum(r->n_start);
	values[8] = Int64GetDatum(r->n_new);
	values[9] = Int64GetDatum(r->n_react);
	values[10] = Int64GetDatum(r->n_expansion);
	values[11] = Int64GetDatum(r->n_contraction);
	values[12] = Int64GetDatum(r->n_churned);
	values[13] = Int64GetDatum(n_end);
	for (int i = 0; i < KAM_RETENTION_NCOLS; i++)
		nulls[i] = false;
}

/* ---------- text I/O ---------- */


PG_FUNCTION_INFO_V1(kam_retention_out);
Datum
kam_retention_out(PG_FUNCTION_ARGS)
{
	KamRetention *r = retention_arg(fcinfo, 0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (int i = 0; i < N_RET_FIELDS; i++)
	{
		const RetField *f = &ret_fields[i];
		KamSum	   *s = RET_SUM(r, f);

		if (i > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfo(&buf, "%s=", f->name);
		kam_append_double(&buf, kam_sum_value(s));
		appendStringInfo(&buf, ":" INT64_FORMAT, *RET_N(r, f));
	}
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

#define bad_retention_text(input, why) kam_syntax_error("kam.retention", input, why, NULL)

/* strtod that accepts only a finite number and reports where it stopped. */
static double
parse_double(const char *p, const char **end, const char *input)
{
	char	   *e;
	double		v;

	if (*p == '\0' || isspace((unsigned char) *p))
		bad_retention_text(input, "An amount is missing.");
	errno = 0;
	v = strtod(p, &e);
	if (e == p)
		bad_retention_text(input, "An amount is not a number.");
	/* ERANGE also flags a subnormal result, which is a finite amount */
	if ((errno == ERANGE && fabs(v) > 1) || isnan(v) || isinf(v))
		bad_retention_text(input, "An amount is not a finite number.");
	*end = e;
	return v;
}

PG_FUNCTION_INFO_V1(kam_retention_in);
Datum
kam_retention_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	KamRetention *r = palloc0(sizeof(KamRetention));
	bool		seen[N_RET_FIELDS] = {0};
	const char *p = kam_skip_space(input);

	if (*p++ != '(')
		bad_retention_text(input, "Expected \"(\" at the start.");
	for (int k = 0; k < N_RET_FIELDS; k++)
	{
		const RetField *f = NULL;
		const char *name;
		size_t		len;
		KamSum	   *s;
		char	   *e;
		long long	n;

		p = kam_skip_space(p);
		name = p;
		while (isalpha((unsigned char) *p) || *p == '_')
			p++;
		len = p - name;
		for (int i = 0; i < N_RET_FIELDS; i++)
			if (strlen(ret_fields[i].name) == len &&
				strncmp(ret_fields[i].name, name, len) == 0)
			{
				f = &ret_fields[i];
				if (seen[i])
					bad_retention_text(input, psprintf("Field \"%s\" appears twice.", f->name));
				seen[i] = true;
			}
		if (f == NULL)
			bad_retention_text(input, psprintf("Unknown field \"%.*s\".", (int) len, name));
		p = kam_skip_space(p);
		if (*p++ != '=')
			bad_retention_text(input, psprintf("Expected \"=\" after \"%s\".", f->name));
		p = kam_skip_space(p);
		s = RET_SUM(r, f);
		s->sum = parse_double(p, &p, input);
		if (s->sum < 0)
			bad_retention_text(input, psprintf("The amount of \"%s\" is negative.", f->name));
		p = kam_skip_space(p);
		if (*p++ != ':')
			bad_retention_text(input, psprintf("Expected \":\" and an account count after the amount of \"%s\".", f->name));
		p = kam_skip_space(p);
		if (!isdigit((unsigned char) *p))
			bad_retention_text(input, psprintf("The account count of \"%s\" is not a non-negative integer.", f->name));
		errno = 0;
		n = strtoll(p, &e, 10);
		if (errno == ERANGE)
			bad_retention_text(input, psprintf("The account count of \"%s\" is out of range.", f->name));
		p = e;
		*RET_N(r, f) = n;
		if ((n == 0) != (s->sum == 0))
			bad_retention_text(input, psprintf("\"%s\" has an amount without accounts or accounts without an amount.", f->name));
		p = kam_skip_space(p);
		if (k < N_RET_FIELDS - 1 && *p++ != ',')
			bad_retention_text(input, "Expected \",\" between fields.");
	}
	if (*p++ != ')')
		bad_retention_text(input, "Expected \")\" after the last field.");
	if (*kam_skip_space(p) != '\0')
		bad_retention_text(input, "Unexpected text after \")\".");
	{
		const char *why = retention_invalid(r);

		if (why)
			bad_retention_text(input, why);
	}
	PG_RETURN_POINTER(r);
}

/* ---------- binary I/O ---------- */

/*
 * Binary form: the format version byte (1), then per field the account count
 * (int8) and the compensated sum (two float8).  0.1.0 and 0.2.0 sent the same
 * without the version byte: recv still reads that form, told apart by its
 * length.
 */
#define RETENTION_BINARY_VERSION 1
#define RETENTION_BINARY_FIELDS_LEN (N_RET_FIELDS * (8 + 8 + 8))

PG_FUNCTION_INFO_V1(kam_retention_send);
Datum
kam_retention_send(PG_FUNCTION_ARGS)
{
	KamRetention *r = retention_arg(fcinfo, 0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, RETENTION_BINARY_VERSION);
	for (int i = 0; i < N_RET_FIELDS; i++)
	{
		const RetField *f = &ret_fields[i];

		pq_sendint64(&buf, *RET_N(r, f));
		pq_sendfloat8(&buf, RET_SUM(r, f)->sum);
		pq_sendfloat8(&buf, RET_SUM(r, f)->comp);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(kam_retention_recv);
Datum
kam_retention_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	KamRetention *r = palloc0(sizeof(KamRetention));
	const char *why;

	if (buf->len - buf->cursor != RETENTION_BINARY_FIELDS_LEN)
		kam_check_binary_version(buf, "kam.retention", RETENTION_BINARY_VERSION);
	for (int i = 0; i < N_RET_FIELDS; i++)
	{
		const RetField *f = &ret_fields[i];
		KamSum	   *s = RET_SUM(r, f);

		*RET_N(r, f) = pq_getmsgint64(buf);
		s->sum = pq_getmsgfloat8(buf);
		s->comp = pq_getmsgfloat8(buf);
	}
	why = retention_invalid(r);
	if (why)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external kam.retention value"),
				 errdetail("%s", why)));
	PG_RETURN_POINTER(r);
}

/* ---------- aggregates ---------- */

/*
 * The state to update: in an aggregate, the transition value itself (it
 * lives in the aggregate context and may be changed in place); otherwise a
 * copy, so that a direct call never changes its argument.
 */
static KamRetention *
retention_state(FunctionCallInfo fcinfo)
{
	return (KamRetention *) kam_fixed_state(fcinfo, sizeof(KamRetention));
}

/*
 * kam.retention_agg(start_mrr, end_mrr [, returning]) transition.
 * Rows with a NULL argument are skipped.
 */
PG_FUNCTION_INFO_V1(kam_retention_pair_sfunc);
Datum
kam_retention_pair_sfunc(PG_FUNCTION_ARGS)
{
	KamRetention *r;
	double		s,
				e;
	bool		returning = false;

	KAM_AGG_SKIP_NULL(1, PG_NARGS() - 1);
	/* double precision or numeric, read natively */
	s = kam_money_arg(fcinfo, 1);
	e = kam_money_arg(fcinfo, 2);
	kam_check_money(s, "start_mrr");
	kam_check_money(e, "end_mrr");
	if (PG_NARGS() > 3)
		returning = PG_GETARG_BOOL(3);

	r = retention_state(fcinfo);
	kam_retention_add(r, s, e, returning);
	PG_RETURN_POINTER(r);
}

/* Combine function of every kam.retention aggregate and of kam.rollup. */
PG_FUNCTION_INFO_V1(kam_retention_combine);
Datum
kam_retention_combine(PG_FUNCTION_ARGS)
{
	KamRetention *r;

	KAM_AGG_SKIP_NULL(1, 1);
	r = retention_state(fcinfo);
	kam_retention_merge(r, retention_arg(fcinfo, 1));
	PG_RETURN_POINTER(r);
}

/* ---------- accessors ---------- */

/*
 * The accessors work on the amounts rounded to doubles (as printed), so a
 * summary read back from its text gives the same results to the bit.
 */
#define RETURN_RATIO(num, den) \
	do { \
		double den_ = (den); \
		if (den_ == 0) \
			PG_RETURN_NULL(); \
		PG_RETURN_FLOAT8((num) / den_); \
	} while (0)

#define ARG_RETENTION() retention_arg(fcinfo, 0)

PG_FUNCTION_INFO_V1(kam_nrr);
Datum
kam_nrr(PG_FUNCTION_ARGS)
{
	KamRetention *r = ARG_RETENTION();

	RETURN_RATIO(V(starting) + V(expansion) - V(contraction) - V(churned), V(starting));
}

PG_FUNCTION_INFO_V1(kam_grr);
Datum
kam_grr(PG_FUNCTION_ARGS)
{
	KamRetention *r = ARG_RETENTION();

	RETURN_RATIO(V(starting) - V(contraction) - V(churned), V(starting));
}

PG_FUNCTION_INFO_V1(kam_gross_mrr_churn_rate);
Datum
kam_gross_mrr_churn_rate(PG_FUNCTION_ARGS)
{
	KamRetention *r = ARG_RETENTION();

	RETURN_RATIO(V(contraction) + V(churned), V(starting));
}

PG_FUNCTION_INFO_V1(kam_net_mrr_churn_rate);
Datum
kam_net_mrr_churn_rate(PG_FUNCTION_ARGS)
{
	KamRetention *r = ARG_RETENTION();

	RETURN_RATIO(V(contraction) + V(churned) - V(expansion), V(starting));
}

PG_FUNCTION_INFO_V1(kam_logo_churn_rate);
Datum
kam_logo_churn_rate(PG_FUNCTION_ARGS)
{
	KamRetention *r = ARG_RETENTION();

	RETURN_RATIO((double) r->n_churned, (double) r->n_start);
}

/* upsell/cross-sell rate: share of the starting accounts that expanded */
PG_FUNCTION_INFO_V1(kam_expansion_rate);
Datum
kam_expansion_rate(PG_FUNCTION_ARGS)
{
	KamRetention *r = ARG_RETENTION();

	RETURN_RATIO((double) r->n_expansion, (double) r->n_start);
}

PG_FUNCTION_INFO_V1(kam_customer_retention_rate);
Datum
kam_customer_retention_rate(PG_FUNCTION_ARGS)
{
	KamRetention *r = ARG_RETENTION();

	/* (accounts with E > 0 - new - reactivated) / accounts with S > 0 */
	RETURN_RATIO((double) (r->n_start - r->n_churned), (double) r->n_start);
}

PG_FUNCTION_INFO_V1(kam_quick_ratio);
Datum
kam_quick_ratio(PG_FUNCTION_ARGS)
{
	KamRetention *r = ARG_RETENTION();

	RETURN_RATIO(V(new_mrr) + V(reactivation) + V(expansion),
				 V(contraction) + V(churned));
}

PG_FUNCTION_INFO_V1(kam_movements);
Datum
kam_movements(PG_FUNCTION_ARGS)
{
	KamRetention *r = retention_arg(fcinfo, 0);
	TupleDesc	tupdesc;
	Datum		values[KAM_RETENTION_NCOLS];
	bool		nulls[KAM_RETENTION_NCOLS];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	if (tupdesc->natts != KAM_RETENTION_NCOLS)
		elog(ERROR, "kam.movements: expected %d result columns, got %d",
			 KAM_RETENTION_NCOLS, tupdesc->natts);
	kam_retention_values(r, values, nulls);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
