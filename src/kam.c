/*-------------------------------------------------------------------------
 *
 * kam.c
 *	  Module entry point and the input checks shared by every kam function.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include <ctype.h>
#include <float.h>

#include "common/shortest_dec.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "parser/parse_coerce.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"
#include "utils/lsyscache.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"
#include "pgtime.h"
#include "utils/numeric.h"
#include "catalog/pg_type.h"
#include "catalog/pg_proc.h"
#include "access/htup_details.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

PG_MODULE_MAGIC;

/*
 * Money (MRR, ARPA, CAC) must be a finite, non-negative amount.  `what` names
 * the argument in the message ("start_mrr", "mrr", "arpa", ...).
 */
void
kam_check_money(double mrr, const char *what)
{
	if (unlikely(isnan(mrr) || isinf(mrr)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite amount", what),
				 errdetail("Value is %s.", isnan(mrr) ? "NaN" :
						   (mrr > 0 ? "Infinity" : "-Infinity"))));
	if (unlikely(mrr < 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", what),
				 errdetail("Value is %s.",
						   DatumGetCString(DirectFunctionCall1(float8out,
															   Float8GetDatum(mrr))))));
}

/* A rate or share (margin, churn, probability) must be in [0, 1]. */
void
kam_check_fraction(double v, const char *what)
{
	if (unlikely(isnan(v) || v < 0 || v > 1))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be between 0 and 1", what),
				 errdetail("Value is %s.",
						   DatumGetCString(DirectFunctionCall1(float8out,
															   Float8GetDatum(v))))));
}

/* The window [from, to] must be finite and ordered. */
void
kam_check_window(DateADT from, DateADT to)
{
	if (DATE_NOT_FINITE(from) || DATE_NOT_FINITE(to))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window dates must be finite"),
				 errdetail("from is %s, to is %s.",
						   kam_date_str(from),
						   kam_date_str(to))));
	if (from > to)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window start is after window end"),
				 errdetail("from is %s, to is %s.",
						   kam_date_str(from),
						   kam_date_str(to))));
}

/* A date as text, for error details. */
const char *
kam_date_str(DateADT d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
}

/*
 * numeric -> double without the string round trip of numeric_float8.
 *
 * Reads the numeric on-disk format (fixed since PostgreSQL 9.1 because
 * pg_upgrade keeps data files): a 2-byte header for the short form, 4 bytes
 * for the long form, then base-10000 digits.  When the value has at most 4
 * base-10000 digits and the integer mantissa is at most 2^53 (so it is an
 * exact double; four digits can reach 10^16, past 2^53) and its decimal
 * exponent is within 22 (10^e is an exact double), mantissa * 10^e or
 * mantissa / 10^-e is a single correctly rounded operation, i.e. the same
 * double that numeric_float8's strtod gives.  Where long double has a
 * 64-bit mantissa (x86), five digits (mantissas below 2^64, such as the
 * 18 digits of a numeric division) with exponents within 27 take the same
 * operation in long double, rounded then to double: two roundings to
 * nearest give the once-rounded double unless the first lands exactly
 * halfway between two doubles (it cannot cross one: a double is a long
 * double too), and that case takes numeric_float8.  Anything else (more
 * digits, NaN, infinities) takes numeric_float8.
 */
#define NUM_SIGN_MASK	0xC000
#define NUM_NEG			0x4000
#define NUM_SHORT		0x8000
#define NUM_SPECIAL		0xC000
#define NUM_SHORT_SIGN_MASK 0x2000
#define NUM_SHORT_WEIGHT_SIGN_MASK 0x0040
#define NUM_SHORT_WEIGHT_MASK 0x003F

static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

#if defined(LDBL_MANT_DIG) && LDBL_MANT_DIG == 64
#define KAM_LONG_DOUBLE_64
/* 10^e exact in a 64-bit mantissa up to e = 27 (5^27 < 2^64) */
static const long double pow10_exact_ld[] = {
	1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L, 1e10L, 1e11L, 1e12L, 1e13L,
	1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L,
	1e26L, 1e27L
};

/*
 * q > 0 rounded to double, or -1 when q lies exactly halfway between two
 * doubles (round to nearest twice would then not round once)
 */
static double
long_double_to_double(long double q)
{
	double		r = (double) q;
	long double back = r;
	long double other = q > back ? (long double) nextafter(r, INFINITY) : (long double) nextafter(r, 0);

	/* back + other and its half are exact in long double */
	if (q != back && q == (back + other) / 2)
		return -1;
	return r;
}
#endif

static double
numeric_to_double(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	const char *p = VARDATA_ANY(v);
	Size		len = VARSIZE_ANY_EXHDR(v);
	uint16		header;
	bool		neg;
	int			weight;
	int			ndigits;
	uint64		mant = 0;
	int			exp10;
	double		r;

	if (len < sizeof(uint16))
		goto slow;
	memcpy(&header, p, sizeof(uint16));
	if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
		goto slow;
	if (header & NUM_SHORT)
	{
		neg = (header & NUM_SHORT_SIGN_MASK) != 0;
		weight = (header & NUM_SHORT_WEIGHT_SIGN_MASK) ?
			(int) (~NUM_SHORT_WEIGHT_MASK | (header & NUM_SHORT_WEIGHT_MASK)) :
			(int) (header & NUM_SHORT_WEIGHT_MASK);
		p += sizeof(uint16);
		len -= sizeof(uint16);
	}
	else
	{
		int16		w;

		if (len < 2 * sizeof(uint16))
			goto slow;
		neg = (header & NUM_SIGN_MASK) == NUM_NEG;
		memcpy(&w, p + sizeof(uint16), sizeof(int16));
		weight = w;
		p += 2 * sizeof(uint16);
		len -= 2 * sizeof(uint16);
	}
	ndigits = (int) (len / sizeof(int16));
	if (ndigits == 0)
		return 0.0;
	if (ndigits > 5)
		goto slow;
	for (int i = 0; i < ndigits; i++)
	{
		int16		digit;

		memcpy(&digit, p + i * sizeof(int16), sizeof(int16));
		if (mant > (PG_UINT64_MAX - 9999) / 10000)
			goto slow;
		mant = mant * 10000 + (uint64) digit;
	}
	exp10 = 4 * (weight - ndigits + 1);

	/*
	 * exact only when the mantissa is an exact double: 4 digits reach 10^16 >
	 * 2^53
	 */
	if (exp10 <= 22 && exp10 >= -22 && mant <= (UINT64CONST(1) << 53))
		r = exp10 >= 0 ? (double) mant * pow10_exact[exp10] : (double) mant / pow10_exact[-exp10];
	else
	{
#ifdef KAM_LONG_DOUBLE_64
		if (exp10 > 27 || exp10 < -27)
			goto slow;
		r = long_double_to_double(exp10 >= 0 ? (long double) mant * pow10_exact_ld[exp10] :
								  (long double) mant / pow10_exact_ld[-exp10]);
		if (r < 0)
			goto slow;
#else
		goto slow;
#endif
	}
	return neg ? -r : r;

slow:
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));
}

/*
 * The declared types of a call's arguments, looked up once per call site and
 * kept in fn_extra (only for the functions that read their arguments through
 * kam_money_arg and kam_date_arg: they share this use of fn_extra), with the
 * last text date read at each argument and its value.
 */
typedef struct KamArgInfo
{
	Oid		   *types;
	text	  **last_text;		/* a copy of the last text date, or NULL */
	DateADT    *last_date;
	void	   *cache;			/* the function's own (kam_call_cache) */
} KamArgInfo;

/*
 * Arguments whose type the call expression does not give (a caller that sets
 * no fn_expr: Citus calls an aggregate's transition function through its own
 * FmgrInfo on the workers) take the type the function declares, so a numeric
 * is never read as a double precision.  Money and date arguments are never
 * polymorphic, so the declared type is the type.
 */
static void
declared_arg_types(FunctionCallInfo fcinfo, Oid *types)
{
	HeapTuple	tp = NULL;

	for (int i = 0; i < PG_NARGS(); i++)
	{
		Form_pg_proc proc;

		if (OidIsValid(types[i]))
			continue;
		if (tp == NULL)
		{
			tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
			if (!HeapTupleIsValid(tp))
				elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
		}
		proc = (Form_pg_proc) GETSTRUCT(tp);
		if (i < proc->pronargs)
			types[i] = proc->proargtypes.values[i];
	}
	if (tp != NULL)
		ReleaseSysCache(tp);
}

/* the argument types of the call site, looked up on its first call */
static pg_noinline KamArgInfo *
arg_info_make(FunctionCallInfo fcinfo)
{
	int			n = Max(PG_NARGS(), 1);
	KamArgInfo *info = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(KamArgInfo));

	info->types = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, n * sizeof(Oid));
	info->last_text = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, n * sizeof(text *));
	info->last_date = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, n * sizeof(DateADT));
	info->cache = NULL;
	for (int i = 0; i < PG_NARGS(); i++)
		info->types[i] = get_fn_expr_argtype(fcinfo->flinfo, i);
	declared_arg_types(fcinfo, info->types);
	fcinfo->flinfo->fn_extra = info;
	return info;
}

/* inline: every money and date argument of every row asks */
static inline KamArgInfo *
arg_info(FunctionCallInfo fcinfo)
{
	KamArgInfo *info = (KamArgInfo *) fcinfo->flinfo->fn_extra;

	if (likely(info != NULL))
		return info;
	return arg_info_make(fcinfo);
}

static inline Oid
arg_type(FunctionCallInfo fcinfo, int argno)
{
	return arg_info(fcinfo)->types[argno];
}

/* the declared type of argument argno (kept in fn_extra, as for kam_money_arg) */
Oid
kam_arg_type(FunctionCallInfo fcinfo, int argno)
{
	return arg_type(fcinfo, argno);
}

/*
 * Where a function that reads its arguments with kam_money_arg or
 * kam_date_arg (which keep their types in fn_extra) keeps something of its
 * own for the call site's later calls, allocated in fn_mcxt: NULL at first.
 */
void	  **
kam_call_cache(FunctionCallInfo fcinfo)
{
	return &arg_info(fcinfo)->cache;
}

/*
 * The blessed row descriptor of a function returning a composite, made once
 * per call site (kept in fn_extra: only for functions that keep nothing else
 * there), so a final function called once per group does not build it anew.
 */
TupleDesc
kam_result_tupdesc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;

	if (unlikely(tupdesc == NULL))
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = tupdesc;
	}
	return tupdesc;
}

/*
 * An array of rows, the result of a final function returning an array of a
 * composite type (kam.mrr_waterfall, kam.cohort_retention,
 * kam.rfm_accounts...): each row is formed, then copied once to where the
 * array holds it (HeapTupleGetDatum and construct_array would copy it twice
 * more).
 */
void
kam_rows_init(KamRows *r, FunctionCallInfo fcinfo, Size expected)
{
	Oid			rettype = get_func_rettype(fcinfo->flinfo->fn_oid);
	Oid			elemtype = get_element_type(rettype);

	if (!OidIsValid(elemtype))
		elog(ERROR, "kam final function must return an array");
	r->desc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(elemtype, -1));
	r->elemtype = elemtype;
	r->n = 0;
	r->expected = expected;
	r->len = ARR_OVERHEAD_NONULLS(1);
	r->cap = r->len + Max(expected, 1) * 64;
	r->buf = kam_alloc_large(CurrentMemoryContext, r->cap, 0);
}

/*
 * The room to grow to when a row of `len` bytes does not fit: the rows
 * still expected at the mean length so far, and a sixteenth more, where the
 * caller said how many to expect (the first guess, 64 bytes a row, falls
 * short of rows with a longer key: doubling then leaves up to half of the
 * largest allocation of an aggregate over millions of accounts unused);
 * else, or once past the expected count, twice the room.  At least an
 * eighth more each time, so the copies stay few.
 */
static Size
rows_room(const KamRows *r, Size len)
{
	Size		need = r->len + len;
	Size		room;

	if ((Size) r->n + 1 < r->expected)
	{
		Size		mean = (r->len - ARR_OVERHEAD_NONULLS(1) + len) / ((Size) r->n + 1);
		Size		rest = r->expected - (Size) r->n - 1;

		room = need + mean * (rest + r->expected / 16);
	}
	else
		room = r->cap * 2;
	return Max(Max(room, r->cap + r->cap / 8), need);
}

void
kam_rows_add(KamRows *r, Datum *values, bool *nulls)
{
	HeapTuple	tup = heap_form_tuple(r->desc, values, nulls);
	HeapTupleHeader td = tup->t_data;
	Size		len;

	/* heap_form_tuple makes a composite datum's header: only toast is left */
	if (HeapTupleHasExternal(tup))
		td = DatumGetHeapTupleHeader(heap_copy_tuple_as_datum(tup, r->desc));
	len = HeapTupleHeaderGetDatumLength(td);
	if (r->len + MAXALIGN(len) > r->cap)
	{
		/* an array is a varlena: at most 1 GB */
		if (r->len + MAXALIGN(len) > MaxAllocSize || r->n >= (int) MaxArraySize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("result array would exceed the maximum allowed size (%zu bytes)",
							(Size) MaxAllocSize),
					 errhint("Split the input, e.g. by a range of accounts.")));
		r->cap = Min(rows_room(r, MAXALIGN(len)), MaxAllocSize);
		r->buf = kam_realloc_large(r->buf, r->cap, r->len);
	}
	memcpy(r->buf + r->len, td, len);
	/* composite types are double-aligned in arrays */
	memset(r->buf + r->len + len, 0, MAXALIGN(len) - len);
	r->len += MAXALIGN(len);
	r->n++;
	if (td != tup->t_data)
		pfree(td);
	heap_freetuple(tup);
}

/* the array of the rows added */
Datum
kam_rows_result(KamRows *r)
{
	ArrayType  *a = (ArrayType *) r->buf;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(r->elemtype, &typlen, &typbyval, &typalign);
	if (typlen != -1 || typalign != TYPALIGN_DOUBLE || MAXIMUM_ALIGNOF != 8)
		elog(ERROR, "kam: rows of an unexpected array element layout");
	if (r->n == 0)
		return PointerGetDatum(construct_empty_array(r->elemtype));
	SET_VARSIZE(a, r->len);
	a->ndim = 1;
	a->dataoffset = 0;
	a->elemtype = r->elemtype;
	ARR_DIMS(a)[0] = r->n;
	ARR_LBOUND(a)[0] = 1;
	return PointerGetDatum(a);
}

/*
 * A date given as text (the forms that take a window's dates as text, so
 * that a call with quoted literals is not ambiguous): read as date_in reads
 * it, once for as long as the text stays the same.
 */
static DateADT
text_date_arg(FunctionCallInfo fcinfo, int argno)
{
	KamArgInfo *info = arg_info(fcinfo);
	text	   *t = PG_GETARG_TEXT_PP(argno);
	text	   *last = info->last_text[argno];
	DateADT		d;

	if (last != NULL && VARSIZE_ANY_EXHDR(last) == VARSIZE_ANY_EXHDR(t) &&
		memcmp(VARDATA_ANY(last), VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)) == 0)
		return info->last_date[argno];
	d = DatumGetDateADT(DirectFunctionCall1(date_in, CStringGetDatum(text_to_cstring(t))));
	if (last != NULL)
		pfree(last);
	info->last_text[argno] = (text *) MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARSIZE_ANY(t));
	memcpy(info->last_text[argno], t, VARSIZE_ANY(t));
	info->last_date[argno] = d;
	return d;
}

/*
 * The money argument `argno` as a double, whether the function was declared
 * with double precision or numeric (read natively, exactly as numeric::float8).
 */
static inline double
money_datum(Oid type, Datum d)
{
	return type == NUMERICOID ? numeric_to_double(d) : DatumGetFloat8(d);
}

double
kam_money_arg(FunctionCallInfo fcinfo, int argno)
{
	return money_datum(arg_type(fcinfo, argno), PG_GETARG_DATUM(argno));
}

/*
 * The arguments from `first` on of a VARIADIC "any" function, each double
 * precision or numeric (read natively, as kam_money_arg): their number,
 * their values in *v and, when one is NULL, which in *vnull (else NULL).
 * The arrays are stack (and nstack) when they hold the arguments, else
 * palloc'd.  what: the arguments' name ("measures"), one: one's ("Measure").
 */
int
kam_variadic_doubles(FunctionCallInfo fcinfo, int first, const char *what, const char *one,
					 double *stack, bool *nstack, int room, double **v, bool **vnull)
{
	int			n = PG_NARGS() - first;
	const Oid  *types = arg_info(fcinfo)->types + first;

	/* every argument's type checked before any is read, as always */
	for (int i = 0; i < n; i++)
	{
		if (types[i] != FLOAT8OID && types[i] != NUMERICOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s must be double precision or numeric", what),
					 errdetail("%s %d is of type %s.", one, i + 1, format_type_be(types[i])),
					 errhint("Cast it to double precision.")));
	}
	*v = n <= room ? stack : palloc(Max(n, 1) * sizeof(double));
	*vnull = NULL;
	for (int i = 0; i < n; i++)
	{
		if (PG_ARGISNULL(first + i))
		{
			if (*vnull == NULL)
				*vnull = n <= room ? memset(nstack, 0, n * sizeof(bool)) : palloc0(n * sizeof(bool));
			(*vnull)[i] = true;
			(*v)[i] = 0;
		}
		else
			(*v)[i] = money_datum(types[i], PG_GETARG_DATUM(first + i));
	}
	return n;
}

/*
 * A planner support function's SupportRequestSimplify for f(..., ARRAY[e1,
 * ..., en], ...): when argument array_arg is an ARRAY[...] of 1 to 98 double
 * precision expressions and every other argument a non-NULL constant, the
 * call of `target` (in f's own schema, taking f's other arguments in their
 * order, then VARIADIC "any") with those arguments and e1 ... en, an
 * implicit or explicit cast of a numeric to double precision dropped from
 * each (the target reads the numeric as the cast would, natively).  NULL
 * for any other request or call, which is then left as it is.  The target
 * runs f's checks in f's order at execution, so the call's values and
 * errors stay those of the call as written.
 */
Node *
kam_simplify_array_call(Node *rawreq, int array_arg, const char *target)
{
	FuncExpr   *call;
	ArrayExpr  *array;
	Oid			argtypes[FUNC_MAX_ARGS];
	int			nfixed = 0;
	Oid			fn;
	Oid			castfunc = InvalidOid;
	List	   *args = NIL;
	ListCell   *lc;

	if (!IsA(rawreq, SupportRequestSimplify))
		return NULL;
	call = ((SupportRequestSimplify *) rawreq)->fcall;
	if (array_arg >= list_length(call->args) || !IsA(list_nth(call->args, array_arg), ArrayExpr))
		return NULL;
	array = (ArrayExpr *) list_nth(call->args, array_arg);
	if (array->multidims || array->element_typeid != FLOAT8OID ||
		list_length(array->elements) < 1 || list_length(array->elements) > FUNC_MAX_ARGS - list_length(call->args))
		return NULL;
	foreach(lc, call->args)
	{
		Node	   *a = lfirst(lc);

		if (foreach_current_index(lc) == array_arg)
			continue;
		if (!IsA(a, Const) || ((Const *) a)->constisnull)
			return NULL;
		argtypes[nfixed++] = exprType(a);
		args = lappend(args, a);
	}
	argtypes[nfixed] = ANYOID;
	fn = LookupFuncName(list_make2(makeString(get_namespace_name(get_func_namespace(call->funcid))),
								   makeString(pstrdup(target))),
						nfixed + 1, argtypes, true);
	if (!OidIsValid(fn))
		return NULL;
	if (find_coercion_pathway(FLOAT8OID, NUMERICOID, COERCION_EXPLICIT, &castfunc) != COERCION_PATH_FUNC)
		castfunc = InvalidOid;
	foreach(lc, array->elements)
	{
		Node	   *e = lfirst(lc);

		/* (a domain over numeric keeps its cast: its type is not numeric) */
		if (OidIsValid(castfunc) && IsA(e, FuncExpr) && ((FuncExpr *) e)->funcid == castfunc &&
			list_length(((FuncExpr *) e)->args) == 1 &&
			exprType(linitial(((FuncExpr *) e)->args)) == NUMERICOID)
			e = linitial(((FuncExpr *) e)->args);
		args = lappend(args, e);
	}
	return (Node *) makeFuncExpr(fn, call->funcresulttype, args, InvalidOid, call->inputcollid, COERCE_EXPLICIT_CALL);
}

/*
 * Timestamps with time zone read in the session's time zone, exactly as
 * timestamptz::timestamp and timestamptz::date would, without their
 * per-value time zone lookup (pg_localtime and a calendar round trip, the
 * most of a timestamptz aggregate's time): the zone's UTC offset is
 * remembered per UTC day, in a direct-mapped table of 4 096 days (64 kB,
 * once per backend), found by asking the zone at the day's first and last
 * second and for its next transition.  A day with a transition in it, and
 * any value the shortcut could not give exactly (infinite, or out of
 * range once local), takes PostgreSQL's own conversion.  The table is
 * emptied when the session's time zone changes.
 */
#define TZ_DAYS 4096
#define TZ_MIXED PG_INT64_MIN	/* the offset changes within the day */

typedef struct TzDay
{
	int64		day;			/* the UTC day (days since 2000-01-01) + 1; 0:
								 * empty */
	int64		offset;			/* microseconds to add, or TZ_MIXED */
} TzDay;

static TzDay tz_days[TZ_DAYS];
static pg_tz *tz_days_zone;

static pg_noinline void
tz_day_fill(TzDay *slot, int64 day)
{
	pg_time_t	first = (pg_time_t) (day + POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
	pg_time_t	last = first + SECS_PER_DAY - 1;
	struct pg_tm *tm;
	long int	off_first,
				before,
				after;
	int			before_dst,
				after_dst,
				res;
	pg_time_t	boundary;

	slot->day = day + 1;
	slot->offset = TZ_MIXED;
	if ((tm = pg_localtime(&first, session_timezone)) == NULL)
		return;
	off_first = tm->tm_gmtoff;
	if ((tm = pg_localtime(&last, session_timezone)) == NULL || tm->tm_gmtoff != off_first)
		return;
	res = pg_next_dst_boundary(&first, &before, &before_dst, &boundary, &after, &after_dst, session_timezone);
	if (res < 0 || (res > 0 && boundary <= last))
		return;
	slot->offset = (int64) off_first * USECS_PER_SEC;
}

/* the session zone's offset at t, or false when t needs PostgreSQL's conversion */
static inline bool
tz_offset(TimestampTz t, int64 *offset)
{
	int64		day;
	TzDay	   *slot;

	if (unlikely(TIMESTAMP_NOT_FINITE(t)))
		return false;
	if (unlikely(tz_days_zone != session_timezone))
	{
		memset(tz_days, 0, sizeof(tz_days));
		tz_days_zone = session_timezone;
	}
	day = kam_floor_div(t, USECS_PER_DAY);
	slot = &tz_days[day & (TZ_DAYS - 1)];
	if (unlikely(slot->day != day + 1))
		tz_day_fill(slot, day);
	*offset = slot->offset;
	return slot->offset != TZ_MIXED;
}

/* t as the session's local timestamp: timestamptz::timestamp */
Timestamp
kam_local_timestamp(TimestampTz t)
{
	int64		offset;

	if (likely(tz_offset(t, &offset) && IS_VALID_TIMESTAMP(t + offset)))
		return t + offset;
	return DatumGetTimestamp(DirectFunctionCall1(timestamptz_timestamp, TimestampTzGetDatum(t)));
}

/* t's day in the session's time zone: timestamptz::date */
DateADT
kam_timestamptz_date(TimestampTz t)
{
	int64		offset;

	if (likely(tz_offset(t, &offset)))
		return (DateADT) kam_floor_div(t + offset, USECS_PER_DAY);
	return DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(t)));
}

/* ts's day: timestamp::date */
DateADT
kam_timestamp_date(Timestamp ts)
{
	if (likely(!TIMESTAMP_NOT_FINITE(ts)))
		return (DateADT) kam_floor_div(ts, USECS_PER_DAY);
	return DatumGetDateADT(DirectFunctionCall1(timestamp_date, TimestampGetDatum(ts)));
}

/*
 * The date argument `argno`, declared as date, timestamp or timestamptz (then
 * the day in the session time zone; such a function is STABLE) or text (read
 * as a date).
 */
DateADT
kam_date_arg(FunctionCallInfo fcinfo, int argno)
{
	switch (arg_type(fcinfo, argno))
	{
		case TIMESTAMPTZOID:
			return kam_timestamptz_date(PG_GETARG_TIMESTAMPTZ(argno));
		case TIMESTAMPOID:
			return kam_timestamp_date(PG_GETARG_TIMESTAMP(argno));
		case TEXTOID:
			return text_date_arg(fcinfo, argno);
		default:
			return PG_GETARG_DATEADT(argno);
	}
}

/*
 * Set up a materialized set-returning function call (rsinfo->setResult and
 * setDesc).  InitMaterializedSRF exists from PostgreSQL 15 on.
 */
void
kam_materialize_srf(FunctionCallInfo fcinfo)
{
#if PG_VERSION_NUM >= 150000
	InitMaterializedSRF(fcinfo, 0);
#else
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	tupdesc;
	MemoryContext old;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(old);
#endif
}

/* A double in the shortest form that reads back to the same double. */
void
kam_append_double(StringInfo buf, double v)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(v, tmp);
	appendStringInfoString(buf, tmp);
}

/* ---------- "(name=value,...)": the text form of the summary types made of doubles ---------- */

/*
 * A stored summary of 8-byte fields into its working copy, where every field
 * is a double: the count fields (count_mask) are read as int64, or as the
 * whole doubles 0.1.0 and 0.2.0 stored.
 */
void
kam_counts_load(const void *stored, void *work, Size size, uint32 count_mask)
{
	memcpy(work, stored, size);
	for (int i = 0; i < (int) (size / 8) && count_mask != 0; i++)
	{
		uint64		bits;
		double		v;

		if (!(count_mask & (1U << i)))
			continue;
		memcpy(&bits, (const char *) stored + 8 * i, 8);
		if ((bits >> 52) == 0)
			v = (double) (int64) bits;	/* an int64 count (or 0) */
		else
			memcpy(&v, &bits, 8);	/* a whole double, as 0.2.0 stored it */
		memcpy((char *) work + 8 * i, &v, 8);
	}
}

/* The working copy stored (in `stored`, or in a new palloc'd one): counts as int64. */
void *
kam_counts_store(const void *work, void *stored, Size size, uint32 count_mask)
{
	if (stored == NULL)
		stored = palloc(size);
	memmove(stored, work, size);
	for (int i = 0; i < (int) (size / 8) && count_mask != 0; i++)
	{
		double		v;
		int64		n;

		if (!(count_mask & (1U << i)))
			continue;
		memcpy(&v, (const char *) work + 8 * i, 8);
		n = (int64) v;
		memcpy((char *) stored + 8 * i, &n, 8);
	}
	return stored;
}

/* "(name=value,...)" with every value in its shortest exact form */
/*
 * The stored layout of the named-doubles types: their count field is a whole
 * number from 0 to 2^53 in this layout (0.1.0 and 0.2.0 wrote the same); a
 * later layout marks itself with a count outside that range, which this
 * release refuses to print or send rather than misread.
 */
static void
values_check_layout(const KamValuesType *t, const double *v)
{
	double		n;

	if (t->count_index < 0)
		return;
	n = v[t->count_index];
	if (unlikely(!(n >= 0 && n <= KAM_MAX_COUNT)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s value of another stored layout, written by a later kam", t->name),
				 errhint("Update kam (ALTER EXTENSION kam UPDATE after installing the newer version).")));
}

char *
kam_values_out(const KamValuesType *t, const double *v)
{
	StringInfoData buf;

	values_check_layout(t, v);

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (int i = 0; i < t->nfields; i++)
	{
		appendStringInfo(&buf, "%s%s=", i > 0 ? "," : "", t->fields[i]);
		kam_append_double(&buf, v[i]);
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/* why v is not a value of type t (NULL: it is one) */
static const char *
values_invalid(const KamValuesType *t, const double *v)
{
	if (t->count_index >= 0)
	{
		double		n = v[t->count_index];

		if (!isfinite(n) || n < 0 || n != floor(n) || n > KAM_MAX_COUNT)
			return psprintf("%s must be a whole count from 0 to 2^52 - 1.", t->fields[t->count_index]);
	}
	return t->check ? t->check(v) : NULL;
}

static KAM_NORETURN void values_syntax_error(const KamValuesType *t, const char *input);

static void
values_syntax_error(const KamValuesType *t, const char *input)
{
	StringInfoData want;

	initStringInfo(&want);
	for (int i = 0; i < t->nfields; i++)
		appendStringInfo(&want, "%s%s=...", i > 0 ? "," : "(", t->fields[i]);
	appendStringInfoChar(&want, ')');
	kam_syntax_error(t->name, input, psprintf("Expected %s.", want.data), NULL);
}

/* Parse "(name=value,...)", the names in order, then check the value. */
void
kam_values_in(const KamValuesType *t, const char *input, double *v)
{
	const char *p = kam_skip_space(input);
	const char *why;

	if (*p++ != '(')
		values_syntax_error(t, input);
	for (int i = 0; i < t->nfields; i++)
	{
		size_t		len = strlen(t->fields[i]);
		char	   *end;

		p = kam_skip_space(p);
		if (strncmp(p, t->fields[i], len) != 0 || p[len] != '=')
			values_syntax_error(t, input);
		p += len + 1;
		v[i] = strtod(p, &end);
		if (end == p)
			values_syntax_error(t, input);
		p = kam_skip_space(end);
		if (*p++ != (i < t->nfields - 1 ? ',' : ')'))
			values_syntax_error(t, input);
	}
	if (*kam_skip_space(p) != '\0')
		values_syntax_error(t, input);
	why = values_invalid(t, v);
	if (why)
		kam_syntax_error(t->name, input, why, NULL);
}

/* binary form: the format version byte, then the fields as float8 */
bytea *
kam_values_send(const KamValuesType *t, const double *v)
{
	StringInfoData buf;

	values_check_layout(t, v);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, KAM_VALUES_BINARY_VERSION);
	for (int i = 0; i < t->nfields; i++)
		pq_sendfloat8(&buf, v[i]);
	return pq_endtypsend(&buf);
}

/* The first byte of a binary value: its format version, which must be `version`. */
void
kam_check_binary_version(StringInfo buf, const char *type, int version)
{
	int			got = pq_getmsgbyte(buf);

	if (got != version)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external %s value", type),
				 errdetail("Binary format version %d; this kam reads version %d.", got, version)));
}

void
kam_values_recv(const KamValuesType *t, StringInfo buf, double *v)
{
	const char *why;

	kam_check_binary_version(buf, t->name, KAM_VALUES_BINARY_VERSION);
	for (int i = 0; i < t->nfields; i++)
		v[i] = pq_getmsgfloat8(buf);
	why = values_invalid(t, v);
	if (why)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external %s value", t->name),
				 errdetail("%s", why)));
}

/*
 * A value an aggregate is about to return (or pass on as a partial state):
 * one the type's inputs would refuse, an overflow to infinity or NaN or a
 * count past 2^53, raises 22003 instead of being stored.
 */
void
kam_values_check_result(const KamValuesType *t, const double *v)
{
	const char *why = values_invalid(t, v);

	if (unlikely(why != NULL))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s value out of range", t->name),
				 errdetail("%s", why)));
}

/* ---------- pieces of the text forms of kam's types ---------- */

/* 22P02 for the text form of `type`, with what is wrong and, optionally, what is expected */
void
kam_syntax_error(const char *type, const char *input, const char *why, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", type, input),
			 errdetail("%s", why),
			 hint ? errhint("%s", hint) : 0));
	pg_unreachable();
}

const char *
kam_skip_space(const char *p)
{
	while (isspace((unsigned char) *p))
		p++;
	return p;
}

/*
 * A double-quoted name, "" standing for a quote: p is just after the
 * opening quote; the name goes to out; returns the position after the
 * closing quote, or NULL when there is none.
 */
const char *
kam_parse_quoted(const char *p, StringInfo out)
{
	for (;;)
	{
		if (*p == '\0')
			return NULL;
		if (*p == '"' && p[1] == '"')
		{
			appendStringInfoChar(out, '"');
			p += 2;
		}
		else if (*p == '"')
			return p + 1;
		else
			appendStringInfoChar(out, *p++);
	}
}

/* len bytes of s, double-quoted, quotes doubled */
void
kam_append_quoted(StringInfo buf, const char *s, int len)
{
	appendStringInfoChar(buf, '"');
	for (int i = 0; i < len; i++)
	{
		if (s[i] == '"')
			appendStringInfoChar(buf, '"');
		appendStringInfoChar(buf, s[i]);
	}
	appendStringInfoChar(buf, '"');
}
