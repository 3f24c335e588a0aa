-- kam.mrr_waterfall and kam.cohort_retention: hand-worked example (docs/retention.md)
CREATE TABLE wf (account int, month date, mrr numeric);
INSERT INTO wf VALUES
  (1, '2024-01-01', 100), (1, '2024-02-01', 100), (1, '2024-03-01', 150), (1, '2024-04-01', 150),
  (2, '2024-01-01', 200),                          (2, '2024-03-01', 100),   -- no Feb row: churn, then reactivation
  (2, '2024-03-01', 0),                                                      -- a zero row adds nothing
                          (3, '2024-02-01', 50),   (3, '2024-03-01', 0),     -- explicit zero: churn in March
                                                                             (4, '2024-04-01', 70),
  (NULL, '2024-01-01', 5), (5, NULL, 5), (6, '2024-01-01', NULL);            -- NULLs skipped

SELECT w.* FROM unnest((SELECT kam.mrr_waterfall(account, month, mrr) FROM wf)) w;
-- every row reconciles, and each period starts where the previous ended
SELECT bool_and(abs(ending_mrr - (starting_mrr + new_mrr + reactivation_mrr + expansion_mrr
                                  - contraction_mrr - churned_mrr)) < 1e-9) AS rows_reconcile,
       bool_and(starting_mrr IS NOT DISTINCT FROM prev_ending OR previous_period IS NULL) AS chained,
       bool_and(ending_accounts = starting_accounts - churned_accounts + new_accounts + reactivated_accounts) AS counts_chain
FROM (SELECT w.*, lag(ending_mrr) OVER (ORDER BY period) AS prev_ending
      FROM unnest((SELECT kam.mrr_waterfall(account, month, mrr) FROM wf)) w) x;

SELECT c.* FROM unnest((SELECT kam.cohort_retention(account, month, mrr) FROM wf)) c;

-- empty input: NULL arrays
SELECT kam.mrr_waterfall(account, month, mrr) IS NULL AS wf_empty,
       kam.cohort_retention(account, month, mrr) IS NULL AS cohort_empty
FROM wf WHERE false;
-- only zero rows: periods exist, nothing moves
SELECT w.period, w.starting_mrr, w.new_mrr, w.ending_mrr, w.ending_accounts
FROM unnest((SELECT kam.mrr_waterfall(a, m, v) FROM (VALUES (1, date '2024-01-01', 0), (1, '2024-02-01', 0)) x(a, m, v))) w;
SELECT cardinality(kam.cohort_retention(a, m, v)) AS cells
FROM (VALUES (1, date '2024-01-01', 0), (1, '2024-02-01', 0)) x(a, m, v);
-- GROUP BY: one waterfall per group through LATERAL unnest
SELECT g.grp, w.period, w.ending_mrr
FROM (SELECT account % 2 AS grp, kam.mrr_waterfall(account, month, mrr) AS wf FROM wf GROUP BY 1) g,
     unnest(g.wf) w
ORDER BY 1, 2;

-- the sample CRM: every period against plain SQL over consecutive months
CREATE TABLE kam_wf AS
SELECT w.* FROM unnest((SELECT kam.mrr_waterfall(account_id, month, mrr) FROM crm.mrr_snapshots)) w;
CREATE VIEW plain_wf AS
WITH months AS (SELECT DISTINCT month FROM crm.mrr_snapshots),
     grid AS (SELECT a.account_id, m.month, coalesce(s.mrr, 0) AS mrr
              FROM (SELECT DISTINCT account_id FROM crm.mrr_snapshots) a CROSS JOIN months m
              LEFT JOIN crm.mrr_snapshots s ON s.account_id = a.account_id AND s.month = m.month),
     seq AS (SELECT account_id, month, mrr,
                    coalesce(lag(mrr) OVER w, 0) AS prev,
                    coalesce(max(mrr) OVER (PARTITION BY account_id ORDER BY month
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING), 0) > 0 AS paid_before
             FROM grid WINDOW w AS (PARTITION BY account_id ORDER BY month))
SELECT month AS period,
       coalesce(sum(prev) FILTER (WHERE prev > 0), 0) AS starting_mrr,
       coalesce(sum(mrr) FILTER (WHERE prev = 0 AND mrr > 0 AND NOT paid_before), 0) AS new_mrr,
       coalesce(sum(mrr) FILTER (WHERE prev = 0 AND mrr > 0 AND paid_before), 0) AS reactivation_mrr,
       coalesce(sum(mrr - prev) FILTER (WHERE prev > 0 AND mrr > prev), 0) AS expansion_mrr,
       coalesce(sum(prev - mrr) FILTER (WHERE prev > 0 AND mrr > 0 AND mrr < prev), 0) AS contraction_mrr,
       coalesce(sum(prev) FILTER (WHERE prev > 0 AND mrr = 0), 0) AS churned_mrr,
       sum(mrr) AS ending_mrr,
       count(*) FILTER (WHERE prev > 0 AND mrr = 0) AS churned_accounts,
       count(*) FILTER (WHERE prev = 0 AND mrr > 0 AND paid_before) AS reactivated_accounts,
       count(*) FILTER (WHERE mrr > 0) AS ending_accounts
FROM seq GROUP BY month;
SELECT count(*) AS periods,
       bool_and(round(k.starting_mrr::numeric, 2) = p.starting_mrr) AS starting,
       bool_and(round(k.new_mrr::numeric, 2) = p.new_mrr) AS new,
       bool_and(round(k.reactivation_mrr::numeric, 2) = p.reactivation_mrr) AS reactivation,
       bool_and(round(k.expansion_mrr::numeric, 2) = p.expansion_mrr) AS expansion,
       bool_and(round(k.contraction_mrr::numeric, 2) = p.contraction_mrr) AS contraction,
       bool_and(round(k.churned_mrr::numeric, 2) = p.churned_mrr) AS churned,
       bool_and(round(k.ending_mrr::numeric, 2) = p.ending_mrr) AS ending,
       bool_and((k.churned_accounts, k.reactivated_accounts, k.ending_accounts)
                = (p.churned_accounts, p.reactivated_accounts, p.ending_accounts)) AS counts,
       sum(k.reactivated_accounts) AS total_reactivations, sum(k.churned_accounts) AS total_churns
FROM kam_wf k JOIN plain_wf p USING (period);
-- ending MRR of every period is sum(numeric) of that month, to the cent
SELECT bool_and(round(k.ending_mrr::numeric, 2) = s.total) AS ending_is_monthly_sum
FROM kam_wf k JOIN (SELECT month, sum(mrr) AS total FROM crm.mrr_snapshots GROUP BY month) s ON s.month = k.period;
-- a window of the waterfall equals kam.retention_agg over consecutive snapshot dates
SELECT (SELECT row(k.starting_mrr, k.new_mrr, k.reactivation_mrr, k.expansion_mrr, k.contraction_mrr, k.churned_mrr)::text
        FROM kam_wf k WHERE period = '2024-03-01')
     = (SELECT row(m.starting_mrr, m.new_mrr, m.reactivation_mrr, m.expansion_mrr, m.contraction_mrr, m.churned_mrr)::text
        FROM (SELECT kam.retention_agg(account_id, month, mrr, '2024-02-01', '2024-03-01') r FROM crm.mrr_snapshots) x,
             kam.movements(x.r) m) AS waterfall_equals_retention_agg;

-- cohorts against plain SQL
CREATE TABLE kam_cohort AS
SELECT c.* FROM unnest((SELECT kam.cohort_retention(account_id, month, mrr) FROM crm.mrr_snapshots)) c;
CREATE VIEW plain_cohort AS
WITH months AS (SELECT month, row_number() OVER (ORDER BY month) - 1 AS idx FROM (SELECT DISTINCT month FROM crm.mrr_snapshots) m),
     firsts AS (SELECT account_id, min(month) AS cohort FROM crm.mrr_snapshots WHERE mrr > 0 GROUP BY account_id)
SELECT f.cohort, (mm.idx - mc.idx)::int AS period_number, count(*) AS retained_accounts, sum(s.mrr) AS retained_mrr
FROM crm.mrr_snapshots s JOIN firsts f USING (account_id)
JOIN months mm ON mm.month = s.month JOIN months mc ON mc.month = f.cohort
WHERE s.mrr > 0 GROUP BY 1, 2;
SELECT count(*) AS cells,
       count(p.cohort) AS cells_with_accounts,
       bool_and(coalesce(p.retained_accounts, 0) = k.retained_accounts) AS accounts,
       bool_and(round(k.retained_mrr::numeric, 2) = coalesce(p.retained_mrr, 0)) AS mrr,
       bool_and(k.logo_retention = k.retained_accounts::float8 / k.cohort_accounts) AS logo_retention,
       bool_and(k.revenue_retention = k.retained_mrr / k.cohort_mrr) AS revenue_retention
FROM kam_cohort k LEFT JOIN plain_cohort p USING (cohort, period_number);
SELECT cohort, period_number, cohort_accounts, retained_accounts, round(logo_retention::numeric, 3) AS logo,
       round(revenue_retention::numeric, 3) AS revenue
FROM kam_cohort WHERE cohort = '2023-01-01' AND period_number IN (0, 6, 12, 23) ORDER BY 2;

-- double precision MRR gives the same waterfall and cohorts as numeric MRR
SELECT (SELECT kam.mrr_waterfall(account_id, month, mrr::float8)::text FROM crm.mrr_snapshots)
     = (SELECT kam.mrr_waterfall(account_id, month, mrr)::text FROM crm.mrr_snapshots) AS waterfall_float8_equals_numeric,
       (SELECT kam.cohort_retention(account_id, month, mrr::float8)::text FROM crm.mrr_snapshots)
     = (SELECT kam.cohort_retention(account_id, month, mrr)::text FROM crm.mrr_snapshots) AS cohorts_float8_equals_numeric;

-- errors
SELECT test_error($q$SELECT kam.mrr_waterfall(account, month, -mrr) FROM wf WHERE mrr > 0$q$);
SELECT test_error($q$SELECT kam.cohort_retention(account, month, 'Infinity'::numeric) FROM wf$q$);
SELECT test_error($q$SELECT kam.mrr_waterfall(account, 'infinity'::date, mrr) FROM wf$q$);
SELECT test_error($q$SELECT kam.cohort_retention(account, month, 'NaN'::float8) FROM wf$q$);
SELECT test_error($q$SELECT kam.cohort_retention(1, d::date, 1) FROM generate_series(date '2020-01-01', date '2026-01-01', interval '1 day') d$q$);
