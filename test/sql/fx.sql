-- Currencies (SPEC section 7): the rate forms of kam.retention_agg and kam.mrr_waterfall.
-- Movements at constant currency (an account present at the start at its start rate; new
-- and reactivated accounts at the end rate); what the rates add is the fx movement, so
-- starting + new + reactivation + expansion - contraction - churned + fx = ending.

-- hand-worked (docs/retention.md): A EUR 100 -> 100 while EUR goes 1.10 -> 1.20 USD (flat
-- at constant currency, fx +10); B USD 50 -> 60 (expansion 10); C GBP 80 new at 1.25 (100);
-- D EUR 40 churned (44); E EUR 200 -> 150 (contraction 55 at the start rate, fx +15)
CREATE TEMP TABLE fx_snap(account text, at date, mrr numeric, currency text);
INSERT INTO fx_snap VALUES
    ('A', '2024-01-01', 100, 'EUR'), ('A', '2024-02-01', 100, 'EUR'),
    ('B', '2024-01-01', 50, 'USD'), ('B', '2024-02-01', 60, 'USD'),
    ('C', '2024-02-01', 80, 'GBP'),
    ('D', '2024-01-01', 40, 'EUR'),
    ('E', '2024-01-01', 200, 'EUR'), ('E', '2024-02-01', 150, 'EUR');
CREATE TEMP TABLE fx_rates(currency text, day date, rate float8);
INSERT INTO fx_rates VALUES ('EUR', '2024-01-01', 1.10), ('EUR', '2024-02-01', 1.20), ('USD', '2024-01-01', 1), ('USD', '2024-02-01', 1),
                            ('GBP', '2024-01-01', 1.27), ('GBP', '2024-02-01', 1.25);
CREATE TEMP VIEW fx_rows AS SELECT s.*, r.rate FROM fx_snap s JOIN fx_rates r ON r.currency = s.currency AND r.day = s.at;
SELECT kam.retention_agg(account, at, mrr, rate, '2024-01-01', '2024-02-01') AS summary FROM fx_rows;
-- (rounded to 1e-9: the rates 1.10 and 1.27 are not binary fractions)
SELECT round(m.starting_mrr::numeric, 9) AS starting_mrr, m.new_mrr, m.expansion_mrr, m.contraction_mrr, m.churned_mrr,
       round(m.fx_mrr::numeric, 9) AS fx_mrr, round(m.ending_mrr::numeric, 9) AS ending_mrr,
       round(kam.nrr(r)::numeric, 4) AS nrr_constant_currency,
       (SELECT sum(mrr * rate) FROM fx_rows WHERE at = '2024-02-01') AS ending_by_hand
FROM (SELECT kam.retention_agg(account, at, mrr, rate, '2024-01-01', '2024-02-01') AS r FROM fx_rows) x, kam.movements(x.r) m;
-- the summary with fx reads back through its text and combines (fx adds up)
SELECT '(starting=424:4,new=100:1,reactivation=0:0,expansion=10:1,contraction=55:1,churned=44:1,fx=25)'::kam.retention::text AS text_round_trip,
       kam.rollup(r)::text AS rolled_up
FROM (VALUES ('(starting=424:4,new=100:1,reactivation=0:0,expansion=10:1,contraction=55:1,churned=44:1,fx=25)'::kam.retention),
             ('(starting=10:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0,fx=-2.5)')) v(r);
-- rates of 1 everywhere: the same as the form without rates, no fx
SELECT kam.retention_agg(account, at, mrr, 1, '2024-01-01', '2024-02-01')::text
       = kam.retention_agg(account, at, mrr, '2024-01-01', '2024-02-01')::text AS rate_one_is_the_plain_form
FROM fx_snap;
-- the waterfall: every row reconciles with fx, and ending is the converted MRR of its period
CREATE TEMP TABLE fx_long AS
SELECT s.account_id, s.month, s.mrr, (ARRAY['EUR', 'USD', 'GBP'])[1 + s.account_id % 3] AS currency,
       CASE s.account_id % 3 WHEN 0 THEN 1.05 + 0.01 * extract(month FROM s.month) WHEN 1 THEN 1.0 ELSE 1.30 - 0.005 * extract(month FROM s.month) END AS rate
FROM crm.mrr_snapshots s;
CREATE TEMP TABLE fx_wf AS SELECT w.* FROM unnest((SELECT kam.mrr_waterfall(account_id, month, mrr, rate::float8) FROM fx_long)) w;
SELECT count(*) AS periods,
       count(*) FILTER (WHERE abs(starting_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr + fx_mrr - ending_mrr) > 1e-6) AS not_reconciling,
       count(*) FILTER (WHERE abs(ending_mrr - (SELECT sum(mrr * rate) FROM fx_long l WHERE l.month = w.period)) > 1e-6) AS ending_not_converted_mrr,
       count(*) FILTER (WHERE fx_mrr <> 0) AS periods_with_fx
FROM fx_wf w;
SELECT count(*) FILTER (WHERE abs(w.starting_mrr - p.ending_mrr) > 1e-6) AS starting_is_previous_ending
FROM fx_wf w JOIN fx_wf p ON p.period = w.previous_period;
-- the waterfall's last period equals kam.retention_agg over its two dates
SELECT abs(w.fx_mrr - m.fx_mrr) < 1e-9 AND abs(w.expansion_mrr - m.expansion_mrr) < 1e-9
       AND abs(w.contraction_mrr - m.contraction_mrr) < 1e-9 AND abs(w.churned_mrr - m.churned_mrr) < 1e-9 AS waterfall_row_is_the_summary
FROM fx_wf w,
     kam.movements((SELECT kam.retention_agg(account_id, month, mrr, rate::float8, '2024-11-01', '2024-12-01') FROM fx_long)) m
WHERE w.period = '2024-12-01';
-- with a grain: billing-day rows
SELECT (SELECT kam.mrr_waterfall(account_id, month + 9, mrr, rate::float8, 'month') FROM fx_long)::text
       = (SELECT kam.mrr_waterfall(account_id, month, mrr, rate::float8) FROM fx_long)::text AS grain_form_same;
-- every row split in two halves arriving in random order, past work_mem (the points grouped in
-- place as they grow, local amounts too): the same waterfall
SET work_mem = '64kB';
SELECT count(*) AS periods,
       bool_and(a.ending_accounts = b.ending_accounts AND a.churned_accounts = b.churned_accounts
                AND a.new_accounts = b.new_accounts
                AND abs(a.ending_mrr - b.ending_mrr) + abs(a.fx_mrr - b.fx_mrr) + abs(a.new_mrr - b.new_mrr)
                    + abs(a.expansion_mrr - b.expansion_mrr) + abs(a.contraction_mrr - b.contraction_mrr)
                    + abs(a.churned_mrr - b.churned_mrr) < 1e-6) AS split_rows_same
FROM unnest((SELECT kam.mrr_waterfall(account_id, month, half, rate::float8)
             FROM (SELECT account_id, month, mrr / 2 AS half, rate FROM fx_long, generate_series(1, 2) ORDER BY random()) h))
         WITH ORDINALITY a
JOIN unnest((SELECT kam.mrr_waterfall(account_id, month, mrr, rate::float8) FROM fx_long)) WITH ORDINALITY b USING (ordinality);
RESET work_mem;
-- the same through parallel workers (the local amounts cross to the leader with the points;
-- a temporary table is never scanned by workers)
CREATE TABLE fx_long_p AS SELECT * FROM fx_long;
ANALYZE fx_long_p;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
-- (plan_has is parallel unsafe: in its own statement, or the comparison would run serially)
SELECT plan_has('SELECT kam.mrr_waterfall(account_id, month, mrr, rate::float8) FROM fx_long_p', 'Gather') AS uses_workers;
SELECT count(*) AS periods,
       bool_and(a.ending_accounts = b.ending_accounts AND a.new_accounts = b.new_accounts
                AND abs(a.ending_mrr - b.ending_mrr) + abs(a.fx_mrr - b.fx_mrr) + abs(a.expansion_mrr - b.expansion_mrr)
                    + abs(a.contraction_mrr - b.contraction_mrr) + abs(a.churned_mrr - b.churned_mrr) < 1e-6) AS workers_same
FROM unnest((SELECT kam.mrr_waterfall(account_id, month, mrr, rate::float8) FROM fx_long_p)) WITH ORDINALITY a
JOIN fx_wf b ON b.period = a.period;
RESET ALL;
DROP TABLE fx_long_p;
-- without rates fx_mrr is 0
SELECT bool_and(fx_mrr = 0) AS no_fx_without_rates FROM unnest((SELECT kam.mrr_waterfall(account_id, month, mrr) FROM fx_long)) w;
-- errors: a rate must be finite and positive
SELECT test_error($q$SELECT kam.retention_agg(account, at, mrr, 0, '2024-01-01', '2024-02-01') FROM fx_snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, at, mrr, -1.2, '2024-01-01', '2024-02-01') FROM fx_snap$q$);
SELECT test_error($q$SELECT kam.mrr_waterfall(account, at, mrr, 'NaN'::float8) FROM fx_snap$q$);
SELECT test_error($q$SELECT kam.mrr_waterfall(account, at, mrr, 'Infinity'::float8, 'month') FROM fx_snap$q$);
SELECT test_error($q$SELECT '(starting=1:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0,fx=NaN)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=1:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0,fix=1)'::kam.retention$q$);
-- a NULL rate skips the row
SELECT kam.retention_agg(account, at, mrr, NULL::float8, '2024-01-01', '2024-02-01') IS NULL AS null_rate_skips FROM fx_snap;
-- the grain form with quoted dates is not ambiguous with the rate form: the window's dates
-- are read as text forms of the dates (a literal picks them), the same as typed dates
SELECT kam.retention_agg(account, at, mrr, '2024-01-15', '2024-02-15', 'month')::text
       = kam.retention_agg(account, at, mrr, date '2024-01-01', date '2024-02-01', 'month')::text AS quoted_is_typed,
       kam.retention_agg(account, at::timestamptz, mrr::float8, '2024-01-15', '2024-02-15', 'month')::text
       = kam.retention_agg(account, at, mrr, date '2024-01-01', date '2024-02-01', 'month')::text AS quoted_timestamptz_float8
FROM fx_snap;
-- a client that sends its parameters as varchar (JDBC's default) reaches the same form
PREPARE fx_by_driver(varchar, varchar, varchar) AS
    SELECT kam.retention_agg(account, at, mrr, $1, $2, $3)::text FROM fx_snap;
EXECUTE fx_by_driver('2024-01-01', '2024-02-01', 'month');
DEALLOCATE fx_by_driver;
-- the text dates may change from row to row only as the typed ones may (one window per group)
SELECT test_error($q$SELECT kam.retention_agg(account, at, mrr, 'not a date', '2024-02-01', 'month') FROM fx_snap$q$);
SELECT test_error($q$SELECT kam.retention_agg(account, at, mrr, at::text, '2024-02-01', 'month') FROM fx_snap$q$);
SELECT kam.retention_agg(account, at, mrr, NULL, '2024-02-01', 'month') IS NULL AS null_text_date_skips FROM fx_snap;
-- mixed currencies in one account whose local total is not positive: no constant-currency
-- split for it (its movement at the actual rates, fx 0), and the summary still reconciles
SELECT m.starting_mrr, m.expansion_mrr, m.contraction_mrr, m.fx_mrr, m.ending_mrr,
       abs(m.starting_mrr + m.new_mrr + m.reactivation_mrr + m.expansion_mrr - m.contraction_mrr - m.churned_mrr + m.fx_mrr - m.ending_mrr) < 1e-9 AS reconciles
FROM (SELECT kam.retention_agg(a, d, mrr, rate, '2024-01-01', '2024-02-01') AS r
      FROM (VALUES ('M', date '2024-01-01', 100, 1.2), ('M', '2024-01-01', -100, 1.0),
                   ('M', '2024-02-01', 100, 1.3), ('M', '2024-02-01', -90, 1.0)) v(a, d, mrr, rate)) x,
     kam.movements(x.r) m;
-- the rate forms through forced parallel workers (serialize / deserialize / combine of the
-- local amounts) give the serial answer
CREATE TABLE fx_par AS SELECT * FROM fx_long;
ANALYZE fx_par;
CREATE TEMP TABLE fx_serial AS
SELECT kam.retention_agg(account_id, month, mrr, rate::float8, '2023-07-01', '2024-07-01') AS r,
       kam.mrr_waterfall(account_id, month, mrr, rate::float8, 'month') AS w
FROM fx_par;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT plan_has($$SELECT kam.retention_agg(account_id, month, mrr, rate::float8, '2023-07-01', '2024-07-01') FROM fx_par$$, 'Gather') AS uses_workers;
SELECT (SELECT count(*) FROM kam.movements(s.r) a, kam.movements(p.r) b
        WHERE abs(a.fx_mrr - b.fx_mrr) < 1e-6 AND abs(a.expansion_mrr - b.expansion_mrr) < 1e-6
          AND abs(a.contraction_mrr - b.contraction_mrr) < 1e-6 AND abs(a.ending_mrr - b.ending_mrr) < 1e-6
          AND a.starting_accounts = b.starting_accounts AND a.churned_accounts = b.churned_accounts) = 1 AS parallel_summary_same,
       (SELECT count(*) FROM unnest(s.w) a JOIN unnest(p.w) b USING (period)
        WHERE abs(a.fx_mrr - b.fx_mrr) < 1e-6 AND abs(a.ending_mrr - b.ending_mrr) < 1e-6 AND a.new_accounts = b.new_accounts)
       = cardinality(s.w) AS parallel_waterfall_same,
       (SELECT m.fx_mrr <> 0 FROM kam.movements(s.r) m) AS has_fx
FROM fx_serial s,
     (SELECT kam.retention_agg(account_id, month, mrr, rate::float8, '2023-07-01', '2024-07-01') AS r,
             kam.mrr_waterfall(account_id, month, mrr, rate::float8, 'month') AS w FROM fx_par) p;
RESET ALL;
DROP TABLE fx_par;
-- an independent reference: the waterfall at constant currency in plain SQL (a grid of
-- accounts x months, lag, each account's end MRR at its start rate) equals kam's, period by period
CREATE TEMP VIEW fx_snapshots AS SELECT account_id, month, mrr, rate::float8 AS rate FROM fx_long;
CREATE TEMP TABLE plain_fx AS
WITH months AS (SELECT DISTINCT month FROM fx_snapshots),
     grid AS (SELECT a.account_id, m.month, coalesce(s.mrr::float8, 0) AS local, coalesce(s.mrr::float8 * s.rate, 0) AS mrr
              FROM (SELECT DISTINCT account_id FROM fx_snapshots) a CROSS JOIN months m
              LEFT JOIN fx_snapshots s ON s.account_id = a.account_id AND s.month = m.month),
     seq AS (SELECT month, mrr, local, coalesce(lag(mrr) OVER w, 0) AS prev, coalesce(lag(local) OVER w, 0) AS prev_local,
                    coalesce(max(mrr) OVER (PARTITION BY account_id ORDER BY month
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING), 0) > 0 AS before
             FROM grid WINDOW w AS (PARTITION BY account_id ORDER BY month)),
     c AS (SELECT *, CASE WHEN prev > 0 AND mrr > 0 THEN prev * (local / prev_local) END AS cc FROM seq)
SELECT month, sum(prev) FILTER (WHERE prev > 0) AS starting, sum(mrr) FILTER (WHERE prev = 0 AND mrr > 0 AND NOT before) AS new,
       sum(mrr) FILTER (WHERE prev = 0 AND mrr > 0 AND before) AS react, sum(cc - prev) FILTER (WHERE cc > prev) AS expansion,
       sum(prev - cc) FILTER (WHERE cc < prev) AS contraction, sum(prev) FILTER (WHERE prev > 0 AND mrr = 0) AS churned,
       sum(mrr - cc) AS fx
FROM c GROUP BY month;
SELECT count(*) AS months,
       count(*) FILTER (WHERE abs(coalesce(p.expansion,0) - w.expansion_mrr) > 1e-6 OR abs(coalesce(p.contraction,0) - w.contraction_mrr) > 1e-6
                          OR abs(coalesce(p.fx,0) - w.fx_mrr) > 1e-6 OR abs(coalesce(p.new,0) - w.new_mrr) > 1e-6
                          OR abs(coalesce(p.churned,0) - w.churned_mrr) > 1e-6 OR abs(coalesce(p.react,0) - w.reactivation_mrr) > 1e-6) AS differ
FROM plain_fx p JOIN unnest((SELECT kam.mrr_waterfall(account_id, month, mrr, rate) FROM fx_snapshots)) w ON w.period = p.month;
