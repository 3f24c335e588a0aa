-- Gamma-Gamma spend model and customer lifetime value on CDNOW (docs/ltv.md)
CREATE TABLE cdnow_money (id int, x int, t_x float8, "T" float8, zbar float8);
\copy cdnow_money FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE models AS
SELECT kam.bgnbd_fit(x, t_x, "T") AS bg, kam.gammagamma_fit(x, zbar) AS gg FROM cdnow_money;
-- published (Fader & Hardie 2013): p 6.25, q 3.74, v 15.44 on the 946 repeat buyers.  zbar is
-- rounded to cents in the file; the fit gives v = 15.448 (lifetimes prints 15.45 on this file),
-- so v is checked to 0.01, p and q to half a unit of the last digit.  v is shown to 3 places:
-- p, q and v lie on a ridge (correlations near 1), where the last Newton step moves v by a few
-- millionths within the rounding of the log-likelihood, and v is 15.44775 to five places
SELECT round(kam.gammagamma_param(gg, 'p')::numeric, 4) AS p, round(kam.gammagamma_param(gg, 'q')::numeric, 4) AS q,
       round(kam.gammagamma_param(gg, 'v')::numeric, 3) AS v, round(kam.gammagamma_param(gg, 'll')::numeric, 2) AS ll,
       kam.gammagamma_param(gg, 'n') AS repeat_buyers
FROM models;
SELECT abs(kam.gammagamma_param(gg, 'p') - 6.25) <= 0.005 AS p_ok, abs(kam.gammagamma_param(gg, 'q') - 3.74) <= 0.005 AS q_ok,
       abs(kam.gammagamma_param(gg, 'v') - 15.44) <= 0.01 AS v_ok
FROM models;
-- E[M | x, m] = p (v + x m) / (p x + q - 1): by hand 6.25 * (15.44 + 2 * 22.35) / (12.5 + 2.74) = 24.6637
SELECT round(kam.gammagamma_expected(kam.gammagamma(6.25, 3.74, 15.44), 2, 22.35)::numeric, 4) AS e_m,
       abs(kam.gammagamma_expected(kam.gammagamma(6.25, 3.74, 15.44), 2, 22.35) - 6.25 * (15.44 + 44.7) / 15.24) < 1e-12 AS matches_formula;
-- x = 0: the population mean p v / (q - 1); q <= 1 has no mean: NULL
SELECT abs(kam.gammagamma_expected(gg, 0, 0) - kam.gammagamma_param(gg, 'p') * kam.gammagamma_param(gg, 'v')
                                             / (kam.gammagamma_param(gg, 'q') - 1)) < 1e-12 AS population_mean,
       kam.gammagamma_expected(kam.gammagamma(1, 0.5, 10), 0, 0) IS NULL AS no_mean
FROM models;
-- the mean expected spend of repeat buyers is close to their observed mean (35.08)
SELECT round(avg(kam.gammagamma_expected(gg, x, zbar))::numeric, 2) AS mean_expected, round(avg(zbar)::numeric, 2) AS mean_observed
FROM cdnow_money, models WHERE x > 0;

-- CLV as lifetimes' customer_lifetime_value(time=12, discount_rate=0.01).  lifetimes' documented
-- example calls it with the default freq='D' (30 periods a month) on this weekly data and shows
-- 140.096218, 18.943466, 38.180575, 38.180575, 38.180575, 1003.868056 for customers 1-6
SELECT id, round(kam.clv(bg, gg, x, t_x, "T", zbar, 12, 0.01, 30)::numeric, 4) AS clv,
       abs(kam.clv(bg, gg, x, t_x, "T", zbar, 12, 0.01, 30) / l.clv - 1) < 1e-5 AS matches_lifetimes
FROM cdnow_money, models,
     (VALUES (1, 140.096218), (2, 18.943466), (3, 38.180575), (4, 38.180575), (5, 38.180575), (6, 1003.868056)) l(lid, clv)
WHERE id = l.lid ORDER BY id;
-- weekly data with 4.345 weeks a month, against the same sum written in SQL
SELECT bool_and(abs(kam.clv(bg, gg, x, t_x, "T", zbar, 12, 0.01, 4.345) - s.total) < 1e-9 * greatest(1, s.total)) AS matches_sql_sum,
       round(sum(kam.clv(bg, gg, x, t_x, "T", zbar, 12, 0.01, 4.345))::numeric, 0) AS portfolio_clv_12_months
FROM cdnow_money, models,
     LATERAL (SELECT sum(kam.gammagamma_expected(gg, x, zbar)
                         * (kam.bgnbd_expected(bg, i * 4.345, x, t_x, "T") - kam.bgnbd_expected(bg, (i - 1) * 4.345, x, t_x, "T"))
                         / power(1.01, i)) AS total
              FROM generate_series(1, 12) i) s;
-- boundaries: no months = 0; one month undiscounted = spend * E[Y(f)]
SELECT kam.clv(bg, gg, 2, 30.43, 38.86, 22.35, 0, 0.01, 4.345) AS zero_months,
       abs(kam.clv(bg, gg, 2, 30.43, 38.86, 22.35, 1, 0, 4.345)
           - kam.gammagamma_expected(gg, 2, 22.35) * kam.bgnbd_expected(bg, 4.345, 2, 30.43, 38.86)) < 1e-12 AS one_month
FROM models;
-- text I/O, constructor, parallel fit, empty input
SELECT gg::text::kam.gammagamma::text = gg::text AS round_trip FROM models;
SELECT kam.gammagamma(6.25, 3.74, 15.44);
CREATE TABLE money_big AS SELECT c.* FROM cdnow_money c, generate_series(1, 8);
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT kam.gammagamma_fit(x, zbar)::text AS par FROM money_big \gset
RESET ALL;
SELECT :'par' = (SELECT kam.gammagamma_fit(x, zbar)::text FROM money_big) AS parallel_equals_serial;
SELECT kam.gammagamma_fit(x, zbar) IS NULL AS no_repeat_buyers FROM cdnow_money WHERE x = 0;
-- errors
SELECT test_error($q$SELECT kam.gammagamma_fit(x, m) FROM (VALUES (2::float8, -5::float8)) v(x, m)$q$);
SELECT test_error($q$SELECT kam.gammagamma_fit(x, m) FROM (VALUES (2::float8, 0::float8)) v(x, m)$q$);
SELECT test_error($q$SELECT kam.gammagamma_fit(x, m) FROM (VALUES (2.5::float8, 10::float8)) v(x, m)$q$);
SELECT test_error($q$SELECT kam.gammagamma_fit(x, m) FROM (VALUES (2::float8, 'NaN'::float8)) v(x, m)$q$);
-- one spend pattern cannot identify the model: not converged (detail cut)
SELECT split_part(test_error($q$SELECT kam.gammagamma_fit(x, m) FROM (VALUES (2::float8, 10::float8), (2, 10)) v(x, m)$q$), ' | ', 1) AS one_pattern;
SELECT test_error($q$SELECT kam.gammagamma(6, 0, 15)$q$);
SELECT test_error($q$SELECT 'garbage'::kam.gammagamma$q$);
SELECT test_error($q$SELECT kam.gammagamma_param(kam.gammagamma(6, 3, 15), 'w')$q$);
SELECT test_error($q$SELECT kam.gammagamma_expected(kam.gammagamma(6, 3, 15), 2, -1)$q$);
SELECT test_error($q$SELECT kam.clv(bg, gg, 2, 30, 38, 22, -1, 0.01, 4.345) FROM models$q$);
SELECT test_error($q$SELECT kam.clv(bg, gg, 2, 30, 38, 22, 12, -0.01, 4.345) FROM models$q$);
SELECT test_error($q$SELECT kam.clv(bg, gg, 2, 30, 38, 22, 12, 0.01, 0) FROM models$q$);
SELECT test_error($q$SELECT kam.clv(bg, gg, 2, 40, 38, 22, 12, 0.01, 4.345) FROM models$q$);
SELECT test_error($q$SELECT kam.clv(bg, gg, 2, 30, 38, 'Infinity', 12, 0.01, 4.345) FROM models$q$);

-- the interval form: kam.clv_interval from kam.bgnbd_fit_se and kam.gammagamma_fit_se (delta
-- method on the log scale over the seven parameters, the two estimates independent). Its
-- estimate is kam.clv; by hand, the log-CLV gradient by central differences in SQL and the
-- covariance from the standard errors and correlations give the same upper bound
CREATE TEMP TABLE clv_e AS
SELECT kam.bgnbd_fit_se(x, t_x, "T") AS b, kam.gammagamma_fit_se(x, zbar) AS g FROM cdnow_money;
SELECT round((i).estimate::numeric, 4) AS estimate, round((i).lower::numeric, 4) AS lower, round((i).upper::numeric, 4) AS upper,
       abs((i).estimate - kam.clv((b).model, (g).model, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345)) < 1e-12 AS estimate_is_clv,
       (kam.clv_interval(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345, 0.8)).lower > (i).lower AS narrower_at_80
FROM (SELECT b, g, kam.clv_interval(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345) AS i FROM clv_e) q;
WITH p AS (SELECT b, g, ARRAY[kam.bgnbd_param((b).model, 'r'), kam.bgnbd_param((b).model, 'alpha'), kam.bgnbd_param((b).model, 'a'),
                             kam.bgnbd_param((b).model, 'b'), kam.gammagamma_param((g).model, 'p'), kam.gammagamma_param((g).model, 'q'),
                             kam.gammagamma_param((g).model, 'v')] AS v,
                  ARRAY[(b).r_se, (b).alpha_se, (b).a_se, (b).b_se, (g).p_se, (g).q_se, (g).v_se] AS se,
                  ARRAY[[1, (b).cor_r_alpha, (b).cor_r_a, (b).cor_r_b, 0, 0, 0],
                        [(b).cor_r_alpha, 1, (b).cor_alpha_a, (b).cor_alpha_b, 0, 0, 0],
                        [(b).cor_r_a, (b).cor_alpha_a, 1, (b).cor_a_b, 0, 0, 0],
                        [(b).cor_r_b, (b).cor_alpha_b, (b).cor_a_b, 1, 0, 0, 0],
                        [0, 0, 0, 0, 1, (g).cor_p_q, (g).cor_p_v],
                        [0, 0, 0, 0, (g).cor_p_q, 1, (g).cor_q_v],
                        [0, 0, 0, 0, (g).cor_p_v, (g).cor_q_v, 1]] AS cor
           FROM clv_e),
grad AS (SELECT p.*, i, (ln(kam.clv(kam.bgnbd(w[1], w[2], w[3], w[4]), kam.gammagamma(w[5], w[6], w[7]), 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345))
                         - ln(kam.clv(kam.bgnbd(u[1], u[2], u[3], u[4]), kam.gammagamma(u[5], u[6], u[7]), 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345)))
                        / (2e-6 * v[i]) AS gi
         FROM p, generate_series(1, 7) i,
              LATERAL (SELECT array_agg(v[j] * (1 + 1e-6 * (j = i)::int) ORDER BY j) AS w,
                              array_agg(v[j] * (1 - 1e-6 * (j = i)::int) ORDER BY j) AS u FROM generate_series(1, 7) j) s),
var AS (SELECT sum(a.gi * c.gi * a.se[a.i] * c.se[c.i] * a.cor[a.i][c.i]) AS var FROM grad a JOIN grad c ON true)
SELECT abs((kam.clv_interval(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345)).upper
           - kam.clv((b).model, (g).model, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345) * exp(1.959963984540054 * sqrt(var))) < 1e-6 AS upper_by_hand
FROM clv_e, var;
-- the correlations the estimates carry
SELECT round((b).cor_a_b::numeric, 3) AS cor_a_b, round((g).cor_p_q::numeric, 3) AS cor_p_q FROM clv_e;
-- an estimate without standard errors (no data to tell) gives NULL bounds; errors
SELECT (kam.clv_interval(ROW(kam.bgnbd(0.243, 4.414, 0.793, 2.426), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::kam.bgnbd_estimate,
                         g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345)).upper IS NULL AS no_se_no_bounds FROM clv_e;
SELECT test_error($q$SELECT kam.clv_interval(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 4.345, 1.5) FROM clv_e$q$);
SELECT test_error($q$SELECT kam.clv_interval(b, g, 2, 30.43, 38.86, 22.35, -1, 0.01, 4.345) FROM clv_e$q$);
-- the estimate types by name: an estimate written by hand reads as kam.gammagamma_estimate
SELECT pg_typeof(g)::text = 'kam.gammagamma_estimate' AS is_gg_estimate, pg_typeof(b)::text = 'kam.bgnbd_estimate' AS is_bg_estimate FROM clv_e;
SELECT round((kam.clv_interval(b, ROW((g).model, (g).p_se, (g).q_se, (g).v_se, (g).cor_p_q, (g).cor_p_v, (g).cor_q_v)::kam.gammagamma_estimate,
                              2, 30.43, 38.86, 22.35, 12, 0.01, 4.345)).upper::numeric, 4) AS upper_from_row
FROM clv_e;
