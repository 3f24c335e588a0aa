-- A value of every kam type the installed version has, made by that version's own
-- functions, stored in public.stored_<type> with its text form of the time and the
-- label current_setting('kam.upgrade_version') (test/upgrade/run.sh after each update
-- step, test/versions/pg_upgrade.sh before pg_upgrade).
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('retention', $v$SELECT kam.retention_agg(s, e) FROM (VALUES (100.0::float8, 120.0::float8), (50, 0), (0, 30), (80, 60)) v(s, e)$v$),
        ('survival', $v$SELECT kam.survival_agg(a, b, '2024-12-01') FROM (VALUES ('2024-01-01'::date, '2024-03-01'::date), ('2024-02-01', NULL), ('2023-05-01', '2024-05-01')) v(a, b)$v$),
        ('bgnbd', $v$SELECT kam.bgnbd(0.243, 4.414, 0.793, 2.426)$v$),
        ('gammagamma', $v$SELECT kam.gammagamma(6.25, 3.74, 15.44)$v$),
        ('scorecard', $v$SELECT kam.scorecard(ARRAY['arr', 'nps'], ARRAY[3, 1], ARRAY[0, -100], ARRAY[200000, 100], 'zero')$v$),
        ('hhi_state', $v$SELECT kam.hhi_sfunc(kam.hhi_sfunc(NULL, 3), 4)$v$),
        ('top_state', $v$SELECT kam.top_sfunc(kam.top_sfunc(kam.top_sfunc(NULL, 3, 2), 5.5, 2), 1, 2)$v$),
        ('forecast_state', $v$SELECT kam.forecast_sfunc(kam.forecast_sfunc(NULL, 110, 100), 90, 0)$v$),
        ('survey', $v$SELECT kam.nps_agg(s) FROM (VALUES (9), (10), (3), (7)) v(s)$v$),
        ('band_scheme', $v$SELECT kam.band_scheme(ARRAY['at risk', 'watch', 'healthy'], ARRAY[40, 70, 100])$v$),
        ('trend', $v$SELECT kam.trend(at, x) FROM (VALUES ('2024-01-01'::timestamptz, 1.5::float8), ('2024-02-01', 3), ('2024-03-01', 2)) v(at, x)$v$),
        ('sbg', $v$SELECT kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491])$v$),
        ('paretonbd', $v$SELECT kam.paretonbd(0.5534, 10.5802, 0.6061, 11.6562)$v$),
        ('mbgnbd', $v$SELECT kam.mbgnbd(0.525, 6.183, 0.891, 1.614)$v$),
        ('bgbb', $v$SELECT kam.bgbb(1.204, 0.750, 0.657, 2.783)$v$),
        ('bdw', $v$SELECT kam.bdw_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241])$v$),
        ('renewals', $v$SELECT kam.renewal_agg(e, r, v, w, '2024-01-01', '2025-01-01', '2025-01-01') FROM (VALUES ('2024-03-31'::date, '2024-03-15'::date, 1200.5::float8, 1320.25::float8), ('2024-06-30', NULL, 800, NULL), ('2024-12-15', NULL, 99.99, NULL)) v(e, r, v, w)$v$)) l(typ, expr)
    LOOP
        CONTINUE WHEN to_regtype('kam.' || t.typ) IS NULL;
        EXECUTE format('CREATE TABLE IF NOT EXISTS public.%I (version text, v kam.%I, txt text)', 'stored_' || t.typ, t.typ);
        EXECUTE format('INSERT INTO public.%I SELECT %L, x, x::text FROM (%s) s(x)', 'stored_' || t.typ, current_setting('kam.upgrade_version'), t.expr);
    END LOOP;
END $$;
