-- kam 0.2.0 -> 0.3.0: hardening (issue 12).  Every reference is schema-qualified
-- (@extschema@), so the script is safe under any search_path.

\echo Use "ALTER EXTENSION kam UPDATE TO '0.3.0'" to load this file. \quit

-------------------------------------------------------------------------------
-- Schema kam belongs to a superuser (docs/hardening.md, "Who can add objects to kam")
-------------------------------------------------------------------------------
-- CREATE EXTENSION creates the schema named in kam.control as the user who runs it; in a
-- trusted install that is a non-superuser database owner, who could then add an overload
-- (say kam.nrr(numeric, numeric)) that every other role's call, the superuser's included,
-- would run.  The schema passes to the role running this script (the bootstrap superuser in
-- a trusted install), so only superusers can create objects in it; everybody keeps USAGE.
-- An object already in the schema that a non-superuser owns could capture calls the same
-- way: refuse to install over it.
DO $kam$
DECLARE
    foreign_objects text;
BEGIN
    SELECT pg_catalog.string_agg(o.what, ', ') INTO foreign_objects
    FROM (SELECT 'function ' || p.oid::pg_catalog.regprocedure AS what, p.proowner AS owner
          FROM pg_catalog.pg_proc p WHERE p.pronamespace = '@extschema@'::pg_catalog.regnamespace
          UNION ALL
          SELECT 'operator ' || o.oid::pg_catalog.regoperator, o.oprowner
          FROM pg_catalog.pg_operator o WHERE o.oprnamespace = '@extschema@'::pg_catalog.regnamespace
          UNION ALL
          SELECT 'relation ' || c.oid::pg_catalog.regclass, c.relowner
          FROM pg_catalog.pg_class c WHERE c.relnamespace = '@extschema@'::pg_catalog.regnamespace
          UNION ALL
          SELECT 'type ' || t.oid::pg_catalog.regtype, t.typowner
          FROM pg_catalog.pg_type t WHERE t.typnamespace = '@extschema@'::pg_catalog.regnamespace
          UNION ALL
          SELECT 'collation ' || c.collname, c.collowner
          FROM pg_catalog.pg_collation c WHERE c.collnamespace = '@extschema@'::pg_catalog.regnamespace
          UNION ALL
          SELECT 'conversion ' || c.conname, c.conowner
          FROM pg_catalog.pg_conversion c WHERE c.connamespace = '@extschema@'::pg_catalog.regnamespace
          UNION ALL
          SELECT 'operator class ' || c.opcname, c.opcowner
          FROM pg_catalog.pg_opclass c WHERE c.opcnamespace = '@extschema@'::pg_catalog.regnamespace
          UNION ALL
          SELECT 'operator family ' || f.opfname, f.opfowner
          FROM pg_catalog.pg_opfamily f WHERE f.opfnamespace = '@extschema@'::pg_catalog.regnamespace) o
    JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) o.owner
    WHERE NOT r.rolsuper;
    IF foreign_objects IS NOT NULL THEN
        RAISE EXCEPTION 'schema @extschema@ holds objects that a non-superuser owns'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = pg_catalog.left(foreign_objects, 1000),
                  HINT = 'Install kam into an empty schema, or have a superuser drop those objects first.';
    END IF;
END
$kam$;
ALTER SCHEMA @extschema@ OWNER TO CURRENT_USER;
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

-------------------------------------------------------------------------------
-- Built-in band schemes cannot be changed (they are not dumped: a dump must restore them as shipped)
-------------------------------------------------------------------------------
-- 0.2.0 let the installing user edit or add rows marked built-in, and a dump then lost them
-- (the dump keeps WHERE NOT builtin).  An edited built-in scheme is kept as a user scheme
-- named <name>_edited; a user row marked built-in becomes a user row; the shipped rows are
-- put back.
INSERT INTO @extschema@.band_schemes (name, scheme, builtin)
SELECT b.name OPERATOR(pg_catalog.||) '_edited', b.scheme, false
FROM @extschema@.band_schemes b
JOIN (VALUES ('grade', 'F:60,D:70,C:80,B:90,A:100'),
             ('color', 'red:50,yellow:75,green:100')) v(name, shipped)
  ON b.name OPERATOR(pg_catalog.=) v.name
WHERE b.scheme::text OPERATOR(pg_catalog.<>) v.shipped
ON CONFLICT (name) DO NOTHING;
UPDATE @extschema@.band_schemes SET builtin = false
WHERE builtin AND NOT (name OPERATOR(pg_catalog.=) ANY (ARRAY['grade', 'color']));
DELETE FROM @extschema@.band_schemes WHERE name OPERATOR(pg_catalog.=) ANY (ARRAY['grade', 'color']);
INSERT INTO @extschema@.band_schemes VALUES
    ('grade', 'F:60,D:70,C:80,B:90,A:100', true),
    ('color', 'red:50,yellow:75,green:100', true);

CREATE FUNCTION @extschema@.band_schemes_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'kam_band_schemes_guard'
    LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.band_schemes_guard() IS
    'Trigger of kam.band_schemes: the built-in rows (grade, color) cannot be changed or deleted, and no user row may be marked built-in';
CREATE TRIGGER band_schemes_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.band_schemes
    FOR EACH ROW EXECUTE FUNCTION @extschema@.band_schemes_guard();

-------------------------------------------------------------------------------
-- Binary I/O for every stored type (COPY BINARY, binary-mode clients), each form starting with
-- its format version byte; recv checks exactly what the text input checks.  One block per type,
-- the same block but for the type's name.
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.survival_recv(internal) RETURNS @extschema@.survival
    AS 'MODULE_PATHNAME', 'kam_survival_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.survival_send(@extschema@.survival) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_survival_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
ALTER TYPE @extschema@.survival SET (RECEIVE = @extschema@.survival_recv, SEND = @extschema@.survival_send);

CREATE FUNCTION @extschema@.bgnbd_recv(internal) RETURNS @extschema@.bgnbd
    AS 'MODULE_PATHNAME', 'kam_bgnbd_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgnbd_send(@extschema@.bgnbd) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_bgnbd_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
ALTER TYPE @extschema@.bgnbd SET (RECEIVE = @extschema@.bgnbd_recv, SEND = @extschema@.bgnbd_send);

CREATE FUNCTION @extschema@.gammagamma_recv(internal) RETURNS @extschema@.gammagamma
    AS 'MODULE_PATHNAME', 'kam_gammagamma_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.gammagamma_send(@extschema@.gammagamma) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_gammagamma_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
ALTER TYPE @extschema@.gammagamma SET (RECEIVE = @extschema@.gammagamma_recv, SEND = @extschema@.gammagamma_send);

CREATE FUNCTION @extschema@.scorecard_recv(internal) RETURNS @extschema@.scorecard
    AS 'MODULE_PATHNAME', 'kam_scorecard_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.scorecard_send(@extschema@.scorecard) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_scorecard_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
ALTER TYPE @extschema@.scorecard SET (RECEIVE = @extschema@.scorecard_recv, SEND = @extschema@.scorecard_send);

CREATE FUNCTION @extschema@.hhi_state_recv(internal) RETURNS @extschema@.hhi_state
    AS 'MODULE_PATHNAME', 'kam_hhi_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.hhi_state_send(@extschema@.hhi_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_hhi_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
ALTER TYPE @extschema@.hhi_state SET (RECEIVE = @extschema@.hhi_state_recv, SEND = @extschema@.hhi_state_send);

CREATE FUNCTION @extschema@.forecast_state_recv(internal) RETURNS @extschema@.forecast_state
    AS 'MODULE_PATHNAME', 'kam_forecast_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.forecast_state_send(@extschema@.forecast_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_forecast_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
ALTER TYPE @extschema@.forecast_state SET (RECEIVE = @extschema@.forecast_state_recv, SEND = @extschema@.forecast_state_send);

CREATE FUNCTION @extschema@.survey_recv(internal) RETURNS @extschema@.survey
    AS 'MODULE_PATHNAME', 'kam_survey_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.survey_send(@extschema@.survey) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_survey_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
ALTER TYPE @extschema@.survey SET (RECEIVE = @extschema@.survey_recv, SEND = @extschema@.survey_send);

CREATE FUNCTION @extschema@.band_scheme_recv(internal) RETURNS @extschema@.band_scheme
    AS 'MODULE_PATHNAME', 'kam_band_scheme_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.band_scheme_send(@extschema@.band_scheme) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_band_scheme_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
ALTER TYPE @extschema@.band_scheme SET (RECEIVE = @extschema@.band_scheme_recv, SEND = @extschema@.band_scheme_send);

CREATE FUNCTION @extschema@.trend_recv(internal) RETURNS @extschema@.trend
    AS 'MODULE_PATHNAME', 'kam_trend_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.trend_send(@extschema@.trend) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_trend_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
ALTER TYPE @extschema@.trend SET (RECEIVE = @extschema@.trend_recv, SEND = @extschema@.trend_send);

-------------------------------------------------------------------------------
-- The planner's estimate of each internal state's size (CREATE AGGREGATE's SSPACE)
-------------------------------------------------------------------------------
-- Without it the planner takes 8 kB per group for an `internal` state, so a GROUP BY over
-- 100 000 accounts plans a spilling hash aggregation; the states start at a few hundred
-- bytes (the toolkit's arrays and hashes start small and double).  ALTER AGGREGATE cannot
-- set SSPACE and DROP AGGREGATE would take users' views with it, so the catalog row is set.
UPDATE pg_catalog.pg_aggregate a SET aggtransspace = v.sspace
FROM (VALUES ('@extschema@.retention_agg(anyelement, date, double precision, date, date)'::pg_catalog.regprocedure, 512),
             ('@extschema@.retention_agg(anyelement, date, numeric, date, date)', 512),
             ('@extschema@.retention_agg(anyelement, date, date, double precision, date, date)', 512),
             ('@extschema@.retention_agg(anyelement, date, date, numeric, date, date)', 512),
             ('@extschema@.mrr_waterfall(anyelement, date, double precision)', 1024),
             ('@extschema@.mrr_waterfall(anyelement, date, numeric)', 1024),
             ('@extschema@.cohort_retention(anyelement, date, double precision)', 1024),
             ('@extschema@.cohort_retention(anyelement, date, numeric)', 1024),
             ('@extschema@.survival_agg(date, date, date)', 512),
             ('@extschema@.rfm(timestamp with time zone, double precision, timestamp with time zone, interval)', 256),
             ('@extschema@.rfm(timestamp with time zone, double precision, timestamp with time zone, interval, interval)', 256),
             ('@extschema@.bgnbd_fit(double precision, double precision, double precision)', 1024),
             ('@extschema@.gammagamma_fit(double precision, double precision)', 1024),
             ('@extschema@.gini(double precision)', 256),
             ('@extschema@.top_share(double precision, bigint)', 256),
             ('@extschema@.sparkline(double precision)', 256)) v(agg, sspace)
WHERE a.aggfnoid OPERATOR(pg_catalog.=) v.agg;

-------------------------------------------------------------------------------
-- C entry points named after their SQL functions (src/symbols.c keeps the old names)
-------------------------------------------------------------------------------
-- kam_<sqlname> (kam_<sqlname>_<form> where one SQL name has several C functions); the
-- catalog's link symbol of each function is set to the new name.  CREATE OR REPLACE would
-- restate every signature and default; the link symbol is the only change.
UPDATE pg_catalog.pg_proc p SET prosrc = v.new
FROM (VALUES ('kam_acct_deserialize', 'kam_acct_deserial'),
             ('kam_acct_serialize', 'kam_acct_serial'),
             ('kam_band_scheme_make', 'kam_band_scheme'),
             ('kam_bgnbd_deserialize', 'kam_bgnbd_deserial'),
             ('kam_bgnbd_make', 'kam_bgnbd'),
             ('kam_bgnbd_serialize', 'kam_bgnbd_serial'),
             ('kam_gg_expected', 'kam_gammagamma_expected'),
             ('kam_gg_final', 'kam_gammagamma_final'),
             ('kam_gg_in', 'kam_gammagamma_in'),
             ('kam_gg_make', 'kam_gammagamma'),
             ('kam_gg_out', 'kam_gammagamma_out'),
             ('kam_gg_param', 'kam_gammagamma_param'),
             ('kam_gg_sfunc', 'kam_gammagamma_sfunc'),
             ('kam_retention_customer_retention', 'kam_customer_retention_rate'),
             ('kam_retention_expansion_rate', 'kam_expansion_rate'),
             ('kam_retention_gross_churn', 'kam_gross_mrr_churn_rate'),
             ('kam_retention_grr', 'kam_grr'),
             ('kam_retention_logo_churn', 'kam_logo_churn_rate'),
             ('kam_retention_movements', 'kam_movements'),
             ('kam_retention_net_churn', 'kam_net_mrr_churn_rate'),
             ('kam_retention_nrr', 'kam_nrr'),
             ('kam_retention_quick_ratio', 'kam_quick_ratio'),
             ('kam_rfm_deserialize', 'kam_rfm_deserial'),
             ('kam_rfm_serialize', 'kam_rfm_serial'),
             ('kam_scorecard_add', 'kam_scorecard_sfunc'),
             ('kam_scorecard_make', 'kam_scorecard'),
             ('kam_scorecard_merge', 'kam_scorecard_combine'),
             ('kam_sparkline_array', 'kam_sparkline'),
             ('kam_sparkline_deserialize', 'kam_sparkline_deserial'),
             ('kam_sparkline_serialize', 'kam_sparkline_serial'),
             ('kam_survey_csat', 'kam_csat'),
             ('kam_survey_mean', 'kam_ces'),
             ('kam_survey_nps', 'kam_nps'),
             ('kam_survey_nps_interval', 'kam_nps_interval'),
             ('kam_survey_responses', 'kam_responses'),
             ('kam_survival_deserialize', 'kam_survival_deserial'),
             ('kam_survival_median', 'kam_median_lifetime'),
             ('kam_survival_serialize', 'kam_survival_serial'),
             ('kam_top_deserialize', 'kam_top_deserial'),
             ('kam_top_serialize', 'kam_top_serial'),
             ('kam_trend_count', 'kam_observations'),
             ('kam_trend_direction', 'kam_direction'),
             ('kam_trend_slope', 'kam_slope'),
             ('kam_values_deserialize', 'kam_values_deserial'),
             ('kam_values_serialize', 'kam_values_serial')) v(old, new)
WHERE p.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
  AND p.prosrc OPERATOR(pg_catalog.=) v.old;

-------------------------------------------------------------------------------
-- From billing lines to MRR (docs/ledger.md)
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.monthly_amount(amount numeric, unit text, count integer DEFAULT 1)
    RETURNS numeric
    AS 'MODULE_PATHNAME', 'kam_monthly_amount'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.monthly_amount(numeric, text, integer) IS
    'A recurring charge of amount per count units (day, week, month, quarter, year) as an exact monthly amount: day x 365/12, week x 52/12, quarter / 3, year / 12, then / count';

CREATE TYPE @extschema@.discount AS (percent numeric, amount numeric, duration text, months integer);
COMMENT ON TYPE @extschema@.discount IS
    'A billing system''s discount: percent (0-100) or amount per billing period; duration once (first billing period), repeating (months from the line''s start) or forever';
CREATE FUNCTION @extschema@.discount(percent numeric DEFAULT NULL, amount numeric DEFAULT NULL,
                                     duration text DEFAULT 'forever', months integer DEFAULT NULL)
    RETURNS @extschema@.discount
    AS 'MODULE_PATHNAME', 'kam_discount'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.discount(numeric, numeric, text, integer) IS
    'A checked kam.discount: exactly one of percent (0-100) and amount, months with a repeating discount only';

CREATE FUNCTION @extschema@.mrr_schedule(valid_from date, valid_to date, amount numeric, unit text, count integer,
                                         "from" date, "to" date, grain text DEFAULT 'month', anchor text DEFAULT 'start',
                                         trial_end date DEFAULT NULL, paused anycompatible DEFAULT NULL,
                                         discount @extschema@.discount DEFAULT NULL, discounts text DEFAULT 'deduct')
    RETURNS TABLE (at date, mrr numeric)
    AS 'MODULE_PATHNAME', 'kam_mrr_schedule'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 24;
COMMENT ON FUNCTION @extschema@.mrr_schedule(date, date, numeric, text, integer, date, date, text, text, date, anycompatible, @extschema@.discount, text) IS
    'MRR of one subscription line per period start at (from <= at <= to) of the grain where the line counts (anchor start, end or any; valid_from <= t < valid_to, NULL valid_to open): kam.monthly_amount less the discount active then, 0 in a trial or a pause (paused: a daterange, a datemultirange or the text of either)';
-- the same with timestamps (the day in the session time zone): STABLE
CREATE FUNCTION @extschema@.mrr_schedule(valid_from timestamptz, valid_to timestamptz, amount numeric, unit text, count integer,
                                         "from" timestamptz, "to" timestamptz, grain text DEFAULT 'month', anchor text DEFAULT 'start',
                                         trial_end timestamptz DEFAULT NULL, paused anycompatible DEFAULT NULL,
                                         discount @extschema@.discount DEFAULT NULL, discounts text DEFAULT 'deduct')
    RETURNS TABLE (at date, mrr numeric)
    AS 'MODULE_PATHNAME', 'kam_mrr_schedule'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 24;
COMMENT ON FUNCTION @extschema@.mrr_schedule(timestamptz, timestamptz, numeric, text, integer, timestamptz, timestamptz, text, text, timestamptz, anycompatible, @extschema@.discount, text) IS
    'kam.mrr_schedule with timestamp or timestamptz dates, each truncated to the day in the session time zone';

-------------------------------------------------------------------------------
-- Dates as timestamps, and the grain forms: kam.retention_agg (docs/retention.md)
-------------------------------------------------------------------------------
-- Every date argument also takes timestamp and timestamptz (the day in the session time
-- zone: those forms are STABLE); a trailing grain truncates at, from and to to it (snapshots
-- dated on billing days), and without one a window date no row has raises a WARNING.
-- Rows may be negative (credit lines); only an account's total at a date may not.

CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, date, double precision, date, date, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at date, mrr double precision, "from" date, "to" date, grain text) (
    SFUNC = @extschema@.retention_snapshot_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, double precision, date, date, text) IS
    'MRR movements from snapshots (account, snapshot date, MRR) between two dates; at, from and to truncated to the grain';
CREATE FUNCTION @extschema@.retention_interval_sfunc(internal, anyelement, date, date, double precision, date, date, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_interval_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, valid_from date, valid_to date, mrr double precision, "from" date, "to" date, grain text) (
    SFUNC = @extschema@.retention_interval_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, date, double precision, date, date, text) IS
    'MRR movements from contract intervals (valid_from <= t < valid_to, NULL valid_to open-ended); from and to truncated to the grain';
CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, timestamptz, double precision, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at timestamptz, mrr double precision, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.retention_snapshot_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, double precision, timestamptz, timestamptz) IS
    'MRR movements from snapshots (account, snapshot date, MRR) between two dates; timestamps as days in the session time zone';
CREATE FUNCTION @extschema@.retention_interval_sfunc(internal, anyelement, timestamptz, timestamptz, double precision, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_interval_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr double precision, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.retention_interval_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, timestamptz, double precision, timestamptz, timestamptz) IS
    'MRR movements from contract intervals (valid_from <= t < valid_to, NULL valid_to open-ended); timestamps as days in the session time zone';
CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, timestamptz, double precision, timestamptz, timestamptz, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at timestamptz, mrr double precision, "from" timestamptz, "to" timestamptz, grain text) (
    SFUNC = @extschema@.retention_snapshot_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, double precision, timestamptz, timestamptz, text) IS
    'MRR movements from snapshots (account, snapshot date, MRR) between two dates; at, from and to truncated to the grain; timestamps as days in the session time zone';
CREATE FUNCTION @extschema@.retention_interval_sfunc(internal, anyelement, timestamptz, timestamptz, double precision, timestamptz, timestamptz, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_interval_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr double precision, "from" timestamptz, "to" timestamptz, grain text) (
    SFUNC = @extschema@.retention_interval_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, timestamptz, double precision, timestamptz, timestamptz, text) IS
    'MRR movements from contract intervals (valid_from <= t < valid_to, NULL valid_to open-ended); from and to truncated to the grain; timestamps as days in the session time zone';
CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, date, numeric, date, date, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at date, mrr numeric, "from" date, "to" date, grain text) (
    SFUNC = @extschema@.retention_snapshot_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, numeric, date, date, text) IS
    'MRR movements from snapshots (account, snapshot date, MRR) between two dates; at, from and to truncated to the grain';
CREATE FUNCTION @extschema@.retention_interval_sfunc(internal, anyelement, date, date, numeric, date, date, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_interval_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, valid_from date, valid_to date, mrr numeric, "from" date, "to" date, grain text) (
    SFUNC = @extschema@.retention_interval_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, date, numeric, date, date, text) IS
    'MRR movements from contract intervals (valid_from <= t < valid_to, NULL valid_to open-ended); from and to truncated to the grain';
CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, timestamptz, numeric, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at timestamptz, mrr numeric, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.retention_snapshot_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, numeric, timestamptz, timestamptz) IS
    'MRR movements from snapshots (account, snapshot date, MRR) between two dates; timestamps as days in the session time zone';
CREATE FUNCTION @extschema@.retention_interval_sfunc(internal, anyelement, timestamptz, timestamptz, numeric, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_interval_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr numeric, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.retention_interval_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, timestamptz, numeric, timestamptz, timestamptz) IS
    'MRR movements from contract intervals (valid_from <= t < valid_to, NULL valid_to open-ended); timestamps as days in the session time zone';
CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, timestamptz, numeric, timestamptz, timestamptz, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at timestamptz, mrr numeric, "from" timestamptz, "to" timestamptz, grain text) (
    SFUNC = @extschema@.retention_snapshot_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, numeric, timestamptz, timestamptz, text) IS
    'MRR movements from snapshots (account, snapshot date, MRR) between two dates; at, from and to truncated to the grain; timestamps as days in the session time zone';
CREATE FUNCTION @extschema@.retention_interval_sfunc(internal, anyelement, timestamptz, timestamptz, numeric, timestamptz, timestamptz, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_interval_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr numeric, "from" timestamptz, "to" timestamptz, grain text) (
    SFUNC = @extschema@.retention_interval_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, timestamptz, numeric, timestamptz, timestamptz, text) IS
    'MRR movements from contract intervals (valid_from <= t < valid_to, NULL valid_to open-ended); from and to truncated to the grain; timestamps as days in the session time zone';

-- kam.survival_agg over timestamps
CREATE FUNCTION @extschema@.survival_sfunc(internal, timestamptz, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_survival_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.survival_agg(started timestamptz, ended timestamptz, as_of timestamptz) (
    SFUNC = @extschema@.survival_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.survival_final,
    COMBINEFUNC = @extschema@.survival_combine, SERIALFUNC = @extschema@.survival_serial,
    DESERIALFUNC = @extschema@.survival_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.survival_agg(timestamptz, timestamptz, timestamptz) IS
    'Kaplan-Meier life table of contracts over timestamps (days in the session time zone); NULL ended = still active, censored at as_of';


-------------------------------------------------------------------------------
-- The pair forms over numeric money, read natively (exactly as numeric::float8, without its
-- round trip through text)
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.retention_pair_sfunc(@extschema@.retention, numeric, numeric)
    RETURNS @extschema@.retention
    AS 'MODULE_PATHNAME', 'kam_retention_pair_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.retention_pair_sfunc(@extschema@.retention, numeric, numeric, boolean)
    RETURNS @extschema@.retention
    AS 'MODULE_PATHNAME', 'kam_retention_pair_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(start_mrr numeric, end_mrr numeric) (
    SFUNC = @extschema@.retention_pair_sfunc,
    STYPE = @extschema@.retention,
    COMBINEFUNC = @extschema@.retention_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(numeric, numeric) IS
    'MRR movements from one row per account (MRR at the start, MRR at the end), numeric money; accounts starting at 0 count as new';
CREATE AGGREGATE @extschema@.retention_agg(start_mrr numeric, end_mrr numeric, "returning" boolean) (
    SFUNC = @extschema@.retention_pair_sfunc,
    STYPE = @extschema@.retention,
    COMBINEFUNC = @extschema@.retention_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(numeric, numeric, boolean) IS
    'MRR movements from one row per account, numeric money; returning tells reactivation from new';
CREATE AGGREGATE @extschema@.nrr(start_mrr numeric, end_mrr numeric) (
    SFUNC = @extschema@.retention_pair_sfunc,
    STYPE = @extschema@.retention,
    COMBINEFUNC = @extschema@.retention_combine,
    FINALFUNC = @extschema@.nrr,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.nrr(numeric, numeric) IS
    'Net revenue retention over one row per account (start MRR, end MRR), numeric money';
CREATE AGGREGATE @extschema@.grr(start_mrr numeric, end_mrr numeric) (
    SFUNC = @extschema@.retention_pair_sfunc,
    STYPE = @extschema@.retention,
    COMBINEFUNC = @extschema@.retention_combine,
    FINALFUNC = @extschema@.grr,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.grr(numeric, numeric) IS
    'Gross revenue retention over one row per account (start MRR, end MRR), numeric money';
CREATE AGGREGATE @extschema@.logo_churn_rate(start_mrr numeric, end_mrr numeric) (
    SFUNC = @extschema@.retention_pair_sfunc,
    STYPE = @extschema@.retention,
    COMBINEFUNC = @extschema@.retention_combine,
    FINALFUNC = @extschema@.logo_churn_rate,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.logo_churn_rate(numeric, numeric) IS
    'Logo churn rate over one row per account (start MRR, end MRR), numeric money';

-------------------------------------------------------------------------------
-- Calendars for kam.mrr_waterfall and kam.cohort_retention (docs/retention.md)
-------------------------------------------------------------------------------
-- A trailing grain makes every period of it from the first to the last in the input a period
-- (dates truncated: billing-day snapshots work); a grain with "from" and "to" gives every group
-- the same calendar, so per-account results add up to the company's; the contract-interval
-- forms (account, valid_from, valid_to, mrr, grain [, from, to]); timestamps for dates.
CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, date, double precision, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at date, mrr double precision, grain text) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, double precision, text) IS
    'MRR waterfall over snapshots (account, snapshot date, MRR): an array of kam.mrr_movement, every period of the grain from the first to the last in the input; use with unnest()';
CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, date, double precision, text, date, date) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at date, mrr double precision, grain text, "from" date, "to" date) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, double precision, text, date, date) IS
    'MRR waterfall over snapshots (account, snapshot date, MRR): an array of kam.mrr_movement, every period of the grain from "from" to "to"; use with unnest()';
CREATE FUNCTION @extschema@.history_interval_sfunc(internal, anyelement, date, date, double precision, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_interval_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, valid_from date, valid_to date, mrr double precision, grain text) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, date, double precision, text) IS
    'MRR waterfall over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.mrr_movement, every period of the grain from the first to the last in the input; use with unnest()';
CREATE FUNCTION @extschema@.history_interval_sfunc(internal, anyelement, date, date, double precision, text, date, date) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_interval_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, valid_from date, valid_to date, mrr double precision, grain text, "from" date, "to" date) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, date, double precision, text, date, date) IS
    'MRR waterfall over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.mrr_movement, every period of the grain from "from" to "to"; use with unnest()';
CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, timestamptz, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at timestamptz, mrr double precision) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, double precision) IS
    'MRR waterfall over snapshots (account, snapshot date, MRR): an array of kam.mrr_movement, one period per distinct date; timestamps as days in the session time zone; use with unnest()';
CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, timestamptz, double precision, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at timestamptz, mrr double precision, grain text) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, double precision, text) IS
    'MRR waterfall over snapshots (account, snapshot date, MRR): an array of kam.mrr_movement, every period of the grain from the first to the last in the input; timestamps as days in the session time zone; use with unnest()';
CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, timestamptz, double precision, text, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at timestamptz, mrr double precision, grain text, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, double precision, text, timestamptz, timestamptz) IS
    'MRR waterfall over snapshots (account, snapshot date, MRR): an array of kam.mrr_movement, every period of the grain from "from" to "to"; timestamps as days in the session time zone; use with unnest()';
CREATE FUNCTION @extschema@.history_interval_sfunc(internal, anyelement, timestamptz, timestamptz, double precision, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_interval_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr double precision, grain text) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, timestamptz, double precision, text) IS
    'MRR waterfall over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.mrr_movement, every period of the grain from the first to the last in the input; timestamps as days in the session time zone; use with unnest()';
CREATE FUNCTION @extschema@.history_interval_sfunc(internal, anyelement, timestamptz, timestamptz, double precision, text, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_interval_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr double precision, grain text, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, timestamptz, double precision, text, timestamptz, timestamptz) IS
    'MRR waterfall over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.mrr_movement, every period of the grain from "from" to "to"; timestamps as days in the session time zone; use with unnest()';
CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, date, numeric, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at date, mrr numeric, grain text) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, numeric, text) IS
    'MRR waterfall over snapshots (account, snapshot date, MRR): an array of kam.mrr_movement, every period of the grain from the first to the last in the input; use with unnest()';
CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, date, numeric, text, date, date) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at date, mrr numeric, grain text, "from" date, "to" date) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, numeric, text, date, date) IS
    'MRR waterfall over snapshots (account, snapshot date, MRR): an array of kam.mrr_movement, every period of the grain from "from" to "to"; use with unnest()';
CREATE FUNCTION @extschema@.history_interval_sfunc(internal, anyelement, date, date, numeric, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_interval_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, valid_from date, valid_to date, mrr numeric, grain text) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, date, numeric, text) IS
    'MRR waterfall over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.mrr_movement, every period of the grain from the first to the last in the input; use with unnest()';
CREATE FUNCTION @extschema@.history_interval_sfunc(internal, anyelement, date, date, numeric, text, date, date) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_interval_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, valid_from date, valid_to date, mrr numeric, grain text, "from" date, "to" date) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, date, numeric, text, date, date) IS
    'MRR waterfall over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.mrr_movement, every period of the grain from "from" to "to"; use with unnest()';
CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, timestamptz, numeric) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at timestamptz, mrr numeric) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, numeric) IS
    'MRR waterfall over snapshots (account, snapshot date, MRR): an array of kam.mrr_movement, one period per distinct date; timestamps as days in the session time zone; use with unnest()';
CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, timestamptz, numeric, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at timestamptz, mrr numeric, grain text) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, numeric, text) IS
    'MRR waterfall over snapshots (account, snapshot date, MRR): an array of kam.mrr_movement, every period of the grain from the first to the last in the input; timestamps as days in the session time zone; use with unnest()';
CREATE FUNCTION @extschema@.history_sfunc(internal, anyelement, timestamptz, numeric, text, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at timestamptz, mrr numeric, grain text, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, numeric, text, timestamptz, timestamptz) IS
    'MRR waterfall over snapshots (account, snapshot date, MRR): an array of kam.mrr_movement, every period of the grain from "from" to "to"; timestamps as days in the session time zone; use with unnest()';
CREATE FUNCTION @extschema@.history_interval_sfunc(internal, anyelement, timestamptz, timestamptz, numeric, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_interval_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr numeric, grain text) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, timestamptz, numeric, text) IS
    'MRR waterfall over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.mrr_movement, every period of the grain from the first to the last in the input; timestamps as days in the session time zone; use with unnest()';
CREATE FUNCTION @extschema@.history_interval_sfunc(internal, anyelement, timestamptz, timestamptz, numeric, text, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_interval_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr numeric, grain text, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, timestamptz, numeric, text, timestamptz, timestamptz) IS
    'MRR waterfall over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.mrr_movement, every period of the grain from "from" to "to"; timestamps as days in the session time zone; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at date, mrr double precision, grain text) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, date, double precision, text) IS
    'Cohort retention over snapshots (account, snapshot date, MRR): an array of kam.cohort_cell, every period of the grain from the first to the last in the input; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at date, mrr double precision, grain text, "from" date, "to" date) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, date, double precision, text, date, date) IS
    'Cohort retention over snapshots (account, snapshot date, MRR): an array of kam.cohort_cell, every period of the grain from "from" to "to"; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, valid_from date, valid_to date, mrr double precision, grain text) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, date, date, double precision, text) IS
    'Cohort retention over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.cohort_cell, every period of the grain from the first to the last in the input; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, valid_from date, valid_to date, mrr double precision, grain text, "from" date, "to" date) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, date, date, double precision, text, date, date) IS
    'Cohort retention over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.cohort_cell, every period of the grain from "from" to "to"; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at timestamptz, mrr double precision) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, double precision) IS
    'Cohort retention over snapshots (account, snapshot date, MRR): an array of kam.cohort_cell, one period per distinct date; timestamps as days in the session time zone; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at timestamptz, mrr double precision, grain text) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, double precision, text) IS
    'Cohort retention over snapshots (account, snapshot date, MRR): an array of kam.cohort_cell, every period of the grain from the first to the last in the input; timestamps as days in the session time zone; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at timestamptz, mrr double precision, grain text, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, double precision, text, timestamptz, timestamptz) IS
    'Cohort retention over snapshots (account, snapshot date, MRR): an array of kam.cohort_cell, every period of the grain from "from" to "to"; timestamps as days in the session time zone; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr double precision, grain text) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, timestamptz, double precision, text) IS
    'Cohort retention over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.cohort_cell, every period of the grain from the first to the last in the input; timestamps as days in the session time zone; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr double precision, grain text, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, timestamptz, double precision, text, timestamptz, timestamptz) IS
    'Cohort retention over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.cohort_cell, every period of the grain from "from" to "to"; timestamps as days in the session time zone; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at date, mrr numeric, grain text) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, date, numeric, text) IS
    'Cohort retention over snapshots (account, snapshot date, MRR): an array of kam.cohort_cell, every period of the grain from the first to the last in the input; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at date, mrr numeric, grain text, "from" date, "to" date) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, date, numeric, text, date, date) IS
    'Cohort retention over snapshots (account, snapshot date, MRR): an array of kam.cohort_cell, every period of the grain from "from" to "to"; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, valid_from date, valid_to date, mrr numeric, grain text) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, date, date, numeric, text) IS
    'Cohort retention over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.cohort_cell, every period of the grain from the first to the last in the input; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, valid_from date, valid_to date, mrr numeric, grain text, "from" date, "to" date) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, date, date, numeric, text, date, date) IS
    'Cohort retention over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.cohort_cell, every period of the grain from "from" to "to"; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at timestamptz, mrr numeric) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, numeric) IS
    'Cohort retention over snapshots (account, snapshot date, MRR): an array of kam.cohort_cell, one period per distinct date; timestamps as days in the session time zone; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at timestamptz, mrr numeric, grain text) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, numeric, text) IS
    'Cohort retention over snapshots (account, snapshot date, MRR): an array of kam.cohort_cell, every period of the grain from the first to the last in the input; timestamps as days in the session time zone; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, at timestamptz, mrr numeric, grain text, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.history_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, numeric, text, timestamptz, timestamptz) IS
    'Cohort retention over snapshots (account, snapshot date, MRR): an array of kam.cohort_cell, every period of the grain from "from" to "to"; timestamps as days in the session time zone; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr numeric, grain text) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, timestamptz, numeric, text) IS
    'Cohort retention over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.cohort_cell, every period of the grain from the first to the last in the input; timestamps as days in the session time zone; use with unnest()';
CREATE AGGREGATE @extschema@.cohort_retention(account anyelement, valid_from timestamptz, valid_to timestamptz, mrr numeric, grain text, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.history_interval_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.cohort_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cohort_retention(anyelement, timestamptz, timestamptz, numeric, text, timestamptz, timestamptz) IS
    'Cohort retention over contract intervals (valid_from <= period start < valid_to, NULL valid_to open-ended): an array of kam.cohort_cell, every period of the grain from "from" to "to"; timestamps as days in the session time zone; use with unnest()';

-------------------------------------------------------------------------------
-- Customer lifetimes, not contract phases: kam.survival_agg per account (docs/ltv.md)
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.survival_account_sfunc(internal, anyelement, date, date, date, integer) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_survival_account_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.survival_account_sfunc(internal, anyelement, timestamptz, timestamptz, timestamptz, integer) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_survival_account_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.survival_account_final(internal) RETURNS @extschema@.survival
    AS 'MODULE_PATHNAME', 'kam_survival_account_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.survival_agg(account anyelement, started date, ended date, as_of date, gap_days integer) (
    SFUNC = @extschema@.survival_account_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.survival_account_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.survival_agg(anyelement, date, date, date, integer) IS
    'Kaplan-Meier life table of customers: each account''s consecutive contracts (gaps up to gap_days) joined into one lifetime, so a renewal or an upgrade is not a death; NULL ended = still active';
CREATE AGGREGATE @extschema@.survival_agg(account anyelement, started timestamptz, ended timestamptz, as_of timestamptz, gap_days integer) (
    SFUNC = @extschema@.survival_account_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.survival_account_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.survival_agg(anyelement, timestamptz, timestamptz, timestamptz, integer) IS
    'Kaplan-Meier life table of customers over timestamps (days in the session time zone), consecutive contracts joined';

-------------------------------------------------------------------------------
-- Currencies (docs/retention.md): the rate forms and the fx movement
-------------------------------------------------------------------------------
-- kam.movements and the waterfall rows gain fx_mrr (0 without rates), so that
-- starting + new + reactivation + expansion - contraction - churned + fx = ending.
-- kam.movements has OUT columns: it is dropped and created again (a view over it must be
-- dropped before ALTER EXTENSION kam UPDATE and created again after).
DROP FUNCTION @extschema@.movements(@extschema@.retention);
CREATE FUNCTION @extschema@.movements(
        r @extschema@.retention,
        OUT starting_mrr double precision, OUT new_mrr double precision,
        OUT reactivation_mrr double precision, OUT expansion_mrr double precision,
        OUT contraction_mrr double precision, OUT churned_mrr double precision,
        OUT ending_mrr double precision,
        OUT starting_accounts bigint, OUT new_accounts bigint,
        OUT reactivated_accounts bigint, OUT expanded_accounts bigint,
        OUT contracted_accounts bigint, OUT churned_accounts bigint,
        OUT ending_accounts bigint, OUT fx_mrr double precision)
    AS 'MODULE_PATHNAME', 'kam_movements'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.movements(@extschema@.retention) IS
    'MRR movements of a kam.retention summary as one row: amounts (contraction and churned positive), account counts, and the fx movement of the rate forms (0 without rates); ending reconciles with starting';
ALTER TYPE @extschema@.mrr_movement ADD ATTRIBUTE fx_mrr double precision;

CREATE FUNCTION @extschema@.retention_snapshot_rate_sfunc(internal, anyelement, date, double precision, double precision, date, date) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_rate_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at date, mrr double precision, rate double precision, "from" date, "to" date) (
    SFUNC = @extschema@.retention_snapshot_rate_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, double precision, double precision, date, date) IS
    'MRR movements from snapshots in several currencies: rate converts a row to the reporting currency on its date; movements at constant currency (an account''s start rate), the rest is the fx movement';
CREATE FUNCTION @extschema@.history_rate_sfunc(internal, anyelement, date, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_rate_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at date, mrr double precision, rate double precision) (
    SFUNC = @extschema@.history_rate_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, double precision, double precision) IS
    'MRR waterfall over snapshots in several currencies (rate: reporting-currency units per unit of the row''s currency on its date): movements at constant currency, the rest in fx_mrr';
CREATE FUNCTION @extschema@.history_rate_sfunc(internal, anyelement, date, double precision, double precision, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_rate_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at date, mrr double precision, rate double precision, grain text) (
    SFUNC = @extschema@.history_rate_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, double precision, double precision, text) IS
    'MRR waterfall over snapshots in several currencies (rate: reporting-currency units per unit of the row''s currency on its date): movements at constant currency, the rest in fx_mrr; every period of the grain';
CREATE FUNCTION @extschema@.retention_snapshot_rate_sfunc(internal, anyelement, timestamptz, double precision, double precision, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_rate_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at timestamptz, mrr double precision, rate double precision, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.retention_snapshot_rate_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, double precision, double precision, timestamptz, timestamptz) IS
    'MRR movements from snapshots in several currencies: rate converts a row to the reporting currency on its date; movements at constant currency (an account''s start rate), the rest is the fx movement';
CREATE FUNCTION @extschema@.history_rate_sfunc(internal, anyelement, timestamptz, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_rate_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at timestamptz, mrr double precision, rate double precision) (
    SFUNC = @extschema@.history_rate_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, double precision, double precision) IS
    'MRR waterfall over snapshots in several currencies (rate: reporting-currency units per unit of the row''s currency on its date): movements at constant currency, the rest in fx_mrr';
CREATE FUNCTION @extschema@.history_rate_sfunc(internal, anyelement, timestamptz, double precision, double precision, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_rate_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at timestamptz, mrr double precision, rate double precision, grain text) (
    SFUNC = @extschema@.history_rate_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, double precision, double precision, text) IS
    'MRR waterfall over snapshots in several currencies (rate: reporting-currency units per unit of the row''s currency on its date): movements at constant currency, the rest in fx_mrr; every period of the grain';
CREATE FUNCTION @extschema@.retention_snapshot_rate_sfunc(internal, anyelement, date, numeric, double precision, date, date) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_rate_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at date, mrr numeric, rate double precision, "from" date, "to" date) (
    SFUNC = @extschema@.retention_snapshot_rate_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, numeric, double precision, date, date) IS
    'MRR movements from snapshots in several currencies: rate converts a row to the reporting currency on its date; movements at constant currency (an account''s start rate), the rest is the fx movement';
CREATE FUNCTION @extschema@.history_rate_sfunc(internal, anyelement, date, numeric, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_rate_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at date, mrr numeric, rate double precision) (
    SFUNC = @extschema@.history_rate_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, numeric, double precision) IS
    'MRR waterfall over snapshots in several currencies (rate: reporting-currency units per unit of the row''s currency on its date): movements at constant currency, the rest in fx_mrr';
CREATE FUNCTION @extschema@.history_rate_sfunc(internal, anyelement, date, numeric, double precision, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_rate_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at date, mrr numeric, rate double precision, grain text) (
    SFUNC = @extschema@.history_rate_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, date, numeric, double precision, text) IS
    'MRR waterfall over snapshots in several currencies (rate: reporting-currency units per unit of the row''s currency on its date): movements at constant currency, the rest in fx_mrr; every period of the grain';
CREATE FUNCTION @extschema@.retention_snapshot_rate_sfunc(internal, anyelement, timestamptz, numeric, double precision, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_rate_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at timestamptz, mrr numeric, rate double precision, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.retention_snapshot_rate_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, numeric, double precision, timestamptz, timestamptz) IS
    'MRR movements from snapshots in several currencies: rate converts a row to the reporting currency on its date; movements at constant currency (an account''s start rate), the rest is the fx movement';
CREATE FUNCTION @extschema@.history_rate_sfunc(internal, anyelement, timestamptz, numeric, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_rate_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at timestamptz, mrr numeric, rate double precision) (
    SFUNC = @extschema@.history_rate_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, numeric, double precision) IS
    'MRR waterfall over snapshots in several currencies (rate: reporting-currency units per unit of the row''s currency on its date): movements at constant currency, the rest in fx_mrr';
CREATE FUNCTION @extschema@.history_rate_sfunc(internal, anyelement, timestamptz, numeric, double precision, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_history_rate_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.mrr_waterfall(account anyelement, at timestamptz, mrr numeric, rate double precision, grain text) (
    SFUNC = @extschema@.history_rate_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.waterfall_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mrr_waterfall(anyelement, timestamptz, numeric, double precision, text) IS
    'MRR waterfall over snapshots in several currencies (rate: reporting-currency units per unit of the row''s currency on its date): movements at constant currency, the rest in fx_mrr; every period of the grain';

-- The grain form called with quoted dates ('2024-01-15', '2024-02-15', 'month') would be
-- ambiguous with the rate form (account, at, mrr, rate, "from", "to"): PostgreSQL cannot tell
-- whether the first literal is a date or a rate.  These forms take the window's dates as text
-- (read as date_in reads them; a string literal picks them), so such a call means the grain
-- form, as written in SPEC section 7.
CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, date, double precision, text, text, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at date, mrr double precision, "from" text, "to" text, grain text) (
    SFUNC = @extschema@.retention_snapshot_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, double precision, text, text, text) IS
    'MRR movements from snapshots between two dates given as text (quoted literals); at, from and to truncated to the grain';
CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, date, numeric, text, text, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at date, mrr numeric, "from" text, "to" text, grain text) (
    SFUNC = @extschema@.retention_snapshot_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, date, numeric, text, text, text) IS
    'MRR movements from snapshots between two dates given as text (quoted literals); at, from and to truncated to the grain';
CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, timestamptz, double precision, text, text, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at timestamptz, mrr double precision, "from" text, "to" text, grain text) (
    SFUNC = @extschema@.retention_snapshot_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, double precision, text, text, text) IS
    'MRR movements from snapshots between two dates given as text (quoted literals); at, from and to truncated to the grain';
CREATE FUNCTION @extschema@.retention_snapshot_sfunc(internal, anyelement, timestamptz, numeric, text, text, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_retention_snapshot_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.retention_agg(account anyelement, at timestamptz, mrr numeric, "from" text, "to" text, grain text) (
    SFUNC = @extschema@.retention_snapshot_sfunc, STYPE = internal, SSPACE = 512,
    FINALFUNC = @extschema@.retention_window_final,
    COMBINEFUNC = @extschema@.acct_combine, SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention_agg(anyelement, timestamptz, numeric, text, text, text) IS
    'MRR movements from snapshots between two dates given as text (quoted literals); at, from and to truncated to the grain';

-------------------------------------------------------------------------------
-- The key-account manager's renewals (docs/kam.md, SPEC section 8)
-------------------------------------------------------------------------------
-- kam.renewal_agg over one row per contract term -> kam.renewals, a fixed-size summary
-- (counts on time, late, lost, pending and their values) with combine and exact text and
-- binary I/O, so Citus pushes it down; accessors read it.
CREATE TYPE @extschema@.renewals;
CREATE FUNCTION @extschema@.renewals_in(cstring) RETURNS @extschema@.renewals
    AS 'MODULE_PATHNAME', 'kam_renewals_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.renewals_out(@extschema@.renewals) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_renewals_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.renewals_recv(internal) RETURNS @extschema@.renewals
    AS 'MODULE_PATHNAME', 'kam_renewals_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.renewals_send(@extschema@.renewals) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_renewals_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.renewals (
    INPUT = @extschema@.renewals_in,
    OUTPUT = @extschema@.renewals_out,
    RECEIVE = @extschema@.renewals_recv,
    SEND = @extschema@.renewals_send,
    INTERNALLENGTH = 112,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.renewals IS
    'Renewals of contract terms due in a window: counts renewed on time, late, lost and pending, and their term and renewal values (kam.renewal_agg)';
COMMENT ON FUNCTION @extschema@.renewals_in(cstring) IS 'text input of kam.renewals: (on_time=..,late=..,lost=..,pending=..,renewed_term=..,lost_term=..,pending_term=..,renewal=..,renewal_kept=..)';
COMMENT ON FUNCTION @extschema@.renewals_out(@extschema@.renewals) IS 'text output of kam.renewals, every value in its shortest exact form';
COMMENT ON FUNCTION @extschema@.renewals_recv(internal) IS 'binary input of kam.renewals (format version byte, then the values)';
COMMENT ON FUNCTION @extschema@.renewals_send(@extschema@.renewals) IS 'binary output of kam.renewals';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.renewals, @extschema@.renewals) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.renewals, @extschema@.renewals) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.renewals) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.renewals, RIGHTARG = @extschema@.renewals, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.renewals, RIGHTARG = @extschema@.renewals, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.renewals_ops DEFAULT FOR TYPE @extschema@.renewals USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.renewals, @extschema@.renewals),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.renewals);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.renewals, @extschema@.renewals) IS
    'true when the two renewals values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.renewals, @extschema@.renewals) IS
    'true when the two renewals values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.renewals) IS
    'hash of the text form of a renewals value';
COMMENT ON OPERATOR @extschema@.= (@extschema@.renewals, @extschema@.renewals) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.renewals, @extschema@.renewals) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.renewals_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on renewals values';
COMMENT ON OPERATOR FAMILY @extschema@.renewals_ops USING hash IS
    'hash operator family of renewals (its text form)';
CREATE FUNCTION @extschema@.renewal_combine(@extschema@.renewals, @extschema@.renewals) RETURNS @extschema@.renewals
    AS 'MODULE_PATHNAME', 'kam_renewal_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_combine(@extschema@.renewals, @extschema@.renewals) IS
    'combine function of kam.renewal_agg: the sum of two renewals summaries';
-- one row per contract term; dates as date or timestamptz (the day in the session time zone),
-- values as double precision or numeric; grace_days defaults to 30
CREATE FUNCTION @extschema@.renewal_sfunc(@extschema@.renewals, date, date, double precision, double precision, date, date, date) RETURNS @extschema@.renewals
    AS 'MODULE_PATHNAME', 'kam_renewal_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.renewal_agg(term_end date, renewed_on date, term_value double precision, renewal_value double precision, "from" date, "to" date, as_of date) (
    SFUNC = @extschema@.renewal_sfunc, STYPE = @extschema@.renewals,
    COMBINEFUNC = @extschema@.renewal_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_agg(date, date, double precision, double precision, date, date, date) IS
    'Renewals of the contract terms with from <= term_end < to, as of as_of: on time (renewed_on <= term_end + 30 days), late, lost (not renewed and as_of past the grace), pending';
CREATE FUNCTION @extschema@.renewal_sfunc(@extschema@.renewals, date, date, double precision, double precision, date, date, date, integer) RETURNS @extschema@.renewals
    AS 'MODULE_PATHNAME', 'kam_renewal_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.renewal_agg(term_end date, renewed_on date, term_value double precision, renewal_value double precision, "from" date, "to" date, as_of date, grace_days integer) (
    SFUNC = @extschema@.renewal_sfunc, STYPE = @extschema@.renewals,
    COMBINEFUNC = @extschema@.renewal_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_agg(date, date, double precision, double precision, date, date, date, integer) IS
    'Renewals of the contract terms with from <= term_end < to, as of as_of: on time (renewed_on <= term_end + grace_days), late, lost (not renewed and as_of past the grace), pending';
CREATE FUNCTION @extschema@.renewal_sfunc(@extschema@.renewals, date, date, numeric, numeric, date, date, date) RETURNS @extschema@.renewals
    AS 'MODULE_PATHNAME', 'kam_renewal_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.renewal_agg(term_end date, renewed_on date, term_value numeric, renewal_value numeric, "from" date, "to" date, as_of date) (
    SFUNC = @extschema@.renewal_sfunc, STYPE = @extschema@.renewals,
    COMBINEFUNC = @extschema@.renewal_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_agg(date, date, numeric, numeric, date, date, date) IS
    'Renewals of the contract terms with from <= term_end < to, as of as_of: on time (renewed_on <= term_end + 30 days), late, lost (not renewed and as_of past the grace), pending';
CREATE FUNCTION @extschema@.renewal_sfunc(@extschema@.renewals, date, date, numeric, numeric, date, date, date, integer) RETURNS @extschema@.renewals
    AS 'MODULE_PATHNAME', 'kam_renewal_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.renewal_agg(term_end date, renewed_on date, term_value numeric, renewal_value numeric, "from" date, "to" date, as_of date, grace_days integer) (
    SFUNC = @extschema@.renewal_sfunc, STYPE = @extschema@.renewals,
    COMBINEFUNC = @extschema@.renewal_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_agg(date, date, numeric, numeric, date, date, date, integer) IS
    'Renewals of the contract terms with from <= term_end < to, as of as_of: on time (renewed_on <= term_end + grace_days), late, lost (not renewed and as_of past the grace), pending';
CREATE FUNCTION @extschema@.renewal_sfunc(@extschema@.renewals, timestamptz, timestamptz, double precision, double precision, timestamptz, timestamptz, timestamptz) RETURNS @extschema@.renewals
    AS 'MODULE_PATHNAME', 'kam_renewal_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.renewal_agg(term_end timestamptz, renewed_on timestamptz, term_value double precision, renewal_value double precision, "from" timestamptz, "to" timestamptz, as_of timestamptz) (
    SFUNC = @extschema@.renewal_sfunc, STYPE = @extschema@.renewals,
    COMBINEFUNC = @extschema@.renewal_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_agg(timestamptz, timestamptz, double precision, double precision, timestamptz, timestamptz, timestamptz) IS
    'Renewals of the contract terms with from <= term_end < to, as of as_of: on time (renewed_on <= term_end + 30 days), late, lost (not renewed and as_of past the grace), pending';
CREATE FUNCTION @extschema@.renewal_sfunc(@extschema@.renewals, timestamptz, timestamptz, double precision, double precision, timestamptz, timestamptz, timestamptz, integer) RETURNS @extschema@.renewals
    AS 'MODULE_PATHNAME', 'kam_renewal_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.renewal_agg(term_end timestamptz, renewed_on timestamptz, term_value double precision, renewal_value double precision, "from" timestamptz, "to" timestamptz, as_of timestamptz, grace_days integer) (
    SFUNC = @extschema@.renewal_sfunc, STYPE = @extschema@.renewals,
    COMBINEFUNC = @extschema@.renewal_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_agg(timestamptz, timestamptz, double precision, double precision, timestamptz, timestamptz, timestamptz, integer) IS
    'Renewals of the contract terms with from <= term_end < to, as of as_of: on time (renewed_on <= term_end + grace_days), late, lost (not renewed and as_of past the grace), pending';
CREATE FUNCTION @extschema@.renewal_sfunc(@extschema@.renewals, timestamptz, timestamptz, numeric, numeric, timestamptz, timestamptz, timestamptz) RETURNS @extschema@.renewals
    AS 'MODULE_PATHNAME', 'kam_renewal_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.renewal_agg(term_end timestamptz, renewed_on timestamptz, term_value numeric, renewal_value numeric, "from" timestamptz, "to" timestamptz, as_of timestamptz) (
    SFUNC = @extschema@.renewal_sfunc, STYPE = @extschema@.renewals,
    COMBINEFUNC = @extschema@.renewal_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_agg(timestamptz, timestamptz, numeric, numeric, timestamptz, timestamptz, timestamptz) IS
    'Renewals of the contract terms with from <= term_end < to, as of as_of: on time (renewed_on <= term_end + 30 days), late, lost (not renewed and as_of past the grace), pending';
CREATE FUNCTION @extschema@.renewal_sfunc(@extschema@.renewals, timestamptz, timestamptz, numeric, numeric, timestamptz, timestamptz, timestamptz, integer) RETURNS @extschema@.renewals
    AS 'MODULE_PATHNAME', 'kam_renewal_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.renewal_agg(term_end timestamptz, renewed_on timestamptz, term_value numeric, renewal_value numeric, "from" timestamptz, "to" timestamptz, as_of timestamptz, grace_days integer) (
    SFUNC = @extschema@.renewal_sfunc, STYPE = @extschema@.renewals,
    COMBINEFUNC = @extschema@.renewal_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_agg(timestamptz, timestamptz, numeric, numeric, timestamptz, timestamptz, timestamptz, integer) IS
    'Renewals of the contract terms with from <= term_end < to, as of as_of: on time (renewed_on <= term_end + grace_days), late, lost (not renewed and as_of past the grace), pending';
CREATE TYPE @extschema@.renewals_row AS (
    due bigint, renewed bigint, on_time bigint, late bigint, lost bigint, pending bigint,
    due_value double precision, renewed_value double precision, renewal_value double precision,
    lost_value double precision, pending_value double precision,
    renewal_rate double precision, gross_renewal_rate double precision, net_renewal_rate double precision,
    on_time_rate double precision
);
COMMENT ON TYPE @extschema@.renewals_row IS
    'kam.renewals(r): the counts (due = renewed + lost + pending; renewed = on_time + late), the term values (due, renewed, lost, pending), the renewal value and the four rates';
CREATE FUNCTION @extschema@.renewals(r @extschema@.renewals) RETURNS @extschema@.renewals_row
    AS 'MODULE_PATHNAME', 'kam_renewals_row' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewals(@extschema@.renewals) IS
    'One row of a renewals summary: due, renewed, on_time, late, lost, pending, their values and the four rates';
CREATE FUNCTION @extschema@.renewal_rate(r @extschema@.renewals) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_renewal_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_rate(@extschema@.renewals) IS
    'renewed / (renewed + lost), by count (pending terms left out); NULL when no term is decided';
CREATE FUNCTION @extschema@.gross_renewal_rate(r @extschema@.renewals) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_gross_renewal_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gross_renewal_rate(@extschema@.renewals) IS
    'sum of min(renewal_value, term_value) over renewed terms / sum of term_value over decided (renewed or lost) terms; NULL when that is 0';
CREATE FUNCTION @extschema@.net_renewal_rate(r @extschema@.renewals) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_net_renewal_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.net_renewal_rate(@extschema@.renewals) IS
    'sum of renewal_value over renewed terms / sum of term_value over decided (renewed or lost) terms; NULL when that is 0';
CREATE FUNCTION @extschema@.on_time_rate(r @extschema@.renewals) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_on_time_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.on_time_rate(@extschema@.renewals) IS
    'renewed on time / renewed; NULL when nothing is renewed';

-------------------------------------------------------------------------------
-- Engagement cadence over an activity log (docs/kam.md, SPEC section 8)
-------------------------------------------------------------------------------
-- kam.touch_gaps(at, "from", "to") and kam.cadence_met(at, "from", "to", every): the state
-- keeps the touch days of the group (4 bytes a touch); dates or timestamptz.
CREATE TYPE @extschema@.touch_gaps_result AS (
    touches bigint, touch_days bigint, last_touch date, days_since_last integer, longest_gap integer,
    touches_per_30_days double precision
);
COMMENT ON TYPE @extschema@.touch_gaps_result IS
    'kam.touch_gaps: touches in the window, distinct days with one, the last touch, days from it (or from "from") to "to", the longest gap in days counting from "from" and up to "to", and touches per 30 days';
CREATE FUNCTION @extschema@.touches_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_touches_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.touches_serial(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_touches_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.touches_deserial(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_touches_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.touch_gaps_final(internal) RETURNS @extschema@.touch_gaps_result
    AS 'MODULE_PATHNAME', 'kam_touch_gaps_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.cadence_met_final(internal) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_cadence_met_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.touches_combine(internal, internal) IS 'combine function of kam.touch_gaps and kam.cadence_met';
COMMENT ON FUNCTION @extschema@.touches_serial(internal) IS 'serial function of kam.touch_gaps and kam.cadence_met';
COMMENT ON FUNCTION @extschema@.touches_deserial(bytea, internal) IS 'deserial function of kam.touch_gaps and kam.cadence_met';
COMMENT ON FUNCTION @extschema@.touch_gaps_final(internal) IS 'final function of kam.touch_gaps';
COMMENT ON FUNCTION @extschema@.cadence_met_final(internal) IS 'final function of kam.cadence_met';
CREATE FUNCTION @extschema@.touches_sfunc(internal, date, date, date) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_touches_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.touches_sfunc(internal, timestamptz, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_touches_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.touches_sfunc(internal, date, date, date, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_touches_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.touches_sfunc(internal, timestamptz, timestamptz, timestamptz, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_touches_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.touch_gaps(at date, "from" date, "to" date) (
    SFUNC = @extschema@.touches_sfunc, STYPE = internal, SSPACE = 64,
    FINALFUNC = @extschema@.touch_gaps_final,
    COMBINEFUNC = @extschema@.touches_combine, SERIALFUNC = @extschema@.touches_serial, DESERIALFUNC = @extschema@.touches_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.touch_gaps(at timestamptz, "from" timestamptz, "to" timestamptz) (
    SFUNC = @extschema@.touches_sfunc, STYPE = internal, SSPACE = 64,
    FINALFUNC = @extschema@.touch_gaps_final,
    COMBINEFUNC = @extschema@.touches_combine, SERIALFUNC = @extschema@.touches_serial, DESERIALFUNC = @extschema@.touches_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.cadence_met(at date, "from" date, "to" date, every interval) (
    SFUNC = @extschema@.touches_sfunc, STYPE = internal, SSPACE = 64,
    FINALFUNC = @extschema@.cadence_met_final,
    COMBINEFUNC = @extschema@.touches_combine, SERIALFUNC = @extschema@.touches_serial, DESERIALFUNC = @extschema@.touches_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.cadence_met(at timestamptz, "from" timestamptz, "to" timestamptz, every interval) (
    SFUNC = @extschema@.touches_sfunc, STYPE = internal, SSPACE = 64,
    FINALFUNC = @extschema@.cadence_met_final,
    COMBINEFUNC = @extschema@.touches_combine, SERIALFUNC = @extschema@.touches_serial, DESERIALFUNC = @extschema@.touches_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.touch_gaps(date, date, date) IS
    'Engagement over the touches with from <= at < to: touches, touch days, last touch, days since it at "to", longest gap in days (from "from", up to "to"), touches per 30 days; a NULL at sets the window only';
COMMENT ON AGGREGATE @extschema@.touch_gaps(timestamptz, timestamptz, timestamptz) IS
    'kam.touch_gaps with timestamptz (the day in the session time zone)';
COMMENT ON AGGREGATE @extschema@.cadence_met(date, date, date, interval) IS
    'true when every whole period [from + k * every, from + (k + 1) * every) ending by "to" holds a touch (each quarter a QBR: every => ''3 months''); NULL when no period ends by "to"';
COMMENT ON AGGREGATE @extschema@.cadence_met(timestamptz, timestamptz, timestamptz, interval) IS
    'kam.cadence_met with timestamptz (the day in the session time zone)';

-------------------------------------------------------------------------------
-- Account hierarchies and group roll-ups (docs/kam.md, SPEC section 8)
-------------------------------------------------------------------------------
-- kam.account_tree runs the edges query (columns child, parent [, valid_from, valid_to]) with
-- the caller's rights, read-only: STABLE, and PARALLEL RESTRICTED (the query may read
-- temporary tables, which parallel workers cannot).
CREATE FUNCTION @extschema@.account_tree(edges_sql text, as_of date DEFAULT NULL)
    RETURNS TABLE (account bigint, root bigint, depth integer, path bigint[])
    AS 'MODULE_PATHNAME', 'kam_account_tree' LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.account_tree(text, date) IS
    'Every account of an edges query (columns child, parent, optional valid_from, valid_to) with its root, depth (a root 0) and path from the root, on as_of (NULL: today); bigint ids; a cycle or two parents is 22023, more than 100 levels 54001';
CREATE FUNCTION @extschema@.account_tree(edges_sql text, as_of timestamptz)
    RETURNS TABLE (account bigint, root bigint, depth integer, path bigint[])
    AS 'MODULE_PATHNAME', 'kam_account_tree' LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.account_tree(text, timestamptz) IS
    'kam.account_tree with as_of a timestamptz (the day in the session time zone)';
CREATE FUNCTION @extschema@.account_tree(edges_sql text, as_of date, id anyelement)
    RETURNS TABLE (account anyelement, root anyelement, depth integer, path anyarray)
    AS 'MODULE_PATHNAME', 'kam_account_tree' LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.account_tree(text, date, anyelement) IS
    'kam.account_tree with ids of the type of id (pass NULL::text for text ids, NULL::uuid for uuids); text ids compare byte for byte';
CREATE FUNCTION @extschema@.account_tree(edges_sql text, as_of timestamptz, id anyelement)
    RETURNS TABLE (account anyelement, root anyelement, depth integer, path anyarray)
    AS 'MODULE_PATHNAME', 'kam_account_tree' LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.account_tree(text, timestamptz, anyelement) IS
    'kam.account_tree with ids of the type of id and as_of a timestamptz';

-- kam.weighted_mean(value, weight): state double precision[] {n, sum w, compensation, sum w*v,
-- compensation}, exact text I/O (Citus pushes it down)
CREATE FUNCTION @extschema@.weighted_mean_combine(double precision[], double precision[]) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_weighted_mean_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.weighted_mean_final(double precision[]) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_weighted_mean_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.weighted_mean_combine(double precision[], double precision[]) IS
    'combine function of kam.weighted_mean';
COMMENT ON FUNCTION @extschema@.weighted_mean_final(double precision[]) IS
    'final function of kam.weighted_mean: sum(w * v) / sum(w)';
CREATE FUNCTION @extschema@.weighted_mean_sfunc(double precision[], double precision, double precision) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_weighted_mean_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.weighted_mean(value double precision, weight double precision) (
    SFUNC = @extschema@.weighted_mean_sfunc, STYPE = double precision[],
    COMBINEFUNC = @extschema@.weighted_mean_combine, FINALFUNC = @extschema@.weighted_mean_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.weighted_mean(double precision, double precision) IS
    'sum(weight * value) / sum(weight) (the ARR-weighted health of a group); rows with a NULL value or weight drop out; NULL when every weight is 0';
CREATE FUNCTION @extschema@.weighted_mean_sfunc(double precision[], double precision, numeric) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_weighted_mean_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.weighted_mean(value double precision, weight numeric) (
    SFUNC = @extschema@.weighted_mean_sfunc, STYPE = double precision[],
    COMBINEFUNC = @extschema@.weighted_mean_combine, FINALFUNC = @extschema@.weighted_mean_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.weighted_mean(double precision, numeric) IS
    'sum(weight * value) / sum(weight) (the ARR-weighted health of a group); rows with a NULL value or weight drop out; NULL when every weight is 0';
CREATE FUNCTION @extschema@.weighted_mean_sfunc(double precision[], numeric, double precision) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_weighted_mean_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.weighted_mean(value numeric, weight double precision) (
    SFUNC = @extschema@.weighted_mean_sfunc, STYPE = double precision[],
    COMBINEFUNC = @extschema@.weighted_mean_combine, FINALFUNC = @extschema@.weighted_mean_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.weighted_mean(numeric, double precision) IS
    'sum(weight * value) / sum(weight) (the ARR-weighted health of a group); rows with a NULL value or weight drop out; NULL when every weight is 0';
CREATE FUNCTION @extschema@.weighted_mean_sfunc(double precision[], numeric, numeric) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_weighted_mean_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.weighted_mean(value numeric, weight numeric) (
    SFUNC = @extschema@.weighted_mean_sfunc, STYPE = double precision[],
    COMBINEFUNC = @extschema@.weighted_mean_combine, FINALFUNC = @extschema@.weighted_mean_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.weighted_mean(numeric, numeric) IS
    'sum(weight * value) / sum(weight) (the ARR-weighted health of a group); rows with a NULL value or weight drop out; NULL when every weight is 0';

-- kam.band_shares(score, scheme): the share of rows (a group's entities) in each band
CREATE TYPE @extschema@.band_share AS (band integer, label text, lower double precision, rows bigint, share double precision);
COMMENT ON TYPE @extschema@.band_share IS
    'one band of kam.band_shares: its number (1 = lowest), label, lower bound, the rows in it and their share of all rows';
CREATE FUNCTION @extschema@.band_shares_sfunc(internal, double precision, @extschema@.band_scheme) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_band_shares_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.band_shares_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_band_shares_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.band_shares_serial(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_band_shares_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.band_shares_deserial(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_band_shares_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.band_shares_final(internal) RETURNS @extschema@.band_share[]
    AS 'MODULE_PATHNAME', 'kam_band_shares_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.band_shares_sfunc(internal, double precision, @extschema@.band_scheme) IS 'transition function of kam.band_shares';
COMMENT ON FUNCTION @extschema@.band_shares_combine(internal, internal) IS 'combine function of kam.band_shares';
COMMENT ON FUNCTION @extschema@.band_shares_serial(internal) IS 'serial function of kam.band_shares';
COMMENT ON FUNCTION @extschema@.band_shares_deserial(bytea, internal) IS 'deserial function of kam.band_shares';
COMMENT ON FUNCTION @extschema@.band_shares_final(internal) IS 'final function of kam.band_shares';
CREATE AGGREGATE @extschema@.band_shares(score double precision, scheme @extschema@.band_scheme) (
    SFUNC = @extschema@.band_shares_sfunc, STYPE = internal, SSPACE = 960,
    FINALFUNC = @extschema@.band_shares_final,
    COMBINEFUNC = @extschema@.band_shares_combine, SERIALFUNC = @extschema@.band_shares_serial,
    DESERIALFUNC = @extschema@.band_shares_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.band_shares(double precision, @extschema@.band_scheme) IS
    'The rows per band of a scheme and their shares (the health grades of a group''s entities), every band in order; NULL scores drop out';

-- the value of account management (SPEC section 8's worked example: docs/kam.md), in numeric
-- (exact); the double precision form converts its arguments as float8::numeric does
CREATE TYPE @extschema@.am_roi_result AS (
    revenue numeric, protected_revenue numeric, upsell_revenue numeric, incremental_revenue numeric, roi numeric
);
COMMENT ON TYPE @extschema@.am_roi_result IS
    'kam.am_roi: revenue, protected revenue, upsell revenue, incremental revenue and return on the programme''s cost';
CREATE FUNCTION @extschema@.am_roi(accounts numeric, annual_revenue numeric, retention numeric,
                                   baseline_retention numeric, upsell_share numeric,
                                   upsell_amount numeric, cost numeric)
    RETURNS @extschema@.am_roi_result
    AS 'MODULE_PATHNAME', 'kam_am_roi' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.am_roi(numeric, numeric, numeric, numeric, numeric, numeric, numeric) IS
    'Value of account management: revenue = accounts * annual_revenue, protected = revenue * retention, upsell = accounts * upsell_share * upsell_amount, incremental = (retention - baseline_retention) * revenue + upsell, roi = (incremental - cost) / cost (NULL for a cost of 0)';
CREATE FUNCTION @extschema@.am_roi(accounts double precision, annual_revenue double precision, retention double precision,
                                   baseline_retention double precision, upsell_share double precision,
                                   upsell_amount double precision, cost double precision)
    RETURNS @extschema@.am_roi_result
    AS 'MODULE_PATHNAME', 'kam_am_roi' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.am_roi(double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS
    'kam.am_roi over double precision arguments (each converted as float8::numeric), computed in numeric';

-------------------------------------------------------------------------------
-- The shifted-beta-geometric contract model (docs/ltv.md, SPEC section 9)
-------------------------------------------------------------------------------
CREATE TYPE @extschema@.sbg;
CREATE FUNCTION @extschema@.sbg_in(cstring) RETURNS @extschema@.sbg
    AS 'MODULE_PATHNAME', 'kam_sbg_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_out(@extschema@.sbg) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_sbg_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_recv(internal) RETURNS @extschema@.sbg
    AS 'MODULE_PATHNAME', 'kam_sbg_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_send(@extschema@.sbg) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_sbg_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.sbg (
    INPUT = @extschema@.sbg_in,
    OUTPUT = @extschema@.sbg_out,
    RECEIVE = @extschema@.sbg_recv,
    SEND = @extschema@.sbg_send,
    INTERNALLENGTH = 56,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.sbg IS
    'Shifted-beta-geometric contract model (Fader & Hardie 2007): alpha, beta, log-likelihood, customers fitted, the standard errors of alpha and beta and their correlation';
COMMENT ON FUNCTION @extschema@.sbg_in(cstring) IS 'text input of kam.sbg: (alpha=..,beta=..,ll=..,n=..,alpha_se=..,beta_se=..,cor_alpha_beta=..)';
COMMENT ON FUNCTION @extschema@.sbg_out(@extschema@.sbg) IS 'text output of kam.sbg, every value in its shortest exact form';
COMMENT ON FUNCTION @extschema@.sbg_recv(internal) IS 'binary input of kam.sbg (format version byte, then the values)';
COMMENT ON FUNCTION @extschema@.sbg_send(@extschema@.sbg) IS 'binary output of kam.sbg';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.sbg, @extschema@.sbg) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.sbg, @extschema@.sbg) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.sbg) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.sbg, RIGHTARG = @extschema@.sbg, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.sbg, RIGHTARG = @extschema@.sbg, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.sbg_ops DEFAULT FOR TYPE @extschema@.sbg USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.sbg, @extschema@.sbg),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.sbg);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.sbg, @extschema@.sbg) IS
    'true when the two sbg values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.sbg, @extschema@.sbg) IS
    'true when the two sbg values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.sbg) IS
    'hash of the text form of an sbg value';
COMMENT ON OPERATOR @extschema@.= (@extschema@.sbg, @extschema@.sbg) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.sbg, @extschema@.sbg) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.sbg_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on sbg values';
COMMENT ON OPERATOR FAMILY @extschema@.sbg_ops USING hash IS
    'hash operator family of sbg (its text form)';
CREATE FUNCTION @extschema@.sbg(alpha double precision, beta double precision) RETURNS @extschema@.sbg
    AS 'MODULE_PATHNAME', 'kam_sbg' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg(double precision, double precision) IS
    'An sBG model from known parameters (ll, standard errors and correlations unknown, n 0)';
CREATE FUNCTION @extschema@.sbg_fit(alive integer[]) RETURNS @extschema@.sbg
    AS 'MODULE_PATHNAME', 'kam_sbg_fit_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_fit(integer[]) IS
    'Fit the sBG model to one cohort: the customers still active at the start of each period (1000, 869, 743, ...)';
CREATE FUNCTION @extschema@.sbg_sfunc(internal, integer, boolean) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_sbg_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_sbg_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_serial(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_sbg_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_deserial(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_sbg_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.sbg_final(internal) RETURNS @extschema@.sbg
    AS 'MODULE_PATHNAME', 'kam_sbg_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_sfunc(internal, integer, boolean) IS 'transition function of kam.sbg_fit';
COMMENT ON FUNCTION @extschema@.sbg_combine(internal, internal) IS 'combine function of kam.sbg_fit';
COMMENT ON FUNCTION @extschema@.sbg_serial(internal) IS 'serial function of kam.sbg_fit';
COMMENT ON FUNCTION @extschema@.sbg_deserial(bytea, internal) IS 'deserial function of kam.sbg_fit';
COMMENT ON FUNCTION @extschema@.sbg_final(internal) IS 'final function of kam.sbg_fit';
CREATE AGGREGATE @extschema@.sbg_fit(periods integer, churned boolean) (
    SFUNC = @extschema@.sbg_sfunc, STYPE = internal, SSPACE = 256,
    FINALFUNC = @extschema@.sbg_final,
    COMBINEFUNC = @extschema@.sbg_combine, SERIALFUNC = @extschema@.sbg_serial, DESERIALFUNC = @extschema@.sbg_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sbg_fit(integer, boolean) IS
    'Fit the sBG model over one row per customer: (t, true) churned in period t, (n, false) still active after n periods';
CREATE FUNCTION @extschema@.sbg_param(m @extschema@.sbg, name text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_sbg_param' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_param(@extschema@.sbg, text) IS
    'One value of an sBG model: a parameter, ll, n, <parameter>_se or cor_<a>_<b> (NULL when unknown)';
CREATE FUNCTION @extschema@.sbg_survival(m @extschema@.sbg, t double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_sbg_survival' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_survival(@extschema@.sbg, double precision) IS
    'S(t) = B(alpha, beta + t) / B(alpha, beta): the share of a cohort still active after t periods';
CREATE FUNCTION @extschema@.sbg_retention(m @extschema@.sbg, t double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_sbg_retention' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_retention(@extschema@.sbg, double precision) IS
    'The retention rate of period t: S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1), t >= 1';
CREATE FUNCTION @extschema@.sbg_expected_lifetime(m @extschema@.sbg) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_sbg_expected_lifetime' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_expected_lifetime(@extschema@.sbg) IS
    'The expected lifetime of a new customer in periods, (alpha + beta - 1) / (alpha - 1); Infinity when alpha <= 1';
CREATE FUNCTION @extschema@.sbg_derl(m @extschema@.sbg, periods_survived double precision, discount_rate double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_sbg_derl' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_derl(@extschema@.sbg, double precision, double precision) IS
    'Discounted expected residual lifetime (Fader & Hardie 2010) of a customer active for periods_survived periods, before the renewal at the end of the last one';
CREATE FUNCTION @extschema@.sbg_expected_renewals(m @extschema@.sbg, periods_survived double precision, horizon double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_sbg_expected_renewals' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_expected_renewals(@extschema@.sbg, double precision, double precision) IS
    'The renewals a customer active for periods_survived periods is expected to make over the next horizon renewal dates';

-------------------------------------------------------------------------------
-- More customer-base models: Pareto/NBD, MBG/NBD (docs/ltv.md, SPEC section 9)
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.bgnbd_probability(m @extschema@.bgnbd, n integer, t double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bgnbd_probability' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_probability(@extschema@.bgnbd, integer, double precision) IS
    'P(X(t) = n): the probability that a customer drawn from the population makes n repeat purchases in t periods (FHL 2005, eq. 8)';
CREATE TYPE @extschema@.paretonbd;
CREATE FUNCTION @extschema@.paretonbd_in(cstring) RETURNS @extschema@.paretonbd
    AS 'MODULE_PATHNAME', 'kam_paretonbd_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.paretonbd_out(@extschema@.paretonbd) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_paretonbd_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.paretonbd_recv(internal) RETURNS @extschema@.paretonbd
    AS 'MODULE_PATHNAME', 'kam_paretonbd_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.paretonbd_send(@extschema@.paretonbd) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_paretonbd_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.paretonbd (
    INPUT = @extschema@.paretonbd_in,
    OUTPUT = @extschema@.paretonbd_out,
    RECEIVE = @extschema@.paretonbd_recv,
    SEND = @extschema@.paretonbd_send,
    INTERNALLENGTH = 128,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.paretonbd IS
    'Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): r, alpha, s, beta, log-likelihood, customers fitted, the standard errors of the parameters and their correlations';
COMMENT ON FUNCTION @extschema@.paretonbd_in(cstring) IS 'text input of kam.paretonbd: (r=..,alpha=..,s=..,beta=..,ll=..,n=..,r_se=..,alpha_se=..,s_se=..,beta_se=..,cor_r_alpha=..,cor_r_s=..,cor_r_beta=..,cor_alpha_s=..,cor_alpha_beta=..,cor_s_beta=..)';
COMMENT ON FUNCTION @extschema@.paretonbd_out(@extschema@.paretonbd) IS 'text output of kam.paretonbd, every value in its shortest exact form';
COMMENT ON FUNCTION @extschema@.paretonbd_recv(internal) IS 'binary input of kam.paretonbd (format version byte, then the values)';
COMMENT ON FUNCTION @extschema@.paretonbd_send(@extschema@.paretonbd) IS 'binary output of kam.paretonbd';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.paretonbd, @extschema@.paretonbd) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.paretonbd, @extschema@.paretonbd) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.paretonbd) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.paretonbd, RIGHTARG = @extschema@.paretonbd, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.paretonbd, RIGHTARG = @extschema@.paretonbd, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.paretonbd_ops DEFAULT FOR TYPE @extschema@.paretonbd USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.paretonbd, @extschema@.paretonbd),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.paretonbd);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.paretonbd, @extschema@.paretonbd) IS
    'true when the two paretonbd values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.paretonbd, @extschema@.paretonbd) IS
    'true when the two paretonbd values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.paretonbd) IS
    'hash of the text form of an paretonbd value';
COMMENT ON OPERATOR @extschema@.= (@extschema@.paretonbd, @extschema@.paretonbd) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.paretonbd, @extschema@.paretonbd) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.paretonbd_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on paretonbd values';
COMMENT ON OPERATOR FAMILY @extschema@.paretonbd_ops USING hash IS
    'hash operator family of paretonbd (its text form)';
CREATE FUNCTION @extschema@.paretonbd(r double precision, alpha double precision, s double precision, beta double precision) RETURNS @extschema@.paretonbd
    AS 'MODULE_PATHNAME', 'kam_paretonbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd(double precision, double precision, double precision, double precision) IS
    'A Pareto/NBD model from known parameters (ll, standard errors and correlations unknown, n 0)';
CREATE FUNCTION @extschema@.paretonbd_param(m @extschema@.paretonbd, name text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_paretonbd_param' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_param(@extschema@.paretonbd, text) IS
    'One value of a Pareto/NBD model: a parameter, ll, n, <parameter>_se or cor_<a>_<b> (NULL when unknown)';
CREATE FUNCTION @extschema@.paretonbd_final(internal) RETURNS @extschema@.paretonbd
    AS 'MODULE_PATHNAME', 'kam_paretonbd_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_final(internal) IS 'final function of kam.paretonbd_fit';
CREATE AGGREGATE @extschema@.paretonbd_fit(x double precision, t_x double precision, "T" double precision) (
    SFUNC = @extschema@.bgnbd_sfunc, STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_final,
    COMBINEFUNC = @extschema@.bgnbd_combine, SERIALFUNC = @extschema@.bgnbd_serial, DESERIALFUNC = @extschema@.bgnbd_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(double precision, double precision, double precision) IS
    'Maximum-likelihood Pareto/NBD fit over one row per customer (frequency x, recency t_x, age T), with standard errors; NULL with a NOTICE for no customers';
CREATE FUNCTION @extschema@.paretonbd_expected(m @extschema@.paretonbd, t double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_paretonbd_expected_uncond' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_expected(@extschema@.paretonbd, double precision) IS
    'Expected repeat purchases of a new customer in t periods under the Pareto/NBD model, E[X(t)]';
CREATE FUNCTION @extschema@.paretonbd_expected(m @extschema@.paretonbd, t double precision, x double precision,
                                           t_x double precision, "T" double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_paretonbd_expected_cond' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_expected(@extschema@.paretonbd, double precision, double precision, double precision, double precision) IS
    'Expected purchases in the next t periods of a customer with history (x, t_x, T) under the Pareto/NBD model, E[Y(t) | x, t_x, T]';
CREATE FUNCTION @extschema@.paretonbd_p_alive(m @extschema@.paretonbd, x double precision, t_x double precision, "T" double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_paretonbd_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_p_alive(@extschema@.paretonbd, double precision, double precision, double precision) IS
    'Probability that a customer with history (x, t_x, T) is still alive at T under the Pareto/NBD model';
CREATE TYPE @extschema@.mbgnbd;
CREATE FUNCTION @extschema@.mbgnbd_in(cstring) RETURNS @extschema@.mbgnbd
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.mbgnbd_out(@extschema@.mbgnbd) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.mbgnbd_recv(internal) RETURNS @extschema@.mbgnbd
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.mbgnbd_send(@extschema@.mbgnbd) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.mbgnbd (
    INPUT = @extschema@.mbgnbd_in,
    OUTPUT = @extschema@.mbgnbd_out,
    RECEIVE = @extschema@.mbgnbd_recv,
    SEND = @extschema@.mbgnbd_send,
    INTERNALLENGTH = 128,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.mbgnbd IS
    'MBG/NBD model (Batislam, Denizel & Filiztekin 2007): r, alpha, a, b, log-likelihood, customers fitted, the standard errors of the parameters and their correlations';
COMMENT ON FUNCTION @extschema@.mbgnbd_in(cstring) IS 'text input of kam.mbgnbd: (r=..,alpha=..,a=..,b=..,ll=..,n=..,r_se=..,alpha_se=..,a_se=..,b_se=..,cor_r_alpha=..,cor_r_a=..,cor_r_b=..,cor_alpha_a=..,cor_alpha_b=..,cor_a_b=..)';
COMMENT ON FUNCTION @extschema@.mbgnbd_out(@extschema@.mbgnbd) IS 'text output of kam.mbgnbd, every value in its shortest exact form';
COMMENT ON FUNCTION @extschema@.mbgnbd_recv(internal) IS 'binary input of kam.mbgnbd (format version byte, then the values)';
COMMENT ON FUNCTION @extschema@.mbgnbd_send(@extschema@.mbgnbd) IS 'binary output of kam.mbgnbd';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.mbgnbd, @extschema@.mbgnbd) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.mbgnbd, @extschema@.mbgnbd) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.mbgnbd) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.mbgnbd, RIGHTARG = @extschema@.mbgnbd, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.mbgnbd, RIGHTARG = @extschema@.mbgnbd, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.mbgnbd_ops DEFAULT FOR TYPE @extschema@.mbgnbd USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.mbgnbd, @extschema@.mbgnbd),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.mbgnbd);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.mbgnbd, @extschema@.mbgnbd) IS
    'true when the two mbgnbd values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.mbgnbd, @extschema@.mbgnbd) IS
    'true when the two mbgnbd values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.mbgnbd) IS
    'hash of the text form of an mbgnbd value';
COMMENT ON OPERATOR @extschema@.= (@extschema@.mbgnbd, @extschema@.mbgnbd) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.mbgnbd, @extschema@.mbgnbd) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.mbgnbd_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on mbgnbd values';
COMMENT ON OPERATOR FAMILY @extschema@.mbgnbd_ops USING hash IS
    'hash operator family of mbgnbd (its text form)';
CREATE FUNCTION @extschema@.mbgnbd(r double precision, alpha double precision, a double precision, b double precision) RETURNS @extschema@.mbgnbd
    AS 'MODULE_PATHNAME', 'kam_mbgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd(double precision, double precision, double precision, double precision) IS
    'A MBG/NBD model from known parameters (ll, standard errors and correlations unknown, n 0)';
CREATE FUNCTION @extschema@.mbgnbd_param(m @extschema@.mbgnbd, name text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_param' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd_param(@extschema@.mbgnbd, text) IS
    'One value of an MBG/NBD model: a parameter, ll, n, <parameter>_se or cor_<a>_<b> (NULL when unknown)';
CREATE FUNCTION @extschema@.mbgnbd_final(internal) RETURNS @extschema@.mbgnbd
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd_final(internal) IS 'final function of kam.mbgnbd_fit';
CREATE AGGREGATE @extschema@.mbgnbd_fit(x double precision, t_x double precision, "T" double precision) (
    SFUNC = @extschema@.bgnbd_sfunc, STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_final,
    COMBINEFUNC = @extschema@.bgnbd_combine, SERIALFUNC = @extschema@.bgnbd_serial, DESERIALFUNC = @extschema@.bgnbd_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(double precision, double precision, double precision) IS
    'Maximum-likelihood MBG/NBD fit over one row per customer (frequency x, recency t_x, age T), with standard errors; NULL with a NOTICE for no customers';
CREATE FUNCTION @extschema@.mbgnbd_expected(m @extschema@.mbgnbd, t double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_expected_uncond' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd_expected(@extschema@.mbgnbd, double precision) IS
    'Expected repeat purchases of a new customer in t periods under the MBG/NBD model, E[X(t)]';
CREATE FUNCTION @extschema@.mbgnbd_expected(m @extschema@.mbgnbd, t double precision, x double precision,
                                           t_x double precision, "T" double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_expected_cond' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd_expected(@extschema@.mbgnbd, double precision, double precision, double precision, double precision) IS
    'Expected purchases in the next t periods of a customer with history (x, t_x, T) under the MBG/NBD model, E[Y(t) | x, t_x, T]';
CREATE FUNCTION @extschema@.mbgnbd_p_alive(m @extschema@.mbgnbd, x double precision, t_x double precision, "T" double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd_p_alive(@extschema@.mbgnbd, double precision, double precision, double precision) IS
    'Probability that a customer with history (x, t_x, T) is still alive at T under the MBG/NBD model';

-------------------------------------------------------------------------------
-- BG/BB: discrete-time buying (Fader, Hardie & Shang 2010; docs/ltv.md)
-------------------------------------------------------------------------------
CREATE TYPE @extschema@.bgbb;
CREATE FUNCTION @extschema@.bgbb_in(cstring) RETURNS @extschema@.bgbb
    AS 'MODULE_PATHNAME', 'kam_bgbb_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgbb_out(@extschema@.bgbb) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_bgbb_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgbb_recv(internal) RETURNS @extschema@.bgbb
    AS 'MODULE_PATHNAME', 'kam_bgbb_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgbb_send(@extschema@.bgbb) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_bgbb_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.bgbb (
    INPUT = @extschema@.bgbb_in,
    OUTPUT = @extschema@.bgbb_out,
    RECEIVE = @extschema@.bgbb_recv,
    SEND = @extschema@.bgbb_send,
    INTERNALLENGTH = 128,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.bgbb IS
    'BG/BB model of discrete-time buying (Fader, Hardie & Shang 2010): alpha, beta, gamma, delta, log-likelihood, customers fitted, the standard errors of the parameters and their correlations';
COMMENT ON FUNCTION @extschema@.bgbb_in(cstring) IS 'text input of kam.bgbb: (alpha=..,beta=..,gamma=..,delta=..,ll=..,n=..,alpha_se=..,beta_se=..,gamma_se=..,delta_se=..,cor_alpha_beta=..,cor_alpha_gamma=..,cor_alpha_delta=..,cor_beta_gamma=..,cor_beta_delta=..,cor_gamma_delta=..)';
COMMENT ON FUNCTION @extschema@.bgbb_out(@extschema@.bgbb) IS 'text output of kam.bgbb, every value in its shortest exact form';
COMMENT ON FUNCTION @extschema@.bgbb_recv(internal) IS 'binary input of kam.bgbb (format version byte, then the values)';
COMMENT ON FUNCTION @extschema@.bgbb_send(@extschema@.bgbb) IS 'binary output of kam.bgbb';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.bgbb, @extschema@.bgbb) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.bgbb, @extschema@.bgbb) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.bgbb) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.bgbb, RIGHTARG = @extschema@.bgbb, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.bgbb, RIGHTARG = @extschema@.bgbb, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.bgbb_ops DEFAULT FOR TYPE @extschema@.bgbb USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.bgbb, @extschema@.bgbb),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.bgbb);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.bgbb, @extschema@.bgbb) IS
    'true when the two bgbb values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.bgbb, @extschema@.bgbb) IS
    'true when the two bgbb values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.bgbb) IS
    'hash of the text form of an bgbb value';
COMMENT ON OPERATOR @extschema@.= (@extschema@.bgbb, @extschema@.bgbb) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.bgbb, @extschema@.bgbb) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.bgbb_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on bgbb values';
COMMENT ON OPERATOR FAMILY @extschema@.bgbb_ops USING hash IS
    'hash operator family of bgbb (its text form)';
CREATE FUNCTION @extschema@.bgbb(alpha double precision, beta double precision, gamma double precision, delta double precision) RETURNS @extschema@.bgbb
    AS 'MODULE_PATHNAME', 'kam_bgbb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb(double precision, double precision, double precision, double precision) IS
    'A BG/BB model from known parameters (ll, standard errors and correlations unknown, n 0)';
CREATE FUNCTION @extschema@.bgbb_param(m @extschema@.bgbb, name text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bgbb_param' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_param(@extschema@.bgbb, text) IS
    'One value of a BG/BB model: a parameter, ll, n, <parameter>_se or cor_<a>_<b> (NULL when unknown)';
CREATE FUNCTION @extschema@.bgbb_sfunc(internal, double precision, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_bgbb_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.bgbb_sfunc(internal, double precision, double precision, double precision, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_bgbb_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_sfunc(internal, double precision, double precision, double precision) IS 'transition function of kam.bgbb_fit';
COMMENT ON FUNCTION @extschema@.bgbb_sfunc(internal, double precision, double precision, double precision, double precision) IS 'transition function of kam.bgbb_fit with weights';
CREATE FUNCTION @extschema@.bgbb_final(internal) RETURNS @extschema@.bgbb
    AS 'MODULE_PATHNAME', 'kam_bgbb_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_final(internal) IS 'final function of kam.bgbb_fit';
CREATE AGGREGATE @extschema@.bgbb_fit(x double precision, t_x double precision, n double precision) (
    SFUNC = @extschema@.bgbb_sfunc, STYPE = internal,
    FINALFUNC = @extschema@.bgbb_final,
    COMBINEFUNC = @extschema@.bgnbd_combine, SERIALFUNC = @extschema@.bgnbd_serial, DESERIALFUNC = @extschema@.bgnbd_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgbb_fit(double precision, double precision, double precision) IS
    'Maximum-likelihood BG/BB fit over one row per customer: x transactions in n opportunities, the last at opportunity t_x; with standard errors';
CREATE AGGREGATE @extschema@.bgbb_fit(x double precision, t_x double precision, n double precision, weight double precision) (
    SFUNC = @extschema@.bgbb_sfunc, STYPE = internal,
    FINALFUNC = @extschema@.bgbb_final,
    COMBINEFUNC = @extschema@.bgnbd_combine, SERIALFUNC = @extschema@.bgnbd_serial, DESERIALFUNC = @extschema@.bgnbd_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgbb_fit(double precision, double precision, double precision, double precision) IS
    'Maximum-likelihood BG/BB fit over one row per (x, t_x, n) pattern with the number of customers who share it (weight)';
CREATE FUNCTION @extschema@.bgbb_expected(m @extschema@.bgbb, n_star double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bgbb_expected_uncond' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_expected(@extschema@.bgbb, double precision) IS
    'Expected transactions of a new customer in the first n_star opportunities under the BG/BB model (Fader, Hardie & Shang 2010, eq. 7)';
CREATE FUNCTION @extschema@.bgbb_expected(m @extschema@.bgbb, n_star double precision, x double precision,
                                          t_x double precision, n double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bgbb_expected_cond' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_expected(@extschema@.bgbb, double precision, double precision, double precision, double precision) IS
    'Expected transactions in the next n_star opportunities of a customer with history (x, t_x, n) under the BG/BB model (eq. 13)';
CREATE FUNCTION @extschema@.bgbb_p_alive(m @extschema@.bgbb, x double precision, t_x double precision, n double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bgbb_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_p_alive(@extschema@.bgbb, double precision, double precision, double precision) IS
    'Probability that a customer with history (x, t_x, n) is alive at opportunity n + 1 under the BG/BB model (eq. 11)';

-------------------------------------------------------------------------------
-- Holdout: the RFM summary of a calibration period with the holdout's purchases
-- (docs/ltv.md, SPEC section 9)
-------------------------------------------------------------------------------
CREATE TYPE @extschema@.rfm_holdout_summary AS (
    frequency integer,
    recency double precision,
    age double precision,
    monetary double precision,
    holdout_frequency integer,
    holdout_monetary double precision,
    holdout_duration double precision
);
COMMENT ON TYPE @extschema@.rfm_holdout_summary IS
    'RFM summary of a calibration period (frequency, recency, age, monetary as kam.rfm_summary) with the holdout''s purchase periods, their mean total and the holdout''s length (in units)';
CREATE FUNCTION @extschema@.rfm_holdout_sfunc(internal, timestamptz, double precision, timestamptz, timestamptz, interval)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_holdout_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_holdout_sfunc(internal, timestamptz, double precision, timestamptz, timestamptz, interval, interval)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_holdout_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.rfm_holdout_final(internal) RETURNS @extschema@.rfm_holdout_summary
    AS 'MODULE_PATHNAME', 'kam_rfm_holdout_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_holdout_sfunc(internal, timestamptz, double precision, timestamptz, timestamptz, interval) IS 'transition function of the kam.rfm_holdout';
COMMENT ON FUNCTION @extschema@.rfm_holdout_sfunc(internal, timestamptz, double precision, timestamptz, timestamptz, interval, interval) IS 'transition function of the kam.rfm_holdout with a unit';
COMMENT ON FUNCTION @extschema@.rfm_holdout_final(internal) IS 'final function of the kam.rfm_holdout';
CREATE AGGREGATE @extschema@.rfm_holdout(at timestamptz, amount double precision, calibration_end timestamptz, holdout_end timestamptz, period interval) (
    SFUNC = @extschema@.rfm_holdout_sfunc, STYPE = internal,
    FINALFUNC = @extschema@.rfm_holdout_final,
    COMBINEFUNC = @extschema@.rfm_combine, SERIALFUNC = @extschema@.rfm_serial, DESERIALFUNC = @extschema@.rfm_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_holdout(timestamptz, double precision, timestamptz, timestamptz, interval) IS
    'RFM summary of the purchases up to calibration_end with the holdout''s (calibration_end, holdout_end] purchase periods (lifetimes'' calibration_and_holdout_data); NULL for a customer first seen in the holdout';
CREATE AGGREGATE @extschema@.rfm_holdout(at timestamptz, amount double precision, calibration_end timestamptz, holdout_end timestamptz, period interval, unit interval) (
    SFUNC = @extschema@.rfm_holdout_sfunc, STYPE = internal,
    FINALFUNC = @extschema@.rfm_holdout_final,
    COMBINEFUNC = @extschema@.rfm_combine, SERIALFUNC = @extschema@.rfm_serial, DESERIALFUNC = @extschema@.rfm_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_holdout(timestamptz, double precision, timestamptz, timestamptz, interval, interval) IS
    'kam.rfm_holdout with recency, age and the holdout''s length in `unit` (period 1 day, unit 7 days: weeks)';

-------------------------------------------------------------------------------
-- Standard errors of the BG/NBD and Gamma-Gamma fits (their types keep the 0.1.0 layout)
-------------------------------------------------------------------------------
CREATE TYPE @extschema@.bgnbd_estimate AS (
    model @extschema@.bgnbd,
    r_se double precision,
    alpha_se double precision,
    a_se double precision,
    b_se double precision,
    cor_r_alpha double precision,
    cor_r_a double precision,
    cor_r_b double precision,
    cor_alpha_a double precision,
    cor_alpha_b double precision,
    cor_a_b double precision
);
COMMENT ON TYPE @extschema@.bgnbd_estimate IS
    'A BG/NBD fit with the standard errors of r, alpha, a and b and their correlations (inverse observed information; NULL where not identified)';
CREATE TYPE @extschema@.gammagamma_estimate AS (
    model @extschema@.gammagamma,
    p_se double precision,
    q_se double precision,
    v_se double precision,
    cor_p_q double precision,
    cor_p_v double precision,
    cor_q_v double precision
);
COMMENT ON TYPE @extschema@.gammagamma_estimate IS
    'A Gamma-Gamma fit with the standard errors of p, q and v and their correlations (inverse observed information; NULL where not identified)';
CREATE FUNCTION @extschema@.bgnbd_se_final(internal) RETURNS @extschema@.bgnbd_estimate
    AS 'MODULE_PATHNAME', 'kam_bgnbd_se_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_se_final(internal) IS 'final function of kam.bgnbd_fit_se';
CREATE FUNCTION @extschema@.gammagamma_se_final(internal) RETURNS @extschema@.gammagamma_estimate
    AS 'MODULE_PATHNAME', 'kam_gammagamma_se_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_se_final(internal) IS 'final function of kam.gammagamma_fit_se';
CREATE AGGREGATE @extschema@.bgnbd_fit_se(x double precision, t_x double precision, "T" double precision) (
    SFUNC = @extschema@.bgnbd_sfunc, STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_se_final,
    COMBINEFUNC = @extschema@.bgnbd_combine, SERIALFUNC = @extschema@.bgnbd_serial, DESERIALFUNC = @extschema@.bgnbd_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit_se(double precision, double precision, double precision) IS
    'kam.bgnbd_fit with the standard errors and correlations of its parameters: (model, r_se, alpha_se, a_se, b_se, cor_r_alpha, ...)';
CREATE AGGREGATE @extschema@.gammagamma_fit_se(x double precision, monetary double precision) (
    SFUNC = @extschema@.gammagamma_sfunc, STYPE = internal,
    FINALFUNC = @extschema@.gammagamma_se_final,
    COMBINEFUNC = @extschema@.bgnbd_combine, SERIALFUNC = @extschema@.bgnbd_serial, DESERIALFUNC = @extschema@.bgnbd_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gammagamma_fit_se(double precision, double precision) IS
    'kam.gammagamma_fit with the standard errors and correlations of its parameters: (model, p_se, q_se, v_se, cor_p_q, cor_p_v, cor_q_v)';

-------------------------------------------------------------------------------
-- Interval forms of the model predictions (delta method; docs/ltv.md)
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.sbg_survival_interval(m @extschema@.sbg, t double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_sbg_survival_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_survival_interval(@extschema@.sbg, double precision, double precision) IS
    'S(t) with its delta-method confidence interval (logit scale) from the fits standard errors and correlation; NULL bounds for a model built from parameters';
CREATE FUNCTION @extschema@.sbg_retention_interval(m @extschema@.sbg, t double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_sbg_retention_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_retention_interval(@extschema@.sbg, double precision, double precision) IS
    'The retention rate of period t with its delta-method confidence interval (logit scale)';
CREATE FUNCTION @extschema@.sbg_derl_interval(m @extschema@.sbg, periods_survived double precision, discount_rate double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_sbg_derl_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_derl_interval(@extschema@.sbg, double precision, double precision, double precision) IS
    'DERL with its delta-method confidence interval (log scale)';
CREATE FUNCTION @extschema@.sbg_expected_renewals_interval(m @extschema@.sbg, periods_survived double precision, horizon double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_sbg_expected_renewals_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_expected_renewals_interval(@extschema@.sbg, double precision, double precision, double precision) IS
    'Expected renewals over the horizon with their delta-method confidence interval (log scale)';
CREATE FUNCTION @extschema@.paretonbd_p_alive_interval(m @extschema@.paretonbd, x double precision, t_x double precision, "T" double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_paretonbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_p_alive_interval(@extschema@.paretonbd, double precision, double precision, double precision, double precision) IS
    'Pareto/NBD P(alive) with its delta-method confidence interval (logit scale) from the fits standard errors and correlations; NULL bounds for a model built from parameters';
CREATE FUNCTION @extschema@.paretonbd_expected_interval(m @extschema@.paretonbd, t double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_paretonbd_expected_uncond_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_expected_interval(@extschema@.paretonbd, double precision, double precision) IS
    'Pareto/NBD expected transactions of a new customer with their delta-method confidence interval (log scale)';
CREATE FUNCTION @extschema@.paretonbd_expected_interval(m @extschema@.paretonbd, t double precision, x double precision, t_x double precision, "T" double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_paretonbd_expected_cond_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_expected_interval(@extschema@.paretonbd, double precision, double precision, double precision, double precision, double precision) IS
    'Pareto/NBD expected transactions of a customer with history with their delta-method confidence interval (log scale)';
CREATE FUNCTION @extschema@.mbgnbd_p_alive_interval(m @extschema@.mbgnbd, x double precision, t_x double precision, "T" double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd_p_alive_interval(@extschema@.mbgnbd, double precision, double precision, double precision, double precision) IS
    'MBG/NBD P(alive) with its delta-method confidence interval (logit scale) from the fits standard errors and correlations; NULL bounds for a model built from parameters';
CREATE FUNCTION @extschema@.mbgnbd_expected_interval(m @extschema@.mbgnbd, t double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_expected_uncond_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd_expected_interval(@extschema@.mbgnbd, double precision, double precision) IS
    'MBG/NBD expected transactions of a new customer with their delta-method confidence interval (log scale)';
CREATE FUNCTION @extschema@.mbgnbd_expected_interval(m @extschema@.mbgnbd, t double precision, x double precision, t_x double precision, "T" double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_mbgnbd_expected_cond_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd_expected_interval(@extschema@.mbgnbd, double precision, double precision, double precision, double precision, double precision) IS
    'MBG/NBD expected transactions of a customer with history with their delta-method confidence interval (log scale)';
CREATE FUNCTION @extschema@.bgbb_p_alive_interval(m @extschema@.bgbb, x double precision, t_x double precision, n double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_bgbb_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_p_alive_interval(@extschema@.bgbb, double precision, double precision, double precision, double precision) IS
    'BG/BB P(alive) with its delta-method confidence interval (logit scale) from the fits standard errors and correlations; NULL bounds for a model built from parameters';
CREATE FUNCTION @extschema@.bgbb_expected_interval(m @extschema@.bgbb, n_star double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_bgbb_expected_uncond_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_expected_interval(@extschema@.bgbb, double precision, double precision) IS
    'BG/BB expected transactions of a new customer with their delta-method confidence interval (log scale)';
CREATE FUNCTION @extschema@.bgbb_expected_interval(m @extschema@.bgbb, n_star double precision, x double precision, t_x double precision, n double precision, confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_bgbb_expected_cond_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_expected_interval(@extschema@.bgbb, double precision, double precision, double precision, double precision, double precision) IS
    'BG/BB expected transactions of a customer with history with their delta-method confidence interval (log scale)';

-------------------------------------------------------------------------------
-- The renewal forecast (docs/kam.md, SPEC section 9)
-------------------------------------------------------------------------------
CREATE TYPE @extschema@.renewal_forecast_month AS (
    month date,
    committed double precision,
    renewals double precision,
    expected double precision,
    lower double precision,
    upper double precision
);
COMMENT ON TYPE @extschema@.renewal_forecast_month IS
    'One month of kam.renewal_forecast: its first day, the MRR committed by terms still running, the expected MRR of renewals (probability times MRR), their sum and its interval';
CREATE FUNCTION @extschema@.renewal_forecast_combine(double precision[], double precision[]) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_renewal_forecast_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_forecast_combine(double precision[], double precision[]) IS 'combine function of kam.renewal_forecast';
CREATE FUNCTION @extschema@.renewal_forecast_final(double precision[]) RETURNS @extschema@.renewal_forecast_month[]
    AS 'MODULE_PATHNAME', 'kam_renewal_forecast_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_forecast_final(double precision[]) IS 'final function of kam.renewal_forecast';
CREATE FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], date, double precision, double precision, date, integer) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_renewal_forecast_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], date, double precision, double precision, date, integer) IS 'transition function of kam.renewal_forecast';
CREATE AGGREGATE @extschema@.renewal_forecast(term_end date, mrr double precision, renewal_probability double precision, "from" date, months integer) (
    SFUNC = @extschema@.renewal_forecast_sfunc, STYPE = double precision[],
    FINALFUNC = @extschema@.renewal_forecast_final,
    COMBINEFUNC = @extschema@.renewal_forecast_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_forecast(date, double precision, double precision, date, integer) IS
    'Expected MRR per month over the next `months` months from the contracts in force: committed until term_end, then renewing with renewal_probability; with a 95 % confidence interval (normal approximation of the independent renewals)';
CREATE FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], date, double precision, double precision, date, integer, double precision) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_renewal_forecast_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], date, double precision, double precision, date, integer, double precision) IS 'transition function of kam.renewal_forecast';
CREATE AGGREGATE @extschema@.renewal_forecast(term_end date, mrr double precision, renewal_probability double precision, "from" date, months integer, confidence double precision) (
    SFUNC = @extschema@.renewal_forecast_sfunc, STYPE = double precision[],
    FINALFUNC = @extschema@.renewal_forecast_final,
    COMBINEFUNC = @extschema@.renewal_forecast_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_forecast(date, double precision, double precision, date, integer, double precision) IS
    'Expected MRR per month over the next `months` months from the contracts in force: committed until term_end, then renewing with renewal_probability; with its confidence interval (normal approximation of the independent renewals)';
CREATE FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], date, numeric, double precision, date, integer) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_renewal_forecast_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], date, numeric, double precision, date, integer) IS 'transition function of kam.renewal_forecast';
CREATE AGGREGATE @extschema@.renewal_forecast(term_end date, mrr numeric, renewal_probability double precision, "from" date, months integer) (
    SFUNC = @extschema@.renewal_forecast_sfunc, STYPE = double precision[],
    FINALFUNC = @extschema@.renewal_forecast_final,
    COMBINEFUNC = @extschema@.renewal_forecast_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_forecast(date, numeric, double precision, date, integer) IS
    'Expected MRR per month over the next `months` months from the contracts in force: committed until term_end, then renewing with renewal_probability; with a 95 % confidence interval (normal approximation of the independent renewals)';
CREATE FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], date, numeric, double precision, date, integer, double precision) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_renewal_forecast_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], date, numeric, double precision, date, integer, double precision) IS 'transition function of kam.renewal_forecast';
CREATE AGGREGATE @extschema@.renewal_forecast(term_end date, mrr numeric, renewal_probability double precision, "from" date, months integer, confidence double precision) (
    SFUNC = @extschema@.renewal_forecast_sfunc, STYPE = double precision[],
    FINALFUNC = @extschema@.renewal_forecast_final,
    COMBINEFUNC = @extschema@.renewal_forecast_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_forecast(date, numeric, double precision, date, integer, double precision) IS
    'Expected MRR per month over the next `months` months from the contracts in force: committed until term_end, then renewing with renewal_probability; with its confidence interval (normal approximation of the independent renewals)';
CREATE FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], timestamptz, double precision, double precision, timestamptz, integer) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_renewal_forecast_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], timestamptz, double precision, double precision, timestamptz, integer) IS 'transition function of kam.renewal_forecast';
CREATE AGGREGATE @extschema@.renewal_forecast(term_end timestamptz, mrr double precision, renewal_probability double precision, "from" timestamptz, months integer) (
    SFUNC = @extschema@.renewal_forecast_sfunc, STYPE = double precision[],
    FINALFUNC = @extschema@.renewal_forecast_final,
    COMBINEFUNC = @extschema@.renewal_forecast_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_forecast(timestamptz, double precision, double precision, timestamptz, integer) IS
    'Expected MRR per month over the next `months` months from the contracts in force: committed until term_end, then renewing with renewal_probability; with a 95 % confidence interval (normal approximation of the independent renewals)';
CREATE FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], timestamptz, double precision, double precision, timestamptz, integer, double precision) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_renewal_forecast_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], timestamptz, double precision, double precision, timestamptz, integer, double precision) IS 'transition function of kam.renewal_forecast';
CREATE AGGREGATE @extschema@.renewal_forecast(term_end timestamptz, mrr double precision, renewal_probability double precision, "from" timestamptz, months integer, confidence double precision) (
    SFUNC = @extschema@.renewal_forecast_sfunc, STYPE = double precision[],
    FINALFUNC = @extschema@.renewal_forecast_final,
    COMBINEFUNC = @extschema@.renewal_forecast_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_forecast(timestamptz, double precision, double precision, timestamptz, integer, double precision) IS
    'Expected MRR per month over the next `months` months from the contracts in force: committed until term_end, then renewing with renewal_probability; with its confidence interval (normal approximation of the independent renewals)';
CREATE FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], timestamptz, numeric, double precision, timestamptz, integer) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_renewal_forecast_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], timestamptz, numeric, double precision, timestamptz, integer) IS 'transition function of kam.renewal_forecast';
CREATE AGGREGATE @extschema@.renewal_forecast(term_end timestamptz, mrr numeric, renewal_probability double precision, "from" timestamptz, months integer) (
    SFUNC = @extschema@.renewal_forecast_sfunc, STYPE = double precision[],
    FINALFUNC = @extschema@.renewal_forecast_final,
    COMBINEFUNC = @extschema@.renewal_forecast_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_forecast(timestamptz, numeric, double precision, timestamptz, integer) IS
    'Expected MRR per month over the next `months` months from the contracts in force: committed until term_end, then renewing with renewal_probability; with a 95 % confidence interval (normal approximation of the independent renewals)';
CREATE FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], timestamptz, numeric, double precision, timestamptz, integer, double precision) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'kam_renewal_forecast_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.renewal_forecast_sfunc(double precision[], timestamptz, numeric, double precision, timestamptz, integer, double precision) IS 'transition function of kam.renewal_forecast';
CREATE AGGREGATE @extschema@.renewal_forecast(term_end timestamptz, mrr numeric, renewal_probability double precision, "from" timestamptz, months integer, confidence double precision) (
    SFUNC = @extschema@.renewal_forecast_sfunc, STYPE = double precision[],
    FINALFUNC = @extschema@.renewal_forecast_final,
    COMBINEFUNC = @extschema@.renewal_forecast_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.renewal_forecast(timestamptz, numeric, double precision, timestamptz, integer, double precision) IS
    'Expected MRR per month over the next `months` months from the contracts in force: committed until term_end, then renewing with renewal_probability; with its confidence interval (normal approximation of the independent renewals)';
CREATE FUNCTION @extschema@.clv_interval(bgnbd @extschema@.bgnbd_estimate, gammagamma @extschema@.gammagamma_estimate,
                                         x double precision, t_x double precision, "T" double precision, monetary double precision,
                                         months integer, monthly_discount_rate double precision, periods_per_month double precision,
                                         confidence double precision DEFAULT 0.95)
    RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_clv_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.clv_interval(@extschema@.bgnbd_estimate, @extschema@.gammagamma_estimate, double precision, double precision, double precision, double precision, integer, double precision, double precision, double precision) IS
    'kam.clv with its delta-method confidence interval (log scale) from the fits of kam.bgnbd_fit_se and kam.gammagamma_fit_se, the two estimates independent';

-------------------------------------------------------------------------------
-- The beta-discrete-Weibull contract model (docs/ltv.md)
-------------------------------------------------------------------------------
CREATE TYPE @extschema@.bdw;
CREATE FUNCTION @extschema@.bdw_in(cstring) RETURNS @extschema@.bdw
    AS 'MODULE_PATHNAME', 'kam_bdw_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bdw_out(@extschema@.bdw) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_bdw_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bdw_recv(internal) RETURNS @extschema@.bdw
    AS 'MODULE_PATHNAME', 'kam_bdw_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.bdw_send(@extschema@.bdw) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_bdw_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.bdw (
    INPUT = @extschema@.bdw_in,
    OUTPUT = @extschema@.bdw_out,
    RECEIVE = @extschema@.bdw_recv,
    SEND = @extschema@.bdw_send,
    INTERNALLENGTH = 88,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.bdw IS
    'Beta-discrete-Weibull contract model (Fader, Hardie, Liu, Davin & Steenburgh 2018): alpha, beta, c, log-likelihood, customers fitted, the standard errors and their correlations';
COMMENT ON FUNCTION @extschema@.bdw_in(cstring) IS 'text input of kam.bdw: (alpha=..,beta=..,c=..,ll=..,n=..,alpha_se=..,beta_se=..,c_se=..,cor_alpha_beta=..,cor_alpha_c=..,cor_beta_c=..)';
COMMENT ON FUNCTION @extschema@.bdw_out(@extschema@.bdw) IS 'text output of kam.bdw, every value in its shortest exact form';
COMMENT ON FUNCTION @extschema@.bdw_recv(internal) IS 'binary input of kam.bdw (format version byte, then the values)';
COMMENT ON FUNCTION @extschema@.bdw_send(@extschema@.bdw) IS 'binary output of kam.bdw';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.bdw, @extschema@.bdw) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.bdw, @extschema@.bdw) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.bdw) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.bdw, RIGHTARG = @extschema@.bdw, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.bdw, RIGHTARG = @extschema@.bdw, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.bdw_ops DEFAULT FOR TYPE @extschema@.bdw USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.bdw, @extschema@.bdw),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.bdw);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.bdw, @extschema@.bdw) IS
    'true when the two bdw values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.bdw, @extschema@.bdw) IS
    'true when the two bdw values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.bdw) IS
    'hash of the text form of an bdw value';
COMMENT ON OPERATOR @extschema@.= (@extschema@.bdw, @extschema@.bdw) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.bdw, @extschema@.bdw) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.bdw_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on bdw values';
COMMENT ON OPERATOR FAMILY @extschema@.bdw_ops USING hash IS
    'hash operator family of bdw (its text form)';
CREATE FUNCTION @extschema@.bdw(alpha double precision, beta double precision, c double precision) RETURNS @extschema@.bdw
    AS 'MODULE_PATHNAME', 'kam_bdw' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw(double precision, double precision, double precision) IS
    'A BdW model from known parameters (ll, standard errors and correlations unknown, n 0)';
CREATE FUNCTION @extschema@.bdw_param(m @extschema@.bdw, name text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bdw_param' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_param(@extschema@.bdw, text) IS
    'One value of a BdW model: a parameter, ll, n, <parameter>_se or cor_<a>_<b> (NULL when unknown)';
CREATE FUNCTION @extschema@.bdw_fit(alive integer[]) RETURNS @extschema@.bdw
    AS 'MODULE_PATHNAME', 'kam_bdw_fit_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_fit(integer[]) IS
    'Fit the BdW model to one cohort: the customers still active at the start of each period';
CREATE FUNCTION @extschema@.bdw_final(internal) RETURNS @extschema@.bdw
    AS 'MODULE_PATHNAME', 'kam_bdw_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_final(internal) IS 'final function of kam.bdw_fit';
CREATE AGGREGATE @extschema@.bdw_fit(periods integer, churned boolean) (
    SFUNC = @extschema@.sbg_sfunc, STYPE = internal, SSPACE = 256,
    FINALFUNC = @extschema@.bdw_final,
    COMBINEFUNC = @extschema@.sbg_combine, SERIALFUNC = @extschema@.sbg_serial, DESERIALFUNC = @extschema@.sbg_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bdw_fit(integer, boolean) IS
    'Fit the BdW model over one row per customer: (t, true) churned in period t, (n, false) still active after n periods';
CREATE FUNCTION @extschema@.bdw_survival(m @extschema@.bdw, t double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bdw_survival' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_survival(@extschema@.bdw, double precision) IS
    'S(t) = B(alpha, beta + t^c) / B(alpha, beta): the share of a cohort still active after t periods';
CREATE FUNCTION @extschema@.bdw_retention(m @extschema@.bdw, t double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bdw_retention' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_retention(@extschema@.bdw, double precision) IS
    'The retention rate of period t: S(t) / S(t - 1), t >= 1';
CREATE FUNCTION @extschema@.bdw_expected_lifetime(m @extschema@.bdw) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bdw_expected_lifetime' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_expected_lifetime(@extschema@.bdw) IS
    'The expected lifetime of a new customer in periods, the sum of S(t) over t >= 0; Infinity when c alpha <= 1';
CREATE FUNCTION @extschema@.bdw_derl(m @extschema@.bdw, periods_survived double precision, discount_rate double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bdw_derl' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_derl(@extschema@.bdw, double precision, double precision) IS
    'Discounted expected residual lifetime of a customer active for periods_survived periods, before the renewal at the end of the last one';
CREATE FUNCTION @extschema@.bdw_expected_renewals(m @extschema@.bdw, periods_survived double precision, horizon double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_bdw_expected_renewals' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_expected_renewals(@extschema@.bdw, double precision, double precision) IS
    'The renewals a customer active for periods_survived periods is expected to make over the next horizon renewal dates';
CREATE FUNCTION @extschema@.bdw_survival_interval(m @extschema@.bdw, t double precision, confidence double precision DEFAULT 0.95) RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_bdw_survival_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_survival_interval(@extschema@.bdw, double precision, double precision) IS
    'S(t) with its delta-method confidence interval (logit scale)';
CREATE FUNCTION @extschema@.bdw_retention_interval(m @extschema@.bdw, t double precision, confidence double precision DEFAULT 0.95) RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_bdw_retention_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_retention_interval(@extschema@.bdw, double precision, double precision) IS
    'The retention rate of period t with its delta-method confidence interval (logit scale)';
CREATE FUNCTION @extschema@.bdw_derl_interval(m @extschema@.bdw, periods_survived double precision, discount_rate double precision, confidence double precision DEFAULT 0.95) RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_bdw_derl_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_derl_interval(@extschema@.bdw, double precision, double precision, double precision) IS
    'DERL with its delta-method confidence interval (log scale)';
CREATE FUNCTION @extschema@.bdw_expected_renewals_interval(m @extschema@.bdw, periods_survived double precision, horizon double precision, confidence double precision DEFAULT 0.95) RETURNS @extschema@.confidence_interval
    AS 'MODULE_PATHNAME', 'kam_bdw_expected_renewals_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bdw_expected_renewals_interval(@extschema@.bdw, double precision, double precision, double precision) IS
    'Expected renewals with their delta-method confidence interval (log scale)';
CREATE FUNCTION @extschema@.paretonbd_probability(m @extschema@.paretonbd, n integer, t double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_paretonbd_probability' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_probability(@extschema@.paretonbd, integer, double precision) IS
    'P(X(t) = n): the probability that a customer drawn from the population makes n purchases in t periods under the Pareto/NBD model';

-------------------------------------------------------------------------------
-- kam.top_share over a concrete state, kam.top_state, so Citus pushes it down
-------------------------------------------------------------------------------
CREATE TYPE @extschema@.top_state;
CREATE FUNCTION @extschema@.top_state_in(cstring) RETURNS @extschema@.top_state
    AS 'MODULE_PATHNAME', 'kam_top_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.top_state_out(@extschema@.top_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kam_top_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.top_state_recv(internal) RETURNS @extschema@.top_state
    AS 'MODULE_PATHNAME', 'kam_top_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.top_state_send(@extschema@.top_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kam_top_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.top_state (
    INPUT = @extschema@.top_state_in,
    OUTPUT = @extschema@.top_state_out,
    RECEIVE = @extschema@.top_state_recv,
    SEND = @extschema@.top_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.top_state IS
    'State of kam.top_share: the rows, n, the total and the n largest values (at most n values)';
COMMENT ON FUNCTION @extschema@.top_state_in(cstring) IS 'text input of kam.top_state: (rows=..,n=..,total=..,top={v1,v2,..}), the values ascending';
COMMENT ON FUNCTION @extschema@.top_state_out(@extschema@.top_state) IS 'text output of kam.top_state, the values ascending, each in its shortest exact form';
COMMENT ON FUNCTION @extschema@.top_state_recv(internal) IS 'binary input of kam.top_state (format version byte, then rows, n, total and the values)';
COMMENT ON FUNCTION @extschema@.top_state_send(@extschema@.top_state) IS 'binary output of kam.top_state';
CREATE FUNCTION @extschema@.summary_eq(@extschema@.top_state, @extschema@.top_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_ne(@extschema@.top_state, @extschema@.top_state) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kam_summary_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.summary_hash(@extschema@.top_state) RETURNS integer
    AS 'MODULE_PATHNAME', 'kam_summary_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.top_state, RIGHTARG = @extschema@.top_state, FUNCTION = @extschema@.summary_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.top_state, RIGHTARG = @extschema@.top_state, FUNCTION = @extschema@.summary_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR CLASS @extschema@.top_state_ops DEFAULT FOR TYPE @extschema@.top_state USING hash AS
    OPERATOR 1 @extschema@.= (@extschema@.top_state, @extschema@.top_state),
    FUNCTION 1 @extschema@.summary_hash(@extschema@.top_state);
COMMENT ON FUNCTION @extschema@.summary_eq(@extschema@.top_state, @extschema@.top_state) IS
    'true when the two top_state values have the same text form';
COMMENT ON FUNCTION @extschema@.summary_ne(@extschema@.top_state, @extschema@.top_state) IS
    'true when the two top_state values have different text forms';
COMMENT ON FUNCTION @extschema@.summary_hash(@extschema@.top_state) IS
    'hash of the text form of a top_state value';
COMMENT ON OPERATOR @extschema@.= (@extschema@.top_state, @extschema@.top_state) IS 'same text form';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.top_state, @extschema@.top_state) IS 'different text forms';
COMMENT ON OPERATOR CLASS @extschema@.top_state_ops USING hash IS
    'DISTINCT, GROUP BY, UNION and hash joins on top_state values';
COMMENT ON OPERATOR FAMILY @extschema@.top_state_ops USING hash IS
    'hash operator family of top_state (its text form)';
CREATE FUNCTION @extschema@.top_sfunc(@extschema@.top_state, double precision, bigint) RETURNS @extschema@.top_state
    AS 'MODULE_PATHNAME', 'kam_top_sfunc_state' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.top_sfunc(@extschema@.top_state, double precision, bigint) IS
    'transition function of kam.top_share: adds one revenue value';
CREATE FUNCTION @extschema@.top_combine(@extschema@.top_state, @extschema@.top_state) RETURNS @extschema@.top_state
    AS 'MODULE_PATHNAME', 'kam_top_combine_state' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.top_combine(@extschema@.top_state, @extschema@.top_state) IS
    'combine function of kam.top_share: merges two states (the n largest of both, the totals added)';
CREATE FUNCTION @extschema@.top_final(@extschema@.top_state) RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_top_final_state' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.top_final(@extschema@.top_state) IS
    'final function of kam.top_share: the n largest values'' share of the total; NULL for a zero total';

-- An aggregate's state type cannot be changed by ALTER AGGREGATE, and DROP AGGREGATE would
-- take users' views with it: the catalog row is re-pointed to the new functions, with its
-- dependencies, and the internal-state functions are dropped.  (0.1.0 and 0.2.0 catalogs
-- keep calling the old C functions, which kam.so still has.)
UPDATE pg_catalog.pg_aggregate a
SET aggtransfn = '@extschema@.top_sfunc(@extschema@.top_state, double precision, bigint)'::pg_catalog.regprocedure,
    aggcombinefn = '@extschema@.top_combine(@extschema@.top_state, @extschema@.top_state)'::pg_catalog.regprocedure,
    aggfinalfn = '@extschema@.top_final(@extschema@.top_state)'::pg_catalog.regprocedure,
    aggserialfn = 0, aggdeserialfn = 0, aggtransspace = 0,
    aggtranstype = '@extschema@.top_state'::pg_catalog.regtype
WHERE a.aggfnoid OPERATOR(pg_catalog.=) '@extschema@.top_share(double precision, bigint)'::pg_catalog.regprocedure;
UPDATE pg_catalog.pg_depend d SET refobjid = v.new
FROM (VALUES ('@extschema@.top_sfunc(internal, double precision, bigint)'::pg_catalog.regprocedure,
              '@extschema@.top_sfunc(@extschema@.top_state, double precision, bigint)'::pg_catalog.regprocedure),
             ('@extschema@.top_combine(internal, internal)', '@extschema@.top_combine(@extschema@.top_state, @extschema@.top_state)'),
             ('@extschema@.top_final(internal)', '@extschema@.top_final(@extschema@.top_state)')) v(old, new)
WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
  AND d.objid OPERATOR(pg_catalog.=) '@extschema@.top_share(double precision, bigint)'::pg_catalog.regprocedure
  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
  AND d.refobjid OPERATOR(pg_catalog.=) v.old::pg_catalog.oid;
DELETE FROM pg_catalog.pg_depend d
WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
  AND d.objid OPERATOR(pg_catalog.=) '@extschema@.top_share(double precision, bigint)'::pg_catalog.regprocedure
  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
  AND d.refobjid OPERATOR(pg_catalog.=) ANY (ARRAY['@extschema@.top_serial(internal)'::pg_catalog.regprocedure,
                                                   '@extschema@.top_deserial(bytea, internal)'::pg_catalog.regprocedure]::pg_catalog.oid[]);
DROP FUNCTION @extschema@.top_sfunc(internal, double precision, bigint);
DROP FUNCTION @extschema@.top_combine(internal, internal);
DROP FUNCTION @extschema@.top_serial(internal);
DROP FUNCTION @extschema@.top_deserial(bytea, internal);
DROP FUNCTION @extschema@.top_final(internal);

-------------------------------------------------------------------------------
-- kam.survival_agg(started, ended, as_of) over a concrete state, kam.survival itself, so
-- Citus pushes it down; kam.rollup(kam.survival) adds stored life tables
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.survival_sfunc(@extschema@.survival, date, date, date) RETURNS @extschema@.survival
    AS 'MODULE_PATHNAME', 'kam_survival_sfunc_state' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_sfunc(@extschema@.survival, date, date, date) IS
    'transition function of kam.survival_agg: adds one contract''s lifetime (an event, or censored at as_of)';
CREATE FUNCTION @extschema@.survival_sfunc(@extschema@.survival, timestamptz, timestamptz, timestamptz) RETURNS @extschema@.survival
    AS 'MODULE_PATHNAME', 'kam_survival_sfunc_state' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_sfunc(@extschema@.survival, timestamptz, timestamptz, timestamptz) IS
    'transition function of kam.survival_agg over timestamps (days in the session time zone)';
CREATE FUNCTION @extschema@.survival_combine(@extschema@.survival, @extschema@.survival) RETURNS @extschema@.survival
    AS 'MODULE_PATHNAME', 'kam_survival_combine_state' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_combine(@extschema@.survival, @extschema@.survival) IS
    'combine function of kam.survival_agg and kam.rollup(kam.survival): the events and censorings of both life tables added per lifetime';
CREATE FUNCTION @extschema@.survival_final(@extschema@.survival) RETURNS @extschema@.survival
    AS 'MODULE_PATHNAME', 'kam_survival_final_state' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival_final(@extschema@.survival) IS
    'final function of kam.survival_agg and kam.rollup(kam.survival): the life table with its lifetimes in ascending order';

UPDATE pg_catalog.pg_aggregate a
SET aggtransfn = v.sfunc,
    aggcombinefn = '@extschema@.survival_combine(@extschema@.survival, @extschema@.survival)'::pg_catalog.regprocedure,
    aggfinalfn = '@extschema@.survival_final(@extschema@.survival)'::pg_catalog.regprocedure,
    aggserialfn = 0, aggdeserialfn = 0, aggtransspace = 0,
    aggtranstype = '@extschema@.survival'::pg_catalog.regtype
FROM (VALUES ('@extschema@.survival_agg(date, date, date)'::pg_catalog.regprocedure,
              '@extschema@.survival_sfunc(@extschema@.survival, date, date, date)'::pg_catalog.regprocedure),
             ('@extschema@.survival_agg(timestamptz, timestamptz, timestamptz)',
              '@extschema@.survival_sfunc(@extschema@.survival, timestamptz, timestamptz, timestamptz)')) v(agg, sfunc)
WHERE a.aggfnoid OPERATOR(pg_catalog.=) v.agg;
UPDATE pg_catalog.pg_depend d SET refobjid = v.new
FROM (VALUES ('@extschema@.survival_agg(date, date, date)'::pg_catalog.regprocedure,
              '@extschema@.survival_sfunc(internal, date, date, date)'::pg_catalog.regprocedure,
              '@extschema@.survival_sfunc(@extschema@.survival, date, date, date)'::pg_catalog.regprocedure),
             ('@extschema@.survival_agg(timestamptz, timestamptz, timestamptz)',
              '@extschema@.survival_sfunc(internal, timestamptz, timestamptz, timestamptz)',
              '@extschema@.survival_sfunc(@extschema@.survival, timestamptz, timestamptz, timestamptz)'),
             ('@extschema@.survival_agg(date, date, date)', '@extschema@.survival_combine(internal, internal)',
              '@extschema@.survival_combine(@extschema@.survival, @extschema@.survival)'),
             ('@extschema@.survival_agg(timestamptz, timestamptz, timestamptz)', '@extschema@.survival_combine(internal, internal)',
              '@extschema@.survival_combine(@extschema@.survival, @extschema@.survival)'),
             ('@extschema@.survival_agg(date, date, date)', '@extschema@.survival_final(internal)',
              '@extschema@.survival_final(@extschema@.survival)'),
             ('@extschema@.survival_agg(timestamptz, timestamptz, timestamptz)', '@extschema@.survival_final(internal)',
              '@extschema@.survival_final(@extschema@.survival)')) v(agg, old, new)
WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
  AND d.objid OPERATOR(pg_catalog.=) v.agg::pg_catalog.oid
  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
  AND d.refobjid OPERATOR(pg_catalog.=) v.old::pg_catalog.oid;
DELETE FROM pg_catalog.pg_depend d
WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
  AND d.objid OPERATOR(pg_catalog.=) ANY (ARRAY['@extschema@.survival_agg(date, date, date)'::pg_catalog.regprocedure,
                                                '@extschema@.survival_agg(timestamptz, timestamptz, timestamptz)'::pg_catalog.regprocedure]::pg_catalog.oid[])
  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
  AND d.refobjid OPERATOR(pg_catalog.=) ANY (ARRAY['@extschema@.survival_serial(internal)'::pg_catalog.regprocedure,
                                                   '@extschema@.survival_deserial(bytea, internal)'::pg_catalog.regprocedure]::pg_catalog.oid[]);
DROP FUNCTION @extschema@.survival_sfunc(internal, date, date, date);
DROP FUNCTION @extschema@.survival_sfunc(internal, timestamptz, timestamptz, timestamptz);
DROP FUNCTION @extschema@.survival_combine(internal, internal);
DROP FUNCTION @extschema@.survival_serial(internal);
DROP FUNCTION @extschema@.survival_deserial(bytea, internal);
DROP FUNCTION @extschema@.survival_final(internal);

CREATE AGGREGATE @extschema@.rollup(@extschema@.survival) (
    SFUNC = @extschema@.survival_combine,
    STYPE = @extschema@.survival,
    COMBINEFUNC = @extschema@.survival_combine,
    FINALFUNC = @extschema@.survival_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.survival) IS
    'Adds life tables (for example stored per month or per segment, or computed per shard): the Kaplan-Meier curve of all their contracts';

-------------------------------------------------------------------------------
-- kam.rfm over the columns real tables have: dates (no time zone lookup per row) and numeric
-- amounts (read natively, exactly as numeric::float8)
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.rfm_sfunc(internal, date, double precision, date, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_sfunc(internal, date, double precision, date, interval) IS 'transition function of kam.rfm';
CREATE FUNCTION @extschema@.rfm_sfunc(internal, date, double precision, date, interval, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_sfunc(internal, date, double precision, date, interval, interval) IS 'transition function of kam.rfm';
CREATE FUNCTION @extschema@.rfm_sfunc(internal, date, numeric, date, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_sfunc(internal, date, numeric, date, interval) IS 'transition function of kam.rfm';
CREATE FUNCTION @extschema@.rfm_sfunc(internal, date, numeric, date, interval, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_sfunc(internal, date, numeric, date, interval, interval) IS 'transition function of kam.rfm';
CREATE FUNCTION @extschema@.rfm_sfunc(internal, timestamptz, numeric, timestamptz, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_sfunc(internal, timestamptz, numeric, timestamptz, interval) IS 'transition function of kam.rfm';
CREATE FUNCTION @extschema@.rfm_sfunc(internal, timestamptz, numeric, timestamptz, interval, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_sfunc(internal, timestamptz, numeric, timestamptz, interval, interval) IS 'transition function of kam.rfm';
CREATE AGGREGATE @extschema@.rfm(at date, amount double precision, observation_end date, period interval) (
    SFUNC = @extschema@.rfm_sfunc, STYPE = internal, SSPACE = 256,
    FINALFUNC = @extschema@.rfm_final, COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serial, DESERIALFUNC = @extschema@.rfm_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(date, double precision, date, interval) IS
    'RFM summary of one customer''s transactions over dates (the calendar as written, no time zone) and double precision amounts';
CREATE AGGREGATE @extschema@.rfm(at date, amount double precision, observation_end date, period interval, unit interval) (
    SFUNC = @extschema@.rfm_sfunc, STYPE = internal, SSPACE = 256,
    FINALFUNC = @extschema@.rfm_final, COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serial, DESERIALFUNC = @extschema@.rfm_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(date, double precision, date, interval, interval) IS
    'RFM summary of one customer''s transactions over dates (the calendar as written, no time zone) and double precision amounts, t_x and T in `unit`';
CREATE AGGREGATE @extschema@.rfm(at date, amount numeric, observation_end date, period interval) (
    SFUNC = @extschema@.rfm_sfunc, STYPE = internal, SSPACE = 256,
    FINALFUNC = @extschema@.rfm_final, COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serial, DESERIALFUNC = @extschema@.rfm_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(date, numeric, date, interval) IS
    'RFM summary of one customer''s transactions over dates (the calendar as written, no time zone) and numeric amounts read natively';
CREATE AGGREGATE @extschema@.rfm(at date, amount numeric, observation_end date, period interval, unit interval) (
    SFUNC = @extschema@.rfm_sfunc, STYPE = internal, SSPACE = 256,
    FINALFUNC = @extschema@.rfm_final, COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serial, DESERIALFUNC = @extschema@.rfm_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(date, numeric, date, interval, interval) IS
    'RFM summary of one customer''s transactions over dates (the calendar as written, no time zone) and numeric amounts read natively, t_x and T in `unit`';
CREATE AGGREGATE @extschema@.rfm(at timestamptz, amount numeric, observation_end timestamptz, period interval) (
    SFUNC = @extschema@.rfm_sfunc, STYPE = internal, SSPACE = 256,
    FINALFUNC = @extschema@.rfm_final, COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serial, DESERIALFUNC = @extschema@.rfm_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, numeric, timestamptz, interval) IS
    'RFM summary of one customer''s transactions over timestamps (periods in the session time zone) and numeric amounts read natively';
CREATE AGGREGATE @extschema@.rfm(at timestamptz, amount numeric, observation_end timestamptz, period interval, unit interval) (
    SFUNC = @extschema@.rfm_sfunc, STYPE = internal, SSPACE = 256,
    FINALFUNC = @extschema@.rfm_final, COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serial, DESERIALFUNC = @extschema@.rfm_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, numeric, timestamptz, interval, interval) IS
    'RFM summary of one customer''s transactions over timestamps (periods in the session time zone) and numeric amounts read natively, t_x and T in `unit`';

-------------------------------------------------------------------------------
-- Concentration over numeric revenue, read natively (exactly as numeric::float8, without its
-- round trip through text)
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.hhi_sfunc(@extschema@.hhi_state, numeric) RETURNS @extschema@.hhi_state
    AS 'MODULE_PATHNAME', 'kam_hhi_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.hhi_sfunc(@extschema@.hhi_state, numeric) IS
    'transition function of kam.hhi and kam.equivalent_customers over numeric revenue';
CREATE AGGREGATE @extschema@.hhi(revenue numeric) (
    SFUNC = @extschema@.hhi_sfunc, STYPE = @extschema@.hhi_state,
    COMBINEFUNC = @extschema@.hhi_combine, FINALFUNC = @extschema@.hhi_final, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.hhi(numeric) IS
    'Herfindahl-Hirschman index of numeric revenue (read natively): sum of squared shares, 0..1; NULL for a zero total';
CREATE AGGREGATE @extschema@.equivalent_customers(revenue numeric) (
    SFUNC = @extschema@.hhi_sfunc, STYPE = @extschema@.hhi_state,
    COMBINEFUNC = @extschema@.hhi_combine, FINALFUNC = @extschema@.equivalent_customers_final, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.equivalent_customers(numeric) IS
    'Equivalent number of equal-sized customers, 1 / HHI, over numeric revenue';
CREATE FUNCTION @extschema@.values_sfunc(internal, numeric) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_values_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.values_sfunc(internal, numeric) IS 'transition function of kam.gini over numeric revenue';
CREATE AGGREGATE @extschema@.gini(revenue numeric) (
    SFUNC = @extschema@.values_sfunc, STYPE = internal, SSPACE = 256,
    COMBINEFUNC = @extschema@.values_combine, SERIALFUNC = @extschema@.values_serial,
    DESERIALFUNC = @extschema@.values_deserial, FINALFUNC = @extschema@.gini_final, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gini(numeric) IS
    'Gini coefficient of numeric revenue (population form, 0 = equal, up to 1 - 1/n); NULL for a zero total';
CREATE FUNCTION @extschema@.top_sfunc(@extschema@.top_state, numeric, bigint) RETURNS @extschema@.top_state
    AS 'MODULE_PATHNAME', 'kam_top_sfunc_state' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.top_sfunc(@extschema@.top_state, numeric, bigint) IS
    'transition function of kam.top_share over numeric revenue';
CREATE AGGREGATE @extschema@.top_share(revenue numeric, n bigint) (
    SFUNC = @extschema@.top_sfunc, STYPE = @extschema@.top_state,
    COMBINEFUNC = @extschema@.top_combine, FINALFUNC = @extschema@.top_final, PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.top_share(numeric, bigint) IS
    'Share of total numeric revenue held by the n largest values (1 when there are n rows or fewer); NULL for a zero total';

-- kam.health_score(ARRAY[...], weights, policy) planned as kam.health_score_of(weights, policy, ...):
-- no array built per row, numeric measures read natively
CREATE FUNCTION @extschema@.health_score_of(weights double precision[], policy text, VARIADIC measures "any")
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_health_score_of'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.health_score_of(double precision[], text, "any") IS
    'Health score 0..100 of measures given one by one (double precision or numeric, read natively): what kam.health_score(ARRAY[...], weights, policy) is planned as';
CREATE FUNCTION @extschema@.health_score_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_health_score_support'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.health_score_support(internal) IS
    'planner support of kam.health_score: ARRAY[...] measures with constant weights and policy become kam.health_score_of';
ALTER FUNCTION @extschema@.health_score(double precision[], double precision[], text)
    SUPPORT @extschema@.health_score_support;

-- kam.score(card, ARRAY[...]) planned as kam.score_of(card, ...): no array built per row, numeric
-- values read natively
CREATE FUNCTION @extschema@.score_of(card @extschema@.scorecard, VARIADIC "values" "any")
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'kam_score_of'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_of(@extschema@.scorecard, "any") IS
    'Score 0..100 of raw values given one by one in the scorecard''s criteria order (double precision or numeric, read natively): what kam.score(card, ARRAY[...]) is planned as';
CREATE FUNCTION @extschema@.score_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_score_support'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_support(internal) IS
    'planner support of kam.score: ARRAY[...] values with a constant scorecard become kam.score_of';
ALTER FUNCTION @extschema@.score(@extschema@.scorecard, double precision[])
    SUPPORT @extschema@.score_support;


-------------------------------------------------------------------------------
-- kam.rfm_accounts: the RFM summary of every account at once, without a GROUP BY
-------------------------------------------------------------------------------
CREATE TYPE @extschema@.account_rfm AS (
    account text,
    frequency integer,
    recency double precision,
    age double precision,
    monetary double precision
);
COMMENT ON TYPE @extschema@.account_rfm IS
    'RFM summary of one account (kam.rfm_accounts): its key as text, then kam.rfm_summary''s frequency, recency, age and monetary';
CREATE FUNCTION @extschema@.rfm_accounts_final(internal) RETURNS @extschema@.account_rfm[]
    AS 'MODULE_PATHNAME', 'kam_rfm_accounts_final' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_accounts_final(internal) IS 'final function of kam.rfm_accounts';
CREATE FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, date, double precision, date, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_accounts_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, date, double precision, date, interval) IS 'transition function of kam.rfm_accounts';
CREATE AGGREGATE @extschema@.rfm_accounts(account anyelement, at date, amount double precision, observation_end date, period interval) (
    SFUNC = @extschema@.rfm_accounts_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.rfm_accounts_final, COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_accounts(anyelement, date, double precision, date, interval) IS
    'RFM summary of every account''s transactions at once (kam.rfm''s conventions): an array of kam.account_rfm, one per account with a transaction up to observation_end; use with unnest()';
CREATE FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, date, double precision, date, interval, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_accounts_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, date, double precision, date, interval, interval) IS 'transition function of kam.rfm_accounts';
CREATE AGGREGATE @extschema@.rfm_accounts(account anyelement, at date, amount double precision, observation_end date, period interval, unit interval) (
    SFUNC = @extschema@.rfm_accounts_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.rfm_accounts_final, COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_accounts(anyelement, date, double precision, date, interval, interval) IS
    'RFM summary of every account''s transactions at once (kam.rfm''s conventions, t_x and T in unit): an array of kam.account_rfm, one per account with a transaction up to observation_end; use with unnest()';
CREATE FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, date, numeric, date, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_accounts_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, date, numeric, date, interval) IS 'transition function of kam.rfm_accounts';
CREATE AGGREGATE @extschema@.rfm_accounts(account anyelement, at date, amount numeric, observation_end date, period interval) (
    SFUNC = @extschema@.rfm_accounts_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.rfm_accounts_final, COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_accounts(anyelement, date, numeric, date, interval) IS
    'RFM summary of every account''s transactions at once (kam.rfm''s conventions): an array of kam.account_rfm, one per account with a transaction up to observation_end; use with unnest()';
CREATE FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, date, numeric, date, interval, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_accounts_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, date, numeric, date, interval, interval) IS 'transition function of kam.rfm_accounts';
CREATE AGGREGATE @extschema@.rfm_accounts(account anyelement, at date, amount numeric, observation_end date, period interval, unit interval) (
    SFUNC = @extschema@.rfm_accounts_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.rfm_accounts_final, COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_accounts(anyelement, date, numeric, date, interval, interval) IS
    'RFM summary of every account''s transactions at once (kam.rfm''s conventions, t_x and T in unit): an array of kam.account_rfm, one per account with a transaction up to observation_end; use with unnest()';
CREATE FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, timestamptz, double precision, timestamptz, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_accounts_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, timestamptz, double precision, timestamptz, interval) IS 'transition function of kam.rfm_accounts';
CREATE AGGREGATE @extschema@.rfm_accounts(account anyelement, at timestamptz, amount double precision, observation_end timestamptz, period interval) (
    SFUNC = @extschema@.rfm_accounts_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.rfm_accounts_final, COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_accounts(anyelement, timestamptz, double precision, timestamptz, interval) IS
    'RFM summary of every account''s transactions at once (kam.rfm''s conventions): an array of kam.account_rfm, one per account with a transaction up to observation_end; use with unnest()';
CREATE FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, timestamptz, double precision, timestamptz, interval, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_accounts_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, timestamptz, double precision, timestamptz, interval, interval) IS 'transition function of kam.rfm_accounts';
CREATE AGGREGATE @extschema@.rfm_accounts(account anyelement, at timestamptz, amount double precision, observation_end timestamptz, period interval, unit interval) (
    SFUNC = @extschema@.rfm_accounts_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.rfm_accounts_final, COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_accounts(anyelement, timestamptz, double precision, timestamptz, interval, interval) IS
    'RFM summary of every account''s transactions at once (kam.rfm''s conventions, t_x and T in unit): an array of kam.account_rfm, one per account with a transaction up to observation_end; use with unnest()';
CREATE FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, timestamptz, numeric, timestamptz, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_accounts_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, timestamptz, numeric, timestamptz, interval) IS 'transition function of kam.rfm_accounts';
CREATE AGGREGATE @extschema@.rfm_accounts(account anyelement, at timestamptz, amount numeric, observation_end timestamptz, period interval) (
    SFUNC = @extschema@.rfm_accounts_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.rfm_accounts_final, COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_accounts(anyelement, timestamptz, numeric, timestamptz, interval) IS
    'RFM summary of every account''s transactions at once (kam.rfm''s conventions): an array of kam.account_rfm, one per account with a transaction up to observation_end; use with unnest()';
CREATE FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, timestamptz, numeric, timestamptz, interval, interval) RETURNS internal
    AS 'MODULE_PATHNAME', 'kam_rfm_accounts_sfunc' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_accounts_sfunc(internal, anyelement, timestamptz, numeric, timestamptz, interval, interval) IS 'transition function of kam.rfm_accounts';
CREATE AGGREGATE @extschema@.rfm_accounts(account anyelement, at timestamptz, amount numeric, observation_end timestamptz, period interval, unit interval) (
    SFUNC = @extschema@.rfm_accounts_sfunc, STYPE = internal, SSPACE = 1024,
    FINALFUNC = @extschema@.rfm_accounts_final, COMBINEFUNC = @extschema@.acct_combine,
    SERIALFUNC = @extschema@.acct_serial, DESERIALFUNC = @extschema@.acct_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_accounts(anyelement, timestamptz, numeric, timestamptz, interval, interval) IS
    'RFM summary of every account''s transactions at once (kam.rfm''s conventions, t_x and T in unit): an array of kam.account_rfm, one per account with a transaction up to observation_end; use with unnest()';
