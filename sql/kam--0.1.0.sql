-- kam 0.1.0: revenue retention and MRR movements
-- Every object lives in schema kam (@extschema@); every reference is
-- schema-qualified so the script is safe under any search_path.

\echo Use "CREATE EXTENSION kam" to load this file. \quit

-- every user of the database may call kam's functions (EXECUTE is granted to PUBLIC by default)
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

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

CREATE FUNCTION @extschema@.scorecard_add(@extschema@.scorecard, text, double precision, double precision, double precision)
    RETURNS @extschema@.scorecard
    AS 'MODULE_PATHNAME', 'kam_scorecard_add'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.scorecard_add(@extschema@.scorecard, text, double precision, double precision, double precision, text)
    RETURNS @extschema@.scorecard
    AS 'MODULE_PATHNAME', 'kam_scorecard_add'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.scorecard_merge(@extschema@.scorecard, @extschema@.scorecard)
    RETURNS @extschema@.scorecard
    AS 'MODULE_PATHNAME', 'kam_scorecard_merge'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.scorecard_final(@extschema@.scorecard)
    RETURNS @extschema@.scorecard
    AS 'MODULE_PATHNAME', 'kam_scorecard_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.scorecard_agg(criterion text, weight double precision, low double precision, high double precision) (
    SFUNC = @extschema@.scorecard_add,
    STYPE = @extschema@.scorecard,
    COMBINEFUNC = @extschema@.scorecard_merge,
    FINALFUNC = @extschema@.scorecard_final,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.scorecard_agg(criterion text, weight double precision, low double precision, high double precision, policy text) (
    SFUNC = @extschema@.scorecard_add,
    STYPE = @extschema@.scorecard,
    COMBINEFUNC = @extschema@.scorecard_merge,
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
