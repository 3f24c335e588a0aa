-- One seed of test/merge/run.sh: random per-account histories in :parts partitions
-- (:seed, :cg and :cm the cohort tables' grains), each history form (and per-account
-- survival over contracts from the same rows: open when the amount is 0) computed over the
-- partitioned table (a partial state per partition, then with parallel workers, then with
-- workers and no partition-wise aggregate) against the same rows in one state.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP VIEW IF EXISTS same;
DROP TABLE IF EXISTS ref, fz, fz_flat;
CREATE TABLE fz (p int, account_id int8, at date, mrr numeric(12,2), fx float8) PARTITION BY LIST (p);
SELECT format('CREATE TABLE fz_%s PARTITION OF fz FOR VALUES IN (%s)', i, i) FROM generate_series(0, :parts - 1) i \gexec
SELECT setseed(:seed / 1000.0);
-- 400 accounts of 1 to 71 rows (the a * 0 makes each account draw its own count), of
-- three shapes: within 120 days, within 40 days (both merged by date rank), and spread over
-- 4 000 days (wider than twice their points plus 16: merged by date)
INSERT INTO fz
SELECT (random() * (:parts - 1))::int, a, d, m, m::float8 * (1 + random() / 7)
FROM (SELECT a, CASE a % 3 WHEN 0 THEN date '2023-01-01' + (random() * 120)::int
                           WHEN 1 THEN date '2015-01-01' + (random() * 4000)::int
                           ELSE date '2023-06-01' + (random() * 40)::int END AS d,
             CASE WHEN random() < 0.1 THEN 0 ELSE round((random() * 500)::numeric, 2) END AS m
      FROM generate_series(1, 400) a, generate_series(1, 1 + (random() * 70 + a * 0)::int) n) x;
-- about 15 % of the rows again, a third of their amount, in another partition: one
-- account and date in two states, added up
INSERT INTO fz SELECT (p + 1 + (random() * 3)::int) % :parts, account_id, at, round(mrr / 3, 2), fx / 3
FROM fz WHERE random() < 0.15;
-- every third seed, an account with a date in 2230: the states' dates span more than the
-- 65 536 days the rank table takes, so every account is merged by date
INSERT INTO fz SELECT 0, 5000 + (:seed % 2), date '2230-01-01', 10, 10 WHERE :seed % 3 = 0;
INSERT INTO fz SELECT 1, 5000 + (:seed % 2), date '2023-01-05', 10, 10 WHERE :seed % 3 = 0;
ANALYZE fz;
CREATE TABLE fz_flat AS SELECT * FROM fz ORDER BY random();
CREATE TABLE ref AS
SELECT kam.mrr_waterfall(account_id, at, mrr)::text AS w,
       kam.cohort_retention(account_id, at, mrr, :'cg')::text AS c,
       kam.mrr_waterfall(account_id, at, fx, 'week')::text AS ww,
       kam.cohort_retention(account_id, at, mrr, :'cm')::text AS cm,
       kam.mrr_waterfall(account_id, at, mrr, 1 + (at - date '2015-01-01')::float8 / 1000)::text AS wr,
       kam.survival_agg(account_id, at, CASE WHEN mrr > 0 THEN at + (mrr * 100)::int % 200 END,
                        date '2240-01-01', 7)::text AS sv
FROM fz_flat;
CREATE VIEW same AS
SELECT same_rows((SELECT kam.mrr_waterfall(account_id, at, mrr)::text FROM fz), w, 'kam.mrr_movement') AS w,
       same_rows((SELECT kam.cohort_retention(account_id, at, mrr, :'cg')::text FROM fz), c, 'kam.cohort_cell') AS c,
       same_rows((SELECT kam.mrr_waterfall(account_id, at, fx, 'week')::text FROM fz), ww, 'kam.mrr_movement') AS ww,
       same_rows((SELECT kam.cohort_retention(account_id, at, mrr, :'cm')::text FROM fz), cm, 'kam.cohort_cell') AS cm,
       same_rows((SELECT kam.mrr_waterfall(account_id, at, mrr, 1 + (at - date '2015-01-01')::float8 / 1000)::text
                  FROM fz), wr, 'kam.mrr_movement') AS wr,
       (SELECT kam.survival_agg(account_id, at, CASE WHEN mrr > 0 THEN at + (mrr * 100)::int % 200 END,
                                date '2240-01-01', 7)::text FROM fz) = sv AS sv
FROM ref;
-- (plan_has is parallel unsafe: in a statement of its own, before each comparison)
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
SELECT 'plan partitions' AS plan, plan_has('SELECT * FROM same', 'Partial Aggregate') AS partial;
SELECT 'partitions' AS plan, * FROM same;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT 'plan workers' AS plan, plan_has('SELECT * FROM same', 'Gather') AS gather;
SELECT 'workers' AS plan, * FROM same;
SET enable_partitionwise_aggregate = off;
SELECT 'plan workers, no pwa' AS plan, plan_has('SELECT * FROM same', 'Gather') AS gather;
SELECT 'workers, no pwa' AS plan, * FROM same;
SET enable_partitionwise_aggregate = on;
SELECT 'control, a row left out' AS plan,
       same_rows((SELECT kam.mrr_waterfall(account_id, at, mrr)::text FROM fz WHERE account_id <> 7 OR mrr = 0), w, 'kam.mrr_movement') AS w
FROM ref;
