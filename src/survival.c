/*-------------------------------------------------------------------------
 *
 * survival.c
 *	  Kaplan-Meier survival of contracts with right-censoring
 *	  (docs/ltv.md):
 *
 *	  kam.survival_agg(started date, ended date, as_of date) -> kam.survival
 *
 *	  A contract's lifetime is ended - started days when it ended on or
 *	  before as_of (an event), otherwise as_of - started (censored).  The
 *	  aggregate counts events and censorings per lifetime; the kam.survival
 *	  value holds that table (distinct lifetimes in ascending order) and the
 *	  accessors compute S(t) = prod over t_i <= t of (1 - d_i / n_i), where
 *	  n_i counts the contracts whose lifetime is >= t_i (a contract censored
 *	  at t_i is still at risk at t_i).
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "miscadmin.h"

#include <ctype.h>
#include <errno.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "common/int.h"
#include "utils/tuplestore.h"

/* the kam.survival value: varlena, n rows of (t, events, censored) */
typedef struct SurvRow
{
	int32		t;
	int32		pad;
	int64		events;
	int64		censored;
} SurvRow;

/*
 * The stored layout carries its version in bits 27-30 of n (SURV_LAYOUT_SHIFT):
 *	 0: the rows sorted by lifetime, no two alike (0.1.0 and 0.2.0 wrote it
 *		too; kam.survival_agg and every input return it);
 *	 1: the state of kam.survival_agg while it runs (0.3.0): the rows in an
 *		open-addressing hash table on the lifetime, empty slots with t = -1,
 *		as many slots as the varlena holds (a power of 2, at most half used).
 * n keeps the rows (used slots) in bits 0-26: below 2^27, the 1 GB limit
 * allowing about 44.7 million rows.  A value of another version was written
 * by a later kam and is refused, never misread.  Every function reads either
 * layout; the text and binary forms are those of the sorted layout.
 */
typedef struct KamSurvival
{
	int32		vl_len_;
	int32		n;				/* rows, and the layout version in bits 27-30 */
	SurvRow		rows[FLEXIBLE_ARRAY_MEMBER];
} KamSurvival;

/*
 * The hash layout: n as above, the total of every count (so that a table
 * whose counts add up to more than an int64 is refused when it is made, as
 * the inputs refuse it), then the slots.
 */
typedef struct KamSurvivalHash
{
	int32		vl_len_;
	int32		n;				/* rows, and SURV_LAYOUT_HASH in bits 27-30 */
	int64		total;			/* events + censored over every row */
	SurvRow		slots[FLEXIBLE_ARRAY_MEMBER];
} KamSurvivalHash;

#define SURV_LAYOUT_SHIFT 27
#define SURV_LAYOUT_VERSION 0
#define SURV_LAYOUT_HASH 1
#define SURV_ROWS_MASK ((1 << SURV_LAYOUT_SHIFT) - 1)

#define SURVIVAL_SIZE(n) (offsetof(KamSurvival, rows) + (Size) (n) * sizeof(SurvRow))
#define SURV_HASH_SIZE(n) (offsetof(KamSurvivalHash, slots) + (Size) (n) * sizeof(SurvRow))
#define SURV_SLOTS(h) ((int64) ((VARSIZE(h) - offsetof(KamSurvivalHash, slots)) / sizeof(SurvRow)))
#define PG_GETARG_SURVIVAL(i) surv_arg(PG_GETARG_DATUM(i))

static inline int
surv_layout(const KamSurvival *s)
{
	return (int) ((uint32) s->n >> SURV_LAYOUT_SHIFT);
}

static inline int32
surv_rows(const KamSurvival *s)
{
	return s->n & SURV_ROWS_MASK;
}

/* the most rows a kam.survival value holds (a varlena is at most 1 GB) */
#define SURVIVAL_MAX_ROWS ((int64) ((MaxAllocSize - offsetof(KamSurvival, rows)) / sizeof(SurvRow)))

static void
surv_check_rows(int64 n)
{
	if (n > SURVIVAL_MAX_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kam.survival value too large"),
				 errdetail("It would have " INT64_FORMAT " distinct lifetimes; a value holds at most " INT64_FORMAT ".",
						   n, SURVIVAL_MAX_ROWS),
				 errhint("Measure lifetimes in a coarser unit.")));
}

/* a zeroed value of n rows, sorted layout */
static KamSurvival *
surv_alloc(int64 n)
{
	KamSurvival *s;

	surv_check_rows(n);
	s = palloc0(SURVIVAL_SIZE(n));
	SET_VARSIZE(s, SURVIVAL_SIZE(n));
	s->n = (int32) n;
	return s;
}

/* ---------- the hash layout: the state of kam.survival_agg ---------- */

static inline uint32
surv_hash(int32 t)
{
	return kam_hash64((uint64) (uint32) t);
}

/* an empty table of `slots` slots (a power of 2), in ctx */
static KamSurvivalHash *
surv_hash_new(MemoryContext ctx, int64 slots)
{
	KamSurvivalHash *h;

	surv_check_rows(slots);
	h = kam_alloc_large(ctx, SURV_HASH_SIZE(slots), 0);
	SET_VARSIZE(h, SURV_HASH_SIZE(slots));
	h->n = SURV_LAYOUT_HASH << SURV_LAYOUT_SHIFT;
	h->total = 0;
	for (int64 i = 0; i < slots; i++)
	{
		h->slots[i].t = -1;
		h->slots[i].pad = 0;
		h->slots[i].events = 0;
		h->slots[i].censored = 0;
	}
	return h;
}

/* the slot of lifetime t: its row, or the empty slot where it goes */
static inline SurvRow *
surv_hash_slot(KamSurvivalHash *h, int32 t)
{
	uint64		mask = (uint64) SURV_SLOTS(h) - 1;
	uint64		i = surv_hash(t) & mask;

	while (h->slots[i].t != t && h->slots[i].t != -1)
		i = (i + 1) & mask;
	return &h->slots[i];
}

static void
surv_count_add(int64 *into, int64 v)
{
	if (unlikely(pg_add_s64_overflow(*into, v, into)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kam.survival: the counts add up to more than a bigint holds")));
}

/*
 * Add events and censorings at lifetime t to table h.  When the table must
 * grow, the larger table is allocated in ctx and returned (h is freed when
 * free_old: an aggregate frees a by-reference state that its transition
 * function replaced by itself).
 */
static KamSurvivalHash *
surv_hash_add(KamSurvivalHash *h, MemoryContext ctx, bool free_old, int32 t, int64 events, int64 censored)
{
	SurvRow    *r = surv_hash_slot(h, t);

	/* the total bounds every count: checked first, h is left as it was */
	surv_count_add(&h->total, events);
	surv_count_add(&h->total, censored);
	if (r->t == -1)
	{
		int32		rows = surv_rows((KamSurvival *) h);

		if ((int64) (rows + 1) * 2 > SURV_SLOTS(h))
		{
			int64		slots = SURV_SLOTS(h);
			KamSurvivalHash *g = surv_hash_new(ctx, slots * 2);

			for (int64 i = 0; i < slots; i++)
			{
				if ((i & 0xFFFF) == 0)
					CHECK_FOR_INTERRUPTS();
				if (h->slots[i].t != -1)
					*surv_hash_slot(g, h->slots[i].t) = h->slots[i];
			}
			g->n = h->n;
			g->total = h->total;
			if (free_old)
				pfree(h);
			h = g;
			r = surv_hash_slot(h, t);
		}
		r->t = t;
		h->n++;
	}
	r->events += events;
	r->censored += censored;
	return h;
}

/* the rows of s, either layout: *slots entries from the returned one, empty ones with t = -1 */
static const SurvRow *
surv_entries(const KamSurvival *s, int64 *slots)
{
	if (surv_layout(s) == SURV_LAYOUT_HASH)
	{
		*slots = SURV_SLOTS((const KamSurvivalHash *) s);
		return ((const KamSurvivalHash *) s)->slots;
	}
	*slots = surv_rows(s);
	return s->rows;
}

/* add every row of s (either layout) to table h */
static KamSurvivalHash *
surv_hash_merge(KamSurvivalHash *h, MemoryContext ctx, bool free_old, const KamSurvival *s)
{
	int64		slots;
	const SurvRow *rows = surv_entries(s, &slots);

	for (int64 i = 0; i < slots; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (rows[i].t != -1)
			h = surv_hash_add(h, ctx, free_old, rows[i].t, rows[i].events, rows[i].censored);
	}
	return h;
}

/* a new table in ctx with the rows of s (either layout) and room for more */
static KamSurvivalHash *
surv_hash_copy(MemoryContext ctx, const KamSurvival *s)
{
	int64		slots = 16;

	while (slots < (int64) surv_rows(s) * 2)
		slots *= 2;
	return surv_hash_merge(surv_hash_new(ctx, slots), ctx, true, s);
}

static int
cmp_row(const void *a, const void *b)
{
	int32		x = ((const SurvRow *) a)->t;
	int32		y = ((const SurvRow *) b)->t;

	/*
	 * pg_qsort sorts in place, allocating nothing: it may stop at any
	 * comparison
	 */
	CHECK_FOR_INTERRUPTS();
	return (x > y) - (x < y);
}

/* the rows of s, either layout, as a new value of the sorted layout */
static KamSurvival *
surv_sorted(const KamSurvival *s)
{
	KamSurvival *v = surv_alloc(surv_rows(s));
	int64		slots;
	const SurvRow *rows = surv_entries(s, &slots);
	int32		n = 0;

	for (int64 i = 0; i < slots; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (rows[i].t != -1)
			v->rows[n++] = rows[i];
	}
	Assert(n == surv_rows(s));
	if (surv_layout(s) == SURV_LAYOUT_HASH)
		qsort(v->rows, n, sizeof(SurvRow), cmp_row);
	return v;
}

/* a kam.survival argument, detoasted, of a known layout */
static KamSurvival *
surv_arg_any(Datum d)
{
	KamSurvival *s = (KamSurvival *) PG_DETOAST_DATUM(d);
	int			version = surv_layout(s);

	if (version != SURV_LAYOUT_VERSION && version != SURV_LAYOUT_HASH)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kam.survival value of stored layout %d, written by a later kam", version),
				 errhint("Update kam (ALTER EXTENSION kam UPDATE after installing the newer version).")));
	return s;
}

/* a kam.survival argument in the sorted layout (a sorted copy of a table) */
static KamSurvival *
surv_arg(Datum d)
{
	KamSurvival *s = surv_arg_any(d);

	return surv_layout(s) == SURV_LAYOUT_HASH ? surv_sorted(s) : s;
}

/*
 * The lifetime a row of kam.survival_agg(started, ended, as_of) adds:
 * false when the row is skipped (a NULL started or as_of, or a contract that
 * starts after as_of and so is not observed yet).
 */
static bool
surv_row_lifetime(FunctionCallInfo fcinfo, int32 *t, bool *event)
{
	DateADT		started,
				ended,
				as_of;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(3))
		return false;
	started = kam_date_arg(fcinfo, 1);
	as_of = kam_date_arg(fcinfo, 3);
	if (DATE_NOT_FINITE(started) || DATE_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("started and as_of must be finite dates"),
				 errdetail("started is %s, as_of is %s.", kam_date_str(started), kam_date_str(as_of))));
	if (!PG_ARGISNULL(2))
	{
		ended = kam_date_arg(fcinfo, 2);
		if (ended < started)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("ended is before started"),
					 errdetail("started is %s, ended is %s.", kam_date_str(started), kam_date_str(ended))));
	}
	else
		ended = DATEVAL_NOEND;
	if (started > as_of)
		return false;
	*event = ended <= as_of;
	*t = (*event ? ended : as_of) - started;
	return true;
}

/*
 * ---------- kam.survival_agg(started, ended, as_of): state kam.survival ----------
 *
 * The state is a kam.survival value in the hash layout, a concrete type
 * with text I/O, so Citus computes it on its workers and combines the
 * partial states (as text, in the sorted layout) on the coordinator;
 * kam.rollup(kam.survival) adds stored life tables the same way.  It grows
 * with the distinct lifetimes, not the rows.
 */

/*
 * Argument 0 of the transition and combine functions as a table to update:
 * itself inside an aggregate when it is one, else a copy in the current
 * context (a call made by hand, or a state in the sorted layout)
 */
static KamSurvivalHash *
surv_state_writable(FunctionCallInfo fcinfo)
{
	KamSurvival *s = surv_arg_any(PG_GETARG_DATUM(0));

	if (surv_layout(s) == SURV_LAYOUT_HASH && AggCheckCallContext(fcinfo, NULL) &&
		(Pointer) s == DatumGetPointer(PG_GETARG_DATUM(0)))
		return (KamSurvivalHash *) s;
	return surv_hash_copy(CurrentMemoryContext, s);
}

PG_FUNCTION_INFO_V1(kam_survival_sfunc_state);
Datum
kam_survival_sfunc_state(PG_FUNCTION_ARGS)
{
	KamSurvivalHash *h;
	int32		t;
	bool		event;

	if (!surv_row_lifetime(fcinfo, &t, &event))
		KAM_AGG_SKIP_ROW();
	h = PG_ARGISNULL(0) ? surv_hash_new(CurrentMemoryContext, 16) : surv_state_writable(fcinfo);

	/*
	 * a larger table is made in the current (per-row) context: the aggregate
	 * copies it into its own and frees the old state
	 */
	h = surv_hash_add(h, CurrentMemoryContext, false, t, event ? 1 : 0, event ? 0 : 1);
	PG_RETURN_POINTER(h);
}

PG_FUNCTION_INFO_V1(kam_survival_combine_state);
Datum
kam_survival_combine_state(PG_FUNCTION_ARGS)
{
	KamSurvival *other;

	KAM_AGG_SKIP_NULL(1, 1);
	other = surv_arg_any(PG_GETARG_DATUM(1));
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(surv_hash_copy(CurrentMemoryContext, other));
	PG_RETURN_POINTER(surv_hash_merge(surv_state_writable(fcinfo), CurrentMemoryContext, false, other));
}

PG_FUNCTION_INFO_V1(kam_survival_final_state);
Datum
kam_survival_final_state(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	/* a new value in the sorted layout, never the state itself */
	PG_RETURN_POINTER(surv_sorted(surv_arg_any(PG_GETARG_DATUM(0))));
}

/*
 * ---------- the internal state of 0.1.0 and 0.2.0's catalogs ----------
 *
 * Their kam.survival_agg has an internal state with serial/deserial
 * functions; kam.so keeps these for a database not yet updated.  The state
 * holds the same table, allocated in the aggregate context.
 */
typedef struct SurvState
{
	MemoryContext ctx;
	KamSurvivalHash *h;
} SurvState;

static SurvState *
surv_state_new(MemoryContext aggctx)
{
	/*
	 * in the aggregate context itself: a context per group makes hash
	 * aggregation quadratic
	 */
	SurvState  *st = MemoryContextAllocZero(aggctx, sizeof(SurvState));

	st->ctx = aggctx;
	st->h = surv_hash_new(aggctx, 16);
	return st;
}

static void
surv_add(SurvState *st, int32 t, int64 events, int64 censored)
{
	st->h = surv_hash_add(st->h, st->ctx, true, t, events, censored);
}

PG_FUNCTION_INFO_V1(kam_survival_sfunc);
Datum
kam_survival_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_survival_sfunc");
	SurvState  *st;
	int32		t;
	bool		event;

	if (!surv_row_lifetime(fcinfo, &t, &event))
		KAM_AGG_SKIP_ROW();
	st = PG_ARGISNULL(0) ? surv_state_new(aggctx) : (SurvState *) PG_GETARG_POINTER(0);
	surv_add(st, t, event ? 1 : 0, event ? 0 : 1);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(kam_survival_combine);
Datum
kam_survival_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_survival_combine");
	SurvState  *st,
			   *o;

	KAM_AGG_SKIP_NULL(1, 1);
	o = (SurvState *) PG_GETARG_POINTER(1);
	st = PG_ARGISNULL(0) ? surv_state_new(aggctx) : (SurvState *) PG_GETARG_POINTER(0);
	st->h = surv_hash_merge(st->h, st->ctx, true, (KamSurvival *) o->h);
	if (kam_combine_second_spent(fcinfo))
	{
		if (o->h)
			pfree(o->h);
		pfree(o);
	}
	PG_RETURN_POINTER(st);
}

/* serialized state, format version 1: the number of lifetimes, then (t, events, censored) each */
#define SURV_STATE_VERSION 1

PG_FUNCTION_INFO_V1(kam_survival_serial);
Datum
kam_survival_serial(PG_FUNCTION_ARGS)
{
	SurvState  *st = (SurvState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	kam_agg_context(fcinfo, "kam_survival_serial");
	kam_state_send_begin(&buf, KAM_STATE_SURVIVAL, SURV_STATE_VERSION);
	pq_sendint64(&buf, surv_rows((KamSurvival *) st->h));
	for (int64 i = 0; i < SURV_SLOTS(st->h); i++)
	{
		const SurvRow *r = &st->h->slots[i];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (r->t == -1)
			continue;
		pq_sendint32(&buf, r->t);
		pq_sendint64(&buf, r->events);
		pq_sendint64(&buf, r->censored);
	}
	PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam.survival_agg"));
}

PG_FUNCTION_INFO_V1(kam_survival_deserial);
Datum
kam_survival_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_survival_deserial");
	StringInfoData buf;
	SurvState  *st = surv_state_new(aggctx);
	int64		n;

	kam_state_recv_begin(&buf, PG_GETARG_BYTEA_PP(0), KAM_STATE_SURVIVAL, SURV_STATE_VERSION,
						 "kam_survival_deserial");
	n = kam_state_recv_count(&buf, PG_UINT32_MAX, 20, "kam_survival_deserial");
	for (int64 i = 0; i < n; i++)
	{
		int32		t = pq_getmsgint(&buf, 4);
		int64		events = pq_getmsgint64(&buf);

		CHECK_FOR_INTERRUPTS();
		if (t < 0)
			elog(ERROR, "kam_survival_deserial: bad lifetime");
		surv_add(st, t, events, pq_getmsgint64(&buf));
	}
	kam_state_recv_end(&buf, "kam_survival_deserial");
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(kam_survival_final);
Datum
kam_survival_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(surv_sorted((KamSurvival *) ((SurvState *) PG_GETARG_POINTER(0))->h));
}

/* ---------- text I/O: (t:events:censored,...) ---------- */

PG_FUNCTION_INFO_V1(kam_survival_out);
Datum
kam_survival_out(PG_FUNCTION_ARGS)
{
	KamSurvival *s = PG_GETARG_SURVIVAL(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (int32 i = 0; i < s->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		appendStringInfo(&buf, "%s%d:" INT64_FORMAT ":" INT64_FORMAT, i > 0 ? "," : "",
						 s->rows[i].t, s->rows[i].events, s->rows[i].censored);
	}
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

#define bad_survival_text(input, why) \
	kam_syntax_error("kam.survival", input, why, "Expected (lifetime:events:censored,...) with lifetimes increasing.")

static int64
parse_count(const char **p, const char *input, bool allow_negative)
{
	char	   *end;
	long long	v;

	*p = kam_skip_space(*p);
	if (!(isdigit((unsigned char) **p) || (allow_negative && **p == '-')))
		bad_survival_text(input, "Expected a whole number.");
	errno = 0;
	v = strtoll(*p, &end, 10);
	if (errno == ERANGE || end == *p)
		bad_survival_text(input, "A number is out of range.");
	*p = end;
	*p = kam_skip_space(*p);
	return v;
}

/*
 * Why rows are not a kam.survival value (NULL: they are one); shared by the
 * text and binary inputs.
 */
static const char *
surv_rows_invalid(const SurvRow *rows, int32 n)
{
	int64		total = 0;

	for (int32 i = 0; i < n; i++)
	{
		int64		e = rows[i].events,
					c = rows[i].censored;

		CHECK_FOR_INTERRUPTS();
		if (rows[i].t < 0 || e < 0 || c < 0)
			return "Lifetimes and counts must not be negative.";
		if (e > PG_INT64_MAX - c || e + c > PG_INT64_MAX - total)
			return "The counts add up to more than a bigint holds.";
		total += e + c;
		if (e + c == 0)
			return "A row has neither events nor censorings.";
		if (i > 0 && rows[i].t <= rows[i - 1].t)
			return "Lifetimes must be strictly increasing.";
	}
	return NULL;
}

static KamSurvival *
surv_make(const SurvRow *rows, int32 n)
{
	KamSurvival *s = surv_alloc(n);

	memcpy(s->rows, rows, n * sizeof(SurvRow));
	return s;
}

PG_FUNCTION_INFO_V1(kam_survival_in);
Datum
kam_survival_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	const char *p = input;
	int32		max = 8,
				n = 0;
	SurvRow    *rows = palloc(max * sizeof(SurvRow));

	p = kam_skip_space(p);
	if (*p++ != '(')
		bad_survival_text(input, "Expected \"(\" at the start.");
	p = kam_skip_space(p);
	while (*p != ')')
	{
		int64		t,
					e,
					c;

		if (n > 0)
		{
			if (*p++ != ',')
				bad_survival_text(input, "Expected \",\" between rows.");
		}
		t = parse_count(&p, input, false);
		if (*p++ != ':')
			bad_survival_text(input, "Expected lifetime:events:censored.");
		e = parse_count(&p, input, false);
		if (*p++ != ':')
			bad_survival_text(input, "Expected lifetime:events:censored.");
		c = parse_count(&p, input, false);
		if (t > PG_INT32_MAX)
			bad_survival_text(input, "A lifetime is out of range.");
		if (n == max)
		{
			surv_check_rows((int64) n + 1);
			max = (int32) Min((int64) max * 2, SURVIVAL_MAX_ROWS);
			rows = kam_realloc_large(rows, (Size) max * sizeof(SurvRow), (Size) n * sizeof(SurvRow));
		}
		rows[n].t = (int32) t;
		rows[n].pad = 0;
		rows[n].events = e;
		rows[n].censored = c;
		n++;
		if (*p == '\0')
			bad_survival_text(input, "Expected \")\" at the end.");
	}
	p++;
	p = kam_skip_space(p);
	if (*p != '\0')
		bad_survival_text(input, "Unexpected text after \")\".");
	{
		const char *why = surv_rows_invalid(rows, n);

		if (why)
			bad_survival_text(input, why);
	}
	PG_RETURN_POINTER(surv_make(rows, n));
}

/*
 * Binary form: the format version byte (1), the number of rows (int4), then
 * per row the lifetime (int4), events and censored (int8).
 */
#define SURVIVAL_BINARY_VERSION 1

PG_FUNCTION_INFO_V1(kam_survival_send);
Datum
kam_survival_send(PG_FUNCTION_ARGS)
{
	KamSurvival *s = PG_GETARG_SURVIVAL(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SURVIVAL_BINARY_VERSION);
	pq_sendint32(&buf, s->n);
	for (int32 i = 0; i < s->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		pq_sendint32(&buf, s->rows[i].t);
		pq_sendint64(&buf, s->rows[i].events);
		pq_sendint64(&buf, s->rows[i].censored);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(kam_survival_recv);
Datum
kam_survival_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		n;
	SurvRow    *rows;
	const char *why;

	kam_check_binary_version(buf, "kam.survival", SURVIVAL_BINARY_VERSION);
	n = pq_getmsgint(buf, 4);

	/*
	 * each row takes 20 bytes: a count the message cannot hold is refused
	 * before allocating
	 */
	if (n < 0 || (Size) n > (Size) (buf->len - buf->cursor) / 20)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external kam.survival value"),
				 errdetail("The row count %d does not match the data.", n)));
	rows = kam_alloc_large(CurrentMemoryContext, Max(n, 1) * sizeof(SurvRow), 0);
	for (int32 i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		rows[i].t = pq_getmsgint(buf, 4);
		rows[i].pad = 0;
		rows[i].events = pq_getmsgint64(buf);
		rows[i].censored = pq_getmsgint64(buf);
	}
	why = surv_rows_invalid(rows, n);
	if (why)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external kam.survival value"),
				 errdetail("%s", why)));
	PG_RETURN_POINTER(surv_make(rows, n));
}

/* ---------- accessors ---------- */

/* Walks the curve row by row: S(t_i) and the number at risk at t_i. */
typedef struct KmIter
{
	const KamSurvival *s;
	int32		i;				/* next row */
	int64		remaining;		/* at risk after the rows walked */
	int64		at_risk;		/* at risk at the current row */
	double		surv;			/* S at the current row */
	const SurvRow *row;			/* the current row */
} KmIter;

static void
km_begin(KmIter *it, const KamSurvival *s)
{
	it->s = s;
	it->i = 0;
	it->remaining = 0;
	for (int32 i = 0; i < s->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		it->remaining += s->rows[i].events + s->rows[i].censored;
	}
	it->at_risk = it->remaining;
	it->surv = 1.0;
	it->row = NULL;
}

static bool
km_next(KmIter *it)
{
	if (it->i >= it->s->n)
		return false;
	it->row = &it->s->rows[it->i++];
	it->at_risk = it->remaining;
	if (it->row->events > 0)
		it->surv *= 1.0 - (double) it->row->events / it->at_risk;
	it->remaining -= it->row->events + it->row->censored;
	return true;
}

/* S(t) */
PG_FUNCTION_INFO_V1(kam_survival_at);
Datum
kam_survival_at(PG_FUNCTION_ARGS)
{
	KamSurvival *s = PG_GETARG_SURVIVAL(0);
	double		t = PG_GETARG_FLOAT8(1);
	KmIter		it;
	double		surv = 1.0;

	if (isnan(t))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("t must be a number of days"),
				 errdetail("Value is NaN.")));
	km_begin(&it, s);
	if (it.remaining == 0)
		PG_RETURN_NULL();
	while (km_next(&it) && it.row->t <= t)
	{
		CHECK_FOR_INTERRUPTS();
		surv = it.surv;
	}
	PG_RETURN_FLOAT8(surv);
}

/* median lifetime: the first t with S(t) <= 0.5; NULL if the curve stays above */
PG_FUNCTION_INFO_V1(kam_median_lifetime);
Datum
kam_median_lifetime(PG_FUNCTION_ARGS)
{
	KmIter		it;

	km_begin(&it, PG_GETARG_SURVIVAL(0));
	while (km_next(&it))
	{
		CHECK_FOR_INTERRUPTS();
		if (it.surv <= 0.5)
			PG_RETURN_FLOAT8((double) it.row->t);
	}
	PG_RETURN_NULL();
}

/* the curve: one row per distinct lifetime */
PG_FUNCTION_INFO_V1(kam_survival_curve);
Datum
kam_survival_curve(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	KmIter		it;

	kam_materialize_srf(fcinfo);
	km_begin(&it, PG_GETARG_SURVIVAL(0));
	while (km_next(&it))
	{
		Datum		values[5];
		bool		nulls[5] = {0};

		CHECK_FOR_INTERRUPTS();
		values[0] = Int32GetDatum(it.row->t);
		values[1] = Int64GetDatum(it.at_risk);
		values[2] = Int64GetDatum(it.row->events);
		values[3] = Int64GetDatum(it.row->censored);
		values[4] = Float8GetDatum(it.surv);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---------- customer lifetimes: kam.survival_agg(account, started, ended, as_of, gap_days) ---------- */

/*
 * One row per contract; an account's consecutive contracts, each starting at
 * most gap_days after the end of those before it, make one lifetime, so an
 * upgrade or a renewal is not a death.  The contracts are kept per account
 * (started, and ended as the point's value; open-ended as DATEVAL_NOEND),
 * those of one lifetime joined as a state's points are grouped
 * (kam_acct_set_lifetimes: a worker sends its lifetimes, not its rows), and
 * the records of several states joined again in the final function.
 */
PG_FUNCTION_INFO_V1(kam_survival_account_sfunc);
Datum
kam_survival_account_sfunc(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	DateADT		started,
				ended,
				as_of;
	int32		gap;

	KAM_AGG_SKIP_NULL(1, 2);
	if (PG_ARGISNULL(4) || PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("as_of and gap_days must not be NULL")));
	started = kam_date_arg(fcinfo, 2);
	ended = PG_ARGISNULL(3) ? DATEVAL_NOEND : kam_date_arg(fcinfo, 3);
	as_of = kam_date_arg(fcinfo, 4);
	gap = PG_GETARG_INT32(5);
	if (DATE_NOT_FINITE(started) || DATE_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("started and as_of must be finite dates"),
				 errdetail("started is %s, as_of is %s.", kam_date_str(started), kam_date_str(as_of))));
	if (ended < started)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ended is before started"),
				 errdetail("started is %s, ended is %s.", kam_date_str(started), kam_date_str(ended))));
	if (gap < 0 || gap > 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("gap_days must be between 0 and 1000000"),
				 errdetail("Value is %d.", gap)));

	st = kam_acct_state_get(fcinfo, KAM_ACCT_HISTORY);
	/* as_of and the gap: the same on every row */
	kam_acct_set_lifetimes(st, as_of, gap);
	kam_acct_add_row(st, PG_GETARG_DATUM(1), started, (double) ended, (double) ended);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(kam_survival_account_final);
Datum
kam_survival_account_final(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	KamHistory	h;
	SurvState  *ss;
	DateADT		as_of,
				as_of_gap;
	int32		gap;
	MemoryContext aggctx = CurrentMemoryContext;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KamAcctState *) PG_GETARG_POINTER(0);
	kam_acct_window(st, &as_of, &as_of_gap);
	gap = as_of_gap - as_of;
	kam_history_open(st, &h);
	ss = surv_state_new(aggctx);
	for (int32 acct = 0; acct < h.naccts; acct++)
	{
		int			n;
		const char *run = kam_history_account(&h, acct, &n);
		int			j = 0;

		CHECK_FOR_INTERRUPTS();
		while (j < n)
		{
			DateADT		start = kam_run_point(&h, run, j)->at,
						end = (DateADT) kam_run_point(&h, run, j)->mrr;
			bool		event;

			/*
			 * join the contracts that start before the lifetime's end plus
			 * the gap
			 */
			for (j++; j < n; j++)
			{
				CHECK_FOR_INTERRUPTS();
				if (!kam_lifetime_continues(kam_run_point(&h, run, j)->at, end, gap))
					break;
				end = Max(end, (DateADT) kam_run_point(&h, run, j)->mrr);
			}
			/* a lifetime that starts after as_of is not observed yet */
			if (start > as_of)
				continue;
			event = end <= as_of;
			surv_add(ss, (event ? end : as_of) - start, event ? 1 : 0, event ? 0 : 1);
		}
	}
	PG_RETURN_POINTER(surv_sorted((KamSurvival *) ss->h));
}
