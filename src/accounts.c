/*-------------------------------------------------------------------------
 *
 * accounts.c
 *	  Per-account aggregate state: a hash of accounts keyed by a value of any
 *	  type that has a default hash operator class (integers, text, uuid...).
 *	  Used by the snapshot and contract-interval forms of kam.retention_agg
 *	  (S, E and "paid before" per account) and by kam.mrr_waterfall and
 *	  kam.cohort_retention (the (period, MRR) history per account).
 *
 *	  The state is `internal`; it is allocated once in the aggregate context
 *	  and has serialize/deserialize functions so that parallel workers can
 *	  ship partial states to the leader.  Memory grows with the number of
 *	  accounts (and, for histories, with the number of account-periods).
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "miscadmin.h"

#include "access/nbtree.h"
#include "access/parallel.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "lib/ilist.h"
#include "libpq/pqformat.h"
#include "nodes/execnodes.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

struct KamAcctState;

static uint32 acct_hash_key(struct KamAcctState *st, Datum key);
static bool acct_key_equal(struct KamAcctState *st, Datum a, Datum b);

/* the history kind: an account's dense number by key (24 bytes an entry) */
typedef struct KamAcctId
{
	Datum		key;
	uint32		hash;
	int32		id;
	char		status;			/* used by simplehash */
} KamAcctId;

#define SH_PREFIX idtab
#define SH_ELEMENT_TYPE KamAcctId
#define SH_USE_NONDEFAULT_ALLOCATOR
#include "accounts_hash.h"

/*
 * The table's array (24 bytes an account, 50 MB at 2M keys) in huge pages
 * where they are to be had (kam_alloc_large), as the state's other arrays:
 * every row looks its key up at a random place in it.
 */
static inline void *
idtab_allocate(idtab_hash *tb, Size size)
{
	return kam_alloc_large(tb->ctx, size, MCXT_ALLOC_ZERO);
}

static inline void
idtab_free(idtab_hash *tb pg_attribute_unused(), void *pointer)
{
	pfree(pointer);
}


struct KamAcctState
{
	MemoryContext ctx;			/* the aggregate context itself */
	KamAcctKind kind;
	Oid			keytype;
	int16		keylen;
	bool		keybyval;
	bool		fastkey;		/* integer-like: equal iff the canonical
								 * Datums are (acct_canonical_key) */
	bool		imagekey;		/* else equal iff their images are
								 * (acct_image_key) */
	Oid			collation;
	TypeCacheEntry *typentry;	/* hash and equality support */
	bool		has_window;
	DateADT		from;
	DateADT		to;
	int16		grain;			/* KamUnit of the grain form, -1 none, -2 not
								 * given yet */
	bool		deltas;			/* history points are changes of MRR (the
								 * interval forms), not amounts */
	bool		keep_all;		/* history points are records (contracts):
								 * never summed by date, those of one lifetime
								 * joined (kam_acct_set_lifetimes) */
	bool		rates;			/* the rate forms: amounts converted, local
								 * amounts kept (and serialized only then:
								 * without rates they equal the amounts) */
	bool		seen_from;		/* some row was dated `from` (the warning) */
	bool		seen_to;		/* some row was dated `to` */
	const char *settings_what;	/* the arguments the settings come from */
	char	   *settings;		/* a form's fixed arguments, as its own bytes
								 * (kam_acct_set_settings), or NULL */
	int32		settings_len;
	idtab_hash *ids;			/* account number by key (hash of keys) */
	int32	  **dmap;			/* integer keys: the direct map, account
								 * number by key - dmin (-1 none), in pages of
								 * DPAGE slots, a page allocated when a key in
								 * it comes (NULL: none yet); or NULL */
	int64		dmin;			/* multiples of DPAGE */
	int64		dspan;
	int64		dpages;			/* the map's pages in use */
	struct DChunk *dchunks;		/* the memory they come from */
	int32	   *dfree;			/* pages allocated, not in use yet */
	int64		dfree_n;
	int64		kmin;			/* integer keys: the smallest and largest of
								 * the accounts (acct_new_id) */
	int64		kmax;
	int64		dmap_try_at;	/* try the map with this many accounts */
	uint64	   *rbits;			/* the window kind with the map: a bit a slot
								 * of the map, set when that key paid before
								 * `from` (kam_acct_mark_returning), whether
								 * or not it is an account; NULL none */
	bool		ids_pending;	/* a received or merged partial state: its
								 * keys are not indexed yet (most are only
								 * read) */
	bool		handed;			/* the leader's own partial state, handed to
								 * its Finalize in place (acct_hand_off):
								 * read, never freed or changed there */
	bool		in_key_order;	/* integer keys: accounts numbered by
								 * ascending key; in the history kind, the
								 * points grouped by account in that order
								 * (each account's in any order of dates);
								 * keys compared by their images
								 * (acct_hash_ordered): the same in the order
								 * of acct_order_cmp */
	uint32	   *ordhash;		/* those keys in key order: the hash of each
								 * one's image (acct_image_hash), by account;
								 * else NULL */
	char	   *keyblock;		/* a received or merged state's keys of that
								 * kind, in one allocation (or NULL) */
	KamArray	parts;			/* partial states in key order combined into
								 * this one (KamAcctState *), not merged yet
								 * (acct_defer) */
	Size	   *grouped;		/* after acct_settle: where each account's
								 * points start (and the end), all grouped
								 * already; NULL otherwise */
	char	   *packed;			/* a partial state received in key order: its
								 * points as they came (acct_pack), read one
								 * account at a time (merge_next) by the final
								 * functions, or into hp when needed there
								 * (acct_settle); NULL otherwise */
	Size		packed_len;
	int64		packed_n;		/* how many points packed holds (the window
								 * kind: accounts) */
	Size		packed_keys_len;	/* the window kind: packed holds its keys'
									 * packing, this long, then its sums'
									 * (acct_recv_window) */
	uint64	   *date_bits;		/* a packed state: its points' distinct dates
								 * as its worker listed them, a bit a day from
								 * dates_lo (NULL: not listed), against which
								 * every point read is checked; a state handed
								 * over in place: its dates (acct_list_dates) */
	DateADT		dates_lo;
	int64		dates_span;
	DateADT    *rank_dates;		/* a packed state whose points' dates step
								 * through its listed dates (pack_ranked): the
								 * listed dates, ascending (else NULL) */
	int64		ndates;
	double	   *pack_rates;		/* a packed state of a rate form: the rates
								 * its PACK_RATE points name (or NULL) */
	int64		pack_nrates;

	/*
	 * history kind: keys by account id (Datum); the points (KamPoint, or
	 * KamPointFx in the rate forms), one per account and date that arrived
	 * together, else in arrival order until grouped; by account id, the index
	 * of its latest point (-1 none), where a row of the same date adds up
	 */
	KamArray	keys;
	KamArray	hp;
	KamArray	last;
	int64		slots_from;		/* the points from here on (-1: none) name
								 * their account by its slot of the map, not
								 * its number (kam_acct_add_row) */
	int64		hashed_from;	/* or (-1: none) wait for their account's
								 * number with their key and its hash in
								 * hpend, in the same order */
	struct KamHashedKey *hpend; /* keys waiting for the hash, either kind
								 * (acct_hash_batch), or NULL */
	char	   *hkeys;			/* copies of the by-reference keys waiting in
								 * hpend (HKEYS_ROOM bytes), or NULL */
	Size		hkeys_len;
	bool		last_off;		/* rows find their account's latest point only
								 * as the point before them (LAST_PROBE): last
								 * is stale */
	int32		last_rows;		/* rows, and rows that added up at their
								 * account's latest point, since the last
								 * probe */
	int32		last_merges;

	/*
	 * window kind, by account number: its S and E (KamAcctSums, 32 bytes); in
	 * the rate forms, in an array of their own, its local S and E; and in a
	 * third, so that the rows that only mark an account stay in cache,
	 * whether it paid before `from` (one byte)
	 */
	KamArray	wsum;
	KamArray	wlocal;
	KamArray	wret;
	struct KamWinRow *wpend;	/* rows at from or to not yet added to their
								 * account (kam_acct_window_add) */
	int			wpend_n;		/* (their keys are in the map's range, or
								 * without the map in hpend too) */
	int64		iter;
	struct WinMerge *wmerge;	/* or the accounts as they are merged */
	KamAcct		cur;			/* the account kam_acct_iterate_next gave */
};

/*
 * A row at `from` or `to` of the window kind, held until WIN_BATCH of them
 * are added at once (window_flush): its canonical key (in the direct map's
 * range, or in the hash: then with its hash in hpend), its MRR (and local
 * MRR) and which sums it adds to; or, in the hash, a row that marks its
 * account as paid before `from`.
 */
typedef struct KamWinRow
{
	int64		key;
	double		mrr;
	double		local;			/* the MRR in its own currency (rate forms) */
	bool		at_from;
	bool		at_to;
	bool		mark;
} KamWinRow;

#define WIN_BATCH 64

static void window_flush(KamAcctState *st);
static bool window_push_hashed(KamAcctState *st, Datum key, const struct KamWinRow *row);
static void acct_flush_pending(KamAcctState *st);

/*
 * A key waiting to be looked up in the hash (a history's point,
 * kam_acct_add_row, or a window row, window_push_hashed): the canonical key
 * and its hash.
 */
typedef struct KamHashedKey
{
	int64		key;
	uint32		hash;
} KamHashedKey;

#define HASH_BATCH WIN_BATCH

/*
 * Rows wait in those batches only once the hash holds HASHED_MIN accounts
 * (its array 196 kB or more, past the processor's nearest caches): a smaller
 * hash stays in cache, and the many small states of a GROUP BY keep no
 * batch of their own.
 */
#define HASHED_MIN 4096

/*
 * Keys waiting in a batch are looked up in the hash in turn, the bucket of
 * the key HASHED_AHEAD places on fetched meanwhile (acct_hash_batch).
 */
#define HASHED_AHEAD 8

/*
 * By-reference keys (text, uuid) wait in the batch as copies (the row's own
 * is gone by the next row), HKEYS_ROOM bytes of them at most: a longer key
 * does not wait.
 */
#define HKEYS_ROOM 8192

static void acct_number_hashed(KamAcctState *st);

/* the window kind's partial states merged as read (winmerge_new) */
typedef struct WinMerge WinMerge;

static WinMerge *winmerge_new(const KamAcctState *st);
static bool winmerge_next(WinMerge *m, bool rates, KamAcct *out, uint32 *hash);
static void winmerge_free(WinMerge *m);

/* an account's latest point (the history kind): where, and its date */
typedef struct KamLast
{
	int32		idx;			/* -1: none, or beyond int32 (no row adds up
								 * there: the grouping sums them) */
	DateADT		at;
} KamLast;

/* an index as KamLast holds it: 8 bytes an account, so more of them stay in cache */
static inline int32
last_idx(int64 i)
{
	return i >= 0 && i < PG_INT32_MAX ? (int32) i : -1;
}

/*
 * A point as a partial state carries it (kam_state_send_native): account
 * number, date, MRR, and in the rate forms the local MRR, packed
 */
StaticAssertDecl(sizeof(KamPoint) == 16 && offsetof(KamPointFx, local) == 16 &&
				 sizeof(KamPointFx) == 24,
				 "a point's fields are packed");

/* pfree a pointer if it is set, and clear it */
#define KAM_FREE_CLEAR(p) \
	do { \
		if (p) \
			pfree(p); \
		(p) = NULL; \
	} while (0)

/* the direct map of dense integer keys (kam_acct_id) */
#define DMAP_SLACK 65536
#define DMAP_FIRST_TRY 1024

/* 64-bit finaliser (splitmix64) */
static inline uint64
mix64_full(uint64 x)
{
	x ^= x >> 30;
	x *= UINT64CONST(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64CONST(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/* for integer-like keys */
static inline uint32
mix64(uint64 x)
{
	return (uint32) mix64_full(x);
}

/*
 * An integer-like key as a canonical Datum.  PostgreSQL does not promise the
 * bits above a type's width: int4 -1 read from a table is sign-extended,
 * while the same value made by a binary-coercible cast (4294967295::oid::int4)
 * or returned by hashtext() may be zero-extended.  Comparing raw Datums would
 * count one account twice, so every key is widened through its own type on
 * arrival (and again when a partial state is read back).
 */
static inline Datum
acct_canonical_key(const KamAcctState *st, Datum key)
{
	switch (st->keytype)
	{
		case INT2OID:
			return Int64GetDatum((int64) DatumGetInt16(key));
		case INT4OID:
			return Int64GetDatum((int64) DatumGetInt32(key));
		case OIDOID:
			return Int64GetDatum((int64) DatumGetObjectId(key));
		case DATEOID:
			return Int64GetDatum((int64) DatumGetDateADT(key));
		default:
			return key;
	}
}

/*
 * The bytes of a by-reference key compared by its image (imagekey): a
 * varlena's data (the hash holds them detoasted), a cstring's characters, or
 * a fixed-length value's bytes.
 */
static inline const char *
acct_key_image(const KamAcctState *st, Datum key, Size *len)
{
	const char *p = DatumGetPointer(key);

	if (st->keylen == -1)
	{
		Assert(!VARATT_IS_EXTERNAL(p) && !VARATT_IS_COMPRESSED(p));
		*len = VARSIZE_ANY_EXHDR(p);
		return VARDATA_ANY(p);
	}
	*len = st->keylen == -2 ? strlen(p) : (Size) st->keylen;
	return p;
}

/*
 * Keys that a worker sends in key order though they are not integers
 * (either kind): by-reference keys compared by their images (text under a
 * deterministic collation, uuid...).  Their order is that of the hash of
 * their images, then of the images (acct_order_cmp): any order the same in
 * every process lets the leader merge the workers' accounts in one pass.
 */
static inline bool
acct_hash_ordered(const KamAcctState *st)
{
	return !st->fastkey && st->imagekey && !st->keybyval && st->keylen != -2;
}

/* whether a partial state of st's form crosses in key order */
static inline bool
acct_sends_in_order(const KamAcctState *st)
{
	return st->fastkey || acct_hash_ordered(st);
}

/* the order's hash of a key's image (the same in every process) */
static inline uint32
acct_image_hash(const char *img, Size len)
{
	return hash_bytes((const unsigned char *) img, (int) len);
}

/* two images in the order of memcmp, the shorter first on a common prefix */
static inline int
image_cmp(const char *a, Size alen, const char *b, Size blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/*
 * Two keys (ha, hb: their hashes when hash-ordered) in the order of states
 * in key order: integers ascending, other keys by hash, then by image.
 */
static inline int
acct_order_cmp(const KamAcctState *st, Datum a, uint32 ha, Datum b, uint32 hb)
{
	Size		alen,
				blen;
	const char *ai,
			   *bi;

	if (st->fastkey)
		return (DatumGetInt64(a) > DatumGetInt64(b)) - (DatumGetInt64(a) < DatumGetInt64(b));
	if (ha != hb)
		return ha > hb ? 1 : -1;
	ai = acct_key_image(st, a, &alen);
	bi = acct_key_image(st, b, &blen);
	return image_cmp(ai, alen, bi, blen);
}

/*
 * A key's hash in the hash of keys: integers mixed, keys compared by their
 * images (acct_hash_ordered) hashed by their bytes as the order's hash is
 * (no call of the type's hash function, which for text looks up its
 * collation each time), other keys by their type's hash function.
 */
static uint32
acct_hash_key(KamAcctState *st, Datum key)
{
	if (st->fastkey)
		return mix64((uint64) key);
	if (acct_hash_ordered(st))
	{
		Size		len;
		const char *img = acct_key_image(st, key, &len);

		return acct_image_hash(img, len);
	}
	return DatumGetUInt32(FunctionCall1Coll(&st->typentry->hash_proc_finfo,
											st->collation, key));
}

/*
 * Whether two keys (as the hash holds them) are one account's: integers and
 * by-value keys compared by their images as Datums, by-reference keys
 * compared by their images by their bytes (acct_key_image, as they are
 * ordered), others through their type's equality.
 */
static bool
acct_key_equal(KamAcctState *st, Datum a, Datum b)
{
	if (st->fastkey)
		return a == b;
	if (acct_hash_ordered(st))
	{
		Size		alen,
					blen;
		const char *ai = acct_key_image(st, a, &alen);
		const char *bi = acct_key_image(st, b, &blen);

		return alen == blen && memcmp(ai, bi, alen) == 0;
	}
	if (st->imagekey)
		return datum_image_eq(a, b, st->keybyval, st->keylen);
	return DatumGetBool(FunctionCall2Coll(&st->typentry->eq_opr_finfo,
										  st->collation, a, b));
}

/*
 * Whether keys of this type and collation are equal exactly when their
 * images are (the btree operator class says so: BTEQUALIMAGE_PROC, as
 * B-tree deduplication asks): text under a deterministic collation, uuid;
 * not numeric (1.0 = 1.00) or float8 (-0 = 0).  Those keys are then
 * compared without a call to their equality function.
 */
static bool
acct_image_key(Oid keytype, Oid collation)
{
	TypeCacheEntry *t = lookup_type_cache(keytype, TYPECACHE_BTREE_OPFAMILY);
	Oid			proc;

	if (!OidIsValid(t->btree_opf))
		return false;
	proc = get_opfamily_proc(t->btree_opf, t->btree_opintype, t->btree_opintype,
							 BTEQUALIMAGE_PROC);
	return OidIsValid(proc) &&
		DatumGetBool(OidFunctionCall1Coll(proc, collation,
										  ObjectIdGetDatum(t->btree_opintype)));
}

static KamAcctState *
acct_state_new(MemoryContext aggctx, KamAcctKind kind, Oid keytype, Oid collation)
{
	/*
	 * In the aggregate context itself, never a context of its own: a GROUP BY
	 * makes one state per group, and hash aggregation measures every child
	 * context each time it adds a group.
	 */
	KamAcctState *st = MemoryContextAllocZero(aggctx, sizeof(KamAcctState));

	st->ctx = aggctx;
	st->slots_from = -1;
	st->hashed_from = -1;
	st->kind = kind;
	st->grain = -2;
	st->keytype = keytype;
	st->collation = collation;
	get_typlenbyval(keytype, &st->keylen, &st->keybyval);
	switch (keytype)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case DATEOID:
			st->fastkey = st->keybyval;
			break;
		default:
			st->fastkey = false;
	}
	if (!st->fastkey)
	{
		st->typentry = lookup_type_cache(keytype,
										 TYPECACHE_HASH_PROC_FINFO |
										 TYPECACHE_EQ_OPR_FINFO);
		if (!OidIsValid(st->typentry->hash_proc_finfo.fn_oid) ||
			!OidIsValid(st->typentry->eq_opr_finfo.fn_oid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("account key type %s has no default hash operator class",
							format_type_be(keytype)),
					 errhint("Use an integer, text or uuid account identifier.")));
		st->imagekey = acct_image_key(keytype, collation);
	}
	st->ids = idtab_create(aggctx, 2, st);
	st->dmap_try_at = DMAP_FIRST_TRY;
	kam_array_init(&st->keys, aggctx, sizeof(Datum), 8);
	kam_array_init(&st->parts, aggctx, sizeof(KamAcctState *), 0);
	if (kind == KAM_ACCT_WINDOW)
	{
		kam_array_init(&st->wsum, aggctx, sizeof(KamAcctSums), 8);
		kam_array_init(&st->wlocal, aggctx, sizeof(KamAcctSums), 0);
		kam_array_init(&st->wret, aggctx, sizeof(uint8), 8);
	}
	else
	{
		kam_array_init(&st->hp, aggctx, sizeof(KamPoint), 0);
		kam_array_init(&st->last, aggctx, sizeof(KamLast), 8);
	}
	return st;
}

/*
 * The state for a transition call: argument 0 when already created,
 * otherwise a new one in the aggregate context keyed by argument 1's type.
 */
KamAcctState *
kam_acct_state_get(FunctionCallInfo fcinfo, KamAcctKind kind)
{
	MemoryContext aggctx;
	Oid			keytype;

	/* a state exists only in an aggregate: checked when it is made */
	if (likely(!PG_ARGISNULL(0)))
		return (KamAcctState *) PG_GETARG_POINTER(0);
	aggctx = kam_agg_context(fcinfo, "kam per-account transition function");
	keytype = get_fn_expr_argtype(fcinfo->flinfo, 1);
	if (!OidIsValid(keytype))
		elog(ERROR, "could not determine the account key type");
	return acct_state_new(aggctx, kind, keytype, PG_GET_COLLATION());
}

/* a key as the hash holds it: canonical integers, detoasted varlenas */
static inline Datum
acct_key_arg(const KamAcctState *st, Datum key)
{
	if (st->fastkey)
		return acct_canonical_key(st, key);
	if (!st->keybyval && st->keylen == -1)
		return PointerGetDatum(PG_DETOAST_DATUM_PACKED(key));
	return key;
}

/* a new entry's key: by-reference keys are copied into the state */
static inline Datum
acct_key_keep(const KamAcctState *st, Datum key)
{
	MemoryContext old;

	if (st->keybyval)
		return key;
	old = MemoryContextSwitchTo(st->ctx);
	key = datumCopy(key, false, st->keylen);
	MemoryContextSwitchTo(old);
	return key;
}

/* one more account in a key list and its latest points (none yet): its number */
static int32
acct_push_key(KamArray *keys, KamArray *last, Datum key)
{
	if (keys->n >= PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many accounts for one kam aggregate"),
				 errdetail("The limit is %d accounts.", PG_INT32_MAX)));
	*(Datum *) kam_array_push(keys) = key;
	if (last)
		((KamLast *) kam_array_push(last))->idx = -1;
	return (int32) (keys->n - 1);
}

/* a new account's number: its key kept, no point yet */
static int32
acct_new_id(KamAcctState *st, Datum key)
{
	if (st->fastkey)
	{
		int64		k = DatumGetInt64(key);

		st->kmin = st->keys.n == 0 ? k : Min(st->kmin, k);
		st->kmax = st->keys.n == 0 ? k : Max(st->kmax, k);
	}
	st->in_key_order = false;
	if (st->kind == KAM_ACCT_WINDOW)
	{
		memset(kam_array_push(&st->wsum), 0, sizeof(KamAcctSums));
		if (st->rates)
			memset(kam_array_push(&st->wlocal), 0, sizeof(KamAcctSums));
		*(uint8 *) kam_array_push(&st->wret) = 0;
		return acct_push_key(&st->keys, NULL, key);
	}
	return acct_push_key(&st->keys, &st->last, key);
}

/*
 * Dense integer keys (account ids 1..n, the usual case) find their number in
 * a direct map, 4 bytes a key of their range, instead of the hash.  The map
 * is a directory of pages of DPAGE slots, a page allocated only when a key
 * in it comes: keys in bands (ids 1..n, then 10M + 1..n...) take the pages
 * of their bands, not of the gaps between them.  The hash comes first; once
 * 1 024 accounts are in it (then at each doubling), if their keys span at
 * most DSPAN_FACTOR slots an account (the directory's 8 bytes a page, and
 * the window kind's bit a slot) and their pages hold at most 16 slots an
 * account (dmap_page_limit), plus 65 536 each, the map takes over.  It
 * grows (doubling its range) for a key out of its range while both bounds
 * hold; a key beyond them sends every account back to the hash, and the map
 * may be tried again at twice as many accounts.  Keys within the range that
 * take more pages than the bound (sparse keys after dense ones) send the
 * accounts back to the hash at the end of the batch that took them
 * (dmap_check): at most SLOT_BATCH pages too many, for that while.
 */
#define DPAGE_SHIFT 10
#define DPAGE ((int64) 1 << DPAGE_SHIFT)
#define DPAGE_MASK (DPAGE - 1)
#define DSPAN_FACTOR 128
#define DCHUNK_MAX 512			/* pages asked for together at most (2 MB) */

/* pages of the map allocated together, freed together (dmap_drop) */
typedef struct DChunk
{
	struct DChunk *next;
	int64		pad;			/* the pages 16-byte aligned */
	int32		pages[FLEXIBLE_ARRAY_MEMBER];
} DChunk;

static inline int64
dmap_limit(const KamAcctState *st)
{
	return DSPAN_FACTOR * (st->keys.n + 1) + DMAP_SLACK;
}

/* the slots the map's pages may hold */
static inline int64
dmap_page_limit(const KamAcctState *st)
{
	return 16 * (st->keys.n + 1) + DMAP_SLACK;
}

/* bit i of a bitmap of uint64 words */
static inline void
bit_set(uint64 *bits, int64 i)
{
	bits[i >> 6] |= UINT64CONST(1) << (i & 63);
}

static inline bool
bit_test(const uint64 *bits, int64 i)
{
	return (bits[i >> 6] & (UINT64CONST(1) << (i & 63))) != 0;
}

/* the first bit set at i or after, of n bits (n when none) */
static inline int64
bit_next(const uint64 *bits, int64 n, int64 i)
{
	int64		w = i >> 6;
	uint64		x;

	if (i >= n)
		return n;
	x = bits[w] & (~UINT64CONST(0) << (i & 63));
	while (x == 0)
	{
		if (++w >= (n + 63) >> 6)
			return n;
		x = bits[w];
	}
	return Min((w << 6) + pg_rightmost_one_pos64(x), n);
}

static inline uint64 *
bits_new(MemoryContext ctx, int64 nbits)
{
	return MemoryContextAllocExtended(ctx, ((nbits + 63) >> 6) * sizeof(uint64),
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

/* the account of the map's slot j (key dmin + j), -1 none */
static inline int32
dmap_get(const KamAcctState *st, int64 j)
{
	const int32 *page = st->dmap[j >> DPAGE_SHIFT];

	return page ? page[j & DPAGE_MASK] : -1;
}

/* a page of the map, every slot -1 */
static int32 *
dmap_new_page(KamAcctState *st)
{
	int32	   *page;

	if (st->dfree_n == 0)
	{
		/*
		 * as many pages again as there are, 4 to DCHUNK_MAX, and as many more
		 * as the allocation has room for (kam_large_size)
		 */
		int64		n = Min(DCHUNK_MAX, Max(4, st->dpages));
		Size		bytes = kam_large_size(offsetof(DChunk, pages) +
										   n * DPAGE * sizeof(int32));
		DChunk	   *c = kam_alloc_large(st->ctx, bytes, 0);

		n = (int64) ((bytes - offsetof(DChunk, pages)) / (DPAGE * sizeof(int32)));

		c->next = st->dchunks;
		st->dchunks = c;
		st->dfree = c->pages;
		st->dfree_n = n;
	}
	page = st->dfree;
	st->dfree += DPAGE;
	st->dfree_n--;
	memset(page, 0xff, DPAGE * sizeof(int32));	/* -1: no account */
	st->dpages++;
	return page;
}

/* the map's slot j, its page allocated when new */
static inline int32 *
dmap_slot(KamAcctState *st, int64 j)
{
	int32	  **page = &st->dmap[j >> DPAGE_SHIFT];

	if (unlikely(*page == NULL))
		*page = dmap_new_page(st);
	return &(*page)[j & DPAGE_MASK];
}

/* prefetch the map's slot j (nothing when its page is not there) */
static inline void
dmap_prefetch(const KamAcctState *st, int64 j)
{
	const int32 *page = st->dmap[j >> DPAGE_SHIFT];

	if (page)
		kam_prefetch(&page[j & DPAGE_MASK]);
}

/* the map and its pages freed (the marks, rbits, stay) */
static void
dmap_drop(KamAcctState *st)
{
	while (st->dchunks)
	{
		DChunk	   *next = st->dchunks->next;

		pfree(st->dchunks);
		st->dchunks = next;
	}
	KAM_FREE_CLEAR(st->dmap);
	st->dpages = 0;
	st->dfree = NULL;
	st->dfree_n = 0;
}

/* lo rounded down to a page's first slot */
static inline int64
dpage_floor(int64 lo)
{
	return (int64) ((uint64) lo & ~(uint64) DPAGE_MASK);
}

/*
 * The map over keys lo..lo + span - 1 (lo a multiple of DPAGE): every
 * account so far in a new one, or the map's pages and marks moved into a
 * larger range.
 */
static void
dmap_build(KamAcctState *st, int64 lo, int64 span)
{
	int64		npages;
	int32	  **dir;

	Assert((lo & DPAGE_MASK) == 0);
	span = (span + DPAGE_MASK) & ~DPAGE_MASK;
	/* never past the largest key (PG_INT64_MAX ends a page) */
	if ((uint64) span - 1 > (uint64) PG_INT64_MAX - (uint64) lo)
		span = (int64) ((uint64) PG_INT64_MAX - (uint64) lo + 1);
	npages = span >> DPAGE_SHIFT;
	dir = kam_alloc_large(st->ctx, npages * sizeof(int32 *), MCXT_ALLOC_ZERO);
	if (st->dmap == NULL)
	{
		Assert(st->rbits == NULL);
		st->dmap = dir;
		st->dmin = lo;
		st->dspan = span;
		for (int64 i = 0; i < st->keys.n; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			*dmap_slot(st, DatumGetInt64(KAM_ARRAY_ELEM(&st->keys, Datum, i)) - lo) = (int32) i;
		}
		return;
	}
	/* the old range within the new, whole pages (and words of marks) on */
	memcpy(dir + ((st->dmin - lo) >> DPAGE_SHIFT), st->dmap,
		   (st->dspan >> DPAGE_SHIFT) * sizeof(int32 *));
	if (st->rbits)
	{
		uint64	   *bits = bits_new(st->ctx, span);

		memcpy(bits + ((st->dmin - lo) >> 6), st->rbits, (st->dspan >> 6) * sizeof(uint64));
		pfree(st->rbits);
		st->rbits = bits;
	}
	pfree(st->dmap);
	st->dmap = dir;
	st->dmin = lo;
	st->dspan = span;
}

/* the account of the map's slot j (key dmin + j), added when new */
static inline int32
dmap_account(KamAcctState *st, int64 j)
{
	int32	   *slot = dmap_slot(st, j);

	if (*slot < 0)
		*slot = acct_new_id(st, Int64GetDatum(st->dmin + j));
	return *slot;
}

/*
 * The account of the map's next taken slot from *k on (*k left at that
 * slot: its key is dmin + *k), or -1 past the last: the accounts in
 * ascending key order, *r counting those returned, n of them exactly (any
 * other count is a corrupt map).
 */
static inline int32
dmap_next(const KamAcctState *st, int64 *k, int32 *r, int32 n)
{
	for (; *k < st->dspan; (*k)++)
	{
		const int32 *page = st->dmap[*k >> DPAGE_SHIFT];
		int32		id;

		if ((*k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (page == NULL)
		{
			*k |= DPAGE_MASK;	/* on to the next page */
			continue;
		}
		id = page[*k & DPAGE_MASK];
		if (id < 0)
			continue;
		if (*r >= n || id >= n)
			elog(ERROR, "kam per-account state: more accounts in the map than %d", n);
		(*r)++;
		return id;
	}
	if (*r != n)
		elog(ERROR, "kam per-account state: %d accounts in the map of %d", *r, n);
	return -1;
}

/*
 * The marks of "paid before" into the accounts (their own byte each), a new
 * account for a key that has none: before the map goes (the new account
 * is not in the map: the hash takes every account after).
 */
static void
rbits_fold(KamAcctState *st)
{
	if (st->rbits == NULL)
		return;
	for (int64 j = bit_next(st->rbits, st->dspan, 0); j < st->dspan;
		 j = bit_next(st->rbits, st->dspan, j + 1))
	{
		int32		id = dmap_get(st, j);

		CHECK_FOR_INTERRUPTS();
		if (id < 0)
			id = acct_new_id(st, Int64GetDatum(st->dmin + j));	/* may move wret */
		KAM_ARRAY_ELEM(&st->wret, uint8, id) = 1;
	}
	pfree(st->rbits);
	st->rbits = NULL;
}

/* the history kind's hash of accounts, emptied */
static void
acct_empty_hash(KamAcctState *st)
{
	idtab_destroy(st->ids);
	st->ids = idtab_create(st->ctx, 2, st);
}

/*
 * every account into the hash (empty: made its size at once), the bucket of
 * the key HASHED_AHEAD places on fetched meanwhile
 */
static void
acct_hash_all_keys(KamAcctState *st)
{
	int64		n = st->keys.n;
	const Datum *keys = (const Datum *) st->keys.data;
	uint32		ahead[HASHED_AHEAD];

	if (st->ids->members == 0)
	{
		idtab_destroy(st->ids);
		st->ids = idtab_create(st->ctx, Max(n, 2), st);
	}
	for (int64 i = 0; i < Min(n, HASHED_AHEAD); i++)
	{
		ahead[i] = acct_hash_key(st, keys[i]);
		kam_prefetch(&st->ids->data[ahead[i] & st->ids->sizemask]);
	}
	for (int64 i = 0; i < n; i++)
	{
		bool		found;
		uint32		hash = ahead[i % HASHED_AHEAD];
		KamAcctId  *a;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (i + HASHED_AHEAD < n)
		{
			ahead[i % HASHED_AHEAD] = acct_hash_key(st, keys[i + HASHED_AHEAD]);
			kam_prefetch(&st->ids->data[ahead[i % HASHED_AHEAD] & st->ids->sizemask]);
		}
		a = idtab_insert_hash(st->ids, keys[i], hash, &found);
		if (found)
			elog(ERROR, "kam per-account state holds an account twice");
		a->id = (int32) i;
	}
}

/* every account into the hash, the map dropped (tried again at twice the accounts) */
static void
dmap_to_hash(KamAcctState *st)
{
	rbits_fold(st);
	acct_hash_all_keys(st);
	dmap_drop(st);
	st->dmap_try_at = 2 * st->keys.n;
}

/*
 * The map's pages past their bound (keys within its range that fill pages
 * sparsely): every account into the hash.  Called where no row waits for
 * the map.
 */
static inline void
dmap_check(KamAcctState *st)
{
	if (unlikely(st->dmap && st->dpages * DPAGE > dmap_page_limit(st)))
		dmap_to_hash(st);
}

/* how many of the map's pages the keys so far take, from lo, of span slots */
static int64
dmap_count_pages(const KamAcctState *st, int64 lo, int64 span)
{
	int64		npages = (span + DPAGE_MASK) >> DPAGE_SHIFT,
				n = 0;
	uint64	   *seen = bits_new(CurrentMemoryContext, npages);

	for (int64 i = 0; i < st->keys.n; i++)
	{
		int64		p = (DatumGetInt64(KAM_ARRAY_ELEM(&st->keys, Datum, i)) - lo) >> DPAGE_SHIFT;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!bit_test(seen, p))
		{
			bit_set(seen, p);
			n++;
		}
	}
	pfree(seen);
	return n;
}

/*
 * Integer keys in the hash: the map instead when they are dense (the hash
 * emptied); true when it took over.
 */
static bool
dmap_try(KamAcctState *st)
{
	int64		lo = dpage_floor(st->kmin),
				span;

	if (!st->fastkey || st->keys.n < DMAP_FIRST_TRY ||
		(uint64) st->kmax - (uint64) lo >= (uint64) dmap_limit(st))
		return false;
	span = st->kmax - lo + 1;
	if (dmap_count_pages(st, lo, span) * DPAGE > dmap_page_limit(st))
		return false;
	dmap_build(st, lo, span);
	acct_empty_hash(st);
	return true;
}

/*
 * The map covers k, its range grown if need be; false when k is too far
 * from the others, or its page would be one too many.
 */
static bool
dmap_fits(KamAcctState *st, int64 k)
{
	int64		lo = dpage_floor(Min(st->dmin, k)),
				hi = Max(st->dmin + st->dspan - 1, k),
				span;

	if ((uint64) hi - (uint64) lo >= (uint64) dmap_limit(st) ||
		(st->dpages + 1) * DPAGE > dmap_page_limit(st))
		return false;
	span = Min(dmap_limit(st), Max(hi - lo + 1, 2 * st->dspan));

	/*
	 * room above the keys when they grow upwards, below when they grow down
	 * (never below the smallest key)
	 */
	if (k < st->dmin)
		lo = (uint64) hi - (uint64) PG_INT64_MIN < (uint64) span - 1 ? PG_INT64_MIN :
			dpage_floor(hi - span + 1);
	dmap_build(st, lo, Max(hi - lo + 1, span));
	return true;
}

static void acct_settle(KamAcctState *st);
static void acct_number_slots(KamAcctState *st);

/* the points may change: acct_settle's grouping no longer holds */
static inline void
acct_forget_grouping(KamAcctState *st)
{
	if (st->grouped)
		pfree(st->grouped);
	st->grouped = NULL;
}

/*
 * Index the keys of a received partial state, the first time an account is
 * looked up in it (the partial state the leader combines into): the map
 * when they are dense, else the hash.
 */
static void
acct_index_keys(KamAcctState *st)
{
	st->ids_pending = false;
	if (dmap_try(st))
		return;
	st->dmap_try_at = Max(DMAP_FIRST_TRY, 2 * st->keys.n);
	acct_hash_all_keys(st);
}

static int32 acct_hash_id(KamAcctState *st, Datum key, uint32 hash);

/*
 * Rows of keys in the hash wait in a batch (HASHED_MIN accounts or more, the
 * keys not being indexed anew): integer ids too sparse for the map, and keys
 * of every other type (text, uuid), whose rows would otherwise wait twice,
 * for the hash's bucket and for the key it holds (24 bytes and the key's
 * copy an account, past the cache for 700 000 accounts).
 */
static inline bool
acct_hash_batching(const KamAcctState *st)
{
	return !st->dmap && !st->ids_pending && st->keys.n >= HASHED_MIN;
}

/*
 * The key of a row about to wait in the batch into *k, as the hash holds it:
 * integers canonical, by-reference keys detoasted and copied into hkeys
 * (the row's own is gone by the next row); false, the key not to wait, when
 * a by-reference key is longer than HKEYS_ROOM.  The batch is numbered
 * first when hkeys has no room for the key.
 */
static inline bool
acct_key_stage(KamAcctState *st, Datum key, int64 *k)
{
	Size		size,
				len;
	char	   *at;

	if (st->fastkey)
	{
		*k = DatumGetInt64(acct_canonical_key(st, key));
		return true;
	}
	key = acct_key_arg(st, key);
	if (st->keybyval)
	{
		*k = (int64) key;
		return true;
	}
	size = datumGetSize(key, false, st->keylen);
	len = MAXALIGN(size);
	if (len > HKEYS_ROOM)
		return false;
	if (st->hkeys_len + len > HKEYS_ROOM)
		acct_flush_pending(st);
	if (unlikely(st->hkeys == NULL))
		st->hkeys = MemoryContextAlloc(st->ctx, HKEYS_ROOM);
	at = st->hkeys + st->hkeys_len;
	memcpy(at, DatumGetPointer(key), size);
	st->hkeys_len += len;
	*k = (int64) PointerGetDatum(at);
	return true;
}

/* the slot of hpend for the batch's i-th key, allocated the first time */
static inline KamHashedKey *
hpend_slot(KamAcctState *st, int64 i, int64 key)
{
	KamHashedKey *h;

	if (unlikely(st->hpend == NULL))
		st->hpend = MemoryContextAlloc(st->ctx, HASH_BATCH * sizeof(KamHashedKey));
	h = &st->hpend[i];
	h->key = key;
	h->hash = acct_hash_key(st, Int64GetDatum(key));
	return h;
}

/*
 * The accounts of the batch's first n keys (hpend), in turn, the hash's
 * bucket of the key HASHED_AHEAD places on fetched meanwhile, until the map
 * takes over (a new account may bring it): how many were numbered.
 */
static int
acct_hash_batch(KamAcctState *st, int n, int32 *ids)
{
	const KamHashedKey *h = st->hpend;
	int			i;

	for (i = 0; i < Min(n, HASHED_AHEAD); i++)
		kam_prefetch(&st->ids->data[h[i].hash & st->ids->sizemask]);
	for (i = 0; i < n && st->dmap == NULL; i++)
	{
		if (i + HASHED_AHEAD < n)
			kam_prefetch(&st->ids->data[h[i + HASHED_AHEAD].hash & st->ids->sizemask]);

		/*
		 * by-reference keys: the key held at the bucket of the key half as
		 * far on (there by now), fetched too, for the compare
		 */
		if (!st->keybyval && i + HASHED_AHEAD / 2 < n)
		{
			uint32		hash = h[i + HASHED_AHEAD / 2].hash;
			const KamAcctId *e = &st->ids->data[hash & st->ids->sizemask];

			if (e->status == idtab_SH_IN_USE && e->hash == hash)
				kam_prefetch(DatumGetPointer(e->key));
		}
		ids[i] = acct_hash_id(st, Int64GetDatum(h[i].key), h[i].hash);
	}
	/* the keys copied (acct_key_stage) are kept where new, or not needed */
	Assert(i == n || st->hkeys_len == 0);
	st->hkeys_len = 0;
	return i;
}

/* The dense number of the account `key`, added when new. */
int32
kam_acct_id(KamAcctState *st, Datum key)
{
	acct_flush_pending(st);
	if (unlikely(st->ids_pending))
	{
		acct_settle(st);
		acct_forget_grouping(st);
		acct_index_keys(st);
	}
	key = acct_key_arg(st, key);
	dmap_check(st);
	if (st->dmap)
	{
		int64		k = DatumGetInt64(key);

		if (likely((uint64) k - (uint64) st->dmin < (uint64) st->dspan) || dmap_fits(st, k))
			return dmap_account(st, k - st->dmin);
		dmap_to_hash(st);
	}
	return acct_hash_id(st, key, acct_hash_key(st, key));
}

/*
 * The number of the account of key `key` (as the hash holds it), its hash
 * `hash`, from the hash (the map not in use), added when new.
 */
static int32
acct_hash_id(KamAcctState *st, Datum key, uint32 hash)
{
	bool		found;
	KamAcctId  *a = idtab_insert_hash(st->ids, key, hash, &found);
	int32		id;

	if (found)
		return a->id;
	a->key = acct_key_keep(st, key);
	id = a->id = acct_new_id(st, a->key);
	if (st->keys.n == st->dmap_try_at)
	{
		st->dmap_try_at *= 2;
		dmap_try(st);
	}
	return id;
}

/* a window row's MRR into account id's sums (and local sums, with rates) */
static inline void
window_row_add(KamAcctState *st, int32 id, const KamWinRow *r)
{
	KamAcctSums *a = &KAM_ARRAY_ELEM(&st->wsum, KamAcctSums, id);

	if (r->at_from)
		kam_sum_add(&a->s, r->mrr);
	if (r->at_to)
		kam_sum_add(&a->e, r->mrr);
	if (st->rates)
	{
		KamAcctSums *l = &KAM_ARRAY_ELEM(&st->wlocal, KamAcctSums, id);

		if (r->at_from)
			kam_sum_add(&l->s, r->local);
		if (r->at_to)
			kam_sum_add(&l->e, r->local);
	}
}

/*
 * Add a row's MRR to account `key`'s S (at_from) and E (at_to), the window
 * kind; in the rate forms mrr is in the reporting currency and local in the
 * row's own (else the same).  A key in the direct map's range waits in a
 * batch, its slot of the map fetched meanwhile: WIN_BATCH of them are
 * numbered and added together (window_flush), the loads of their slots and
 * sums (700 000 accounts' sums are 22 MB, far past the cache, and the rows
 * come in any order) in flight at once rather than one stall a row.  The
 * accounts are numbered in the order their rows came, as one at a time:
 * every other use of the state's accounts flushes the batch first
 * (acct_flush_pending).
 */
void
kam_acct_window_add(KamAcctState *st, Datum key, bool at_from, bool at_to,
					double mrr, double local)
{
	KamWinRow	row = {.mrr = mrr,.local = local,.at_from = at_from,.at_to = at_to};

	Assert(st->kind == KAM_ACCT_WINDOW);
	if (st->dmap && !st->ids_pending)
	{
		int64		k = DatumGetInt64(acct_canonical_key(st, key));

		if (likely((uint64) k - (uint64) st->dmin < (uint64) st->dspan))
		{
			if (unlikely(st->wpend == NULL))
				st->wpend = MemoryContextAlloc(st->ctx, WIN_BATCH * sizeof(KamWinRow));
			dmap_prefetch(st, k - st->dmin);
			row.key = k;
			st->wpend[st->wpend_n++] = row;
			if (st->wpend_n == WIN_BATCH)
			{
				window_flush(st);
				dmap_check(st);
			}
			return;
		}
	}
	else if (acct_hash_batching(st) && window_push_hashed(st, key, &row))
		return;
	/* numbered first: a new number may move the arrays */
	window_row_add(st, kam_acct_id(st, key), &row);
}

/*
 * A row of key `key` (in the hash) into the batch: false, not there, for a
 * by-reference key too long to wait (acct_key_stage).
 */
static bool
window_push_hashed(KamAcctState *st, Datum key, const KamWinRow *row)
{
	KamWinRow  *r;
	int64		k;

	if (!acct_key_stage(st, key, &k))
		return false;
	if (unlikely(st->wpend == NULL))
		st->wpend = MemoryContextAlloc(st->ctx, WIN_BATCH * sizeof(KamWinRow));
	r = &st->wpend[st->wpend_n];
	*r = *row;
	r->key = k;
	hpend_slot(st, st->wpend_n++, r->key);
	if (st->wpend_n == WIN_BATCH)
		window_flush(st);
	return true;
}

/*
 * The batch of rows into their accounts (kam_acct_window_add,
 * kam_acct_mark_returning): numbered first, in the order they came, then
 * added.  Without the map the keys are in the hash (the map comes or goes
 * only while no row waits); when the map takes over within such a batch,
 * the rows after the one that brought it go in again as they came.
 */
static void
window_flush(KamAcctState *st)
{
	int			n = st->wpend_n,
				m = n;
	int32		ids[WIN_BATCH];
	KamWinRow	rest[WIN_BATCH];

	st->wpend_n = 0;
	if (st->dmap == NULL)
	{
		/* pushed by window_push_hashed: the map was not there then either */
		Assert(st->hpend != NULL && !st->ids_pending);
		m = acct_hash_batch(st, n, ids);
		for (int i = 0; i < m; i++)
		{
			if (st->wpend[i].mark)
				kam_prefetch(&KAM_ARRAY_ELEM(&st->wret, uint8, ids[i]));
			else
				kam_prefetch(&KAM_ARRAY_ELEM(&st->wsum, KamAcctSums, ids[i]));
		}
	}
	else
	{
		/* the keys are in the map's range: it only ever grows while they wait */
		for (int i = 0; i < n; i++)
		{
			ids[i] = dmap_account(st, st->wpend[i].key - st->dmin);
			kam_prefetch(&KAM_ARRAY_ELEM(&st->wsum, KamAcctSums, ids[i]));
		}
	}
	for (int i = 0; i < m; i++)
	{
		if (st->wpend[i].mark)
			KAM_ARRAY_ELEM(&st->wret, uint8, ids[i]) = 1;
		else
			window_row_add(st, ids[i], &st->wpend[i]);
	}
	if (m == n)
		return;
	/* (only integer keys bring the map) */
	Assert(st->fastkey);
	/* copied out: going in again may fill the batch anew */
	memcpy(rest, st->wpend + m, (n - m) * sizeof(KamWinRow));
	for (int i = 0; i < n - m; i++)
	{
		Datum		key = Int64GetDatum(rest[i].key);

		if (rest[i].mark)
			kam_acct_mark_returning(st, key);
		else
			kam_acct_window_add(st, key, rest[i].at_from, rest[i].at_to,
								rest[i].mrr, rest[i].local);
	}
}

/*
 * Rows added but not yet in their accounts: the history kind's points that
 * name their account by its slot of the map (acct_number_slots) or wait
 * with their key for the hash (acct_number_hashed), the window kind's batch
 * (window_flush).  Everything that numbers or reads the
 * accounts other than adding a row calls this first.
 */
static void
acct_flush_pending(KamAcctState *st)
{
	if (unlikely(st->slots_from >= 0))
		acct_number_slots(st);
	if (unlikely(st->hashed_from >= 0))
		acct_number_hashed(st);
	/* a batch may leave rows in a new one (window_flush): until none */
	while (unlikely(st->wpend_n > 0))
		window_flush(st);
}

/*
 * The account `key` paid before `from` (the window kind).  That matters
 * only to an account that pays at `to` and not at `from` (reactivated, not
 * new), and most rows before `from` only mark: with the direct map, a bit
 * of its key's slot (in cache where the account's number and sums would
 * not be: 88 kB for 700 000 dense ids), an account only when it has sums;
 * else the account, added when new, and its byte.
 */
void
kam_acct_mark_returning(KamAcctState *st, Datum key)
{
	int32		id;

	Assert(st->kind == KAM_ACCT_WINDOW);
	if (st->dmap && !st->ids_pending)
	{
		int64		k = DatumGetInt64(acct_canonical_key(st, key));

		if (likely((uint64) k - (uint64) st->dmin < (uint64) st->dspan) || dmap_fits(st, k))
		{
			if (unlikely(st->rbits == NULL))
			{
				st->rbits = bits_new(st->ctx, st->dspan);
				/* its marks are not among its accounts' bytes: not as sent */
				st->in_key_order = false;
			}
			bit_set(st->rbits, k - st->dmin);
			return;
		}
	}
	else if (acct_hash_batching(st))
	{
		KamWinRow	row = {.mark = true};

		if (window_push_hashed(st, key, &row))
			return;
	}
	id = kam_acct_id(st, key);
	KAM_ARRAY_ELEM(&st->wret, uint8, id) = 1;
}

/* whether account key (canonical) is marked in st's bits */
static inline bool
rbits_test(const KamAcctState *st, Datum key)
{
	int64		k = DatumGetInt64(key);

	return st->rbits != NULL && (uint64) k - (uint64) st->dmin < (uint64) st->dspan &&
		bit_test(st->rbits, k - st->dmin);
}

static void acct_compact(KamAcctState *st);

static inline KamPoint *
acct_point(const KamAcctState *st, int64 i)
{
	return (KamPoint *) (st->hp.data + i * st->hp.elem);
}

/*
 * About how many distinct (account, date) the points hold: a HyperLogLog
 * sketch of 2^10 registers over them (about 3 % off), counted when the
 * points fill their array, so the state carries nothing for it.
 */
#define HLL_BITS 10

static double
acct_distinct_points(const KamAcctState *st)
{
	uint8		reg[1 << HLL_BITS] = {0};
	double		sum = 0;
	int			zeros = 0;
	const double m = 1 << HLL_BITS;

	for (int64 i = 0; i < st->hp.n; i++)
	{
		const KamPoint *p = acct_point(st, i);
		uint64		h = mix64_full(((uint64) (uint32) p->acct << 32) | (uint32) p->at);
		int			j = (int) (h >> (64 - HLL_BITS));
		uint64		rest = (h << HLL_BITS) | ((uint64) 1 << (HLL_BITS - 1));
		uint8		rank = (uint8) (64 - pg_leftmost_one_pos64(rest));

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (rank > reg[j])
			reg[j] = rank;
	}
	for (int j = 0; j < (1 << HLL_BITS); j++)
	{
		sum += ldexp(1.0, -reg[j]);
		zeros += reg[j] == 0;
	}
	/* few points: linear counting */
	if (zeros > 0 && 0.7213 / (1 + 1.079 / m) * m * m / sum <= 2.5 * m)
		return m * log(m / zeros);
	return 0.7213 / (1 + 1.079 / m) * m * m / sum;
}

/*
 * Add MRR to account number `id` at a date.  A row of the date of the
 * account's latest point adds up there; else a new point.  Finding that
 * point is a cache miss a row in arrival order (8 bytes an account): when
 * fewer than 1 row in 64 of the last LAST_PROBE added up there (one row an
 * account and date, as snapshots are), only a row of the account and date
 * of the point before it adds up, and the others become points of their
 * own, grouped when they fill work_mem, whereupon the latest points are
 * used again.  When the points
 * fill their array past work_mem and a quarter or more of them share an
 * account and date with another, they are first grouped in place (the
 * points of one account and date summed), and the array still doubles when
 * that frees less than half of it: the state keeps at most about 2.7 points
 * per account and date (16 bytes each, 24 in the rate forms), not one per
 * row, whatever the order of the rows.
 */
#define LAST_PROBE 65536

/*
 * The last point, when it is of account `acct` (its number, or from
 * slots_from on its slot) and at index `from` or after.
 */
static inline KamPoint *
acct_prev_point(const KamAcctState *st, int32 acct, int64 from)
{
	KamPoint   *p;

	if (st->hp.n <= from)
		return NULL;
	p = acct_point(st, st->hp.n - 1);
	return p->acct == acct ? p : NULL;
}

/* a row's amounts added up at point p */
static inline void
pt_add(const KamAcctState *st, KamPoint *p, double mrr, double local)
{
	p->mrr += mrr;
	if (st->rates)
		((KamPointFx *) p)->local += local;
}

/*
 * A row of the account of the point before it (p, or NULL), taken in there
 * if it can be: added up when of the same date; a contract (keep_all: from
 * `at` to the date `end`) joined when the two overlap once each is extended
 * by the gap (an open end is the largest date), as the two are then of one
 * lifetime whatever else the account has (kam_acct_set_lifetimes).  Rows in
 * account order, as a table clustered on its key keeps them, so keep one
 * record per lifetime in most cases, with the record in cache.
 */
static inline bool
pt_take(const KamAcctState *st, KamPoint *p, DateADT at, double mrr, double local)
{
	int64		gap;

	if (p == NULL)
		return false;
	if (!st->keep_all)
	{
		if (p->at != at)
			return false;
		pt_add(st, p, mrr, local);
		return true;
	}
	gap = st->to - st->from;
	if (!kam_lifetime_continues(at, p->mrr, gap) || !kam_lifetime_continues(p->at, mrr, gap))
		return false;
	p->at = Min(p->at, at);
	p->mrr = Max(p->mrr, mrr);
	return true;
}

/* a new last point */
static inline void
pt_push(KamAcctState *st, int32 acct, DateADT at, double mrr, double local)
{
	KamPoint   *p = kam_array_push(&st->hp);

	st->in_key_order = false;
	p->acct = acct;
	p->at = at;
	p->mrr = mrr;
	if (st->rates)
		((KamPointFx *) p)->local = local;
}

void
kam_acct_add_point_local(KamAcctState *st, int32 id, DateADT at, double mrr, double local)
{
	KamPoint   *p = NULL;

	if (st->keep_all || likely(st->last_off))
	{
		if (pt_take(st, acct_prev_point(st, id, 0), at, mrr, local))
			return;
	}
	else
	{
		const KamLast *last = &KAM_ARRAY_ELEM(&st->last, KamLast, id);

		if (last->idx >= 0 && last->at == at)
		{
			p = acct_point(st, last->idx);
			st->last_merges++;
		}
		if (unlikely(++st->last_rows == LAST_PROBE))
		{
			/* under 1 row in 64 added up: not worth a cache miss a row */
			st->last_off = st->last_merges < LAST_PROBE / 64;
			st->last_rows = st->last_merges = 0;
		}
	}
	if (p)
	{
		pt_add(st, p, mrr, local);
		return;
	}
	if (unlikely(st->hp.n == st->hp.max) && !st->keep_all &&
		(Size) st->hp.n * st->hp.elem >= (Size) work_mem * 1024 &&
		acct_distinct_points(st) < 0.75 * st->hp.n)
	{
		acct_compact(st);
		/* less than half the room freed: grow anyway, not group again soon */
		if (st->hp.n > st->hp.max / 2)
			kam_array_reserve(&st->hp, st->hp.max - st->hp.n + 1);
	}
	pt_push(st, id, at, mrr, local);
	if (!st->last_off)
	{
		KamLast    *last = &KAM_ARRAY_ELEM(&st->last, KamLast, id);

		last->idx = last_idx(st->hp.n - 1);
		last->at = at;
	}
}

/*
 * Add a row of account `key` (the history kind).  With the direct map and
 * the latest points off (or records), the point names the key's slot of
 * the map instead of the account's number: that number is a load from the
 * map (4 bytes a slot, past the cache for 700 000 accounts) that would
 * stall every row.  The points' slots become numbers together, with the
 * loads in flight at once (acct_number_slots), every SLOT_BATCH points
 * (still in cache) and before anything else reads the points or numbers
 * an account.  Integer keys in the hash (not dense enough for the map) do
 * the same with its buckets, which sparse keys in arrival order would miss
 * in cache at every row (24 bytes an account, 100 MB at 2.4M keys): from
 * HASHED_MIN accounts on, the point waits with its key and the key's hash,
 * and HASH_BATCH of them are numbered together, the buckets of the next
 * ones in flight meanwhile (acct_number_hashed).
 */
#define SLOT_BATCH 4096

void
kam_acct_add_row(KamAcctState *st, Datum key, DateADT at, double mrr, double local)
{
	int64		k;

	if (st->dmap && (st->last_off || st->keep_all) && !st->ids_pending &&
		st->hp.n < st->hp.max && st->dspan <= PG_INT32_MAX)
	{
		k = DatumGetInt64(acct_canonical_key(st, key));
		if (likely((uint64) k - (uint64) st->dmin < (uint64) st->dspan))
		{
			int32		slot = (int32) (k - st->dmin);

			if (st->slots_from < 0)
				st->slots_from = st->hp.n;
			/* the point before it, of the same slot: there if it can be */
			if (pt_take(st, acct_prev_point(st, slot, st->slots_from), at, mrr, local))
				return;
			pt_push(st, slot, at, mrr, local);
			if (st->hp.n - st->slots_from >= SLOT_BATCH)
			{
				acct_number_slots(st);
				dmap_check(st);
			}
			return;
		}
	}
	else if ((st->last_off || st->keep_all) && st->hp.n < st->hp.max &&
			 acct_hash_batching(st) && acct_key_stage(st, key, &k))
	{
		/* (staging may have numbered the batch: hashed_from anew) */
		if (st->hashed_from < 0)
			st->hashed_from = st->hp.n;
		/* the point before it, of the same key: there if it can be */
		if (st->hp.n > st->hashed_from &&
			st->hpend[st->hp.n - 1 - st->hashed_from].key == k &&
			pt_take(st, acct_point(st, st->hp.n - 1), at, mrr, local))
			return;
		hpend_slot(st, st->hp.n - st->hashed_from, k);
		pt_push(st, -1, at, mrr, local);
		if (st->hp.n - st->hashed_from >= HASH_BATCH)
			acct_number_hashed(st);
		return;
	}
	kam_acct_add_point_local(st, kam_acct_id(st, key), at, mrr, local);
}

/*
 * The points from hashed_from wait for their account's number: now, from
 * the hash (acct_hash_batch), or from the map if it took over meanwhile.
 */
static void
acct_number_hashed(KamAcctState *st)
{
	int64		from = st->hashed_from;
	int			n = (int) (st->hp.n - from),
				m;
	int32		ids[HASH_BATCH];

	/* at most HASH_BATCH points; kam_acct_id flushes none of them again */
	st->hashed_from = -1;
	m = acct_hash_batch(st, n, ids);
	for (int i = 0; i < n; i++)
		acct_point(st, from + i)->acct = i < m ? ids[i] :
			kam_acct_id(st, Int64GetDatum(st->hpend[i].key));
}

/* The points from slots_from name their account by slot: by number now. */
static void
acct_number_slots(KamAcctState *st)
{
	int64		n = st->hp.n;

	/* at most SLOT_BATCH points */
	CHECK_FOR_INTERRUPTS();
	for (int64 i = st->slots_from; i < n; i++)
	{
		KamPoint   *p = acct_point(st, i);

		if (i + 16 < n)
			dmap_prefetch(st, acct_point(st, i + 16)->acct);
		p->acct = dmap_account(st, p->acct);
	}
	st->slots_from = -1;
}

void
kam_acct_add_point(KamAcctState *st, int32 id, DateADT at, double mrr)
{
	kam_acct_add_point_local(st, id, at, mrr, mrr);
}

/*
 * The rate forms: amounts converted to the reporting currency, local amounts
 * kept too (the points become KamPointFx; set before the first point).
 */
static void
acct_set_rates(KamAcctState *st, bool rates)
{
	if (!rates || st->rates)
		return;
	st->rates = true;
	if (st->kind == KAM_ACCT_WINDOW)
	{
		/* local sums for the accounts so far (none in practice: set first) */
		kam_array_reserve(&st->wlocal, st->wsum.n - st->wlocal.n);
		while (st->wlocal.n < st->wsum.n)
			memset(kam_array_push(&st->wlocal), 0, sizeof(KamAcctSums));
		return;
	}
	if (st->hp.n > 0)
		elog(ERROR, "kam history: the rate form was set after the first point");
	if (st->hp.data)
		pfree(st->hp.data);
	kam_array_init(&st->hp, st->ctx, sizeof(KamPointFx), 0);
}

void
kam_acct_set_rates(KamAcctState *st)
{
	acct_set_rates(st, true);
}

bool
kam_acct_rates(KamAcctState *st)
{
	return st->rates;
}

/* records (keep_all): by date, then by value */
static inline int
cmp_record(const void *a, const void *b)
{
	const KamPoint *x = (const KamPoint *) a;
	const KamPoint *y = (const KamPoint *) b;

	CHECK_FOR_INTERRUPTS();
	if (x->at != y->at)
		return (x->at > y->at) - (x->at < y->at);
	return (x->mrr > y->mrr) - (x->mrr < y->mrr);
}

static inline int
cmp_record_fx(const KamPointFx *a, const KamPointFx *b)
{
	return cmp_record(a, b);
}

#define KAM_SORT_NAME record_sort
#define KAM_SORT_TYPE KamPoint
#define KAM_SORT_CMP cmp_record
#include "kam_sort.h"

#define KAM_SORT_NAME record_fx_sort
#define KAM_SORT_TYPE KamPointFx
#define KAM_SORT_CMP cmp_record_fx
#include "kam_sort.h"

/* points by date (sorts in place, allocating nothing: may stop at any comparison) */
static inline int
cmp_point(const KamPoint *a, const KamPoint *b)
{
	CHECK_FOR_INTERRUPTS();
	return (a->at > b->at) - (a->at < b->at);
}

static inline int
cmp_point_fx(const KamPointFx *a, const KamPointFx *b)
{
	return cmp_point(&a->p, &b->p);
}

#define KAM_SORT_NAME point_sort
#define KAM_SORT_TYPE KamPoint
#define KAM_SORT_CMP cmp_point
#include "kam_sort.h"

#define KAM_SORT_NAME point_fx_sort
#define KAM_SORT_TYPE KamPointFx
#define KAM_SORT_CMP cmp_point_fx
#include "kam_sort.h"

/*
 * Sort n points of either size in place: records (keep_all) by date and
 * value, else by date.
 */
static void
pt_sort(char *points, Size n, Size stride, bool records)
{
	if (records && stride == sizeof(KamPoint))
		record_sort((KamPoint *) points, n);
	else if (records)
		record_fx_sort((KamPointFx *) points, n);
	else if (stride == sizeof(KamPoint))
		point_sort((KamPoint *) points, n);
	else
		point_fx_sort((KamPointFx *) points, n);
}

/* copy one point: a constant size, so the compiler moves it inline */
static inline void
pt_copy(void *dst, const void *src, Size stride)
{
	if (stride == sizeof(KamPoint))
		memcpy(dst, src, sizeof(KamPoint));
	else
		memcpy(dst, src, sizeof(KamPointFx));
}

/* an account's latest point, when its points are [first, end) and sorted */
static inline void
acct_set_last(KamLast *l, const char *base, Size stride, Size first, Size end)
{
	l->idx = end > first ? last_idx((int64) end - 1) : -1;
	if (end > first)
		l->at = ((const KamPoint *) (base + (end - 1) * stride))->at;
}

/*
 * One pass of an in-place counting sort (American flag sort) of the points
 * in [starts[0], starts[nb]) into nb buckets, bucket (acct - first) >> shift
 * going to [starts[b], starts[b + 1]): each point goes to its bucket's next
 * free slot, the point it displaces onwards, until a cycle closes.  next:
 * room for nb positions.
 */
static void
flag_pass(char *base, Size stride, int32 first, int shift, int32 nb, const Size *starts, Size *next)
{
#define PT(i) ((KamPoint *) (base + (i) * stride))
#define BUCKET(p) (((p)->acct - first) >> shift)
	memcpy(next, starts, nb * sizeof(Size));
	for (int32 b = 0; b < nb; b++)
	{
		CHECK_FOR_INTERRUPTS();
		while (next[b] < starts[b + 1])
		{
			KamPointFx	moving,
						displaced;
			int32		d;

			pt_copy(&moving, PT(next[b]), stride);
			for (d = BUCKET(&moving.p); d != b; d = BUCKET(&moving.p))
			{
				CHECK_FOR_INTERRUPTS();
				pt_copy(&displaced, PT(next[d]), stride);
				pt_copy(PT(next[d]), &moving, stride);
				next[d]++;

				/*
				 * the bucket's line after this one, read when a point next
				 * comes here: hundreds of buckets are too many streams for
				 * the processor to foresee
				 */
				if (next[d] + 4 < starts[d + 1])
					kam_prefetch(PT(next[d] + 4));
				pt_copy(&moving, &displaced, stride);
			}
			pt_copy(PT(next[b]), &moving, stride);
			next[b]++;
		}
	}
#undef BUCKET
#undef PT
}

/*
 * One account's points [lo, hi) in base, `stride` bytes apart: sorted by
 * date, the points of one date summed (contracts, keep_all: sorted by date
 * and value, those of one lifetime joined, `gap` as kam_acct_set_lifetimes
 * says), and moved down to start at out (<= lo).  Returns where they end.
 */
static Size
acct_sort_run(char *base, Size stride, Size lo, Size hi, Size out, bool keep_all, int64 gap,
			  bool rates)
{
	Size		first = out;
	bool		sorted = true;

#define PT(i) ((KamPoint *) (base + (i) * stride))
	if (keep_all)
	{
		for (Size j = lo + 1; j < hi && sorted; j++)
			sorted = cmp_record(PT(j - 1), PT(j)) <= 0;
		if (!sorted)
			pt_sort((char *) PT(lo), hi - lo, stride, true);

		/*
		 * A contract that starts by the end of those before it plus the gap
		 * joins their record (any start does after an open end,
		 * DATEVAL_NOEND, the largest date).  Joining is associative, so the
		 * final functions join the records of several partial states the same
		 * way and get the same lifetimes; the starts left are distinct and
		 * ascending.
		 */
		for (Size j = lo; j < hi; j++)
		{
			double		end = out > first ? PT(out - 1)->mrr : 0;

			if (out > first && kam_lifetime_continues(PT(j)->at, end, gap))
				PT(out - 1)->mrr = Max(end, PT(j)->mrr);
			else
			{
				if (out != j)
					pt_copy(PT(out), PT(j), stride);
				out++;
			}
		}
		return out;
	}
	/* in date order already, a date's points side by side: summed as they are */
	for (Size j = lo + 1; j < hi && sorted; j++)
		sorted = PT(j - 1)->at <= PT(j)->at;
	if (!sorted && hi - lo <= 32)
	{
		/* an account's few points: insertion sort, stable, no calls */
		for (Size j = lo + 1; j < hi; j++)
		{
			KamPointFx	p;
			Size		k = j;

			pt_copy(&p, PT(j), stride);
			while (k > lo && PT(k - 1)->at > p.p.at)
			{
				pt_copy(PT(k), PT(k - 1), stride);
				k--;
			}
			pt_copy(PT(k), &p, stride);
		}
	}
	else if (!sorted)
		pt_sort((char *) PT(lo), hi - lo, stride, false);
	for (Size j = lo; j < hi; j++)
	{
		if (out > first && PT(out - 1)->at == PT(j)->at)
		{
			PT(out - 1)->mrr += PT(j)->mrr;
			if (rates)
				((KamPointFx *) PT(out - 1))->local += ((KamPointFx *) PT(j))->local;
		}
		else
		{
			if (out != j)
				pt_copy(PT(out), PT(j), stride);
			out++;
		}
	}
#undef PT
	return out;
}

/*
 * Placing points by account: a block counted by date holds at most
 * ACCT_BLOCK_ROOM points (its buffer: 1 MB, 1.5 MB in the rate forms) over
 * at most ACCT_SPAN_ROOM days (its counts: 64 kB); blocks hold about
 * ACCT_BLOCK_POINTS points where the accounts allow (256 kB: in cache).
 */
#define ACCT_BLOCK_ROOM 65536
#define ACCT_SPAN_ROOM 8192
#define ACCT_BLOCK_POINTS 16384

/*
 * A block's points in date order within each account, without a sort per
 * account: the points [offsets[0], offsets[nacct]) of accounts first ...
 * first + nacct - 1 are counted by date into buf (stable), then placed back
 * by account (stable again), so each account's points come out in date
 * order, those of one date in their order before.  buf holds `room` points,
 * counts `span_room` + 1 positions.  false, the points untouched, when the
 * block has more points than buf holds or its dates span more than
 * span_room days (or more than four per point: counting would cost more than
 * it saves); the caller then places them by flag_pass.
 */
static bool
acct_block_by_date(char *base, Size stride, int32 first, int32 nacct, const Size *offsets,
				   Size *next, char *buf, Size room, Size *counts, Size span_room)
{
	Size		lo = offsets[0],
				hi = offsets[nacct];
	DateADT		min = PG_INT32_MAX,
				max = PG_INT32_MIN;
	Size		span;

#define PT(b, i) ((KamPoint *) ((b) + (i) * stride))
	if (hi - lo > room || hi - lo < 2)
		return hi - lo < 2;
	for (Size i = lo; i < hi; i++)
	{
		min = Min(min, PT(base, i)->at);
		max = Max(max, PT(base, i)->at);
	}
	span = (Size) ((int64) max - min) + 1;
	if (span > span_room || span > 4 * (hi - lo) + 64)
		return false;
	memset(counts, 0, (span + 1) * sizeof(Size));
	for (Size i = lo; i < hi; i++)
		counts[PT(base, i)->at - min + 1]++;
	for (Size d = 0; d < span; d++)
		counts[d + 1] += counts[d];
	for (Size i = lo; i < hi; i++)
		pt_copy(PT(buf, counts[PT(base, i)->at - min]++), PT(base, i), stride);
	memcpy(next, offsets, nacct * sizeof(Size));
	for (Size i = 0; i < hi - lo; i++)
		pt_copy(PT(base, next[PT(buf, i)->acct - first]++), PT(buf, i), stride);
#undef PT
	return true;
}

/*
 * The blocks that n accounts' nhp points are placed into first: 2^shift
 * accounts each (the shift returned), at most 1024 blocks, and as large as
 * about ACCT_BLOCK_POINTS points each on average allows.
 */
static int
acct_block_shift(int32 n, Size nhp)
{
	int			low = 0;

	while ((((int64) n - 1) >> low) >= 1024)
		low++;
	while (low < 30 && ((int64) 1 << (low + 1)) * (int64) nhp <= (int64) ACCT_BLOCK_POINTS * n)
		low++;
	return low;
}

/*
 * Place the points [0, starts[nblocks]) in base, `stride` bytes apart, of
 * accounts 0 ... n - 1 (their acct), block b of 2^low accounts having
 * [starts[b], starts[b + 1]): in two passes, so each scatters to few places
 * at a time, into the blocks (flag_pass), then within each block, in cache:
 * its accounts' points counted into offsets (account i's to go to
 * [offsets[i], offsets[i + 1]), offsets[0] 0) and placed there
 * (acct_block_by_date, else flag_pass by account).  Counting every account
 * at once, before, was a cache miss a point.  Each account's points come
 * out in date order where acct_block_by_date placed them.
 */
static void
acct_place(char *base, Size stride, int32 n, Size *offsets, int low, const Size *starts)
{
	int32		per = (int32) 1 << low;
	int32		nblocks = n > 0 ? (int32) (((int64) n - 1) >> low) + 1 : 0;
	Size	   *next = palloc(Max(Max(nblocks, Min(per, n)), 1) * sizeof(Size));
	Size		room = 0;
	char	   *buf;
	Size	   *counts;

	for (int32 b = 1; b <= nblocks; b++)
		room = Max(room, Min(starts[b] - starts[b - 1], ACCT_BLOCK_ROOM));
	if (nblocks > 1)
		flag_pass(base, stride, 0, low, nblocks, starts, next);
	buf = palloc(Max(room, 1) * stride);
	counts = palloc((ACCT_SPAN_ROOM + 1) * sizeof(Size));
	offsets[0] = 0;
	for (int32 b = 0; b < nblocks; b++)
	{
		int32		first = b * per;
		int32		nacct = Min(n - first, per);

		CHECK_FOR_INTERRUPTS();
		for (Size i = starts[b]; i < starts[b + 1]; i++)
			offsets[((const KamPoint *) (base + i * stride))->acct + 1]++;
		for (int32 j = first; j < first + nacct; j++)
			offsets[j + 1] += offsets[j];
		if (!acct_block_by_date(base, stride, first, nacct, &offsets[first], next,
								buf, room, counts, ACCT_SPAN_ROOM))
			flag_pass(base, stride, first, 0, nacct, &offsets[first], next);
	}
	pfree(counts);
	pfree(buf);
	pfree(next);
}

/*
 * Group the history by account, in place: an in-place counting sort on the
 * account id by blocks of accounts (flag_pass), then within each block by
 * date and account (acct_block_by_date, else flag_pass by account and each
 * account's points sorted by date), the points of one date summed
 * (records, keep_all: sorted by date and value, those of a lifetime
 * joined).  The state keeps its meaning: the points are only reordered and
 * merged, and each account's latest point is its last.  The offsets are allocated in the current
 * memory context.
 */
void
kam_history_group(KamAcctState *st, KamHistory *h)
{
	int32		n;
	Size		nhp;
	Size		stride;
	char	   *base;
	Size		out = 0;
	KamLast    *last;
	bool		grouped = true;
	int			low;
	int32		nblocks;
	Size	   *starts;

	acct_settle(st);
	n = (int32) st->keys.n;
	nhp = (Size) st->hp.n;
	stride = st->hp.elem;
	base = st->hp.data;
	last = (KamLast *) st->last.data;
	h->naccts = n;
	h->stride = stride;
	h->points = base;
	h->merge = NULL;
	if (st->grouped)
	{
		/* merged by acct_settle: grouped, sorted and summed by date */
		h->offsets = st->grouped;
		st->grouped = NULL;
		return;
	}

#define PT(i) ((KamPoint *) (base + (i) * stride))
	h->offsets = kam_alloc_large(CurrentMemoryContext, (n + 1) * sizeof(Size), MCXT_ALLOC_ZERO);
	low = acct_block_shift(n, nhp);
	nblocks = n > 0 ? (int32) (((int64) n - 1) >> low) + 1 : 0;
	starts = palloc0((nblocks + 1) * sizeof(Size));
	/* the points of each block of accounts (at most 1 024 counts: in cache) */
	for (Size i = 0; i < nhp; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		starts[(PT(i)->acct >> low) + 1]++;
		/* already grouped (a partial state merged in key order) */
		grouped &= i == 0 || PT(i - 1)->acct <= PT(i)->acct;
	}
	for (int32 b = 0; b < nblocks; b++)
		starts[b + 1] += starts[b];
	if (grouped)
	{
		/* each account's points in one run already: counted in order */
		for (Size i = 0; i < nhp; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			h->offsets[PT(i)->acct + 1]++;
		}
		for (int32 i = 0; i < n; i++)
			h->offsets[i + 1] += h->offsets[i];
	}
	else
		acct_place(base, stride, n, h->offsets, low, starts);
	pfree(starts);

	/* sort each run by date, merge equal dates, compact */
	for (int32 i = 0; i < n; i++)
	{
		Size		lo = h->offsets[i];

		CHECK_FOR_INTERRUPTS();
		h->offsets[i] = out;
		out = acct_sort_run(base, stride, lo, h->offsets[i + 1], out, st->keep_all,
							st->to - st->from, st->rates);
		acct_set_last(&last[i], base, stride, h->offsets[i], out);
	}
#undef PT
	h->offsets[n] = out;
	st->hp.n = (int64) out;
}

/* Sum the points of one account and date (under work_mem pressure). */
static void
acct_compact(KamAcctState *st)
{
	KamHistory	h;

	kam_history_group(st, &h);
	pfree(h.offsets);
	/* every account's latest point is known again, and rows repeat: use it */
	st->last_off = false;
	st->last_rows = st->last_merges = 0;
}

/* Set the window on the first row; every later row must give the same one. */
void
kam_acct_set_window(KamAcctState *st, DateADT from, DateADT to)
{
	if (likely(st->has_window && st->from == from && st->to == to))
		return;
	kam_check_window(from, to);
	if (st->has_window)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from and to must be the same for every row of one aggregate"),
				 errdetail("Got %s to %s after %s to %s.",
						   kam_date_str(from),
						   kam_date_str(to),
						   kam_date_str(st->from),
						   kam_date_str(st->to))));
	st->has_window = true;
	st->from = from;
	st->to = to;
}

static KAM_NORETURN void grain_mismatch(int got, int had);

static void
grain_mismatch(int got, int had)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the grain must be the same for every row of one aggregate"),
			 errdetail("Got %s after %s.", got < 0 ? "none" : kam_unit_names[got],
					   had < 0 ? "none" : kam_unit_names[had])));
}

/* The grain of the grain form (-1: none), given with every row: the first row's holds. */
void
kam_acct_set_grain(KamAcctState *st, int grain)
{
	if (likely(st->grain == grain))
		return;
	if (st->grain != -2)
		grain_mismatch(grain, st->grain);
	st->grain = (int16) grain;
}

int
kam_acct_grain(KamAcctState *st)
{
	return st->grain < 0 ? -1 : st->grain;
}

/*
 * The history holds contracts (the point's date its start, its value its
 * end as a date, DATEVAL_NOEND when open), never summed by date: a
 * customer's lifetimes.  The window is as_of to as_of + gap: a contract
 * that starts at most gap days after the end of those before it continues
 * their lifetime: one record (the first start, the latest end) takes them,
 * as rows come (pt_take) and as an account's contracts are sorted
 * (acct_sort_run).
 */
void
kam_acct_set_lifetimes(KamAcctState *st, DateADT as_of, int32 gap)
{
	st->keep_all = true;
	kam_acct_set_window(st, as_of, as_of + gap);
}

/* The history holds changes of MRR (interval forms) rather than amounts. */
void
kam_acct_set_deltas(KamAcctState *st)
{
	st->deltas = true;
}

bool
kam_acct_deltas(KamAcctState *st)
{
	return st->deltas;
}

/* Some row was dated `from` (or `to`), or counted there. */
void
kam_acct_mark_seen(KamAcctState *st, bool from, bool to)
{
	st->seen_from |= from;
	st->seen_to |= to;
}

void
kam_acct_seen(KamAcctState *st, bool *from, bool *to)
{
	*from = st->seen_from;
	*to = st->seen_to;
}

/*
 * A form's fixed arguments (observation end, period...), as bytes the form
 * encodes itself (portably: they cross from parallel workers to the
 * leader): the first row's are kept, every later row and every partial
 * state must give the same, else the error names `what` (the arguments).
 */
void
kam_acct_set_settings(KamAcctState *st, const char *what, const void *bytes, int32 len)
{
	if (st->settings != NULL && st->settings_len == len &&
		memcmp(st->settings, bytes, len) == 0)
		return;
	if (st->settings != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be the same for every row of one aggregate", st->settings_what)));
	st->settings_what = MemoryContextStrdup(st->ctx, what);
	st->settings = MemoryContextAlloc(st->ctx, Max(len, 1));
	memcpy(st->settings, bytes, len);
	st->settings_len = len;
}

/* the settings as kam_acct_set_settings kept them, or NULL (*len 0) */
const void *
kam_acct_settings(KamAcctState *st, int32 *len)
{
	*len = st->settings_len;
	return st->settings;
}

/* An account's key as text, for messages. */
char *
kam_acct_key_str(KamAcctState *st, Datum key)
{
	Oid			out;
	bool		varlena;

	getTypeOutputInfo(st->keytype, &out, &varlena);
	return OidOutputFunctionCall(out, key);
}

/* the type of the accounts' keys */
Oid
kam_acct_keytype(KamAcctState *st)
{
	return st->keytype;
}

/* the key of history account number i */
Datum
kam_acct_key(KamAcctState *st, int32 i)
{
	return KAM_ARRAY_ELEM(&st->keys, Datum, i);
}

bool
kam_acct_has_window(KamAcctState *st)
{
	return st->has_window;
}

void
kam_acct_window(KamAcctState *st, DateADT *from, DateADT *to)
{
	*from = st->from;
	*to = st->to;
}

/* the window kind's accounts in turn, each with `returning` filled in */
void
kam_acct_iterate_begin(KamAcctState *st)
{
	acct_flush_pending(st);
	if (st->wmerge)
		winmerge_free(st->wmerge);
	st->wmerge = NULL;
	/* partial states in key order: merged as they are read, not into arrays */
	if (st->parts.n > 0 || st->packed)
		st->wmerge = winmerge_new(st);
	st->iter = 0;
}

KamAcct *
kam_acct_iterate_next(KamAcctState *st)
{
	KamAcct    *a = &st->cur;
	const KamAcctSums *sums;

	if (st->wmerge)
	{
		if (!winmerge_next(st->wmerge, st->rates, a, NULL))
		{
			winmerge_free(st->wmerge);
			st->wmerge = NULL;
			return NULL;
		}
		if (!st->rates)
		{
			a->s_local = a->s;
			a->e_local = a->e;
		}
		return a;
	}
	if (st->iter >= st->wsum.n)
		return NULL;
	sums = &KAM_ARRAY_ELEM(&st->wsum, KamAcctSums, st->iter);
	a->key = KAM_ARRAY_ELEM(&st->keys, Datum, st->iter);
	a->returning = KAM_ARRAY_ELEM(&st->wret, uint8, st->iter) != 0 || rbits_test(st, a->key);
	a->s = sums->s;
	a->e = sums->e;
	if (st->rates)
	{
		a->s_local = KAM_ARRAY_ELEM(&st->wlocal, KamAcctSums, st->iter).s;
		a->e_local = KAM_ARRAY_ELEM(&st->wlocal, KamAcctSums, st->iter).e;
	}
	else
	{
		a->s_local = sums->s;
		a->e_local = sums->e;
	}
	st->iter++;
	return a;
}

/* ---------- partial states in key order (integer keys, text, uuid) ---------- */

static void send_key(StringInfo buf, const KamAcctState *st, Datum key);

/*
 * A partial state of integer keys crosses to the leader in key order: its
 * accounts numbered by ascending key, its points grouped by account in that
 * order.  Each worker puts its own state in that order (in parallel), and
 * the leader merges two such states in one sequential pass, with no hash
 * lookup and no scatter: looking up every key of every partial state and
 * regrouping every point on the leader cost more than the serial plan did.
 * Keys compared by their images (text, uuid: acct_hash_ordered) cross the
 * same way in the order of acct_order_cmp, by the hash of the image, then
 * the image.
 */
typedef struct KeyRank
{
	int64		key;
	int32		id;
} KeyRank;

static inline int
cmp_key_rank(const KeyRank *a, const KeyRank *b)
{
	/* the sort may stop at any comparison: it allocates nothing */
	CHECK_FOR_INTERRUPTS();
	return (a->key > b->key) - (a->key < b->key);
}

#define KAM_SORT_NAME key_rank_sort
#define KAM_SORT_TYPE KeyRank
#define KAM_SORT_CMP cmp_key_rank
#include "kam_sort.h"

/* an account by the hash of its key's image, then the image (acct_order_cmp) */
typedef struct HashRank
{
	uint32		hash;
	int32		id;
	const char *img;
	Size		len;
} HashRank;

static inline int
cmp_hash_rank(const HashRank *a, const HashRank *b)
{
	CHECK_FOR_INTERRUPTS();
	if (a->hash != b->hash)
		return a->hash > b->hash ? 1 : -1;
	return image_cmp(a->img, a->len, b->img, b->len);
}

#define KAM_SORT_NAME hash_rank_sort
#define KAM_SORT_TYPE HashRank
#define KAM_SORT_CMP cmp_hash_rank
#include "kam_sort.h"

/* the index of accounts by key, emptied: rebuilt when an account is looked up */
static void
acct_drop_index(KamAcctState *st)
{
	if (st->dmap)
		rbits_fold(st);
	acct_empty_hash(st);
	dmap_drop(st);
	st->ids_pending = true;
}

/* empty a KamArray, its memory freed */
static void
array_free(KamArray *a)
{
	if (a->data)
		pfree(a->data);
	a->data = NULL;
	a->n = a->max = 0;
}

/* free st's accounts, points (held or packed) and latest points, or sums: all spent */
static void
acct_free_arrays(KamAcctState *st)
{
	acct_forget_grouping(st);
	array_free(&st->keys);
	array_free(&st->hp);
	array_free(&st->last);
	array_free(&st->wsum);
	array_free(&st->wret);
	array_free(&st->wlocal);
	KAM_FREE_CLEAR(st->packed);
	KAM_FREE_CLEAR(st->date_bits);
	KAM_FREE_CLEAR(st->rank_dates);
	st->ndates = 0;
	KAM_FREE_CLEAR(st->pack_rates);
	st->pack_nrates = 0;
	KAM_FREE_CLEAR(st->ordhash);
	KAM_FREE_CLEAR(st->keyblock);
}

/*
 * st's keys (all of them) are now in key order: for integer keys the
 * range is their first and last; the index of keys is dropped (rebuilt if
 * an account is looked up)
 */
static void
acct_keys_in_order(KamAcctState *st)
{
	if (st->keys.n > 0 && st->fastkey)
	{
		st->kmin = DatumGetInt64(KAM_ARRAY_ELEM(&st->keys, Datum, 0));
		st->kmax = DatumGetInt64(KAM_ARRAY_ELEM(&st->keys, Datum, st->keys.n - 1));
	}
	acct_drop_index(st);
	st->in_key_order = true;
}

/*
 * replace st's keys, points and latest points by new ones, in key order
 * (hash-ordered keys: their hashes in ordhash, and the allocation of their
 * copies, if one, in keyblock; else NULL)
 */
static void
acct_take_arrays(KamAcctState *st, KamArray *keys, KamArray *hp, KamArray *last,
				 uint32 *ordhash, char *keyblock)
{
	acct_free_arrays(st);
	st->keys = *keys;
	st->hp = *hp;
	st->last = *last;
	st->ordhash = ordhash;
	st->keyblock = keyblock;
	Assert(st->fastkey || ordhash != NULL || keys->n == 0);
	acct_keys_in_order(st);
}

/*
 * st's account numbers in ascending order of their keys (integer keys):
 * read off the direct map when the keys are dense, else sorted.  Keys
 * compared by their images (acct_hash_ordered): sorted by hash and image,
 * the hashes in that order in *hashes if hashes is not NULL (palloc'd in
 * st's context; NULL when the accounts are in key order already).
 */
static int32 *
acct_key_order(KamAcctState *st, uint32 **hashes)
{
	int32		n = (int32) st->keys.n;
	int32	   *ids = kam_alloc_large(CurrentMemoryContext, Max(n, 1) * sizeof(int32), 0);

	Assert(st->fastkey || acct_hash_ordered(st));
	if (hashes)
		*hashes = NULL;
	if (st->in_key_order)
	{
		for (int32 i = 0; i < n; i++)
			ids[i] = i;
	}
	else if (!st->fastkey)
	{
		HashRank   *order = kam_alloc_large(CurrentMemoryContext, Max(n, 1) * sizeof(HashRank), 0);

		if (hashes)
			*hashes = kam_alloc_large(st->ctx, Max(n, 1) * sizeof(uint32), 0);
		for (int32 i = 0; i < n; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			order[i].img = acct_key_image(st, KAM_ARRAY_ELEM(&st->keys, Datum, i), &order[i].len);
			order[i].hash = acct_image_hash(order[i].img, order[i].len);
			order[i].id = i;
		}
		hash_rank_sort(order, n);
		for (int32 r = 0; r < n; r++)
		{
			ids[r] = order[r].id;
			if (hashes)
				(*hashes)[r] = order[r].hash;
		}
		pfree(order);
	}
	else if (st->dmap)
	{
		int32		r = 0,
					id;

		for (int64 k = 0; (id = dmap_next(st, &k, &r, n)) >= 0; k++)
			ids[r - 1] = id;
	}
	else
	{
		KeyRank    *order = kam_alloc_large(CurrentMemoryContext, Max(n, 1) * sizeof(KeyRank), 0);

		for (int32 i = 0; i < n; i++)
		{
			order[i].key = DatumGetInt64(KAM_ARRAY_ELEM(&st->keys, Datum, i));
			order[i].id = i;
		}
		key_rank_sort(order, n);
		for (int32 r = 0; r < n; r++)
			ids[r] = order[r].id;
		pfree(order);
	}
	return ids;
}

/* ---------- histories packed for the leader ---------- */

/*
 * A history in key order crosses to the leader packed.  On its way each
 * point is copied into new memory four times (the message, the worker's
 * tuple, the leader's tuple and its copy of it), then read into the
 * leader's state: that, more than the work on the points, is what made
 * the parallel plan of a 1M-row waterfall slower than the serial one.  And
 * most months repeat an account's MRR.  Per account in key order: its
 * number of points (a varint), then each point as a varint of its date,
 * days after the account's point before (for its first point, the zigzag of
 * days after the previous account's first date), shifted left twice, the
 * low bits its amounts' kind: PACK_SAME when they are bitwise those of the
 * point before it in the message; PACK_CENTS when each is a whole number of
 * cents that (double) cents / 100 gives back bit for bit (money read from
 * numeric(12,2) always is), the zigzag of the cents following as varints
 * (the MRR, then in the rate forms the local MRR: 3 bytes for 1 234.56);
 * in the rate forms PACK_RATE when the MRR is bit for bit the local MRR
 * times a rate of the state's list (RateList, sent after the points: the
 * rates of a currency and date repeat over its accounts), a varint of the
 * rate's place in the list shifted left once, the low bit set when the local
 * MRR is that of the point before, else followed by its cents; else
 * PACK_BITS, each as pq_sendfloat8 writes it.  About 5 bytes a point,
 * keys included, over the sample CRM's snapshots instead of 16 and 8 a
 * key.  The leader keeps them so: the final functions read them one account
 * at a time (kam_history_account); a state sent on, or that rows are added
 * to, is first read into its own array (acct_settle).
 */
#define PACK_SAME 0
#define PACK_CENTS 1
#define PACK_BITS 2
#define PACK_RATE 3
#define PACK_POINT_MAX (10 + 2 * 10)	/* one point, at most */
#define PACK_RATES_MAX 65536	/* rates listed, at most */

/* a listed rate's place, found by its bits */
typedef struct RatePlace
{
	uint64		bits;
	int32		place;
	char		status;			/* used by simplehash */
} RatePlace;

#define SH_PREFIX ratetab
#define SH_ELEMENT_TYPE RatePlace
#define SH_KEY_TYPE uint64
#define SH_KEY bits
#define SH_HASH_KEY(tb, k) kam_hash64(k)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/*
 * The rates a worker lists while it packs, each once, up to PACK_RATES_MAX
 * (and no more than its points), and the place of the last one found.
 */
typedef struct RateList
{
	ratetab_hash *places;
	uint64	   *rates;			/* bits, in the order listed */
	int32		max;
	int32		n;
	int32		last;
} RateList;

static void
rate_list_init(RateList *l, int64 points)
{
	l->max = (int32) Min(Max(points, 1), PACK_RATES_MAX);
	l->places = ratetab_create(CurrentMemoryContext, 16, NULL);
	l->rates = palloc(l->max * sizeof(uint64));
	l->n = 0;
	l->last = -1;
}

/*
 * The place in the list of a rate r with local * r == mrr bit for bit
 * (local not 0): the last one found, else mrr / local, listed if new while
 * there is room; -1 when there is none.
 */
static int32
rate_place(RateList *l, uint64 mrr, uint64 local)
{
	double		lv = kam_bits_double(local),
				r;
	uint64		rb;
	RatePlace  *e;
	bool		found;

	if (lv == 0)
		return -1;
	if (l->last >= 0 && kam_double_bits(lv * kam_bits_double(l->rates[l->last])) == mrr)
		return l->last;
	r = kam_bits_double(mrr) / lv;
	rb = kam_double_bits(r);
	if (!isfinite(r) || r == 0 || kam_double_bits(lv * r) != mrr)
		return -1;
	if (l->n == l->max)
	{
		/* full: only rates listed already */
		e = ratetab_lookup(l->places, rb);
		return e ? (l->last = e->place) : -1;
	}
	e = ratetab_insert(l->places, rb, &found);
	if (!found)
	{
		e->place = l->n;
		l->rates[l->n++] = rb;
	}
	return l->last = e->place;
}


/*
 * Append the points of n accounts, account i's at offsets[i] ..
 * offsets[i + 1] - 1 of points (sorted by date), to buf, packed: each
 * point's date as a step from the date before it (an account's first, from
 * the first of the account before), in days, or with rank (pack_ranked) in
 * listed dates: rank[d] the place among the listed dates of the date d days
 * after dates_lo.
 */
static void
acct_pack(StringInfo buf, const char *points, Size stride, const Size *offsets, int32 n,
		  RateList *rates, const int32 *rank, DateADT dates_lo)
{
	int64		first = 0;
	uint64		mrr = 0,
				local = 0;

	for (int32 i = 0; i < n; i++)
	{
		int64		at = 0;
		char	   *o;

		if ((i & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		kam_state_send_reserve(buf, 10);
		o = kam_pack_varint(buf->data + buf->len, (uint64) (offsets[i + 1] - offsets[i]));
		buf->len = (int) (o - buf->data);
		for (Size j = offsets[i]; j < offsets[i + 1]; j++)
		{
			const KamPoint *p = (const KamPoint *) (points + j * stride);
			uint64		pm = kam_double_bits(p->mrr),
						pl = rates ? kam_double_bits(((const KamPointFx *) p)->local) : 0;
			uint64		step;
			bool		same = pm == mrr && pl == local;
			int64		cm = 0,
						cl = 0;
			int32		rate = -1;
			int			kind;

			/* the step, in days or ranks, from the account's date before */
			int64		pos = rank ? rank[(int64) p->at - dates_lo] : p->at;

			if (j == offsets[i])
			{
				step = kam_zigzag(pos - first);
				first = pos;
			}
			else if (pos >= at)
				step = (uint64) (pos - at);
			else
				elog(ERROR, "kam per-account state: an account's points out of date order");
			at = pos;
			kam_state_send_reserve(buf, PACK_POINT_MAX);
			if (same)
				kind = PACK_SAME;
			else if (rates && (pl == local || kam_amount_cents(pl, &cl)) &&
					 (rate = rate_place(rates, pm, pl)) >= 0)
				kind = PACK_RATE;
			else if (kam_amount_cents(pm, &cm) && (!rates || kam_amount_cents(pl, &cl)))
				kind = PACK_CENTS;
			else
				kind = PACK_BITS;
			o = kam_pack_varint(buf->data + buf->len, (step << 2) | kind);
			if (kind == PACK_RATE)
			{
				o = kam_pack_varint(o, ((uint64) rate << 1) | (pl == local));
				if (pl != local)
					o = kam_pack_varint(o, kam_zigzag(cl));
			}
			else if (kind == PACK_CENTS)
			{
				o = kam_pack_varint(o, kam_zigzag(cm));
				if (rates)
					o = kam_pack_varint(o, kam_zigzag(cl));
			}
			else if (kind == PACK_BITS)
			{
				o = kam_pack_bits(o, pm);
				if (rates)
					o = kam_pack_bits(o, pl);
			}
			mrr = pm;
			local = pl;
			buf->len = (int) (o - buf->data);
		}
	}
	buf->data[buf->len] = '\0';
}

/* reading a packed history: where, and what the points before it were */
typedef struct PackCursor
{
	const char *p;
	const char *end;
	int64		left;			/* points still to read */
	DateADT		first;			/* the previous account's first date */
	uint64		mrr;			/* the amounts of the point before, as bits */
	uint64		local;
	const uint64 *date_bits;	/* the state's listed dates (or NULL) */
	DateADT		dates_lo;
	int64		dates_span;
	const DateADT *rank_dates;	/* dates stepped through as ranks (or NULL) */
	int64		ndates;
	int64		rank;			/* the previous account's first, so ranked */
	const double *rates;		/* the state's listed rates */
	int64		nrates;
} PackCursor;

static void
pack_cursor_init(PackCursor *c, const KamAcctState *st)
{
	memset(c, 0, sizeof(PackCursor));
	c->p = st->packed;
	c->end = st->packed + st->packed_len;
	c->left = st->packed_n;
	c->date_bits = st->date_bits;
	c->dates_lo = st->dates_lo;
	c->dates_span = st->dates_span;
	c->rank_dates = st->rank_dates;
	c->ndates = st->ndates;
	c->rates = st->pack_rates;
	c->nrates = st->pack_nrates;
}

/* every point read, and nothing more there */
static void
pack_cursor_end(const PackCursor *c)
{
	if (c->left != 0 || c->p != c->end)
		elog(ERROR, "kam per-account state: packed points do not match their count");
}

static inline uint64
unpack_varint(PackCursor *c)
{
	uint64		v;

	if (!kam_unpack_varint(&c->p, c->end, &v))
		elog(ERROR, "kam per-account state: a packed point runs past the state");
	return v;
}

static inline uint64
unpack_bits(PackCursor *c)
{
	uint64		bits;

	if (!kam_unpack_bits(&c->p, c->end, &bits))
		elog(ERROR, "kam per-account state: a packed point runs past the state");
	return bits;
}

/* an amount packed as cents (PACK_CENTS), as its bits */
static inline uint64
unpack_cents(PackCursor *c)
{
	int64		cents = kam_unzigzag(unpack_varint(c));

	if (cents <= -KAM_CENTS_MAX || cents >= KAM_CENTS_MAX)
		elog(ERROR, "kam per-account state: packed cents out of range");
	return kam_cents_bits(cents);
}

/* a point's amounts packed as a listed rate (PACK_RATE), as bits */
static inline void
unpack_rate(PackCursor *c)
{
	uint64		v = unpack_varint(c);
	double		mrr;

	if ((v >> 1) >= (uint64) c->nrates)
		elog(ERROR, "kam per-account state: a packed point names a rate not listed");
	if ((v & 1) == 0)
		c->local = unpack_cents(c);
	mrr = kam_bits_double(c->local) * c->rates[v >> 1];
	if (!isfinite(mrr) || kam_bits_double(c->local) == 0)
		elog(ERROR, "kam per-account state: a packed point's rate gives no MRR");
	c->mrr = kam_double_bits(mrr);
}

/* how many points the next account has */
static int64
acct_unpack_count(PackCursor *c)
{
	uint64		n = unpack_varint(c);

	if (n > (uint64) c->left)
		elog(ERROR, "kam per-account state: an account of more points than the state holds");
	c->left -= (int64) n;
	return (int64) n;
}

/*
 * The next account's n points into out (room for them), as account r:
 * checked to be sorted (by date, one point a date; records by date and
 * value), as acct_pack sent them.
 */
static void
acct_unpack_points(PackCursor *cursor, char *out, int64 n, Size stride, int32 r, bool keep_all,
				   bool rates)
{
	/*
	 * read through a copy, written back at the end: the points written
	 * through out could alias the cursor, so each point would reload it
	 */
	PackCursor	cur = *cursor;
	PackCursor *c = &cur;
	int64		at = 0,
				rank = 0;

	for (int64 j = 0; j < n; j++, out += stride)
	{
		KamPoint   *p = (KamPoint *) out;
		uint64		v = unpack_varint(c);
		uint64		step = v >> 2;

		if ((j & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		if (step > PG_UINT32_MAX * UINT64CONST(2))
			elog(ERROR, "kam per-account state: a packed date out of range");
		if (j > 0 && step == 0 && !keep_all)
			elog(ERROR, "kam per-account state: an account's points out of date order");
		if (c->rank_dates)
		{
			/* a step through the listed dates, each one of them */
			if (j == 0)
				c->rank += kam_unzigzag(step);
			rank = j == 0 ? c->rank : rank + (int64) step;
			if ((uint64) rank >= (uint64) c->ndates)
				elog(ERROR, "kam per-account state: a packed point's date is not among the state's dates");
			at = c->rank_dates[rank];
		}
		else
		{
			if (j == 0)
				at = (int64) c->first + kam_unzigzag(step);
			else
				at += (int64) step;
			if (at < PG_INT32_MIN || at > PG_INT32_MAX)
				elog(ERROR, "kam per-account state: a packed date out of range");
			if (j == 0)
				c->first = (DateADT) at;
			if (c->date_bits &&
				((uint64) (at - c->dates_lo) >= (uint64) c->dates_span ||
				 !bit_test(c->date_bits, at - c->dates_lo)))
				elog(ERROR, "kam per-account state: a packed point's date is not among the state's dates");
		}
		if ((v & 3) == PACK_CENTS)
		{
			c->mrr = unpack_cents(c);
			if (rates)
				c->local = unpack_cents(c);
		}
		else if ((v & 3) == PACK_BITS)
		{
			c->mrr = unpack_bits(c);
			if (rates)
				c->local = unpack_bits(c);
		}
		else if ((v & 3) == PACK_RATE && rates)
			unpack_rate(c);
		else if ((v & 3) != PACK_SAME)
			elog(ERROR, "kam per-account state: a packed point of unknown kind");
		p->acct = r;
		p->at = (DateADT) at;
		memcpy(&p->mrr, &c->mrr, sizeof(double));
		if (rates)
			memcpy(&((KamPointFx *) p)->local, &c->local, sizeof(double));
		if (keep_all && j > 0 && cmp_record(out - stride, out) > 0)
			elog(ERROR, "kam per-account state: an account's points out of date order");
	}
	*cursor = cur;
}

/* the next account's points into a (emptied), as account r: how many */
static int64
acct_unpack_run(PackCursor *c, KamArray *a, int32 r, bool keep_all, bool rates)
{
	int64		n = acct_unpack_count(c);

	a->n = 0;
	kam_array_reserve(a, n);
	acct_unpack_points(c, a->data, n, a->elem, r, keep_all, rates);
	a->n = n;
	return n;
}

/* a packing's length goes before it: where, to fill in when it ends */
static int
pack_length_begin(StringInfo buf)
{
	int			at = buf->len;

	pq_sendint64(buf, 0);
	return at;
}

static void
pack_length_end(StringInfo buf, int at)
{
	uint64		len = pg_hton64((uint64) (buf->len - at - sizeof(len)));

	memcpy(buf->data + at, &len, sizeof(len));
}

/*
 * n keys, ascending, packed: the first's zigzag, then each one's distance
 * from the one before (a byte for dense ids), as varints.
 */
static void
acct_pack_keys(StringInfo buf, const Datum *keys, int32 n)
{
	int64		prev = 0;

	for (int32 i = 0; i < n; i++)
	{
		int64		k = DatumGetInt64(keys[i]);
		char	   *o;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		kam_state_send_reserve(buf, 10);
		o = kam_pack_varint(buf->data + buf->len,
							i == 0 ? kam_zigzag(k) : (uint64) k - (uint64) prev);
		buf->len = (int) (o - buf->data);
		prev = k;
	}
	buf->data[buf->len] = '\0';
}

/* key i packed by acct_pack_keys at the cursor, after prev: checked to ascend */
static inline int64
unpack_key(PackCursor *c, int64 i, int64 prev)
{
	uint64		v = unpack_varint(c);

	if (i == 0)
		return kam_unzigzag(v);
	if (v == 0 || v > (uint64) PG_INT64_MAX - (uint64) prev)
		elog(ERROR, "kam per-account state: packed keys out of order");
	return (int64) ((uint64) prev + v);
}

/* n keys packed by acct_pack_keys (len bytes at p) into keys: checked to ascend */
static void
acct_unpack_keys(const char *p, int64 len, Datum *keys, int64 n)
{
	PackCursor	c = {0};
	int64		prev = 0;

	c.p = p;
	c.end = p + len;
	for (int64 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		prev = unpack_key(&c, i, prev);
		keys[i] = Int64GetDatum(prev);
	}
	if (c.p != c.end)
		elog(ERROR, "kam_acct_deserial: packed keys do not match their count");
}

/*
 * n keys compared by their images (acct_hash_ordered), in key order, packed:
 * each one's image after its length, a varint.
 */
static void
acct_pack_image_keys(StringInfo buf, const KamAcctState *st, const Datum *keys, int32 n)
{
	for (int32 i = 0; i < n; i++)
	{
		Size		len;
		const char *img = acct_key_image(st, keys[i], &len);
		char	   *o;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		/* the keys of a state just put in key order lie anywhere */
		if (i + 8 < n)
			kam_prefetch(DatumGetPointer(keys[i + 8]));
		kam_state_send_reserve(buf, 10 + len);
		o = kam_pack_varint(buf->data + buf->len, len);
		memcpy(o, img, len);
		buf->len = (int) (o + len - buf->data);
	}
	buf->data[buf->len] = '\0';
}

/* n keys of st's type in key order, packed (acct_pack_keys, acct_pack_image_keys) */
static void
acct_pack_any_keys(StringInfo buf, const KamAcctState *st, const Datum *keys, int32 n)
{
	if (st->fastkey)
		acct_pack_keys(buf, keys, n);
	else
		acct_pack_image_keys(buf, st, keys, n);
}

/* the key of image img (len bytes) written at o, as *key: the end */
static char *
image_key_put(const KamAcctState *st, char *o, const char *img, Size len, Datum *key)
{
	o = (char *) INTALIGN(o);
	*key = PointerGetDatum(o);
	if (st->keylen == -1)
	{
		SET_VARSIZE(o, VARHDRSZ + len);
		o += VARHDRSZ;
	}
	memcpy(o, img, len);
	return o + len;
}

/*
 * n keys compared by their images copied into one new allocation (in st's
 * context), keys[] made to name the copies: the allocation
 */
static char *
image_keys_copy(const KamAcctState *st, Datum *keys, int64 n)
{
	Size		size = 0;
	char	   *block,
			   *o;

	for (int64 i = 0; i < n; i++)
	{
		Size		len;

		(void) acct_key_image(st, keys[i], &len);
		size = INTALIGN(size) + (st->keylen == -1 ? VARHDRSZ : 0) + len;
	}
	block = o = kam_alloc_large(st->ctx, Max(size, 1), 0);
	for (int64 i = 0; i < n; i++)
	{
		Size		len;
		const char *img = acct_key_image(st, keys[i], &len);

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		o = image_key_put(st, o, img, len, &keys[i]);
	}
	return block;
}

/*
 * n keys packed by acct_pack_image_keys (len bytes at p) into st's keys, in
 * one allocation (keyblock), and their hashes (ordhash): checked to be in
 * key order, each once.
 */
static void
acct_unpack_image_keys(KamAcctState *st, const char *p, int64 len, int64 n)
{
	PackCursor	c = {0};
	char	   *o;

	c.p = p;
	c.end = p + len;
	/* an image and its length take len + 1 bytes or more; kept, 7 more */
	st->keyblock = kam_alloc_large(st->ctx, Max(len + 7 * n, 1), 0);
	st->ordhash = kam_alloc_large(st->ctx, Max(n, 1) * sizeof(uint32), 0);
	o = st->keyblock;
	for (int64 i = 0; i < n; i++)
	{
		uint64		ilen = unpack_varint(&c);
		Datum		key;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (ilen > (uint64) (c.end - c.p) ||
			(st->keylen > 0 && ilen != (uint64) st->keylen) ||
			(st->keylen == -1 && ilen > MaxAllocSize - VARHDRSZ))
			elog(ERROR, "kam_acct_deserial: bad packed key length");
		o = image_key_put(st, o, c.p, ilen, &key);
		st->ordhash[i] = acct_image_hash(c.p, ilen);
		c.p += ilen;
		KAM_ARRAY_ELEM(&st->keys, Datum, i) = key;
		if (i > 0 && acct_order_cmp(st, KAM_ARRAY_ELEM(&st->keys, Datum, i - 1), st->ordhash[i - 1],
									key, st->ordhash[i]) >= 0)
			elog(ERROR, "kam per-account state: packed keys out of order");
	}
	if (c.p != c.end)
		elog(ERROR, "kam_acct_deserial: packed keys do not match their count");
}

/*
 * The dates of a packed state are listed when they span at most this many
 * days (a bit each, 512 kB, on either side): the leader's calendar then
 * comes from the lists, not from reading every point (twice).
 */
#define PACK_DATES_SPAN (1 << 22)

/*
 * The most days a table of a date rank a day covers (256 kB: in cache), for
 * a worker's own dates (pack_ranked) and for the leader's merge of several
 * states' (merge_rank_dates).
 */
#define RANK_TABLE_SPAN (1 << 16)

/*
 * Whether a packed state whose dates are listed over span days packs each
 * point's date as a step through the listed dates (its rank among them
 * from the rank before) instead of in days: when their table of ranks is
 * small.  A worker that sees an account one month in three then packs most
 * steps in a byte, where 60 to 92 days took two.
 */
static inline bool
pack_ranked(int64 span)
{
	return span > 0 && span <= RANK_TABLE_SPAN;
}

/*
 * The span of the points' dates (each account's sorted) from *lo, in days;
 * 0 when there are none or they span more than PACK_DATES_SPAN days.
 */
static int64
dates_span_of(const char *points, Size stride, const Size *offsets, int32 n, DateADT *lo)
{
	DateADT		hi = PG_INT32_MIN;

	*lo = PG_INT32_MAX;
	for (int32 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (offsets[i + 1] > offsets[i])
		{
			*lo = Min(*lo, ((const KamPoint *) (points + offsets[i] * stride))->at);
			hi = Max(hi, ((const KamPoint *) (points + (offsets[i + 1] - 1) * stride))->at);
		}
	}
	if (offsets[n] == 0 || (int64) hi - *lo >= PACK_DATES_SPAN)
		return 0;
	return (int64) hi - *lo + 1;
}

/*
 * The distinct dates of a state's points, the bits set from lo over span
 * days (dates_mark), ascending: their number, then the length of their
 * packing and the first date's zigzag and each one's distance from the one
 * before, as varints; -1 and nothing more when they are not listed (bits
 * NULL).
 */
static void
acct_pack_dates(StringInfo buf, const uint64 *bits, DateADT lo, int64 span)
{
	int64		count = 0,
				prev = 0;
	int			at;

	if (bits == NULL)
	{
		pq_sendint64(buf, -1);
		return;
	}
	for (int64 w = 0; w < (span + 63) / 64; w++)
		count += pg_popcount64(bits[w]);
	pq_sendint64(buf, count);
	at = pack_length_begin(buf);
	for (int64 d = bit_next(bits, span, 0); d < span; d = bit_next(bits, span, d + 1))
	{
		char	   *o;

		CHECK_FOR_INTERRUPTS();
		kam_state_send_reserve(buf, 10);
		o = kam_pack_varint(buf->data + buf->len, d == 0 ? kam_zigzag(lo) : (uint64) (d - prev));
		buf->len = (int) (o - buf->data);
		prev = d;
	}
	pack_length_end(buf, at);
}

/*
 * A received state's listed dates (acct_pack_dates): ascending, within
 * PACK_DATES_SPAN days, one or more when there are points and none else;
 * kept as a bit a day, against which its points are read.
 */
static void
acct_unpack_dates(StringInfo buf, KamAcctState *st)
{
	int64		count = pq_getmsgint64(buf);
	int64		len;
	PackCursor	c;
	int64		date = 0;
	int64	   *days;

	if (count == -1)
		return;
	if (count <= 0 || count > PACK_DATES_SPAN || st->packed_n == 0)
		elog(ERROR, "kam_acct_deserial: " INT64_FORMAT " dates listed for " INT64_FORMAT " points",
			 count, st->packed_n);
	len = kam_state_recv_count(buf, PG_INT64_MAX, 1, "kam_acct_deserial");
	memset(&c, 0, sizeof(c));
	c.p = pq_getmsgbytes(buf, (int) len);
	c.end = c.p + len;
	/* each date's days after the first */
	days = palloc(count * sizeof(int64));
	for (int64 i = 0; i < count; i++)
	{
		uint64		v = unpack_varint(&c);

		CHECK_FOR_INTERRUPTS();
		if (i == 0)
		{
			date = kam_unzigzag(v);
			if (date < PG_INT32_MIN || date > PG_INT32_MAX)
				elog(ERROR, "kam_acct_deserial: a listed date out of range");
			st->dates_lo = (DateADT) date;
			days[0] = 0;
		}
		else if (v > 0 && v < PACK_DATES_SPAN && days[i - 1] + (int64) v < PACK_DATES_SPAN)
			days[i] = days[i - 1] + (int64) v;
		else
			elog(ERROR, "kam_acct_deserial: listed dates not ascending within %d days", PACK_DATES_SPAN);
	}
	if (c.p != c.end)
		elog(ERROR, "kam_acct_deserial: listed dates do not match their count");
	if ((int64) st->dates_lo + days[count - 1] > PG_INT32_MAX)
		elog(ERROR, "kam_acct_deserial: a listed date out of range");
	st->dates_span = days[count - 1] + 1;
	st->date_bits = palloc0(((st->dates_span + 63) / 64) * sizeof(uint64));
	for (int64 i = 0; i < count; i++)
		bit_set(st->date_bits, days[i]);
	if (pack_ranked(st->dates_span))
	{
		st->rank_dates = palloc(count * sizeof(DateADT));
		for (int64 i = 0; i < count; i++)
			st->rank_dates[i] = (DateADT) (st->dates_lo + days[i]);
		st->ndates = count;
	}
	pfree(days);
}

/* the bit of each of the n points' dates set, from lo (dates_span_of) */
static void
dates_mark(uint64 *bits, DateADT lo, const char *points, Size stride, Size n)
{
	for (Size j = 0; j < n; j++)
	{
		if ((j & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		bit_set(bits, (int64) ((const KamPoint *) (points + j * stride))->at - lo);
	}
}

/*
 * List the distinct dates of st's points (account i's at offsets[i] ..
 * offsets[i + 1] - 1 of points) in st->date_bits, as a packed state's come
 * (acct_unpack_dates), when they span at most PACK_DATES_SPAN days: for the
 * leader's own partial state handed over in place, whose Finalize then
 * reads its calendar from the list and merges by date rank (merge_by_rank)
 * as it does the workers' states (not records, which merge_by_rank leaves
 * to the merge by date and value).
 */
static void
acct_list_dates(KamAcctState *st, const char *points, Size stride, const Size *offsets, int32 n)
{
	int64		span = dates_span_of(points, stride, offsets, n, &st->dates_lo);

	if (span == 0)
		return;
	st->dates_span = span;
	st->date_bits = MemoryContextAllocZero(st->ctx, ((span + 63) / 64) * sizeof(uint64));
	dates_mark(st->date_bits, st->dates_lo, points, stride, offsets[n]);
}

/*
 * Send st's keys, in key order, and their accounts' points (account i's at
 * offsets[i] .. offsets[i + 1] - 1 of points, sorted), packed: the number
 * of keys, then the keys' packing and the points', each after its length
 * (and the points' after their number).
 */
static void
acct_send_packed(StringInfo buf, const KamAcctState *st, const char *points,
				 const Size *offsets)
{
	int32		n = (int32) st->keys.n;
	Size		stride = st->hp.elem;
	bool		rates = st->rates;
	int			at;
	DateADT		lo;
	int64		span = dates_span_of(points, stride, offsets, n, &lo);
	uint64	   *bits = span > 0 ? palloc0(((span + 63) / 64) * sizeof(uint64)) : NULL;
	RateList	rl = {0};
	int32	   *rank = NULL;
	Size		keybytes = st->fastkey ? (Size) n : (Size) n * 16;

	/*
	 * room for the keys and points at once (about a byte a dense key and 4 a
	 * point): a buffer that large is advised as huge pages before it is first
	 * written, where doubling from small would fault much of it in small
	 * pages
	 */
	kam_state_send_reserve(buf, Min(keybytes + 4 * offsets[n], (MaxAllocSize - (Size) buf->len) / 2));
	pq_sendint64(buf, n);
	at = pack_length_begin(buf);
	acct_pack_any_keys(buf, st, (const Datum *) st->keys.data, n);
	pack_length_end(buf, at);
	pq_sendint64(buf, (int64) offsets[n]);
	if (rates)
		rate_list_init(&rl, (int64) offsets[n]);
	/* the dates listed first, each one's rank among them with pack_ranked */
	if (bits)
	{
		dates_mark(bits, lo, points, stride, offsets[n]);
		if (pack_ranked(span))
		{
			int32		r = 0;

			rank = palloc(span * sizeof(int32));
			for (int64 d = 0; d < span; d++)
			{
				rank[d] = r;
				r += bit_test(bits, d);
			}
		}
	}
	at = pack_length_begin(buf);
	acct_pack(buf, points, stride, offsets, n, rates ? &rl : NULL, rank, lo);
	pack_length_end(buf, at);
	acct_pack_dates(buf, bits, lo, span);
	/* the rates listed */
	pq_sendint64(buf, rl.n);
	for (int32 i = 0; i < rl.n; i++)
		pq_sendint64(buf, (int64) rl.rates[i]);
	if (bits)
		pfree(bits);
	if (rank)
		pfree(rank);
	if (rates)
	{
		ratetab_destroy(rl.places);
		pfree(rl.rates);
	}
}

/*
 * A received state's listed rates (acct_send_packed): PACK_RATES_MAX at
 * most, none but in a rate form, each finite and not 0.
 */
static void
acct_unpack_rates(StringInfo buf, KamAcctState *st)
{
	int64		count = kam_state_recv_count(buf, PACK_RATES_MAX, 8, "kam_acct_deserial");

	if (count > 0 && !st->rates)
		elog(ERROR, "kam_acct_deserial: rates listed in a state without rates");
	if (count == 0)
		return;
	st->pack_rates = palloc(count * sizeof(double));
	for (int64 i = 0; i < count; i++)
	{
		double		r = kam_bits_double((uint64) pq_getmsgint64(buf));

		if (!isfinite(r) || r == 0)
			elog(ERROR, "kam_acct_deserial: a listed rate is not finite or is 0");
		st->pack_rates[i] = r;
	}
	st->pack_nrates = count;
}

/*
 * Number st's accounts in key order (acct_key_order), in place: the keys
 * and latest points permuted, every point's account renumbered, the index
 * of keys dropped (rebuilt if an account is looked up again).  The points
 * are not grouped yet (kam_history_group).  With the direct map the keys
 * are read off it in order (each account's key is its slot's) and the
 * latest points are forgotten (idx -1, always valid: the grouping that
 * follows sets them), so an account costs one store into rank where the
 * permutation would load its key and latest point from anywhere in their
 * arrays.
 */
static void
acct_number_by_key(KamAcctState *st)
{
	int32		n = (int32) st->keys.n;
	bool		dense = st->dmap != NULL && !st->ids_pending;
	uint32	   *hashes = NULL;
	char	   *keyblock;
	int32	   *ids = dense ? NULL : acct_key_order(st, &hashes);
	int32	   *rank = kam_alloc_large(CurrentMemoryContext, Max(n, 1) * sizeof(int32), 0);
	KamArray	keys,
				hp = st->hp,
				last;

	kam_array_init(&keys, st->ctx, sizeof(Datum), n);
	kam_array_init(&last, st->ctx, sizeof(KamLast), n);
	if (dense)
	{
		int32		r = 0,
					id;

		/* the keys read off the map; the latest points set by the grouping */
		for (int64 k = 0; (id = dmap_next(st, &k, &r, n)) >= 0; k++)
		{
			rank[id] = r - 1;
			KAM_ARRAY_ELEM(&keys, Datum, r - 1) = Int64GetDatum(st->dmin + k);
			KAM_ARRAY_ELEM(&last, KamLast, r - 1).idx = -1;
		}
	}
	else
	{
		for (int32 r = 0; r < n; r++)
		{
			if ((r & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			rank[ids[r]] = r;
			KAM_ARRAY_ELEM(&keys, Datum, r) = KAM_ARRAY_ELEM(&st->keys, Datum, ids[r]);
			KAM_ARRAY_ELEM(&last, KamLast, r) = KAM_ARRAY_ELEM(&st->last, KamLast, ids[r]);
		}
		pfree(ids);
	}
	keys.n = last.n = n;
	for (int64 i = 0; i < hp.n; i++)
	{
		KamPoint   *p = acct_point(st, i);

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		/* a load from rank a point, in arrival order: several in flight */
		if (i + 16 < hp.n)
			kam_prefetch(&rank[acct_point(st, i + 16)->acct]);
		p->acct = rank[p->acct];
	}
	/* the points and the keys' copies move over as they are: not freed */
	memset(&st->hp, 0, sizeof(KamArray));
	keyblock = st->keyblock;
	st->keyblock = NULL;
	acct_take_arrays(st, &keys, &hp, &last, hashes, keyblock);
	pfree(rank);
}

/*
 * A history as it crosses to the leader in key order (acct_sends_in_order):
 * partial states merged, accounts numbered in key order, each one's points
 * grouped and sorted by date in place (h).
 */
static void
acct_group_in_key_order(KamAcctState *st, KamHistory *h)
{
	acct_settle(st);
	if (!st->in_key_order)
		acct_number_by_key(st);
	kam_history_group(st, h);
}

/*
 * Send st's keys and points in key order (acct_sends_in_order): the accounts
 * numbered in key order in place (acct_number_by_key, unless they are
 * already), the points then grouped by account in place, each account's
 * sorted by date with one point a date (kam_history_group), and packed
 * (acct_pack).  The state stays valid, in key order: no new array of
 * points, whose every page a worker (always a new process) would fault in.
 */
static void
acct_send_in_key_order(StringInfo buf, KamAcctState *st)
{
	KamHistory	h;

	acct_group_in_key_order(st, &h);
	acct_send_packed(buf, st, h.points, h.offsets);
	pfree(h.offsets);
}

/* ---------- the window kind in key order, packed ---------- */

/*
 * A window-kind state of integer keys crosses to the leader in key order,
 * packed: the keys as acct_pack_keys packs them (a byte a dense id; keys
 * compared by their images as acct_pack_image_keys does, in their order),
 * then per account a byte of flags, WSUM_RETURNING when it paid before `from`
 * and WSUM_BITS << i when its sum i (S, E, then in the rate forms the local
 * S and E) follows as its two doubles (pq_sendfloat8's bytes, the sum then
 * its compensation), else as the zigzag of its cents in a varint: the
 * compensation is 0 and the sum a whole number of cents that (double)
 * cents / 100 gives back bit for bit, as an account's MRR read from a
 * numeric(12,2) column is.  About 7 bytes an account instead of 41: the
 * leader copies every byte of a partial state four times before it reads
 * it.  The leader then merges the states in one pass (window_settle), with
 * no hash lookup.
 */
#define WSUM_RETURNING 1
#define WSUM_BITS 2
#define WSUM_ACCOUNT_MAX (1 + 4 * 16)	/* one account, at most */

/* append sum x (flag bit `bit` of *flags) at o: its end */
static inline char *
wsum_pack(char *o, const KamSum *x, uint8 bit, uint8 *flags)
{
	uint64		sum = kam_double_bits(x->sum);
	int64		cents;

	if (kam_double_bits(x->comp) == 0 && kam_amount_cents(sum, &cents))
		return kam_pack_varint(o, kam_zigzag(cents));
	*flags |= bit;
	o = kam_pack_bits(o, sum);
	return kam_pack_bits(o, kam_double_bits(x->comp));
}

/* the sum packed at the cursor, as wsum_pack packed it with that flag */
static void
wsum_unpack(PackCursor *c, KamSum *x, bool bits)
{
	if (bits)
	{
		uint64		sum = unpack_bits(c),
					comp = unpack_bits(c);

		memcpy(&x->sum, &sum, sizeof(double));
		memcpy(&x->comp, &comp, sizeof(double));
		if (!isfinite(x->sum) || !isfinite(x->comp))
			elog(ERROR, "kam_acct_deserial: a packed sum is not finite");
	}
	else
	{
		uint64		sum = unpack_cents(c);

		memcpy(&x->sum, &sum, sizeof(double));
		x->comp = 0;
	}
}

/*
 * Send a window-kind state in key order (acct_sends_in_order), packed (the
 * accounts read off the direct map, else sorted: acct_key_order).
 */
static void
acct_send_window(StringInfo buf, KamAcctState *st)
{
	int32		n = (int32) st->wsum.n;
	int32	   *ids;
	Datum	   *keys;
	int			at;
	int			nsums = st->rates ? 4 : 2;
	static const KamAcctSums none = {{0, 0}, {0, 0}};

	acct_settle(st);
	if (st->rbits)
	{
		/*
		 * the map's slots in turn: its accounts and its other marked keys
		 * (-1)
		 */
		int64		nmarked = 0;

		for (int64 w = 0; w < (st->dspan + 63) >> 6; w++)
			nmarked += pg_popcount64(st->rbits[w]);
		if (n + nmarked > PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many accounts for one kam aggregate"),
					 errdetail("The limit is %d accounts.", PG_INT32_MAX)));
		ids = kam_alloc_large(CurrentMemoryContext, Max(n + nmarked, 1) * sizeof(int32), 0);
		keys = kam_alloc_large(CurrentMemoryContext, Max(n + nmarked, 1) * sizeof(Datum), 0);
		n = 0;
		for (int64 k = 0; k < st->dspan; k++)
		{
			if ((k & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			if (st->dmap[k >> DPAGE_SHIFT] == NULL)
			{
				/* a page without accounts: its marked keys only */
				int64		end = Min(st->dspan, (k | DPAGE_MASK) + 1);

				k = bit_next(st->rbits, end, k);
				if (k == end)
				{
					k--;
					continue;
				}
			}
			else if (dmap_get(st, k) < 0 && !bit_test(st->rbits, k))
				continue;
			ids[n] = dmap_get(st, k);
			keys[n++] = Int64GetDatum(st->dmin + k);
		}
	}
	else
	{
		ids = acct_key_order(st, NULL);
		keys = kam_alloc_large(CurrentMemoryContext, Max(n, 1) * sizeof(Datum), 0);
		for (int32 r = 0; r < n; r++)
			keys[r] = KAM_ARRAY_ELEM(&st->keys, Datum, ids[r]);
	}
	pq_sendint64(buf, n);
	at = pack_length_begin(buf);
	acct_pack_any_keys(buf, st, keys, n);
	pack_length_end(buf, at);
	at = pack_length_begin(buf);
	for (int32 r = 0; r < n; r++)
	{
		int32		id = ids[r];
		const KamAcctSums *a = id < 0 ? &none : &KAM_ARRAY_ELEM(&st->wsum, KamAcctSums, id);
		const KamAcctSums *l = !st->rates ? NULL :
		id < 0 ? &none : &KAM_ARRAY_ELEM(&st->wlocal, KamAcctSums, id);
		char	   *head;
		char	   *o;
		uint8		flags = (id >= 0 && KAM_ARRAY_ELEM(&st->wret, uint8, id)) ||
		rbits_test(st, keys[r]) ? WSUM_RETURNING : 0;

		if ((r & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		kam_state_send_reserve(buf, WSUM_ACCOUNT_MAX);
		head = buf->data + buf->len;
		o = head + 1;
		for (int i = 0; i < nsums; i++)
		{
			const KamSum *x = i < 2 ? (i == 0 ? &a->s : &a->e) : (i == 2 ? &l->s : &l->e);

			o = wsum_pack(o, x, (uint8) (WSUM_BITS << i), &flags);
		}
		*head = (char) flags;
		buf->len = (int) (o - buf->data);
	}
	buf->data[buf->len] = '\0';
	pack_length_end(buf, at);
	pfree(keys);
	pfree(ids);
}

/*
 * Keep a window-kind state sent by acct_send_window (n accounts) in st
 * (new, empty) as it came: its keys' packing then its sums', read one
 * account at a time when the final function walks the accounts
 * (kam_acct_iterate_next), or into st's arrays when needed there
 * (window_settle).  A fresh page costs more than decoding an account: the
 * leader holds about 7 bytes an account of each state, not 41.
 */
static void
acct_recv_window(StringInfo buf, KamAcctState *st, int64 n)
{
	int64		klen = kam_state_recv_count(buf, PG_INT64_MAX, 1, "kam_acct_deserial");
	const char *keys = pq_getmsgbytes(buf, (int) klen);
	int64		slen;

	if (!st->fastkey)
	{
		/* keys compared by their images: read at once (their hashes too) */
		kam_array_reserve(&st->keys, n);
		acct_unpack_image_keys(st, keys, klen, n);
		st->keys.n = n;
		klen = 0;
	}
	slen = kam_state_recv_count(buf, PG_INT64_MAX, 1, "kam_acct_deserial");

	st->packed = kam_alloc_large(st->ctx, Max(klen + slen, 1), 0);
	memcpy(st->packed, keys, klen);
	memcpy(st->packed + klen, pq_getmsgbytes(buf, (int) slen), slen);
	st->packed_keys_len = (Size) klen;
	st->packed_len = (Size) (klen + slen);
	st->packed_n = n;
	st->in_key_order = true;
	st->ids_pending = true;
}

/* one window-kind state read in key order: from its arrays or as packed */
typedef struct WinSource
{
	const KamAcctState *st;
	int64		i;				/* the next account to read */
	PackCursor	keys;			/* a packed state's cursors */
	PackCursor	sums;
	bool		valid;			/* the fields below hold account i - 1 */
	Datum		key;
	uint32		hash;			/* hash-ordered keys: the key's (ordhash) */
	uint8		ret;
	KamAcctSums sum;
	KamAcctSums local;
} WinSource;

static void
winsrc_init(WinSource *w, const KamAcctState *st)
{
	memset(w, 0, sizeof(WinSource));
	w->st = st;
	if (st->packed)
	{
		/* (keys compared by their images are read at once: none packed) */
		w->keys.p = st->packed;
		w->keys.end = st->packed + st->packed_keys_len;
		w->sums.p = w->keys.end;
		w->sums.end = st->packed + st->packed_len;
	}
}

/* the source's next account into its fields, or valid false at the end */
static void
winsrc_next(WinSource *w)
{
	const KamAcctState *st = w->st;
	int64		n = st->packed ? st->packed_n : st->keys.n;

	if (w->i >= n)
	{
		if (st->packed && (w->keys.p != w->keys.end || w->sums.p != w->sums.end))
			elog(ERROR, "kam per-account state: packed accounts do not match their count");
		w->valid = false;
		return;
	}
	if (st->packed)
	{
		int			nsums = st->rates ? 4 : 2;
		uint8		flags;

		if (st->fastkey)
			w->key = Int64GetDatum(unpack_key(&w->keys, w->i, DatumGetInt64(w->key)));
		else
		{
			w->key = KAM_ARRAY_ELEM(&st->keys, Datum, w->i);
			w->hash = st->ordhash[w->i];
		}
		if (w->sums.p >= w->sums.end)
			elog(ERROR, "kam per-account state: packed sums run past the state");
		flags = (uint8) *w->sums.p++;
		if ((flags & ~((WSUM_BITS << nsums) - 1)) != 0)
			elog(ERROR, "kam per-account state: packed sums of unknown kind");
		w->ret = (flags & WSUM_RETURNING) != 0;
		for (int j = 0; j < nsums; j++)
		{
			KamAcctSums *a = j < 2 ? &w->sum : &w->local;

			wsum_unpack(&w->sums, j % 2 == 0 ? &a->s : &a->e, (flags & (WSUM_BITS << j)) != 0);
		}
	}
	else
	{
		Datum		prev = w->key;
		uint32		prevhash = w->hash;

		w->key = KAM_ARRAY_ELEM(&st->keys, Datum, w->i);
		w->hash = st->ordhash ? st->ordhash[w->i] : 0;
		w->ret = KAM_ARRAY_ELEM(&st->wret, uint8, w->i) != 0;
		w->sum = KAM_ARRAY_ELEM(&st->wsum, KamAcctSums, w->i);
		if (st->rates)
			w->local = KAM_ARRAY_ELEM(&st->wlocal, KamAcctSums, w->i);
		if (w->i > 0 && acct_order_cmp(st, w->key, w->hash, prev, prevhash) <= 0)
			elog(ERROR, "kam per-account state: accounts out of key order");
	}
	w->i++;
	w->valid = true;
}

/* a merge of st and the window-kind partial states combined into it, in key order */
struct WinMerge
{
	int			k;
	WinSource  *src;
	int		   *same;			/* the states that hold the account read */
};

static WinMerge *
winmerge_new(const KamAcctState *st)
{
	/* with the state: its final function may walk it again */
	WinMerge   *m = MemoryContextAlloc(st->ctx, sizeof(WinMerge));

	m->k = (int) st->parts.n + 1;
	m->src = MemoryContextAlloc(st->ctx, m->k * sizeof(WinSource));
	m->same = MemoryContextAlloc(st->ctx, m->k * sizeof(int));
	for (int p = 0; p < m->k; p++)
	{
		const KamAcctState *in = p == 0 ? st : KAM_ARRAY_ELEM(&st->parts, KamAcctState *, p - 1);

		if (!in->in_key_order || in->rates != st->rates ||
			(!in->fastkey && in->keys.n > 0 && in->ordhash == NULL))
			elog(ERROR, "kam_acct_combine: partial states of two forms");
		winsrc_init(&m->src[p], in);
		winsrc_next(&m->src[p]);
	}
	return m;
}

/*
 * The merge's next account, false after the last: its key (and, if hash is
 * not NULL, the key's ordhash), "paid before" or'ed over the states, sums
 * added up in the order of the states (the first copied).
 */
static bool
winmerge_next(WinMerge *m, bool rates, KamAcct *out, uint32 *hashp)
{
	int			nsame = 0;
	int			first;
	Datum		key = 0;
	uint32		hash = 0;

	/* the least key and the states that hold it, each key compared once */
	for (int p = 0; p < m->k; p++)
	{
		int			c;

		if (!m->src[p].valid)
			continue;
		c = nsame == 0 ? -1 : acct_order_cmp(m->src[p].st, m->src[p].key, m->src[p].hash, key, hash);
		if (c < 0)
		{
			key = m->src[p].key;
			hash = m->src[p].hash;
			nsame = 0;
		}
		if (c <= 0)
			m->same[nsame++] = p;
	}
	if (nsame == 0)
		return false;
	first = m->same[0];
	out->key = key;
	if (hashp)
		*hashp = hash;
	out->returning = m->src[first].ret;
	out->s = m->src[first].sum.s;
	out->e = m->src[first].sum.e;
	out->s_local = m->src[first].local.s;
	out->e_local = m->src[first].local.e;
	winsrc_next(&m->src[first]);
	for (int j = 1; j < nsame; j++)
	{
		WinSource  *w = &m->src[m->same[j]];

		out->returning |= w->ret;
		kam_sum_merge(&out->s, &w->sum.s);
		kam_sum_merge(&out->e, &w->sum.e);
		if (rates)
		{
			kam_sum_merge(&out->s_local, &w->local.s);
			kam_sum_merge(&out->e_local, &w->local.e);
		}
		winsrc_next(w);
	}
	return true;
}

static void
winmerge_free(WinMerge *m)
{
	pfree(m->src);
	pfree(m->same);
	pfree(m);
}

/*
 * Read the window-kind partial states in key order combined into st
 * (acct_defer) and st's own accounts, packed or not, into st's arrays in
 * one pass (winmerge_next): for a state that is sent on, or looked up in.
 */
static void
window_settle(KamAcctState *st)
{
	WinMerge   *m;
	KamAcct		a;
	int64		total = 0;
	KamArray	keys,
				wsum,
				wret,
				wlocal;
	uint32	   *ordhash = NULL;
	char	   *keyblock = NULL;

	if (st->parts.n == 0 && st->packed == NULL)
		return;
	m = winmerge_new(st);
	for (int p = 0; p < m->k; p++)
		total += m->src[p].st->packed ? m->src[p].st->packed_n : m->src[p].st->keys.n;
	kam_array_init(&keys, st->ctx, sizeof(Datum), Max(total, 1));
	kam_array_init(&wsum, st->ctx, sizeof(KamAcctSums), Max(total, 1));
	kam_array_init(&wret, st->ctx, sizeof(uint8), Max(total, 1));
	kam_array_init(&wlocal, st->ctx, sizeof(KamAcctSums), st->rates ? Max(total, 1) : 0);
	if (!st->fastkey)
		ordhash = kam_alloc_large(st->ctx, Max(total, 1) * sizeof(uint32), 0);
	while (winmerge_next(m, st->rates, &a, ordhash ? &ordhash[keys.n] : NULL))
	{
		KamAcctSums *s = kam_array_push(&wsum);

		if ((keys.n & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		acct_push_key(&keys, NULL, a.key);
		s->s = a.s;
		s->e = a.e;
		*(uint8 *) kam_array_push(&wret) = a.returning;
		if (st->rates)
		{
			s = kam_array_push(&wlocal);
			s->s = a.s_local;
			s->e = a.e_local;
		}
	}
	/* the keys of partial states, whose memory is spent below: copied */
	if (!st->fastkey)
		keyblock = image_keys_copy(st, (Datum *) keys.data, keys.n);
	/* the partial states' memory is spent (st's is replaced below) */
	for (int p = 1; p < m->k; p++)
		if (m->src[p].st->ctx == st->ctx)
			acct_free_arrays((KamAcctState *) m->src[p].st);
	winmerge_free(m);
	acct_free_arrays(st);
	st->parts.n = 0;
	st->keys = keys;
	st->wsum = wsum;
	st->wret = wret;
	st->wlocal = wlocal;
	st->ordhash = ordhash;
	st->keyblock = keyblock;
	acct_keys_in_order(st);
}

/* the run of account `acct` of `from` at *pos: its end */
static inline int64
acct_run_end(const KamAcctState *from, int64 pos, int32 acct)
{
	while (pos < from->hp.n && acct_point(from, pos)->acct == acct)
	{
		if ((++pos & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return pos;
}

/*
 * Append as account r the nrun runs [cur[j], stop[j]) of points, merged by
 * date (records: by date and value, every one kept, the earlier run's first
 * on a tie; else the points of one date summed, in run order), so that runs
 * sorted by date stay sorted and the final grouping has nothing to move.
 * out has room for them all; returns its end.  head: room for nrun dates.
 * Past ACCT_MERGE_SORT_RUNS runs the points are sorted instead of picked.
 */
#define ACCT_MERGE_SORT_RUNS 8

static char *
acct_merge_runs(char *out, const char **cur, const char **stop, int nrun, int32 r,
				Size stride, bool keep_all, bool rates, int64 *head)
{
	char	   *first = out;
	uint32		taken = 0;
	int64		left = 0;

#define AT(x) (((const KamPoint *) (x))->at)
	if (nrun > ACCT_MERGE_SORT_RUNS && !keep_all)
	{
		/*
		 * Many runs (partition-wise plans over many partitions: one point of
		 * the account in each): the points copied in run order, then sorted
		 * and summed per date as the final grouping does (acct_sort_run), in
		 * O(n log n) rather than n picks over every run.  Up to 32 points the
		 * sort is stable, so one date's amounts add up in run order as below;
		 * past that in qsort's, as serially.
		 */
		Size		n = 0;

		for (int j = 0; j < nrun; j++)
			for (const char *q = cur[j]; q < stop[j]; q += stride, n++)
			{
				pt_copy(out + n * stride, q, stride);
				((KamPoint *) (out + n * stride))->acct = r;
			}
		return first + acct_sort_run(first, stride, 0, n, 0, false, 0, rates) * stride;
	}
	if (nrun == 1 || !keep_all)
	{
		/*
		 * By date: the earliest head is chosen without a branch (a spent
		 * run's head is past every date), as runs of the workers' shares of
		 * one account interleave at random.
		 */
		for (int j = 0; j < nrun; j++)
		{
			head[j] = AT(cur[j]);
			left += (stop[j] - cur[j]) / (ptrdiff_t) stride;
		}
		for (; left > 0; left--)
		{
			int			best = 0;
			int64		hb = head[0];
			const char *b;

			if ((++taken & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			for (int j = 1; j < nrun; j++)
			{
				bool		lt = head[j] < hb;

				best = lt ? j : best;
				hb = lt ? head[j] : hb;
			}
			b = cur[best];
			if (!keep_all && out > first && AT(out - stride) == hb)
			{
				((KamPoint *) (out - stride))->mrr += ((const KamPoint *) b)->mrr;
				if (rates)
					((KamPointFx *) (out - stride))->local += ((const KamPointFx *) b)->local;
			}
			else
			{
				pt_copy(out, b, stride);
				((KamPoint *) out)->acct = r;
				out += stride;
			}
			cur[best] = b + stride;
			head[best] = cur[best] < stop[best] ? AT(cur[best]) : PG_INT64_MAX;
		}
		return out;
	}
	while (nrun > 0)
	{
		int			best = 0;
		const char *b;

		if ((++taken & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int j = 1; j < nrun; j++)
			if (cmp_record(cur[j], cur[best]) < 0)
				best = j;
		b = cur[best];
		pt_copy(out, b, stride);
		((KamPoint *) out)->acct = r;
		out += stride;
		cur[best] += stride;
		if (cur[best] == stop[best])
		{
			/* the run is spent: the later ones move up, in order */
			for (int j = best + 1; j < nrun; j++)
			{
				cur[j - 1] = cur[j];
				stop[j - 1] = stop[j];
			}
			nrun--;
		}
	}
#undef AT
	return out;
}

/* ---------- histories merged as they are read ---------- */

/*
 * The final functions read a history one account at a time, in order.  When
 * the partial states came packed from the workers, the leader does not merge
 * them into one array first (as many points again, in memory it had not
 * touched: most of the merge's time): kam_history_account reads and merges
 * each account's points when it is asked for it, into a buffer the size of
 * one account.  The partial states stay as they came, so the final function
 * may run again.
 */
struct KamHistMerge
{
	int			k;				/* the states merged: in[0] is the state */
	KamAcctState **in;
	int64	   *ki;				/* per state: its next account */
	int64	   *pos;			/* per state held unpacked: its next point */
	PackCursor *pc;				/* per state packed: where it is read */
	KamArray   *scratch;		/* per state packed: its run of the account */
	const char **cur;
	const char **stop;
	int64	   *head;
	KamArray	keys;			/* the accounts' keys, in key order */
	KamArray	khash;			/* hash-ordered keys: their hashes */
	KamArray	which;			/* up to MERGE_MASK_STATES states: per
								 * account, a bit a state that holds it */
	KamArray	out;			/* an account's runs merged */
	int32		next;			/* the account read next */
	int32		at;				/* the account last read (-1 none) */
	const char *run;			/* its points */
	int			n;
	bool		keep_all;
	bool		rates;
	/* merging by date rank (merge_by_rank): NULL rank, by date */
	int32	   *rank;			/* rank[at - rank_lo]: the place of date at
								 * among every state's dates (-1: none) */
	DateADT		rank_lo;
	int64		rank_span;
	char	   *bucket;			/* a point a rank */
	int64	   *stamp;			/* per rank: the merge its bucket holds a
								 * point of */
	int64		stamps;			/* the merges by rank so far */
};

/*
 * Several states' runs of one account are merged by date rank when every
 * state listed its dates and all of them span at most RANK_TABLE_SPAN days,
 * and when the account's span of ranks is at most about twice its points.
 */

/*
 * Up to this many states, the accounts' merge (hist_merge_new) notes which
 * states hold each account: merge_next then compares no key (each compare
 * of text keys of one hash compares their bytes).
 */
#define MERGE_MASK_STATES 64

/* state p's next account's key against key (its hash: hash), as acct_order_cmp */
static inline int
merge_cmp(const KamHistMerge *m, int p, Datum key, uint32 hash)
{
	const KamAcctState *in = m->in[p];

	return acct_order_cmp(in, KAM_ARRAY_ELEM(&in->keys, Datum, m->ki[p]),
						  in->ordhash ? in->ordhash[m->ki[p]] : 0, key, hash);
}

static void
merge_restart(KamHistMerge *m)
{
	for (int p = 0; p < m->k; p++)
	{
		m->ki[p] = 0;
		m->pos[p] = 0;
		if (m->in[p]->packed)
			pack_cursor_init(&m->pc[p], m->in[p]);
	}
	m->next = 0;
	m->at = -1;
}

/* the rank of the date of point q (merge_rank_dates listed them all) */
static inline int32
merge_rank(const KamHistMerge *m, const char *q)
{
	int64		d = (int64) ((const KamPoint *) q)->at - m->rank_lo;
	int32		k = (uint64) d < (uint64) m->rank_span ? m->rank[d] : -1;

	if (k < 0)
		elog(ERROR, "kam per-account state: a point's date is not among the states' dates");
	return k;
}

/*
 * fn(arg, date) for the dates of the states merged (kam_history_each_date):
 * a state's listed dates once each, else every point's.
 */
static void
merge_each_date(KamHistMerge *m, void (*fn) (void *arg, DateADT at), void *arg)
{
	for (int p = 0; p < m->k; p++)
	{
		KamAcctState *in = m->in[p];
		Size		stride = in->hp.elem;

		if (in->date_bits)
		{
			/* listed by its worker, or as it was handed over: each once */
			for (int64 d = bit_next(in->date_bits, in->dates_span, 0); d < in->dates_span;
				 d = bit_next(in->date_bits, in->dates_span, d + 1))
			{
				CHECK_FOR_INTERRUPTS();
				fn(arg, (DateADT) (in->dates_lo + d));
			}
		}
		else if (in->packed)
		{
			PackCursor	c;
			KamArray   *a = &m->scratch[p];

			pack_cursor_init(&c, in);
			for (int64 i = 0; i < in->keys.n; i++)
			{
				int64		cnt = acct_unpack_run(&c, a, (int32) i, m->keep_all, m->rates);

				if ((i & 0xFFF) == 0)
					CHECK_FOR_INTERRUPTS();
				for (int64 j = 0; j < cnt; j++)
					fn(arg, ((const KamPoint *) (a->data + j * stride))->at);
			}
			pack_cursor_end(&c);
		}
		else
		{
			for (int64 j = 0; j < in->hp.n; j++)
			{
				if ((j & 0xFFFF) == 0)
					CHECK_FOR_INTERRUPTS();
				fn(arg, acct_point(in, j)->at);
			}
		}
	}
	/* the scratch of each state holds a run of merge_next's no longer */
	merge_restart(m);
}

static void
rank_mark(void *arg, DateADT at)
{
	KamHistMerge *m = (KamHistMerge *) arg;

	m->rank[at - m->rank_lo] = 0;
}

/*
 * The ranks of every state's listed dates (m->rank), when all of them are
 * listed and span at most RANK_TABLE_SPAN days: not for records
 * (keep_all), which keep every one in order of date and value.
 */
static void
merge_rank_dates(KamHistMerge *m, Size stride)
{
	int64		lo = PG_INT32_MAX,
				hi = PG_INT32_MIN;
	int32		n = 0;

	if (m->keep_all || m->k < 2)
		return;
	for (int p = 0; p < m->k; p++)
	{
		const KamAcctState *in = m->in[p];

		if (in->date_bits == NULL && in->keys.n == 0)
			continue;			/* no account: no date (the Finalize's own) */
		if (in->date_bits == NULL)
			return;
		lo = Min(lo, in->dates_lo);
		hi = Max(hi, (int64) in->dates_lo + in->dates_span - 1);
	}
	if (hi < lo || hi - lo >= RANK_TABLE_SPAN)
		return;
	m->rank_lo = (DateADT) lo;
	m->rank_span = hi - lo + 1;
	m->rank = palloc(m->rank_span * sizeof(int32));
	memset(m->rank, 0xff, m->rank_span * sizeof(int32));	/* -1: none */
	/* every state lists its dates (or has none): one pass of its bits each */
	merge_each_date(m, rank_mark, m);
	for (int64 d = 0; d < m->rank_span; d++)
		if (m->rank[d] == 0)
			m->rank[d] = n++;
	m->bucket = palloc(Max(n, 1) * stride);
	m->stamp = palloc0(Max(n, 1) * sizeof(int64));
	m->stamps = 0;
}

/*
 * Merge account r's nrun runs (m->cur, m->stop; total points) into m->out
 * through buckets, one a date rank: each point goes to its date's bucket,
 * the first of a date copied and the next ones added in run order, as
 * acct_merge_runs adds them up to ACCT_MERGE_SORT_RUNS runs (the same sums,
 * bit for bit; past that, in run order too, where its sort may reorder a
 * date's points once an account has more than 32); the buckets of
 * the account's span of ranks are then read in order.  No compare of dates
 * from run to run, whose outcome is as good as random where the workers'
 * shares of a table interleave.  false, nothing written, when the span
 * holds many more dates than the account has points; else *end is the
 * merged run's end.
 */
static bool
merge_by_rank(KamHistMerge *m, int nrun, int64 total, int32 r, char **end)
{
	Size		stride = m->in[0]->hp.elem;
	int32		lo = PG_INT32_MAX,
				hi = -1;
	int64		stamp;
	char	   *out = m->out.data;
	uint32		taken = 0;

	for (int j = 0; j < nrun; j++)
	{
		lo = Min(lo, merge_rank(m, m->cur[j]));
		hi = Max(hi, merge_rank(m, m->stop[j] - stride));
	}
	if ((int64) hi - lo + 1 > 2 * total + 16)
		return false;
	stamp = ++m->stamps;
	for (int j = 0; j < nrun; j++)
	{
		for (const char *q = m->cur[j]; q < m->stop[j]; q += stride)
		{
			int32		k = merge_rank(m, q);
			KamPoint   *b = (KamPoint *) (m->bucket + k * stride);

			if ((++taken & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			if (m->stamp[k] != stamp)
			{
				pt_copy(b, q, stride);
				m->stamp[k] = stamp;
			}
			else
			{
				b->mrr += ((const KamPoint *) q)->mrr;
				if (m->rates)
					((KamPointFx *) b)->local += ((const KamPointFx *) q)->local;
			}
		}
	}
	for (int32 k = lo; k <= hi; k++)
	{
		if (m->stamp[k] != stamp)
			continue;
		pt_copy(out, m->bucket + k * stride, stride);
		((KamPoint *) out)->acct = r;
		out += stride;
	}
	*end = out;
	return true;
}

/* read account m->next: its runs in the states, merged */
static void
merge_next(KamHistMerge *m)
{
	int32		r = m->next;
	bool		noted = m->k <= MERGE_MASK_STATES;
	uint64		which = noted ? KAM_ARRAY_ELEM(&m->which, uint64, r) : 0;
	Size		stride = m->in[0]->hp.elem;
	int			nrun = 0;
	int64		total = 0;

	for (int p = 0; p < m->k; p++)
	{
		KamAcctState *in = m->in[p];

		if (noted ? (which & (UINT64CONST(1) << p)) == 0 :
			m->ki[p] >= in->keys.n ||
			merge_cmp(m, p, KAM_ARRAY_ELEM(&m->keys, Datum, r),
					  m->khash.n > 0 ? KAM_ARRAY_ELEM(&m->khash, uint32, r) : 0) != 0)
			continue;
		if (in->packed)
		{
			int64		c;
			KamArray   *a = &m->scratch[p];

			m->ki[p]++;
			c = acct_unpack_run(&m->pc[p], a, r, m->keep_all, m->rates);
			if (c == 0)
				continue;
			m->cur[nrun] = a->data;
			m->stop[nrun++] = a->data + c * stride;
			total += c;
		}
		else
		{
			int64		e = in->grouped ? (int64) in->grouped[m->ki[p] + 1] :
			acct_run_end(in, m->pos[p], (int32) m->ki[p]);

			m->ki[p]++;
			if (e == m->pos[p])
				continue;
			m->cur[nrun] = in->hp.data + m->pos[p] * stride;
			m->stop[nrun++] = in->hp.data + e * stride;
			total += e - m->pos[p];
			m->pos[p] = e;
		}
	}
	if (nrun <= 1)
	{
		/* one state's run: as it is */
		m->run = nrun == 1 ? m->cur[0] : m->out.data;
		m->n = nrun == 1 ? (int) ((m->stop[0] - m->cur[0]) / (ptrdiff_t) stride) : 0;
	}
	else
	{
		char	   *end;

		m->out.n = 0;
		kam_array_reserve(&m->out, total);
		if (m->rank == NULL || !merge_by_rank(m, nrun, total, r, &end))
			end = acct_merge_runs(m->out.data, m->cur, m->stop, nrun, r, stride, m->keep_all,
								  m->rates, m->head);
		m->run = m->out.data;
		m->n = (int) ((end - m->out.data) / (ptrdiff_t) stride);
	}
	m->at = r;
	m->next++;
	/* the last account: every state read to its end */
	if (m->next == m->keys.n)
	{
		for (int p = 0; p < m->k; p++)
		{
			if (m->in[p]->packed)
				pack_cursor_end(&m->pc[p]);
			else if (m->pos[p] != m->in[p]->hp.n)
				elog(ERROR, "kam_acct_combine: a partial state's points are not in key order");
		}
	}
}

/* a merge of st and the partial states combined into it, all in key order */
static KamHistMerge *
hist_merge_new(KamAcctState *st)
{
	int			k = (int) st->parts.n + 1;
	KamHistMerge *m;
	Size		stride = st->hp.elem;
	int64		total;

	m = palloc0(sizeof(KamHistMerge));
	m->k = k;
	m->in = palloc(k * sizeof(KamAcctState *));
	m->ki = palloc(k * sizeof(int64));
	m->pos = palloc(k * sizeof(int64));
	m->pc = palloc(k * sizeof(PackCursor));
	m->scratch = palloc(k * sizeof(KamArray));
	m->cur = palloc(k * sizeof(char *));
	m->stop = palloc(k * sizeof(char *));
	m->head = palloc(k * sizeof(int64));
	m->keep_all = st->keep_all;
	m->rates = st->rates;
	m->in[0] = st;
	if (st->parts.n > 0)
		memcpy(&m->in[1], st->parts.data, st->parts.n * sizeof(KamAcctState *));
	for (int p = 0; p < k; p++)
	{
		const KamAcctState *in = m->in[p];

		if (in->hp.elem != stride || !in->in_key_order ||
			(!in->fastkey && in->keys.n > 0 && in->ordhash == NULL))
			elog(ERROR, "kam_acct_combine: partial states of two forms");
		kam_array_init(&m->scratch[p], CurrentMemoryContext, stride, 0);
		m->ki[p] = 0;
	}
	kam_array_init(&m->out, CurrentMemoryContext, stride, 0);

	/*
	 * the accounts: every state's keys, merged; up to MERGE_MASK_STATES
	 * states, each key compared once an account (the states that hold the
	 * least so far noted as it goes)
	 */
	total = 0;
	for (int p = 0; p < k; p++)
		total += m->in[p]->keys.n;

	/*
	 * room for as many as the states have in all: only what is used is
	 * touched
	 */
	kam_array_init(&m->keys, CurrentMemoryContext, sizeof(Datum), total);
	kam_array_init(&m->khash, CurrentMemoryContext, sizeof(uint32), st->fastkey ? 0 : total);
	kam_array_init(&m->which, CurrentMemoryContext, sizeof(uint64),
				   k <= MERGE_MASK_STATES ? total : 0);
	for (;;)
	{
		Datum		key = 0;
		uint32		hash = 0;
		int			first = -1;
		uint64		which = 0;

		for (int p = 0; p < k; p++)
		{
			int			c;

			if (m->ki[p] >= m->in[p]->keys.n)
				continue;
			/* the keys of a state put in key order in place lie anywhere */
			if (!st->fastkey && m->ki[p] + 8 < m->in[p]->keys.n)
				kam_prefetch(DatumGetPointer(KAM_ARRAY_ELEM(&m->in[p]->keys, Datum, m->ki[p] + 8)));
			c = first < 0 ? -1 : merge_cmp(m, p, key, hash);
			if (c < 0)
			{
				first = p;
				key = KAM_ARRAY_ELEM(&m->in[p]->keys, Datum, m->ki[p]);
				hash = m->in[p]->ordhash ? m->in[p]->ordhash[m->ki[p]] : 0;
				which = 0;
			}
			if (c <= 0 && p < MERGE_MASK_STATES)
				which |= UINT64CONST(1) << p;
		}
		if (first < 0)
			break;
		if ((m->keys.n & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (m->keys.n >= PG_INT32_MAX)
			elog(ERROR, "kam per-account state: too many accounts");
		*(Datum *) kam_array_push(&m->keys) = key;
		if (!st->fastkey)
			*(uint32 *) kam_array_push(&m->khash) = hash;
		if (k <= MERGE_MASK_STATES)
		{
			*(uint64 *) kam_array_push(&m->which) = which;
			for (int p = first; p < k; p++)
				m->ki[p] += (which >> p) & 1;
		}
		else
		{
			for (int p = first; p < k; p++)
				if (m->ki[p] < m->in[p]->keys.n && merge_cmp(m, p, key, hash) == 0)
					m->ki[p]++;
		}
	}
	merge_rank_dates(m, stride);
	merge_restart(m);
	return m;
}

static void
hist_merge_free(KamHistMerge *m)
{
	for (int p = 0; p < m->k; p++)
		if (m->scratch[p].data)
			pfree(m->scratch[p].data);
	if (m->out.data)
		pfree(m->out.data);
	if (m->keys.data)
		pfree(m->keys.data);
	if (m->khash.data)
		pfree(m->khash.data);
	if (m->which.data)
		pfree(m->which.data);
	if (m->rank)
	{
		pfree(m->rank);
		pfree(m->bucket);
		pfree(m->stamp);
	}
	pfree(m->in);
	pfree(m->ki);
	pfree(m->pos);
	pfree(m->pc);
	pfree(m->scratch);
	pfree(m->cur);
	pfree(m->stop);
	pfree(m->head);
	pfree(m);
}

/*
 * Open st's history for its final function: merged as it is read when a
 * partial state came packed (st's own or one combined into it), else
 * grouped in place (kam_history_group).
 */
void
kam_history_open(KamAcctState *st, KamHistory *h)
{
	bool		packed = st->packed != NULL;

	for (int64 p = 0; p < st->parts.n; p++)
		packed |= KAM_ARRAY_ELEM(&st->parts, KamAcctState *, p)->packed != NULL;
	if (!packed)
	{
		kam_history_group(st, h);
		return;
	}
	h->merge = hist_merge_new(st);
	h->naccts = (int32) h->merge->keys.n;
	h->stride = st->hp.elem;
	h->offsets = NULL;
	h->points = NULL;
}

/*
 * Account acct's points (*n of them, sorted by date, one a date; records by
 * date and value): valid until the next call.  Merged histories are read
 * in order: an account before the last one read starts them over.
 */
const char *
kam_history_account(KamHistory *h, int32 acct, int *n)
{
	KamHistMerge *m = h->merge;

	if (acct < 0 || acct >= h->naccts)
		elog(ERROR, "kam history: no account %d of %d", acct, h->naccts);
	if (m == NULL)
	{
		*n = (int) (h->offsets[acct + 1] - h->offsets[acct]);
		return h->points + h->offsets[acct] * h->stride;
	}
	if (acct != m->at)
	{
		if (acct < m->next)
			merge_restart(m);
		while (m->next <= acct)
		{
			if ((m->next & 0xFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			merge_next(m);
		}
	}
	*n = m->n;
	return m->run;
}

/* account acct's key */
Datum
kam_history_key(KamAcctState *st, KamHistory *h, int32 acct)
{
	if (h->merge == NULL)
		return kam_acct_key(st, acct);
	if (acct < 0 || acct >= h->naccts)
		elog(ERROR, "kam history: no account %d of %d", acct, h->naccts);
	return KAM_ARRAY_ELEM(&h->merge->keys, Datum, acct);
}

/*
 * The dates of partial states merged as read, each state's in turn
 * (history_dates): a state's listed dates once each, else every point's.
 */
void
kam_history_each_date(KamHistory *h, void (*fn) (void *arg, DateADT at), void *arg)
{
	if (h->merge == NULL)
		elog(ERROR, "kam history: not merged as read");
	merge_each_date(h->merge, fn, arg);
}

/*
 * Merge the partial states combined into st (acct_defer), all in key order,
 * into st in one pass, as the final functions read them (merge_next: an
 * account of several gets their points merged by date, acct_merge_runs),
 * each account's then copied into place: every point read once however
 * many partial states there were (merging them two at a time copied the
 * first ones again at every step, into new arrays each time).  A received
 * state alone, packed, is read into its own array the same way.  For a
 * history that is sent on, or that rows are added to.
 */
static void
acct_settle(KamAcctState *st)
{
	KamHistMerge *m;
	Size		stride = st->hp.elem;
	int64		npoints = 0;
	KamArray	keys,
				hp,
				last;
	char	   *out;
	Size	   *offsets;
	uint32	   *ordhash = NULL;
	char	   *keyblock = NULL;
	int32		nkeys;

	acct_flush_pending(st);
	if (st->kind == KAM_ACCT_WINDOW)
	{
		window_settle(st);
		return;
	}
	if (st->parts.n == 0 && st->packed == NULL)
		return;
	m = hist_merge_new(st);
	nkeys = (int32) m->keys.n;
	for (int p = 0; p < m->k; p++)
		npoints += m->in[p]->packed ? m->in[p]->packed_n : m->in[p]->hp.n;
	kam_array_init(&keys, st->ctx, sizeof(Datum), Max(nkeys, 1));
	kam_array_init(&hp, st->ctx, stride, Max(npoints, 1));
	kam_array_init(&last, st->ctx, sizeof(KamLast), Max(nkeys, 1));
	offsets = kam_alloc_large(st->ctx, ((Size) nkeys + 1) * sizeof(Size), 0);
	if (!st->fastkey)
	{
		/* the keys of partial states, whose memory is spent below: copied */
		ordhash = kam_alloc_large(st->ctx, Max(nkeys, 1) * sizeof(uint32), 0);
		memcpy(ordhash, m->khash.data, nkeys * sizeof(uint32));
		keyblock = image_keys_copy(st, (Datum *) m->keys.data, nkeys);
	}
	out = hp.data;
	for (int32 r = 0; r < nkeys; r++)
	{
		if ((r & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		merge_next(m);
		acct_push_key(&keys, &last, KAM_ARRAY_ELEM(&m->keys, Datum, r));
		offsets[r] = (out - hp.data) / stride;
		for (int j = 0; j < m->n; j++, out += stride)
		{
			pt_copy(out, m->run + (Size) j * stride, stride);
			((KamPoint *) out)->acct = r;
		}
		acct_set_last(&KAM_ARRAY_ELEM(&last, KamLast, r), hp.data, stride, offsets[r],
					  (out - hp.data) / stride);
	}
	hp.n = (out - hp.data) / stride;
	offsets[nkeys] = hp.n;
	/* the partial states' arrays are spent (st's are replaced below) */
	for (int p = 1; p < m->k; p++)
		if (m->in[p]->ctx == st->ctx)
			acct_free_arrays(m->in[p]);
	hist_merge_free(m);
	st->parts.n = 0;
	acct_take_arrays(st, &keys, &hp, &last, ordhash, keyblock);
	st->grouped = offsets;
}

/*
 * Combine another partial state in key order into st, in key order too: kept
 * aside, and merged with the others in one pass when st is next read
 * (acct_settle).  A state of another plan node's context (partition-wise
 * aggregation) may be freed before then: merged at once, unless it was
 * handed over in place (acct_hand_off), which lasts as long as st.
 */
static void
acct_defer(KamAcctState *st, KamAcctState *other)
{
	*(KamAcctState **) kam_array_push(&st->parts) = other;
	kam_array_append(&st->parts, other->parts.data, other->parts.n);
	/* the parts are st's own only once merged */
	if (other->ctx == st->ctx)
		other->parts.n = 0;
	acct_drop_index(st);
	if (other->ctx != st->ctx && !other->handed)
		acct_settle(st);
}

/*
 * Append the points of another state to st, their account numbers mapped
 * through remap.  No row merges on arrival here: the final grouping sums the
 * points of one account and date.
 */
static void
acct_append_points(KamAcctState *st, const KamAcctState *other, const int32 *remap)
{
	Size		stride = st->hp.elem;
	char	   *dst;

	kam_array_reserve(&st->hp, other->hp.n);
	dst = st->hp.data + st->hp.n * stride;
	for (int64 i = 0; i < other->hp.n; i++, dst += stride)
	{
		KamPoint   *p = (KamPoint *) dst;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		pt_copy(p, acct_point(other, i), stride);
		p->acct = remap[p->acct];
	}
	st->hp.n += other->hp.n;
}

/*
 * st's accounts of other's keys, in other's order, added when new (palloc'd).
 * Keys in st's hash are numbered 64 at a time with the hash's buckets in
 * flight (acct_hash_batch), as rows are: a partial state of such keys
 * (numeric, text under a nondeterministic collation: those of other types
 * come in key order) brings most accounts again.
 */
static int32 *
acct_ids_of(KamAcctState *st, const KamAcctState *other)
{
	int64		n = other->keys.n,
				i = 0;
	const Datum *keys = (const Datum *) other->keys.data;
	int32	   *ids = palloc(Max(n, 1) * sizeof(int32));

	/* settled: no row waits in hpend */
	Assert(st->hashed_from < 0 && st->wpend_n == 0);
	while (i < n)
	{
		int			m;

		CHECK_FOR_INTERRUPTS();
		if (st->fastkey || st->dmap || st->ids_pending)
		{
			ids[i] = kam_acct_id(st, keys[i]);
			i++;
			continue;
		}
		m = (int) Min(n - i, HASH_BATCH);
		for (int j = 0; j < m; j++)
			hpend_slot(st, j, (int64) acct_key_arg(st, keys[i + j]));
		i += acct_hash_batch(st, m, &ids[i]);
	}
	return ids;
}

/* Fold the accounts of another partial state into `st`. */
static void
acct_merge(KamAcctState *st, KamAcctState *other)
{
	if (st->kind == KAM_ACCT_WINDOW && st->in_key_order && other->in_key_order)
		acct_defer(st, other);
	else if (st->kind == KAM_ACCT_WINDOW)
	{
		int32	   *remap;

		acct_settle(st);
		acct_settle(other);
		remap = acct_ids_of(st, other);
		for (int64 i = 0; i < other->wsum.n; i++)
		{
			int32		id = remap[i];
			KamAcctSums *a = &KAM_ARRAY_ELEM(&st->wsum, KamAcctSums, id);
			const KamAcctSums *b = &KAM_ARRAY_ELEM(&other->wsum, KamAcctSums, i);

			CHECK_FOR_INTERRUPTS();
			KAM_ARRAY_ELEM(&st->wret, uint8, id) |= KAM_ARRAY_ELEM(&other->wret, uint8, i);
			kam_sum_merge(&a->s, &b->s);
			kam_sum_merge(&a->e, &b->e);
			if (st->rates)
			{
				a = &KAM_ARRAY_ELEM(&st->wlocal, KamAcctSums, id);
				b = &KAM_ARRAY_ELEM(&other->wlocal, KamAcctSums, i);
				kam_sum_merge(&a->s, &b->s);
				kam_sum_merge(&a->e, &b->e);
			}
		}
		pfree(remap);

		/*
		 * and the keys other marked in its bits (a state combined as its rows
		 * left it: PostgreSQL serializes every partial state of an aggregate
		 * that has serial functions, and those come in key order)
		 */
		for (int64 j = other->rbits ? bit_next(other->rbits, other->dspan, 0) : 0;
			 other->rbits && j < other->dspan; j = bit_next(other->rbits, other->dspan, j + 1))
		{
			CHECK_FOR_INTERRUPTS();
			kam_acct_mark_returning(st, Int64GetDatum(other->dmin + j));
		}
	}
	else if (other->hp.elem != st->hp.elem)
		elog(ERROR, "kam_acct_combine: partial states of two forms");
	else if (st->in_key_order && other->in_key_order)
		acct_defer(st, other);
	else
	{
		/* other's account ids -> st's, then add its points */
		int32	   *remap;

		acct_settle(st);
		acct_settle(other);
		acct_forget_grouping(st);
		remap = acct_ids_of(st, other);
		acct_append_points(st, other, remap);
		st->in_key_order = false;
		pfree(remap);
	}
}

static void
acct_merge_window(KamAcctState *st, const KamAcctState *other)
{
	if (other->grain != -2)
		kam_acct_set_grain(st, other->grain);
	st->deltas |= other->deltas;
	st->keep_all |= other->keep_all;
	acct_set_rates(st, other->rates);
	if (other->has_window)
		kam_acct_set_window(st, other->from, other->to);
	if (other->settings != NULL)
		kam_acct_set_settings(st, other->settings_what, other->settings, other->settings_len);
	kam_acct_mark_seen(st, other->seen_from, other->seen_to);
}

/*
 * Combine function shared by every per-account aggregate.  State 1 is
 * updated in place (it lives in the aggregate context); a NULL state 1 gets
 * a new state in the aggregate context.
 */
PG_FUNCTION_INFO_V1(kam_acct_combine);
Datum
kam_acct_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	KamAcctState *st;
	KamAcctState *other;

	aggctx = kam_agg_context(fcinfo, "kam_acct_combine");
	KAM_AGG_SKIP_NULL(1, 1);
	other = (KamAcctState *) PG_GETARG_POINTER(1);
	acct_flush_pending(other);
	if (!PG_ARGISNULL(0))
		acct_flush_pending((KamAcctState *) PG_GETARG_POINTER(0));

	/*
	 * A partial state deserialized into this aggregate's own context can be
	 * taken over as it is; one that belongs to another plan node (partition-
	 * wise aggregation) must be copied.
	 */
	if (PG_ARGISNULL(0) && other->ctx == aggctx)
		PG_RETURN_POINTER(other);
	if (PG_ARGISNULL(0))
	{
		st = acct_state_new(aggctx, other->kind, other->keytype, other->collation);
		/* no account yet: in key order, so a handed state is kept aside */
		st->in_key_order = other->handed;
	}
	else
		st = (KamAcctState *) PG_GETARG_POINTER(0);
	if (st->kind != other->kind || st->keytype != other->keytype)
		elog(ERROR, "kam_acct_combine: mismatched partial states");
	acct_merge_window(st, other);
	acct_merge(st, other);
	PG_RETURN_POINTER(st);
}

/* ---------- serialization for parallel aggregation ---------- */

/*
 * Format version 3: the kind, key type, collation and window, the number of
 * accounts, then per account its key (an int8 for integer-like keys, else
 * its length and bytes) followed, for the window kind, by "paid before" and
 * the compensated S and E (and their local amounts in the rate forms); for
 * the history kind, after the keys, the number of points and the points as
 * they are held (the account's number in the key list, date, MRR and in the
 * rate forms the local MRR), not grouped: the leader groups them once.
 * Version 4 adds, after the window, whether the history is in key order
 * (integer keys: the keys ascending, the points grouped by account in that
 * order), which lets the leader merge the partial states in one pass.
 * Version 5 adds, after the window, the form's settings
 * (kam_acct_set_settings): the length of the names of their arguments and
 * the names, then the length of the settings (-1 none) and their bytes.
 * Version 6 sends the history kind's points, and in key order its keys, as
 * this machine holds them (kam_state_send_native: a parallel worker's state
 * never leaves the server), each block behind a mark of the byte order; the
 * window kind's keys are followed by three such blocks, "paid before" (a
 * byte an account), S and E (compensated), and in the rate forms the local
 * S and E.  Version 7 sends a history in key order packed
 * (acct_send_packed): the number of keys, the length of their packing and
 * the keys packed (acct_pack_keys), the number of points, the length of
 * their packing and the points packed (acct_pack).  Version 8 packs each
 * point's date shifted left twice, its amounts' kind in the low bits, and
 * amounts of whole cents as varints (PACK_CENTS).  Version 9 sends the
 * window kind of integer keys in key order too, packed (acct_send_window):
 * whether in key order is then whether the keys are integers, for both
 * kinds.  Version 10 packs points of the rate forms against the rates
 * listed after the dates (PACK_RATE): their number, then each one's bits.
 * Version 11 sends both kinds of keys compared by their images (text, uuid:
 * acct_hash_ordered) in key order too, ordered by the hash of each key's
 * image, then the image (acct_order_cmp), packed as the integer keys' are
 * but for the keys: each one's image after its length, a varint
 * (acct_pack_image_keys).  Version 12 packs the date of each point of a
 * history whose dates are listed over at most RANK_TABLE_SPAN days as a step
 * through the listed dates (pack_ranked), not in days.
 */
#define ACCT_STATE_VERSION 12

static void
send_key(StringInfo buf, const KamAcctState *st, Datum key)
{
	if (st->keybyval)
		pq_sendint64(buf, (int64) key);
	else
	{
		Size		len = datumGetSize(key, false, st->keylen);

		pq_sendint32(buf, (int32) len);
		pq_sendbytes(buf, DatumGetPointer(key), (int) len);
	}
}

static Datum
recv_key(StringInfo buf, const KamAcctState *st)
{
	int32		len;
	char	   *p;

	if (st->keybyval)
		return (Datum) pq_getmsgint64(buf);
	len = pq_getmsgint(buf, 4);
	if (len < 1 || len > buf->len - buf->cursor)
		elog(ERROR, "kam_acct_deserial: bad key length %d", len);
	p = palloc(len);
	memcpy(p, pq_getmsgbytes(buf, len), len);
	return PointerGetDatum(p);
}

/* ---------- the leader's own partial state, handed over in place ---------- */

/*
 * PostgreSQL serializes every partial state of an aggregate that has serial
 * functions, the leader's own too, which its Finalize deserializes again in
 * the same process: for a history in key order that is packing and
 * unpacking a third of the points (with two workers) on the path the whole
 * query waits for.  Where the state cannot leave this process, it is handed
 * over in place instead: put in key order and grouped as it would be sent,
 * and named in a token (this process, the state's address and a count of
 * the tokens made) that only this process can redeem, while the state's
 * context lives.  That is a plain (ungrouped) partial aggregation in a
 * process that is not a parallel worker: the leader under a Gather, or
 * partition-wise partial aggregation, whose Finalize is in this process and
 * reads the state before the node's context is reset (a rescan resets the
 * Finalize first).  A grouped partial node may reset its groups' memory
 * before they are combined (hash aggregation spilling to disk), so its
 * states are sent as usual, as are a parallel worker's.  Two aggregates of
 * one transition state (the waterfall and the cohort table over the same
 * arguments) hand it over twice: both Finalizes only read it.  (Citus never
 * calls the serial functions of an internal state: its worker_partial_agg
 * refuses them.)  A token redeemed anywhere else is an error, never a wrong
 * state.
 */
#define ACCT_HANDED_MARK 0xFF	/* the kind byte of a token */

typedef struct AcctHanded
{
	dlist_node	node;
	KamAcctState *st;
	uint64		number;
	MemoryContextCallback cb;
} AcctHanded;

static dlist_head acct_handed = DLIST_STATIC_INIT(acct_handed);
static uint64 acct_handed_count = 0;

/* st's context is reset or deleted: its token is void */
static void
acct_handed_void(void *arg)
{
	dlist_delete(&((AcctHanded *) arg)->node);
}

/* may st, the argument of this serial call, be handed over in place? */
static bool
acct_can_hand_off(FunctionCallInfo fcinfo, const KamAcctState *st, MemoryContext aggctx)
{
	AggState   *agg;

	if (fcinfo->context == NULL || !IsA(fcinfo->context, AggState) || IsParallelWorker())
		return false;
	agg = (AggState *) fcinfo->context;
	return agg->aggstrategy == AGG_PLAIN && DO_AGGSPLIT_SKIPFINAL(agg->aggsplit) &&
		DO_AGGSPLIT_SERIALIZE(agg->aggsplit) && st->ctx == aggctx &&
		st->kind == KAM_ACCT_HISTORY && acct_sends_in_order(st);
}

/* st in key order and grouped, as acct_send_in_key_order sends it; its token */
static void
acct_hand_off(StringInfo buf, KamAcctState *st)
{
	KamHistory	h;
	AcctHanded *e;

	acct_group_in_key_order(st, &h);
	st->grouped = h.offsets;
	if (st->date_bits == NULL && !st->keep_all)
		acct_list_dates(st, h.points, st->hp.elem, h.offsets, (int32) st->keys.n);
	e = MemoryContextAlloc(st->ctx, sizeof(AcctHanded));
	e->st = st;
	e->number = ++acct_handed_count;
	e->cb.func = acct_handed_void;
	e->cb.arg = e;
	MemoryContextRegisterResetCallback(st->ctx, &e->cb);
	dlist_push_head(&acct_handed, &e->node);
	pq_sendint32(buf, MyProcPid);
	pq_sendint64(buf, (int64) (uintptr_t) st);
	pq_sendint64(buf, (int64) e->number);
}

/* the state a token names (acct_hand_off): only in the process that made it */
static KamAcctState *
acct_redeem(StringInfo buf)
{
	int32		pid = pq_getmsgint(buf, 4);
	uintptr_t	addr = (uintptr_t) pq_getmsgint64(buf);
	uint64		number = (uint64) pq_getmsgint64(buf);
	dlist_iter	it;

	dlist_foreach(it, &acct_handed)
	{
		AcctHanded *e = dlist_container(AcctHanded, node, it.cur);

		if (pid == MyProcPid && (uintptr_t) e->st == addr && e->number == number)
		{
			e->st->handed = true;
			return e->st;
		}
	}
	elog(ERROR, "kam_acct_deserial: a partial state handed over in process %d is not held here",
		 pid);
	return NULL;				/* keep compiler quiet */
}

PG_FUNCTION_INFO_V1(kam_acct_serial);
Datum
kam_acct_serial(PG_FUNCTION_ARGS)
{
	KamAcctState *st = (KamAcctState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	MemoryContext aggctx;

	aggctx = kam_agg_context(fcinfo, "kam_acct_serial");
	acct_flush_pending(st);
	kam_state_send_begin(&buf, KAM_STATE_ACCOUNTS, ACCT_STATE_VERSION);
	if (acct_can_hand_off(fcinfo, st, aggctx))
	{
		pq_sendbyte(&buf, ACCT_HANDED_MARK);
		acct_hand_off(&buf, st);
		PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam per-account"));
	}
	pq_sendbyte(&buf, st->kind);
	pq_sendint32(&buf, st->keytype);
	pq_sendint32(&buf, st->collation);
	pq_sendbyte(&buf, st->has_window);
	pq_sendint16(&buf, st->grain);
	pq_sendbyte(&buf, st->deltas);
	pq_sendbyte(&buf, st->keep_all);
	pq_sendbyte(&buf, st->rates);
	pq_sendbyte(&buf, st->seen_from);
	pq_sendbyte(&buf, st->seen_to);
	pq_sendint32(&buf, st->from);
	pq_sendint32(&buf, st->to);
	pq_sendint32(&buf, st->settings ? (int32) strlen(st->settings_what) : 0);
	if (st->settings)
		pq_sendbytes(&buf, st->settings_what, (int) strlen(st->settings_what));
	pq_sendint32(&buf, st->settings ? st->settings_len : -1);
	if (st->settings)
		pq_sendbytes(&buf, st->settings, st->settings_len);
	/* the workers order their accounts in parallel: the leader merges them */
	pq_sendbyte(&buf, acct_sends_in_order(st));
	if (st->kind == KAM_ACCT_WINDOW && acct_sends_in_order(st))
		acct_send_window(&buf, st);
	else if (st->kind == KAM_ACCT_WINDOW)
	{
		acct_settle(st);
		pq_sendint64(&buf, st->wsum.n);
		for (int64 i = 0; i < st->wsum.n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			send_key(&buf, st, KAM_ARRAY_ELEM(&st->keys, Datum, i));
		}
		kam_state_send_native(&buf, st->wret.data, st->wret.n, sizeof(uint8));
		kam_state_send_native(&buf, st->wsum.data, st->wsum.n, sizeof(KamAcctSums));
		if (st->rates)
			kam_state_send_native(&buf, st->wlocal.data, st->wlocal.n, sizeof(KamAcctSums));
	}
	else if (acct_sends_in_order(st))
		acct_send_in_key_order(&buf, st);
	else
	{
		pq_sendint64(&buf, st->keys.n);
		for (int64 i = 0; i < st->keys.n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			send_key(&buf, st, KAM_ARRAY_ELEM(&st->keys, Datum, i));
		}
		pq_sendint64(&buf, st->hp.n);
		kam_state_send_native(&buf, st->hp.data, st->hp.n, st->hp.elem);
	}
	PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam per-account"));
}

/* the settings as kam_acct_serial sends them (in the state's context) */
static void
recv_settings(StringInfo buf, KamAcctState *st)
{
	int32		wlen = pq_getmsgint(buf, 4);
	char	   *what;
	int32		len;

	if (wlen < 0 || wlen > buf->len - buf->cursor)
		elog(ERROR, "kam_acct_deserial: bad settings name length %d", wlen);
	what = palloc(wlen + 1);
	memcpy(what, pq_getmsgbytes(buf, wlen), wlen);
	what[wlen] = '\0';
	len = pq_getmsgint(buf, 4);
	if (len == -1)
		return;
	if (len < 0 || len > buf->len - buf->cursor)
		elog(ERROR, "kam_acct_deserial: bad settings length %d", len);
	kam_acct_set_settings(st, what, pq_getmsgbytes(buf, len), len);
}

PG_FUNCTION_INFO_V1(kam_acct_deserial);
Datum
kam_acct_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_acct_deserial");
	MemoryContext old;
	StringInfoData buf;
	KamAcctState *st;
	KamAcctKind kind;
	Oid			keytype,
				collation;
	int64		count;
	bool		in_key_order;

	kam_state_recv_begin(&buf, PG_GETARG_BYTEA_PP(0), KAM_STATE_ACCOUNTS, ACCT_STATE_VERSION,
						 "kam_acct_deserial");
	kind = (KamAcctKind) pq_getmsgbyte(&buf);
	if (kind == ACCT_HANDED_MARK)
	{
		st = acct_redeem(&buf);
		kam_state_recv_end(&buf, "kam_acct_deserial");
		PG_RETURN_POINTER(st);
	}
	keytype = pq_getmsgint(&buf, 4);
	collation = pq_getmsgint(&buf, 4);
	st = acct_state_new(aggctx, kind, keytype, collation);
	st->has_window = pq_getmsgbyte(&buf) != 0;
	st->grain = (int16) pq_getmsgint(&buf, 2);
	st->deltas = pq_getmsgbyte(&buf) != 0;
	st->keep_all = pq_getmsgbyte(&buf) != 0;
	acct_set_rates(st, pq_getmsgbyte(&buf) != 0);
	st->seen_from = pq_getmsgbyte(&buf) != 0;
	st->seen_to = pq_getmsgbyte(&buf) != 0;
	st->from = pq_getmsgint(&buf, 4);
	st->to = pq_getmsgint(&buf, 4);
	recv_settings(&buf, st);
	in_key_order = pq_getmsgbyte(&buf) != 0;
	if (in_key_order != acct_sends_in_order(st))
		elog(ERROR, "kam_acct_deserial: integer keys and keys compared by their images come in key order, and only they");
	/* a key and its number of points take 2 bytes or more packed, else 9 */
	count = kam_state_recv_count(&buf, PG_INT32_MAX, in_key_order ? 2 : 9, "kam_acct_deserial");

	old = MemoryContextSwitchTo(aggctx);
	if (kind == KAM_ACCT_HISTORY)
	{
		int64		npoints;

		if (in_key_order)
		{
			int64		len;

			/*
			 * the keys ascending, then the points, each packed
			 * (acct_send_packed)
			 */
			kam_array_reserve(&st->keys, count);
			kam_array_reserve(&st->last, count);
			len = kam_state_recv_count(&buf, PG_INT64_MAX, 1, "kam_acct_deserial");
			if (st->fastkey)
				acct_unpack_keys(pq_getmsgbytes(&buf, (int) len), len, (Datum *) st->keys.data, count);
			else
				acct_unpack_image_keys(st, pq_getmsgbytes(&buf, (int) len), len, count);
			st->keys.n = st->last.n = count;
			for (int64 i = 0; i < count; i++)
				KAM_ARRAY_ELEM(&st->last, KamLast, i).idx = -1;
			acct_keys_in_order(st);
			st->packed_n = kam_state_recv_count(&buf, PG_INT64_MAX, 1, "kam_acct_deserial");
			len = kam_state_recv_count(&buf, PG_INT64_MAX, 1, "kam_acct_deserial");
			st->packed = kam_alloc_large(aggctx, Max(len, 1), 0);
			memcpy(st->packed, pq_getmsgbytes(&buf, (int) len), len);
			st->packed_len = (Size) len;
			acct_unpack_dates(&buf, st);
			acct_unpack_rates(&buf, st);
			st->ids_pending = true;
		}
		else
		{
			for (int64 i = 0; i < count; i++)
			{
				CHECK_FOR_INTERRUPTS();
				acct_new_id(st, recv_key(&buf, st));
			}
			/* indexed only if accounts are looked up in this state */
			st->ids_pending = true;
			npoints = kam_state_recv_count(&buf, PG_INT64_MAX, st->rates ? 24 : 16, "kam_acct_deserial");
			kam_array_reserve(&st->hp, npoints);
			kam_state_recv_native(&buf, st->hp.data, npoints, st->hp.elem);
			st->hp.n = npoints;

			/*
			 * the points' accounts are the keys' positions, as ids in this
			 * state
			 */
			for (int64 i = 0; i < npoints; i++)
			{
				int32		a = acct_point(st, i)->acct;

				if ((i & 0xFFFF) == 0)
					CHECK_FOR_INTERRUPTS();
				if (a < 0 || a >= count)
					elog(ERROR, "kam_acct_deserial: a point of account %d of " INT64_FORMAT,
						 a, count);
			}
		}
		st->in_key_order = in_key_order;
	}
	else if (in_key_order)
		acct_recv_window(&buf, st, count);
	else
	{
		/* each key once: numbered in turn, indexed if looked up */
		st->ids_pending = true;
		for (int64 i = 0; i < count; i++)
		{
			CHECK_FOR_INTERRUPTS();
			acct_new_id(st, recv_key(&buf, st));
		}
		kam_state_recv_native(&buf, st->wret.data, count, sizeof(uint8));
		kam_state_recv_native(&buf, st->wsum.data, count, sizeof(KamAcctSums));
		if (st->rates)
			kam_state_recv_native(&buf, st->wlocal.data, count, sizeof(KamAcctSums));
	}
	MemoryContextSwitchTo(old);
	kam_state_recv_end(&buf, "kam_acct_deserial");
	PG_RETURN_POINTER(st);
}
