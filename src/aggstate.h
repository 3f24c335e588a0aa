/*-------------------------------------------------------------------------
 *
 * aggstate.h
 *	  The one toolkit every kam aggregate with an `internal` state stands on:
 *	  the aggregate-context check, state allocation in the aggregate's own
 *	  memory context (never a context per group: hash aggregation measures
 *	  every child context each time it adds a group, which turns quadratic),
 *	  the skip-a-NULL-row idiom, a growable array, and one versioned
 *	  serializer for parallel partial states (a magic number and a format
 *	  version, then fields written with pq_send*, and arrays of unpadded
 *	  records in the machine's byte order behind a mark; never a struct
 *	  memcpy of anything else).
 *
 *	  Adding an aggregate: docs/development.md, "Adding a metric family".
 *
 *-------------------------------------------------------------------------
 */
#ifndef KAM_AGGSTATE_H
#define KAM_AGGSTATE_H

#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "port/pg_bswap.h"
#include "utils/array.h"

/*
 * The aggregate memory context of a transition, combine, serial or
 * deserial call; `fn` names the C function in the can't-happen error.
 */
extern MemoryContext kam_agg_context(FunctionCallInfo fcinfo, const char *fn);

/*
 * The state of a fixed-size by-reference state type (argument 0): zeroed on
 * the first row, updated in place inside an aggregate, copied when the
 * transition function is called directly.
 */
extern void *kam_fixed_state(FunctionCallInfo fcinfo, Size size);

/* a double precision[] state of n elements (aggstate.c) */
extern ArrayType *kam_float8_state(FunctionCallInfo fcinfo, int argno, int n, const char *what);

/* true when any of the arguments first..last is NULL */
static inline bool
kam_args_null(FunctionCallInfo fcinfo, int first, int last)
{
	for (int i = first; i <= last; i++)
		if (PG_ARGISNULL(i))
			return true;
	return false;
}

/*
 * In a transition function: a row with a NULL among arguments first..last is
 * skipped, like sum() skips NULLs (the state, or NULL before the first row,
 * is returned unchanged).  In a combine function, KAM_AGG_SKIP_NULL(1, 1).
 */
#define KAM_AGG_SKIP_NULL(first, last) \
	do { \
		if (kam_args_null(fcinfo, (first), (last))) \
			KAM_AGG_SKIP_ROW(); \
	} while (0)

/*
 * In a combine function: true when its second state was made by the deserial
 * function for this call alone (a Finalize node combining partial states,
 * which PostgreSQL always serializes), so that once merged into the first it
 * may be freed.  Left in the aggregate's context it would stay to the end of
 * the query, one for every group from every worker: a GROUP BY over 700 000
 * accounts that every participant holds took the leader 500 MB instead of
 * 311 MB, and a fifth more time faulting in the pages.
 */
extern bool kam_combine_second_spent(FunctionCallInfo fcinfo);

/*
 * In a combine function after KAM_AGG_SKIP_NULL(1, 1), whose deserial
 * function makes its state in the aggregate's context: a group's first
 * partial state (argument 0 NULL) becomes the group's state as it is, not a
 * copy (nothing else holds it: PostgreSQL's partial aggregates always pass
 * through serial and deserial).
 */
#define KAM_COMBINE_KEEP_FIRST() \
	do { \
		if (PG_ARGISNULL(0)) \
			PG_RETURN_DATUM(PG_GETARG_DATUM(1)); \
	} while (0)

/* return the state unchanged (NULL before the first row): a row that adds nothing */
#define KAM_AGG_SKIP_ROW() \
	do { \
		if (PG_ARGISNULL(0)) \
			PG_RETURN_NULL(); \
		PG_RETURN_DATUM(PG_GETARG_DATUM(0)); \
	} while (0)

/*
 * A growable array of fixed-size elements, allocated in `ctx` (the
 * aggregate context), doubling as it grows, huge allocations allowed.
 */
typedef struct KamArray
{
	char	   *data;
	int64		n;				/* elements in use */
	int64		max;			/* elements allocated */
	Size		elem;			/* bytes per element */
	MemoryContext ctx;
} KamArray;

extern Size kam_large_size(Size size);
extern void *kam_alloc_large(MemoryContext ctx, Size size, int flags);
extern void *kam_realloc_large(void *p, Size size, Size used);
extern void kam_array_init(KamArray *a, MemoryContext ctx, Size elem, int64 initial);
extern void kam_array_reserve(KamArray *a, int64 more);
extern void kam_array_append(KamArray *a, const void *src, int64 count);

/*
 * A state that is a header followed by its elements in one allocation, so
 * that a GROUP BY's state for a group is one chunk, not a struct and an
 * array.  The header (`header` bytes: offsetof the flexible array member)
 * starts with a KamFlexHead; the elements are `elem` bytes each.  A small
 * chunk is rounded up to a power of two, as the aggregate context's
 * allocator does, and max counts every element it holds; a state that grows
 * at least doubles.  Growing may move the state: the caller returns the
 * state it gets back (an `internal` state is a pointer the executor stores
 * as it is).
 */
typedef struct KamFlexHead
{
	int64		n;				/* elements in use */
	int64		max;			/* elements the allocation holds */
} KamFlexHead;

/* a new state in ctx, its header zeroed, room for `room` elements */
extern void *kam_flex_new(MemoryContext ctx, Size header, Size elem, int64 room);

/* the state grown to hold n + more elements (kam_flex_reserve's slow path) */
extern void *kam_flex_grow(void *state, Size header, Size elem, int64 more);

/*
 * the state with room for `more` further elements: itself when it has the
 * room (inline, for a transition function's every row), else grown
 */
static inline void *
kam_flex_reserve(void *state, Size header, Size elem, int64 more)
{
	if (likely(((KamFlexHead *) state)->n + more <= ((KamFlexHead *) state)->max))
		return state;
	return kam_flex_grow(state, header, elem, more);
}

/* the state with `count` elements from src appended */
extern void *kam_flex_append(void *state, Size header, Size elem, const void *src, int64 count);

/*
 * After a combine function merged its second state: that state freed when
 * kam_combine_second_spent, its struct and the elements of `array` (one of
 * its fields, or the struct itself when it is a KamArray; NULL for none).
 */
extern void kam_combine_free_spent(FunctionCallInfo fcinfo, void *state, KamArray *array);

/* the address of a new last element (uninitialised) */
static inline void *
kam_array_push(KamArray *a)
{
	if (unlikely(a->n == a->max))
		kam_array_reserve(a, 1);
	return a->data + (a->n++) * a->elem;
}

#define KAM_ARRAY_ELEM(a, type, i) (((type *) (a)->data)[i])

/*
 * Serialized partial states: "kam state" magic, the state's kind and its
 * format version, then the fields.  A state read back with another magic,
 * kind or version is a can't-happen error (leader and workers run one .so).
 */
#define KAM_STATE_MAGIC 0x4B414D53	/* "KAMS" */

extern void kam_state_send_begin(StringInfo buf, uint8 kind, uint8 version);
extern bytea *kam_state_send_end(StringInfo buf, const char *what);
extern void kam_state_recv_begin(StringInfo buf, bytea *in, uint8 kind, uint8 version, const char *what);
extern void kam_state_recv_end(StringInfo buf, const char *what);
extern void kam_state_send_records(StringInfo buf, const void *base, int64 n, Size stride,
								   const uint8 *widths, int nfields);
extern void kam_state_recv_records(StringInfo buf, void *base, int64 n, Size stride,
								   const uint8 *widths, int nfields);
extern void kam_state_send_native(StringInfo buf, const void *base, int64 n, Size each);
extern void kam_state_send_reserve(StringInfo buf, Size bytes);
extern char *kam_state_send_native_room(StringInfo buf, int64 n, Size each);
extern void kam_state_send_native_shrink(StringInfo buf, int count_at, int64 fewer, Size each);
extern void kam_state_recv_native(StringInfo buf, void *base, int64 n, Size each);
extern void kam_state_send_doubles(StringInfo buf, const double *v, int64 n);
extern void kam_state_recv_doubles(StringInfo buf, double *v, int64 n);
extern int64 kam_state_recv_count(StringInfo buf, int64 max, Size bytes_each, const char *what);

/*
 * Packing partial states that cross to the leader (the per-account
 * histories, kam.gini's values): unsigned varints of 7 bits a byte, low
 * first; doubles as their bits in network order; signed distances as
 * zigzags; and amounts of whole cents (money read from numeric(12,2)) as
 * their cents, when (double) cents / 100 gives the amount back bit for bit.
 */
#define KAM_VARINT_MAX 10		/* bytes of the largest varint */
#define KAM_CENTS_MAX INT64CONST(9007199254740992)	/* 2^53: a double holds
													 * every whole number
													 * below */

static inline char *
kam_pack_varint(char *o, uint64 v)
{
	while (v >= 0x80)
	{
		*o++ = (char) (v | 0x80);
		v >>= 7;
	}
	*o++ = (char) v;
	return o;
}

/* the next varint at *p (before end), false when it runs past end */
static inline bool
kam_unpack_varint(const char **p, const char *end, uint64 *v)
{
	const char *q = *p;

	*v = 0;
	for (int shift = 0; shift < 64 && q < end; shift += 7)
	{
		uint8		b = (uint8) *q++;

		*v |= (uint64) (b & 0x7F) << shift;
		if ((b & 0x80) == 0)
		{
			*p = q;
			return true;
		}
	}
	return false;
}

static inline uint64
kam_double_bits(double d)
{
	uint64		bits;

	memcpy(&bits, &d, sizeof(bits));
	return bits;
}

/* 32 well-mixed bits of x: its product with 2^64 / phi, the high half */
static inline uint32
kam_hash64(uint64 x)
{
	return (uint32) ((x * UINT64CONST(0x9E3779B97F4A7C15)) >> 32);
}

static inline double
kam_bits_double(uint64 bits)
{
	double		d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

static inline char *
kam_pack_bits(char *o, uint64 bits)
{
	bits = pg_hton64(bits);
	memcpy(o, &bits, sizeof(bits));
	return o + sizeof(bits);
}

/* the next 8 bytes at *p as bits, false when they run past end */
static inline bool
kam_unpack_bits(const char **p, const char *end, uint64 *bits)
{
	if (end - *p < (ptrdiff_t) sizeof(*bits))
		return false;
	memcpy(bits, *p, sizeof(*bits));
	*p += sizeof(*bits);
	*bits = pg_ntoh64(*bits);
	return true;
}

/* a signed distance as an unsigned one, small either way (zigzag), and back */
static inline uint64
kam_zigzag(int64 d)
{
	return ((uint64) d << 1) ^ (uint64) (d >> 63);
}

static inline int64
kam_unzigzag(uint64 v)
{
	return (int64) ((v >> 1) ^ (~(v & 1) + 1));
}

/* the amount of these bits as whole cents, when they give it back exactly */
static inline bool
kam_amount_cents(uint64 bits, int64 *cents)
{
	double		v = kam_bits_double(bits),
				r;

	r = rint(v * 100.0);
	/* NaN fails the comparison too */
	if (!(fabs(r) < (double) KAM_CENTS_MAX))
		return false;
	*cents = (int64) r;
	return kam_double_bits((double) *cents / 100.0) == bits;
}

static inline uint64
kam_cents_bits(int64 cents)
{
	return kam_double_bits((double) cents / 100.0);
}

/* the kinds of serialized state (one per internal state type) */
#define KAM_STATE_ACCOUNTS	1
#define KAM_STATE_SURVIVAL	2
#define KAM_STATE_CUSTOMERS 3	/* BG/NBD and Gamma-Gamma fits */
#define KAM_STATE_VALUES	4	/* kam.gini */
#define KAM_STATE_TOP		5	/* kam.top_share */
#define KAM_STATE_RFM		6
#define KAM_STATE_SERIES	7	/* kam.sparkline */
#define KAM_STATE_TOUCHES	8	/* kam.touch_gaps, kam.cadence_met */
#define KAM_STATE_BAND_SHARES 9 /* kam.band_shares */
#define KAM_STATE_SBG		10	/* kam.sbg_fit */

#endif							/* KAM_AGGSTATE_H */
