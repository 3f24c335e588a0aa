-- kam 0.1.0: revenue retention and MRR movements
-- Every object lives in schema kam (@extschema@); every reference is
-- schema-qualified so the script is safe under any search_path.

\echo Use "CREATE EXTENSION kam" to load this file. \quit

-------------------------------------------------------------------------------
-- kam.retention: fixed-size summary of MRR movements
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.retention;

CREATE FUNCTION @extschema@.retention_in(cstring) RETURNS @extschema@.retention
    AS 'MODULE_PATHNAME', 'kam_retention_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.retention_out(@extschema@.retention) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_retention_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.retention_recv(internal) RETURNS @extschema@.retention
    AS 'MODULE_PATHNAME', 'kam_retention_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.retention_send(@extschema@.retention) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_retention_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.retention (
    INPUT = @extschema@.retention_in,
    OUTPUT = @extschema@.retention_out,
    RECEIVE = @extschema@.retention_recv,
    SEND = @extschema@.retention_send,
    INTERNALLENGTH = 144,
    ALIGNMENT = double,
    STORAGE = plain
);

COMMENT ON TYPE @extschema@.retention IS
    'Summary of MRR movements between two dates: starting, new, reactivation, expansion, contraction and churned MRR with account counts';

-- transition / combine functions (not for direct use)
CREATE FUNCTION @extschema@.retention_pair_sfunc(@extschema@.retention, double precision, double precision)
    RETURNS @extschema@.retention
    AS 'MODULE_PATHNAME', 'kam_retention_pair_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.retention_pair_sfunc(@extschema@.retention, double precision, double precision, boolean)
    RETURNS @extschema@.retention
    AS 'MODULE_PATHNAME', 'kam_retention_pair_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.retention_combine(@extschema@.retention, @extschema@.retention)
    RETURNS @extschema@.retention
    AS 'MODULE_PATHNAME', 'kam_retention_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- accessors
CREATE FUNCTION @extschema@.nrr(@extschema@.retention) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_retention_nrr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.grr(@extschema@.retention) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_retention_grr'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.logo_churn_rate(@extschema@.retention) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_retention_logo_churn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.customer_retention_rate(@extschema@.retention) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_retention_customer_retention'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.gross_mrr_churn_rate(@extschema@.retention) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_retention_gross_churn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.net_mrr_churn_rate(@extschema@.retention) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_retention_net_churn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.quick_ratio(@extschema@.retention) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_retention_quick_ratio'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.movements(
        r @extschema@.retention,
        OUT starting_mrr double precision, OUT new_mrr double precision,
        OUT reactivation_mrr double precision, OUT expansion_mrr double precision,
        OUT contraction_mrr double precision, OUT churned_mrr double precision,
        OUT ending_mrr double precision,
        OUT starting_accounts bigint, OUT new_accounts bigint,
        OUT reactivated_accounts bigint, OUT expanded_accounts bigint,
        OUT contracted_accounts bigint, OUT churned_accounts bigint,
        OUT ending_accounts bigint)
    AS 'MODULE_PATHNAME', 'kam_retention_movements'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.nrr(@extschema@.retention) IS
    'Net revenue retention: (starting + expansion - contraction - churned) / starting; NULL without starting MRR';
COMMENT ON FUNCTION @extschema@.grr(@extschema@.retention) IS
    'Gross revenue retention: (starting - contraction - churned) / starting; NULL without starting MRR';
COMMENT ON FUNCTION @extschema@.logo_churn_rate(@extschema@.retention) IS
    'Churned accounts / accounts with starting MRR; NULL when none started';
COMMENT ON FUNCTION @extschema@.customer_retention_rate(@extschema@.retention) IS
    '(accounts paying at the end - new - reactivated) / accounts paying at the start; NULL when none started';
COMMENT ON FUNCTION @extschema@.gross_mrr_churn_rate(@extschema@.retention) IS
    '(contraction + churned) / starting MRR = 1 - GRR; NULL without starting MRR';
COMMENT ON FUNCTION @extschema@.net_mrr_churn_rate(@extschema@.retention) IS
    '(contraction + churned - expansion) / starting MRR = 1 - NRR; NULL without starting MRR';
COMMENT ON FUNCTION @extschema@.quick_ratio(@extschema@.retention) IS
    'SaaS quick ratio: (new + reactivation + expansion) / (contraction + churned); NULL without losses';
COMMENT ON FUNCTION @extschema@.movements(@extschema@.retention) IS
    'MRR movements of a kam.retention summary as one row: amounts (contraction and churned positive) and account counts; ending reconciles with starting';

-- pair form: one row per account
CREATE AGGREGATE @extschema@.retention_agg(start_mrr double precision, end_mrr double precision) (
    SFUNC = @extschema@.retention_pair_sfunc,
    STYPE = @extschema@.retention,
    COMBINEFUNC = @extschema@.retention_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.retention_agg(start_mrr double precision, end_mrr double precision, "returning" boolean) (
    SFUNC = @extschema@.retention_pair_sfunc,
    STYPE = @extschema@.retention,
    COMBINEFUNC = @extschema@.retention_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(double precision, double precision) IS
    'MRR movements from one row per account (MRR at the start, MRR at the end); accounts starting at 0 count as new';
COMMENT ON AGGREGATE @extschema@.retention_agg(double precision, double precision, boolean) IS
    'MRR movements from one row per account (start MRR, end MRR, paid before the window); returning accounts count as reactivation';

-- one-step aggregates
CREATE AGGREGATE @extschema@.nrr(start_mrr double precision, end_mrr double precision) (
    SFUNC = @extschema@.retention_pair_sfunc,
    STYPE = @extschema@.retention,
    COMBINEFUNC = @extschema@.retention_combine,
    FINALFUNC = @extschema@.nrr,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.grr(start_mrr double precision, end_mrr double precision) (
    SFUNC = @extschema@.retention_pair_sfunc,
    STYPE = @extschema@.retention,
    COMBINEFUNC = @extschema@.retention_combine,
    FINALFUNC = @extschema@.grr,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.logo_churn_rate(start_mrr double precision, end_mrr double precision) (
    SFUNC = @extschema@.retention_pair_sfunc,
    STYPE = @extschema@.retention,
    COMBINEFUNC = @extschema@.retention_combine,
    FINALFUNC = @extschema@.logo_churn_rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.nrr(double precision, double precision) IS
    'Net revenue retention over one row per account (start MRR, end MRR)';
COMMENT ON AGGREGATE @extschema@.grr(double precision, double precision) IS
    'Gross revenue retention over one row per account (start MRR, end MRR)';
COMMENT ON AGGREGATE @extschema@.logo_churn_rate(double precision, double precision) IS
    'Logo churn rate over one row per account (start MRR, end MRR)';

-- rollup of summaries (per manager -> team -> company)
CREATE AGGREGATE @extschema@.rollup(@extschema@.retention) (
    SFUNC = @extschema@.retention_combine,
    STYPE = @extschema@.retention,
    COMBINEFUNC = @extschema@.retention_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.retention) IS
    'Combines kam.retention summaries of disjoint account sets into one';

-------------------------------------------------------------------------------
-- per-account forms (internal state with serialize/deserialize)
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, date, double precision, date, date)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.retention_interval_sfunc(internal, anyelement, date, date, double precision, date, date)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_interval_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, date, numeric, date, date)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.retention_interval_sfunc(internal, anyelement, date, date, numeric, date, date)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_interval_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.retention_window_final(internal)
    RETURNS @extschema@.retention
    AS 'MODULE_PATHNAME', 'kam_retention_window_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.acct_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_acct_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.acct_serial(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_acct_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.acct_deserial(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_acct_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at date, mrr double precision, "from" date, "to" date) (
    SFUNC = @extschema@.retention_snapshot_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial,
    DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at date, mrr numeric, "from" date, "to" date) (
    SFUNC = @extschema@.retention_snapshot_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial,
    DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, double precision, date, date) IS
    'MRR movements from snapshots (account, snapshot date, MRR) between two snapshot dates; rows before "from" tell reactivation from new';

CREATE AGGREGATE @extschema@.retention_agg(account anyelement, valid_from date, valid_to date, mrr double precision, "from" date, "to" date) (
    SFUNC = @extschema@.retention_interval_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial,
    DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, valid_from date, valid_to date, mrr numeric, "from" date, "to" date) (
    SFUNC = @extschema@.retention_interval_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial,
    DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, date, double precision, date, date) IS
    'MRR movements from contract intervals (account, valid_from, valid_to, MRR; MRR counts while valid_from <= t < valid_to, NULL valid_to open-ended)';

-------------------------------------------------------------------------------
-- MRR waterfall and cohort retention
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.mrr_movement AS (
    period date,
    previous_period date,
    starting_mrr double precision,
    new_mrr double precision,
    reactivation_mrr double precision,
    expansion_mrr double precision,
    contraction_mrr double precision,
    churned_mrr double precision,
    ending_mrr double precision,
    starting_accounts bigint,
    new_accounts bigint,
    reactivated_accounts bigint,
    expanded_accounts bigint,
    contracted_accounts bigint,
    churned_accounts bigint,
    ending_accounts bigint
);
COMMENT ON TYPE @extschema@.mrr_movement IS
    'One period of an MRR waterfall: movements from previous_period to period';

CREATE TYPE @extschema@.cohort_cell AS (
    cohort date,
    period_number integer,
    period date,
    cohort_accounts bigint,
    cohort_mrr double precision,
    retained_accounts bigint,
    retained_mrr double precision,
    logo_retention double precision,
    revenue_retention double precision
);
COMMENT ON TYPE @extschema@.cohort_cell IS
    'One cell of a cohort table: accounts first paying in cohort, still paying period_number periods later';

CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, date, double precision)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, date, numeric)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.waterfall_final(internal)
    RETURNS @extschema@.mrr_movement[]
    AS 'MODULE_PATHNAME', 'kam_waterfall_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.cohort_final(internal)
    RETURNS @extschema@.cohort_cell[]
    AS 'MODULE_PATHNAME', 'kam_cohort_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at date, mrr double precision) (
    SFUNC = @extschema@.history_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial,
    DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at date, mrr numeric) (
    SFUNC = @extschema@.history_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial,
    DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, double precision) IS
    'MRR waterfall over snapshots (account, snapshot date, MRR): an array of kam.mrr_movement, one per distinct snapshot date; use with unnest()';

CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at date, mrr double precision) (
    SFUNC = @extschema@.history_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial,
    DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at date, mrr numeric) (
    SFUNC = @extschema@.history_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial,
    DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, date, double precision) IS
    'Cohort retention over snapshots (account, snapshot date, MRR): an array of kam.cohort_cell by first-paid period and periods since; use with unnest()';

COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, numeric, date, date) IS
    'MRR movements from snapshots with numeric MRR (read without the numeric-to-text-to-float round trip)';
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, date, numeric, date, date) IS
    'MRR movements from contract intervals with numeric MRR';
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, numeric) IS
    'MRR waterfall over snapshots with numeric MRR: an array of kam.mrr_movement; use with unnest()';
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, date, numeric) IS
    'Cohort retention over snapshots with numeric MRR: an array of kam.cohort_cell; use with unnest()';

-------------------------------------------------------------------------------
-- formula lifetime value
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.ltv(arpa double precision, gross_margin double precision, churn_rate double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_ltv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ltv(double precision, double precision, double precision) IS
    'Lifetime value = arpa * gross_margin / churn_rate (rates per the period of arpa); NULL when churn_rate is 0';

CREATE FUNCTION @extschema@.ltv(arpa double precision, gross_margin double precision, churn_rate double precision,
                                discount_rate double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_ltv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ltv(double precision, double precision, double precision, double precision) IS
    'Discounted lifetime value (Gupta-Lehmann) = m * r / (1 + d - r), m = arpa * gross_margin, r = 1 - churn_rate; NULL when churn and discount are both 0';

CREATE FUNCTION @extschema@.cac_payback(cac double precision, arpa double precision, gross_margin double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_cac_payback'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cac_payback(double precision, double precision, double precision) IS
    'Periods to recover the customer acquisition cost: cac / (arpa * gross_margin); NULL when the margin per period is 0';

-------------------------------------------------------------------------------
-- Kaplan-Meier survival of contracts
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.survival;
CREATE FUNCTION @extschema@.survival_in(cstring) RETURNS @extschema@.survival
    AS 'MODULE_PATHNAME', 'kam_survival_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.survival_out(@extschema@.survival) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_survival_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.survival (
    INPUT = @extschema@.survival_in,
    OUTPUT = @extschema@.survival_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.survival IS
    'Kaplan-Meier life table: events and censorings per lifetime in days, text form (days:events:censored,...)';

CREATE FUNCTION @extschema@.survival_sfunc(internal, date, date, date) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_survival_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.survival_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_survival_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.survival_serial(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_survival_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.survival_deserial(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_survival_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.survival_final(internal) RETURNS @extschema@.survival
    AS 'MODULE_PATHNAME', 'kam_survival_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.survival_agg(started date, ended date, as_of date) (
    SFUNC = @extschema@.survival_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.survival_final,
    COMBINEFUNC = @extschema@.survival_combine,
    SERIALFUNC = @extschema@.survival_serial,
    DESERIALFUNC = @extschema@.survival_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.survival_agg(date, date, date) IS
    'Kaplan-Meier life table of contracts: lifetime ended - started when ended <= as_of, else censored at as_of - started (NULL ended = still active)';

CREATE FUNCTION @extschema@.survival_at(s @extschema@.survival, t double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_survival_at'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_at(@extschema@.survival, double precision) IS
    'Kaplan-Meier survival S(t): share of contracts still alive after t days';
CREATE FUNCTION @extschema@.median_lifetime(s @extschema@.survival) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_survival_median'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.median_lifetime(@extschema@.survival) IS
    'Median lifetime in days: the first lifetime at which S(t) <= 0.5; NULL when the curve stays above 0.5';
CREATE FUNCTION @extschema@.survival_curve(s @extschema@.survival,
        OUT t integer, OUT at_risk bigint, OUT events bigint, OUT censored bigint, OUT survival double precision)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'kam_survival_curve'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.survival_curve(@extschema@.survival) IS
    'The Kaplan-Meier curve: per distinct lifetime t (days), contracts at risk, events, censorings and S(t)';

-------------------------------------------------------------------------------
-- RFM summary (lifetimes conventions)
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.rfm_summary AS (
    frequency integer,
    recency double precision,
    age double precision,
    monetary double precision
);
COMMENT ON TYPE @extschema@.rfm_summary IS
    'RFM summary of one customer: frequency x (repeat periods), recency t_x and age T (in units), monetary (mean of repeat periods)';

CREATE FUNCTION @extschema@.rfm_sfunc(internal, timestamptz, double precision, timestamptz, interval)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_sfunc'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_sfunc(internal, timestamptz, double precision, timestamptz, interval, interval)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_sfunc'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_serial(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_rfm_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_deserial(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_final(internal) RETURNS @extschema@.rfm_summary
    AS 'MODULE_PATHNAME', 'kam_rfm_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.rfm(at timestamptz, amount double precision, observation_end timestamptz, period interval) (
    SFUNC = @extschema@.rfm_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.rfm_final,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serial,
    DESERIALFUNC = @extschema@.rfm_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, double precision, timestamptz, interval) IS
    'RFM summary of one customer''s transactions (lifetimes conventions): one purchase per period, x = periods - 1, t_x and T in periods, monetary = mean of repeat periods';
CREATE AGGREGATE @extschema@.rfm(at timestamptz, amount double precision, observation_end timestamptz, period interval, unit interval) (
    SFUNC = @extschema@.rfm_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.rfm_final,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serial,
    DESERIALFUNC = @extschema@.rfm_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, double precision, timestamptz, interval, interval) IS
    'RFM summary with t_x and T in `unit` (e.g. period 1 day, unit 7 days = lifetimes freq D with freq_multiplier 7)';

-------------------------------------------------------------------------------
-- BG/NBD customer-base model (Fader, Hardie & Lee 2005)
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.bgnbd;
CREATE FUNCTION @extschema@.bgnbd_in(cstring) RETURNS @extschema@.bgnbd
    AS 'MODULE_PATHNAME', 'kam_bgnbd_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_out(@extschema@.bgnbd) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_bgnbd_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.bgnbd (
    INPUT = @extschema@.bgnbd_in,
    OUTPUT = @extschema@.bgnbd_out,
    INTERNALLENGTH = 48,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.bgnbd IS
    'A fitted BG/NBD model: (r=...,alpha=...,a=...,b=...,ll=...,n=...) with log-likelihood ll over n customers';

CREATE FUNCTION @extschema@.bgnbd(r double precision, alpha double precision, a double precision, b double precision)
    RETURNS @extschema@.bgnbd
    AS 'MODULE_PATHNAME', 'kam_bgnbd_make'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd(double precision, double precision, double precision, double precision) IS
    'A BG/NBD model from known parameters (log-likelihood unknown, n = 0)';
CREATE FUNCTION @extschema@.bgnbd_param(model @extschema@.bgnbd, name text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bgnbd_param'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_param(@extschema@.bgnbd, text) IS
    'One parameter of a BG/NBD model by name: r, alpha, a, b, ll (log-likelihood, NULL when unknown) or n (customers)';

CREATE FUNCTION @extschema@.bgnbd_sfunc(internal, double precision, double precision, double precision)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_bgnbd_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_bgnbd_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_serial(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_bgnbd_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_deserial(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_bgnbd_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_final(internal) RETURNS @extschema@.bgnbd
    AS 'MODULE_PATHNAME', 'kam_bgnbd_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.bgnbd_fit(x double precision, t_x double precision, "T" double precision) (
    SFUNC = @extschema@.bgnbd_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_final,
    COMBINEFUNC = @extschema@.bgnbd_combine,
    SERIALFUNC = @extschema@.bgnbd_serial,
    DESERIALFUNC = @extschema@.bgnbd_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(double precision, double precision, double precision) IS
    'Maximum-likelihood BG/NBD fit over one row per customer (frequency x, recency t_x, age T); NULL with a NOTICE for no customers';

CREATE FUNCTION @extschema@.bgnbd_expected(model @extschema@.bgnbd, t double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bgnbd_expected_uncond'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_expected(@extschema@.bgnbd, double precision) IS
    'Expected repeat purchases of a new customer in t periods, E[X(t)]';
CREATE FUNCTION @extschema@.bgnbd_expected(model @extschema@.bgnbd, t double precision, x double precision,
                                           t_x double precision, "T" double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bgnbd_expected_cond'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_expected(@extschema@.bgnbd, double precision, double precision, double precision, double precision) IS
    'Expected purchases in the next t periods of a customer with history (x, t_x, T), E[Y(t) | x, t_x, T]';
CREATE FUNCTION @extschema@.bgnbd_p_alive(model @extschema@.bgnbd, x double precision, t_x double precision, "T" double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bgnbd_p_alive'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_p_alive(@extschema@.bgnbd, double precision, double precision, double precision) IS
    'Probability that a customer with history (x, t_x, T) is still alive';

-------------------------------------------------------------------------------
-- Gamma-Gamma spend model (Fader & Hardie 2013) and customer lifetime value
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.gammagamma;
CREATE FUNCTION @extschema@.gammagamma_in(cstring) RETURNS @extschema@.gammagamma
    AS 'MODULE_PATHNAME', 'kam_gg_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.gammagamma_out(@extschema@.gammagamma) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_gg_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.gammagamma (
    INPUT = @extschema@.gammagamma_in,
    OUTPUT = @extschema@.gammagamma_out,
    INTERNALLENGTH = 40,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.gammagamma IS
    'A fitted Gamma-Gamma spend model: (p=...,q=...,v=...,ll=...,n=...) over n repeat buyers';

CREATE FUNCTION @extschema@.gammagamma(p double precision, q double precision, v double precision)
    RETURNS @extschema@.gammagamma
    AS 'MODULE_PATHNAME', 'kam_gg_make'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma(double precision, double precision, double precision) IS
    'A Gamma-Gamma model from known parameters (log-likelihood unknown, n = 0)';
CREATE FUNCTION @extschema@.gammagamma_param(model @extschema@.gammagamma, name text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_gg_param'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_param(@extschema@.gammagamma, text) IS
    'One parameter of a Gamma-Gamma model by name: p, q, v, ll (NULL when unknown) or n';

CREATE FUNCTION @extschema@.gammagamma_sfunc(internal, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_gg_sfunc'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.gammagamma_final(internal) RETURNS @extschema@.gammagamma
    AS 'MODULE_PATHNAME', 'kam_gg_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.gammagamma_fit(x double precision, monetary double precision) (
    SFUNC = @extschema@.gammagamma_sfunc,
    STYPE = internal,
    FINALFUNC = @extschema@.gammagamma_final,
    COMBINEFUNC = @extschema@.bgnbd_combine,
    SERIALFUNC = @extschema@.bgnbd_serial,
    DESERIALFUNC = @extschema@.bgnbd_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(double precision, double precision) IS
    'Maximum-likelihood Gamma-Gamma fit on repeat buyers (x > 0) with their mean repeat-transaction value; rows with x = 0 are skipped';

CREATE FUNCTION @extschema@.gammagamma_expected(model @extschema@.gammagamma, x double precision, monetary double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_gg_expected'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_expected(@extschema@.gammagamma, double precision, double precision) IS
    'Expected mean transaction value of a customer with x repeat purchases of mean value monetary: p (v + x m) / (p x + q - 1)';

CREATE FUNCTION @extschema@.clv(bgnbd @extschema@.bgnbd, gammagamma @extschema@.gammagamma,
                                x double precision, t_x double precision, "T" double precision,
                                monetary double precision, months integer,
                                monthly_discount_rate double precision, periods_per_month double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_clv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.bgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, integer, double precision, double precision) IS
    'Customer lifetime value over `months` months as lifetimes'' customer_lifetime_value: expected spend times expected purchases per month, discounted monthly';
