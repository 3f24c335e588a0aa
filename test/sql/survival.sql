-- Kaplan-Meier survival (docs/ltv.md): hand-worked example with ties and censoring
CREATE TABLE contracts_km (id int, started date, ended date);
INSERT INTO contracts_km VALUES
  (1, '2024-01-01', '2024-01-11'),   -- event at 10 days
  (2, '2024-01-01', '2024-01-11'),   -- event at 10 (tie)
  (3, '2024-02-01', '2024-02-11'),   -- event at 10 (tie)
  (4, '2024-01-01', '2024-01-21'),   -- event at 20
  (5, '2024-03-07', NULL),           -- still active: censored at as_of - started = 25
  (6, '2024-01-01', '2024-01-31'),   -- event at 30
  (7, '2024-02-21', '2024-12-31'),   -- ends after as_of: censored at 40
  (8, '2024-04-15', NULL),           -- starts after as_of: not observed
  (9, NULL, '2024-01-05');           -- NULL started: skipped
-- as_of 2024-04-01. Lifetimes: 10 (3 events), 20 (event), 25 (censored), 30 (event), 40 (censored)
-- by hand: S(10) = 1 - 3/7 = 4/7; S(20) = 4/7 * (1 - 1/4) = 3/7; S(30) = 3/7 * (1 - 1/2) = 3/14;
-- median: the first lifetime with S <= 0.5 is 20 days
SELECT kam.survival_agg(started, ended, '2024-04-01') FROM contracts_km;
SELECT c.* FROM (SELECT kam.survival_agg(started, ended, '2024-04-01') AS s FROM contracts_km) x,
     kam.survival_curve(x.s) c;
SELECT kam.survival_at(s, 0) AS s0, kam.survival_at(s, 9.99) AS s9,
       kam.survival_at(s, 10) = 4.0 / 7 AS s10_ok, kam.survival_at(s, 15) = 4.0 / 7 AS s15_ok,
       kam.survival_at(s, 20) = 3.0 / 7 AS s20_ok, abs(kam.survival_at(s, 30) - 3.0 / 14) < 1e-15 AS s30_ok,
       kam.survival_at(s, 1e9) = kam.survival_at(s, 30) AS tail_flat,
       kam.survival_at(s, '-Infinity') AS before_start, kam.survival_at(s, 'Infinity') = kam.survival_at(s, 30) AS at_inf,
       kam.median_lifetime(s) AS median_days
FROM (SELECT kam.survival_agg(started, ended, '2024-04-01') AS s FROM contracts_km) x;
-- the median is NULL while more than half survive
SELECT kam.median_lifetime(kam.survival_agg(started, ended, '2024-01-15')) AS median_early FROM contracts_km;
-- empty input gives NULL; a table with only censorings stays at 1
SELECT kam.survival_agg(started, ended, '2024-04-01') IS NULL AS empty FROM contracts_km WHERE false;
SELECT kam.survival_at(kam.survival_agg(started, NULL, '2024-04-01'), 100) AS all_censored FROM contracts_km;
SELECT kam.survival_at('()'::kam.survival, 10) IS NULL AS empty_table, kam.median_lifetime('()') IS NULL AS no_median;

-- text I/O
SELECT '(10:3:0,20:1:0,25:0:1,30:1:0,40:0:1)'::kam.survival::text;
SELECT kam.survival_at(' ( 10 : 3 : 0 , 20:1:0 ) ', 10);
SELECT s::text::kam.survival::text = s::text AS round_trip
FROM (SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01') AS s FROM crm.subscriptions) x;

-- the sample CRM against a plain-SQL Kaplan-Meier (window functions)
CREATE VIEW plain_km AS
WITH d AS (SELECT CASE WHEN valid_to <= '2025-01-01' THEN valid_to - valid_from ELSE date '2025-01-01' - valid_from END AS t,
                  coalesce(valid_to <= '2025-01-01', false) AS ev
           FROM crm.subscriptions WHERE valid_from <= '2025-01-01'),
     g AS (SELECT t, count(*) FILTER (WHERE ev) AS e, count(*) AS n_t FROM d GROUP BY t),
     r AS (SELECT t, e, n_t, sum(n_t) OVER (ORDER BY t DESC) AS at_risk FROM g)
SELECT t, at_risk, e, exp(sum(ln(greatest(1 - e::float8 / at_risk, 1e-300))) OVER (ORDER BY t)) AS survival FROM r;
SELECT count(*) AS lifetimes,
       bool_and(c.at_risk = p.at_risk AND c.events = p.e) AS counts_match,
       max(abs(c.survival - p.survival)) < 1e-12 AS survival_matches
FROM (SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01') AS s FROM crm.subscriptions) x,
     kam.survival_curve(x.s) c JOIN plain_km p USING (t);
SELECT round(kam.median_lifetime(s)::numeric, 0) AS median_subscription_days,
       round(kam.survival_at(s, 365)::numeric, 4) AS one_year
FROM (SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01') AS s FROM crm.subscriptions) x;
-- per segment through GROUP BY
SELECT a.segment, round(kam.survival_at(kam.survival_agg(s.valid_from, s.valid_to, '2025-01-01'), 365)::numeric, 3) AS one_year
FROM crm.subscriptions s JOIN crm.accounts a USING (account_id) GROUP BY 1 ORDER BY 1;
-- parallel workers give the same table
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT (SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01')::text FROM crm.subscriptions)
     = (SELECT '(' || string_agg(c.t || ':' || c.events || ':' || c.censored, ',' ORDER BY c.t) || ')' FROM
          (SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01') AS s FROM crm.subscriptions) x,
          kam.survival_curve(x.s) c) AS text_matches_curve;
CREATE TABLE subs_par AS SELECT * FROM crm.subscriptions, generate_series(1, 20) k;
ANALYZE subs_par;
CREATE FUNCTION plan_uses_workers(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        IF l LIKE '%Gather%' THEN RETURN true; END IF;
    END LOOP;
    RETURN false;
END $$;
SELECT plan_uses_workers($$SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01') FROM subs_par$$) AS uses_workers;
SELECT (SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01')::text FROM subs_par) AS parallel_result \gset
RESET ALL;
SELECT :'parallel_result' = (SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01')::text FROM subs_par) AS parallel_equals_serial;

-- the state is a kam.survival (a hash table on the lifetime while it runs): partial tables from
-- partitions, and life tables stored per segment and added with kam.rollup, equal the whole
CREATE TABLE subs_part (account_id int, valid_from date, valid_to date) PARTITION BY HASH (account_id);
CREATE TABLE subs_part_0 PARTITION OF subs_part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE subs_part_1 PARTITION OF subs_part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE subs_part_2 PARTITION OF subs_part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO subs_part SELECT account_id, valid_from, valid_to FROM crm.subscriptions;
ANALYZE subs_part;
SET enable_partitionwise_aggregate = on;
SELECT plan_has($$SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01') FROM subs_part$$, 'Partial') AS partial_per_partition,
       (SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01') FROM subs_part)::text
     = (SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01') FROM crm.subscriptions)::text AS partitions_equal_whole;
RESET enable_partitionwise_aggregate;
CREATE TABLE life_by_segment AS
SELECT a.segment, kam.survival_agg(s.valid_from, s.valid_to, '2025-01-01') AS life
FROM crm.subscriptions s JOIN crm.accounts a USING (account_id) GROUP BY 1;
SELECT count(*) AS segments,
       (SELECT kam.rollup(life) FROM life_by_segment)::text
     = (SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01') FROM crm.subscriptions)::text AS rollup_equals_whole,
       (SELECT kam.rollup(life) FROM life_by_segment WHERE false) IS NULL AS rollup_empty_null,
       (SELECT kam.rollup(l) FROM (VALUES (NULL::kam.survival), ('(10:1:0)')) v(l))::text AS rollup_skips_null
FROM life_by_segment;
-- by hand: the transition and combine functions leave their arguments alone; a table that grew
-- past its first 16 slots reads through every accessor like the sorted value it prints
WITH s AS (SELECT '(10:1:0,20:0:1)'::kam.survival AS st)
SELECT kam.survival_sfunc(st, '2024-01-01'::date, '2024-01-11'::date, '2024-06-01'::date)::text AS after_row,
       st::text AS argument_unchanged, kam.survival_combine(st, st)::text AS doubled,
       kam.survival_combine(NULL, st)::text AS combine_null,
       kam.survival_sfunc(st, NULL::date, NULL, '2024-06-01'::date)::text AS null_started_skipped
FROM s;
CREATE TABLE grown (st kam.survival);
CREATE AGGREGATE survival_partial(date, date, date) (SFUNC = kam.survival_sfunc, STYPE = kam.survival,
                                                     COMBINEFUNC = kam.survival_combine);
INSERT INTO grown SELECT survival_partial('2024-01-01'::date + g, '2024-01-01'::date + g * 3, '2024-12-31') FROM generate_series(0, 99) g;
SELECT st::text = kam.survival_final(st)::text AS text_as_final,
       kam.median_lifetime(st) = kam.median_lifetime(kam.survival_final(st)) AS median_same,
       kam.survival_at(st, 100) = kam.survival_at(kam.survival_final(st), 100) AS at_same,
       (SELECT count(*) FROM kam.survival_curve(st)) AS curve_rows,
       st OPERATOR(kam.=) st::text::kam.survival AS equal_to_text
FROM grown;
SELECT test_error($q$SELECT kam.survival_combine('(10:9223372036854775807:0)', '(10:1:0)')$q$);
-- each count fits, their total does not: refused as the inputs refuse it
SELECT test_error($q$SELECT kam.survival_sfunc('(2147483647:9223372036854775807:0)', '2024-01-01'::date, NULL, '2024-02-01'::date)$q$);
SELECT test_error($q$SELECT kam.rollup(l) FROM (VALUES ('(5:9223372036854775807:0)'::kam.survival), ('(7:1:0)')) v(l)$q$);

-- errors
SELECT test_error($q$SELECT kam.survival_agg(ended, started, '2024-04-01') FROM contracts_km WHERE ended > started$q$);
SELECT test_error($q$SELECT kam.survival_agg('-infinity'::date, NULL, '2024-04-01')$q$);
SELECT test_error($q$SELECT kam.survival_agg('2024-01-01'::date, NULL, 'infinity')$q$);
SELECT test_error($q$SELECT kam.survival_at('(10:1:0)', 'NaN')$q$);
SELECT test_error($q$SELECT 'garbage'::kam.survival$q$);
SELECT test_error($q$SELECT '(10:1:0,5:1:0)'::kam.survival$q$);
SELECT test_error($q$SELECT '(10:0:0)'::kam.survival$q$);
SELECT test_error($q$SELECT '(10:-1:0)'::kam.survival$q$);
SELECT test_error($q$SELECT '(10:1)'::kam.survival$q$);
SELECT test_error($q$SELECT '(10:1:0'::kam.survival$q$);
SELECT test_error($q$SELECT '(3000000000:1:0)'::kam.survival$q$);
SELECT test_error($q$SELECT '(10:1:0) x'::kam.survival$q$);
SELECT test_error($q$SELECT '(10:9223372036854775807:0,20:1:0)'::kam.survival$q$);
SELECT test_error($q$SELECT '(10:1:0 20:1:0)'::kam.survival$q$);

-- Customer lifetimes (SPEC section 7): an account's consecutive contracts, each starting at
-- most gap_days after the end of those before it, are one lifetime
CREATE TEMP TABLE contracts(account text, started date, ended date);
INSERT INTO contracts VALUES
    ('A', '2023-01-01', '2024-01-01'), ('A', '2024-01-01', '2025-01-01'),      -- a renewal: one lifetime of 731 days, ended
    ('B', '2023-06-01', '2023-12-01'), ('B', '2023-12-11', NULL),              -- back after 10 days
    ('C', '2024-01-01', '2024-04-01'),                                        -- 91 days, ended
    ('D', '2025-07-01', NULL);                                                -- starts after as_of: not observed
SELECT kam.survival_agg(account, started, ended, '2025-06-01', 30)::text AS lifetimes_gap_30,
       kam.survival_agg(account, started, ended, '2025-06-01', 5)::text AS lifetimes_gap_5,
       kam.survival_agg(started, ended, '2025-06-01')::text AS contract_phases
FROM contracts;
SELECT kam.median_lifetime(kam.survival_agg(account, started, ended, '2025-06-01', 30)) AS median_lifetime_days,
       kam.median_lifetime(kam.survival_agg(started, ended, '2025-06-01')) AS median_contract_days
FROM contracts;
-- reference over the sample CRM's subscriptions: lifetimes made in plain SQL (gaps and
-- islands) fed to the contract form give the same life table
CREATE FUNCTION pg_temp.islands(contracts regclass, gap int)
RETURNS TABLE (account_id bigint, started date, ended date) LANGUAGE plpgsql AS $f$
BEGIN
    RETURN QUERY EXECUTE format($q$
    WITH ordered AS (
        SELECT account_id, valid_from, coalesce(valid_to, 'infinity') AS valid_to,
               max(coalesce(valid_to, 'infinity')) OVER (PARTITION BY account_id ORDER BY valid_from, coalesce(valid_to, 'infinity')
                                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
        FROM %s),
    flagged AS (
        SELECT *, sum(CASE WHEN prev_end IS NULL OR (prev_end <> 'infinity' AND valid_from > prev_end + $1) THEN 1 ELSE 0 END)
                      OVER (PARTITION BY account_id ORDER BY valid_from, valid_to) AS island
        FROM ordered)
    SELECT account_id::bigint, min(valid_from), nullif(max(valid_to), 'infinity')
    FROM flagged GROUP BY account_id, island$q$, contracts) USING gap;
END
$f$;
CREATE TEMP TABLE islands AS SELECT * FROM pg_temp.islands('crm.subscriptions', 31);
SELECT (SELECT kam.survival_agg(account_id, valid_from, valid_to, '2025-01-01', 31) FROM crm.subscriptions)::text
       = (SELECT kam.survival_agg(started, ended, '2025-01-01') FROM islands)::text AS same_as_islands,
       (SELECT count(*) FROM islands) AS lifetimes, (SELECT count(*) FROM crm.subscriptions) AS contracts;
-- timestamps, and the combine path (parallel workers forced)
SELECT kam.survival_agg(account, started::timestamptz, ended::timestamptz, '2025-06-01'::timestamptz, 30)::text
       = kam.survival_agg(account, started, ended, '2025-06-01', 30)::text AS timestamptz_same
FROM contracts;
-- each account's contracts read by both workers: 256 copies of the subscriptions, copy after
-- copy (220 928 rows), copy c moved 3 000 days earlier per c (each copy's contracts distinct),
-- against the serial result over the same rows
CREATE TABLE subs_copies AS
SELECT s.account_id, s.valid_from - c * 3000 AS valid_from, s.valid_to - c * 3000 AS valid_to
FROM generate_series(0, 255) c, crm.subscriptions s ORDER BY c;
ANALYZE subs_copies;
SET max_parallel_workers_per_gather = 0;
SELECT kam.survival_agg(account_id, valid_from, valid_to, '2025-01-01', 31)::text AS copies_serial FROM subs_copies \gset
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
SELECT kam.survival_agg(account_id, valid_from, valid_to, '2025-01-01', 31)::text
       = (SELECT kam.survival_agg(started, ended, '2025-01-01') FROM islands)::text AS parallel_same
FROM crm.subscriptions;
SELECT plan_has($$SELECT kam.survival_agg(account_id, valid_from, valid_to, '2025-01-01', 31) FROM subs_copies$$, 'Gather')
       AS copies_parallel;
SELECT kam.survival_agg(account_id, valid_from, valid_to, '2025-01-01', 31)::text = :'copies_serial' AS copies_same
FROM subs_copies;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
DROP TABLE subs_copies;
-- a lifetime's contracts in several partial states: each state joins its own as it groups
-- them, the final joins the states' records.  Contract k (k = 0..59) of 3 000 accounts starts
-- on day 100 k and is stored in the partition of k's parity, so every lifetime of two
-- contracts or more is split between the partitions' states; the next contract starts 31
-- days after its end (the gap: joined), or 32 when (account + k) % 5 = 0 (not joined);
-- accounts % 4 = 0 have a contract inside another, and the last contract of accounts % 3 = 0
-- is open.  Serially, per partition (enable_partitionwise_aggregate) and through workers,
-- against lifetimes made in plain SQL
CREATE TABLE chains (account_id int, k int, valid_from date, valid_to date) PARTITION BY LIST ((k % 2));
CREATE TABLE chains_even PARTITION OF chains FOR VALUES IN (0);
CREATE TABLE chains_odd PARTITION OF chains FOR VALUES IN (1);
INSERT INTO chains
SELECT a, k, DATE '2000-01-01' + 100 * k,
       CASE WHEN k = 59 AND a % 3 = 0 THEN NULL
            ELSE DATE '2000-01-01' + 100 * k + CASE WHEN (a + k) % 5 = 0 THEN 68 ELSE 69 END END
FROM generate_series(0, 59) k, generate_series(1, 3000) a
UNION ALL
SELECT a, k, DATE '2000-01-01' + 100 * k + 10, DATE '2000-01-01' + 100 * k + 20
FROM generate_series(0, 59) k, generate_series(4, 3000, 4) a
ORDER BY 3, 1;
ANALYZE chains;
CREATE TEMP TABLE chains_islands AS SELECT * FROM pg_temp.islands('chains', 31);
CREATE VIEW chains_same AS
SELECT kam.survival_agg(account_id, valid_from, valid_to, '2015-01-01', 31)::text
       = (SELECT kam.survival_agg(started, ended, '2015-01-01') FROM chains_islands)::text AS same
FROM chains;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT same FROM chains_same) AS chains_serial_same, count(*) AS chains_lifetimes FROM chains_islands;
SET enable_partitionwise_aggregate = on;
SELECT plan_has('SELECT * FROM chains_same', 'Partial') AS chains_partial;
SELECT same AS chains_partitions_same FROM chains_same;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT plan_has('SELECT * FROM chains_same', 'Gather') AS chains_workers;
SELECT same AS chains_workers_same FROM chains_same;
RESET ALL;
DROP VIEW chains_same;
DROP TABLE chains;
-- a row joined to the contract stored just before it, of the same account, as it comes (rows
-- in account order): 5 000 accounts of three contracts each, the second starting exactly the
-- gap after the first ends (joined, a % 3 = 1) or a day more (not, a % 3 = 0), or ending
-- the gap and a day before the first starts (not, a % 3 = 2); the third before both (not,
-- a even) or open and inside the first (joined). Integer keys in the map, sparse integer keys
-- in the hash, text keys: each the way its rows come in
CREATE TABLE adjacent AS
SELECT a AS account_id, v.valid_from, v.valid_to
FROM generate_series(1, 5000) a,
     LATERAL (VALUES (1, DATE '2020-01-01', DATE '2020-04-10'),
                     (2, CASE a % 3 WHEN 1 THEN DATE '2020-04-10' + 31 WHEN 0 THEN DATE '2020-04-10' + 32
                                    ELSE DATE '2019-01-01' END,
                         CASE a % 3 WHEN 2 THEN DATE '2020-01-01' - 32 ELSE DATE '2020-09-01' END),
                     (3, CASE WHEN a % 2 = 0 THEN DATE '2019-06-01' ELSE DATE '2020-02-01' END,
                         CASE WHEN a % 2 = 0 THEN DATE '2019-07-01' END)) v(n, valid_from, valid_to)
ORDER BY a, v.n;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT kam.survival_agg(started, ended, '2021-01-01') FROM pg_temp.islands('adjacent', 31))::text AS adjacent_islands \gset
SELECT kam.survival_agg(account_id, valid_from, valid_to, '2021-01-01', 31)::text = :'adjacent_islands' AS adjacent_map,
       kam.survival_agg(account_id::int8 * 1000003, valid_from, valid_to, '2021-01-01', 31)::text = :'adjacent_islands'
       AS adjacent_hash,
       kam.survival_agg(account_id::text, valid_from, valid_to, '2021-01-01', 31)::text = :'adjacent_islands' AS adjacent_text,
       (SELECT count(*) FROM pg_temp.islands('adjacent', 31)) AS adjacent_lifetimes
FROM adjacent;
RESET max_parallel_workers_per_gather;
DROP TABLE adjacent;
-- errors
SELECT test_error($q$SELECT kam.survival_agg(account, started, ended, '2025-06-01', -1) FROM contracts$q$);
SELECT test_error($q$SELECT kam.survival_agg(account, started, ended, NULL::date, 5) FROM contracts$q$);
SELECT test_error($q$SELECT kam.survival_agg(k, s, e, '2025-01-01', 5) FROM (VALUES (1, DATE '2024-05-01', DATE '2024-01-01')) v(k, s, e)$q$);
SELECT test_error($q$SELECT kam.survival_agg(k, s, e, '2025-01-01', 5) FROM (VALUES (1, DATE 'infinity', DATE 'infinity')) v(k, s, e)$q$);
