/*-------------------------------------------------------------------------
 *
 * surveys.c
 *	  Voice of the customer (docs/health.md): the kam.survey summary (fixed
 *	  size, text and binary I/O) behind kam.nps(score), kam.csat(score
 *	  [, scale_max]), kam.ces(score [, scale_max]) and kam.nps_agg,
 *	  kam.csat_agg, kam.ces_agg; accessors kam.nps, kam.csat, kam.ces,
 *	  kam.nps_interval, kam.responses, and kam.rollup(kam.survey).
 *	  NPS = 100 (P - D) / n, promoters 9-10, detractors 0-6; its variance
 *	  is (p + d - (p - d)^2) / n (multinomial), so the Wald interval is
 *	  NPS +- z 100 sqrt(var), clamped to [-100, 100]; the adjusted Wald
 *	  interval (default) adds 3/4 promoter and detractor, n + 3.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include <ctype.h>

#include "miscadmin.h"

#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
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

/* stored with n, promoters, detractors, top_box and scale_max as int64; worked on as doubles */
#define SURVEY_COUNTS 0x1F
#define survey_load(stored, s) kam_counts_load((stored), (s), sizeof(KamSurvey), SURVEY_COUNTS)
#define survey_store(s, stored) kam_counts_store((s), (stored), sizeof(KamSurvey), SURVEY_COUNTS)

/* a kam.survey argument as its working copy */
static KamSurvey *
survey_arg(FunctionCallInfo fcinfo, int argno)
{
	KamSurvey  *s = palloc(sizeof(KamSurvey));

	survey_load(PG_GETARG_POINTER(argno), s);
	return s;
}

PG_FUNCTION_INFO_V1(kam_survey_in);
Datum
kam_survey_in(PG_FUNCTION_ARGS)
{
	KamSurvey	s;

	kam_values_in(&survey_type, PG_GETARG_CSTRING(0), (double *) &s);
	PG_RETURN_POINTER(survey_store(&s, NULL));
}

PG_FUNCTION_INFO_V1(kam_survey_out);
Datum
kam_survey_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(kam_values_out(&survey_type, (double *) survey_arg(fcinfo, 0)));
}

PG_FUNCTION_INFO_V1(kam_survey_send);
Datum
kam_survey_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(kam_values_send(&survey_type, (double *) survey_arg(fcinfo, 0)));
}

PG_FUNCTION_INFO_V1(kam_survey_recv);
Datum
kam_survey_recv(PG_FUNCTION_ARGS)
{
	KamSurvey	s;

	kam_values_recv(&survey_type, (StringInfo) PG_GETARG_POINTER(0), (double *) &s);
	PG_RETURN_POINTER(survey_store(&s, NULL));
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

/* the stored layout of kam.survey (survey_store): the counts as int64 */
typedef struct KamSurveyStored
{
	int64		n;
	int64		promoters;
	int64		detractors;
	int64		top_box;
	int64		scale_max;
	double		sum;
	double		sum_squares;
} KamSurveyStored;

StaticAssertDecl(sizeof(KamSurveyStored) == sizeof(KamSurvey) && SURVEY_COUNTS == 0x1F,
				 "KamSurveyStored is kam.survey with its first five fields counts");

/* each kind's name, lowest answer and default scale maximum (NPS: always 10) */
static const struct
{
	const char *name;
	int32		lo;
	int32		scale_max;
}			survey_kinds[] = {{"NPS", 0, 10}, {"CSAT", 1, 5}, {"CES", 1, 7}};

/*
 * Add one answer.  After an aggregate's first row the state is the
 * aggregate's own (stored by survey_store, counts as int64) and, on the scale
 * it has, is updated in place: an answer checked against its scale keeps
 * every field in range (n would need 2^53 rows to leave it), so the state is
 * not checked again.  Otherwise (the first row, a direct call, a scale that
 * differs, to be reported) the state is loaded, set, checked and stored.
 */
static Datum
survey_add(FunctionCallInfo fcinfo, SurveyKind kind)
{
	int32		score,
				scale_max;
	bool		promoter,
				detractor,
				top_box;
	KamSurveyStored *in_place = NULL;
	void	   *st;
	KamSurvey	w,
			   *s = &w;

	KAM_AGG_SKIP_NULL(1, PG_NARGS() - 1);
	score = PG_GETARG_INT32(1);
	scale_max = kind != SURVEY_NPS && PG_NARGS() > 2 ? PG_GETARG_INT32(2) : survey_kinds[kind].scale_max;
	promoter = kind == SURVEY_NPS && score >= 9;
	detractor = kind == SURVEY_NPS && score <= 6;
	top_box = kind == SURVEY_CSAT && score >= scale_max - 1;
	if (!PG_ARGISNULL(0) && AggCheckCallContext(fcinfo, NULL))
	{
		in_place = (KamSurveyStored *) PG_GETARG_POINTER(0);
		if (kind != SURVEY_NPS && in_place->scale_max != scale_max)
			in_place = NULL;
	}
	if (in_place)
	{
		check_answer(score, survey_kinds[kind].lo, scale_max, survey_kinds[kind].name);
		in_place->promoters += promoter;
		in_place->detractors += detractor;
		in_place->top_box += top_box;
		in_place->n += 1;
		in_place->sum += score;
		in_place->sum_squares += (double) score * score;
		PG_RETURN_POINTER(in_place);
	}
	st = kam_fixed_state(fcinfo, sizeof(KamSurvey));
	survey_load(st, s);
	if (kind != SURVEY_NPS)
		set_scale(s, scale_max, survey_kinds[kind].name);
	check_answer(score, survey_kinds[kind].lo, scale_max, survey_kinds[kind].name);
	s->promoters += promoter;
	s->detractors += detractor;
	s->top_box += top_box;
	s->n += 1;
	s->sum += score;
	s->sum_squares += (double) score * score;
	kam_values_check_result(&survey_type, (double *) s);
	PG_RETURN_POINTER(survey_store(s, st));
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
	void	   *st;
	KamSurvey	w,
			   *s = &w,
			   *o;

	KAM_AGG_SKIP_NULL(1, 1);
	o = survey_arg(fcinfo, 1);
	st = kam_fixed_state(fcinfo, sizeof(KamSurvey));
	survey_load(st, s);
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
	PG_RETURN_POINTER(survey_store(s, st));
}

#define ARG_SURVEY() survey_arg(fcinfo, 0)

/* accessors (and final functions): NULL without answers */
PG_FUNCTION_INFO_V1(kam_nps);
Datum
kam_nps(PG_FUNCTION_ARGS)
{
	KamSurvey  *s;

	if (PG_ARGISNULL(0) || (s = ARG_SURVEY())->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100 * (s->promoters - s->detractors) / s->n);
}

PG_FUNCTION_INFO_V1(kam_csat);
Datum
kam_csat(PG_FUNCTION_ARGS)
{
	KamSurvey  *s;

	if (PG_ARGISNULL(0) || (s = ARG_SURVEY())->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->top_box / s->n);
}

PG_FUNCTION_INFO_V1(kam_ces);
Datum
kam_ces(PG_FUNCTION_ARGS)
{
	KamSurvey  *s;

	if (PG_ARGISNULL(0) || (s = ARG_SURVEY())->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->sum / s->n);
}

PG_FUNCTION_INFO_V1(kam_responses);
Datum
kam_responses(PG_FUNCTION_ARGS)
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
PG_FUNCTION_INFO_V1(kam_nps_interval);
Datum
kam_nps_interval(PG_FUNCTION_ARGS)
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
