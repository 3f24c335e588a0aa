/*-------------------------------------------------------------------------
 *
 * equality.c
 *	  Equality and hashing for kam's summary types (kam.retention,
 *	  kam.survival, kam.bgnbd, ...), so that DISTINCT, GROUP BY, UNION,
 *	  IN and hash joins work on columns of them.
 *
 * Two values are equal when their text forms are equal.  The text form is
 * what a value keeps through pg_dump, COPY and Citus, and every accessor
 * works on what the text shows (kam.retention's compensation terms round
 * into it), so equal values give identical results everywhere.  Binary
 * equality would tell apart a summary computed in memory from the same
 * summary read back from its text.
 *
 * One C function serves every type: the type comes from the SQL function's
 * own signature (fn_oid), not from the call expression, because hash
 * aggregation and hash joins call the functions without one.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "common/hashfn.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(kam_summary_eq);
PG_FUNCTION_INFO_V1(kam_summary_ne);
PG_FUNCTION_INFO_V1(kam_summary_hash);

typedef struct SummaryOutput
{
	FmgrInfo	out;
	int16		typlen;
	bool		typbyval;
} SummaryOutput;

/* The output function and storage of the function's first argument type, cached. */
static SummaryOutput *
summary_type(FunctionCallInfo fcinfo)
{
	SummaryOutput *cache = (SummaryOutput *) fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		Oid		   *argtypes;
		int			nargs;
		Oid			typoutput;
		bool		varlena;

		get_func_signature(fcinfo->flinfo->fn_oid, &argtypes, &nargs);
		if (nargs < 1)
			elog(ERROR, "kam summary comparison called without arguments");
		getTypeOutputInfo(argtypes[0], &typoutput, &varlena);
		cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(SummaryOutput));
		fmgr_info_cxt(typoutput, &cache->out, fcinfo->flinfo->fn_mcxt);
		get_typlenbyval(argtypes[0], &cache->typlen, &cache->typbyval);
		pfree(argtypes);
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

/*
 * Identical bytes print identically, so they are equal without the text
 * round trip (the common case of a hash-table hit); only different bytes
 * need the text forms compared.
 */
static bool
summary_equal(FunctionCallInfo fcinfo)
{
	SummaryOutput *t = summary_type(fcinfo);
	char	   *a;
	char	   *b;
	bool		eq;

	if (datumIsEqual(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), t->typbyval, t->typlen))
		return true;
	a = OutputFunctionCall(&t->out, PG_GETARG_DATUM(0));
	b = OutputFunctionCall(&t->out, PG_GETARG_DATUM(1));
	eq = strcmp(a, b) == 0;

	pfree(a);
	pfree(b);
	return eq;
}

Datum
kam_summary_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(summary_equal(fcinfo));
}

Datum
kam_summary_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!summary_equal(fcinfo));
}

Datum
kam_summary_hash(PG_FUNCTION_ARGS)
{
	char	   *s = OutputFunctionCall(&summary_type(fcinfo)->out, PG_GETARG_DATUM(0));
	Datum		h = hash_any((const unsigned char *) s, (int) strlen(s));

	pfree(s);
	PG_RETURN_DATUM(h);
}
