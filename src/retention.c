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
#define RETENTION_MAX_COUNT ((INT64CONST(1) << RETENTION_LAYOUT_SHIFT) - 1)

/*
 * Layout 1: a summary with an fx movement (the rate forms).  The same 144
 * bytes: n_start and its version byte, the other five counts as int32, the
 * six amounts and the fx amount.  A summary without fx is stored in layout 0,
 * as every earlier release stored it.
 */
typedef struct RetentionL1
{
	int64		n_start;		/* with 1 in the top byte */
	int32		n_new;
	int32		n_react;
	int32		n_expansion;
	int32		n_contraction;
	int32		n_churned;
	int32		reserved;
	KamSum		starting;
	KamSum		new_mrr;
	KamSum		reactivation;
	KamSum		expansion;
	KamSum		contraction;
	KamSum		churned;
	KamSum		fx;
} RetentionL1;

StaticAssertDecl(sizeof(RetentionL1) == sizeof(KamRetention), "both layouts of kam.retention are 144 bytes");

static int
retention_layout(const void *p)
{
	return (int) (((const KamRetention *) p)->n_start >> RETENTION_LAYOUT_SHIFT);
}

/* a stored summary into its working form (r) and fx amount */
static void
retention_unpack(const void *p, KamRetention *r, KamSum *fx)
{
	int			version = retention_layout(p);

	if (version == 0)
	{
		memcpy(r, p, sizeof(KamRetention));
		fx->sum = fx->comp = 0;
	}
	else if (version == 1)
	{
		const RetentionL1 *l = (const RetentionL1 *) p;

		r->n_start = l->n_start & RETENTION_MAX_COUNT;
		r->n_new = l->n_new;
		r->n_react = l->n_react;
		r->n_expansion = l->n_expansion;
		r->n_contraction = l->n_contraction;
		r->n_churned = l->n_churned;
		r->starting = l->starting;
		r->new_mrr = l->new_mrr;
		r->reactivation = l->reactivation;
		r->expansion = l->expansion;
		r->contraction = l->contraction;
		r->churned = l->churned;
		*fx = l->fx;
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kam.retention value of stored layout %d, written by a later kam", version),
				 errhint("Update kam (ALTER EXTENSION kam UPDATE after installing the newer version).")));
}

static KAM_NORETURN void retention_overflow(const char *why);

/* the working form stored at dst: layout 0 without fx, layout 1 with it */
static void *
retention_pack(const KamRetention *r, const KamSum *fx, void *dst)
{
	RetentionL1 l;

	if (dst == NULL)
		dst = palloc(sizeof(KamRetention));
	if (fx->sum == 0 && fx->comp == 0)
	{
		memmove(dst, r, sizeof(KamRetention));
		return dst;
	}
	if (r->n_new > PG_INT32_MAX || r->n_react > PG_INT32_MAX || r->n_expansion > PG_INT32_MAX ||
		r->n_contraction > PG_INT32_MAX || r->n_churned > PG_INT32_MAX)
		retention_overflow("A summary with an fx movement counts at most 2^31 - 1 accounts per movement.");
	memset(&l, 0, sizeof(l));
	l.n_start = r->n_start | (INT64CONST(1) << RETENTION_LAYOUT_SHIFT);
	l.n_new = (int32) r->n_new;
	l.n_react = (int32) r->n_react;
	l.n_expansion = (int32) r->n_expansion;
	l.n_contraction = (int32) r->n_contraction;
	l.n_churned = (int32) r->n_churned;
	l.starting = r->starting;
	l.new_mrr = r->new_mrr;
	l.reactivation = r->reactivation;
	l.expansion = r->expansion;
	l.contraction = r->contraction;
	l.churned = r->churned;
	l.fx = *fx;
	memcpy(dst, &l, sizeof(l));
	return dst;
}

/* A summary and its fx amount as a kam.retention Datum. */
Datum
kam_retention_datum(const KamRetention *r, const KamSum *fx)
{
	KamSum		zero = {0, 0};

	return PointerGetDatum(retention_pack(r, fx ? fx : &zero, NULL));
}

/* a kam.retention argument in its working form (and its fx amount when fx is not NULL) */
static KamRetention *
retention_arg_fx(FunctionCallInfo fcinfo, int argno, KamSum *fx)
{
	void	   *p = PG_GETARG_POINTER(argno);
	KamSum		ignored;

	if (likely(retention_layout(p) == 0))
	{
		if (fx)
			fx->sum = fx->comp = 0;
		return (KamRetention *) p;
	}
	{
		KamRetention *r = palloc(sizeof(KamRetention));

		retention_unpack(p, r, fx ? fx : &ignored);
		return r;
	}
}

static inline KamRetention *
retention_arg(FunctionCallInfo fcinfo, int argno)
{
	return retention_arg_fx(fcinfo, argno, NULL);
}

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
 * The columns of kam.movements() and of each kam.mrr_waterfall() row: seven
 * amounts then seven account counts, then (ncols 15) the fx amount.  Ending
 * is starting + new + reactivation + expansion - contraction - churned + fx.
 */
void
kam_retention_values(const KamRetention *r, const KamSum *fx, Datum *values, bool *nulls, int ncols)
{
	int64		n_end = r->n_start - r->n_churned + r->n_new + r->n_react;
	double		fxv = fx ? kam_sum_value(fx) : 0;

	values[0] = Float8GetDatum(V(starting));
	values[1] = Float8GetDatum(V(new_mrr));
	values[2] = Float8GetDatum(V(reactivation));
	values[3] = Float8GetDatum(V(expansion));
	values[4] = Float8GetDatum(V(contraction));
	values[5] = Float8GetDatum(V(churned));
	values[6] = Float8GetDatum(kam_retention_ending(r) + fxv);
	values[7] = Int64GetDatum(r->n_start);
	values[8] = Int64GetDatum(r->n_new);
	values[9] = Int64GetDatum(r->n_react);
	values[10] = Int64GetDatum(r->n_expansion);
	values[11] = Int64GetDatum(r->n_contraction);
	values[12] = Int64GetDatum(r->n_churned);
	values[13] = Int64GetDatum(n_end);
	if (ncols > KAM_RETENTION_NCOLS)
		values[14] = Float8GetDatum(fxv);
	for (int i = 0; i < ncols; i++)
		nulls[i] = false;
}

/* ---------- text I/O ---------- */


PG_FUNCTION_INFO_V1(kam_retention_out);
Datum
kam_retention_out(PG_FUNCTION_ARGS)
{
	KamSum		fx;
	KamRetention *r = retention_arg_fx(fcinfo, 0, &fx);
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
	/* the fx movement of the rate forms, only when there is one */
	if (kam_sum_value(&fx) != 0)
	{
		appendStringInfoString(&buf, ",fx=");
		kam_append_double(&buf, kam_sum_value(&fx));
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
	KamSum		fx = {0, 0};
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
	p = kam_skip_space(p);
	if (strncmp(p, ",", 1) == 0)
	{
		/* the fx movement: ,fx=amount (any sign) */
		char	   *e;

		p = kam_skip_space(p + 1);
		if (strncmp(p, "fx", 2) != 0)
			bad_retention_text(input, "Expected \"fx=\" after the last field.");
		p = kam_skip_space(p + 2);
		if (*p++ != '=')
			bad_retention_text(input, "Expected \"=\" after \"fx\".");
		p = kam_skip_space(p);
		errno = 0;
		fx.sum = strtod(p, &e);
		if (e == p || !isfinite(fx.sum) || (errno == ERANGE && fabs(fx.sum) > 1))
			bad_retention_text(input, "The fx amount is not a finite number.");
		p = kam_skip_space(e);
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
	PG_RETURN_DATUM(kam_retention_datum(r, &fx));
}

/* ---------- binary I/O ---------- */

/*
 * Binary form: the format version byte (2), then per field the account count
 * (int8) and the compensated sum (two float8), then the fx amount (two
 * float8).  0.1.0 and 0.2.0 sent the fields without the version byte, version
 * 1 without the fx amount: recv still reads both.
 */
#define RETENTION_BINARY_VERSION 2
#define RETENTION_BINARY_FIELDS_LEN (N_RET_FIELDS * (8 + 8 + 8))

PG_FUNCTION_INFO_V1(kam_retention_send);
Datum
kam_retention_send(PG_FUNCTION_ARGS)
{
	KamSum		fx;
	KamRetention *r = retention_arg_fx(fcinfo, 0, &fx);
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
	pq_sendfloat8(&buf, fx.sum);
	pq_sendfloat8(&buf, fx.comp);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(kam_retention_recv);
Datum
kam_retention_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	KamRetention *r = palloc0(sizeof(KamRetention));
	KamSum		fx = {0, 0};
	const char *why;
	int			version = 0;

	/*
	 * 0.2.0 sent no version byte; version 1 had no fx amount; version 2 has
	 * it
	 */
	if (buf->len - buf->cursor != RETENTION_BINARY_FIELDS_LEN)
	{
		version = pq_getmsgbyte(buf);
		if (version != 1 && version != RETENTION_BINARY_VERSION)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid external kam.retention value"),
					 errdetail("Binary format version %d; this kam reads versions 1 and %d.", version, RETENTION_BINARY_VERSION)));
	}
	for (int i = 0; i < N_RET_FIELDS; i++)
	{
		const RetField *f = &ret_fields[i];
		KamSum	   *s = RET_SUM(r, f);

		*RET_N(r, f) = pq_getmsgint64(buf);
		s->sum = pq_getmsgfloat8(buf);
		s->comp = pq_getmsgfloat8(buf);
	}
	if (version == RETENTION_BINARY_VERSION)
	{
		fx.sum = pq_getmsgfloat8(buf);
		fx.comp = pq_getmsgfloat8(buf);
	}
	why = retention_invalid(r);
	if (!why && !(isfinite(fx.sum) && isfinite(fx.comp) && isfinite(fx.sum + fx.comp)))
		why = "The fx amount is not finite.";
	if (why)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external kam.retention value"),
				 errdetail("%s", why)));
	PG_RETURN_DATUM(kam_retention_datum(r, &fx));
}

/* ---------- aggregates ---------- */

/*
 * kam.retention_agg(start_mrr, end_mrr [, returning]) transition.
 * Rows with a NULL argument are skipped.
 */
PG_FUNCTION_INFO_V1(kam_retention_pair_sfunc);
Datum
kam_retention_pair_sfunc(PG_FUNCTION_ARGS)
{
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

	{
		void	   *st = kam_fixed_state(fcinfo, sizeof(KamRetention));
		KamRetention w;
		KamSum		fx;

		/*
		 * a state of layout 1 (a rollup of rate-form summaries) is unpacked
		 * first
		 */
		if (likely(retention_layout(st) == 0))
		{
			kam_retention_add((KamRetention *) st, s, e, returning);
			PG_RETURN_POINTER(st);
		}
		retention_unpack(st, &w, &fx);
		kam_retention_add(&w, s, e, returning);
		PG_RETURN_POINTER(retention_pack(&w, &fx, st));
	}
}

/* Combine function of every kam.retention aggregate and of kam.rollup. */
PG_FUNCTION_INFO_V1(kam_retention_combine);
Datum
kam_retention_combine(PG_FUNCTION_ARGS)
{
	void	   *st;
	KamRetention w;
	KamSum		fx,
				ofx;
	KamRetention *o;

	KAM_AGG_SKIP_NULL(1, 1);
	st = kam_fixed_state(fcinfo, sizeof(KamRetention));
	o = retention_arg_fx(fcinfo, 1, &ofx);
	retention_unpack(st, &w, &fx);
	kam_retention_merge(&w, o);
	kam_sum_merge(&fx, &ofx);
	if (!isfinite(kam_sum_value(&fx)))
		retention_overflow("The fx amount overflows a double.");
	PG_RETURN_POINTER(retention_pack(&w, &fx, st));
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
	KamSum		fx;
	KamRetention *r = retention_arg_fx(fcinfo, 0, &fx);
	TupleDesc	tupdesc;
	Datum		values[KAM_RETENTION_NCOLS_FX];
	bool		nulls[KAM_RETENTION_NCOLS_FX];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	/* 14 columns until ALTER EXTENSION kam UPDATE adds fx_mrr */
	if (tupdesc->natts != KAM_RETENTION_NCOLS && tupdesc->natts != KAM_RETENTION_NCOLS_FX)
		elog(ERROR, "kam.movements: expected %d result columns, got %d",
			 KAM_RETENTION_NCOLS_FX, tupdesc->natts);
	kam_retention_values(r, &fx, values, nulls, tupdesc->natts);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
