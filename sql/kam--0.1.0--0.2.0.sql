-- kam 0.1.0 -> 0.2.0: key-account scoring, selection and portfolio; account health and voice
-- of the customer; USAGE on the schema for every user.  Every reference is schema-qualified
-- (@extschema@), so the script is safe under any search_path.

\echo Use "ALTER EXTENSION kam UPDATE TO '0.2.0'" to load this file. \quit

-- every user of the database may call kam's functions (EXECUTE is granted to PUBLIC by default)
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;


-------------------------------------------------------------------------------
-- Key-account scoring, selection and portfolio (docs/scoring.md)
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.scale(value double precision, low double precision, high double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_scale'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.scale(double precision, double precision, double precision) IS
    'Maps value linearly from [low, high] to [0, 1], clamped; low > high reverses the direction (lower is better)';

CREATE FUNCTION @extschema@.weighted_score(scores double precision[], weights double precision[],
                                           policy text DEFAULT 'redistribute')
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_weighted_score'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.weighted_score(double precision[], double precision[], text) IS
    'Weighted score 0..100 of scores in [0, 1]; weights are normalised; NULL scores by policy redistribute (drop and renormalise), zero or null';

-- kam.scorecard: criteria with weights and bounds, defined once
CREATE TYPE @extschema@.scorecard;
CREATE FUNCTION @extschema@.scorecard_in(cstring) RETURNS @extschema@.scorecard
    AS 'MODULE_PATHNAME', 'kam_scorecard_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.scorecard_out(@extschema@.scorecard) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_scorecard_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.scorecard (
    INPUT = @extschema@.scorecard_in,
    OUTPUT = @extschema@.scorecard_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.scorecard IS
    'Scorecard: criteria (name, weight, low, high) and a missing-value policy; text form policy=redistribute;"name"=weight[low,high];...';

CREATE FUNCTION @extschema@.scorecard(criteria text[], weights double precision[],
                                      lows double precision[], highs double precision[],
                                      policy text DEFAULT 'redistribute')
    RETURNS @extschema@.scorecard
    AS 'MODULE_PATHNAME', 'kam_scorecard_make'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.scorecard(text[], double precision[], double precision[], double precision[], text) IS
    'Scorecard from parallel arrays of criterion names, weights and bounds (low > high: lower is better)';

CREATE FUNCTION @extschema@.scorecard_sfunc(@extschema@.scorecard, text, double precision, double precision, double precision)
    RETURNS @extschema@.scorecard
    AS 'MODULE_PATHNAME', 'kam_scorecard_add'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.scorecard_sfunc(@extschema@.scorecard, text, double precision, double precision, double precision, text)
    RETURNS @extschema@.scorecard
    AS 'MODULE_PATHNAME', 'kam_scorecard_add'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.scorecard_combine(@extschema@.scorecard, @extschema@.scorecard)
    RETURNS @extschema@.scorecard
    AS 'MODULE_PATHNAME', 'kam_scorecard_merge'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.scorecard_final(@extschema@.scorecard)
    RETURNS @extschema@.scorecard
    AS 'MODULE_PATHNAME', 'kam_scorecard_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.scorecard_agg(criterion text, weight double precision, low double precision, high double precision) (
    SFUNC = @extschema@.scorecard_sfunc,
    STYPE = @extschema@.scorecard,
    COMBINEFUNC = @extschema@.scorecard_combine,
    FINALFUNC = @extschema@.scorecard_final,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.scorecard_agg(criterion text, weight double precision, low double precision, high double precision, policy text) (
    SFUNC = @extschema@.scorecard_sfunc,
    STYPE = @extschema@.scorecard,
    COMBINEFUNC = @extschema@.scorecard_combine,
    FINALFUNC = @extschema@.scorecard_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.scorecard_agg(text, double precision, double precision, double precision) IS
    'Scorecard from one row per criterion (name, weight, low, high), in the aggregate''s input order; policy redistribute';
COMMENT ON AGGREGATE @extschema@.scorecard_agg(text, double precision, double precision, double precision, text) IS
    'Scorecard from one row per criterion (name, weight, low, high) with a missing-value policy, the same on every row';

CREATE FUNCTION @extschema@.score(card @extschema@.scorecard, "values" double precision[])
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_score_array'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.score(card @extschema@.scorecard, "values" jsonb)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_score_jsonb'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score(@extschema@.scorecard, double precision[]) IS
    'Score 0..100 of raw values given in the scorecard''s criteria order: each scaled by its bounds, weighted, NULLs by the card''s policy';
COMMENT ON FUNCTION @extschema@.score(@extschema@.scorecard, jsonb) IS
    'Score 0..100 of raw values read by criterion name from a JSON object (e.g. to_jsonb(row)); missing keys and nulls by the card''s policy';

CREATE FUNCTION @extschema@.scorecard_criteria(card @extschema@.scorecard,
        OUT "position" integer, OUT criterion text, OUT weight double precision,
        OUT weight_share double precision, OUT low double precision, OUT high double precision)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'kam_scorecard_criteria'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.scorecard_criteria(@extschema@.scorecard) IS
    'The criteria of a scorecard, one row each, with the normalised weight share';
CREATE FUNCTION @extschema@.scorecard_policy(card @extschema@.scorecard) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_scorecard_policy'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.scorecard_policy(@extschema@.scorecard) IS
    'The missing-value policy of a scorecard';

-- classification
CREATE FUNCTION @extschema@.kam_quadrant(attractiveness double precision, strength double precision,
                                         attractiveness_threshold double precision DEFAULT 50,
                                         strength_threshold double precision DEFAULT 50)
    RETURNS text
    AS 'MODULE_PATHNAME', 'kam_quadrant'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.kam_quadrant(double precision, double precision, double precision, double precision) IS
    'Key-account portfolio quadrant from customer attractiveness and own relative strength (0..100): strategic, star, status or streamline';

CREATE FUNCTION @extschema@.key_account_class(revenue double precision, potential double precision,
                                              revenue_threshold double precision DEFAULT 50000,
                                              potential_threshold double precision DEFAULT 50)
    RETURNS text
    AS 'MODULE_PATHNAME', 'kam_key_account_class'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.key_account_class(double precision, double precision, double precision, double precision) IS
    'existing (revenue at or above the threshold: protect), emerging (below it, potential score at or above its threshold: develop) or other';

-- concentration
CREATE TYPE @extschema@.hhi_state;
CREATE FUNCTION @extschema@.hhi_state_in(cstring) RETURNS @extschema@.hhi_state
    AS 'MODULE_PATHNAME', 'kam_hhi_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.hhi_state_out(@extschema@.hhi_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_hhi_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.hhi_state (
    INPUT = @extschema@.hhi_state_in,
    OUTPUT = @extschema@.hhi_state_out,
    INTERNALLENGTH = 40,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.hhi_state IS
    'Partial state of kam.hhi and kam.equivalent_customers: (n, sum, sum of squares)';
CREATE FUNCTION @extschema@.hhi_sfunc(@extschema@.hhi_state, double precision) RETURNS @extschema@.hhi_state
    AS 'MODULE_PATHNAME', 'kam_hhi_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.hhi_combine(@extschema@.hhi_state, @extschema@.hhi_state) RETURNS @extschema@.hhi_state
    AS 'MODULE_PATHNAME', 'kam_hhi_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.hhi_final(@extschema@.hhi_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_hhi_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.equivalent_customers_final(@extschema@.hhi_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_equivalent_customers_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.hhi(revenue double precision) (
    SFUNC = @extschema@.hhi_sfunc,
    STYPE = @extschema@.hhi_state,
    COMBINEFUNC = @extschema@.hhi_combine,
    FINALFUNC = @extschema@.hhi_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.hhi(double precision) IS
    'Herfindahl-Hirschman index of revenue: sum of squared shares, 0..1 (times 10 000 for the antitrust scale); NULL for a zero total';
CREATE AGGREGATE @extschema@.equivalent_customers(revenue double precision) (
    SFUNC = @extschema@.hhi_sfunc,
    STYPE = @extschema@.hhi_state,
    COMBINEFUNC = @extschema@.hhi_combine,
    FINALFUNC = @extschema@.equivalent_customers_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.equivalent_customers(double precision) IS
    'Equivalent number of equal-sized customers, 1 / HHI';

CREATE FUNCTION @extschema@.values_sfunc(internal, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_values_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.values_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_values_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.values_serial(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_values_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.values_deserial(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_values_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.gini_final(internal) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_gini_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.gini(revenue double precision) (
    SFUNC = @extschema@.values_sfunc,
    STYPE = internal,
    COMBINEFUNC = @extschema@.values_combine,
    SERIALFUNC = @extschema@.values_serial,
    DESERIALFUNC = @extschema@.values_deserial,
    FINALFUNC = @extschema@.gini_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gini(double precision) IS
    'Gini coefficient of revenue (population form, 0 = equal, up to 1 - 1/n); NULL for a zero total';

CREATE FUNCTION @extschema@.top_sfunc(internal, double precision, bigint) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_top_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.top_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_top_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.top_serial(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_top_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.top_deserial(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_top_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.top_final(internal) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_top_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.top_share(revenue double precision, n bigint) (
    SFUNC = @extschema@.top_sfunc,
    STYPE = internal,
    COMBINEFUNC = @extschema@.top_combine,
    SERIALFUNC = @extschema@.top_serial,
    DESERIALFUNC = @extschema@.top_deserial,
    FINALFUNC = @extschema@.top_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.top_share(double precision, bigint) IS
    'Share of total revenue held by the n largest values (1 when there are n rows or fewer); NULL for a zero total';

CREATE FUNCTION @extschema@.abc_class(revenue double precision, a_share double precision DEFAULT 0.8,
                                      b_share double precision DEFAULT 0.95)
    RETURNS text
    AS 'MODULE_PATHNAME', 'kam_abc_class'
    LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.abc_class(double precision, double precision, double precision) IS
    'Window function: A while the revenue of the larger accounts of the partition is below a_share of its total, B below b_share, else C; ties share a class';

-- manager portfolio
CREATE FUNCTION @extschema@.expansion_rate(@extschema@.retention) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_retention_expansion_rate'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.expansion_rate(@extschema@.retention) IS
    'Upsell/cross-sell rate: share of the starting accounts whose MRR grew; NULL without starting accounts';

CREATE FUNCTION @extschema@.portfolio_load(accounts bigint, segment text) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_portfolio_load_segment'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_load(accounts bigint, min_accounts bigint, max_accounts bigint) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_portfolio_load_bounds'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.portfolio_load(bigint, text) IS
    'Manager load against the capacity guideline of a segment: strategic 10-20 accounts, mid_market 50-80, key_account 5-15; under, within or over';
COMMENT ON FUNCTION @extschema@.portfolio_load(bigint, bigint, bigint) IS
    'Manager load against explicit bounds: under, within or over';

-- forecast accuracy and win rates
CREATE TYPE @extschema@.forecast_state;
CREATE FUNCTION @extschema@.forecast_state_in(cstring) RETURNS @extschema@.forecast_state
    AS 'MODULE_PATHNAME', 'kam_forecast_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.forecast_state_out(@extschema@.forecast_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_forecast_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.forecast_state (
    INPUT = @extschema@.forecast_state_in,
    OUTPUT = @extschema@.forecast_state_out,
    INTERNALLENGTH = 80,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.forecast_state IS
    'Partial state of kam.forecast_accuracy: counts and sums of errors';
CREATE TYPE @extschema@.forecast_accuracy_result AS (
    n bigint,
    zero_actuals bigint,
    mape double precision,
    wape double precision,
    bias double precision
);
COMMENT ON TYPE @extschema@.forecast_accuracy_result IS
    'Forecast accuracy: rows, rows with a zero actual (left out of MAPE), MAPE, WAPE and bias = sum(forecast - actual) / sum(actual)';
CREATE FUNCTION @extschema@.forecast_sfunc(@extschema@.forecast_state, double precision, double precision)
    RETURNS @extschema@.forecast_state
    AS 'MODULE_PATHNAME', 'kam_forecast_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.forecast_combine(@extschema@.forecast_state, @extschema@.forecast_state)
    RETURNS @extschema@.forecast_state
    AS 'MODULE_PATHNAME', 'kam_forecast_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.forecast_final(@extschema@.forecast_state)
    RETURNS @extschema@.forecast_accuracy_result
    AS 'MODULE_PATHNAME', 'kam_forecast_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.forecast_accuracy(forecast double precision, actual double precision) (
    SFUNC = @extschema@.forecast_sfunc,
    STYPE = @extschema@.forecast_state,
    COMBINEFUNC = @extschema@.forecast_combine,
    FINALFUNC = @extschema@.forecast_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.forecast_accuracy(double precision, double precision) IS
    'Forecast accuracy over (forecast, actual) rows: n, zero_actuals, MAPE (zero actuals left out), WAPE, bias (positive: over-forecast)';

CREATE TYPE @extschema@.confidence_interval AS (
    estimate double precision,
    lower double precision,
    upper double precision
);
COMMENT ON TYPE @extschema@.confidence_interval IS
    'An estimate with the bounds of its confidence interval';
CREATE FUNCTION @extschema@.wilson_interval(successes bigint, trials bigint, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_wilson_interval'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.wilson_interval(bigint, bigint, double precision) IS
    'Wilson score interval of a proportion (win rate): estimate, lower, upper; NULL for no trials';

-------------------------------------------------------------------------------
-- Account health and voice of the customer (docs/health.md)
-------------------------------------------------------------------------------

-- kam.survey: summary of survey answers
CREATE TYPE @extschema@.survey;
CREATE FUNCTION @extschema@.survey_in(cstring) RETURNS @extschema@.survey
    AS 'MODULE_PATHNAME', 'kam_survey_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.survey_out(@extschema@.survey) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_survey_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.survey (
    INPUT = @extschema@.survey_in,
    OUTPUT = @extschema@.survey_out,
    INTERNALLENGTH = 56,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.survey IS
    'Summary of survey answers: counts of answers, NPS promoters and detractors, CSAT top-box answers, scale, sum and sum of squares';

CREATE FUNCTION @extschema@.nps_sfunc(@extschema@.survey, integer) RETURNS @extschema@.survey
    AS 'MODULE_PATHNAME', 'kam_nps_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.csat_sfunc(@extschema@.survey, integer) RETURNS @extschema@.survey
    AS 'MODULE_PATHNAME', 'kam_csat_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.csat_sfunc(@extschema@.survey, integer, integer) RETURNS @extschema@.survey
    AS 'MODULE_PATHNAME', 'kam_csat_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.ces_sfunc(@extschema@.survey, integer) RETURNS @extschema@.survey
    AS 'MODULE_PATHNAME', 'kam_ces_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.ces_sfunc(@extschema@.survey, integer, integer) RETURNS @extschema@.survey
    AS 'MODULE_PATHNAME', 'kam_ces_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.survey_combine(@extschema@.survey, @extschema@.survey) RETURNS @extschema@.survey
    AS 'MODULE_PATHNAME', 'kam_survey_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.nps(@extschema@.survey) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_survey_nps'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.csat(@extschema@.survey) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_survey_csat'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ces(@extschema@.survey) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_survey_mean'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.responses(@extschema@.survey) RETURNS bigint
    AS 'MODULE_PATHNAME', 'kam_survey_responses'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.nps_interval(s @extschema@.survey, confidence double precision DEFAULT 0.95,
                                         method text DEFAULT 'adjusted_wald')
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_survey_nps_interval'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.nps(@extschema@.survey) IS
    'Net promoter score -100..100 of a survey summary: 100 (promoters - detractors) / answers; NULL without answers';
COMMENT ON FUNCTION @extschema@.csat(@extschema@.survey) IS
    'CSAT of a survey summary: share of answers in the top two boxes; NULL without answers';
COMMENT ON FUNCTION @extschema@.ces(@extschema@.survey) IS
    'Mean answer of a survey summary (customer effort score); NULL without answers';
COMMENT ON FUNCTION @extschema@.responses(@extschema@.survey) IS
    'Number of answers in a survey summary';
COMMENT ON FUNCTION @extschema@.nps_interval(@extschema@.survey, double precision, text) IS
    'NPS with its confidence interval from the closed-form variance (p + d - (p - d)^2) / n: adjusted_wald (3/4 promoter and detractor added, n + 3; default) or wald; clamped to -100..100';

CREATE AGGREGATE @extschema@.nps(score integer) (
    SFUNC = @extschema@.nps_sfunc, STYPE = @extschema@.survey,
    COMBINEFUNC = @extschema@.survey_combine, FINALFUNC = @extschema@.nps, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.nps_agg(score integer) (
    SFUNC = @extschema@.nps_sfunc, STYPE = @extschema@.survey,
    COMBINEFUNC = @extschema@.survey_combine, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.csat(score integer) (
    SFUNC = @extschema@.csat_sfunc, STYPE = @extschema@.survey,
    COMBINEFUNC = @extschema@.survey_combine, FINALFUNC = @extschema@.csat, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.csat(score integer, scale_max integer) (
    SFUNC = @extschema@.csat_sfunc, STYPE = @extschema@.survey,
    COMBINEFUNC = @extschema@.survey_combine, FINALFUNC = @extschema@.csat, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.csat_agg(score integer) (
    SFUNC = @extschema@.csat_sfunc, STYPE = @extschema@.survey,
    COMBINEFUNC = @extschema@.survey_combine, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.csat_agg(score integer, scale_max integer) (
    SFUNC = @extschema@.csat_sfunc, STYPE = @extschema@.survey,
    COMBINEFUNC = @extschema@.survey_combine, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.ces(score integer) (
    SFUNC = @extschema@.ces_sfunc, STYPE = @extschema@.survey,
    COMBINEFUNC = @extschema@.survey_combine, FINALFUNC = @extschema@.ces, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.ces(score integer, scale_max integer) (
    SFUNC = @extschema@.ces_sfunc, STYPE = @extschema@.survey,
    COMBINEFUNC = @extschema@.survey_combine, FINALFUNC = @extschema@.ces, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.ces_agg(score integer) (
    SFUNC = @extschema@.ces_sfunc, STYPE = @extschema@.survey,
    COMBINEFUNC = @extschema@.survey_combine, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.ces_agg(score integer, scale_max integer) (
    SFUNC = @extschema@.ces_sfunc, STYPE = @extschema@.survey,
    COMBINEFUNC = @extschema@.survey_combine, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.rollup(@extschema@.survey) (
    SFUNC = @extschema@.survey_combine, STYPE = @extschema@.survey,
    COMBINEFUNC = @extschema@.survey_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.nps(integer) IS
    'Net promoter score -100..100 of 0-10 answers (promoters 9-10, detractors 0-6); NULL without answers';
COMMENT ON AGGREGATE @extschema@.nps_agg(integer) IS
    'Survey summary of 0-10 NPS answers, for kam.nps, kam.nps_interval and kam.rollup';
COMMENT ON AGGREGATE @extschema@.csat(integer) IS
    'CSAT: share of 1-5 answers that are 4 or 5';
COMMENT ON AGGREGATE @extschema@.csat(integer, integer) IS
    'CSAT: share of 1..scale_max answers in the top two boxes';
COMMENT ON AGGREGATE @extschema@.csat_agg(integer) IS
    'Survey summary of 1-5 CSAT answers';
COMMENT ON AGGREGATE @extschema@.csat_agg(integer, integer) IS
    'Survey summary of 1..scale_max CSAT answers';
COMMENT ON AGGREGATE @extschema@.ces(integer) IS
    'Customer effort score: mean of 1-7 answers';
COMMENT ON AGGREGATE @extschema@.ces(integer, integer) IS
    'Customer effort score: mean of 1..scale_max answers';
COMMENT ON AGGREGATE @extschema@.ces_agg(integer) IS
    'Survey summary of 1-7 CES answers';
COMMENT ON AGGREGATE @extschema@.ces_agg(integer, integer) IS
    'Survey summary of 1..scale_max CES answers';
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.survey) IS
    'Combines survey summaries of disjoint answer sets (accounts -> manager -> team)';

-- health scores
CREATE FUNCTION @extschema@.health_score(measures double precision[], weights double precision[],
                                         policy text DEFAULT 'redistribute')
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_health_score'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.health_score(measures double precision[], weights double precision[],
                                         lows double precision[], highs double precision[],
                                         policy text DEFAULT 'redistribute')
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_health_score'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.health_score(double precision[], double precision[], text) IS
    'Health score 0..100: weighted mean of measures on 0..100; NULL measures by policy redistribute, zero or null';
COMMENT ON FUNCTION @extschema@.health_score(double precision[], double precision[], double precision[], double precision[], text) IS
    'Health score 0..100 of raw measures, each scaled from [low, high] (reversed when low > high) and clamped, then weighted';

-- band schemes, grades and colours
CREATE TYPE @extschema@.band_scheme;
CREATE FUNCTION @extschema@.band_scheme_in(cstring) RETURNS @extschema@.band_scheme
    AS 'MODULE_PATHNAME', 'kam_band_scheme_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.band_scheme_out(@extschema@.band_scheme) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_band_scheme_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.band_scheme (
    INPUT = @extschema@.band_scheme_in,
    OUTPUT = @extschema@.band_scheme_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.band_scheme IS
    '2 to 12 labelled bands over scores: label:upper,... ; band i covers (upper[i-1], upper[i]], the first [0, upper[1]]';
CREATE FUNCTION @extschema@.band_scheme(labels text[], upper_bounds double precision[])
    RETURNS @extschema@.band_scheme
    AS 'MODULE_PATHNAME', 'kam_band_scheme_make'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.band_scheme(text[], double precision[]) IS
    'Band scheme from labels and strictly increasing upper bounds (the first band starts at 0 inclusive)';
CREATE FUNCTION @extschema@.band_scheme_bands(scheme @extschema@.band_scheme,
        OUT band integer, OUT label text, OUT lower double precision, OUT upper double precision)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'kam_band_scheme_bands'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 12;
COMMENT ON FUNCTION @extschema@.band_scheme_bands(@extschema@.band_scheme) IS
    'The bands of a scheme, one row each: (lower, upper], the first including 0';

CREATE TABLE @extschema@.band_schemes (
    name text PRIMARY KEY,
    scheme @extschema@.band_scheme NOT NULL,
    builtin boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.band_schemes IS
    'Named band schemes usable by name in kam.health_grade and kam.health_color; add rows for your own';
INSERT INTO @extschema@.band_schemes VALUES
    ('grade', 'F:60,D:70,C:80,B:90,A:100', true),
    ('color', 'red:50,yellow:75,green:100', true);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.band_schemes', 'WHERE NOT builtin');
GRANT SELECT ON @extschema@.band_schemes TO PUBLIC;
-- in a trusted install the table belongs to the bootstrap superuser: let the installing user manage it
GRANT INSERT, UPDATE, DELETE ON @extschema@.band_schemes TO @extowner@;

CREATE FUNCTION @extschema@.health_grade(score double precision) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_health_grade'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.health_color(score double precision) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_health_color'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.health_grade(score double precision, scheme @extschema@.band_scheme) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_band_with_scheme'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.health_color(score double precision, scheme @extschema@.band_scheme) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_band_with_scheme'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.health_grade(score double precision, scheme_name text) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_band_with_name'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.health_color(score double precision, scheme_name text) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_band_with_name'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.health_grade(double precision) IS
    'Letter grade of a 0..100 score: F to 60, D to 70, C to 80, B to 90, A to 100 (upper bounds inclusive)';
COMMENT ON FUNCTION @extschema@.health_color(double precision) IS
    'Colour of a 0..100 score: red to 50, yellow to 75, green to 100 (upper bounds inclusive)';
COMMENT ON FUNCTION @extschema@.health_grade(double precision, @extschema@.band_scheme) IS
    'Band label of a score under a band scheme';
COMMENT ON FUNCTION @extschema@.health_color(double precision, @extschema@.band_scheme) IS
    'Band label of a score under a band scheme (the same as kam.health_grade with a scheme)';
COMMENT ON FUNCTION @extschema@.health_grade(double precision, text) IS
    'Band label of a score under a scheme stored by name in kam.band_schemes';
COMMENT ON FUNCTION @extschema@.health_color(double precision, text) IS
    'Band label of a score under a scheme stored by name in kam.band_schemes';

-- trend
CREATE TYPE @extschema@.trend;
CREATE FUNCTION @extschema@.trend_in(cstring) RETURNS @extschema@.trend
    AS 'MODULE_PATHNAME', 'kam_trend_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.trend_out(@extschema@.trend) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_trend_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.trend (
    INPUT = @extschema@.trend_in,
    OUTPUT = @extschema@.trend_out,
    INTERNALLENGTH = 48,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.trend IS
    'Least-squares summary of (time, value) points: n, means and co-moments; time in days';
CREATE FUNCTION @extschema@.trend_sfunc(@extschema@.trend, timestamptz, double precision) RETURNS @extschema@.trend
    AS 'MODULE_PATHNAME', 'kam_trend_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.trend_combine(@extschema@.trend, @extschema@.trend) RETURNS @extschema@.trend
    AS 'MODULE_PATHNAME', 'kam_trend_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.trend(at timestamptz, value double precision) (
    SFUNC = @extschema@.trend_sfunc, STYPE = @extschema@.trend,
    COMBINEFUNC = @extschema@.trend_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.trend(timestamptz, double precision) IS
    'Least-squares trend of value over time, read with kam.slope and kam.direction';
CREATE FUNCTION @extschema@.slope(@extschema@.trend) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_trend_slope'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.slope(@extschema@.trend) IS
    'Least-squares slope of value per 30 days; NULL with fewer than 2 points or a single time';
CREATE FUNCTION @extschema@.direction(t @extschema@.trend, dead_band double precision DEFAULT 0) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_trend_direction'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.direction(@extschema@.trend, double precision) IS
    'up, down or flat: flat when |slope per 30 days| <= dead_band';
CREATE FUNCTION @extschema@.observations(@extschema@.trend) RETURNS bigint
    AS 'MODULE_PATHNAME', 'kam_trend_count'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.observations(@extschema@.trend) IS
    'Number of points in a trend';

-- sparklines
CREATE FUNCTION @extschema@.sparkline("values" double precision[]) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_sparkline_array'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sparkline("values" double precision[], low double precision, high double precision) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_sparkline_array'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sparkline(double precision[]) IS
    'Unicode sparkline of the values between their minimum and maximum; NULL is a gap, a constant series sits in the middle';
COMMENT ON FUNCTION @extschema@.sparkline(double precision[], double precision, double precision) IS
    'Unicode sparkline on a fixed scale [low, high] (values outside are clamped), comparable across rows';
CREATE FUNCTION @extschema@.sparkline_sfunc(internal, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_sparkline_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.sparkline_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_sparkline_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.sparkline_serial(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_sparkline_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sparkline_deserial(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_sparkline_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sparkline_final(internal) RETURNS text
    AS 'MODULE_PATHNAME', 'kam_sparkline_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.sparkline(value double precision) (
    SFUNC = @extschema@.sparkline_sfunc, STYPE = internal,
    COMBINEFUNC = @extschema@.sparkline_combine,
    SERIALFUNC = @extschema@.sparkline_serial, DESERIALFUNC = @extschema@.sparkline_deserial,
    FINALFUNC = @extschema@.sparkline_final, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.sparkline(double precision) IS
    'Unicode sparkline of the values in aggregate order (write ORDER BY); NULL values are gaps';

-- Equality and hashing for the summary types (src/equality.c): equal when their text forms are
-- equal.  The hash operator classes make DISTINCT, GROUP BY, UNION, IN and hash joins work
-- whatever the search_path; writing a = b needs schema kam on the search_path (or
-- OPERATOR(kam.=)), like every operator of an extension in its own schema.
CREATE FUNCTION @extschema@.summary_eq(@extschema@.retention, @extschema@.retention) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.retention, @extschema@.retention) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.retention) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.retention, RIGHTARG = @extschema@.retention, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.retention, RIGHTARG = @extschema@.retention, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.retention_ops DEFAULT FOR TYPE @extschema@.retention USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.retention, @extschema@.retention),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.retention);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.retention, @extschema@.retention) IS
    'true when the two retention values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.retention, @extschema@.retention) IS
    'true when the two retention values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.retention) IS
    'hash of the retention value''s text form (hash operator class retention_ops)';
COMMENT ON OPERATOR @extschema@.= (@extschema@.retention, @extschema@.retention) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.retention, @extschema@.retention) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.retention_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on retention values';
COMMENT ON OPERATOR FAMILY @extschema@.retention_ops USING hash IS
    'hash operator family of retention (its text form)';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.survival, @extschema@.survival) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.survival, @extschema@.survival) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.survival) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.survival, RIGHTARG = @extschema@.survival, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.survival, RIGHTARG = @extschema@.survival, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.survival_ops DEFAULT FOR TYPE @extschema@.survival USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.survival, @extschema@.survival),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.survival);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.survival, @extschema@.survival) IS
    'true when the two survival values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.survival, @extschema@.survival) IS
    'true when the two survival values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.survival) IS
    'hash of the survival value''s text form (hash operator class survival_ops)';
COMMENT ON OPERATOR @extschema@.= (@extschema@.survival, @extschema@.survival) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.survival, @extschema@.survival) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.survival_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on survival values';
COMMENT ON OPERATOR FAMILY @extschema@.survival_ops USING hash IS
    'hash operator family of survival (its text form)';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.bgnbd, @extschema@.bgnbd) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.bgnbd, @extschema@.bgnbd) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.bgnbd) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.bgnbd, RIGHTARG = @extschema@.bgnbd, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.bgnbd, RIGHTARG = @extschema@.bgnbd, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.bgnbd_ops DEFAULT FOR TYPE @extschema@.bgnbd USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.bgnbd, @extschema@.bgnbd),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.bgnbd);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.bgnbd, @extschema@.bgnbd) IS
    'true when the two bgnbd values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.bgnbd, @extschema@.bgnbd) IS
    'true when the two bgnbd values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.bgnbd) IS
    'hash of the bgnbd value''s text form (hash operator class bgnbd_ops)';
COMMENT ON OPERATOR @extschema@.= (@extschema@.bgnbd, @extschema@.bgnbd) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.bgnbd, @extschema@.bgnbd) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.bgnbd_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on bgnbd values';
COMMENT ON OPERATOR FAMILY @extschema@.bgnbd_ops USING hash IS
    'hash operator family of bgnbd (its text form)';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.gammagamma, @extschema@.gammagamma) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.gammagamma, @extschema@.gammagamma) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.gammagamma) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.gammagamma, RIGHTARG = @extschema@.gammagamma, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.gammagamma, RIGHTARG = @extschema@.gammagamma, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.gammagamma_ops DEFAULT FOR TYPE @extschema@.gammagamma USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.gammagamma, @extschema@.gammagamma),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.gammagamma);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.gammagamma, @extschema@.gammagamma) IS
    'true when the two gammagamma values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.gammagamma, @extschema@.gammagamma) IS
    'true when the two gammagamma values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.gammagamma) IS
    'hash of the gammagamma value''s text form (hash operator class gammagamma_ops)';
COMMENT ON OPERATOR @extschema@.= (@extschema@.gammagamma, @extschema@.gammagamma) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.gammagamma, @extschema@.gammagamma) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.gammagamma_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on gammagamma values';
COMMENT ON OPERATOR FAMILY @extschema@.gammagamma_ops USING hash IS
    'hash operator family of gammagamma (its text form)';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.scorecard, @extschema@.scorecard) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.scorecard, @extschema@.scorecard) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.scorecard) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.scorecard, RIGHTARG = @extschema@.scorecard, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.scorecard, RIGHTARG = @extschema@.scorecard, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.scorecard_ops DEFAULT FOR TYPE @extschema@.scorecard USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.scorecard, @extschema@.scorecard),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.scorecard);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.scorecard, @extschema@.scorecard) IS
    'true when the two scorecard values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.scorecard, @extschema@.scorecard) IS
    'true when the two scorecard values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.scorecard) IS
    'hash of the scorecard value''s text form (hash operator class scorecard_ops)';
COMMENT ON OPERATOR @extschema@.= (@extschema@.scorecard, @extschema@.scorecard) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.scorecard, @extschema@.scorecard) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.scorecard_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on scorecard values';
COMMENT ON OPERATOR FAMILY @extschema@.scorecard_ops USING hash IS
    'hash operator family of scorecard (its text form)';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.hhi_state, @extschema@.hhi_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.hhi_state, @extschema@.hhi_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.hhi_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.hhi_state, RIGHTARG = @extschema@.hhi_state, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.hhi_state, RIGHTARG = @extschema@.hhi_state, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.hhi_state_ops DEFAULT FOR TYPE @extschema@.hhi_state USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.hhi_state, @extschema@.hhi_state),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.hhi_state);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.hhi_state, @extschema@.hhi_state) IS
    'true when the two hhi_state values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.hhi_state, @extschema@.hhi_state) IS
    'true when the two hhi_state values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.hhi_state) IS
    'hash of the hhi_state value''s text form (hash operator class hhi_state_ops)';
COMMENT ON OPERATOR @extschema@.= (@extschema@.hhi_state, @extschema@.hhi_state) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.hhi_state, @extschema@.hhi_state) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.hhi_state_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on hhi_state values';
COMMENT ON OPERATOR FAMILY @extschema@.hhi_state_ops USING hash IS
    'hash operator family of hhi_state (its text form)';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.forecast_state, @extschema@.forecast_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.forecast_state, @extschema@.forecast_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.forecast_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.forecast_state, RIGHTARG = @extschema@.forecast_state, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.forecast_state, RIGHTARG = @extschema@.forecast_state, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.forecast_state_ops DEFAULT FOR TYPE @extschema@.forecast_state USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.forecast_state, @extschema@.forecast_state),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.forecast_state);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.forecast_state, @extschema@.forecast_state) IS
    'true when the two forecast_state values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.forecast_state, @extschema@.forecast_state) IS
    'true when the two forecast_state values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.forecast_state) IS
    'hash of the forecast_state value''s text form (hash operator class forecast_state_ops)';
COMMENT ON OPERATOR @extschema@.= (@extschema@.forecast_state, @extschema@.forecast_state) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.forecast_state, @extschema@.forecast_state) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.forecast_state_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on forecast_state values';
COMMENT ON OPERATOR FAMILY @extschema@.forecast_state_ops USING hash IS
    'hash operator family of forecast_state (its text form)';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.survey, @extschema@.survey) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.survey, @extschema@.survey) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.survey) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.survey, RIGHTARG = @extschema@.survey, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.survey, RIGHTARG = @extschema@.survey, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.survey_ops DEFAULT FOR TYPE @extschema@.survey USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.survey, @extschema@.survey),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.survey);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.survey, @extschema@.survey) IS
    'true when the two survey values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.survey, @extschema@.survey) IS
    'true when the two survey values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.survey) IS
    'hash of the survey value''s text form (hash operator class survey_ops)';
COMMENT ON OPERATOR @extschema@.= (@extschema@.survey, @extschema@.survey) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.survey, @extschema@.survey) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.survey_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on survey values';
COMMENT ON OPERATOR FAMILY @extschema@.survey_ops USING hash IS
    'hash operator family of survey (its text form)';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.band_scheme, @extschema@.band_scheme) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.band_scheme, @extschema@.band_scheme) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.band_scheme) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.band_scheme, RIGHTARG = @extschema@.band_scheme, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.band_scheme, RIGHTARG = @extschema@.band_scheme, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.band_scheme_ops DEFAULT FOR TYPE @extschema@.band_scheme USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.band_scheme, @extschema@.band_scheme),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.band_scheme);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.band_scheme, @extschema@.band_scheme) IS
    'true when the two band_scheme values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.band_scheme, @extschema@.band_scheme) IS
    'true when the two band_scheme values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.band_scheme) IS
    'hash of the band_scheme value''s text form (hash operator class band_scheme_ops)';
COMMENT ON OPERATOR @extschema@.= (@extschema@.band_scheme, @extschema@.band_scheme) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.band_scheme, @extschema@.band_scheme) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.band_scheme_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on band_scheme values';
COMMENT ON OPERATOR FAMILY @extschema@.band_scheme_ops USING hash IS
    'hash operator family of band_scheme (its text form)';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.trend, @extschema@.trend) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.trend, @extschema@.trend) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.trend) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.trend, RIGHTARG = @extschema@.trend, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.trend, RIGHTARG = @extschema@.trend, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.trend_ops DEFAULT FOR TYPE @extschema@.trend USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.trend, @extschema@.trend),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.trend);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.trend, @extschema@.trend) IS
    'true when the two trend values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.trend, @extschema@.trend) IS
    'true when the two trend values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.trend) IS
    'hash of the trend value''s text form (hash operator class trend_ops)';
COMMENT ON OPERATOR @extschema@.= (@extschema@.trend, @extschema@.trend) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.trend, @extschema@.trend) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.trend_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on trend values';
COMMENT ON OPERATOR FAMILY @extschema@.trend_ops USING hash IS
    'hash operator family of trend (its text form)';
