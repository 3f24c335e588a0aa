/*-------------------------------------------------------------------------
 *
 * health.c
 *	  Account health and voice of the customer (docs/health.md).
 *
 *	  kam.survey: summary of survey answers (fixed size, text I/O) behind
 *		kam.nps(score), kam.csat(score [, scale_max]), kam.ces(score
 *		[, scale_max]) and kam.survey_agg; accessors kam.nps, kam.csat,
 *		kam.ces, kam.nps_interval, kam.responses.
 *		NPS = 100 (P - D) / n, promoters 9-10, detractors 0-6; its variance
 *		is (p + d - (p - d)^2) / n (multinomial), so the Wald interval is
 *		NPS +- z 100 sqrt(var), clamped to [-100, 100]; the adjusted Wald
 *		interval (default) adds 3/4 promoter and detractor, n + 3.
 *	  kam.health_score(measures, weights [, lows, highs] [, policy])
 *	  kam.band_scheme: 2-12 labelled bands (lo, hi] over [0, last bound],
 *		the first band including 0; kam.health_grade, kam.health_color
 *	  kam.trend: least-squares slope of value on time (per 30 days),
 *		direction with a dead band
 *	  kam.sparkline(values [, low, high]) and the aggregate
 *		kam.sparkline(value ORDER BY ...)
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "miscadmin.h"

#include <ctype.h>

#include "catalog/namespace.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "storage/proc.h"
#include "utils/timestamp.h"

/* ====================================================================== */
/* kam.survey                                                              */
/* ====================================================================== */

typedef struct KamSurvey
{
	double		n;
	double		promoters;		/* NPS answers 9-10 */
	double		detractors;		/* NPS answers 0-6 */
	double		top_box;		/* CSAT answers in the top two boxes */
	double		scale_max;		/* CSAT/CES scale maximum (0: not set) */
	double		sum;			/* sum of answers */
	double		sum_squares;
} KamSurvey;

static const char *const survey_names[] = {"n", "promoters", "detractors", "top_box", "scale_max", "sum", "sum_squares"};

#define SURVEY_NFIELDS 7
StaticAssertDecl(sizeof(KamSurvey) == SURVEY_NFIELDS * sizeof(double), "KamSurvey is its named doubles");

static const char *
survey_invalid(const double *v)
{
	const KamSurvey *s = (const KamSurvey *) v;

	for (int i = 1; i < SURVEY_NFIELDS; i++)
		if (!isfinite(v[i]) || v[i] < 0 || (i <= 4 && v[i] != floor(v[i])) || (i <= 3 && v[i] > s->n))
			return psprintf("%s must be a finite non-negative %s.", survey_names[i],
							i <= 3 ? "count up to n" : (i == 4 ? "whole number" : "number"));
	if (s->promoters + s->detractors > s->n)
		return "promoters and detractors add up to more than n.";
	if (s->scale_max > PG_INT32_MAX)
		return "scale_max must fit an integer.";
	return NULL;
}

static const KamValuesType survey_type = {"kam.survey", survey_names, SURVEY_NFIELDS, 0, survey_invalid};

PG_FUNCTION_INFO_V1(kam_survey_in);
Datum
kam_survey_in(PG_FUNCTION_ARGS)
{
	KamSurvey  *s = palloc(sizeof(KamSurvey));

	kam_values_in(&survey_type, PG_GETARG_CSTRING(0), (double *) s);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(kam_survey_out);
Datum
kam_survey_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(kam_values_out(&survey_type, (double *) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(kam_survey_send);
Datum
kam_survey_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(kam_values_send(&survey_type, (double *) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(kam_survey_recv);
Datum
kam_survey_recv(PG_FUNCTION_ARGS)
{
	KamSurvey  *s = palloc(sizeof(KamSurvey));

	kam_values_recv(&survey_type, (StringInfo) PG_GETARG_POINTER(0), (double *) s);
	PG_RETURN_POINTER(s);
}

typedef enum SurveyKind
{
	SURVEY_NPS,
	SURVEY_CSAT,
	SURVEY_CES
} SurveyKind;

static void
check_answer(int32 score, int32 lo, int32 hi, const char *what)
{
	if (score < lo || score > hi)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s answers must be between %d and %d", what, lo, hi),
				 errdetail("Value is %d.", score)));
}

/* scale_max of CSAT (default 5) or CES (default 7): the same on every row */
static void
set_scale(KamSurvey *s, int32 scale_max, const char *what)
{
	if (scale_max < 2 || scale_max > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s scale_max must be between 2 and 100", what),
				 errdetail("Value is %d.", scale_max)));
	if (s->scale_max != 0 && s->scale_max != scale_max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s scale_max must be the same on every row", what),
				 errdetail("Values %g and %d.", s->scale_max, scale_max)));
	s->scale_max = scale_max;
}

static Datum
survey_add(FunctionCallInfo fcinfo, SurveyKind kind)
{
	KamSurvey  *s;
	int32		score;

	KAM_AGG_SKIP_NULL(1, PG_NARGS() - 1);
	score = PG_GETARG_INT32(1);
	s = (KamSurvey *) kam_fixed_state(fcinfo, sizeof(KamSurvey));
	switch (kind)
	{
		case SURVEY_NPS:
			check_answer(score, 0, 10, "NPS");
			if (score >= 9)
				s->promoters += 1;
			else if (score <= 6)
				s->detractors += 1;
			break;
		case SURVEY_CSAT:
			set_scale(s, PG_NARGS() > 2 ? PG_GETARG_INT32(2) : 5, "CSAT");
			check_answer(score, 1, (int32) s->scale_max, "CSAT");
			if (score >= s->scale_max - 1)
				s->top_box += 1;
			break;
		case SURVEY_CES:
			set_scale(s, PG_NARGS() > 2 ? PG_GETARG_INT32(2) : 7, "CES");
			check_answer(score, 1, (int32) s->scale_max, "CES");
			break;
	}
	s->n += 1;
	s->sum += score;
	s->sum_squares += (double) score * score;
	kam_values_check_result(&survey_type, (double *) s);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(kam_nps_sfunc);
Datum
kam_nps_sfunc(PG_FUNCTION_ARGS)
{
	return survey_add(fcinfo, SURVEY_NPS);
}

PG_FUNCTION_INFO_V1(kam_csat_sfunc);
Datum
kam_csat_sfunc(PG_FUNCTION_ARGS)
{
	return survey_add(fcinfo, SURVEY_CSAT);
}

PG_FUNCTION_INFO_V1(kam_ces_sfunc);
Datum
kam_ces_sfunc(PG_FUNCTION_ARGS)
{
	return survey_add(fcinfo, SURVEY_CES);
}

/* combine, and the transition of kam.rollup(kam.survey) */
PG_FUNCTION_INFO_V1(kam_survey_combine);
Datum
kam_survey_combine(PG_FUNCTION_ARGS)
{
	KamSurvey  *s,
			   *o;

	KAM_AGG_SKIP_NULL(1, 1);
	o = (KamSurvey *) PG_GETARG_POINTER(1);
	s = (KamSurvey *) kam_fixed_state(fcinfo, sizeof(KamSurvey));
	if (o->scale_max != 0)
	{
		if (s->scale_max != 0 && s->scale_max != o->scale_max)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("survey summaries on different scales cannot be combined"),
					 errdetail("scale_max %g and %g.", s->scale_max, o->scale_max)));
		s->scale_max = o->scale_max;
	}
	s->n += o->n;
	s->promoters += o->promoters;
	s->detractors += o->detractors;
	s->top_box += o->top_box;
	s->sum += o->sum;
	s->sum_squares += o->sum_squares;
	kam_values_check_result(&survey_type, (double *) s);
	PG_RETURN_POINTER(s);
}

#define ARG_SURVEY() ((KamSurvey *) PG_GETARG_POINTER(0))

/* accessors (and final functions): NULL without answers */
PG_FUNCTION_INFO_V1(kam_survey_nps);
Datum
kam_survey_nps(PG_FUNCTION_ARGS)
{
	KamSurvey  *s;

	if (PG_ARGISNULL(0) || (s = ARG_SURVEY())->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100 * (s->promoters - s->detractors) / s->n);
}

PG_FUNCTION_INFO_V1(kam_survey_csat);
Datum
kam_survey_csat(PG_FUNCTION_ARGS)
{
	KamSurvey  *s;

	if (PG_ARGISNULL(0) || (s = ARG_SURVEY())->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->top_box / s->n);
}

PG_FUNCTION_INFO_V1(kam_survey_mean);
Datum
kam_survey_mean(PG_FUNCTION_ARGS)
{
	KamSurvey  *s;

	if (PG_ARGISNULL(0) || (s = ARG_SURVEY())->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->sum / s->n);
}

PG_FUNCTION_INFO_V1(kam_survey_responses);
Datum
kam_survey_responses(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) ARG_SURVEY()->n);
}

/*
 * kam.nps_interval(survey, confidence, method): (estimate, lower, upper) on
 * -100..100.  'wald': NPS +- z 100 sqrt((p + d - (p - d)^2) / n).
 * 'adjusted_wald' (default; Rocks 2016): the same with 3/4 promoter and 3/4
 * detractor added and n + 3, centred on the adjusted NPS, which keeps a
 * width when every answer is in one group.  Estimate: the NPS itself, which
 * the interval always contains.
 */
PG_FUNCTION_INFO_V1(kam_survey_nps_interval);
Datum
kam_survey_nps_interval(PG_FUNCTION_ARGS)
{
	KamSurvey  *s = ARG_SURVEY();
	double		conf = PG_GETARG_FLOAT8(1);
	char	   *method = text_to_cstring(PG_GETARG_TEXT_PP(2));
	double		add,
				n,
				p,
				d,
				half,
				nps;

	kam_check_confidence(conf);
	if (strcmp(method, "adjusted_wald") == 0)
		add = 0.75;
	else if (strcmp(method, "wald") == 0)
		add = 0;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown NPS interval method \"%s\"", method),
				 errhint("Use adjusted_wald or wald.")));
	if (s->n == 0)
		PG_RETURN_NULL();
	n = s->n + 4 * add;
	p = (s->promoters + add) / n;
	d = (s->detractors + add) / n;
	half = 100 * kam_normal_quantile(1 - (1 - conf) / 2) * sqrt(fmax(0, p + d - (p - d) * (p - d)) / n);
	nps = 100 * (s->promoters - s->detractors) / s->n;
	/* the adjusted interval is widened, if need be, to hold the NPS itself */
	PG_RETURN_DATUM(kam_interval_datum(fcinfo, nps,
									   fmin(nps, fmax(-100, 100 * (p - d) - half)),
									   fmax(nps, fmin(100, 100 * (p - d) + half))));
}

/* ====================================================================== */
/* kam.health_score                                                        */
/* ====================================================================== */

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
	double		stack[32];
	double	   *s;
	double		result;

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

/* ====================================================================== */
/* band schemes, grades and colours                                         */
/* ====================================================================== */

#define BAND_MIN 2
#define BAND_MAX 12
#define BAND_LABEL_MAX 63

typedef struct KamBands
{
	int32		vl_len_;
	int32		n;
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
	KamBands   *b = (KamBands *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
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

		while (isspace((unsigned char) *p))
			p++;
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
		while (isspace((unsigned char) *p))
			p++;
		if (*p++ != ':')
			bands_syntax_error(input, "\":\" expected after a label.");
		bands_set_label(b, b->n, label.data, label.len);
		b->upper[b->n] = strtod(p, &end);
		if (end == p)
			bands_syntax_error(input, "An upper bound is missing.");
		b->n++;
		p = end;
		while (isspace((unsigned char) *p))
			p++;
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
	KamBands   *b = (KamBands *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
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
PG_FUNCTION_INFO_V1(kam_band_scheme_make);
Datum
kam_band_scheme_make(PG_FUNCTION_ARGS)
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
			KamBands   *b = (KamBands *) PG_DETOAST_DATUM(d);

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
	PG_RETURN_DATUM(band_result((KamBands *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1)), PG_GETARG_FLOAT8(0)));
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
	KamBands   *b = (KamBands *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
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

/* ====================================================================== */
/* kam.trend                                                               */
/* ====================================================================== */

/*
 * Running means and co-moments of (t, v), t in days since 2000-01-01,
 * merged with Chan et al.'s pairwise formulas (stable for any row order).
 */
typedef struct KamTrend
{
	double		n;
	double		mean_t;
	double		mean_v;
	double		m2_t;			/* sum (t - mean_t)^2 */
	double		c_tv;			/* sum (t - mean_t)(v - mean_v) */
	double		m2_v;			/* sum (v - mean_v)^2 */
} KamTrend;

static const char *const trend_names[] = {"n", "mean_t", "mean_v", "m2_t", "c_tv", "m2_v"};

StaticAssertDecl(sizeof(KamTrend) == lengthof(trend_names) * sizeof(double), "KamTrend is its named doubles");

static const char *
trend_invalid(const double *v)
{
	const KamTrend *t = (const KamTrend *) v;

	if (!isfinite(t->mean_t) || !isfinite(t->mean_v) || !isfinite(t->c_tv) ||
		!(t->m2_t >= 0) || !(t->m2_v >= 0) || !isfinite(t->m2_t) || !isfinite(t->m2_v))
		return "Means and co-moments must be finite, m2_t and m2_v non-negative.";
	return NULL;
}

static const KamValuesType trend_type = {"kam.trend", trend_names, lengthof(trend_names), 0, trend_invalid};

PG_FUNCTION_INFO_V1(kam_trend_in);
Datum
kam_trend_in(PG_FUNCTION_ARGS)
{
	KamTrend   *t = palloc(sizeof(KamTrend));

	kam_values_in(&trend_type, PG_GETARG_CSTRING(0), (double *) t);
	PG_RETURN_POINTER(t);
}

PG_FUNCTION_INFO_V1(kam_trend_out);
Datum
kam_trend_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(kam_values_out(&trend_type, (double *) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(kam_trend_send);
Datum
kam_trend_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(kam_values_send(&trend_type, (double *) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(kam_trend_recv);
Datum
kam_trend_recv(PG_FUNCTION_ARGS)
{
	KamTrend   *t = palloc(sizeof(KamTrend));

	kam_values_recv(&trend_type, (StringInfo) PG_GETARG_POINTER(0), (double *) t);
	PG_RETURN_POINTER(t);
}

static void
trend_merge(KamTrend *a, const KamTrend *b)
{
	double		n = a->n + b->n,
				dt,
				dv;

	if (b->n == 0)
		return;
	if (a->n == 0)
	{
		*a = *b;
		return;
	}
	dt = b->mean_t - a->mean_t;
	dv = b->mean_v - a->mean_v;
	a->m2_t += b->m2_t + dt * dt * a->n * b->n / n;
	a->m2_v += b->m2_v + dv * dv * a->n * b->n / n;
	a->c_tv += b->c_tv + dt * dv * a->n * b->n / n;
	a->mean_t += dt * b->n / n;
	a->mean_v += dv * b->n / n;
	a->n = n;
}

PG_FUNCTION_INFO_V1(kam_trend_sfunc);
Datum
kam_trend_sfunc(PG_FUNCTION_ARGS)
{
	KamTrend   *s;
	TimestampTz at;
	double		v;

	KAM_AGG_SKIP_NULL(1, 2);
	at = PG_GETARG_TIMESTAMPTZ(1);
	v = PG_GETARG_FLOAT8(2);
	if (TIMESTAMP_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("trend times must be finite")));
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("trend values must be finite"),
				 errdetail("Value is %g.", v)));
	s = (KamTrend *) kam_fixed_state(fcinfo, sizeof(KamTrend));
	/* Welford's update, the one-point case of trend_merge */
	{
		double		t = (double) at * (1.0 / USECS_PER_DAY);
		double		dt = t - s->mean_t;
		double		dv = v - s->mean_v;
		double		inv;

		s->n += 1;
		inv = 1 / s->n;
		s->mean_t += dt * inv;
		s->mean_v += dv * inv;
		s->m2_t += dt * (t - s->mean_t);
		s->c_tv += dt * (v - s->mean_v);
		s->m2_v += dv * (v - s->mean_v);
	}
	kam_values_check_result(&trend_type, (double *) s);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(kam_trend_combine);
Datum
kam_trend_combine(PG_FUNCTION_ARGS)
{
	KamTrend   *s;

	KAM_AGG_SKIP_NULL(1, 1);
	s = (KamTrend *) kam_fixed_state(fcinfo, sizeof(KamTrend));
	trend_merge(s, (KamTrend *) PG_GETARG_POINTER(1));
	kam_values_check_result(&trend_type, (double *) s);
	PG_RETURN_POINTER(s);
}

/* least-squares slope per 30 days; false when the times do not vary */
static bool
trend_slope(const KamTrend *t, double *slope)
{
	if (t->n < 2 || t->m2_t <= 0)
		return false;
	*slope = 30 * t->c_tv / t->m2_t;
	return true;
}

PG_FUNCTION_INFO_V1(kam_trend_slope);
Datum
kam_trend_slope(PG_FUNCTION_ARGS)
{
	double		slope;

	if (!trend_slope((KamTrend *) PG_GETARG_POINTER(0), &slope))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(slope);
}

PG_FUNCTION_INFO_V1(kam_trend_direction);
Datum
kam_trend_direction(PG_FUNCTION_ARGS)
{
	double		dead = PG_NARGS() > 1 ? PG_GETARG_FLOAT8(1) : 0;
	double		slope;

	if (!(dead >= 0) || !isfinite(dead))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("dead_band must be finite and non-negative"),
				 errdetail("Value is %g.", dead)));
	if (!trend_slope((KamTrend *) PG_GETARG_POINTER(0), &slope))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(slope > dead ? "up" : (slope < -dead ? "down" : "flat")));
}

PG_FUNCTION_INFO_V1(kam_trend_count);
Datum
kam_trend_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) ((KamTrend *) PG_GETARG_POINTER(0))->n);
}

/* ====================================================================== */
/* kam.sparkline                                                           */
/* ====================================================================== */

static const char *const ticks[] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};

/*
 * Eight levels between low and high (the series' own minimum and maximum
 * unless given); NULL is a space; a constant series sits at the middle.
 */
static text *
sparkline(int n, const double *v, const bool *isnull, bool given, double low, double high)
{
	StringInfoData buf;
	double		lo = INFINITY,
				hi = -INFINITY;

	for (int i = 0; i < n; i++)
	{
		if (isnull && isnull[i])
			continue;
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("sparkline values must be finite"),
					 errdetail("Value %d is %g.", i + 1, v[i])));
		lo = fmin(lo, v[i]);
		hi = fmax(hi, v[i]);
	}
	if (given)
	{
		lo = low;
		hi = high;
	}
	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
	{
		int			level;

		if (isnull && isnull[i])
		{
			appendStringInfoChar(&buf, ' ');
			continue;
		}
		if (hi == lo)
			level = 3;
		else
		{
			double		f = (v[i] - lo) / (hi - lo);

			level = (int) floor(fmin(fmax(f, 0), 1) * 7 + 0.5);
		}
		appendStringInfoString(&buf, ticks[level]);
	}
	return cstring_to_text_with_len(buf.data, buf.len);
}

static void
check_sparkline_bounds(double low, double high)
{
	if (!isfinite(low) || !isfinite(high) || !(low < high))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sparkline bounds must be finite with low < high"),
				 errdetail("low is %g, high is %g.", low, high)));
}

PG_FUNCTION_INFO_V1(kam_sparkline_array);
Datum
kam_sparkline_array(PG_FUNCTION_ARGS)
{
	const double *v;
	bool	   *isnull;
	int			n = kam_float8_array(PG_GETARG_ARRAYTYPE_P(0), "values", &v, &isnull);
	bool		given = PG_NARGS() > 1;

	if (given)
		check_sparkline_bounds(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2));
	PG_RETURN_TEXT_P(sparkline(n, v, isnull, given, given ? PG_GETARG_FLOAT8(1) : 0,
							   given ? PG_GETARG_FLOAT8(2) : 0));
}

/*
 * Aggregate form: the values in input order (write ORDER BY), NULL rows as
 * gaps, kept as a KamArray of SeriesPoint.
 */
typedef struct SeriesPoint
{
	double		v;
	bool		isnull;
} SeriesPoint;

#define SPARKLINE_MAX_POINTS 100000

static KamArray *
series_new(MemoryContext ctx, int64 room)
{
	KamArray   *s = MemoryContextAlloc(ctx, sizeof(KamArray));

	kam_array_init(s, ctx, sizeof(SeriesPoint), room);
	return s;
}

static void
series_push(KamArray *s, double v, bool isnull)
{
	SeriesPoint *p;

	if (s->n >= SPARKLINE_MAX_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a sparkline has at most %d points", SPARKLINE_MAX_POINTS)));
	p = kam_array_push(s);
	p->v = v;
	p->isnull = isnull;
}

PG_FUNCTION_INFO_V1(kam_sparkline_sfunc);
Datum
kam_sparkline_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_sparkline_sfunc");
	KamArray   *s;

	s = PG_ARGISNULL(0) ? series_new(aggctx, 8) : (KamArray *) PG_GETARG_POINTER(0);
	series_push(s, PG_ARGISNULL(1) ? 0 : PG_GETARG_FLOAT8(1), PG_ARGISNULL(1));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(kam_sparkline_combine);
Datum
kam_sparkline_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_sparkline_combine");
	KamArray   *s,
			   *o;

	KAM_AGG_SKIP_NULL(1, 1);
	o = (KamArray *) PG_GETARG_POINTER(1);
	s = PG_ARGISNULL(0) ? series_new(aggctx, o->n) : (KamArray *) PG_GETARG_POINTER(0);
	if (s->n + o->n > SPARKLINE_MAX_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a sparkline has at most %d points", SPARKLINE_MAX_POINTS)));
	kam_array_append(s, o->data, o->n);
	PG_RETURN_POINTER(s);
}

/* serialized state, format version 1: the number of points, then (is NULL, value) each */
#define SERIES_STATE_VERSION 1

PG_FUNCTION_INFO_V1(kam_sparkline_serialize);
Datum
kam_sparkline_serialize(PG_FUNCTION_ARGS)
{
	KamArray   *s = (KamArray *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	kam_agg_context(fcinfo, "kam_sparkline_serialize");
	kam_state_send_begin(&buf, KAM_STATE_SERIES, SERIES_STATE_VERSION);
	pq_sendint64(&buf, s->n);
	for (int64 i = 0; i < s->n; i++)
	{
		const SeriesPoint *p = &KAM_ARRAY_ELEM(s, SeriesPoint, i);

		pq_sendbyte(&buf, p->isnull ? 1 : 0);
		pq_sendfloat8(&buf, p->v);
	}
	PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam.sparkline"));
}

PG_FUNCTION_INFO_V1(kam_sparkline_deserialize);
Datum
kam_sparkline_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_sparkline_deserialize");
	StringInfoData buf;
	KamArray   *s;
	int64		n;

	kam_state_recv_begin(&buf, PG_GETARG_BYTEA_PP(0), KAM_STATE_SERIES, SERIES_STATE_VERSION,
						 "kam_sparkline_deserialize");
	n = kam_state_recv_count(&buf, SPARKLINE_MAX_POINTS, 9, "kam_sparkline_deserialize");
	s = series_new(aggctx, n);
	for (int64 i = 0; i < n; i++)
	{
		bool		isnull = pq_getmsgbyte(&buf) != 0;

		series_push(s, pq_getmsgfloat8(&buf), isnull);
	}
	kam_state_recv_end(&buf, "kam_sparkline_deserialize");
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(kam_sparkline_final);
Datum
kam_sparkline_final(PG_FUNCTION_ARGS)
{
	KamArray   *s;
	double	   *v;
	bool	   *isnull;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (KamArray *) PG_GETARG_POINTER(0);
	v = palloc(Max(s->n, 1) * sizeof(double));
	isnull = palloc(Max(s->n, 1) * sizeof(bool));
	for (int64 i = 0; i < s->n; i++)
	{
		v[i] = KAM_ARRAY_ELEM(s, SeriesPoint, i).v;
		isnull[i] = KAM_ARRAY_ELEM(s, SeriesPoint, i).isnull;
	}
	PG_RETURN_TEXT_P(sparkline((int) s->n, v, isnull, false, 0, 0));
}
