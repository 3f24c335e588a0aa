/*-------------------------------------------------------------------------
 *
 * scoring.c
 *	  Weighted scoring of accounts (docs/scoring.md).
 *
 *	  kam.scale(value, low, high)                  -> [0, 1], clamped;
 *												   reversed when low > high
 *	  kam.weighted_score(scores, weights [, policy]) -> 0..100 from scores
 *												   in [0, 1]
 *	  kam.scorecard: criteria (name, weight, low, high) and a missing-value
 *	  policy, defined once (constructor, text form, or the aggregate
 *	  kam.scorecard_agg over a table of criteria) and applied by
 *	  kam.score(card, values float8[] | jsonb).
 *
 *	  Missing-value policies: 'redistribute' (a NULL score drops out and
 *	  the other weights renormalise), 'zero' (a NULL score counts as 0),
 *	  'null' (any NULL score makes the result NULL).
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include <ctype.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

/* ---------- missing-value policies ---------- */

static const char *const policy_names[] = {"redistribute", "zero", "null"};

KamMissing
kam_missing_policy(const char *name)
{
	for (int i = 0; i < (int) lengthof(policy_names); i++)
		if (strcmp(name, policy_names[i]) == 0)
			return (KamMissing) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown missing-value policy \"%s\"", name),
			 errhint("Use redistribute, zero or null.")));
}

/* the same for a text argument, without copying it (called once per row) */
KamMissing
kam_missing_policy_text(text *name)
{
	const char *p = VARDATA_ANY(name);
	int			len = VARSIZE_ANY_EXHDR(name);

	for (int i = 0; i < (int) lengthof(policy_names); i++)
		if ((int) strlen(policy_names[i]) == len && memcmp(p, policy_names[i], len) == 0)
			return (KamMissing) i;
	return kam_missing_policy(text_to_cstring(name));
}

const char *
kam_missing_policy_name(KamMissing policy)
{
	return policy_names[policy];
}

/* ---------- kam.scale ---------- */

static void
check_bounds(double low, double high, const char *what)
{
	if (!isfinite(low) || !isfinite(high))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("bounds must be finite"),
				 errdetail("%s: low is %g, high is %g.", what, low, high)));
	if (low == high)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bounds must differ"),
				 errdetail("%s: low and high are both %g.", what, low)));
}

/* value mapped linearly from [low, high] to [0, 1] and clamped; low > high reverses */
static inline double
scale01(double v, double low, double high)
{
	double		x = v - low,
				d = high - low,
				s;

	/* bounds or value near DBL_MAX: the differences of the halves stay finite */
	if (unlikely(!isfinite(x) || !isfinite(d)))
	{
		x = v / 2 - low / 2;
		d = high / 2 - low / 2;
	}
	s = x / d;

	return s < 0 ? 0 : (s > 1 ? 1 : s);
}

static void
check_value(double v, const char *what)
{
	if (isnan(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must not be NaN", what)));
}

/* kam.scale for measure `index` (1-based, for error details): bounds checked, value scaled */
double
kam_scale01(double v, double low, double high, int index)
{
	if (!isfinite(low) || !isfinite(high) || low == high)
		check_bounds(low, high, psprintf("measure %d", index));
	return scale01(v, low, high);
}

PG_FUNCTION_INFO_V1(kam_scale);
Datum
kam_scale(PG_FUNCTION_ARGS)
{
	double		v = PG_GETARG_FLOAT8(0);
	double		low = PG_GETARG_FLOAT8(1);
	double		high = PG_GETARG_FLOAT8(2);

	check_value(v, "value");
	check_bounds(low, high, "kam.scale");
	PG_RETURN_FLOAT8(scale01(v, low, high));
}

/* ---------- kam.weighted_score ---------- */

static KamMissing
policy_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno)
		return KAM_MISSING_REDISTRIBUTE;
	return kam_missing_policy_text(PG_GETARG_TEXT_PP(argno));
}

PG_FUNCTION_INFO_V1(kam_weighted_score);
Datum
kam_weighted_score(PG_FUNCTION_ARGS)
{
	const double *s,
			   *w;
	bool	   *snull,
			   *wnull;
	int			n = kam_float8_array(PG_GETARG_ARRAYTYPE_P(0), "scores", &s, &snull);
	int			nw = kam_float8_array(PG_GETARG_ARRAYTYPE_P(1), "weights", &w, &wnull);
	KamMissing	policy = policy_arg(fcinfo, 2);
	double		result;

	kam_check_same_length(n, nw, "scores", "weights");
	kam_check_weights(nw, w, wnull);
	for (int i = 0; i < n; i++)
		if (!(snull && snull[i]) && !(s[i] >= 0 && s[i] <= 1))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("scores must be between 0 and 1"),
					 errdetail("Score %d is %g.", i + 1, s[i]),
					 errhint("Map raw values to [0, 1] with kam.scale(value, low, high).")));
	if (!kam_weighted_mean(n, s, snull, w, policy, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100 * result);
}

/* ---------- the kam.scorecard type ---------- */

typedef struct ScCrit
{
	double		weight;
	double		low;
	double		high;
	int32		name_off;		/* from the start of the names area */
	int32		name_len;
} ScCrit;

/*
 * The stored layout carries its version in `layout`: 0 for this layout, which
 * 0.2.0 wrote too (the field was padding, always zero).  A value with another
 * version was written by a later kam and is refused, never misread.
 */
#define SC_LAYOUT_VERSION 0

typedef struct KamScorecard
{
	int32		vl_len_;
	int32		n;
	int32		policy;
	int32		layout;			/* stored layout version */
	ScCrit		c[FLEXIBLE_ARRAY_MEMBER];
	/* followed by the names, each NUL-terminated */
} KamScorecard;

#define SC_MAX_CRITERIA 1000
#define SC_NAMES(card) ((char *) &(card)->c[(card)->n])
#define SC_NAME(card, i) (SC_NAMES(card) + (card)->c[i].name_off)

/* Criteria being collected, before they become a card. */
typedef struct ScBuild
{
	int			n;
	int			max;
	ScCrit	   *c;
	StringInfoData names;
	KamMissing	policy;
} ScBuild;

static void
sc_build_init(ScBuild *b, KamMissing policy)
{
	b->n = 0;
	b->max = 8;
	b->c = palloc(b->max * sizeof(ScCrit));
	initStringInfo(&b->names);
	b->policy = policy;
}

/*
 * The checks of criterion number n (0-based) of a card whose first n
 * criteria are c (their names in the names area `names`): a name, not one
 * of theirs, within the limit, and its weight and bounds.
 */
static void
sc_check_crit(const ScCrit *c, int n, const char *names, const char *name, int len,
			  double weight, double low, double high)
{
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("criterion names must not be empty"),
				 errdetail("Criterion %d has an empty name.", n + 1)));
	if (n >= SC_MAX_CRITERIA)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a scorecard has at most %d criteria", SC_MAX_CRITERIA)));
	for (int i = 0; i < n; i++)
		if (c[i].name_len == len && memcmp(names + c[i].name_off, name, len) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("criterion \"%.*s\" appears twice", len, name)));
	if (!isfinite(weight))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("weights must be finite"),
				 errdetail("Criterion \"%.*s\" has weight %g.", len, name, weight)));
	if (weight < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weights must not be negative"),
				 errdetail("Criterion \"%.*s\" has weight %g.", len, name, weight)));
	check_bounds(low, high, psprintf("criterion \"%.*s\"", len, name));
}

static void
sc_build_add(ScBuild *b, const char *name, int len, double weight, double low, double high)
{
	sc_check_crit(b->c, b->n, b->names.data, name, len, weight, low, high);
	if (b->n == b->max)
	{
		b->max *= 2;
		b->c = repalloc(b->c, b->max * sizeof(ScCrit));
	}
	b->c[b->n].weight = weight;
	b->c[b->n].low = low;
	b->c[b->n].high = high;
	b->c[b->n].name_off = b->names.len;
	b->c[b->n].name_len = len;
	appendBinaryStringInfo(&b->names, name, len);
	appendStringInfoChar(&b->names, '\0');
	b->n++;
}

static void
sc_build_add_card(ScBuild *b, const KamScorecard *card)
{
	for (int i = 0; i < card->n; i++)
		sc_build_add(b, SC_NAME(card, i), card->c[i].name_len,
					 card->c[i].weight, card->c[i].low, card->c[i].high);
}

/* The card; with `complete`, weights must not all be zero (a partial aggregate state may). */
static KamScorecard *
sc_build_finish(ScBuild *b, bool complete)
{
	Size		size = offsetof(KamScorecard, c) + b->n * sizeof(ScCrit) + b->names.len;
	KamScorecard *card = palloc0(size);

	if (complete)
	{
		double		total = 0;

		if (b->n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a scorecard needs at least one criterion")));
		for (int i = 0; i < b->n; i++)
			total += b->c[i].weight;
		if (total == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weights must not all be zero")));
	}
	SET_VARSIZE(card, size);
	card->n = b->n;
	card->policy = b->policy;
	memcpy(card->c, b->c, b->n * sizeof(ScCrit));
	memcpy(SC_NAMES(card), b->names.data, b->names.len);
	return card;
}

static KamScorecard *
sc_arg(FunctionCallInfo fcinfo, int argno)
{
	KamScorecard *card = (KamScorecard *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));

	if (card->layout != SC_LAYOUT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kam.scorecard value of stored layout %d, written by a later kam", card->layout),
				 errhint("Update kam (ALTER EXTENSION kam UPDATE after installing the newer version).")));
	return card;
}

/* text form: policy=redistribute;"revenue"=0.3[0,1000000];"growth"=0.2[0,0.5] */
PG_FUNCTION_INFO_V1(kam_scorecard_out);
Datum
kam_scorecard_out(PG_FUNCTION_ARGS)
{
	KamScorecard *card = sc_arg(fcinfo, 0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "policy=%s", kam_missing_policy_name(card->policy));
	for (int i = 0; i < card->n; i++)
	{
		const char *name = SC_NAME(card, i);

		appendStringInfoChar(&buf, ';');
		kam_append_quoted(&buf, name, card->c[i].name_len);
		appendStringInfoChar(&buf, '=');
		kam_append_double(&buf, card->c[i].weight);
		appendStringInfoChar(&buf, '[');
		kam_append_double(&buf, card->c[i].low);
		appendStringInfoChar(&buf, ',');
		kam_append_double(&buf, card->c[i].high);
		appendStringInfoChar(&buf, ']');
	}
	PG_RETURN_CSTRING(buf.data);
}

#define sc_syntax_error(input, why) \
	kam_syntax_error("kam.scorecard", input, why, "Expected policy=redistribute;\"criterion\"=weight[low,high];...")

static double
sc_number(const char *input, const char **p, char after)
{
	char	   *end;
	double		v;

	*p = kam_skip_space(*p);
	v = strtod(*p, &end);
	if (end == *p)
		sc_syntax_error(input, "A number is missing.");
	*p = kam_skip_space(end);
	if (**p != after)
		sc_syntax_error(input, psprintf("\"%c\" expected after a number.", after));
	(*p)++;
	return v;
}

PG_FUNCTION_INFO_V1(kam_scorecard_in);
Datum
kam_scorecard_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	const char *p = kam_skip_space(input);
	const char *start;
	ScBuild		b;
	StringInfoData name;
	char	   *policy;

	if (strncmp(p, "policy=", 7) != 0)
		sc_syntax_error(input, "The text must start with policy=.");
	p += 7;
	start = p;
	while (isalpha((unsigned char) *p))
		p++;
	policy = pnstrdup(start, p - start);
	sc_build_init(&b, kam_missing_policy(policy));
	initStringInfo(&name);
	for (;;)
	{
		double		w,
					low,
					high;

		p = kam_skip_space(p);
		if (*p == '\0')
			break;
		if (*p++ != ';')
			sc_syntax_error(input, "Criteria are separated by \";\".");
		p = kam_skip_space(p);
		if (*p++ != '"')
			sc_syntax_error(input, "A criterion name must be double-quoted.");
		resetStringInfo(&name);
		p = kam_parse_quoted(p, &name);
		if (p == NULL)
			sc_syntax_error(input, "A criterion name is not closed.");
		p = kam_skip_space(p);
		if (*p++ != '=')
			sc_syntax_error(input, "\"=\" expected after a criterion name.");
		w = sc_number(input, &p, '[');
		low = sc_number(input, &p, ',');
		high = sc_number(input, &p, ']');
		sc_build_add(&b, name.data, name.len, w, low, high);
	}
	PG_RETURN_POINTER(sc_build_finish(&b, true));
}

/*
 * Binary form: the format version byte (1), the policy's name, the number of
 * criteria (int4), then per criterion its name, weight, low and high.  recv
 * builds the card through the same checks as the text input.
 */
#define SCORECARD_BINARY_VERSION 1

PG_FUNCTION_INFO_V1(kam_scorecard_send);
Datum
kam_scorecard_send(PG_FUNCTION_ARGS)
{
	KamScorecard *card = sc_arg(fcinfo, 0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SCORECARD_BINARY_VERSION);
	pq_sendstring(&buf, kam_missing_policy_name(card->policy));
	pq_sendint32(&buf, card->n);
	for (int i = 0; i < card->n; i++)
	{
		pq_sendint32(&buf, card->c[i].name_len);
		pq_sendbytes(&buf, SC_NAME(card, i), card->c[i].name_len);
		pq_sendfloat8(&buf, card->c[i].weight);
		pq_sendfloat8(&buf, card->c[i].low);
		pq_sendfloat8(&buf, card->c[i].high);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(kam_scorecard_recv);
Datum
kam_scorecard_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	ScBuild		b;
	int32		n;

	kam_check_binary_version(buf, "kam.scorecard", SCORECARD_BINARY_VERSION);
	sc_build_init(&b, kam_missing_policy(pq_getmsgstring(buf)));
	n = pq_getmsgint(buf, 4);
	if (n < 0 || n > SC_MAX_CRITERIA)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external kam.scorecard value"),
				 errdetail("It has %d criteria; a scorecard has 1 to %d.", n, SC_MAX_CRITERIA)));
	for (int i = 0; i < n; i++)
	{
		int32		len = pq_getmsgint(buf, 4);
		const char *name;
		double		w,
					low,
					high;

		if (len < 0 || len > buf->len - buf->cursor)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid external kam.scorecard value"),
					 errdetail("Criterion %d's name has length %d.", i + 1, len)));
		name = pq_getmsgbytes(buf, len);
		w = pq_getmsgfloat8(buf);
		low = pq_getmsgfloat8(buf);
		high = pq_getmsgfloat8(buf);
		sc_build_add(&b, name, len, w, low, high);
	}
	PG_RETURN_POINTER(sc_build_finish(&b, true));
}

/* kam.scorecard(criteria text[], weights, lows, highs [, policy]) */
PG_FUNCTION_INFO_V1(kam_scorecard);
Datum
kam_scorecard(PG_FUNCTION_ARGS)
{
	ArrayType  *names = PG_GETARG_ARRAYTYPE_P(0);
	const double *w,
			   *lo,
			   *hi;
	bool	   *wnull,
			   *lonull,
			   *hinull;
	int			nw = kam_float8_array(PG_GETARG_ARRAYTYPE_P(1), "weights", &w, &wnull);
	int			nlo = kam_float8_array(PG_GETARG_ARRAYTYPE_P(2), "lows", &lo, &lonull);
	int			nhi = kam_float8_array(PG_GETARG_ARRAYTYPE_P(3), "highs", &hi, &hinull);
	Datum	   *nd;
	bool	   *nn;
	int			n;
	ScBuild		b;

	if (ARR_NDIM(names) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("criteria must be a one-dimensional array")));
	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &nd, &nn, &n);
	kam_check_same_length(n, nw, "criteria", "weights");
	kam_check_same_length(n, nlo, "criteria", "lows");
	kam_check_same_length(n, nhi, "criteria", "highs");
	sc_build_init(&b, policy_arg(fcinfo, 4));
	for (int i = 0; i < n; i++)
	{
		text	   *t;

		if (nn[i] || (wnull && wnull[i]) || (lonull && lonull[i]) || (hinull && hinull[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("criteria, weights and bounds must not be NULL"),
					 errdetail("Criterion %d has a NULL.", i + 1)));
		t = DatumGetTextPP(nd[i]);
		sc_build_add(&b, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), w[i], lo[i], hi[i]);
	}
	PG_RETURN_POINTER(sc_build_finish(&b, true));
}

/*
 * The card with one criterion more, checked against the card's (which are not
 * checked again): a palloc'd copy, so a row costs the card's size, not its
 * size times its criteria.
 */
static KamScorecard *
sc_card_add(const KamScorecard *card, const char *name, int len, double weight, double low, double high)
{
	Size		names_len = VARSIZE(card) - ((const char *) SC_NAMES(card) - (const char *) card);
	Size		size = VARSIZE(card) + sizeof(ScCrit) + len + 1;
	KamScorecard *next;
	ScCrit	   *c;

	sc_check_crit(card->c, card->n, SC_NAMES(card), name, len, weight, low, high);
	next = palloc(size);
	memcpy(next, card, offsetof(KamScorecard, c) + card->n * sizeof(ScCrit));
	SET_VARSIZE(next, size);
	next->n = card->n + 1;
	c = &next->c[card->n];
	c->weight = weight;
	c->low = low;
	c->high = high;
	c->name_off = (int32) names_len;
	c->name_len = len;
	memcpy(SC_NAMES(next), SC_NAMES(card), names_len);
	memcpy(SC_NAMES(next) + names_len, name, len);
	SC_NAMES(next)[names_len + len] = '\0';
	return next;
}

/*
 * kam.scorecard_agg(criterion, weight, low, high [, policy]) transition:
 * appends one criterion to the card (rows with a NULL are skipped).  The
 * state is a kam.scorecard, so the aggregate's partial states have a text
 * form.
 */
PG_FUNCTION_INFO_V1(kam_scorecard_sfunc);
Datum
kam_scorecard_sfunc(PG_FUNCTION_ARGS)
{
	ScBuild		b;
	KamMissing	policy = KAM_MISSING_REDISTRIBUTE;
	text	   *name;
	KamScorecard *card;

	KAM_AGG_SKIP_NULL(1, PG_NARGS() - 1);
	if (PG_NARGS() > 5)
		policy = policy_arg(fcinfo, 5);
	name = PG_GETARG_TEXT_PP(1);
	if (PG_ARGISNULL(0))
	{
		/* the first row: an empty card of its policy */
		sc_build_init(&b, policy);
		card = sc_build_finish(&b, false);
	}
	else
	{
		card = sc_arg(fcinfo, 0);
		if (card->policy != (int32) policy)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the missing-value policy must be the same on every row"),
					 errdetail("Policies %s and %s.", kam_missing_policy_name(card->policy),
							   kam_missing_policy_name(policy))));
	}
	PG_RETURN_POINTER(sc_card_add(card, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name),
								  PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3), PG_GETARG_FLOAT8(4)));
}

PG_FUNCTION_INFO_V1(kam_scorecard_combine);
Datum
kam_scorecard_combine(PG_FUNCTION_ARGS)
{
	KamScorecard *a,
			   *c;
	ScBuild		b;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(PG_ARGISNULL(0) ? 1 : 0));
	}
	a = sc_arg(fcinfo, 0);
	c = sc_arg(fcinfo, 1);
	if (a->policy != c->policy)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the missing-value policy must be the same on every row"),
				 errdetail("Policies %s and %s.", kam_missing_policy_name(a->policy),
						   kam_missing_policy_name(c->policy))));
	sc_build_init(&b, a->policy);
	sc_build_add_card(&b, a);
	sc_build_add_card(&b, c);
	PG_RETURN_POINTER(sc_build_finish(&b, false));
}

PG_FUNCTION_INFO_V1(kam_scorecard_final);
Datum
kam_scorecard_final(PG_FUNCTION_ARGS)
{
	ScBuild		b;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	sc_build_init(&b, KAM_MISSING_REDISTRIBUTE);
	b.policy = sc_arg(fcinfo, 0)->policy;
	sc_build_add_card(&b, sc_arg(fcinfo, 0));
	PG_RETURN_POINTER(sc_build_finish(&b, true));
}

/* ---------- applying a card ---------- */

#define SC_STACK 64

/* the card's weighted mean of scaled values, 0..100; false for NULL */
static bool
sc_result(const KamScorecard *card, const double *s, const bool *snull, double *result)
{
	double		w[SC_STACK];
	double	   *wp = card->n <= SC_STACK ? w : palloc(card->n * sizeof(double));

	for (int i = 0; i < card->n; i++)
		wp[i] = card->c[i].weight;
	if (!kam_weighted_mean(card->n, s, snull, wp, card->policy, result))
		return false;
	*result *= 100;
	return true;
}

/*
 * The score of n raw values v (vnull: which are NULL, or NULL for none) in
 * the card's criteria order; shared by kam.score(card, values) and
 * kam.score_of.
 */
static Datum
score_of_values(FunctionCallInfo fcinfo, const KamScorecard *card, int n, const double *v, const bool *vnull)
{
	double		s[SC_STACK];
	double	   *sp;
	double		result;

	if (n != card->n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("values must have one element per criterion"),
				 errdetail("The scorecard has %d criteria, values has %d elements.", card->n, n)));
	sp = n <= SC_STACK ? s : palloc(n * sizeof(double));
	for (int i = 0; i < n; i++)
	{
		if (vnull && vnull[i])
			continue;
		if (isnan(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("values must not be NaN"),
					 errdetail("Criterion \"%s\" is NaN.", SC_NAME(card, i))));
		sp[i] = scale01(v[i], card->c[i].low, card->c[i].high);
	}
	if (!sc_result(card, sp, vnull, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* kam.score(card, values float8[]): values in the card's criteria order */
PG_FUNCTION_INFO_V1(kam_score_array);
Datum
kam_score_array(PG_FUNCTION_ARGS)
{
	KamScorecard *card = sc_arg(fcinfo, 0);
	const double *v;
	bool	   *vnull;
	int			n = kam_float8_array(PG_GETARG_ARRAYTYPE_P(1), "values", &v, &vnull);

	return score_of_values(fcinfo, card, n, v, vnull);
}

/*
 * kam.score_of(card, VARIADIC "values" "any"): the score of raw values given
 * one by one, each double precision or numeric (read natively): what
 * kam.score(card, ARRAY[...]) becomes when planned (kam_score_support).
 * NULL for a NULL card, as the strict kam.score.
 */
PG_FUNCTION_INFO_V1(kam_score_of);
Datum
kam_score_of(PG_FUNCTION_ARGS)
{
	KamScorecard *card;
	double		stack[SC_STACK];
	bool		nstack[SC_STACK];
	double	   *v;
	bool	   *vnull;
	int			n;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	card = sc_arg(fcinfo, 0);
	n = kam_variadic_doubles(fcinfo, 1, "values", "Value", stack, nstack, SC_STACK, &v, &vnull);
	return score_of_values(fcinfo, card, n, v, vnull);
}

/*
 * The planner support of kam.score(card, values double precision[]): a call
 * whose values are an ARRAY[...] of expressions and whose card is a constant
 * becomes kam.score_of(card, the expressions...) (kam_simplify_array_call).
 */
PG_FUNCTION_INFO_V1(kam_score_support);
Datum
kam_score_support(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(kam_simplify_array_call((Node *) PG_GETARG_POINTER(0), 1, "score_of"));
}

/* kam.score(card, values jsonb): each criterion read by name from a JSON object */
PG_FUNCTION_INFO_V1(kam_score_jsonb);
Datum
kam_score_jsonb(PG_FUNCTION_ARGS)
{
	KamScorecard *card = sc_arg(fcinfo, 0);
	Jsonb	   *j = PG_GETARG_JSONB_P(1);
	double		s[SC_STACK];
	bool		isnull[SC_STACK];
	double	   *sp = card->n <= SC_STACK ? s : palloc(card->n * sizeof(double));
	bool	   *np = card->n <= SC_STACK ? isnull : palloc(card->n * sizeof(bool));
	double		result;

	if (!JB_ROOT_IS_OBJECT(j) || JB_ROOT_IS_SCALAR(j))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("values must be a JSON object with one key per criterion")));
	for (int i = 0; i < card->n; i++)
	{
		JsonbValue	jv;
		double		v;

		np[i] = true;
		sp[i] = 0;
		if (getKeyJsonValueFromContainer(&j->root, SC_NAME(card, i), card->c[i].name_len, &jv) == NULL ||
			jv.type == jbvNull)
			continue;
		if (jv.type != jbvNumeric)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("criterion \"%s\" must be a number or null", SC_NAME(card, i))));
		v = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(jv.val.numeric)));
		if (isnan(v))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("values must not be NaN"),
					 errdetail("Criterion \"%s\" is NaN.", SC_NAME(card, i))));
		np[i] = false;
		sp[i] = scale01(v, card->c[i].low, card->c[i].high);
	}
	if (!sc_result(card, sp, np, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* kam.scorecard_criteria(card): one row per criterion */
PG_FUNCTION_INFO_V1(kam_scorecard_criteria);
Datum
kam_scorecard_criteria(PG_FUNCTION_ARGS)
{
	KamScorecard *card = sc_arg(fcinfo, 0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		total = 0;
	double		scale = 1;

	kam_materialize_srf(fcinfo);
	for (int i = 0; i < card->n; i++)
		total += card->c[i].weight;
	if (!isfinite(total))
	{
		/* weights near DBL_MAX: shares of the weights divided by the largest */
		total = 0;
		for (int i = 0; i < card->n; i++)
			scale = Max(scale, card->c[i].weight);
		for (int i = 0; i < card->n; i++)
			total += card->c[i].weight / scale;
	}
	for (int i = 0; i < card->n; i++)
	{
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		values[0] = Int32GetDatum(i + 1);
		values[1] = PointerGetDatum(cstring_to_text_with_len(SC_NAME(card, i), card->c[i].name_len));
		values[2] = Float8GetDatum(card->c[i].weight);
		if (total > 0)
			values[3] = Float8GetDatum(card->c[i].weight / scale / total);
		else
			nulls[3] = true;
		values[4] = Float8GetDatum(card->c[i].low);
		values[5] = Float8GetDatum(card->c[i].high);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(kam_scorecard_policy);
Datum
kam_scorecard_policy(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(kam_missing_policy_name(sc_arg(fcinfo, 0)->policy)));
}
