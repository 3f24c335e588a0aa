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

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

struct KamAcctState;

static uint32 acct_hash_key(struct KamAcctState *st, Datum key);
static bool acct_key_equal(struct KamAcctState *st, Datum a, Datum b);

#define SH_PREFIX acctab
#define SH_ELEMENT_TYPE KamAcct
#define SH_KEY_TYPE Datum
#define SH_KEY key
#define SH_HASH_KEY(tb, k) acct_hash_key((struct KamAcctState *) (tb)->private_data, k)
#define SH_EQUAL(tb, a, b) acct_key_equal((struct KamAcctState *) (tb)->private_data, a, b)
#define SH_SCOPE static inline
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

#define KAM_ACCT_MAGIC 0x4B414D31	/* "KAM1" */

struct KamAcctState
{
	MemoryContext ctx;			/* child of the aggregate context */
	KamAcctKind kind;
	Oid			keytype;
	int16		keylen;
	bool		keybyval;
	bool		fastkey;		/* integer-like: equal iff the Datums are */
	Oid			collation;
	TypeCacheEntry *typentry;	/* hash and equality support */
	bool		has_window;
	DateADT		from;
	DateADT		to;
	acctab_hash *tab;
	acctab_iterator iter;
};

/* 64-bit finaliser (splitmix64) for integer-like keys */
static inline uint32
mix64(uint64 x)
{
	x ^= x >> 30;
	x *= UINT64CONST(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64CONST(0x94d049bb133111eb);
	x ^= x >> 31;
	return (uint32) x;
}

static uint32
acct_hash_key(KamAcctState *st, Datum key)
{
	if (st->fastkey)
		return mix64((uint64) key);
	return DatumGetUInt32(FunctionCall1Coll(&st->typentry->hash_proc_finfo,
											st->collation, key));
}

static bool
acct_key_equal(KamAcctState *st, Datum a, Datum b)
{
	if (st->fastkey)
		return a == b;
	return DatumGetBool(FunctionCall2Coll(&st->typentry->eq_opr_finfo,
										  st->collation, a, b));
}

static KamAcctState *
acct_state_new(MemoryContext aggctx, KamAcctKind kind, Oid keytype, Oid collation)
{
	MemoryContext ctx = AllocSetContextCreate(aggctx, "kam accounts",
											  ALLOCSET_DEFAULT_SIZES);
	KamAcctState *st = MemoryContextAllocZero(ctx, sizeof(KamAcctState));

	st->ctx = ctx;
	st->kind = kind;
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
	}
	st->tab = acctab_create(ctx, 1024, st);
	return st;
}

/*
 * The state for a transition call: argument 0 when already created,
 * otherwise a new one in the aggregate context keyed by argument 1's type.
 */
KamAcctState *
kam_acct_state_get(FunctionCallInfo fcinfo, KamAcctKind kind, MemoryContext *aggctx_out)
{
	MemoryContext aggctx;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "kam aggregate transition function called in non-aggregate context");
	if (aggctx_out)
		*aggctx_out = aggctx;
	if (!PG_ARGISNULL(0))
		return (KamAcctState *) PG_GETARG_POINTER(0);
	return acct_state_new(aggctx, kind,
						  get_fn_expr_argtype(fcinfo->flinfo, 1),
						  PG_GET_COLLATION());
}

/* Find or add the account `key`; a by-reference key is copied into the state. */
KamAcct *
kam_acct_lookup(KamAcctState *st, Datum key)
{
	bool		found;
	KamAcct    *a;

	if (!st->keybyval && st->keylen == -1)
		key = PointerGetDatum(PG_DETOAST_DATUM_PACKED(key));
	a = acctab_insert(st->tab, key, &found);
	if (!found)
	{
		if (!st->keybyval)
		{
			MemoryContext old = MemoryContextSwitchTo(st->ctx);

			a->key = datumCopy(key, false, st->keylen);
			MemoryContextSwitchTo(old);
		}
		a->returning = false;
		a->npoints = a->maxpoints = 0;
		a->points = NULL;
		memset(&a->s, 0, sizeof(KamSum));
		memset(&a->e, 0, sizeof(KamSum));
	}
	return a;
}

void
kam_acct_add_point(KamAcctState *st, KamAcct *a, DateADT at, double mrr)
{
	if (a->npoints > 0 && a->points[a->npoints - 1].at == at)
	{
		a->points[a->npoints - 1].mrr += mrr;
		return;
	}
	if (a->npoints == a->maxpoints)
	{
		int			n = a->maxpoints == 0 ? 4 : a->maxpoints * 2;

		if (a->points == NULL)
			a->points = MemoryContextAlloc(st->ctx, n * sizeof(KamPoint));
		else
			a->points = repalloc(a->points, n * sizeof(KamPoint));
		a->maxpoints = n;
	}
	a->points[a->npoints].at = at;
	a->points[a->npoints].mrr = mrr;
	a->npoints++;
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

void
kam_acct_window(KamAcctState *st, DateADT *from, DateADT *to)
{
	*from = st->from;
	*to = st->to;
}

uint64
kam_acct_count(KamAcctState *st)
{
	return st->tab->members;
}

void
kam_acct_iterate_begin(KamAcctState *st)
{
	acctab_start_iterate(st->tab, &st->iter);
}

KamAcct *
kam_acct_iterate_next(KamAcctState *st)
{
	return acctab_iterate(st->tab, &st->iter);
}

/* Fold account `b` (from another partial state) into `st`. */
static void
acct_merge_one(KamAcctState *st, const KamAcct *b)
{
	KamAcct    *a = kam_acct_lookup(st, b->key);

	a->returning |= b->returning;
	if (st->kind == KAM_ACCT_WINDOW)
	{
		kam_sum_merge(&a->s, &b->s);
		kam_sum_merge(&a->e, &b->e);
	}
	else
	{
		for (int i = 0; i < b->npoints; i++)
			kam_acct_add_point(st, a, b->points[i].at, b->points[i].mrr);
	}
}

static void
acct_merge_window(KamAcctState *st, const KamAcctState *other)
{
	if (other->has_window)
		kam_acct_set_window(st, other->from, other->to);
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
	KamAcct    *b;
	acctab_iterator it;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "kam_acct_combine called in non-aggregate context");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	other = (KamAcctState *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
		st = acct_state_new(aggctx, other->kind, other->keytype, other->collation);
	else
		st = (KamAcctState *) PG_GETARG_POINTER(0);
	if (st->kind != other->kind || st->keytype != other->keytype)
		elog(ERROR, "kam_acct_combine: mismatched partial states");
	acct_merge_window(st, other);
	acctab_start_iterate(other->tab, &it);
	while ((b = acctab_iterate(other->tab, &it)) != NULL)
		acct_merge_one(st, b);
	PG_RETURN_POINTER(st);
}

/* ---------- serialization for parallel aggregation ---------- */

typedef struct AcctHeader
{
	uint32		magic;
	int32		kind;
	Oid			keytype;
	Oid			collation;
	int32		has_window;
	DateADT		from;
	DateADT		to;
	uint64		count;
} AcctHeader;

PG_FUNCTION_INFO_V1(kam_acct_serialize);
Datum
kam_acct_serialize(PG_FUNCTION_ARGS)
{
	KamAcctState *st = (KamAcctState *) PG_GETARG_POINTER(0);
	AcctHeader	h;
	Size		size = VARHDRSZ + sizeof(AcctHeader);
	bytea	   *out;
	char	   *p;
	KamAcct    *a;
	acctab_iterator it;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "kam_acct_serialize called in non-aggregate context");

	acctab_start_iterate(st->tab, &it);
	while ((a = acctab_iterate(st->tab, &it)) != NULL)
	{
		size += datumEstimateSpace(a->key, false, st->keybyval, st->keylen) + 1;
		if (st->kind == KAM_ACCT_WINDOW)
			size += 2 * sizeof(KamSum);
		else
			size += sizeof(int32) + a->npoints * sizeof(KamPoint);
	}
	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kam per-account state is too large to pass to a parallel worker"),
				 errhint("Disable parallel query for this statement (SET max_parallel_workers_per_gather = 0).")));

	out = palloc(size);
	SET_VARSIZE(out, size);
	memset(&h, 0, sizeof(h));
	h.magic = KAM_ACCT_MAGIC;
	h.kind = st->kind;
	h.keytype = st->keytype;
	h.collation = st->collation;
	h.has_window = st->has_window;
	h.from = st->from;
	h.to = st->to;
	h.count = st->tab->members;
	p = VARDATA(out);
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);

	acctab_start_iterate(st->tab, &it);
	while ((a = acctab_iterate(st->tab, &it)) != NULL)
	{
		datumSerialize(a->key, false, st->keybyval, st->keylen, &p);
		*p++ = a->returning ? 1 : 0;
		if (st->kind == KAM_ACCT_WINDOW)
		{
			memcpy(p, &a->s, sizeof(KamSum));
			p += sizeof(KamSum);
			memcpy(p, &a->e, sizeof(KamSum));
			p += sizeof(KamSum);
		}
		else
		{
			memcpy(p, &a->npoints, sizeof(int32));
			p += sizeof(int32);
			memcpy(p, a->points, a->npoints * sizeof(KamPoint));
			p += a->npoints * sizeof(KamPoint);
		}
	}
	Assert(p == (char *) out + size);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(kam_acct_deserialize);
Datum
kam_acct_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	MemoryContext aggctx;
	MemoryContext old;
	KamAcctState *st;
	AcctHeader	h;
	char	   *p = VARDATA_ANY(in);
	char	   *end = p + VARSIZE_ANY_EXHDR(in);

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "kam_acct_deserialize called in non-aggregate context");
	if (end - p < (ssize_t) sizeof(h))
		elog(ERROR, "kam_acct_deserialize: truncated state");
	memcpy(&h, p, sizeof(h));
	p += sizeof(h);
	if (h.magic != KAM_ACCT_MAGIC)
		elog(ERROR, "kam_acct_deserialize: bad state");

	st = acct_state_new(aggctx, (KamAcctKind) h.kind, h.keytype, h.collation);
	st->has_window = h.has_window;
	st->from = h.from;
	st->to = h.to;

	old = MemoryContextSwitchTo(st->ctx);
	for (uint64 i = 0; i < h.count; i++)
	{
		bool		isnull;
		Datum		key = datumRestore(&p, &isnull);
		bool		found;
		KamAcct    *a = acctab_insert(st->tab, key, &found);

		if (found)
			elog(ERROR, "kam_acct_deserialize: duplicate account");
		a->returning = *p++ != 0;
		a->npoints = a->maxpoints = 0;
		a->points = NULL;
		memset(&a->s, 0, sizeof(KamSum));
		memset(&a->e, 0, sizeof(KamSum));
		if (st->kind == KAM_ACCT_WINDOW)
		{
			memcpy(&a->s, p, sizeof(KamSum));
			p += sizeof(KamSum);
			memcpy(&a->e, p, sizeof(KamSum));
			p += sizeof(KamSum);
		}
		else
		{
			int32		n;

			memcpy(&n, p, sizeof(int32));
			p += sizeof(int32);
			if (n > 0)
			{
				a->points = palloc(n * sizeof(KamPoint));
				memcpy(a->points, p, n * sizeof(KamPoint));
				p += n * sizeof(KamPoint);
			}
			a->npoints = a->maxpoints = n;
		}
	}
	MemoryContextSwitchTo(old);
	if (p != end)
		elog(ERROR, "kam_acct_deserialize: trailing bytes in state");
	PG_RETURN_POINTER(st);
}
