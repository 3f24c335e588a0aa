-- The shifted-beta-geometric contract model (SPEC section 9; Fader & Hardie 2007).

-- acceptance: the paper's high-end and regular customers (active at the start of years 1-8)
SELECT label, round(kam.sbg_param(m, 'alpha')::numeric, 3) AS alpha, round(kam.sbg_param(m, 'beta')::numeric, 3) AS beta,
       round(kam.sbg_param(m, 'll')::numeric, 1) AS ll, kam.sbg_param(m, 'n') AS n,
       round(kam.sbg_param(m, 'alpha_se')::numeric, 3) AS alpha_se, round(kam.sbg_param(m, 'beta_se')::numeric, 3) AS beta_se
FROM (VALUES ('high end', kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491])),
             ('regular', kam.sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]))) v(label, m);
-- the per-customer aggregate form gives the same model: (t, true) churned in period t,
-- (7, false) still active after the 7 observed periods
CREATE TEMP TABLE high_end AS
SELECT t AS periods, true AS churned
FROM (VALUES (1, 131), (2, 126), (3, 90), (4, 60), (5, 42), (6, 34), (7, 26)) c(t, k), generate_series(1, k)
UNION ALL SELECT 7, false FROM generate_series(1, 491);
SELECT kam.sbg_fit(periods, churned)::text = kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491])::text AS aggregate_equals_array
FROM high_end;
-- customers observed for different lengths (cohorts joining later) and a customer not yet
-- through a period (0, false), which tells nothing
SELECT round(kam.sbg_param(m, 'alpha')::numeric, 4) AS alpha, round(kam.sbg_param(m, 'beta')::numeric, 4) AS beta, kam.sbg_param(m, 'n') AS n
FROM (SELECT kam.sbg_fit(periods, churned) AS m
      FROM (SELECT * FROM high_end UNION ALL SELECT 3, false FROM generate_series(1, 200) UNION ALL SELECT 0, false) x) y;

-- the standard errors against a finite-difference Hessian of the log-likelihood computed in
-- plain SQL (S(t) as a product of retention rates, P(T = t) = S(t - 1) - S(t))
CREATE TEMP TABLE he_counts(t int, churned int, censored int);
INSERT INTO he_counts VALUES (1, 131, 0), (2, 126, 0), (3, 90, 0), (4, 60, 0), (5, 42, 0), (6, 34, 0), (7, 26, 491);
CREATE TEMP TABLE fd AS
WITH fit AS (SELECT kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]) AS m),
p AS (SELECT kam.sbg_param(m, 'alpha') AS a, kam.sbg_param(m, 'beta') AS b, 1e-4 AS h FROM fit),
pts AS (SELECT i, j, a + i * h * a AS a, b + j * h * b AS b, h FROM p, generate_series(-1, 1) i, generate_series(-1, 1) j),
surv AS (SELECT i, j, t, exp(sum(ln((b + t - 1) / (a + b + t - 1))) OVER (PARTITION BY i, j ORDER BY t)) AS s
         FROM pts, generate_series(1, 7) t),
ll AS (SELECT s.i, s.j, sum(c.churned * ln(coalesce(lag_s, 1) - s.s) + c.censored * ln(s.s)) AS ll
       FROM (SELECT *, lag(s) OVER (PARTITION BY i, j ORDER BY t) AS lag_s FROM surv) s JOIN he_counts c USING (t)
       GROUP BY s.i, s.j)
SELECT (SELECT a FROM p) AS a, (SELECT b FROM p) AS b, (SELECT h FROM p) AS h,
       (SELECT m FROM fit) AS m, jsonb_object_agg(i || ',' || j, ll) AS ll FROM ll;
SELECT round(sqrt(cbb / det)::numeric, 4) = round(kam.sbg_param(m, 'alpha_se')::numeric, 4) AS alpha_se_matches,
       round(sqrt(caa / det)::numeric, 4) = round(kam.sbg_param(m, 'beta_se')::numeric, 4) AS beta_se_matches
FROM (SELECT m, caa, cbb, caa * cbb - cab * cab AS det
      FROM (SELECT m,
                   -((ll->>'1,0')::float8 - 2 * (ll->>'0,0')::float8 + (ll->>'-1,0')::float8) / (h * a) ^ 2 AS caa,
                   -((ll->>'0,1')::float8 - 2 * (ll->>'0,0')::float8 + (ll->>'0,-1')::float8) / (h * b) ^ 2 AS cbb,
                   -((ll->>'1,1')::float8 - (ll->>'1,-1')::float8 - (ll->>'-1,1')::float8 + (ll->>'-1,-1')::float8) / (4 * h * a * h * b) AS cab
            FROM fd) x) y;

-- the predictions against plain SQL (S(t) as a running product of the retention rates
-- (beta + i - 1) / (alpha + beta + i - 1))
CREATE TEMP TABLE model AS SELECT kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]) AS m;
CREATE TEMP TABLE ref_s AS
SELECT t, exp(sum(ln((b + t - 1) / (a + b + t - 1))) OVER (ORDER BY t)) AS s
FROM (SELECT kam.sbg_param(m, 'alpha') AS a, kam.sbg_param(m, 'beta') AS b FROM model) p, generate_series(1, 20000) t;
SELECT count(*) AS periods,
       count(*) FILTER (WHERE abs(kam.sbg_survival(m, t) - s) > 1e-12) AS survival_differ,
       count(*) FILTER (WHERE abs(kam.sbg_retention(m, t) - s / coalesce(lag_s, 1)) > 1e-12) AS retention_differ
FROM (SELECT t, s, lag(s) OVER (ORDER BY t) AS lag_s FROM ref_s) r, model WHERE t <= 100;
-- the paper's projections for the high-end customers: survival after 12 years, retention in year 12
SELECT round(kam.sbg_survival(m, 12)::numeric, 3) AS survival_12, round(kam.sbg_retention(m, 12)::numeric, 3) AS retention_12,
       round(kam.sbg_survival(m, 0)::numeric, 3) AS survival_0
FROM model;
-- DERL (Fader & Hardie 2010) and the expected renewals: the discounted (10 %) sum of the
-- survival ratios of a customer in her 1st, 2nd and 5th year, against plain SQL; undiscounted
-- against the closed form (beta + n - 1) / (alpha - 1), here infinite (alpha < 1)
SELECT n, round(kam.sbg_derl(m, n, 0.1)::numeric, 6) AS derl,
       round((SELECT sum(r.s / coalesce(p.s, 1) / power(1.1::float8, r.t - n)) FROM ref_s r LEFT JOIN ref_s p ON p.t = n - 1 WHERE r.t >= n AND r.t < n + 2000)::numeric, 6) AS plain_sql,
       round(kam.sbg_expected_renewals(m, n, 5)::numeric, 6) AS renewals_5,
       round((SELECT sum(r.s / coalesce(p.s, 1)) FROM ref_s r LEFT JOIN ref_s p ON p.t = n - 1 WHERE r.t >= n AND r.t < n + 5)::numeric, 6) AS plain_sql_5,
       kam.sbg_derl(m, n, 0) AS undiscounted
FROM model, (VALUES (1), (2), (5)) v(n);
SELECT kam.sbg_expected_lifetime(m) AS lifetime_high_end, kam.sbg_expected_lifetime(kam.sbg(2, 3)) AS lifetime_2_3,
       kam.sbg_derl(kam.sbg(2, 3), 1, 0) AS undiscounted_2_3,
       round(kam.sbg_expected_renewals(kam.sbg(2, 3), 1, 1e6)::numeric, 4) AS renewals_to_the_end
FROM model;

-- the aggregate through forced parallel workers (serialize / deserialize / combine)
CREATE TABLE many_customers AS SELECT h.* FROM high_end h, generate_series(1, 100);
ANALYZE many_customers;
CREATE TEMP TABLE serial_fit AS SELECT kam.sbg_fit(periods, churned)::text AS m FROM many_customers;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT kam.sbg_fit(periods, churned)::text = (SELECT m FROM serial_fit) AS parallel_same,
       kam.sbg_param(kam.sbg_fit(periods, churned), 'n') AS n
FROM many_customers;
EXPLAIN (COSTS OFF) SELECT kam.sbg_fit(periods, churned) FROM many_customers;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size; RESET parallel_leader_participation;
DROP TABLE many_customers;
-- 100 times the data: the same alpha and beta, standard errors 10 times smaller
SELECT round(kam.sbg_param(m, 'alpha')::numeric, 3) AS alpha,
       round((kam.sbg_param(m, 'alpha_se') * 10 / kam.sbg_param(kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]), 'alpha_se'))::numeric, 6) AS se_ratio
FROM (SELECT (SELECT m FROM serial_fit)::kam.sbg AS m) x;

-- text form, constructor, NULLs
SELECT kam.sbg(0.668, 3.806)::text AS from_parameters, kam.sbg_param(kam.sbg(0.668, 3.806), 'll') IS NULL AS ll_unknown,
       kam.sbg_param(kam.sbg(0.668, 3.806), 'alpha_se') IS NULL AS se_unknown;
SELECT '(alpha=0.5,beta=2,ll=-100.5,n=10,alpha_se=0.1,beta_se=0.3,cor_alpha_beta=0)'::kam.sbg::text AS text_round_trip;
SELECT kam.sbg_fit(periods, churned) IS NULL AS no_rows FROM high_end WHERE false;
SELECT kam.sbg_fit(NULL::int[]) IS NULL AS strict, kam.sbg_survival(NULL, 3) IS NULL AS strict_survival;

-- errors: data that cannot identify the model, and bad arguments
SELECT test_error($$SELECT kam.sbg_fit(ARRAY[1000, 1000, 1000])$$);
SELECT test_error($$SELECT kam.sbg_fit(ARRAY[1000, 800])$$);
SELECT test_error($$SELECT kam.sbg_fit(ARRAY[1000, 900, 810, 729, 656, 590])$$);
SELECT test_error($$SELECT kam.sbg_fit(ARRAY[1000])$$);
SELECT test_error($$SELECT kam.sbg_fit(ARRAY[1000, 1100, 900])$$);
SELECT test_error($$SELECT kam.sbg_fit(ARRAY[1000, NULL, 900])$$);
SELECT test_error($$SELECT kam.sbg_fit(ARRAY[1000, -1])$$);
SELECT test_error($$SELECT kam.sbg_fit(ARRAY[[1000, 900], [800, 700]])$$);
SELECT test_error($$SELECT kam.sbg_fit(ARRAY[0, 0, 0])$$);
SELECT test_error($$SELECT kam.sbg_fit(t, c) FROM (VALUES (0, true)) v(t, c)$$);
SELECT test_error($$SELECT kam.sbg_fit(t, c) FROM (VALUES (-1, false)) v(t, c)$$);
SELECT test_error($$SELECT kam.sbg_fit(t, c) FROM (VALUES (0, false)) v(t, c)$$);
SELECT test_error($$SELECT kam.sbg(0, 1)$$);
SELECT test_error($$SELECT kam.sbg('NaN', 1)$$);
SELECT test_error($$SELECT kam.sbg_param(kam.sbg(1, 1), 'gamma')$$);
SELECT test_error($$SELECT kam.sbg_survival(kam.sbg(1, 1), -1)$$);
SELECT test_error($$SELECT kam.sbg_retention(kam.sbg(1, 1), 0.5)$$);
SELECT test_error($$SELECT kam.sbg_derl(kam.sbg(1, 1), 0, 0.1)$$);
SELECT test_error($$SELECT kam.sbg_derl(kam.sbg(1, 1), 1, -0.1)$$);
SELECT test_error($$SELECT kam.sbg_expected_renewals(kam.sbg(1, 1), 1, 1e9)$$);
SELECT test_error($$SELECT '(alpha=-1,beta=2,ll=0,n=1,alpha_se=0,beta_se=0,cor_alpha_beta=0)'::kam.sbg$$);
SELECT test_error($$SELECT '(alpha=1,beta=2,ll=0,n=1.5,alpha_se=0,beta_se=0,cor_alpha_beta=0)'::kam.sbg$$);
SELECT test_error($$SELECT '(alpha=1,beta=2,ll=0,n=1)'::kam.sbg$$);

-- interval forms (delta method from the standard errors and the correlation): the retention
-- rate's by hand, on the logit scale: logit r(t) = ln(beta + t - 1) - ln(alpha), so
-- var = (se_a / a)^2 + (se_b / (b + t - 1))^2 - 2 cor se_a se_b / (a (b + t - 1))
SELECT round((i).estimate::numeric, 4) AS estimate, round((i).lower::numeric, 4) AS lower, round((i).upper::numeric, 4) AS upper,
       abs((i).lower - 1 / (1 + exp(-(ln(b + 2) - ln(a) - 1.959963984540054 * sd)))) < 1e-7
       AND abs((i).upper - 1 / (1 + exp(-(ln(b + 2) - ln(a) + 1.959963984540054 * sd)))) < 1e-7 AS matches_by_hand
FROM (SELECT kam.sbg_retention_interval(m, 3) AS i, a, b,
             sqrt(power(sa / a, 2) + power(sb / (b + 2), 2) - 2 * c * sa * sb / (a * (b + 2))) AS sd
      FROM (SELECT m, kam.sbg_param(m, 'alpha') AS a, kam.sbg_param(m, 'beta') AS b, kam.sbg_param(m, 'alpha_se') AS sa,
                   kam.sbg_param(m, 'beta_se') AS sb, kam.sbg_param(m, 'cor_alpha_beta') AS c
            FROM (SELECT kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]) AS m) f) p) q;
SELECT round(kam.sbg_param(kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]), 'cor_alpha_beta')::numeric, 4) AS cor_alpha_beta;
-- every form at 95 % and 80 %: the interval holds the estimate, 80 % is narrower
SELECT f, round((i95).estimate::numeric, 4) AS estimate, round((i95).lower::numeric, 4) AS lower_95, round((i95).upper::numeric, 4) AS upper_95,
       (i80).lower > (i95).lower AND (i80).upper < (i95).upper AND (i95).lower < (i95).estimate AND (i95).estimate < (i95).upper AS nested,
       abs((i95).estimate - point) < 1e-12 AS estimate_is_point
FROM (SELECT kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]) AS m) f,
     LATERAL (VALUES ('survival(12)', kam.sbg_survival_interval(m, 12), kam.sbg_survival_interval(m, 12, 0.8), kam.sbg_survival(m, 12)),
                     ('retention(3)', kam.sbg_retention_interval(m, 3), kam.sbg_retention_interval(m, 3, 0.8), kam.sbg_retention(m, 3)),
                     ('derl(2, 10 %)', kam.sbg_derl_interval(m, 2, 0.1), kam.sbg_derl_interval(m, 2, 0.1, 0.8), kam.sbg_derl(m, 2, 0.1)),
                     ('renewals(2, 5)', kam.sbg_expected_renewals_interval(m, 2, 5), kam.sbg_expected_renewals_interval(m, 2, 5, 0.8), kam.sbg_expected_renewals(m, 2, 5))) v(f, i95, i80, point);
-- a model from parameters has no standard errors: NULL bounds; S(0) = 1 exactly
SELECT (kam.sbg_survival_interval(kam.sbg(0.668, 3.806), 12)).* ;
SELECT (kam.sbg_survival_interval(kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]), 0)).*;
SELECT test_error($$SELECT kam.sbg_survival_interval(kam.sbg(1, 2), 3, 1)$$);
SELECT test_error($$SELECT kam.sbg_derl_interval(kam.sbg(1, 2), 0, 0.1)$$);
SELECT test_error($$SELECT '(alpha=1,beta=2,ll=0,n=1,alpha_se=0,beta_se=0,cor_alpha_beta=2)'::kam.sbg$$);

-- ======================== beta-discrete-Weibull ========================
-- S(t) = B(alpha, beta + t^c) / B(alpha, beta); c = 1 is the sBG, nested in it, so its
-- log-likelihood is at least the sBG's, equal when the data want c = 1
SELECT label, round(kam.bdw_param(m, 'alpha')::numeric, 3) AS alpha, round(kam.bdw_param(m, 'beta')::numeric, 3) AS beta,
       round(kam.bdw_param(m, 'c')::numeric, 3) AS c, round(kam.bdw_param(m, 'll')::numeric, 2) AS ll,
       round(kam.sbg_param(s, 'll')::numeric, 2) AS sbg_ll, kam.bdw_param(m, 'll') >= kam.sbg_param(s, 'll') - 1e-9 AS at_least_sbg,
       round(kam.bdw_param(m, 'c_se')::numeric, 3) AS c_se, round(kam.bdw_param(m, 'cor_beta_c')::numeric, 3) AS cor_beta_c
FROM (VALUES ('high end', kam.bdw_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]), kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491])),
             ('regular', kam.bdw_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]), kam.sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]))) v(label, m, s);
-- the per-customer aggregate gives the array's model
SELECT kam.bdw_fit(periods, churned)::text = kam.bdw_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491])::text AS aggregate_equals_array
FROM high_end;
-- at c = 1 every prediction is the sBG's
SELECT bool_and(abs(kam.bdw_survival(kam.bdw(0.668, 3.806, 1), t) - kam.sbg_survival(kam.sbg(0.668, 3.806), t)) < 1e-12) AS survival,
       bool_and(abs(kam.bdw_retention(kam.bdw(0.668, 3.806, 1), t) - kam.sbg_retention(kam.sbg(0.668, 3.806), t)) < 1e-12) AS retention,
       bool_and(abs(kam.bdw_derl(kam.bdw(0.668, 3.806, 1), t, 0.1) - kam.sbg_derl(kam.sbg(0.668, 3.806), t, 0.1)) < 1e-9) AS derl,
       bool_and(abs(kam.bdw_expected_renewals(kam.bdw(0.668, 3.806, 1), t, 5) - kam.sbg_expected_renewals(kam.sbg(0.668, 3.806), t, 5)) < 1e-12) AS renewals,
       abs(kam.bdw_expected_lifetime(kam.bdw(2, 3, 1)) - kam.sbg_expected_lifetime(kam.sbg(2, 3))) < 1e-6 AS lifetime,
       abs(kam.bdw_derl(kam.bdw(2, 3, 1), 3, 0) - kam.sbg_derl(kam.sbg(2, 3), 3, 0)) < 1e-6 AS residual_lifetime
FROM generate_series(1, 12) t;
-- c alpha <= 1: the undiscounted lifetime diverges; projections of the fitted models
SELECT kam.bdw_expected_lifetime(kam.bdw(0.8, 3, 1.2)) AS diverges_ca_096, kam.bdw_expected_lifetime(kam.bdw(0.8, 3, 1.25)) AS diverges_ca_1,
       round(kam.bdw_expected_lifetime(kam.bdw(0.8, 3, 2))::numeric, 3) AS ca_16,
       round(kam.bdw_derl(kam.bdw(0.8, 3, 2), 4, 0)::numeric, 3) AS residual_ca_16;
SELECT label, round(kam.bdw_survival(m, 12)::numeric, 4) AS s12, round(kam.bdw_retention(m, 12)::numeric, 4) AS r12,
       round(kam.bdw_derl(m, 2, 0.1)::numeric, 4) AS derl, round(kam.bdw_expected_renewals(m, 2, 5)::numeric, 4) AS renewals_5,
       round((kam.bdw_survival_interval(m, 12)).lower::numeric, 4) AS s12_lower, round((kam.bdw_survival_interval(m, 12)).upper::numeric, 4) AS s12_upper,
       (kam.bdw_retention_interval(m, 12, 0.8)).lower < kam.bdw_retention(m, 12) AS retention_interval,
       (kam.bdw_derl_interval(m, 2, 0.1)).upper > kam.bdw_derl(m, 2, 0.1) AS derl_interval,
       (kam.bdw_expected_renewals_interval(m, 2, 5)).lower < kam.bdw_expected_renewals(m, 2, 5) AS renewals_interval
FROM (VALUES ('high end', kam.bdw_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491])),
             ('regular', kam.bdw_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]))) v(label, m);
SELECT kam.bdw(0.7, 1.2, 0.9) AS from_parameters, (kam.bdw_survival_interval(kam.bdw(0.7, 1.2, 0.9), 3)).upper IS NULL AS no_bounds;
SELECT '(alpha=0.7,beta=1.2,c=0.9,ll=-10,n=5,alpha_se=0.1,beta_se=0.2,c_se=0.05,cor_alpha_beta=0.5,cor_alpha_c=-0.2,cor_beta_c=0)'::kam.bdw::text AS text_round_trip;
SELECT kam.bdw_fit(p, c) IS NULL AS empty FROM (VALUES (1, true)) v(p, c) WHERE false;
SELECT test_error($$SELECT kam.bdw_fit(ARRAY[1000, 900, 800])$$);
SELECT test_error($$SELECT kam.bdw_fit(ARRAY[1000, 1000, 1000, 1000])$$);
SELECT test_error($$SELECT kam.bdw(1, 0, 1)$$);
SELECT test_error($$SELECT kam.bdw_param(kam.bdw(1, 1, 1), 'r')$$);
SELECT test_error($$SELECT kam.bdw_retention(kam.bdw(1, 1, 1), 0.5)$$);
SELECT test_error($$SELECT '(alpha=1,beta=1,c=0,ll=0,n=1,alpha_se=0,beta_se=0,c_se=0,cor_alpha_beta=0,cor_alpha_c=0,cor_beta_c=0)'::kam.bdw$$);
