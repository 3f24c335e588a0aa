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

typedef struct TreeEdge
{
	Datum		child;
	Datum		parent;
	bool		has_parent;		/* parent not NULL and the edge valid on as_of */
	bool		named_parent;	/* parent not NULL (the account exists) */
} TreeEdge;

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

static int
cmp_datum(const void *a, const void *b, void *arg)
{
	CHECK_FOR_INTERRUPTS();
	return ids_cmp((const TreeIds *) arg, *(const Datum *) a, *(const Datum *) b);
}

static char *
id_str(const TreeIds *ids, Datum d)
{
	Oid			out;
	bool		varlena;

	getTypeOutputInfo(ids->typid, &out, &varlena);
	return OidOutputFunctionCall(out, d);
}

/* the index of id in the sorted distinct ids */
static int64
id_index(const TreeIds *ids, const Datum *sorted, int64 n, Datum id)
{
	int64		lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int64		mid = lo + (hi - lo) / 2;
		int			c = ids_cmp(ids, sorted[mid], id);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	elog(ERROR, "kam.account_tree: an id was not found among the sorted ids");
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
	Oid			t = SPI_gettypeid(td, col);

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
	Oid			t = SPI_gettypeid(td, col);

	if (t != DATEOID && t != TIMESTAMPOID && t != TIMESTAMPTZOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of the edges query is %s, not a date", name, format_type_be(t)),
				 errhint("valid_from and valid_to are date, timestamp or timestamptz.")));
}

static DateADT
column_date(HeapTuple tup, TupleDesc td, int col, bool *isnull)
{
	Datum		d = SPI_getbinval(tup, td, col, isnull);

	if (*isnull)
		return 0;
	switch (SPI_gettypeid(td, col))
	{
		case TIMESTAMPTZOID:
			return DatumGetDateADT(DirectFunctionCall1(timestamptz_date, d));
		case TIMESTAMPOID:
			return DatumGetDateADT(DirectFunctionCall1(timestamp_date, d));
		default:
			return DatumGetDateADT(d);
	}
}

static Datum
column_id(HeapTuple tup, TupleDesc td, int col, const TreeIds *ids, bool *isnull)
{
	Datum		d = SPI_getbinval(tup, td, col, isnull);

	if (*isnull)
		return (Datum) 0;
	if (ids->is_int8)
	{
		switch (SPI_gettypeid(td, col))
		{
			case INT2OID:
				return Int64GetDatum((int64) DatumGetInt16(d));
			case INT4OID:
				return Int64GetDatum((int64) DatumGetInt32(d));
			default:
				return d;
		}
	}
	/* copied out of SPI's memory; text detoasted so it compares byte-wise */
	if (ids->typlen == -1)
		return PointerGetDatum(PG_DETOAST_DATUM_COPY(d));
	return datumCopy(d, ids->typbyval, ids->typlen);
}

/* the cycle through account i (parent links), as "a -> b -> ... -> a" */
static void
report_cycle(const TreeIds *ids, const Datum *sorted, const int64 *parent, int64 i)
{
	StringInfoData buf;
	int64		j = i;
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
		appendStringInfo(&buf, "%s -> ", id_str(ids, sorted[j]));
		j = parent[j];
	} while (j != i);
	if (j == i)
		appendStringInfoString(&buf, id_str(ids, sorted[i]));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the account hierarchy has a cycle"),
			 errdetail("Parent links: %s.", buf.data),
			 errhint("Every chain of parents must end at a root (an account without a parent on as_of).")));
}

/*
 * kam.account_tree(edges_sql text, as_of date|timestamptz [, id anyelement])
 */
PG_FUNCTION_INFO_V1(kam_account_tree);
Datum
kam_account_tree(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *query;
	DateADT		as_of;
	TreeIds		ids = {0};
	MemoryContext callctx = CurrentMemoryContext;
	TreeEdge   *edges;
	int64		nedges = 0,
				maxedges = 1024;
	Datum	   *sorted;
	int64		nids = 0;
	int64	   *parent,
			   *root,
			   *stack;
	int32	   *depth;
	uint32	   *walk;
	SPIPlanPtr	plan;
	Portal		portal;
	int			c_child,
				c_parent,
				c_from,
				c_to;

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

	/* read the edges */
	edges = palloc(sizeof(TreeEdge) * maxedges);
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
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	c_child = c_parent = c_from = c_to = -1;
	for (;;)
	{
		TupleDesc	td;

		SPI_cursor_fetch(portal, true, TREE_FETCH);
		td = SPI_tuptable->tupdesc;
		if (c_child < 0)
		{
			c_child = column_of(td, "child");
			c_parent = column_of(td, "parent");
			c_from = column_of(td, "valid_from");
			c_to = column_of(td, "valid_to");
			if (c_child == 0 || c_parent == 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("the edges query has no column \"%s\"", c_child == 0 ? "child" : "parent"),
						 errhint("Name the columns: SELECT child_id AS child, parent_id AS parent [, valid_from, valid_to] FROM ...")));
			check_id_column(td, c_child, "child", &ids);
			check_id_column(td, c_parent, "parent", &ids);
			if (c_from > 0)
				check_date_column(td, c_from, "valid_from");
			if (c_to > 0)
				check_date_column(td, c_to, "valid_to");
		}
		if (SPI_processed == 0)
			break;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TreeEdge   *e;
			bool		isnull,
						valid = true;
			MemoryContext old;

			CHECK_FOR_INTERRUPTS();
			if (nedges == maxedges)
			{
				maxedges *= 2;
				edges = repalloc_huge(edges, sizeof(TreeEdge) * maxedges);
			}
			e = &edges[nedges];
			old = MemoryContextSwitchTo(callctx);
			e->child = column_id(tup, td, c_child, &ids, &isnull);
			if (isnull)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("the edges query returned a NULL child"),
						 errhint("Leave such rows out: WHERE child IS NOT NULL.")));
			e->parent = column_id(tup, td, c_parent, &ids, &isnull);
			MemoryContextSwitchTo(old);
			e->named_parent = !isnull;
			if (c_from > 0)
			{
				DateADT		f = column_date(tup, td, c_from, &isnull);

				if (!isnull && f > as_of)
					valid = false;
			}
			if (c_to > 0)
			{
				DateADT		t = column_date(tup, td, c_to, &isnull);

				if (!isnull && t <= as_of)
					valid = false;
			}
			e->has_parent = e->named_parent && valid;
			nedges++;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();

	/* the distinct ids, sorted */
	sorted = palloc_extended(sizeof(Datum) * Max(2 * nedges, 1), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < nedges; i++)
	{
		sorted[nids++] = edges[i].child;
		if (edges[i].named_parent)
			sorted[nids++] = edges[i].parent;
	}
	qsort_arg(sorted, nids, sizeof(Datum), cmp_datum, &ids);
	{
		int64		k = 0;

		for (int64 i = 0; i < nids; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			if (k == 0 || ids_cmp(&ids, sorted[k - 1], sorted[i]) != 0)
				sorted[k++] = sorted[i];
		}
		nids = k;
	}

	/* each account's parent on as_of */
	parent = palloc_extended(sizeof(int64) * Max(nids, 1), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < nids; i++)
		parent[i] = -1;
	for (int64 i = 0; i < nedges; i++)
	{
		int64		c,
					p;

		CHECK_FOR_INTERRUPTS();
		if (!edges[i].has_parent)
			continue;
		c = id_index(&ids, sorted, nids, edges[i].child);
		p = id_index(&ids, sorted, nids, edges[i].parent);
		if (parent[c] >= 0 && parent[c] != p)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("account %s has two parents on %s", id_str(&ids, sorted[c]), kam_date_str(as_of)),
					 errdetail("Its parents are %s and %s.", id_str(&ids, sorted[parent[c]]), id_str(&ids, sorted[p])),
					 errhint("Give each account one parent at a time: close the old link (valid_to) where the new one starts (valid_from).")));
		parent[c] = p;
	}

	/*
	 * roots and depths: walk up from each account until a root or an account
	 * already resolved; the accounts of one walk are marked with its number,
	 * so meeting one again is a cycle
	 */
	root = palloc_extended(sizeof(int64) * Max(nids, 1), MCXT_ALLOC_HUGE);
	depth = palloc_extended(sizeof(int32) * Max(nids, 1), MCXT_ALLOC_HUGE);
	walk = palloc_extended(sizeof(uint32) * Max(nids, 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	stack = palloc_extended(sizeof(int64) * Max(nids, 1), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < nids; i++)
		depth[i] = -1;
	for (int64 i = 0; i < nids; i++)
	{
		int64		top = 0,
					j = i;
		uint32		w = (uint32) (i % PG_UINT32_MAX) + 1;

		if (depth[i] >= 0)
			continue;
		while (depth[j] < 0 && parent[j] >= 0)
		{
			CHECK_FOR_INTERRUPTS();
			if (walk[j] == w)
				report_cycle(&ids, sorted, parent, j);
			walk[j] = w;
			stack[top++] = j;
			j = parent[j];
		}
		if (depth[j] < 0)
		{
			/* j is a root */
			if (walk[j] == w)
				report_cycle(&ids, sorted, parent, j);
			depth[j] = 0;
			root[j] = j;
		}
		while (top > 0)
		{
			int64		k = stack[--top];
			int64		d = (int64) depth[parent[k]] + 1;

			if (d > KAM_TREE_MAX_DEPTH)
				ereport(ERROR,
						(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
						 errmsg("the account hierarchy is deeper than %d levels", KAM_TREE_MAX_DEPTH),
						 errdetail("Account %s is more than %d levels below its root %s.",
								   id_str(&ids, sorted[k]), KAM_TREE_MAX_DEPTH, id_str(&ids, sorted[root[parent[k]]]))));
			depth[k] = (int32) d;
			root[k] = root[parent[k]];
		}
	}

	/* the rows, in id order */
	kam_materialize_srf(fcinfo);
	{
		Datum	   *path = palloc(sizeof(Datum) * (KAM_TREE_MAX_DEPTH + 1));

		for (int64 i = 0; i < nids; i++)
		{
			Datum		values[4];
			bool		nulls[4] = {false, false, false, false};
			int64		j = i;

			CHECK_FOR_INTERRUPTS();
			for (int d = depth[i]; d >= 0; d--)
			{
				path[d] = sorted[j];
				j = parent[j];
			}
			values[0] = sorted[i];
			values[1] = sorted[root[i]];
			values[2] = Int32GetDatum(depth[i]);
			values[3] = PointerGetDatum(construct_array(path, depth[i] + 1, ids.typid,
														ids.typlen, ids.typbyval, ids.typalign));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}
