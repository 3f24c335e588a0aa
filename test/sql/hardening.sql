-- Hardening (docs/hardening.md): the reproductions of an outside attack on kam 0.2.0, each a
-- defect that is fixed; the garden carries the general checks behind them (expression keys,
-- round trip through text, binary and dump/restore, interrupts).

-- 1. One account counted as two: int4, int2, date and oid keys read from a table and made by
--    an expression (hashtext(), a binary-coercible cast) are the same account
CREATE TEMP TABLE hist(acct int, at date, mrr float8);
INSERT INTO hist SELECT hashtext('c' || g), '2024-01-01', 100 FROM generate_series(1, 1000) g;
SELECT kam.retention_agg(acct, at, mrr, '2024-01-01', '2024-02-01') AS one_thousand_flat_accounts,
       kam.nrr(kam.retention_agg(acct, at, mrr, '2024-01-01', '2024-02-01')) AS nrr
FROM (SELECT * FROM hist UNION ALL
      SELECT hashtext('c' || g), '2024-02-01', 100 FROM generate_series(1, 1000) g) s;
-- minimal: -1 from a table and 4294967295::oid::int4, in every per-account aggregate
CREATE TEMP TABLE k(i2 int2, i4 int4, o oid, d date);
INSERT INTO k VALUES (-1, -1, 4294967295, '1999-12-31');
SELECT kam.retention_agg(a, '2024-01-01'::date, 10::float8, '2024-01-01', '2024-01-01')::text AS int4_snapshot,
       kam.retention_agg(a, '2024-01-01'::date, NULL::date, 10::float8, '2024-01-01', '2024-01-01')::text AS int4_interval,
       cardinality(kam.cohort_retention(a, '2024-01-01'::date, 10::float8)) AS int4_cohort_cells,
       (kam.mrr_waterfall(a, '2024-01-01'::date, 10::float8))[1].new_accounts AS int4_waterfall_new
FROM (SELECT i4 AS a FROM k UNION ALL SELECT (4294967295::oid)::int4) s;
SELECT kam.retention_agg(a, '2024-01-01'::date, 10::float8, '2024-01-01', '2024-01-01')::text AS oid_accounts
FROM (SELECT o AS a FROM k UNION ALL SELECT (-1)::int4::oid) s;
SELECT kam.retention_agg(a, '2024-01-01'::date, 10::float8, '2024-01-01', '2024-01-01')::text AS int2_accounts
FROM (SELECT i2 AS a FROM k UNION ALL SELECT ((65535::int4)::oid::int4 - 65536)::int2) s;
SELECT kam.retention_agg(a, '2024-01-01'::date, 10::float8, '2024-01-01', '2024-01-01')::text AS date_accounts
FROM (SELECT d AS a FROM k UNION ALL SELECT '2000-01-01'::date - 1) s;

-- 2. A dump that cannot be restored: overflow raises 22003 instead of storing NaN or Infinity
SELECT test_error($q$SELECT kam.trend(at, v) FROM (VALUES ('2024-01-01'::timestamptz, 1e308::float8), ('2024-02-01', -1e308)) x(at, v)$q$);
SELECT test_error($q$SELECT kam.retention_agg(1e308::float8, 1e308::float8) FROM generate_series(1, 2)$q$);
SELECT test_error($q$SELECT kam.hhi(1e200) FROM generate_series(1, 2)$q$);
SELECT test_error($q$SELECT kam.forecast_accuracy(1e308, 0.5) FROM generate_series(1, 2)$q$);
SELECT test_error($q$SELECT kam.rollup(r) FROM (VALUES ('(starting=1:72057594037927935,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)'::kam.retention),
                                                          ('(starting=1:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)')) v(r)$q$);
SELECT test_error($q$SELECT kam.rollup(s) FROM (VALUES ('(n=4503599627370495,promoters=0,detractors=0,top_box=0,scale_max=0,sum=0,sum_squares=0)'::kam.survey),
                                                          ('(n=4503599627370495,promoters=0,detractors=0,top_box=0,scale_max=0,sum=0,sum_squares=0)')) v(s)$q$);
-- the text input refuses what no function can return, and accepts every value one can
SELECT test_error($q$SELECT '(starting=0:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=5:1,new=0:0,reactivation=0:0,expansion=1:36028797018963968,contraction=1:36028797018963968,churned=1:36028797018963968)'::kam.retention$q$);
SELECT test_error($q$SELECT '(n=1e19,promoters=0,detractors=0,top_box=0,scale_max=0,sum=0,sum_squares=0)'::kam.survey$q$);
SELECT '(starting=1e-308:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)'::kam.retention AS subnormal_amount;
-- the top byte of the first count is the stored layout version: counts stop at 2^56 - 1
SELECT test_error($q$SELECT '(starting=1:72057594037927936,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)'::kam.retention$q$);
-- a table of these values restores (the trends table of the report, now without the NaN row)
CREATE TEMP TABLE trends(id int, t kam.trend);
INSERT INTO trends SELECT 2, kam.trend(at, v) FROM (VALUES ('2024-01-01'::timestamptz, 1::float8), ('2024-02-01', 2)) x(at, v);
SELECT id, t::text::kam.trend OPERATOR(kam.=) t AS reads_back FROM trends;

-- 5. Stored band schemes are read once per statement: a trigger or PL/pgSQL function sees an
--    update or a delete made earlier in the same transaction
INSERT INTO kam.band_schemes (name, scheme) VALUES ('hardening', 'low:50,high:100');
CREATE FUNCTION grade_of(x float8) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN kam.health_grade(x, 'hardening'); END $$;
BEGIN;
SELECT grade_of(40) AS before_update;
UPDATE kam.band_schemes SET scheme = 'low:30,high:100' WHERE name = 'hardening';
SELECT grade_of(40) AS after_update;
DELETE FROM kam.band_schemes WHERE name = 'hardening';
SELECT test_error('SELECT grade_of(40)') AS after_delete;
ROLLBACK;
DELETE FROM kam.band_schemes WHERE name = 'hardening';
DROP FUNCTION grade_of(float8);
-- a scheme name of 128 bytes or more is found
INSERT INTO kam.band_schemes (name, scheme) VALUES (repeat('n', 200), 'low:50,high:100');
SELECT kam.health_grade(40, repeat('n', 200)) AS long_name;
DELETE FROM kam.band_schemes WHERE name = repeat('n', 200);

-- 6. Built-in schemes cannot be edited (a dump leaves them out), no user row can claim to be one
SELECT test_error($q$UPDATE kam.band_schemes SET scheme = 'a:1,b:2' WHERE name = 'grade'$q$);
SELECT test_error($q$DELETE FROM kam.band_schemes WHERE name = 'color'$q$);
SELECT test_error($q$INSERT INTO kam.band_schemes VALUES ('mine', 'a:1,b:2', true)$q$);
SELECT test_error($q$UPDATE kam.band_schemes SET builtin = true WHERE name = 'grade'$q$);
SELECT name, scheme, builtin FROM kam.band_schemes ORDER BY name;
-- the guard is kam.band_schemes_guard, a BEFORE ROW trigger; any other use of it is refused
SELECT tgname, tgfoid = 'kam.band_schemes_guard()'::regprocedure AS is_the_guard
FROM pg_trigger WHERE tgrelid = 'kam.band_schemes'::regclass AND NOT tgisinternal;
CREATE TEMP TABLE guard_misuse (name text, builtin boolean);
CREATE TRIGGER misuse AFTER INSERT ON guard_misuse FOR EACH ROW EXECUTE FUNCTION kam.band_schemes_guard();
SELECT test_error($q$INSERT INTO guard_misuse VALUES ('x', false)$q$);
SELECT test_error($q$SELECT kam.band_schemes_guard()$q$);
DROP TABLE guard_misuse;

-- 7. Limits and overflows
SELECT kam.scale(1e308, -1e308, 1e308) AS top, kam.scale(0, -1e308, 1e308) AS middle,
       kam.weighted_score('{1,1}', '{1e308,1e308}') AS equal_huge_weights,
       kam.score('policy=redistribute;"a"=1e308[0,10];"b"=1e308[0,10]', '{"a": 5, "b": 10}'::jsonb) AS scorecard_huge_weights;
SELECT weight_share FROM kam.scorecard_criteria('policy=redistribute;"a"=1e308[0,10];"b"=1e308[0,10]');
SELECT kam.hhi(v) AS hhi_of_two_equal_huge FROM (VALUES (1e150::float8), (1e150)) x(v);
-- numeric read natively exactly as numeric::float8, sixteen-digit mantissas above 2^53 included
-- (crm.u: the sample CRM's uniform draws, the same on every PostgreSQL version, unlike random())
CREATE TEMP TABLE nums AS SELECT g AS id, ((1 + floor(crm.u(42, g, 1) * (1e16 - 1)))::numeric / 1e16) AS v FROM generate_series(1, 20000) g;
SELECT count(*) AS values, count(*) FILTER (WHERE v * 1e16 > 9007199254740992) AS above_2_53,
       count(*) FILTER (WHERE s <> v::float8) AS differ
FROM (SELECT v, (kam.movements(kam.retention_agg(id, '2024-01-01'::date, v, '2024-01-01', '2024-01-01'))).starting_mrr AS s
      FROM nums GROUP BY id, v) x;
SELECT (kam.movements(kam.retention_agg(1, '2024-01-01'::date, 0.9007203003369575, '2024-01-01', '2024-01-01'))).starting_mrr
       = 0.9007203003369575::float8 AS report_value_exact;
-- the 18 or so digits of a numeric division (five base-10000 digits, read through long double):
-- exactly as numeric::float8 too, the few whose long double lands exactly halfway between two
-- doubles included (two of these 20 000 round the wrong way without the check for it)
CREATE TEMP TABLE nums18 AS
SELECT g AS id, ((floor(crm.u(43, g, 1) * 1e6) + 1)::numeric / (floor(crm.u(43, g, 2) * 9999) + 1)::numeric)
                * (10::numeric ^ (floor(crm.u(43, g, 3) * 12) - 4)::int) AS v
FROM generate_series(1, 20000) g;
SELECT count(*) AS values, count(*) FILTER (WHERE s <> v::float8) AS differ
FROM (SELECT v, (kam.movements(kam.retention_agg(id, '2024-01-01'::date, v, '2024-01-01', '2024-01-01'))).starting_mrr AS s
      FROM nums18 GROUP BY id, v) x;

-- timestamptz values read in the session's time zone (the zone's offset remembered per UTC
-- day, PostgreSQL's own conversion on a day with a transition in it): every instant below,
-- every 13 to 37 minutes across transitions of several zones, gives the day of t::date
-- (kam.touch_gaps' last touch) and the period of t::timestamp (kam.rfm's age in days, hours
-- and calendar months), zone after zone in one session
CREATE TEMP TABLE tz_instants AS
SELECT t FROM generate_series(timestamptz '1890-01-01 00:00+00', '1890-01-04 00:00+00', interval '37 minutes') t  -- local mean time
UNION ALL SELECT generate_series(timestamptz '2011-12-28 00:00+00', '2012-01-02 00:00+00', interval '17 minutes')  -- Apia skips 2011-12-30
UNION ALL SELECT generate_series(timestamptz '2018-11-02 00:00+00', '2018-11-06 00:00+00', interval '11 minutes')  -- Sao Paulo: DST at midnight
UNION ALL SELECT generate_series(timestamptz '2024-03-08 00:00+00', '2024-04-08 00:00+00', interval '13 minutes')  -- spring forward
UNION ALL SELECT generate_series(timestamptz '2024-10-01 00:00+00', '2024-11-05 00:00+00', interval '29 minutes')  -- fall back
UNION ALL SELECT generate_series(timestamptz '2040-03-08 00:00+00', '2040-03-12 00:00+00', interval '23 minutes')  -- rules past tzdata's table
UNION ALL SELECT generate_series(timestamptz '2024-01-01 00:00+00', '2026-01-01 00:00+00', interval '7 hours 3 minutes');
CREATE FUNCTION tz_check(zone text) RETURNS TABLE(zone_name text, instants bigint, days_differ bigint, day_ages_differ bigint, hour_ages_differ bigint,
                                      month_ages_differ bigint)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('TimeZone', zone, true);
    -- parsed at each call, so the literals are read in the zone just set
    RETURN QUERY EXECUTE $q$
    SELECT $1, count(*),
           count(*) FILTER (WHERE g.last_touch IS DISTINCT FROM g.t::date),
           count(*) FILTER (WHERE g.day_age IS DISTINCT FROM (date '2100-01-01' - g.t::date)::float8),
           count(*) FILTER (WHERE g.hour_age IS DISTINCT FROM ceil(extract(epoch FROM timestamp '2100-01-01' - g.t::timestamp) / 3600)::float8),
           count(*) FILTER (WHERE g.month_age IS DISTINCT FROM (2100 * 12 - extract(year FROM g.t) * 12 - extract(month FROM g.t) + 1)::float8)
    FROM (SELECT i.t, (kam.touch_gaps(i.t, '1800-01-01', '2100-01-01')).last_touch,
                 (kam.rfm(i.t, 1, '2100-01-01', '1 day')).age AS day_age,
                 (kam.rfm(i.t, 1, '2100-01-01', '1 hour')).age AS hour_age,
                 (kam.rfm(i.t, 1, '2100-01-01', '1 month')).age AS month_age
          FROM tz_instants i GROUP BY i.t) g$q$ USING zone;
END $$;
SELECT c.* FROM unnest(ARRAY['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Sao_Paulo',
                             'Pacific/Apia', 'Europe/Amsterdam', 'UTC', '<+0530>-05:30', 'America/New_York']) z, tz_check(z) c;
-- a local time past the end of timestamp: the error of timestamptz::timestamp
SET TimeZone = 'Pacific/Kiritimati';
SELECT test_error($q$SELECT timestamptz '294276-12-31 23:00:00+00'::timestamp$q$) AS cast_error,
       test_error($q$SELECT kam.rfm(timestamptz '294276-12-31 23:00:00+00', 1, timestamptz '294276-12-31 23:00:00+00', '1 day')$q$) AS rfm_error;
RESET TimeZone;
-- a date past the last timestamp has no moment (date::timestamp's error), in any period
SELECT test_error($q$SELECT kam.rfm(date '300000-01-01', 1, date '300000-06-01', '1 day')$q$) AS days_past_timestamps,
       test_error($q$SELECT kam.rfm(date '2024-01-01', 1, date '300000-06-01', '1 month')$q$) AS end_past_timestamps;
