-- What Citus needs to compute an aggregate on its workers (docs/citus.md): a combine function
-- and a transition state of a concrete type whose text form carries it exactly (Citus ships
-- partial states as text and ignores serial/deserial functions).
SELECT CASE WHEN a.aggtranstype = 'internal'::regtype THEN 'internal (per account or per row)'
            ELSE 'concrete: ' || a.aggtranstype::regtype::text END AS state,
       count(*) AS aggregates, bool_and(a.aggcombinefn <> 0) AS all_have_combine,
       string_agg(DISTINCT p.proname, ', ' ORDER BY p.proname) AS names
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.pronamespace = 'kam'::regnamespace
GROUP BY 1 ORDER BY 1;

-- as Citus does it: each "worker" (here: each half of the rows) computes the partial state
-- with the aggregate's transition function, ships it as text, and the "coordinator" combines
-- the texts and applies the final function; the result equals the aggregate over all rows
CREATE TABLE citus_rows AS
SELECT g, (g % 97)::float8 AS s, (g % 89)::float8 AS e, (g % 11)::int AS answer,
       '2024-01-01'::timestamptz + g * interval '1 day' AS at
FROM generate_series(1, 1000) g;
CREATE AGGREGATE hhi_partial(float8) (SFUNC = kam.hhi_sfunc, STYPE = kam.hhi_state, COMBINEFUNC = kam.hhi_combine);
CREATE AGGREGATE forecast_partial(float8, float8) (SFUNC = kam.forecast_sfunc, STYPE = kam.forecast_state,
                                                   COMBINEFUNC = kam.forecast_combine);
CREATE AGGREGATE top_citus_partial(float8, bigint) (SFUNC = kam.top_sfunc, STYPE = kam.top_state, COMBINEFUNC = kam.top_combine);
CREATE AGGREGATE survival_citus_partial(date, date, date) (SFUNC = kam.survival_sfunc, STYPE = kam.survival,
                                                           COMBINEFUNC = kam.survival_combine);
CREATE TABLE citus_partials AS
SELECT g % 2 AS worker, top_citus_partial(s * 1.25, 30)::text AS top,
       survival_citus_partial(at::date, CASE WHEN g % 3 > 0 THEN at::date + (g % 400) END, '2027-01-01')::text AS life,
       kam.retention_agg(s, e)::text AS retention, hhi_partial(s)::text AS hhi,
       forecast_partial(s, e)::text AS forecast, kam.nps_agg(answer)::text AS survey,
       kam.trend(at, s)::text AS trend
FROM citus_rows GROUP BY 1;
SELECT kam.nrr(kam.retention_combine(w0.retention::kam.retention, w1.retention::kam.retention))
         = (SELECT kam.nrr(s, e) FROM citus_rows) AS nrr_exact,
       abs(kam.hhi_final(kam.hhi_combine(w0.hhi::kam.hhi_state, w1.hhi::kam.hhi_state))
           - (SELECT kam.hhi(s) FROM citus_rows)) < 1e-15 AS hhi_same,
       (kam.forecast_final(kam.forecast_combine(w0.forecast::kam.forecast_state, w1.forecast::kam.forecast_state))).wape
         = (SELECT (kam.forecast_accuracy(s, e)).wape FROM citus_rows) AS wape_exact,
       kam.nps(kam.survey_combine(w0.survey::kam.survey, w1.survey::kam.survey))
         = (SELECT kam.nps(answer) FROM citus_rows) AS nps_exact,
       abs(kam.slope(kam.trend_combine(w0.trend::kam.trend, w1.trend::kam.trend))
           - (SELECT kam.slope(kam.trend(at, s)) FROM citus_rows)) < 1e-9 AS slope_same,
       kam.top_final(kam.top_combine(w0.top::kam.top_state, w1.top::kam.top_state))
         = (SELECT kam.top_share(s * 1.25, 30) FROM citus_rows) AS top_share_exact,
       kam.survival_final(kam.survival_combine(w0.life::kam.survival, w1.life::kam.survival))::text
         = (SELECT kam.survival_agg(at::date, CASE WHEN g % 3 > 0 THEN at::date + (g % 400) END, '2027-01-01') FROM citus_rows)::text
         AS survival_exact
FROM citus_partials w0, citus_partials w1 WHERE w0.worker = 0 AND w1.worker = 1;
