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
-- integer accounts find their number in the hash for the first 1 024, then in a direct map
-- while the ids are dense (growing up, or down for descending ids), and in the hash again once
-- an id is far away (10^12, the 2 500th account to arrive); sparse ids stay in the hash: the
-- same waterfall as text keys in the same order, to the last bit (4 000 accounts, 6 months,
-- rows month by month)
CREATE TABLE wf_keys AS
SELECT a, m, (date '2024-01-01' + make_interval(months => m))::date AS month,
       ((a * 7919) % 500 + 10 * m * (a % 3))::float8 AS mrr
FROM generate_series(1, 4000) a, generate_series(0, 5) m WHERE (a + m) % 7 <> 0;
CREATE VIEW key_forms AS
SELECT (SELECT kam.mrr_waterfall(a, month, mrr)::text FROM (SELECT * FROM wf_keys ORDER BY m, a) x)
       = (SELECT kam.mrr_waterfall(a::text, month, mrr)::text FROM (SELECT * FROM wf_keys ORDER BY m, a) x) AS ascending_ids,
       (SELECT kam.mrr_waterfall(-a::bigint, month, mrr)::text FROM (SELECT * FROM wf_keys ORDER BY m, a DESC) x)
       = (SELECT kam.mrr_waterfall(a::text, month, mrr)::text FROM (SELECT * FROM wf_keys ORDER BY m, a DESC) x) AS descending_negative_ids,
       (SELECT kam.mrr_waterfall(CASE WHEN a = 2500 THEN 1000000000000 ELSE a END, month, mrr)::text
        FROM (SELECT * FROM wf_keys ORDER BY m, a) x)
       = (SELECT kam.mrr_waterfall(a::text, month, mrr)::text FROM (SELECT * FROM wf_keys ORDER BY m, a) x) AS one_far_id,
       (SELECT kam.mrr_waterfall(a * 1000003::bigint, month, mrr)::text FROM (SELECT * FROM wf_keys ORDER BY m, a) x)
       = (SELECT kam.mrr_waterfall(a::text, month, mrr)::text FROM (SELECT * FROM wf_keys ORDER BY m, a) x) AS sparse_ids,
       (SELECT kam.mrr_waterfall(a, month, mrr)::text FROM (SELECT * FROM wf_keys ORDER BY random()) x)
       = (SELECT kam.mrr_waterfall(a, month, mrr)::text FROM (SELECT * FROM wf_keys ORDER BY random()) x) AS any_order_same_rows;
SELECT * FROM key_forms;
-- the snapshot form the same ways: the rows before `from` (months 0 and 1) only mark "paid
-- before", as a bit of the key's slot once the direct map is there (from the 1 025th account),
-- the bits moving as the map grows (up, or down for descending ids) and folded into the
-- accounts when it goes (the far id)
CREATE VIEW window_key_forms AS
SELECT (SELECT kam.retention_agg(a, month, mrr, '2024-03-01', '2024-06-01')::text FROM (SELECT * FROM wf_keys ORDER BY m, a) x)
       = (SELECT kam.retention_agg(a::text, month, mrr, '2024-03-01', '2024-06-01')::text FROM (SELECT * FROM wf_keys ORDER BY m, a) x) AS ascending_ids,
       (SELECT kam.retention_agg(-a::bigint, month, mrr, '2024-03-01', '2024-06-01')::text FROM (SELECT * FROM wf_keys ORDER BY m, a DESC) x)
       = (SELECT kam.retention_agg(a::text, month, mrr, '2024-03-01', '2024-06-01')::text FROM (SELECT * FROM wf_keys ORDER BY m, a DESC) x) AS descending_negative_ids,
       (SELECT kam.retention_agg(CASE WHEN a = 2500 THEN 1000000000000 ELSE a END, month, mrr, '2024-03-01', '2024-06-01')::text
        FROM (SELECT * FROM wf_keys ORDER BY m, a) x)
       = (SELECT kam.retention_agg(a::text, month, mrr, '2024-03-01', '2024-06-01')::text FROM (SELECT * FROM wf_keys ORDER BY m, a) x) AS one_far_id,
       (SELECT kam.retention_agg(a * 1000003::bigint, month, mrr, '2024-03-01', '2024-06-01')::text FROM (SELECT * FROM wf_keys ORDER BY m, a) x)
       = (SELECT kam.retention_agg(a::text, month, mrr, '2024-03-01', '2024-06-01')::text FROM (SELECT * FROM wf_keys ORDER BY m, a) x) AS sparse_ids,
       (SELECT kam.retention_agg(a::int2, month, mrr, '2024-03-01', '2024-06-01')::text FROM (SELECT * FROM wf_keys ORDER BY random()) x)
       = (SELECT kam.retention_agg(a::text, month, mrr, '2024-03-01', '2024-06-01')::text FROM (SELECT * FROM wf_keys ORDER BY random()) x) AS any_order_int2;
SELECT * FROM window_key_forms;
SELECT m.reactivated_accounts, m.new_accounts, m.starting_accounts
FROM (SELECT kam.retention_agg(a::text, month, mrr, '2024-03-01', '2024-06-01') AS r FROM wf_keys) x, kam.movements(x.r) m;
-- integer keys in the direct map's range: rows at `from` or `to` wait in batches of 64 and are
-- added to their accounts together (kam_acct_window_add); a batch goes in before anything else
-- numbers or reads the accounts: a key outside the map, a "paid before" row that grows the map
-- downwards while rows wait, every final of a running window, the end; the rate form too (its
-- local amounts in the batch beside the converted ones). Against text keys
-- (not batched under 4 096 accounts): the same accounts in the same order, so the same sums to
-- the last bit
CREATE TEMP TABLE batch_rows AS
SELECT row_number() OVER () AS ord, r.* FROM (
    SELECT a::int8 AS a, date '2024-06-01' AS at, (a % 7) * 10.01 AS mrr FROM generate_series(2000, 4000) a
    UNION ALL SELECT 5, date '2024-01-01', 3.0
    UNION ALL SELECT 90000000000, date '2024-06-01', 4.0
    UNION ALL SELECT a, date '2024-12-01', (a % 5) * 10.03 FROM generate_series(1990, 3500) a
    UNION ALL SELECT 5, date '2024-12-01', 8.0) r;
SELECT (SELECT kam.retention_agg(a, at, mrr, '2024-06-01', '2024-12-01')::text FROM (SELECT * FROM batch_rows ORDER BY ord) x)
       = (SELECT kam.retention_agg(a::text, at, mrr, '2024-06-01', '2024-12-01')::text FROM (SELECT * FROM batch_rows ORDER BY ord) x) AS batched_same,
       (SELECT kam.retention_agg(a, at, mrr, '2024-06-01', '2024-12-01')::text FROM (SELECT * FROM batch_rows WHERE a < 90000000000 ORDER BY ord) x)
       = (SELECT kam.retention_agg(a::text, at, mrr, '2024-06-01', '2024-12-01')::text FROM (SELECT * FROM batch_rows WHERE a < 90000000000 ORDER BY ord) x) AS batched_map_kept,
       (SELECT kam.retention_agg(a, at, mrr, 1.1 + (a % 3) * 0.07, '2024-06-01', '2024-12-01')::text FROM (SELECT * FROM batch_rows ORDER BY ord) x)
       = (SELECT kam.retention_agg(a::text, at, mrr, 1.1 + (a % 3) * 0.07, '2024-06-01', '2024-12-01')::text FROM (SELECT * FROM batch_rows ORDER BY ord) x) AS batched_rates_same;
-- (the running finals before the first row at `to` warn that every account churns: not shown)
SET client_min_messages = error;
SELECT count(*) AS rows, count(*) FILTER (WHERE i IS DISTINCT FROM t) AS running_differ,
       count(DISTINCT i) AS running_values
FROM (SELECT (kam.retention_agg(a, at, mrr, '2024-06-01', '2024-12-01') OVER w)::text AS i,
             (kam.retention_agg(a::text, at, mrr, '2024-06-01', '2024-12-01') OVER w)::text AS t
      FROM batch_rows WINDOW w AS (ORDER BY ord ROWS UNBOUNDED PRECEDING)) x;
RESET client_min_messages;
SELECT count(DISTINCT a) AS accounts, count(*) AS rows, count(*) FILTER (WHERE a < 2500 AND m = 0) AS before_far_id
FROM wf_keys;
-- the fold's new accounts: 3 000 ids that only paid before `from` (1 976 of them bits of the
-- map, past the first 1 024 accounts), then a far id (the map goes: each bit a new account,
-- its arrays growing as they are made), then all 3 000 pay at `to`: every one reactivated,
-- as with text keys
CREATE TEMP TABLE fold_rows AS
SELECT a::int8 AS a, date '2024-01-01' AS at, 10.0 AS mrr, 1 AS ord FROM generate_series(1, 3000) a
UNION ALL SELECT 9000000000000, date '2024-06-01', 5.0, 2
UNION ALL SELECT a, date '2024-12-01', 20.0, 3 FROM generate_series(1, 3000) a
ORDER BY ord, a;
SELECT k.reactivated_accounts, k.new_accounts, k.starting_accounts,
       (k.reactivated_accounts, k.new_accounts) = (t.reactivated_accounts, t.new_accounts) AS same_as_text_keys
FROM (SELECT kam.retention_agg(a, at, mrr, '2024-06-01', '2024-12-01') AS ri,
             kam.retention_agg(a::text, at, mrr, '2024-06-01', '2024-12-01') AS rt FROM fold_rows) x,
     kam.movements(x.ri) k, kam.movements(x.rt) t;
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
SELECT test_error($q$SELECT kam.mrr_waterfall(account, 'infinity'::date, mrr) FROM wf$q$);
SELECT test_error($q$SELECT kam.cohort_retention(account, month, 'NaN'::float8) FROM wf$q$);
SELECT test_error($q$SELECT kam.cohort_retention(1, d::date, 1) FROM generate_series(date '2020-01-01', date '2026-01-01', interval '1 day') d$q$);

-- Calendars (SPEC section 7).  Billing-day snapshots with gaps: a fifth of the rows dropped,
-- every date moved to the account's billing day
CREATE TEMP TABLE billing AS
SELECT account_id, month + (account_id % 28) AS at, mrr
FROM crm.mrr_snapshots WHERE (account_id * 7 + extract(month FROM month)::int) % 5 <> 0;
-- the reference: each account's MRR on every month from the first to the last (0 where it has
-- no row), then the movements between consecutive months, in plain SQL
CREATE TEMP TABLE dense AS
WITH months AS (SELECT generate_series(date_trunc('month', min(at)), date_trunc('month', max(at)), interval '1 month')::date AS m FROM billing),
     acct AS (SELECT DISTINCT account_id FROM billing)
SELECT a.account_id, ms.m, coalesce(sum(b.mrr), 0) AS mrr
FROM acct a CROSS JOIN months ms LEFT JOIN billing b ON b.account_id = a.account_id AND date_trunc('month', b.at) = ms.m
GROUP BY 1, 2;
CREATE TEMP TABLE ref_wf AS
SELECT m AS period,
       sum(mrr) FILTER (WHERE prev_mrr = 0 AND mrr > 0 AND NOT paid_before) AS new_mrr,
       sum(mrr) FILTER (WHERE prev_mrr = 0 AND mrr > 0 AND paid_before) AS reactivation_mrr,
       sum(mrr - prev_mrr) FILTER (WHERE prev_mrr > 0 AND mrr > prev_mrr) AS expansion_mrr,
       sum(prev_mrr - mrr) FILTER (WHERE prev_mrr > 0 AND mrr > 0 AND mrr < prev_mrr) AS contraction_mrr,
       sum(prev_mrr) FILTER (WHERE prev_mrr > 0 AND mrr = 0) AS churned_mrr,
       count(*) FILTER (WHERE prev_mrr > 0 AND mrr = 0) AS churned_accounts
FROM (SELECT account_id, m, mrr, coalesce(lag(mrr) OVER w, 0) AS prev_mrr,
             coalesce(bool_or(mrr > 0) OVER (PARTITION BY account_id ORDER BY m ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING), false) AS paid_before
      FROM dense WINDOW w AS (PARTITION BY account_id ORDER BY m)) x
GROUP BY m;
CREATE TEMP TABLE kam_wf AS SELECT w.* FROM (SELECT kam.mrr_waterfall(account_id, at, mrr, 'month') AS wf FROM billing) s, unnest(s.wf) w;
SELECT count(*) AS periods, min(period) AS first, max(period) AS last,
       count(*) FILTER (WHERE k.period IS NULL OR r.period IS NULL
                           OR abs(coalesce(r.new_mrr, 0) - k.new_mrr) > 1e-6 OR abs(coalesce(r.reactivation_mrr, 0) - k.reactivation_mrr) > 1e-6
                           OR abs(coalesce(r.expansion_mrr, 0) - k.expansion_mrr) > 1e-6 OR abs(coalesce(r.contraction_mrr, 0) - k.contraction_mrr) > 1e-6
                           OR abs(coalesce(r.churned_mrr, 0) - k.churned_mrr) > 1e-6 OR r.churned_accounts <> k.churned_accounts) AS differ,
       sum(k.churned_mrr) > 0 AS churn_booked
FROM kam_wf k FULL JOIN ref_wf r USING (period);
-- every row reconciles: starting + new + reactivation + expansion - contraction - churned = ending
SELECT count(*) FILTER (WHERE abs(starting_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr - ending_mrr) > 1e-6) AS not_reconciling
FROM kam_wf;
-- a month with no row at all is still a period (the grain's calendar)
SELECT count(*) AS periods, count(*) FILTER (WHERE starting_accounts = 0 AND new_accounts = 0 AND ending_accounts = 0) AS empty_months
FROM unnest((SELECT kam.mrr_waterfall(k, at, m, 'month') FROM (VALUES (1, DATE '2024-01-10', 100.0), (1, '2024-04-10', 50)) v(k, at, m))) w;
-- per-account waterfalls on one calendar ("from", "to") add up to the company's: what a
-- Citus cluster computes when it groups by the distribution column (docs/citus.md)
CREATE TEMP TABLE company AS
SELECT w.* FROM unnest((SELECT kam.mrr_waterfall(account_id, at, mrr, 'month', '2023-03-01', '2024-10-01') FROM billing)) w;
CREATE TEMP TABLE per_account AS
SELECT w.period, sum(w.starting_mrr) AS starting_mrr, sum(w.new_mrr) AS new_mrr, sum(w.reactivation_mrr) AS reactivation_mrr,
       sum(w.expansion_mrr) AS expansion_mrr, sum(w.contraction_mrr) AS contraction_mrr, sum(w.churned_mrr) AS churned_mrr,
       sum(w.ending_mrr) AS ending_mrr, sum(w.starting_accounts) AS starting_accounts, sum(w.churned_accounts) AS churned_accounts
FROM (SELECT kam.mrr_waterfall(account_id, at, mrr, 'month', '2023-03-01', '2024-10-01') AS wf FROM billing GROUP BY account_id) s, unnest(s.wf) w
GROUP BY w.period;
SELECT count(*) AS periods, min(c.period) AS first, min(c.previous_period) AS first_previous,
       count(*) FILTER (WHERE abs(c.starting_mrr - p.starting_mrr) > 1e-6 OR abs(c.new_mrr - p.new_mrr) > 1e-6
                           OR abs(c.reactivation_mrr - p.reactivation_mrr) > 1e-6 OR abs(c.expansion_mrr - p.expansion_mrr) > 1e-6
                           OR abs(c.contraction_mrr - p.contraction_mrr) > 1e-6 OR abs(c.churned_mrr - p.churned_mrr) > 1e-6
                           OR c.starting_accounts <> p.starting_accounts OR c.churned_accounts <> p.churned_accounts) AS differ,
       sum(c.churned_mrr) > 0 AS churn_booked, bool_and(c.starting_mrr > 0) AS first_row_has_a_start
FROM company c JOIN per_account p USING (period);
-- the same for cohort tables
CREATE TEMP TABLE company_cohorts AS
SELECT c.* FROM unnest((SELECT kam.cohort_retention(account_id, at, mrr, 'month', '2023-03-01', '2024-10-01') FROM billing)) c;
SELECT count(*) AS cells,
       count(*) FILTER (WHERE p.cohort IS NULL OR c.retained_accounts <> p.retained_accounts OR abs(c.retained_mrr - p.retained_mrr) > 1e-6) AS differ
FROM company_cohorts c
LEFT JOIN (SELECT x.cohort, x.period, sum(x.retained_accounts) AS retained_accounts, sum(x.retained_mrr) AS retained_mrr
           FROM (SELECT kam.cohort_retention(account_id, at, mrr, 'month', '2023-03-01', '2024-10-01') AS co FROM billing GROUP BY account_id) s, unnest(s.co) x
           GROUP BY 1, 2) p USING (cohort, period);
-- contract intervals: the interval forms equal the snapshot forms over the same contracts'
-- monthly MRR (kam.mrr_schedule, anchor start)
CREATE TEMP TABLE contracts AS
SELECT g AS id, 1 + g % 40 AS account_id, DATE '2023-01-01' + (g * 37 % 600) AS valid_from,
       CASE WHEN g % 4 = 0 THEN NULL ELSE DATE '2023-01-01' + (g * 37 % 600) + 30 + (g * 11 % 400) END AS valid_to,
       (10 + g % 90)::numeric AS mrr
FROM generate_series(1, 200) g;
SELECT (SELECT kam.mrr_waterfall(account_id, valid_from, valid_to, mrr, 'month', '2023-01-01', '2025-06-01') FROM contracts)::text
       = (SELECT kam.mrr_waterfall(c.account_id, s.at, s.mrr, 'month', '2023-01-01', '2025-06-01')
          FROM contracts c, kam.mrr_schedule(c.valid_from, c.valid_to, c.mrr, 'month', 1, '2023-01-01', '2025-06-01') s)::text AS interval_waterfall_equal,
       (SELECT kam.cohort_retention(account_id, valid_from, valid_to, mrr, 'month', '2023-01-01', '2025-06-01') FROM contracts)::text
       = (SELECT kam.cohort_retention(c.account_id, s.at, s.mrr, 'month', '2023-01-01', '2025-06-01')
          FROM contracts c, kam.mrr_schedule(c.valid_from, c.valid_to, c.mrr, 'month', 1, '2023-01-01', '2025-06-01') s)::text AS interval_cohort_equal;
-- without a range, an open-ended interval runs to the last period of the input
SELECT count(*) AS periods, max(period) AS last, sum(churned_mrr) AS churned
FROM unnest((SELECT kam.mrr_waterfall(k, vf, vt, m, 'month') FROM (VALUES (1, DATE '2024-01-15', DATE '2024-03-15', 100.0), (2, '2024-02-01', NULL, 40)) v(k, vf, vt, m))) w;
-- timestamps where dates are
SELECT (SELECT kam.mrr_waterfall(account_id, at::timestamptz, mrr, 'month') FROM billing)::text
       = (SELECT kam.mrr_waterfall(account_id, at, mrr, 'month') FROM billing)::text AS timestamptz_same;
-- placing each account's points together (rows in any order): blocks of accounts counted
-- by date (dense, and deep's small accounts), a block whose dates span too far for that
-- (wide), a block past its buffer (deep's account of 72 000 rows) give, per shape and in
-- every form (amounts only, the rate form's wider points, records), what the same rows in
-- account order give (already grouped, not placed); the amounts are whole, so every sum
-- is exact
CREATE TEMP TABLE place_rows AS
SELECT 'dense' AS shape, a, (date '2023-01-01' + make_interval(months => m))::date AS at,
       (a % 97 + m)::float8 AS v, 1 + (a % 3) * 0.25 AS rate
FROM generate_series(1, 3000) a, generate_series(0, 23) m WHERE (a * m) % 5 <> 1
UNION ALL
SELECT 'wide', a, (date '1990-01-01' + make_interval(months => 400 * m + a % 12))::date, (a % 89 + m)::float8, 1.5
FROM generate_series(1, 3000) a, generate_series(0, 2) m WHERE (a + m) % 4 <> 0
UNION ALL
SELECT 'deep', CASE WHEN k <= 36 THEN 1 ELSE k END, date '2020-01-01' + d, (k + d % 11)::float8, 1 + (d % 2) * 0.5
FROM generate_series(1, 40) k, generate_series(0, 1999) d;
CREATE TEMP TABLE place_grouped AS SELECT * FROM place_rows ORDER BY shape, a, at;
CREATE TEMP TABLE place_any AS SELECT * FROM place_rows ORDER BY random();
SELECT shape, count(*) AS rows, count(DISTINCT a) AS accounts, max(at) - min(at) AS days,
       (SELECT kam.mrr_waterfall(a, at, v)::text FROM place_grouped g WHERE g.shape = s.shape)
       = (SELECT kam.mrr_waterfall(a, at, v)::text FROM place_any g WHERE g.shape = s.shape) AS waterfall_same,
       (SELECT kam.mrr_waterfall(a, at, v, rate)::text FROM place_grouped g WHERE g.shape = s.shape)
       = (SELECT kam.mrr_waterfall(a, at, v, rate)::text FROM place_any g WHERE g.shape = s.shape) AS rates_same,
       (SELECT kam.survival_agg(a, at, at + 20, '2026-01-01', 10)::text FROM place_grouped g WHERE g.shape = s.shape)
       = (SELECT kam.survival_agg(a, at, at + 20, '2026-01-01', 10)::text FROM place_any g WHERE g.shape = s.shape) AS records_same,
       (SELECT string_agg(x::text, ',' ORDER BY x.account) FROM unnest((SELECT kam.rfm_accounts(a, at, v, '2026-01-01'::date, '1 day')
                                                                      FROM place_grouped g WHERE g.shape = s.shape)) x)
       = (SELECT string_agg(x::text, ',' ORDER BY x.account) FROM unnest((SELECT kam.rfm_accounts(a, at, v, '2026-01-01'::date, '1 day')
                                                                        FROM place_any g WHERE g.shape = s.shape)) x) AS rfm_same
FROM place_rows s GROUP BY shape ORDER BY shape;
-- a batch of points naming their account by its slot of the direct map begins after a point
-- named by its number: a row whose slot is that number, on the same date, is another account
-- and must not add up there.  Keys 1024 down to 1 come first (key k numbered 1024 - k, its
-- slot k - 1), then pairs k, 1025 - k on one date (the second's slot the first's number), every
-- account once a date, 180 000 rows: batches end all along; the same rows in account order
-- give the reference
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE slot_rows AS
SELECT n, a, date '2000-01-01' + d AS at, ((a * 7 + d) % 50 + 1)::float8 AS v
FROM (SELECT k AS n, 1025 - k AS a, 0 AS d FROM generate_series(1, 1024) k
      UNION ALL
      SELECT 1024 + 2 * i + s, CASE WHEN s = 0 THEN 1 + i % 512 ELSE 1024 - i % 512 END, 1 + i / 512
      FROM generate_series(0, 89999) i, generate_series(0, 1) s) x;
CREATE TEMP TABLE slot_in_order AS SELECT a, at, v FROM slot_rows ORDER BY n;
CREATE TEMP TABLE slot_by_account AS SELECT a, at, v FROM slot_rows ORDER BY a, at;
SELECT count(*) AS rows, count(DISTINCT (a, at)) AS points,
       (SELECT kam.mrr_waterfall(a, at, v)::text FROM slot_in_order)
       = (SELECT kam.mrr_waterfall(a, at, v)::text FROM slot_by_account) AS waterfall_same,
       (SELECT string_agg(x::text, ',' ORDER BY x.account) FROM unnest((SELECT kam.rfm_accounts(a, at, v, '2002-01-01'::date, '1 day') FROM slot_in_order)) x)
       = (SELECT string_agg(x::text, ',' ORDER BY x.account) FROM unnest((SELECT kam.rfm_accounts(a, at, v, '2002-01-01'::date, '1 day') FROM slot_by_account)) x) AS rfm_same
FROM slot_rows;
-- integer keys in the hash (too sparse for the direct map) wait with their key in batches of
-- 64 once 4 096 accounts are in it, the hash's buckets fetched meanwhile: records
-- (per-account survival) at once, histories once the latest points are off (after 65 536
-- rows), a row of the key and date of the point before it adding up there; the window's
-- rows at `from` or `to` and those before `from` that mark paid before. 12 000 accounts,
-- 8 months, one account in 100 with two rows a month, in month order: the same results as
-- text keys (never batched) to the last bit, for sparse keys and for dense ones (the map from
-- the 1 024th account, no batch)
CREATE TEMP TABLE hashed_rows AS
SELECT f.form, CASE f.form WHEN 'sparse' THEN a::int8 * 1000003 ELSE a END AS k,
       (date '2023-01-01' + make_interval(months => m))::date AS at, ((a * 7919 + r) % 500 + m)::float8 AS v
FROM (VALUES ('dense'), ('sparse')) f(form), generate_series(0, 7) m, generate_series(1, 12000) a,
     generate_series(1, 1 + (a % 100 = 0)::int) r
ORDER BY f.form, m, a, r;
SELECT form, count(*) AS rows, count(DISTINCT k) AS accounts,
       (SELECT kam.mrr_waterfall(k, at, v)::text FROM hashed_rows h WHERE h.form = f.form)
       = (SELECT kam.mrr_waterfall(k::text, at, v)::text FROM hashed_rows h WHERE h.form = f.form) AS waterfall_same,
       (SELECT kam.cohort_retention(k, at, v)::text FROM hashed_rows h WHERE h.form = f.form)
       = (SELECT kam.cohort_retention(k::text, at, v)::text FROM hashed_rows h WHERE h.form = f.form) AS cohorts_same,
       (SELECT kam.survival_agg(k, at, at + (k % 4)::int * 70, '2023-12-01', 10)::text FROM hashed_rows h WHERE h.form = f.form)
       = (SELECT kam.survival_agg(k::text, at, at + (k % 4)::int * 70, '2023-12-01', 10)::text FROM hashed_rows h WHERE h.form = f.form) AS records_same,
       (SELECT string_agg(x::text, ',' ORDER BY x.account) FROM unnest((SELECT kam.rfm_accounts(k, at, v, '2024-01-01'::date, '1 day')
                                                                      FROM hashed_rows h WHERE h.form = f.form)) x)
       = (SELECT string_agg(x::text, ',' ORDER BY x.account) FROM unnest((SELECT kam.rfm_accounts(k::text, at, v, '2024-01-01'::date, '1 day')
                                                                        FROM hashed_rows h WHERE h.form = f.form)) x) AS rfm_same,
       (SELECT kam.retention_agg(k, at, v, '2023-03-01', '2023-07-01')::text FROM hashed_rows h WHERE h.form = f.form)
       = (SELECT kam.retention_agg(k::text, at, v, '2023-03-01', '2023-07-01')::text FROM hashed_rows h WHERE h.form = f.form) AS window_same
FROM hashed_rows f GROUP BY form ORDER BY form;
-- the direct map in pages of 1 024 slots, a page only where keys are: 15 000 keys in five
-- bands 100 000 apart (a + 100 000 c, a = 1..3 000, c = 0..4), 5 % of their span. The map
-- takes over at 4 096 accounts (the range within 128 slots an account, its pages within 16)
-- with the bands' rows interleaved ('bands'); with the top band's rows first ('down') it
-- takes the top band at 1 024 accounts and grows down a band at a time, its pages and the
-- marks of keys paid before `from` moved with it. 'over': 1 500 dense keys and 190 000, then
-- 180 keys a page apart within that range and 1 500 dense keys more; the 180 take pages past
-- 16 slots an account, and the accounts go back to the hash at the end of that batch. Each
-- against text keys
CREATE TEMP TABLE paged_rows AS
SELECT row_number() OVER (ORDER BY form, o1, o2, o3) AS ord, form, k, at, v
FROM (SELECT f.form, a + 100000 * c AS k, (date '2023-01-01' + make_interval(months => m))::date AS at,
             ((a * 7919 + c) % 500 + m)::float8 AS v,
             CASE f.form WHEN 'bands' THEN 0 ELSE -c END AS o1, m AS o2, a * 5 + c AS o3
      FROM (VALUES ('bands'), ('down')) f(form), generate_series(0, 7) m, generate_series(1, 3000) a,
           generate_series(0, 4) c
      WHERE (a + c + m) % 9 <> 0
      UNION ALL
      SELECT 'over', k, (date '2023-01-01' + make_interval(months => m))::date, (k % 300 + m)::float8, p, k, m
      FROM (SELECT 0 AS p, 190000 AS k UNION ALL SELECT 0, k FROM generate_series(1, 1500) k
            UNION ALL SELECT 1, 1600 + 1024 * j FROM generate_series(1, 180) j
            UNION ALL SELECT 2, k FROM generate_series(1501, 3000) k) x, generate_series(0, 7) m
      WHERE (k + m) % 7 <> 0) r;
SELECT form, count(*) AS rows, count(DISTINCT k) AS accounts,
       (SELECT kam.mrr_waterfall(k, at, v)::text FROM (SELECT * FROM paged_rows h WHERE h.form = f.form ORDER BY ord) h)
       = (SELECT kam.mrr_waterfall(k::text, at, v)::text FROM (SELECT * FROM paged_rows h WHERE h.form = f.form ORDER BY ord) h) AS waterfall_same,
       (SELECT kam.cohort_retention(k, at, v)::text FROM (SELECT * FROM paged_rows h WHERE h.form = f.form ORDER BY ord) h)
       = (SELECT kam.cohort_retention(k::text, at, v)::text FROM (SELECT * FROM paged_rows h WHERE h.form = f.form ORDER BY ord) h) AS cohorts_same,
       (SELECT kam.survival_agg(k, at, at + (k % 4) * 70, '2023-12-01', 10)::text FROM (SELECT * FROM paged_rows h WHERE h.form = f.form ORDER BY ord) h)
       = (SELECT kam.survival_agg(k::text, at, at + (k % 4) * 70, '2023-12-01', 10)::text FROM (SELECT * FROM paged_rows h WHERE h.form = f.form ORDER BY ord) h) AS records_same,
       (SELECT kam.retention_agg(k, at, v, '2023-03-01', '2023-07-01')::text FROM (SELECT * FROM paged_rows h WHERE h.form = f.form ORDER BY ord) h)
       = (SELECT kam.retention_agg(k::text, at, v, '2023-03-01', '2023-07-01')::text FROM (SELECT * FROM paged_rows h WHERE h.form = f.form ORDER BY ord) h) AS window_same,
       (SELECT kam.retention_agg(k, at, v, '2023-03-01', '2023-07-01')::text FROM (SELECT * FROM paged_rows h WHERE h.form = f.form ORDER BY ord) h) AS r
FROM paged_rows f GROUP BY form ORDER BY form;
-- dense ids at either end of int8: the map's range stops at the largest key as it grows up
-- (ids ascending to it) and at the smallest as it grows down (ids descending to it)
CREATE TEMP TABLE edge_rows AS
SELECT row_number() OVER () AS ord, k, (date '2023-01-01' + make_interval(months => m))::date AS at, (m + 1)::float8 * 10 AS v
FROM (SELECT 9223372036854775807 - i AS k FROM generate_series(6000, 0, -1) i
      UNION ALL SELECT -9223372036854775808 + i FROM generate_series(6000, 0, -1) i) x, generate_series(0, 3) m;
SELECT (SELECT kam.mrr_waterfall(k, at, v)::text FROM (SELECT * FROM edge_rows WHERE k > 0 ORDER BY ord) h)
       = (SELECT kam.mrr_waterfall(k::text, at, v)::text FROM (SELECT * FROM edge_rows WHERE k > 0 ORDER BY ord) h) AS top_same,
       (SELECT kam.mrr_waterfall(k, at, v)::text FROM (SELECT * FROM edge_rows WHERE k < 0 ORDER BY ord) h)
       = (SELECT kam.mrr_waterfall(k::text, at, v)::text FROM (SELECT * FROM edge_rows WHERE k < 0 ORDER BY ord) h) AS bottom_same,
       (SELECT kam.retention_agg(k, at, v, '2023-02-01', '2023-04-01')::text FROM (SELECT * FROM edge_rows WHERE k > 0 ORDER BY ord) h)
       = (SELECT kam.retention_agg(k::text, at, v, '2023-02-01', '2023-04-01')::text FROM (SELECT * FROM edge_rows WHERE k > 0 ORDER BY ord) h) AS top_window,
       (SELECT kam.retention_agg(k, at, v, '2023-02-01', '2023-04-01')::text FROM (SELECT * FROM edge_rows WHERE k < 0 ORDER BY ord) h)
       = (SELECT kam.retention_agg(k::text, at, v, '2023-02-01', '2023-04-01')::text FROM (SELECT * FROM edge_rows WHERE k < 0 ORDER BY ord) h) AS bottom_window,
       (SELECT kam.survival_agg(k, at, at + 30, '2023-12-01', 10)::text FROM (SELECT * FROM edge_rows WHERE k > 0 ORDER BY ord) h)
       = (SELECT kam.survival_agg(k::text, at, at + 30, '2023-12-01', 10)::text FROM (SELECT * FROM edge_rows WHERE k > 0 ORDER BY ord) h) AS top_records,
       (SELECT cardinality(kam.mrr_waterfall(k, at, v)) FROM edge_rows) AS periods;
-- the map may take over later, inside a batch: 8 200 keys spread over 196 600 ids (key i is
-- 1 + 7 919 i mod 196 600), too sparse for the map at 1 024, 2 048 and 4 096 accounts and
-- dense enough at 8 192. A third of the keys pay at `to` only, a third at `from`, a third
-- before `from` (a mark), 301 of those marked while rows wait in batches returning at `to`
-- (reactivated); 29 repeated rows of one account then put the 8 192nd account ten rows into
-- the last batch, which the final's flush numbers: the rows after it go in again as they came
-- and are added (or marked) before the final reads them. Per-account survival and the
-- snapshot form against text keys
CREATE TEMP TABLE takeover_rows AS
SELECT row_number() OVER (ORDER BY part, i) AS ord, 1 + (i * 7919) % 196600 AS a,
       CASE WHEN part = 1 THEN date '2024-12-01'
            ELSE (ARRAY[date '2024-01-01', '2024-06-01', '2024-12-01'])[1 + i % 3] END AS at,
       (i % 7 + 1) * 10.01 AS mrr
FROM (SELECT 0 AS part, i FROM generate_series(0, 4999) i
      UNION ALL SELECT 1, i FROM generate_series(4098, 4998, 3) i
      UNION ALL SELECT 2, 4999 FROM generate_series(1, 29)
      UNION ALL SELECT 3, i FROM generate_series(5000, 8199) i) r;
SELECT count(*) AS rows, count(DISTINCT a) AS accounts, max(a) - min(a) + 1 AS span,
       (SELECT kam.survival_agg(a, at, at + (a % 5) * 30, '2024-12-01', 10)::text FROM (SELECT * FROM takeover_rows ORDER BY ord) x)
       = (SELECT kam.survival_agg(a::text, at, at + (a % 5) * 30, '2024-12-01', 10)::text FROM (SELECT * FROM takeover_rows ORDER BY ord) x) AS records_same,
       (SELECT kam.retention_agg(a, at, mrr, '2024-06-01', '2024-12-01')::text FROM (SELECT * FROM takeover_rows ORDER BY ord) x)
       = (SELECT kam.retention_agg(a::text, at, mrr, '2024-06-01', '2024-12-01')::text FROM (SELECT * FROM takeover_rows ORDER BY ord) x) AS window_same,
       (SELECT kam.retention_agg(a, at, mrr, '2024-06-01', '2024-12-01')::text FROM (SELECT * FROM takeover_rows ORDER BY ord) x) AS r
FROM takeover_rows;
RESET max_parallel_workers_per_gather;
-- keys other than integers (text, uuid, numeric, float8: every account in the hash) wait in
-- batches of 64 once there are 4 096 accounts, a copy of each by-reference key with its row (8 kB
-- of copies at most: keys of 200 bytes fill them before 64 rows; a key longer than 8 kB does not
-- wait, and the rows before it go in first). Text and uuid keys compare by their bytes; numeric
-- (5 = 5.00) and float8 (0 = -0) through their equality. 6 000 accounts over 8 months, rows in a
-- scrambled order; each form against dense bigint ids in the same order, to the last bit: the
-- waterfall, the cohort table, movements (rows before `from` only mark accounts) and
-- per-account survival. The control merges two accounts: it must differ
CREATE TEMP TABLE other_keys AS
SELECT row_number() OVER (ORDER BY md5(a::text || '/' || m)) AS ord, a::int8 AS a, m,
       (date '2024-01-01' + make_interval(months => m))::date AS at,
       ((a * 7919) % 500 + 10 * m * (a % 3) + (a % 7) * 0.01)::numeric(12, 2) AS mrr
FROM generate_series(1, 6000) a, generate_series(0, 7) m WHERE (a + m) % 9 <> 0;
CREATE TEMP VIEW other_key_forms AS
SELECT ord, a, at, mrr, 'acct-' || a AS short_text, repeat('k', 200) || a AS long_text,
       CASE WHEN a % 97 = 0 THEN repeat('z', 9000) || a ELSE 'acct-' || a END AS some_huge,
       md5(a::text)::uuid AS uuid_key,
       CASE WHEN ord % 2 = 0 THEN a::numeric ELSE a::numeric(20, 2) END AS numeric_key,
       CASE WHEN a = 3000 AND ord % 2 = 0 THEN '-0'::float8 ELSE (a - 3000)::float8 END AS float_key,
       CASE WHEN a = 6000 THEN 'acct-1' ELSE 'acct-' || a END AS control
FROM other_keys;
CREATE FUNCTION other_key_result(agg text, key text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    EXECUTE format('SELECT (%s)::text FROM (SELECT * FROM other_key_forms ORDER BY ord) x',
                   replace(agg, 'KEY', key)) INTO r;
    RETURN r;
END $$;
SELECT f.name, k.key, other_key_result(f.agg, k.key) = other_key_result(f.agg, 'a') AS same
FROM (VALUES ('waterfall', 'kam.mrr_waterfall(KEY, at, mrr)'),
             ('cohort', 'kam.cohort_retention(KEY, at, mrr)'),
             ('movements', $$kam.retention_agg(KEY, at, mrr, '2024-04-01', '2024-07-01')$$),
             ('survival', $$kam.survival_agg(KEY, at, at + (a % 5)::int * 30, '2024-12-01', 10)$$)) f(name, agg),
     unnest(ARRAY['short_text', 'long_text', 'some_huge', 'uuid_key', 'numeric_key', 'float_key', 'control']) k(key)
ORDER BY 1, 2;
SELECT count(*) AS rows, count(DISTINCT a) AS accounts, count(*) FILTER (WHERE a % 97 = 0) AS huge_key_rows,
       (SELECT ending_accounts FROM kam.movements((SELECT kam.retention_agg(uuid_key, at, mrr, '2024-04-01', '2024-07-01') FROM other_key_forms))) AS uuid_ending
FROM other_keys;
-- errors
SELECT test_error($q$SELECT kam.mrr_waterfall(account_id, at, mrr, 'fortnight') FROM billing$q$);
SELECT test_error($q$SELECT kam.mrr_waterfall(account_id, at, mrr, 'month', '2024-05-01', '2024-01-01') FROM billing$q$);
SELECT test_error($q$SELECT kam.mrr_waterfall(account_id, at, mrr, 'month', NULL::date, '2024-01-01') FROM billing$q$);
SELECT test_error($q$SELECT kam.mrr_waterfall(account_id, at, mrr, 'day', '1000-01-01', '5000-01-01') FROM billing$q$);
SELECT test_error($q$SELECT kam.cohort_retention(account_id, at, mrr, 'day', '2020-01-01', '2030-01-01') FROM billing$q$);
SELECT test_error($q$SELECT kam.mrr_waterfall(k, vf, vt, m, 'month') FROM (VALUES (1, DATE '2024-03-01', DATE '2024-01-01', 10.0)) v(k, vf, vt, m)$q$);
SELECT test_error($q$SELECT kam.mrr_waterfall(k, at, m, 'month') FROM (VALUES (1, DATE '2024-03-01', 10.0), (1, '2024-03-20', -25)) v(k, at, m)$q$);
