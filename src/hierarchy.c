/*-------------------------------------------------------------------------
 *
 * hierarchy.c
 *	  Account hierarchies (docs/kam.md, SPEC section 8).
 *
 *	  kam.account_tree(edges_sql text [, as_of [, id anyelement]]) -> rows
 *		  (account, root, depth, path) for every account named by the edges.
 *
 * The edges come as a query text (pgRouting's convention) with columns named
 * child and parent, and optionally valid_from and valid_to (date, timestamp
 * or timestamptz; NULL bounds open): an edge counts on as_of when
 * valid_from <= as_of < valid_to.  Ids are bigint (any integer column), or
 * of the type of the third argument (text, uuid, ...: any type with a btree
 * operator class; text is compared byte for byte).
 *
 * The ids are sorted once (an index per distinct id), each account's parent
 * on as_of is looked up by binary search, and every account is resolved by
 * walking up to a root or to an account already resolved, so the whole tree
 * takes O(n log n) for n edges.  A cycle is error 22023 naming its accounts;
 * an account with two parents on as_of is error 22023; a hierarchy deeper
 * than KAM_TREE_MAX_DEPTH levels is error 54001.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "miscadmin.h"

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#define KAM_TREE_MAX_DEPTH 100
#define TREE_FETCH 10000

typedef struct TreeIds
{
	Oid			typid;			/* the id type */
	bool		is_int8;		/* ids as int64, compared inline */
	int16		typlen;
	bool		typbyval;
	char		typalign;
	FmgrInfo   *cmp;			/* btree comparison (not is_int8) */
	Oid			collation;
} TreeIds;

static int
ids_cmp(const TreeIds *ids, Datum a, Datum b)
{
	if (ids->is_int8)
	{
		int64		x = DatumGetInt64(a),
					y = DatumGetInt64(b);

		return x < y ? -1 : (x > y ? 1 : 0);
	}
	return DatumGetInt32(FunctionCall2Coll(ids->cmp, ids->collation, a, b));
}

/*
 * One id as read from an edge: `ref` is 2 * edge + 0 for its child, + 1 for
 * its parent, so one sort of these entries gives every edge its two account
 * numbers without a search.
 */
typedef struct TreeEntry
{
	Datum		id;
	int64		ref;
} TreeEntry;

static int
cmp_entry(const TreeEntry *a, const TreeEntry *b, const TreeIds *ids)
{
	CHECK_FOR_INTERRUPTS();
	return ids_cmp(ids, a->id, b->id);
}

/*
 * int64 ids: an LSD radix sort on 16-bit digits of the id with its sign bit
 * flipped (so that it orders as unsigned); a pass whose digit is the same
 * for every entry is skipped, so ids below 2^32 take two passes.
 */
static inline uint64
entry_key(const TreeEntry *e)
{
	return (uint64) DatumGetInt64(e->id) ^ (UINT64CONST(1) << 63);
}

static void
radix_sort_int8_entries(TreeEntry *e, int64 n)
{
	TreeEntry  *tmp = kam_alloc_large(CurrentMemoryContext, sizeof(TreeEntry) * n, 0);
	int64	   *count = palloc(sizeof(int64) * 65536);
	TreeEntry  *src = e,
			   *dst = tmp;

	for (int shift = 0; shift < 64; shift += 16)
	{
		int64		pos = 0;

		CHECK_FOR_INTERRUPTS();
		memset(count, 0, sizeof(int64) * 65536);
		for (int64 i = 0; i < n; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			count[(entry_key(&src[i]) >> shift) & 0xFFFF]++;
		}
		if (count[(entry_key(&src[0]) >> shift) & 0xFFFF] == n)
			continue;			/* every entry has this digit */
		for (int d = 0; d < 65536; d++)
		{
			int64		c = count[d];

			count[d] = pos;
			pos += c;
		}
		for (int64 i = 0; i < n; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			dst[count[(entry_key(&src[i]) >> shift) & 0xFFFF]++] = src[i];
		}
		{
			TreeEntry  *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != e)
		memcpy(e, src, sizeof(TreeEntry) * n);
	pfree(tmp);
	pfree(count);
}

static int
cmp_entry_arg(const void *a, const void *b, void *arg)
{
	return cmp_entry((const TreeEntry *) a, (const TreeEntry *) b, (const TreeIds *) arg);
}

static void
sort_entries(TreeEntry *e, int64 n, TreeIds *ids)
{
	if (ids->is_int8 && n >= 4096)
		radix_sort_int8_entries(e, n);
	else
		qsort_arg(e, n, sizeof(TreeEntry), cmp_entry_arg, ids);
}

static char *
id_str(const TreeIds *ids, Datum d)
{
	Oid			out;
	bool		varlena;

	getTypeOutputInfo(ids->typid, &out, &varlena);
	return OidOutputFunctionCall(out, d);
}

static int
column_of(TupleDesc td, const char *name)
{
	for (int i = 0; i < td->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(td, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return i + 1;
	}
	return 0;
}

static void
check_id_column(TupleDesc td, int col, const char *name, const TreeIds *ids)
{
	Oid			t = TupleDescAttr(td, col - 1)->atttypid;

	if (t == ids->typid)
		return;
	if (ids->is_int8 && (t == INT2OID || t == INT4OID))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("column \"%s\" of the edges query is %s, not %s", name, format_type_be(t),
					ids->is_int8 ? "an integer type" : format_type_be(ids->typid)),
			 errhint(ids->is_int8 ?
					 "For ids of another type pass an id of that type as the third argument: kam.account_tree(edges_sql, as_of, NULL::text)." :
					 "Cast the column in the query, or pass NULL of the column's type as the third argument.")));
}

static void
check_date_column(TupleDesc td, int col, const char *name)
{
	Oid			t = TupleDescAttr(td, col - 1)->atttypid;

	if (t != DATEOID && t != TIMESTAMPOID && t != TIMESTAMPTZOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of the edges query is %s, not a date", name, format_type_be(t)),
				 errhint("valid_from and valid_to are date, timestamp or timestamptz.")));
}

/*
 * Reading the edges: a DestReceiver (the query's rows come straight from
 * the executor, PostgreSQL 14 and later) or an SPI cursor (13); either way
 * each row goes to tree_add_row.  The ids read are kept as entries (two per
 * edge), with a flags byte per edge.
 */
#define EDGE_NAMED_PARENT 1
#define EDGE_VALID 2
#define TREE_MAX_EDGES (1 << 30)

typedef struct TreeRead
{
	DestReceiver pub;
	TreeIds    *ids;
	DateADT		as_of;
	MemoryContext ctx;			/* where the ids and arrays live */
	TreeEntry  *entries;
	int64		nentries;
	int64		maxentries;
	uint8	   *flags;
	int64		nedges;
	int64		maxedges;
	bool		started;
	int			c_child;
	int			c_parent;
	int			c_from;
	int			c_to;
	int			ncols;			/* the largest of the four */
	Oid			t_child;
	Oid			t_parent;
	Oid			t_from;
	Oid			t_to;
} TreeRead;

static void
tree_columns(TreeRead *st, TupleDesc td)
{
	if (st->started)
		return;
	st->started = true;
	st->c_child = column_of(td, "child");
	st->c_parent = column_of(td, "parent");
	st->c_from = column_of(td, "valid_from");
	st->c_to = column_of(td, "valid_to");
	if (st->c_child == 0 || st->c_parent == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("the edges query has no column \"%s\"", st->c_child == 0 ? "child" : "parent"),
				 errhint("Name the columns: SELECT child_id AS child, parent_id AS parent [, valid_from, valid_to] FROM ...")));
	check_id_column(td, st->c_child, "child", st->ids);
	check_id_column(td, st->c_parent, "parent", st->ids);
	if (st->c_from > 0)
		check_date_column(td, st->c_from, "valid_from");
	if (st->c_to > 0)
		check_date_column(td, st->c_to, "valid_to");
	st->t_child = TupleDescAttr(td, st->c_child - 1)->atttypid;
	st->t_parent = TupleDescAttr(td, st->c_parent - 1)->atttypid;
	st->t_from = st->c_from > 0 ? TupleDescAttr(td, st->c_from - 1)->atttypid : InvalidOid;
	st->t_to = st->c_to > 0 ? TupleDescAttr(td, st->c_to - 1)->atttypid : InvalidOid;
	st->ncols = Max(Max(st->c_child, st->c_parent), Max(st->c_from, st->c_to));
}

static DateADT
value_date(Datum d, Oid type)
{
	switch (type)
	{
		case TIMESTAMPTZOID:
			return kam_timestamptz_date(DatumGetTimestampTz(d));
		case TIMESTAMPOID:
			return kam_timestamp_date(DatumGetTimestamp(d));
		default:
			return DatumGetDateADT(d);
	}
}

/* an id as kept: int64, or a copy in the reader's context (text detoasted) */
static Datum
value_id(TreeRead *st, Datum d, Oid type)
{
	const TreeIds *ids = st->ids;
	MemoryContext old;

	if (ids->is_int8)
	{
		if (type == INT2OID)
			return Int64GetDatum((int64) DatumGetInt16(d));
		if (type == INT4OID)
			return Int64GetDatum((int64) DatumGetInt32(d));
		return d;
	}
	if (ids->typbyval)
		return d;
	old = MemoryContextSwitchTo(st->ctx);
	if (ids->typlen == -1)
		d = PointerGetDatum(PG_DETOAST_DATUM_COPY(d));
	else
		d = datumCopy(d, false, ids->typlen);
	MemoryContextSwitchTo(old);
	return d;
}

/* one row of the edges query (values and nulls indexed from 0) */
static void
tree_add_row(TreeRead *st, const Datum *values, const bool *nulls)
{
	uint8		f = EDGE_VALID;

	CHECK_FOR_INTERRUPTS();
	if (unlikely(st->nedges == st->maxedges))
	{
		if (st->nedges >= TREE_MAX_EDGES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("kam.account_tree takes at most 2^30 edges")));
		st->maxedges *= 2;
		st->flags = kam_realloc_large(st->flags, st->maxedges, st->nedges);
	}
	if (unlikely(st->nentries + 2 > st->maxentries))
	{
		st->maxentries *= 2;
		st->entries = kam_realloc_large(st->entries, sizeof(TreeEntry) * st->maxentries,
										sizeof(TreeEntry) * st->nentries);
	}
	if (nulls[st->c_child - 1])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the edges query returned a NULL child"),
				 errhint("Leave such rows out: WHERE child IS NOT NULL.")));
	st->entries[st->nentries].id = value_id(st, values[st->c_child - 1], st->t_child);
	st->entries[st->nentries++].ref = 2 * st->nedges;
	if (!nulls[st->c_parent - 1])
	{
		st->entries[st->nentries].id = value_id(st, values[st->c_parent - 1], st->t_parent);
		st->entries[st->nentries++].ref = 2 * st->nedges + 1;
		f |= EDGE_NAMED_PARENT;
	}
	if (st->c_from > 0 && !nulls[st->c_from - 1] && value_date(values[st->c_from - 1], st->t_from) > st->as_of)
		f &= ~EDGE_VALID;
	if (st->c_to > 0 && !nulls[st->c_to - 1] && value_date(values[st->c_to - 1], st->t_to) <= st->as_of)
		f &= ~EDGE_VALID;
	st->flags[st->nedges++] = f;
}

#if PG_VERSION_NUM >= 140000
static void
tree_startup(DestReceiver *self, int operation, TupleDesc td)
{
	(void) operation;
	tree_columns((TreeRead *) self, td);
}

static bool
tree_receive(TupleTableSlot *slot, DestReceiver *self)
{
	TreeRead   *st = (TreeRead *) self;

	slot_getsomeattrs(slot, st->ncols);
	tree_add_row(st, slot->tts_values, slot->tts_isnull);
	return true;
}

static void
tree_nothing(DestReceiver *self)
{
	(void) self;
}
#endif

static void
tree_read(TreeRead *st, const char *query)
{
	SPIPlanPtr	plan;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "kam.account_tree: SPI_connect failed");
	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("edges_sql is not a query kam.account_tree can run: %s",
						SPI_result_code_string(SPI_result))));
	if (!SPI_is_cursor_plan(plan))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("edges_sql must be one query returning rows"),
				 errhint("For example: SELECT child_id AS child, parent_id AS parent FROM crm.account_links.")));
#if PG_VERSION_NUM >= 140000
	{
		SPIExecuteOptions options = {0};

		st->pub.receiveSlot = tree_receive;
		st->pub.rStartup = tree_startup;
		st->pub.rShutdown = tree_nothing;
		st->pub.rDestroy = tree_nothing;
		st->pub.mydest = DestNone;
		options.read_only = true;
		options.dest = &st->pub;
		SPI_execute_plan_extended(plan, &options);
	}
#else
	{
		Portal		portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
		TupleDesc	td = NULL;
		Datum	   *values = NULL;
		bool	   *nulls = NULL;

		for (;;)
		{
			SPI_cursor_fetch(portal, true, TREE_FETCH);
			if (td == NULL)
			{
				td = SPI_tuptable->tupdesc;
				tree_columns(st, td);
				values = palloc(sizeof(Datum) * td->natts);
				nulls = palloc(sizeof(bool) * td->natts);
			}
			if (SPI_processed == 0)
				break;
			for (uint64 r = 0; r < SPI_processed; r++)
			{
				heap_deform_tuple(SPI_tuptable->vals[r], td, values, nulls);
				tree_add_row(st, values, nulls);
			}
			SPI_freetuptable(SPI_tuptable);
		}
		SPI_cursor_close(portal);
	}
#endif
	SPI_finish();
}

/* the cycle through account i (parent links), as "a -> b -> ... -> a" */
static void
report_cycle(const TreeIds *ids, const TreeEntry *sorted, const int32 *parent, int32 i)
{
	StringInfoData buf;
	int32		j = i;
	int			shown = 0;

	initStringInfo(&buf);
	do
	{
		CHECK_FOR_INTERRUPTS();
		if (shown++ == 20)
		{
			appendStringInfoString(&buf, " -> ...");
			break;
		}
		appendStringInfo(&buf, "%s -> ", id_str(ids, sorted[j].id));
		j = parent[j];
	} while (j != i);
	if (j == i)
		appendStringInfoString(&buf, id_str(ids, sorted[i].id));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the account hierarchy has a cycle"),
			 errdetail("Parent links: %s.", buf.data),
			 errhint("Every chain of parents must end at a root (an account without a parent on as_of).")));
}

/*
 * kam.account_tree(edges_sql text, as_of date|timestamptz [, id anyelement])
 *
 * Memory, for n edges: 16 bytes per id read (child and parent) and 9 bytes
 * per edge while reading, then 16 bytes per account; text ids add their own
 * bytes.  Accounts are numbered with int32: at most 2^30 edges.
 */
PG_FUNCTION_INFO_V1(kam_account_tree);
Datum
kam_account_tree(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *query;
	DateADT		as_of;
	TreeIds		ids = {0};
	TreeRead	rd = {0};
	TreeEntry  *entries;
	uint8	   *flags;
	int64		nentries,
				nedges;
	int32		nids = 0;
	int32	   *edge_child,
			   *edge_parent,
			   *parent,
			   *root,
			   *depth,
			   *stack;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("edges_sql must not be NULL")));
	query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1))
		as_of = kam_date_arg(fcinfo, 1);
	else
		as_of = GetSQLCurrentDate();
	if (PG_NARGS() > 2)
	{
		TypeCacheEntry *tc;

		ids.typid = get_fn_expr_argtype(fcinfo->flinfo, 2);
		if (ids.typid == UNKNOWNOID)
			ids.typid = TEXTOID;
		tc = lookup_type_cache(ids.typid, TYPECACHE_CMP_PROC_FINFO);
		if (!OidIsValid(tc->cmp_proc))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("account ids of type %s cannot be compared", format_type_be(ids.typid)),
					 errhint("Use a type with a btree operator class: bigint, text, uuid...")));
		ids.cmp = &tc->cmp_proc_finfo;
		ids.is_int8 = ids.typid == INT8OID;
	}
	else
	{
		ids.typid = INT8OID;
		ids.is_int8 = true;
	}
	get_typlenbyvalalign(ids.typid, &ids.typlen, &ids.typbyval, &ids.typalign);
	ids.collation = C_COLLATION_OID;	/* ids compare byte for byte */

	/* read the edges: two ids (child, parent) and the flags of each */
	rd.ids = &ids;
	rd.as_of = as_of;
	rd.ctx = CurrentMemoryContext;
	rd.maxentries = 2048;
	rd.entries = palloc(sizeof(TreeEntry) * rd.maxentries);
	rd.maxedges = 1024;
	rd.flags = palloc(rd.maxedges);
	tree_read(&rd, query);
	entries = rd.entries;
	nentries = rd.nentries;
	flags = rd.flags;
	nedges = rd.nedges;

	/*
	 * the distinct ids, sorted: each gets an account number (its place; the
	 * ids are kept in place in entries[0 .. nids - 1].id), and each edge the
	 * numbers of its child and parent
	 */
	sort_entries(entries, nentries, &ids);
	edge_child = kam_alloc_large(CurrentMemoryContext, sizeof(int32) * Max(nedges, 1), 0);
	edge_parent = kam_alloc_large(CurrentMemoryContext, sizeof(int32) * Max(nedges, 1), 0);
	for (int64 i = 0; i < nentries; i++)
	{
		Datum		id = entries[i].id;
		int64		ref = entries[i].ref;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (nids == 0 || ids_cmp(&ids, entries[nids - 1].id, id) != 0)
			entries[nids++].id = id;
		if (ref % 2 == 0)
			edge_child[ref / 2] = nids - 1;
		else
			edge_parent[ref / 2] = nids - 1;
	}

	/* each account's parent on as_of */
	parent = kam_alloc_large(CurrentMemoryContext, sizeof(int32) * Max(nids, 1), 0);
	memset(parent, -1, sizeof(int32) * Max(nids, 1));
	for (int64 i = 0; i < nedges; i++)
	{
		int32		c = edge_child[i],
					p = edge_parent[i];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (flags[i] != (EDGE_NAMED_PARENT | EDGE_VALID))
			continue;
		if (parent[c] >= 0 && parent[c] != p)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("account %s has two parents on %s", id_str(&ids, entries[c].id), kam_date_str(as_of)),
					 errdetail("Its parents are %s and %s.", id_str(&ids, entries[parent[c]].id), id_str(&ids, entries[p].id)),
					 errhint("Give each account one parent at a time: close the old link (valid_to) where the new one starts (valid_from).")));
		parent[c] = p;
	}
	pfree(edge_child);
	pfree(edge_parent);
	pfree(flags);

	/*
	 * roots and depths: walk up from each account until a root or an account
	 * already resolved; the accounts of the walk are marked (depth -2) until
	 * it ends, so meeting one again is a cycle
	 */
	root = kam_alloc_large(CurrentMemoryContext, sizeof(int32) * Max(nids, 1), 0);
	depth = kam_alloc_large(CurrentMemoryContext, sizeof(int32) * Max(nids, 1), 0);
	stack = kam_alloc_large(CurrentMemoryContext, sizeof(int32) * Max(nids, 1), 0);
	memset(depth, -1, sizeof(int32) * Max(nids, 1));
	for (int32 i = 0; i < nids; i++)
	{
		int32		top = 0,
					j = i;

		if (depth[i] >= 0)
			continue;
		while (depth[j] < 0 && parent[j] >= 0)
		{
			CHECK_FOR_INTERRUPTS();
			if (depth[j] == -2)
				report_cycle(&ids, entries, parent, j);
			depth[j] = -2;
			stack[top++] = j;
			j = parent[j];
		}
		if (depth[j] < 0)
		{
			/* j is a root */
			depth[j] = 0;
			root[j] = j;
		}
		while (top > 0)
		{
			int32		k = stack[--top];
			int64		d = (int64) depth[parent[k]] + 1;

			if (d > KAM_TREE_MAX_DEPTH)
				ereport(ERROR,
						(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
						 errmsg("the account hierarchy is deeper than %d levels", KAM_TREE_MAX_DEPTH),
						 errdetail("Account %s is more than %d levels below its root %s.",
								   id_str(&ids, entries[k].id), KAM_TREE_MAX_DEPTH,
								   id_str(&ids, entries[root[parent[k]]].id))));
			depth[k] = (int32) d;
			root[k] = root[parent[k]];
		}
	}
	pfree(stack);

	/*
	 * the rows, in id order; each row's path array made in a context reset
	 * per row
	 */
	kam_materialize_srf(fcinfo);
	{
		Datum	   *path = palloc(sizeof(Datum) * (KAM_TREE_MAX_DEPTH + 1));
		MemoryContext rowctx = AllocSetContextCreate(CurrentMemoryContext, "kam.account_tree row",
													 ALLOCSET_SMALL_SIZES);

		for (int32 i = 0; i < nids; i++)
		{
			Datum		values[4];
			bool		nulls[4] = {false, false, false, false};
			int32		j = i;
			MemoryContext old;

			CHECK_FOR_INTERRUPTS();
			for (int d = depth[i]; d >= 0; d--)
			{
				path[d] = entries[j].id;
				j = parent[j];
			}
			old = MemoryContextSwitchTo(rowctx);
			values[0] = entries[i].id;
			values[1] = entries[root[i]].id;
			values[2] = Int32GetDatum(depth[i]);
			values[3] = PointerGetDatum(construct_array(path, depth[i] + 1, ids.typid,
														ids.typlen, ids.typbyval, ids.typalign));
			MemoryContextSwitchTo(old);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			MemoryContextReset(rowctx);
		}
		MemoryContextDelete(rowctx);
	}
	return (Datum) 0;
}
