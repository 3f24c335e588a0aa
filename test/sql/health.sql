-- Account health and voice of the customer (docs/health.md)

-- NPS by hand: 10 answers, promoters 10 9 9 10, passives 8 7, detractors 6 0 3 5: NPS 0
SELECT kam.nps(s) AS nps, kam.responses(kam.nps_agg(s)) AS answers, kam.nps_agg(s) AS summary
FROM (VALUES (10), (9), (8), (7), (6), (0), (3), (9), (10), (5), (NULL)) v(s);
-- all promoters 100, all detractors -100, all passives 0; boundaries 9 (promoter), 7 and 8 (passive), 6 (detractor)
SELECT (SELECT kam.nps(s) FROM (VALUES (9), (10)) v(s)) AS all_promoters,
       (SELECT kam.nps(s) FROM (VALUES (0), (6)) v(s)) AS all_detractors,
       (SELECT kam.nps(s) FROM (VALUES (7), (8)) v(s)) AS all_passives,
       (SELECT kam.nps(s) FROM (VALUES (9), (6)) v(s)) AS one_each;
SELECT kam.nps(s) IS NULL AS empty, kam.nps_agg(s) IS NULL AS empty_summary FROM (VALUES (1)) v(s) WHERE false;
-- Wald: p = d = 0.4, n = 10: 0 +- 1.959964 * 100 * sqrt(0.8 / 10) = +-55.436; adjusted Wald (default):
-- p' = d' = 4.75 / 13, n' = 13: 0 +- 1.959964 * 100 * sqrt(2 * 4.75 / 13 / 13) = +-46.469
SELECT round(estimate::numeric, 3) AS nps, round(lower::numeric, 3) AS lower, round(upper::numeric, 3) AS upper
FROM kam.nps_interval((SELECT kam.nps_agg(s) FROM (VALUES (10), (9), (8), (7), (6), (0), (3), (9), (10), (5)) v(s)), 0.95, 'wald');
SELECT round(estimate::numeric, 3) AS nps, round(lower::numeric, 3) AS lower, round(upper::numeric, 3) AS upper
FROM kam.nps_interval((SELECT kam.nps_agg(s) FROM (VALUES (10), (9), (8), (7), (6), (0), (3), (9), (10), (5)) v(s)));
-- against the closed form written in SQL on the sample CRM, per manager; 12 answers give a wider
-- interval than 400 with the same proportions; clamped to -100..100; confidence as an argument
WITH k AS (
    SELECT a.manager_id, kam.nps_agg(score) AS s,
           count(*) FILTER (WHERE score >= 9)::float8 / count(*) AS p,
           count(*) FILTER (WHERE score <= 6)::float8 / count(*) AS d, count(*) AS n
    FROM crm.surveys JOIN crm.accounts a USING (account_id) WHERE kind = 'nps' GROUP BY 1)
SELECT count(*) AS managers,
       bool_and(abs(kam.nps(s) - 100 * (p - d)) < 1e-9) AS nps_matches_sql,
       bool_and(abs((kam.nps_interval(s, 0.95, 'wald')).upper - least(100, 100 * (p - d) + 1.959963984540054 * 100 * sqrt((p + d - (p - d) ^ 2) / n))) < 1e-9
                AND abs((kam.nps_interval(s, 0.95, 'wald')).lower - greatest(-100, 100 * (p - d) - 1.959963984540054 * 100 * sqrt((p + d - (p - d) ^ 2) / n))) < 1e-9)
           AS wald_matches_sql,
       bool_and(abs((kam.nps_interval(s)).upper - greatest(100 * (p - d), least(100, 100 * (pa - da) + 1.959963984540054 * 100 * sqrt((pa + da - (pa - da) ^ 2) / (n + 3))))) < 1e-9
                AND abs((kam.nps_interval(s)).lower - least(100 * (p - d), greatest(-100, 100 * (pa - da) - 1.959963984540054 * 100 * sqrt((pa + da - (pa - da) ^ 2) / (n + 3))))) < 1e-9)
           AS adjusted_wald_matches_sql
FROM (SELECT k.*, (p * n + 0.75) / (n + 3) AS pa, (d * n + 0.75) / (n + 3) AS da FROM k) k;
SELECT round(((i12).upper - (i12).lower)::numeric, 2) AS width_12, round(((i400).upper - (i400).lower)::numeric, 2) AS width_400
FROM (SELECT kam.nps_interval('(n=12,promoters=6,detractors=3,top_box=0,scale_max=0,sum=0,sum_squares=0)') AS i12,
             kam.nps_interval('(n=400,promoters=200,detractors=100,top_box=0,scale_max=0,sum=0,sum_squares=0)') AS i400) x;
-- three promoters: Wald collapses to [100, 100]; adjusted Wald keeps a width (centre 50, clamped at 100)
SELECT 'wald' AS method, round(lower::numeric, 2) AS lower, round(upper::numeric, 2) AS upper
FROM kam.nps_interval('(n=3,promoters=3,detractors=0,top_box=0,scale_max=0,sum=30,sum_squares=300)', 0.95, 'wald')
UNION ALL
SELECT 'adjusted_wald', round(lower::numeric, 2), round(upper::numeric, 2)
FROM kam.nps_interval('(n=3,promoters=3,detractors=0,top_box=0,scale_max=0,sum=30,sum_squares=300)');
-- one detractor: the adjusted interval (centre -25, -98.5..48.5) is widened to hold the NPS, -100
SELECT estimate, round(lower::numeric, 2) AS lower, round(upper::numeric, 2) AS upper
FROM kam.nps_interval('(n=1,promoters=0,detractors=1,top_box=0,scale_max=0,sum=0,sum_squares=0)');
SELECT (kam.nps_interval('(n=2,promoters=1,detractors=1,top_box=0,scale_max=0,sum=0,sum_squares=0)', 0.5)).upper < 100 AS narrower_at_50pct;
-- rollup: manager summaries combine to the company's
SELECT kam.rollup(s)::text = (SELECT kam.nps_agg(score)::text FROM crm.surveys WHERE kind = 'nps') AS rollup_equals_company
FROM (SELECT a.manager_id, kam.nps_agg(score) AS s FROM crm.surveys JOIN crm.accounts a USING (account_id)
      WHERE kind = 'nps' GROUP BY 1) m;
-- CSAT: share of top-2-box answers (4 and 5 of 5; 6 and 7 of 7); CES: mean effort
SELECT kam.csat(s) AS csat_5, kam.csat(s, 7) AS csat_7, kam.ces(s) AS ces, kam.ces(s, 5) AS ces_5
FROM (VALUES (5), (4), (3), (1), (5), (NULL)) v(s);
SELECT kam.csat(s) IS NULL AS csat_empty, kam.ces(s) IS NULL AS ces_empty FROM (VALUES (1)) v(s) WHERE false;
SELECT kam.csat(kam.csat_agg(s, 7)) AS from_summary, kam.ces(kam.ces_agg(s)) AS ces_from_summary, kam.csat_agg(s, 7)
FROM (VALUES (7), (6), (2)) v(s);
SELECT count(*) AS accounts,
       bool_and(abs(c - sql_c) < 1e-12 AND abs(e - sql_e) < 1e-12) AS matches_sql
FROM (SELECT account_id, kam.csat(score) FILTER (WHERE kind = 'csat') AS c,
             avg((score >= 4)::int) FILTER (WHERE kind = 'csat')::float8 AS sql_c,
             kam.ces(score) FILTER (WHERE kind = 'ces') AS e, avg(score) FILTER (WHERE kind = 'ces')::float8 AS sql_e
      FROM crm.surveys GROUP BY 1) x
WHERE c IS NOT NULL AND e IS NOT NULL;
SELECT test_error($q$SELECT kam.nps(s) FROM (VALUES (11)) v(s)$q$);
SELECT test_error($q$SELECT kam.nps(s) FROM (VALUES (-1)) v(s)$q$);
-- the same on a later row (the state updated in place after the first row)
SELECT test_error($q$SELECT kam.nps(s) FROM (VALUES (5), (9), (11)) v(s)$q$);
SELECT test_error($q$SELECT kam.csat(s) FROM (VALUES (3), (6)) v(s)$q$);
SELECT test_error($q$SELECT kam.ces(s, 5) FROM (VALUES (3), (6)) v(s)$q$);
SELECT test_error($q$SELECT kam.csat(s, k) FROM (VALUES (3, 5), (4, 5), (3, 7)) v(s, k)$q$);
-- and rows after the first counted as the first is: promoters, detractors, passives, top box
SELECT kam.nps_agg(s)::text AS nps_rows, kam.csat_agg(least(s, 5) + 1, 6)::text AS csat_rows
FROM (VALUES (10), (9), (8), (7), (6), (0), (3)) v(s);
SELECT test_error($q$SELECT kam.csat(s) FROM (VALUES (6)) v(s)$q$);
SELECT test_error($q$SELECT kam.csat(s) FROM (VALUES (0)) v(s)$q$);
SELECT test_error($q$SELECT kam.csat(s, 1) FROM (VALUES (1)) v(s)$q$);
SELECT test_error($q$SELECT kam.csat(s, m) FROM (VALUES (1, 5), (2, 7)) v(s, m)$q$);
SELECT test_error($q$SELECT kam.ces(s) FROM (VALUES (8)) v(s)$q$);
SELECT test_error($q$SELECT kam.rollup(s) FROM (SELECT kam.csat_agg(3) UNION ALL SELECT kam.csat_agg(3, 7)) v(s)$q$);
SELECT test_error($q$SELECT kam.nps_interval(kam.nps_agg(9), 1.5) FROM (VALUES (1)) v(x)$q$);
SELECT test_error($q$SELECT kam.nps_interval(kam.nps_agg(9), 0.9, 'bootstrap') FROM (VALUES (1)) v(x)$q$);
SELECT test_error($q$SELECT '(n=1,promoters=2,detractors=0,top_box=0,scale_max=0,sum=0,sum_squares=0)'::kam.survey$q$);
SELECT test_error($q$SELECT '(n=2,promoters=2,detractors=1,top_box=0,scale_max=0,sum=0,sum_squares=0)'::kam.survey$q$);
SELECT test_error($q$SELECT '(n=1)'::kam.survey$q$);

-- kam.health_score: measures on 0..100, or raw with bounds.  Gainsight's example: weights 20,
-- 15, 22 and scores 47, 59, 21 give 40.12
SELECT round(kam.health_score(ARRAY[47, 59, 21], ARRAY[20, 15, 22])::numeric, 2) AS gainsight,
       round(kam.health_score(ARRAY[47, NULL, 21], ARRAY[20, 15, 22])::numeric, 4) AS na_redistributes,
       round(kam.health_score(ARRAY[47, NULL, 21], ARRAY[20, 15, 22], 'zero')::numeric, 4) AS na_zero,
       kam.health_score(ARRAY[47, NULL, 21], ARRAY[20, 15, 22], 'null') IS NULL AS na_null,
       kam.health_score(ARRAY[NULL, NULL]::float8[], ARRAY[1, 1]) IS NULL AS all_missing,
       kam.health_score(ARRAY[0, 100]::float8[], ARRAY[1, 1]) AS half;
-- raw measures with bounds: adoption 0.47 of [0, 1], tickets 3 of [10, 0] (reversed), NPS 40 of [-100, 100]
-- = (2 * 0.47 + 1 * 0.7 + 1 * 0.7) / 4 * 100 = 58.5
SELECT round(kam.health_score(ARRAY[0.47, 3, 40], ARRAY[2, 1, 1], ARRAY[0, 10, -100], ARRAY[1, 0, 100])::numeric, 4) AS raw,
       kam.health_score(ARRAY[5, -3, 900], ARRAY[1, 1, 1], ARRAY[0, 10, -100], ARRAY[1, 0, 100]) AS clamped,
       round(kam.health_score(ARRAY[0.47, NULL, 40], ARRAY[2, 1, 1], ARRAY[0, 10, -100], ARRAY[1, 0, 100], 'zero')::numeric, 4) AS raw_zero;
SELECT test_error($q$SELECT kam.health_score(ARRAY[47, 120], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[47, -1], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[47, 'NaN']::float8[], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[47, 50], ARRAY[1, -1])$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[47, 50], ARRAY[0, 0])$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[47, 50], ARRAY[1])$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[47, 50], ARRAY[1, 1], 'mean')$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[0.5, 50], ARRAY[1, 1], ARRAY[0, 5], ARRAY[1, 5])$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[0.5, 50], ARRAY[1, 1], ARRAY[0, 0], ARRAY[1])$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[0.5, 50], ARRAY[1, 1], ARRAY[0, NULL], ARRAY[1, 100])$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[0.5, 'NaN'], ARRAY[1, 1], ARRAY[0, 0], ARRAY[1, 100]::float8[])$q$);
-- planned as kam.health_score_of: ARRAY[...] of column expressions with constant weights and
-- policy (numeric measures then read natively, no array built per row); the same values as the
-- array form, which a weights subquery keeps (every row, NULL measures and every policy; the
-- numeric divisions carry 18 digits)
-- the two planner support functions (kam.health_score_support, kam.score_support: they take
-- the planner's request, not SQL values) and the calls they serve
SELECT p.oid::regprocedure AS function, p.prosupport AS support
FROM pg_proc p WHERE p.prosupport <> 0 AND p.pronamespace = 'kam'::regnamespace ORDER BY 1::text;
CREATE TEMP TABLE hs (id int, a int, b int, c float8);
INSERT INTO hs VALUES (1, 1, 3, 47), (2, 2, 7, NULL), (3, 0, 5, 100), (4, 5, 5, 0), (5, NULL, 4, 21.5),
                      (6, 6, 7, 99.999999), (7, 1, 9, 33.3);
SELECT plan_has($q$SELECT kam.health_score(ARRAY[100.0 * a / b, c], ARRAY[2, 1]::float8[]) FROM hs$q$,
                'health_score_of(''{2,1}''::double precision[], ''redistribute''::text, ((100.0 * (a)::numeric) / (b)::numeric), c)',
                true) AS rewritten,
       plan_has($q$SELECT kam.health_score(ARRAY[100.0 * a / b, c], (SELECT ARRAY[2, 1]::float8[])) FROM hs$q$,
                'health_score_of', true) AS subquery_weights_rewritten,
       plan_has($q$SELECT kam.health_score(ARRAY[100.0 * a / b, c], ARRAY[2, 1]::float8[], ARRAY[0, 0], ARRAY[100, 100]) FROM hs$q$,
                'health_score_of', true) AS bounds_rewritten,
       plan_has($q$SELECT kam.health_score(ARRAY[ARRAY[c]], ARRAY[1]::float8[]) FROM hs$q$,
                'health_score_of', true) AS two_dimensions_rewritten;
SELECT id, round(x::numeric, 10) AS score, x IS NOT DISTINCT FROM y AS same_as_array_form,
       z IS NOT DISTINCT FROM zz AS zero_same, n IS NOT DISTINCT FROM nn AS null_same
FROM (SELECT id, kam.health_score(ARRAY[100.0 * a / b, c], ARRAY[2, 1]::float8[]) AS x,
             kam.health_score(ARRAY[100.0 * a / b, c], (SELECT ARRAY[2, 1]::float8[])) AS y,
             kam.health_score(ARRAY[100.0 * a / b, c], ARRAY[2, 1]::float8[], 'zero') AS z,
             kam.health_score(ARRAY[100.0 * a / b, c], (SELECT ARRAY[2, 1]::float8[]), 'zero') AS zz,
             kam.health_score(ARRAY[100.0 * a / b, c], ARRAY[2, 1]::float8[], 'null') AS n,
             kam.health_score(ARRAY[100.0 * a / b, c], (SELECT ARRAY[2, 1]::float8[]), 'null') AS nn
      FROM hs) q
ORDER BY id;
-- the independent reference: (2 * (100 a / b)::float8 + c) / 3 where both are present
SELECT count(*) FILTER (WHERE a IS NOT NULL AND c IS NOT NULL) AS both_present,
       count(*) FILTER (WHERE a IS NOT NULL AND c IS NOT NULL
                          AND kam.health_score(ARRAY[100.0 * a / b, c], ARRAY[2, 1]::float8[])
                              = (2 * (100.0 * a / b)::float8 + c) / 3) AS equal_to_sql
FROM hs;
-- the errors, at execution and as the array form raises them (none over no rows)
SELECT test_error($q$SELECT kam.health_score(ARRAY[100.0 * a / b, c + 1], ARRAY[1, 1]::float8[]) FROM hs$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[c, CASE WHEN id = 1 THEN 'NaN'::numeric END], ARRAY[1, 1]::float8[]) FROM hs WHERE id = 1$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[c, 'NaN'::float8], ARRAY[1, 1]::float8[]) FROM hs WHERE id = 1$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[c, c], ARRAY[1, -1]::float8[]) FROM hs$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[c, c], ARRAY[1]::float8[]) FROM hs$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[c, c], (SELECT ARRAY[1]::float8[])) FROM hs$q$) AS array_form;
SELECT test_error($q$SELECT kam.health_score(ARRAY[c, 'NaN'::numeric], (SELECT ARRAY[1, 1]::float8[])) FROM hs WHERE id = 1$q$) AS array_form;
SELECT test_error($q$SELECT kam.health_score(ARRAY[ARRAY[c]], ARRAY[1]::float8[]) FROM hs$q$);
SELECT test_error($q$SELECT kam.health_score(ARRAY[c, c], ARRAY[1, 1]::float8[], 'mean') FROM hs$q$);
SELECT count(*) AS no_rows_no_error FROM (SELECT kam.health_score(ARRAY[c, c], ARRAY[1, -1]::float8[]) FROM hs WHERE false) q;
-- kam.health_score_of called directly: NULL weights or policy is NULL (as the strict array form),
-- numeric measures read exactly as numeric::float8, other types refused
SELECT kam.health_score_of(ARRAY[2, 1], 'redistribute', 30.7692307692307692, 50::float8)
           = (2 * 30.7692307692307692::float8 + 50) / 3 AS numeric_native,
       kam.health_score_of(NULL, 'redistribute', 50::float8) IS NULL AS null_weights,
       kam.health_score_of(ARRAY[1], NULL, 50::float8) IS NULL AS null_policy,
       kam.health_score_of(ARRAY[1, 1], 'zero', 50::float8, NULL::numeric) AS missing_as_zero;
SELECT test_error($q$SELECT kam.health_score_of(ARRAY[1], 'redistribute', 50)$q$);
SELECT test_error($q$SELECT kam.health_score_of(ARRAY[1, 1], 'redistribute', 50::float8, '7'::text)$q$);
-- constant weights and policy are read once per call site, others at every row: weights and
-- policy from columns give each row its own score, and a bad row's weights still fail
SELECT w, p, kam.health_score_of(w, p, 50::float8, 80::float8, NULL::float8) AS score
FROM (VALUES (ARRAY[1, 1, 1]::float8[], 'redistribute'), (ARRAY[1, 3, 1]::float8[], 'redistribute'), (ARRAY[1, 3, 4]::float8[], 'zero')) v(w, p);
SELECT test_error($q$SELECT kam.health_score_of(w, 'redistribute', 50::float8, 80::float8)
                    FROM (VALUES (ARRAY[1, 1]::float8[]), (ARRAY[1, -1]::float8[])) v(w)$q$) AS second_row_weights;
-- a view keeps the call as written (a dump restores it unchanged)
CREATE TEMP VIEW hs_view AS SELECT kam.health_score(ARRAY[100.0 * a / b, c], ARRAY[2, 1]::float8[]) AS s FROM hs;
SELECT pg_get_viewdef('hs_view') LIKE '%health_score(ARRAY[%' AS view_keeps_array_form;
DROP VIEW hs_view;
DROP TABLE hs;

-- grades and colours: upper bounds inclusive, the first band includes 0
SELECT s, kam.health_grade(s) AS grade, kam.health_color(s) AS color
FROM (VALUES (0.0), (59.99), (60), (60.01), (70), (80), (89.999), (90), (90.01), (100), (50), (50.01), (75), (75.01)) v(s)
ORDER BY s;
SELECT test_error($q$SELECT kam.health_grade(100.5)$q$);
SELECT test_error($q$SELECT kam.health_grade(-0.1)$q$);
SELECT test_error($q$SELECT kam.health_color('NaN')$q$);
-- custom schemes: text, constructor, stored by name
SELECT 'at risk:40, watch:70,healthy:100'::kam.band_scheme AS parsed,
       kam.band_scheme(ARRAY['low', 'mid', 'high'], ARRAY[3, 7, 10]) AS constructed,
       '"a, b":1,"say ""hi""":2'::kam.band_scheme AS quoted;
SELECT * FROM kam.band_scheme_bands('F:60,D:70,C:80,B:90,A:100');
SELECT s, kam.health_grade(s, 'at risk:40,watch:70,healthy:100'::kam.band_scheme) AS by_value,
       kam.health_color(s, 'grade') AS stored_grade, kam.health_grade(s, 'color') AS stored_color
FROM (VALUES (0.0), (40), (40.5), (70), (100)) v(s) ORDER BY s;
-- a 10-point scale and a 12-band scheme (the largest)
SELECT kam.health_grade(7.5, kam.band_scheme(ARRAY['low', 'high'], ARRAY[5, 10])) AS two_bands,
       kam.health_grade(12, kam.band_scheme(ARRAY['1','2','3','4','5','6','7','8','9','10','11','12'],
                                            ARRAY[1,2,3,4,5,6,7,8,9,10,11,12])) AS twelfth;
INSERT INTO kam.band_schemes (name, scheme) VALUES ('traffic5', 'red:20,orange:40,yellow:60,lime:80,green:100');
SELECT kam.health_color(55, 'traffic5') AS traffic5, kam.health_color(20, 'traffic5') AS on_boundary;
SELECT name, builtin FROM kam.band_schemes ORDER BY name;
SELECT test_error($q$SELECT kam.health_grade(50, 'nonexistent')$q$);
SELECT test_error($q$SELECT kam.health_grade(11, kam.band_scheme(ARRAY['low', 'high'], ARRAY[5, 10]))$q$);
SELECT test_error($q$SELECT 'A:10'::kam.band_scheme$q$);
SELECT test_error($q$SELECT 'A:10,B:5'::kam.band_scheme$q$);
SELECT test_error($q$SELECT 'A:10,B:10'::kam.band_scheme$q$);
SELECT test_error($q$SELECT 'A:0,B:10'::kam.band_scheme$q$);
SELECT test_error($q$SELECT 'A:1,B:2,C:3,D:4,E:5,F:6,G:7,H:8,I:9,J:10,K:11,L:12,M:13'::kam.band_scheme$q$);
SELECT test_error($q$SELECT 'A:10,B'::kam.band_scheme$q$);
SELECT test_error($q$SELECT 'A:10,:20'::kam.band_scheme$q$);
SELECT test_error($q$SELECT 'A:x,B:20'::kam.band_scheme$q$);
SELECT test_error($q$SELECT 'A:10,B:Infinity'::kam.band_scheme$q$);
SELECT test_error($q$SELECT kam.band_scheme(ARRAY['a', 'b'], ARRAY[1, 2, 3])$q$);
SELECT test_error($q$SELECT kam.band_scheme(ARRAY['a', NULL], ARRAY[1, 2])$q$);
SELECT test_error($q$SELECT kam.band_scheme(ARRAY['a'], ARRAY[1])$q$);
SELECT test_error($q$SELECT kam.band_scheme(ARRAY['a', repeat('x', 64)], ARRAY[1, 2])$q$);

-- trend: slope per 30 days by least squares; points at days 0, 30, 60 with 10, 20, 30: slope 10
SELECT kam.slope(t) AS slope, kam.direction(t) AS direction, kam.direction(t, 10) AS dead_band_10,
       kam.direction(t, 9.99) AS dead_band_9_99, kam.observations(t) AS n
FROM (SELECT kam.trend(m, v) AS t FROM (VALUES ('2024-01-01'::date, 10.0), ('2024-01-31', 20), ('2024-03-01', 30), (NULL, 5), ('2024-04-01', NULL)) x(m, v)) y;
SELECT kam.direction(kam.trend(m, v)) AS down FROM (VALUES ('2024-01-01'::date, 30.0), ('2024-02-15', 10)) x(m, v);
SELECT kam.slope(kam.trend(m, v)) IS NULL AS one_point, kam.direction(kam.trend(m, v)) IS NULL AS no_direction
FROM (VALUES ('2024-01-01'::date, 30.0)) x(m, v);
SELECT kam.slope(kam.trend(m, v)) IS NULL AS same_time FROM (VALUES ('2024-01-01'::date, 30.0), ('2024-01-01', 40)) x(m, v);
SELECT kam.slope(kam.trend(m, v)) AS flat FROM (VALUES ('2024-01-01'::date, 30.0), ('2024-02-01', 30), ('2024-03-01', 30)) x(m, v);
SELECT kam.trend(m, v) IS NULL AS empty FROM (VALUES ('2024-01-01'::date, 30.0)) x(m, v) WHERE false;
-- against regr_slope on the sample CRM's MRR per account (x in days), and the combine path
SELECT count(*) AS accounts,
       bool_and(abs(kam.slope(t) - 30 * rs) <= 1e-9 * greatest(1, abs(30 * rs))) AS matches_regr_slope
FROM (SELECT account_id, kam.trend(month, mrr) AS t,
             regr_slope(mrr::float8, extract(epoch FROM month::timestamptz)::float8 / 86400) AS rs
      FROM crm.mrr_snapshots GROUP BY 1 HAVING count(DISTINCT month) > 1) x;
SELECT t::text::kam.trend::text = t::text AS text_round_trip
FROM (SELECT kam.trend(month, mrr) AS t FROM crm.mrr_snapshots) x;
SELECT test_error($q$SELECT kam.trend(m, v) FROM (VALUES ('infinity'::timestamptz, 1.0)) x(m, v)$q$);
SELECT test_error($q$SELECT kam.trend(m, v) FROM (VALUES (now(), 'NaN'::float8)) x(m, v)$q$);
SELECT test_error($q$SELECT kam.direction(kam.trend(m, v), -1) FROM (VALUES (now(), 1.0)) x(m, v)$q$);
SELECT test_error($q$SELECT '(n=2,mean_t=0,mean_v=0,m2_t=-1,c_tv=0,m2_v=0)'::kam.trend$q$);

-- sparklines: 8 levels between min and max, NULL a gap, constant in the middle
SELECT kam.sparkline(ARRAY[1, 2, 3, 4, 5, 6, 7, 8]) AS ramp, kam.sparkline(ARRAY[8, 1, NULL, 8]) AS gap,
       kam.sparkline(ARRAY[5, 5, 5]) AS constant, kam.sparkline(ARRAY[NULL, NULL]::float8[]) AS all_gaps,
       kam.sparkline('{}'::float8[]) = '' AS empty, kam.sparkline(ARRAY[-1e9, 0, 1e9]) AS wide,
       kam.sparkline(ARRAY[1, 2, 20], 0, 10) AS fixed_scale_clamped;
SELECT account_id, kam.sparkline(mrr ORDER BY month) AS mrr_24_months
FROM crm.mrr_snapshots WHERE account_id <= 5 GROUP BY 1 ORDER BY 1;
SELECT kam.sparkline(v ORDER BY i) AS agg_with_gap FROM (VALUES (1, 1.0), (2, NULL), (3, 3)) x(i, v);
-- the aggregate equals the array form over the same ordered values
SELECT count(*) AS accounts, bool_and(s = a) AS aggregate_equals_array FROM (
    SELECT account_id, kam.sparkline(mrr::float8 ORDER BY month) AS s, kam.sparkline(array_agg(mrr::float8 ORDER BY month)) AS a
    FROM crm.mrr_snapshots GROUP BY 1) x;
-- the combine path: without ORDER BY the points come in whatever order the plan gives, but the
-- same points (the same bars, sorted) through two workers and through partitions' partial
-- states as serially
CREATE FUNCTION pg_temp.bars(s text) RETURNS text LANGUAGE sql AS
$$SELECT string_agg(c, '' ORDER BY c) FROM regexp_split_to_table(s, '') c$$;
CREATE TABLE spark_serial AS
SELECT account_id, pg_temp.bars(kam.sparkline(mrr::float8)) AS b FROM crm.mrr_snapshots GROUP BY 1;
-- (each snapshot 20 times, shuffled: every account's rows on many pages, so both workers see
-- it; one copy in 7 a NULL, a gap that crosses to the leader as one)
CREATE TABLE spark_rows AS
SELECT account_id, CASE WHEN (account_id + g) % 7 <> 0 THEN mrr::float8 END AS mrr
FROM crm.mrr_snapshots, generate_series(1, 20) g ORDER BY random();
SELECT count(*) FILTER (WHERE mrr IS NULL) > 1000 AS spark_rows_with_gaps FROM spark_rows;
CREATE TABLE spark_serial20 AS SELECT account_id, pg_temp.bars(kam.sparkline(mrr)) AS b FROM spark_rows GROUP BY 1;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT plan_has($$SELECT account_id, kam.sparkline(mrr) FROM spark_rows GROUP BY 1$$, 'Partial') AS workers_partial;
CREATE TABLE spark_parallel AS SELECT account_id, kam.sparkline(mrr) AS s FROM spark_rows GROUP BY 1;
RESET ALL;
SELECT count(*) AS accounts, count(*) FILTER (WHERE pg_temp.bars(p.s) IS DISTINCT FROM s.b) AS parallel_differ
FROM spark_serial20 s FULL JOIN spark_parallel p USING (account_id);
CREATE TABLE spark_parts (account_id int, month date, mrr float8) PARTITION BY RANGE (month);
CREATE TABLE spark_parts_a PARTITION OF spark_parts FOR VALUES FROM ('2000-01-01') TO ('2024-01-01');
CREATE TABLE spark_parts_b PARTITION OF spark_parts FOR VALUES FROM ('2024-01-01') TO ('2100-01-01');
INSERT INTO spark_parts SELECT account_id, month, mrr FROM crm.mrr_snapshots;
ANALYZE spark_parts;
SET enable_partitionwise_aggregate = on;
SELECT plan_has($$SELECT account_id, kam.sparkline(mrr) FROM spark_parts GROUP BY 1$$, 'Partial') AS partitions_partial,
       count(*) AS accounts, count(*) FILTER (WHERE p.b IS DISTINCT FROM s.b) AS partitions_differ
FROM spark_serial s FULL JOIN (SELECT account_id, pg_temp.bars(kam.sparkline(mrr)) AS b FROM spark_parts GROUP BY 1) p USING (account_id);
RESET enable_partitionwise_aggregate;
SELECT test_error($q$SELECT kam.sparkline(ARRAY[1, 'Infinity']::float8[])$q$);
-- the aggregate keeps a gap as a NaN of its own: a NaN value is still an error, not a gap
SELECT test_error($q$SELECT kam.sparkline(v ORDER BY i) FROM (VALUES (1, 1.0::float8), (2, 'NaN'), (3, NULL)) x(i, v)$q$);
SELECT test_error($q$SELECT kam.sparkline(v ORDER BY i) FROM (VALUES (1, '-Infinity'::float8), (2, NULL)) x(i, v)$q$);
SELECT kam.sparkline(v ORDER BY i) AS gaps_around FROM (VALUES (1, NULL), (2, 1.0::float8), (3, NULL), (4, 2), (5, NULL)) x(i, v);
SELECT test_error($q$SELECT kam.sparkline(ARRAY[1, 2], 5, 5)$q$);
SELECT test_error($q$SELECT kam.sparkline(ARRAY[[1, 2], [3, 4]])$q$);
-- the aggregate's limit of 100 000 points: the last one fits (the state's chunks double past
-- it, the check does not follow them), one more is an error by row and by combining states
SELECT length(kam.sparkline(g::float8)) AS points_at_limit FROM generate_series(1, 100000) g;
SELECT test_error($q$SELECT kam.sparkline(g::float8) FROM generate_series(1, 100001) g$q$);
SELECT test_error($q$SELECT kam.sparkline(CASE WHEN g % 3 = 0 THEN g END) FROM generate_series(1, 100001) g$q$);
CREATE TABLE spark_limit (g int, v float8) PARTITION BY RANGE (g);
CREATE TABLE spark_limit_a PARTITION OF spark_limit FOR VALUES FROM (0) TO (60000);
CREATE TABLE spark_limit_b PARTITION OF spark_limit FOR VALUES FROM (60000) TO (200000);
INSERT INTO spark_limit SELECT g, g FROM generate_series(1, 100001) g;
ANALYZE spark_limit;
SET enable_partitionwise_aggregate = on; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
SELECT plan_has($$SELECT kam.sparkline(v) FROM spark_limit$$, 'Partial') AS limit_partial;
SELECT test_error($q$SELECT kam.sparkline(v) FROM spark_limit$q$);
SELECT length(kam.sparkline(v)) AS combined_at_limit FROM spark_limit WHERE g > 1;
RESET ALL;
DROP TABLE spark_limit;

-- combine path: NPS, CSAT and trend summaries through partitions and forced workers (the
-- slope within 1e-10 relative: its combine divides by the counts, so the last digits follow
-- the rows' split between workers, measured up to 1e-13 here and 6.7e-12 on Citus; an
-- absolute 1e-12 on a slope of 0.4 failed once on PostgreSQL 17)
CREATE TABLE hsurv (account_id int, at date, score int, mrr float8) PARTITION BY HASH (account_id);
CREATE TABLE hsurv_0 PARTITION OF hsurv FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE hsurv_1 PARTITION OF hsurv FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO hsurv SELECT g % 997, '2023-01-01'::date + g % 700, g % 11, (g % 1009) * 1.5 FROM generate_series(1, 50000) g;
ANALYZE hsurv;
CREATE VIEW hq AS SELECT kam.nps_agg(score)::text AS nps, kam.csat_agg(score % 5 + 1)::text AS csat,
                         kam.slope(kam.trend(at, mrr)) AS slope FROM hsurv;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE hq_serial AS SELECT * FROM hq;
SET enable_partitionwise_aggregate = on;
SELECT plan_has('SELECT * FROM hq', 'Partial') AS partial_per_partition,
       (SELECT s.nps = h.nps AND s.csat = h.csat AND abs(s.slope - h.slope) <= 1e-10 * abs(s.slope) FROM hq_serial s, hq h) AS same_as_serial;
SET enable_partitionwise_aggregate = off;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
-- (plan_has is parallel unsafe: in its own statement, or the comparison would run serially)
SELECT plan_has('SELECT * FROM hq', 'Gather') AS uses_workers;
SELECT (SELECT s.nps = h.nps AND s.csat = h.csat AND abs(s.slope - h.slope) <= 1e-10 * abs(s.slope) FROM hq_serial s, hq h) AS same_as_serial;
RESET ALL;
