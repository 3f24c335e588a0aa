-- kam.retention_agg over snapshots and contract intervals.
-- Hand-worked example (docs/retention.md): window 2024-01-01 -> 2024-03-01.
CREATE TABLE snap (account text, month date, mrr numeric);
INSERT INTO snap VALUES
  ('A', '2024-01-01', 100), ('A', '2024-02-01', 100), ('A', '2024-03-01', 150),  -- expansion 50
  ('B', '2024-01-01', 120), ('B', '2024-01-01', 80),  ('B', '2024-03-01', 100),  -- two rows summed; contraction 100
  ('C', '2024-01-01', 50),                                                      -- stops having rows: churned 50
  ('D', '2023-11-01', 70),  ('D', '2024-03-01', 90),                            -- paid before: reactivation 90
  ('E', '2024-03-01', 40),                                                      -- new 40
  ('F', '2024-02-01', 30),                                                      -- joins and leaves inside: nothing
  ('G', '2024-04-01', 500),                                                     -- after the window: nothing
  ('H', '2024-01-01', 0),   ('H', '2024-03-01', 0),                             -- zero rows: nothing
  (NULL, '2024-01-01', 999), ('I', NULL, 999), ('J', '2024-01-01', NULL);       -- NULLs skipped

SELECT kam.retention_agg(account, month, mrr, '2024-01-01', '2024-03-01') FROM snap;
SELECT m.* FROM (SELECT kam.retention_agg(account, month, mrr, '2024-01-01', '2024-03-01') r FROM snap) x,
     kam.movements(x.r) m;
-- by hand: starting 350 (3 accounts), NRR 250/350, GRR 200/350, ending 380
SELECT kam.nrr(r) = 250.0 / 350 AS nrr_ok, kam.grr(r) = 200.0 / 350 AS grr_ok,
       kam.logo_churn_rate(r) = 1.0 / 3 AS logo_ok, (kam.movements(r)).ending_mrr = 380 AS ending_ok
FROM (SELECT kam.retention_agg(account, month, mrr, '2024-01-01', '2024-03-01') r FROM snap) x;

-- the same accounts as contract intervals (valid_from <= t < valid_to)
CREATE TABLE contracts (account text, valid_from date, valid_to date, mrr numeric);
INSERT INTO contracts VALUES
  ('A', '2023-12-15', '2024-02-15', 100), ('A', '2024-02-15', NULL, 150),          -- upgrade, open-ended
  ('B', '2024-01-01', '2024-03-01', 120),                                         -- ends exactly at `to`: not counted there
  ('B', '2023-10-01', NULL, 80), ('B', '2024-03-01', '2024-06-01', 20),            -- several subscriptions
  ('C', '2023-06-01', '2024-02-01', 50),                                          -- cancelled
  ('D', '2023-09-01', '2023-12-01', 70), ('D', '2024-02-20', NULL, 90),            -- came back
  ('E', '2024-03-01', '2024-04-01', 40),                                          -- new at `to`
  ('F', '2024-01-10', '2024-02-20', 30),                                          -- inside the window only
  ('G', '2024-04-01', NULL, 500),                                                 -- after
  ('H', '2024-01-01', '2024-01-01', 999),                                         -- empty interval
  (NULL, '2024-01-01', NULL, 1), ('K', NULL, NULL, 1), ('L', '2024-01-01', NULL, NULL);
SELECT kam.retention_agg(account, valid_from, valid_to, mrr, '2024-01-01', '2024-03-01') FROM contracts;
SELECT (SELECT kam.retention_agg(account, valid_from, valid_to, mrr, '2024-01-01', '2024-03-01')::text FROM contracts)
     = (SELECT kam.retention_agg(account, month, mrr, '2024-01-01', '2024-03-01')::text FROM snap) AS intervals_match_snapshots;

-- from = to: nothing moves
SELECT kam.retention_agg(account, month, mrr, '2024-03-01', '2024-03-01') FROM snap;
-- empty input and all-NULL input give NULL
SELECT kam.retention_agg(account, month, mrr, '2024-01-01', '2024-03-01') IS NULL AS empty FROM snap WHERE false;
SELECT kam.retention_agg(account, month, mrr, '2024-01-01', '2024-03-01') IS NULL AS all_null FROM snap WHERE account IS NULL;
SELECT kam.nrr(kam.retention_agg(account, month, mrr, '2024-01-01', '2024-03-01')) AS nrr_no_start
FROM snap WHERE account = 'E';

-- the sample CRM: snapshot form = interval form = plain SQL, for every metric
CREATE VIEW plain_movements AS
WITH per_account AS (
    SELECT account_id,
           coalesce(sum(mrr) FILTER (WHERE month = '2023-07-01'), 0) AS s,
           coalesce(sum(mrr) FILTER (WHERE month = '2024-07-01'), 0) AS e,
           coalesce(bool_or(month < '2023-07-01' AND mrr > 0), false) AS paid_before
    FROM crm.mrr_snapshots GROUP BY account_id)
SELECT coalesce(sum(s) FILTER (WHERE s > 0), 0) AS starting_mrr,
       coalesce(sum(e) FILTER (WHERE s = 0 AND e > 0 AND NOT paid_before), 0) AS new_mrr,
       coalesce(sum(e) FILTER (WHERE s = 0 AND e > 0 AND paid_before), 0) AS reactivation_mrr,
       coalesce(sum(e - s) FILTER (WHERE s > 0 AND e > s), 0) AS expansion_mrr,
       coalesce(sum(s - e) FILTER (WHERE s > 0 AND e > 0 AND e < s), 0) AS contraction_mrr,
       coalesce(sum(s) FILTER (WHERE s > 0 AND e = 0), 0) AS churned_mrr,
       sum(e) AS ending_mrr,
       count(*) FILTER (WHERE s > 0) AS starting_accounts,
       count(*) FILTER (WHERE s = 0 AND e > 0 AND NOT paid_before) AS new_accounts,
       count(*) FILTER (WHERE s = 0 AND e > 0 AND paid_before) AS reactivated_accounts,
       count(*) FILTER (WHERE s > 0 AND e > s) AS expanded_accounts,
       count(*) FILTER (WHERE s > 0 AND e > 0 AND e < s) AS contracted_accounts,
       count(*) FILTER (WHERE s > 0 AND e = 0) AS churned_accounts,
       count(*) FILTER (WHERE e > 0) AS ending_accounts,
       (sum(s) FILTER (WHERE s > 0) + coalesce(sum(e - s) FILTER (WHERE s > 0 AND e > s), 0)
         - coalesce(sum(s - e) FILTER (WHERE s > 0 AND e < s), 0)) / sum(s) FILTER (WHERE s > 0) AS nrr,
       (sum(s) FILTER (WHERE s > 0) - coalesce(sum(s - e) FILTER (WHERE s > 0 AND e < s), 0))
         / sum(s) FILTER (WHERE s > 0) AS grr,
       (count(*) FILTER (WHERE s > 0 AND e = 0))::numeric / count(*) FILTER (WHERE s > 0) AS logo_churn,
       (coalesce(sum(e) FILTER (WHERE s = 0 AND e > 0), 0) + coalesce(sum(e - s) FILTER (WHERE s > 0 AND e > s), 0))
         / nullif(coalesce(sum(s - e) FILTER (WHERE s > 0 AND e < s), 0), 0) AS quick_ratio
FROM per_account;
SELECT * FROM plain_movements;

CREATE TABLE kam_snap AS
SELECT kam.retention_agg(account_id, month, mrr, '2023-07-01', '2024-07-01') AS r FROM crm.mrr_snapshots;
CREATE TABLE kam_int AS
SELECT kam.retention_agg(account_id, valid_from, valid_to, mrr, '2023-07-01', '2024-07-01') AS r FROM crm.subscriptions;
SELECT (SELECT r::text FROM kam_snap) = (SELECT r::text FROM kam_int) AS interval_form_equals_snapshot_form;
-- integer accounts batch their rows at `from` and `to` once the direct map is there (from the
-- 1 025th account), text ones never: the same accounts in the same order, so the same results
-- to the last bit; 3 000 accounts' contracts in a shuffled order, some open-ended
CREATE TEMP TABLE batch_subs AS
SELECT a AS account_id, date '2023-01-01' + (a % 400) AS valid_from,
       CASE WHEN a % 3 = 0 THEN NULL ELSE date '2023-09-01' + (a % 600) END AS valid_to,
       (a % 11) * 9.99 AS mrr
FROM generate_series(1, 3000) a ORDER BY (a * 7919) % 3001;
SELECT r.starting_accounts > 1024 AS past_the_map, r.churned_accounts > 0 AS some_churn, i = t AS interval_form_batched_same
FROM (SELECT kam.retention_agg(account_id, valid_from, valid_to, mrr, '2023-07-01', '2024-07-01')::text AS i,
             kam.retention_agg(account_id::text, valid_from, valid_to, mrr, '2023-07-01', '2024-07-01')::text AS t,
             kam.retention_agg(account_id, valid_from, valid_to, mrr, '2023-07-01', '2024-07-01') AS rr
      FROM batch_subs) x, kam.movements(x.rr) r;
SELECT round(k.starting_mrr::numeric, 2) = p.starting_mrr AS starting,
       round(k.new_mrr::numeric, 2) = p.new_mrr AS new,
       round(k.reactivation_mrr::numeric, 2) = p.reactivation_mrr AS reactivation,
       round(k.expansion_mrr::numeric, 2) = p.expansion_mrr AS expansion,
       round(k.contraction_mrr::numeric, 2) = p.contraction_mrr AS contraction,
       round(k.churned_mrr::numeric, 2) = p.churned_mrr AS churned,
       round(k.ending_mrr::numeric, 2) = p.ending_mrr AS ending,
       (k.starting_accounts, k.new_accounts, k.reactivated_accounts, k.expanded_accounts,
        k.contracted_accounts, k.churned_accounts, k.ending_accounts)
     = (p.starting_accounts, p.new_accounts, p.reactivated_accounts, p.expanded_accounts,
        p.contracted_accounts, p.churned_accounts, p.ending_accounts) AS counts,
       abs(kam.nrr(s.r) - p.nrr) < 1e-12 AS nrr,
       abs(kam.grr(s.r) - p.grr) < 1e-12 AS grr,
       abs(kam.logo_churn_rate(s.r) - p.logo_churn) < 1e-12 AS logo_churn,
       abs(kam.customer_retention_rate(s.r) - (1 - p.logo_churn)) < 1e-12 AS customer_retention,
       abs(kam.gross_mrr_churn_rate(s.r) - (1 - p.grr)) < 1e-12 AS gross_churn,
       abs(kam.net_mrr_churn_rate(s.r) - (1 - p.nrr)) < 1e-12 AS net_churn,
       abs(kam.quick_ratio(s.r) - p.quick_ratio) < 1e-12 AS quick_ratio
FROM kam_snap s, kam.movements(s.r) k, plain_movements p;
-- ending reconciles with sum(numeric) of MRR at `to`, to the cent
SELECT round((kam.movements(r)).ending_mrr::numeric, 2) = (SELECT sum(mrr) FROM crm.mrr_snapshots WHERE month = '2024-07-01')
       AS ending_is_sum_at_to FROM kam_snap;
-- account key types: integer, bigint, text and uuid give the same summary
SELECT count(DISTINCT r) AS distinct_results FROM (
    SELECT kam.retention_agg(account_id, month, mrr, '2023-07-01', '2024-07-01')::text AS r FROM crm.mrr_snapshots
    UNION ALL SELECT kam.retention_agg(account_id::bigint, month, mrr, '2023-07-01', '2024-07-01')::text FROM crm.mrr_snapshots
    UNION ALL SELECT kam.retention_agg('acct-' || account_id, month, mrr, '2023-07-01', '2024-07-01')::text FROM crm.mrr_snapshots
    UNION ALL SELECT kam.retention_agg(md5(account_id::text)::uuid, month, mrr, '2023-07-01', '2024-07-01')::text FROM crm.mrr_snapshots
) x;
-- NRR and GRR per account manager (README quick start)
SELECT m.name, round(kam.nrr(r)::numeric, 4) AS nrr, round(kam.grr(r)::numeric, 4) AS grr,
       (kam.movements(r)).starting_accounts
FROM (SELECT a.manager_id, kam.retention_agg(s.account_id, s.month, s.mrr, '2023-07-01', '2024-07-01') AS r
      FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id) GROUP BY a.manager_id) x
JOIN crm.managers m USING (manager_id) ORDER BY m.manager_id;
-- per-manager summaries roll up to the company figure
SELECT kam.rollup(r)::text = (SELECT r::text FROM kam_snap) AS rollup_equals_company
FROM (SELECT kam.retention_agg(s.account_id, s.month, s.mrr, '2023-07-01', '2024-07-01') AS r
      FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id) GROUP BY a.manager_id) x;

-- numeric MRR has its own overloads (read without numeric_float8's text round trip):
-- the same doubles as the cast, value by value
SELECT count(*) FILTER (WHERE a <> b) AS mismatches, count(*) AS values_checked FROM (
  SELECT v, kam.retention_agg(1, date '2024-01-01', v, '2024-01-01', '2024-01-01')::text AS a,
            kam.retention_agg(1, date '2024-01-01', v::float8, '2024-01-01', '2024-01-01')::text AS b
  FROM (SELECT (x * 7919 % 100000007)::numeric / 100 AS v FROM generate_series(1, 20000) x
        UNION ALL
        SELECT v FROM (VALUES (0::numeric), (0.1), (1e-7), (123456789012345.67), (99999999999999999999.99),
                              (1e25), (1e-24), (12345678.12345678), (5e-23), (4503599627370497),
                              (0.30000000000000004), (1e300)) t(v)) g
  GROUP BY v) z;
SELECT (SELECT kam.retention_agg(account_id, month, mrr::float8, '2023-07-01', '2024-07-01')::text FROM crm.mrr_snapshots)
     = (SELECT r::text FROM kam_snap) AS float8_overload_equals_numeric;
SELECT pg_typeof(mrr) AS crm_mrr_type FROM crm.mrr_snapshots LIMIT 1;

-- errors
SELECT test_error($q$SELECT kam.retention_agg(account, month, 'NaN'::numeric, '2024-01-01', '2024-03-01') FROM snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, valid_from, valid_to, -0.01::numeric, '2024-01-01', '2024-03-01') FROM contracts$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, month, mrr, '2024-03-01', '2024-01-01') FROM snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, month, mrr, '-infinity', '2024-01-01') FROM snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, month, mrr, '2024-01-01', 'infinity') FROM snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, month, mrr, month, '2024-06-01') FROM snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, month, -mrr, '2024-01-01', '2024-03-01') FROM snap WHERE mrr > 0$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, month, 'NaN'::float8, '2024-01-01', '2024-03-01') FROM snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, 'infinity'::date, mrr, '2024-01-01', '2024-03-01') FROM snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(point(1,2), month, mrr, '2024-01-01', '2024-03-01') FROM snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, valid_to, valid_from, mrr, '2024-01-01', '2024-03-01') FROM contracts WHERE valid_to > valid_from$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, valid_from, valid_to, 'Infinity'::float8, '2024-01-01', '2024-03-01') FROM contracts$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, valid_from, valid_to, mrr, '2024-03-01', '2024-01-01') FROM contracts$q$);
-- still usable after the errors
SELECT kam.nrr(kam.retention_agg(account, month, mrr, '2024-01-01', '2024-03-01')) FROM snap;

-- Snapshots dated on billing days (SPEC section 7): without a grain, a window date no row
-- has is a WARNING (every account would have MRR 0 there); with one, at, from and to are
-- truncated to it
CREATE TEMP TABLE billing_snap(account text, at date, mrr numeric);
INSERT INTO billing_snap VALUES
    ('A', '2023-12-15', 100), ('A', '2024-01-15', 100), ('A', '2024-02-15', 120),
    ('B', '2024-01-03', 50), ('B', '2024-02-03', 50),
    ('C', '2023-11-20', 80), ('C', '2024-02-20', 60),
    ('D', '2024-01-28', 40);
SELECT kam.retention_agg(account, at, mrr, '2024-01-15', '2024-02-15')::text AS exact_dates_partial_match FROM billing_snap;
SELECT kam.retention_agg(account, at, mrr, '2024-01-01', '2024-02-01')::text AS month_starts_no_match FROM billing_snap;
SELECT kam.retention_agg(account, at, mrr, '2024-01-01', '2024-02-01', 'month')::text AS grain_month FROM billing_snap;
SELECT kam.retention_agg(account, at, mrr, '2024-01-15', '2024-02-10', 'month')::text AS grain_mid_month_window FROM billing_snap;
-- the same by hand: each account's monthly total at January and February
SELECT sum(s) FILTER (WHERE s > 0) AS starting_by_hand, sum(e - s) FILTER (WHERE s > 0 AND e > s) AS expansion_by_hand,
       sum(e) FILTER (WHERE s = 0 AND e > 0 AND NOT before) AS new_by_hand, sum(e) FILTER (WHERE s = 0 AND e > 0 AND before) AS reactivation_by_hand
FROM (SELECT account, coalesce(sum(mrr) FILTER (WHERE date_trunc('month', at) = '2024-01-01'), 0) AS s,
             coalesce(sum(mrr) FILTER (WHERE date_trunc('month', at) = '2024-02-01'), 0) AS e,
             bool_or(at < '2024-01-01') AS before
      FROM billing_snap GROUP BY account) x;
-- weeks start on Monday, quarters and years on their first day
SELECT kam.retention_agg(account, at, mrr, '2024-01-17', '2024-02-14', 'week')::text AS grain_week,
       kam.retention_agg(account, at, mrr, '2023-11-01', '2024-02-29', 'quarter')::text AS grain_quarter
FROM billing_snap;
-- the interval form with a grain: from and to truncated
SELECT kam.retention_agg(k, vf, vt, m, '2024-01-20', '2024-03-05', 'month')::text AS interval_grain
FROM (VALUES ('A', DATE '2023-06-01', DATE '2024-02-15', 100.0), ('B', '2024-02-01', NULL, 40)) v(k, vf, vt, m);
-- timestamps and timestamptz where dates are (the day in the session time zone)
SELECT kam.retention_agg(account, at::timestamptz, mrr, timestamptz '2024-01-01 00:00', '2024-02-01'::timestamp, 'month')::text
       = kam.retention_agg(account, at, mrr, '2024-01-01', '2024-02-01', 'month')::text AS timestamptz_same
FROM billing_snap;
SELECT kam.retention_agg(account, at::timestamp, mrr::float8, '2024-01-15 09:30'::timestamp, '2024-02-15 23:59'::timestamp)::text AS timestamp_form
FROM billing_snap WHERE account = 'A';
SELECT kam.survival_agg(s::timestamptz, e::timestamptz, '2024-12-01 12:00'::timestamptz)::text = kam.survival_agg(s, e, '2024-12-01')::text AS survival_timestamptz
FROM (VALUES (DATE '2024-01-01', DATE '2024-03-01'), ('2024-02-01', NULL)) v(s, e);
-- credit lines: rows may be negative, an account's total may not
SELECT kam.retention_agg(k, at, m, '2024-01-01', '2024-02-01')::text AS credit_note_lowers_mrr
FROM (VALUES ('A', DATE '2024-01-01', 100.0), ('A', '2024-02-01', 100), ('A', '2024-02-01', -30),
             ('B', '2024-01-01', 0.1), ('B', '2024-01-01', 0.2), ('B', '2024-01-01', -0.3), ('B', '2024-02-01', 10)) v(k, at, m);
SELECT test_error($q$SELECT kam.retention_agg(k, at, m, '2024-01-01', '2024-02-01') FROM (VALUES ('A', DATE '2024-01-01', 10.0), ('A', '2024-01-01', -25)) v(k, at, m)$q$);
SELECT test_error($q$SELECT kam.retention_agg(k, vf, NULL::date, m, '2024-01-01', '2024-02-01') FROM (VALUES (7, DATE '2023-01-01', -5.0)) v(k, vf, m)$q$);
-- grain errors
SELECT test_error($q$SELECT kam.retention_agg(account, at, mrr, '2024-01-01', '2024-02-01', 'fortnight') FROM billing_snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, at, mrr, '2024-01-01', '2024-02-01', NULL::text) FROM billing_snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, at, mrr, '2024-01-01', '2024-02-01', CASE WHEN account = 'A' THEN 'month' ELSE 'week' END) FROM billing_snap$q$);
