/*-------------------------------------------------------------------------
 *
 * health.c
 *	  Account health (docs/health.md): kam.health_score(measures, weights
 *	  [, lows, highs] [, policy]); band schemes: the kam.band_scheme type
 *	  (2-12 labelled bands (lo, hi] over [0, last bound], the first band
 *	  including 0), kam.health_grade and kam.health_color with the built-in,
 *	  a given or a stored scheme (kam.band_schemes, read once per statement),
 *	  and the guard trigger of kam.band_schemes.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include <ctype.h>

#include "miscadmin.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

/* ====================================================================== */
/* kam.health_score                                                        */
/* ====================================================================== */

/*
 * The score of n measures m (mnull: which are NULL, or NULL for none) with
 * their checked weights w: each measure checked (on 0..100, or scaled from
 * [lo, hi] when lo is given), then their weighted mean under the policy.
 * Shared by kam.health_score and kam.health_score_of.
 */
static Datum
health_score_of_values(FunctionCallInfo fcinfo, int n, const double *m, const bool *mnull, const double *w,
					   const double *lo, const double *hi, KamMissing policy)
{
	bool		bounds = lo != NULL;
	double		stack[32];
	double	   *s;
	double		result;

	s = n <= (int) lengthof(stack) ? stack : palloc(n * sizeof(double));
	for (int i = 0; i < n; i++)
	{
		if (mnull && mnull[i])
			continue;
		if (bounds)
		{
			if (isnan(m[i]))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("measures must not be NaN"),
						 errdetail("Measure %d is NaN.", i + 1)));
			s[i] = kam_scale01(m[i], lo[i], hi[i], i + 1);
		}
		else
		{
			if (!(m[i] >= 0 && m[i] <= 100))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("measures must be between 0 and 100"),
						 errdetail("Measure %d is %g.", i + 1, m[i]),
						 errhint("Give each measure's bounds to scale raw values: kam.health_score(measures, weights, lows, highs).")));

			/*
			 * already on 0..100: averaged as they are, bit for bit sum(w m) /
			 * sum(w)
			 */
			s[i] = m[i];
		}
	}
	if (!kam_weighted_mean(n, s, mnull, w, policy, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(bounds ? 100 * result : result);
}

/*
 * kam.health_score(measures, weights [, policy]): measures already on 0..100
 * kam.health_score(measures, weights, lows, highs [, policy]): each measure
 *	 scaled from [low, high] (reversed when low > high) and clamped
 */
PG_FUNCTION_INFO_V1(kam_health_score);
Datum
kam_health_score(PG_FUNCTION_ARGS)
{
	const double *m,
			   *w,
			   *lo = NULL,
			   *hi = NULL;
	bool	   *mnull,
			   *wnull,
			   *lonull = NULL,
			   *hinull = NULL;
	int			n = kam_float8_array(PG_GETARG_ARRAYTYPE_P(0), "measures", &m, &mnull);
	int			nw = kam_float8_array(PG_GETARG_ARRAYTYPE_P(1), "weights", &w, &wnull);
	bool		bounds = PG_NARGS() >= 4;
	int			policy_arg = bounds ? 4 : 2;
	KamMissing	policy = KAM_MISSING_REDISTRIBUTE;

	if (PG_NARGS() > policy_arg)
		policy = kam_missing_policy_text(PG_GETARG_TEXT_PP(policy_arg));
	kam_check_same_length(n, nw, "measures", "weights");
	kam_check_weights(nw, w, wnull);
	if (bounds)
	{
		int			nlo = kam_float8_array(PG_GETARG_ARRAYTYPE_P(2), "lows", &lo, &lonull);
		int			nhi = kam_float8_array(PG_GETARG_ARRAYTYPE_P(3), "highs", &hi, &hinull);

		kam_check_same_length(n, nlo, "measures", "lows");
		kam_check_same_length(n, nhi, "measures", "highs");
		if (lonull || hinull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("bounds must not be NULL")));
	}
	return health_score_of_values(fcinfo, n, m, mnull, w, lo, hi, policy);
}

/* the weights and policy of kam.health_score_of, checked */
typedef struct HealthWeights
{
	int			n;
	KamMissing	policy;
	double		w[FLEXIBLE_ARRAY_MEMBER];
} HealthWeights;

/*
 * The weights and policy of this call for n measures, read and checked once
 * per call site when both are constants (as kam_health_score_support leaves
 * them), else at every call; the checks in kam.health_score's order.
 */
static const HealthWeights *
health_weights(FunctionCallInfo fcinfo, int n)
{
	void	  **cache = kam_call_cache(fcinfo);
	bool		constant = get_fn_expr_arg_stable(fcinfo->flinfo, 0) && get_fn_expr_arg_stable(fcinfo->flinfo, 1);
	const double *w;
	bool	   *wnull;
	int			nw;
	KamMissing	policy;
	HealthWeights *hw;

	if (constant && *cache != NULL)
	{
		hw = (HealthWeights *) *cache;
		kam_check_same_length(n, hw->n, "measures", "weights");
		return hw;
	}
	nw = kam_float8_array(PG_GETARG_ARRAYTYPE_P(0), "weights", &w, &wnull);
	policy = kam_missing_policy_text(PG_GETARG_TEXT_PP(1));
	kam_check_same_length(n, nw, "measures", "weights");
	kam_check_weights(nw, w, wnull);
	hw = MemoryContextAlloc(constant ? fcinfo->flinfo->fn_mcxt : CurrentMemoryContext,
							offsetof(HealthWeights, w) + nw * sizeof(double));
	hw->n = nw;
	hw->policy = policy;
	memcpy(hw->w, w, nw * sizeof(double));
	if (constant)
		*cache = hw;
	return hw;
}

/*
 * kam.health_score_of(weights, policy, VARIADIC measures "any"): the score of
 * measures given one by one, each double precision or numeric (read
 * natively, exactly as numeric::float8): what kam.health_score(ARRAY[...],
 * weights, policy) becomes when planned (kam_health_score_support), with
 * neither array built nor numeric measure converted by text.  NULL when the
 * weights or the policy is NULL, as the strict kam.health_score.
 */
PG_FUNCTION_INFO_V1(kam_health_score_of);
Datum
kam_health_score_of(PG_FUNCTION_ARGS)
{
	const HealthWeights *hw;
	int			n;
	double		stack[32];
	bool		nstack[32];
	double	   *m;
	bool	   *mnull;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	n = kam_variadic_doubles(fcinfo, 2, "measures", "Measure", stack, nstack, lengthof(stack), &m, &mnull);
	hw = health_weights(fcinfo, n);
	return health_score_of_values(fcinfo, n, m, mnull, hw->w, NULL, NULL, hw->policy);
}

/*
 * The planner support of kam.health_score(measures, weights, policy): a call
 * whose measures are an ARRAY[...] of expressions and whose weights and
 * policy are constants becomes kam.health_score_of(weights, policy, the
 * expressions...) (kam_simplify_array_call).
 */
PG_FUNCTION_INFO_V1(kam_health_score_support);
Datum
kam_health_score_support(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(kam_simplify_array_call((Node *) PG_GETARG_POINTER(0), 0, "health_score_of"));
}

/* ====================================================================== */
/* band schemes, grades and colours                                         */
/* ====================================================================== */

#define BAND_MIN 2
#define BAND_MAX 12
#define BAND_LABEL_MAX 63

/*
 * The stored layout carries its version in bits 16-30 of n: 0 for this
 * layout, which 0.2.0 wrote too (n is at most 12).  A value with another
 * version was written by a later kam and is refused, never misread.
 */
#define BANDS_LAYOUT_SHIFT 16
#define BANDS_LAYOUT_VERSION 0

typedef struct KamBands
{
	int32		vl_len_;
	int32		n;				/* bands, and the layout version in bits 16-30 */
	double		upper[BAND_MAX];	/* band i is (upper[i-1], upper[i]], band
									 * 0 [0, upper[0]] */
	char		label[BAND_MAX][BAND_LABEL_MAX + 1];
} KamBands;

static void
bands_check(const KamBands *b)
{
	if (b->n < BAND_MIN || b->n > BAND_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a band scheme has 2 to 12 bands"),
				 errdetail("It has %d.", b->n)));
	for (int i = 0; i < b->n; i++)
	{
		if (b->label[i][0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("band labels must not be empty"),
					 errdetail("Band %d has an empty label.", i + 1)));
		if (!isfinite(b->upper[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("band bounds must be finite"),
					 errdetail("Band %d ends at %g.", i + 1, b->upper[i])));
		if (b->upper[i] <= (i == 0 ? 0 : b->upper[i - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("band upper bounds must be positive and strictly increasing"),
					 errdetail("Band %d ends at %g, after %g.", i + 1, b->upper[i],
							   i == 0 ? 0.0 : b->upper[i - 1])));
	}
}

static void
bands_set_label(KamBands *b, int i, const char *label, int len)
{
	if (len > BAND_LABEL_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("band labels are at most %d bytes", BAND_LABEL_MAX),
				 errdetail("Band %d's label has %d.", i + 1, len)));
	memcpy(b->label[i], label, len);
	b->label[i][len] = '\0';
}

/* a stored scheme argument, its layout version checked */
static KamBands *
bands_arg(Datum d)
{
	KamBands   *b = (KamBands *) PG_DETOAST_DATUM(d);
	int			version = (int) ((uint32) b->n >> BANDS_LAYOUT_SHIFT);

	if (version != BANDS_LAYOUT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kam.band_scheme value of stored layout %d, written by a later kam", version),
				 errhint("Update kam (ALTER EXTENSION kam UPDATE after installing the newer version).")));
	return b;
}

static KamBands *
bands_new(void)
{
	KamBands   *b = palloc0(sizeof(KamBands));

	SET_VARSIZE(b, sizeof(KamBands));
	return b;
}

/* text form: F:60,D:70,C:80,B:90,A:100 (label:upper bound, labels quoted when needed) */
PG_FUNCTION_INFO_V1(kam_band_scheme_out);
Datum
kam_band_scheme_out(PG_FUNCTION_ARGS)
{
	KamBands   *b = bands_arg(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < b->n; i++)
	{
		bool		quote = false;

		for (const char *c = b->label[i]; *c; c++)
			if (*c == ':' || *c == ',' || *c == '"' || isspace((unsigned char) *c))
				quote = true;
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		if (quote)
			kam_append_quoted(&buf, b->label[i], strlen(b->label[i]));
		else
			appendStringInfoString(&buf, b->label[i]);
		appendStringInfoChar(&buf, ':');
		kam_append_double(&buf, b->upper[i]);
	}
	PG_RETURN_CSTRING(buf.data);
}

#define bands_syntax_error(input, why) \
	kam_syntax_error("kam.band_scheme", input, why, "Expected label:upper,label:upper,... such as F:60,D:70,C:80,B:90,A:100.")

PG_FUNCTION_INFO_V1(kam_band_scheme_in);
Datum
kam_band_scheme_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	const char *p = input;
	KamBands   *b = bands_new();
	StringInfoData label;

	initStringInfo(&label);
	for (;;)
	{
		char	   *end;

		p = kam_skip_space(p);
		if (b->n == BAND_MAX)
			bands_syntax_error(input, "A band scheme has at most 12 bands.");
		resetStringInfo(&label);
		if (*p == '"')
		{
			p = kam_parse_quoted(p + 1, &label);
			if (p == NULL)
				bands_syntax_error(input, "A quoted label is not closed.");
		}
		else
		{
			while (*p && *p != ':' && *p != ',')
				appendStringInfoChar(&label, *p++);
			while (label.len > 0 && isspace((unsigned char) label.data[label.len - 1]))
				label.data[--label.len] = '\0';
		}
		p = kam_skip_space(p);
		if (*p++ != ':')
			bands_syntax_error(input, "\":\" expected after a label.");
		bands_set_label(b, b->n, label.data, label.len);
		b->upper[b->n] = strtod(p, &end);
		if (end == p)
			bands_syntax_error(input, "An upper bound is missing.");
		b->n++;
		p = end;
		p = kam_skip_space(p);
		if (*p == '\0')
			break;
		if (*p++ != ',')
			bands_syntax_error(input, "Bands are separated by \",\".");
	}
	bands_check(b);
	PG_RETURN_POINTER(b);
}

/*
 * Binary form: the format version byte (1), the number of bands (int4), then
 * per band its label and upper bound; recv checks what the text input does.
 */
#define BANDS_BINARY_VERSION 1

PG_FUNCTION_INFO_V1(kam_band_scheme_send);
Datum
kam_band_scheme_send(PG_FUNCTION_ARGS)
{
	KamBands   *b = bands_arg(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, BANDS_BINARY_VERSION);
	pq_sendint32(&buf, b->n);
	for (int i = 0; i < b->n; i++)
	{
		pq_sendstring(&buf, b->label[i]);
		pq_sendfloat8(&buf, b->upper[i]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(kam_band_scheme_recv);
Datum
kam_band_scheme_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	KamBands   *b = bands_new();
	int32		n;

	kam_check_binary_version(buf, "kam.band_scheme", BANDS_BINARY_VERSION);
	n = pq_getmsgint(buf, 4);
	if (n < BAND_MIN || n > BAND_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a band scheme has 2 to 12 bands"),
				 errdetail("It has %d.", n)));
	for (int i = 0; i < n; i++)
	{
		const char *label = pq_getmsgstring(buf);

		bands_set_label(b, i, label, strlen(label));
		b->upper[i] = pq_getmsgfloat8(buf);
	}
	b->n = n;
	bands_check(b);
	PG_RETURN_POINTER(b);
}

/* kam.band_scheme(labels text[], upper_bounds float8[]) */
PG_FUNCTION_INFO_V1(kam_band_scheme);
Datum
kam_band_scheme(PG_FUNCTION_ARGS)
{
	ArrayType  *labels = PG_GETARG_ARRAYTYPE_P(0);
	const double *up;
	bool	   *upnull;
	int			nup = kam_float8_array(PG_GETARG_ARRAYTYPE_P(1), "upper_bounds", &up, &upnull);
	Datum	   *ld;
	bool	   *ln;
	int			n;
	KamBands   *b = bands_new();

	if (ARR_NDIM(labels) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("labels must be a one-dimensional array")));
	deconstruct_array(labels, TEXTOID, -1, false, TYPALIGN_INT, &ld, &ln, &n);
	kam_check_same_length(n, nup, "labels", "upper_bounds");
	if (n < BAND_MIN || n > BAND_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a band scheme has 2 to 12 bands"),
				 errdetail("It has %d.", n)));
	for (int i = 0; i < n; i++)
	{
		text	   *t;

		if (ln[i] || (upnull && upnull[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("labels and upper bounds must not be NULL"),
					 errdetail("Band %d has a NULL.", i + 1)));
		t = DatumGetTextPP(ld[i]);
		bands_set_label(b, i, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		b->upper[i] = up[i];
	}
	b->n = n;
	bands_check(b);
	PG_RETURN_POINTER(b);
}

/* The built-in schemes, also rows 'grade' and 'color' of kam.band_schemes. */
static const KamBands *
builtin_bands(bool color)
{
	static KamBands grade,
				colour;
	static bool ready = false;

	if (!ready)
	{
		static const char *const gl[] = {"F", "D", "C", "B", "A"};
		static const double gu[] = {60, 70, 80, 90, 100};
		static const char *const cl[] = {"red", "yellow", "green"};
		static const double cu[] = {50, 75, 100};

		for (int i = 0; i < 5; i++)
		{
			strlcpy(grade.label[i], gl[i], sizeof(grade.label[i]));
			grade.upper[i] = gu[i];
		}
		grade.n = 5;
		for (int i = 0; i < 3; i++)
		{
			strlcpy(colour.label[i], cl[i], sizeof(colour.label[i]));
			colour.upper[i] = cu[i];
		}
		colour.n = 3;
		SET_VARSIZE(&grade, sizeof(KamBands));
		SET_VARSIZE(&colour, sizeof(KamBands));
		ready = true;
	}
	return color ? &colour : &grade;
}

static const char *
band_of(const KamBands *b, double score)
{
	if (!(score >= 0 && score <= b->upper[b->n - 1]))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("score must be between 0 and %g", b->upper[b->n - 1]),
				 errdetail("Value is %g.", score)));
	for (int i = 0; i < b->n - 1; i++)
		if (score <= b->upper[i])
			return b->label[i];
	return b->label[b->n - 1];
}

/*
 * A stored scheme by name, from the extension's table band_schemes.  The
 * function is STABLE, so the scheme read is kept in fn_extra for one
 * statement only: PL/pgSQL and triggers keep an FmgrInfo for a whole
 * transaction, and a scheme updated or deleted by an earlier statement of it
 * must not go on being used.  The cache is valid while the transaction, the
 * command counter (bumped by every statement that wrote) and the active
 * snapshot (a new one per statement under READ COMMITTED) are those it was
 * filled under.
 */
typedef struct NamedBands
{
	char	   *name;			/* in fn_mcxt */
	LocalTransactionId lxid;
	CommandId	cid;
	TransactionId xmin;
	TransactionId xmax;
	uint32		xcnt;
	KamBands	bands;
} NamedBands;

static inline LocalTransactionId
current_lxid(void)
{
#if PG_VERSION_NUM >= 170000
	return MyProc->vxid.lxid;
#else
	return MyProc->lxid;
#endif
}

static bool
named_bands_current(const NamedBands *c, const char *name)
{
	Snapshot	snap = ActiveSnapshotSet() ? GetActiveSnapshot() : NULL;

	return c->name != NULL && strcmp(c->name, name) == 0 &&
		c->lxid == current_lxid() && c->cid == GetCurrentCommandId(false) &&
		snap != NULL && c->xmin == snap->xmin && c->xmax == snap->xmax &&
		c->xcnt == snap->xcnt;
}

static const KamBands *
bands_by_name(FunctionCallInfo fcinfo, text *name_t)
{
	NamedBands *cache = (NamedBands *) fcinfo->flinfo->fn_extra;
	char	   *name = text_to_cstring(name_t);
	Oid			nsp;
	char	   *query;
	Datum		arg = PointerGetDatum(name_t);
	Oid			argtype = TEXTOID;
	bool		found = false;
	Snapshot	snap;

	if (cache != NULL && named_bands_current(cache, name))
		return &cache->bands;
	nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	/* schema-qualified, operator included: safe under any search_path */
	query = psprintf("SELECT scheme FROM %s.band_schemes WHERE name OPERATOR(pg_catalog.=) $1",
					 quote_identifier(get_namespace_name(nsp)));
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(NamedBands));
		fcinfo->flinfo->fn_extra = cache;
	}
	if (cache->name != NULL)
		pfree(cache->name);
	cache->name = NULL;			/* invalid until the read below succeeds */
	SPI_connect();
	if (SPI_execute_with_args(query, 1, &argtype, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "kam: reading band_schemes failed");
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			KamBands   *b = bands_arg(d);

			memcpy(&cache->bands, b, sizeof(KamBands));
			found = true;
		}
	}
	SPI_finish();
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown band scheme \"%s\"", name),
				 errhint("Stored schemes are the rows of %s.band_schemes.",
						 quote_identifier(get_namespace_name(nsp)))));
	snap = GetActiveSnapshot();
	cache->lxid = current_lxid();
	cache->cid = GetCurrentCommandId(false);
	cache->xmin = snap->xmin;
	cache->xmax = snap->xmax;
	cache->xcnt = snap->xcnt;
	cache->name = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, name);
	return &cache->bands;
}

/*
 * Trigger on kam.band_schemes: the built-in rows are as shipped (a dump
 * leaves them out and CREATE EXTENSION puts them back), so they cannot be
 * updated or deleted, and no user row may claim to be built in.
 */
PG_FUNCTION_INFO_V1(kam_band_schemes_guard);
Datum
kam_band_schemes_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trig = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	int			col;
	HeapTuple	checked[2] = {NULL, NULL};

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(trig->tg_event) ||
		!TRIGGER_FIRED_BEFORE(trig->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("kam.band_schemes_guard() must be called as a BEFORE ... FOR EACH ROW trigger")));
	desc = RelationGetDescr(trig->tg_relation);
	col = SPI_fnumber(desc, "builtin");
	if (col <= 0)
		elog(ERROR, "kam_band_schemes_guard: no column builtin");
	if (TRIGGER_FIRED_BY_INSERT(trig->tg_event))
		checked[1] = trig->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_UPDATE(trig->tg_event))
	{
		checked[0] = trig->tg_trigtuple;
		checked[1] = trig->tg_newtuple;
	}
	else
		checked[0] = trig->tg_trigtuple;
	for (int i = 0; i < 2; i++)
	{
		bool		isnull;
		Datum		builtin;
		char	   *name;

		if (checked[i] == NULL)
			continue;
		builtin = heap_getattr(checked[i], col, desc, &isnull);
		if (isnull || !DatumGetBool(builtin))
			continue;
		name = SPI_getvalue(checked[i], desc, SPI_fnumber(desc, "name"));
		if (i == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("built-in band scheme \"%s\" cannot be changed or deleted", name),
					 errhint("Store your own scheme under another name.")));
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("band scheme \"%s\" cannot be marked built-in", name),
				 errhint("Store it with builtin = false.")));
	}
	return PointerGetDatum(TRIGGER_FIRED_BY_DELETE(trig->tg_event) ?
						   trig->tg_trigtuple :
						   (checked[1]));
}

static Datum
band_result(const KamBands *b, double score)
{
	return PointerGetDatum(cstring_to_text(band_of(b, score)));
}

/*
 * The built-in grade and colour: their labels are made text once per call
 * site (fn_extra) and returned as they are, like functions that return one
 * of their arguments.
 */
static Datum
builtin_band_result(FunctionCallInfo fcinfo, bool color)
{
	const KamBands *b = builtin_bands(color);
	text	  **labels = (text **) fcinfo->flinfo->fn_extra;
	double		score = PG_GETARG_FLOAT8(0);
	const char *label;

	if (labels == NULL)
	{
		labels = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, b->n * sizeof(text *));
		for (int i = 0; i < b->n; i++)
		{
			Size		len = strlen(b->label[i]);

			labels[i] = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARHDRSZ + len);
			SET_VARSIZE(labels[i], VARHDRSZ + len);
			memcpy(VARDATA(labels[i]), b->label[i], len);
		}
		fcinfo->flinfo->fn_extra = labels;
	}
	label = band_of(b, score);
	for (int i = 0; i < b->n; i++)
		if (label == b->label[i])
			return PointerGetDatum(labels[i]);
	elog(ERROR, "kam: band label not found");
}

PG_FUNCTION_INFO_V1(kam_health_grade);
Datum
kam_health_grade(PG_FUNCTION_ARGS)
{
	return builtin_band_result(fcinfo, false);
}

PG_FUNCTION_INFO_V1(kam_health_color);
Datum
kam_health_color(PG_FUNCTION_ARGS)
{
	return builtin_band_result(fcinfo, true);
}

/* kam.health_grade / kam.health_color (score, scheme kam.band_scheme) */
PG_FUNCTION_INFO_V1(kam_band_with_scheme);
Datum
kam_band_with_scheme(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(band_result(bands_arg(PG_GETARG_DATUM(1)), PG_GETARG_FLOAT8(0)));
}

/* kam.health_grade / kam.health_color (score, scheme_name text) */
PG_FUNCTION_INFO_V1(kam_band_with_name);
Datum
kam_band_with_name(PG_FUNCTION_ARGS)
{
	double		score = PG_GETARG_FLOAT8(0);

	PG_RETURN_DATUM(band_result(bands_by_name(fcinfo, PG_GETARG_TEXT_PP(1)), score));
}

/* kam.band_scheme_bands(scheme): rows (band, label, lower, upper) */
PG_FUNCTION_INFO_V1(kam_band_scheme_bands);
Datum
kam_band_scheme_bands(PG_FUNCTION_ARGS)
{
	KamBands   *b = bands_arg(PG_GETARG_DATUM(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	kam_materialize_srf(fcinfo);
	for (int i = 0; i < b->n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum(i + 1);
		values[1] = PointerGetDatum(cstring_to_text(b->label[i]));
		values[2] = Float8GetDatum(i == 0 ? 0.0 : b->upper[i - 1]);
		values[3] = Float8GetDatum(b->upper[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---------- kam.band_shares(score, scheme): the share of rows per band ---------- */

/*
 * Internal state: the scheme of the first row (every row must pass the same)
 * and a count per band; serialized as the scheme's bounds and labels and
 * the counts.
 */
typedef struct BandShares
{
	KamBands	scheme;
	bool		has_scheme;
	int64		count[BAND_MAX];
} BandShares;

static BandShares *
band_shares_new(MemoryContext ctx)
{
	return MemoryContextAllocZero(ctx, sizeof(BandShares));
}

static void
band_shares_set_scheme(BandShares *s, const KamBands *b)
{
	if (likely(s->has_scheme))
	{
		if (s->scheme.n != b->n ||
			memcmp(s->scheme.upper, b->upper, sizeof(double) * b->n) != 0 ||
			memcmp(s->scheme.label, b->label, sizeof(b->label[0]) * b->n) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the band scheme must be the same for every row of one aggregate")));
		return;
	}
	bands_check(b);
	memcpy(&s->scheme, b, sizeof(KamBands));
	s->has_scheme = true;
}

PG_FUNCTION_INFO_V1(kam_band_shares_sfunc);
Datum
kam_band_shares_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_band_shares_sfunc");
	BandShares *s;
	const char *label;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the band scheme must not be NULL")));
	s = PG_ARGISNULL(0) ? band_shares_new(aggctx) : (BandShares *) PG_GETARG_POINTER(0);
	band_shares_set_scheme(s, bands_arg(PG_GETARG_DATUM(2)));
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(s);	/* a NULL score drops out */
	label = band_of(&s->scheme, PG_GETARG_FLOAT8(1));
	s->count[(label - s->scheme.label[0]) / sizeof(s->scheme.label[0])]++;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(kam_band_shares_combine);
Datum
kam_band_shares_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_band_shares_combine");
	BandShares *s,
			   *o;

	KAM_AGG_SKIP_NULL(1, 1);
	o = (BandShares *) PG_GETARG_POINTER(1);
	s = PG_ARGISNULL(0) ? band_shares_new(aggctx) : (BandShares *) PG_GETARG_POINTER(0);
	if (o->has_scheme)
		band_shares_set_scheme(s, &o->scheme);
	for (int i = 0; i < BAND_MAX; i++)
		s->count[i] += o->count[i];
	kam_combine_free_spent(fcinfo, o, NULL);
	PG_RETURN_POINTER(s);
}

/* serialized state, format version 1: scheme flag, n, bounds, labels, counts */
#define BAND_SHARES_STATE_VERSION 1

PG_FUNCTION_INFO_V1(kam_band_shares_serial);
Datum
kam_band_shares_serial(PG_FUNCTION_ARGS)
{
	BandShares *s = (BandShares *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	kam_agg_context(fcinfo, "kam_band_shares_serial");
	kam_state_send_begin(&buf, KAM_STATE_BAND_SHARES, BAND_SHARES_STATE_VERSION);
	pq_sendbyte(&buf, s->has_scheme);
	pq_sendint32(&buf, s->has_scheme ? s->scheme.n : 0);
	for (int i = 0; s->has_scheme && i < s->scheme.n; i++)
	{
		pq_sendfloat8(&buf, s->scheme.upper[i]);
		pq_sendstring(&buf, s->scheme.label[i]);
	}
	for (int i = 0; i < BAND_MAX; i++)
		pq_sendint64(&buf, s->count[i]);
	PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam.band_shares"));
}

PG_FUNCTION_INFO_V1(kam_band_shares_deserial);
Datum
kam_band_shares_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_band_shares_deserial");
	StringInfoData buf;
	BandShares *s;
	int			n;

	kam_state_recv_begin(&buf, PG_GETARG_BYTEA_PP(0), KAM_STATE_BAND_SHARES, BAND_SHARES_STATE_VERSION,
						 "kam_band_shares_deserial");
	s = band_shares_new(aggctx);
	s->has_scheme = pq_getmsgbyte(&buf) != 0;
	n = pq_getmsgint(&buf, 4);
	if (n < 0 || n > BAND_MAX)
		elog(ERROR, "kam_band_shares_deserial: bad band count in a partial state");
	s->scheme.n = n;
	SET_VARSIZE(&s->scheme, sizeof(KamBands));
	for (int i = 0; i < n; i++)
	{
		const char *label;

		s->scheme.upper[i] = pq_getmsgfloat8(&buf);
		label = pq_getmsgstring(&buf);
		bands_set_label(&s->scheme, i, label, strlen(label));
	}
	for (int i = 0; i < BAND_MAX; i++)
		s->count[i] = pq_getmsgint64(&buf);
	kam_state_recv_end(&buf, "kam_band_shares_deserial");
	PG_RETURN_POINTER(s);
}

/* an array of kam.band_share (band, label, rows, share), lowest band first */
PG_FUNCTION_INFO_V1(kam_band_shares_final);
Datum
kam_band_shares_final(PG_FUNCTION_ARGS)
{
	BandShares *s;
	Oid			rettype,
				elemtype;
	TupleDesc	td;
	Datum	   *elems;
	int64		total = 0;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (BandShares *) PG_GETARG_POINTER(0);
	if (!s->has_scheme)
		PG_RETURN_NULL();
	rettype = get_func_rettype(fcinfo->flinfo->fn_oid);
	elemtype = get_element_type(rettype);
	if (!OidIsValid(elemtype))
		elog(ERROR, "kam_band_shares_final must return an array");
	td = BlessTupleDesc(lookup_rowtype_tupdesc_copy(elemtype, -1));
	for (int i = 0; i < s->scheme.n; i++)
		total += s->count[i];
	elems = palloc(sizeof(Datum) * s->scheme.n);
	for (int i = 0; i < s->scheme.n; i++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(s->scheme.label[i]);
		values[2] = Float8GetDatum(i == 0 ? 0.0 : s->scheme.upper[i - 1]);
		values[3] = Int64GetDatum(s->count[i]);
		if (total > 0)
			values[4] = Float8GetDatum((double) s->count[i] / (double) total);
		else
			nulls[4] = true;
		elems[i] = HeapTupleGetDatum(heap_form_tuple(td, values, nulls));
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, s->scheme.n, elemtype, typlen, typbyval, typalign));
}
