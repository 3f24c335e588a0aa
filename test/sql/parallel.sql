-- The combine path: partial aggregates from partitions and from parallel
-- workers must give exactly the serial result.

-- equal to a millionth (the order rows reach the workers may move the last bit); both
-- PARALLEL RESTRICTED: a parallel-unsafe function anywhere in a query keeps the whole query
-- serial, so the aggregates compared would never reach the workers
CREATE FUNCTION same_r(a text, b text) RETURNS boolean LANGUAGE sql PARALLEL RESTRICTED AS $$
    SELECT (SELECT array_agg(round(v::numeric, 6)) FROM jsonb_each_text(to_jsonb(kam.movements(a::kam.retention))) j(k, v))
         = (SELECT array_agg(round(v::numeric, 6)) FROM jsonb_each_text(to_jsonb(kam.movements(b::kam.retention))) j(k, v)) $$;
CREATE FUNCTION same_rows(a text, b text, t text) RETURNS boolean LANGUAGE plpgsql PARALLEL RESTRICTED AS $$
DECLARE r boolean;
BEGIN
    EXECUTE format($f$
        SELECT (SELECT array_agg(CASE WHEN jsonb_typeof(v) = 'number' THEN round(v::text::numeric, 6)::text ELSE v::text END ORDER BY x.ordinality, e.k)
                FROM unnest(%L::%s[]) WITH ORDINALITY x, jsonb_each(to_jsonb(x)) e(k, v))
             = (SELECT array_agg(CASE WHEN jsonb_typeof(v) = 'number' THEN round(v::text::numeric, 6)::text ELSE v::text END ORDER BY x.ordinality, e.k)
                FROM unnest(%L::%s[]) WITH ORDINALITY x, jsonb_each(to_jsonb(x)) e(k, v))$f$, a, t, b, t)
    INTO r;
    RETURN r;
END $$;

-- 4 copies of the CRM snapshots under distinct account ids, hash-partitioned by account
CREATE TABLE psnap (account_id int, manager_id int, month date, mrr numeric(12,2))
    PARTITION BY HASH (account_id);
CREATE TABLE psnap_0 PARTITION OF psnap FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE psnap_1 PARTITION OF psnap FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE psnap_2 PARTITION OF psnap FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE psnap_3 PARTITION OF psnap FOR VALUES WITH (MODULUS 4, REMAINDER 3);
INSERT INTO psnap
SELECT s.account_id + c * 100000, a.manager_id, s.month, s.mrr
FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id), generate_series(0, 3) c;
ANALYZE psnap;

CREATE VIEW q_all AS
SELECT manager_id % 3 AS grp,
       kam.retention_agg(lag_mrr, mrr)::text AS pairs,
       kam.retention_agg(account_id, month, mrr, '2023-07-01', '2024-07-01')::text AS snapshots,
       kam.nrr(lag_mrr, mrr) AS nrr, kam.grr(lag_mrr, mrr) AS grr, kam.logo_churn_rate(lag_mrr, mrr) AS logo,
       kam.mrr_waterfall(account_id, month, mrr)::text AS waterfall,
       kam.cohort_retention(account_id, month, mrr)::text AS cohorts
FROM (SELECT p.*, (p.mrr * 0.9 + (p.account_id % 7))::numeric(12,2) AS lag_mrr FROM psnap p) x
GROUP BY 1;

-- serial reference
SET max_parallel_workers_per_gather = 0;
SET enable_partitionwise_aggregate = off;
CREATE TABLE serial_result AS SELECT * FROM q_all;
-- one account and date in two workers' states: every snapshot in two halves, the first
-- halves stored before the second ones, so that a parallel scan gives them to different
-- workers (4 copies of psnap, 277 440 rows: enough that both workers always take part)
CREATE TABLE psplit AS
SELECT account_id + c * 1000000 AS account_id, month, mrr / 2 AS half FROM psnap, generate_series(0, 3) c
UNION ALL
SELECT account_id + c * 1000000, month, mrr - mrr / 2 FROM psnap, generate_series(0, 3) c;
ANALYZE psplit;
-- psplit's 16 bands of ids (a + 100 000 c' + 1 000 000 c) moved to 32 768 (32 pages of the
-- direct map) apart, each band from a page's first slot: 4 800 ids, 1 % of their range. The
-- map in pages takes them at 4 096 accounts (the flat map of 0.2.0 never did), its empty
-- pages between the bands skipped as a state is sent
CREATE FUNCTION pband(id int8) RETURNS int8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (id % 100000 - 1) + (id / 1000000 * 4 + id % 1000000 / 100000) * 32768 $$;
CREATE TABLE psplit_ref AS
SELECT kam.mrr_waterfall(account_id + c * 1000000, month, mrr)::text AS w,
       kam.mrr_waterfall(pband(account_id + c * 1000000), month, mrr)::text AS wb,
       kam.cohort_retention(pband(account_id + c * 1000000), month, mrr)::text AS cb,
       kam.cohort_retention(account_id + c * 1000000, month, mrr)::text AS c,
       -- the rate form: each point's local amount merged with its converted one
       kam.mrr_waterfall(account_id + c * 1000000, month, mrr, 1 + extract(month FROM month)::float8 / 100)::text AS wr
FROM psnap, generate_series(0, 3) c;
-- the snapshot form's partial states: each account's rows before `from` stored before all
-- the rows at `from` and `to` (so that one worker's state marks an account "paid before"
-- and another's has its sums), the halves of each snapshot apart as in psplit; keys dense
-- (1 to 4 800: read off the direct map, the rows that only mark "paid before" a bit of it), as
-- sparse as psplit's (hashed) and at both ends of int8 (sorted); and the dense ids in 4 hash
-- partitions
CREATE TABLE pwin AS
SELECT dense_rank() OVER (ORDER BY account_id)::int AS dense_id, account_id,
       CASE account_id % 5000 WHEN 1 THEN -9223372036854775808 WHEN 2 THEN 9223372036854775807
            ELSE account_id END::int8 AS far_id, month, half
FROM psplit ORDER BY month >= '2023-07-01', account_id::int8 * 7919 % 4801, month;
ANALYZE pwin;
CREATE TABLE pwin_part (dense_id int, month date, half numeric) PARTITION BY HASH (dense_id);
CREATE TABLE pwin_part_0 PARTITION OF pwin_part FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE pwin_part_1 PARTITION OF pwin_part FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE pwin_part_2 PARTITION OF pwin_part FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE pwin_part_3 PARTITION OF pwin_part FOR VALUES WITH (MODULUS 4, REMAINDER 3);
INSERT INTO pwin_part SELECT dense_id, month, half FROM pwin;
ANALYZE pwin_part;
CREATE TABLE pwin_ref AS
SELECT kam.retention_agg(dense_id, month, half, '2023-07-01', '2024-07-01')::text AS dense,
       kam.retention_agg(account_id, month, half, '2023-07-01', '2024-07-01')::text AS sparse,
       kam.retention_agg(far_id, month, half, '2023-07-01', '2024-07-01')::text AS far,
       kam.retention_agg(pband(account_id), month, half, '2023-07-01', '2024-07-01')::text AS banded,
       kam.retention_agg(far_id, month, half, 1 + extract(month FROM month)::float8 / 100,
                         '2023-07-01', '2024-07-01')::text AS rates
FROM pwin;
SELECT m.reactivated_accounts > 10 AS reactivations, m.starting_accounts > 2000 AS starting,
       (SELECT fx_mrr <> 0 FROM kam.movements(rates::kam.retention)) AS rates_move
FROM pwin_ref, kam.movements(dense::kam.retention) m;
-- the workers send their histories packed (a date as days after the one before, an amount
-- only when it changes): dates before 2000 (negative day numbers), accounts and points years
-- apart (dates of several bytes), each account split between the workers as in psplit, and
-- keys as far apart as int8 allows
CREATE TABLE pfar AS
SELECT CASE account_id % 5000 WHEN 1 THEN -9223372036854775808 WHEN 2 THEN 9223372036854775807
            ELSE account_id END::int8 AS account_id,
       (month - (account_id % 97) * interval '3 years'
                    + (account_id % 2) * (extract(month FROM month)::int % 4) * interval '10 years')::date AS month,
       half
FROM psplit;
ANALYZE pfar;
CREATE TABLE pfar_ref AS
SELECT kam.mrr_waterfall(account_id, month, half)::text AS w,
       kam.mrr_waterfall(account_id, month, half, 1 + extract(month FROM month)::float8 / 100)::text AS wr,
       count(*) FILTER (WHERE month < '2000-01-01') AS before_2000
FROM pfar;
SELECT before_2000 > 100000 AS far_dates_before_2000 FROM pfar_ref;
-- the contract form: the points are changes of MRR, negative where a contract ends (amounts
-- of whole cents pack as varints of the cents, others as their bits: halves of odd cents),
-- 200 copies of the subscriptions under distinct account ids
CREATE TABLE pint AS
SELECT account_id + c * 1000000 AS account_id, valid_from, valid_to,
       CASE WHEN c % 2 = 0 THEN mrr ELSE mrr / 2 END AS mrr
FROM crm.subscriptions, generate_series(0, 199) c;
ANALYZE pint;
CREATE TABLE pint_ref AS
SELECT kam.mrr_waterfall(account_id, valid_from, valid_to, mrr, 'month')::text AS w,
       count(*) FILTER (WHERE valid_to IS NOT NULL) AS ended,
       count(*) FILTER (WHERE mrr * 100 <> round(mrr * 100)) AS not_cents
FROM pint;
SELECT ended > 10000 AS contracts_ended, not_cents > 10000 AS amounts_not_cents FROM pint_ref;
-- q_all under the current settings against the serial result
CREATE VIEW compare_to_serial AS
SELECT count(*) AS groups,
       bool_and(same_r(s.pairs, p.pairs) AND same_r(s.snapshots, p.snapshots)
                AND same_rows(s.waterfall, p.waterfall, 'kam.mrr_movement')
                AND same_rows(s.cohorts, p.cohorts, 'kam.cohort_cell')
                AND abs(s.nrr - p.nrr) < 1e-12 AND abs(s.grr - p.grr) < 1e-12 AND s.logo = p.logo) AS same_as_serial
FROM serial_result s JOIN q_all p USING (grp);
SELECT grp, round(nrr::numeric, 6) AS nrr, round(grr::numeric, 6) AS grr, round(logo::numeric, 6) AS logo,
       length(waterfall) > 0 AS has_waterfall FROM serial_result ORDER BY grp;

-- partition-wise partial aggregation (no workers)
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
SELECT plan_has('SELECT * FROM q_all', 'Partial HashAggregate') OR plan_has('SELECT * FROM q_all', 'Partial GroupAggregate')
       AS partial_per_partition;
SELECT * FROM compare_to_serial;

-- forced parallel workers doing all the work (serialize / deserialize / combine)
SET enable_partitionwise_aggregate = off;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SELECT plan_has('SELECT * FROM q_all', 'Gather') AS uses_workers,
       plan_has('SELECT * FROM q_all', 'Partial') AS partial_aggregate,
       plan_has('SELECT * FROM compare_to_serial', 'Gather') AS comparison_uses_workers;
SELECT * FROM compare_to_serial;
-- (plan_has, parallel unsafe, in a statement of its own: the comparison must not run serially)
SELECT plan_has('SELECT kam.mrr_waterfall(account_id, month, half) FROM psplit', 'Gather') AS split_parallel;
SELECT same_rows((SELECT kam.mrr_waterfall(account_id, month, half)::text FROM psplit), (SELECT w FROM psplit_ref),
                 'kam.mrr_movement') AS split_waterfall_same,
       same_rows((SELECT kam.cohort_retention(account_id, month, half)::text FROM psplit), (SELECT c FROM psplit_ref),
                 'kam.cohort_cell') AS split_cohorts_same,
       same_rows((SELECT kam.mrr_waterfall(account_id, month, half, 1 + extract(month FROM month)::float8 / 100)::text
                  FROM psplit), (SELECT wr FROM psplit_ref), 'kam.mrr_movement') AS split_rates_same,
       same_rows((SELECT kam.mrr_waterfall(pband(account_id), month, half)::text FROM psplit), (SELECT wb FROM psplit_ref),
                 'kam.mrr_movement') AS split_banded_same,
       same_rows((SELECT kam.cohort_retention(pband(account_id), month, half)::text FROM psplit), (SELECT cb FROM psplit_ref),
                 'kam.cohort_cell') AS split_banded_cohorts_same;
SELECT plan_has($$SELECT kam.retention_agg(far_id, month, half, '2023-07-01', '2024-07-01') FROM pwin$$, 'Gather')
       AS window_split_parallel;
SELECT same_r((SELECT kam.retention_agg(dense_id, month, half, '2023-07-01', '2024-07-01')::text FROM pwin),
              (SELECT dense FROM pwin_ref)) AS window_dense_same,
       same_r((SELECT kam.retention_agg(account_id, month, half, '2023-07-01', '2024-07-01')::text FROM pwin),
              (SELECT sparse FROM pwin_ref)) AS window_sparse_same,
       same_r((SELECT kam.retention_agg(far_id, month, half, '2023-07-01', '2024-07-01')::text FROM pwin),
              (SELECT far FROM pwin_ref)) AS window_far_same,
       same_r((SELECT kam.retention_agg(pband(account_id), month, half, '2023-07-01', '2024-07-01')::text FROM pwin),
              (SELECT banded FROM pwin_ref)) AS window_banded_same,
       same_r((SELECT kam.retention_agg(far_id, month, half, 1 + extract(month FROM month)::float8 / 100,
                                        '2023-07-01', '2024-07-01')::text FROM pwin),
              (SELECT rates FROM pwin_ref)) AS window_rates_same;
-- the partitions' states (each with its marks in bits) combined as they are, without workers
-- and then with them
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
SELECT plan_has($$SELECT kam.retention_agg(dense_id, month, half, '2023-07-01', '2024-07-01') FROM pwin_part$$, 'Partial')
       AS window_partitions_partial;
SELECT same_r((SELECT kam.retention_agg(dense_id, month, half, '2023-07-01', '2024-07-01')::text FROM pwin_part),
              (SELECT dense FROM pwin_ref)) AS window_partitions_same;
SET max_parallel_workers_per_gather = 2;
SELECT plan_has($$SELECT kam.retention_agg(dense_id, month, half, '2023-07-01', '2024-07-01') FROM pwin_part$$, 'Gather')
       AS window_partitions_parallel;
SELECT same_r((SELECT kam.retention_agg(dense_id, month, half, '2023-07-01', '2024-07-01')::text FROM pwin_part),
              (SELECT dense FROM pwin_ref)) AS window_partitions_workers_same;
SET enable_partitionwise_aggregate = off;
SELECT plan_has('SELECT kam.mrr_waterfall(account_id, month, half) FROM pfar', 'Gather') AS far_parallel;
SELECT same_rows((SELECT kam.mrr_waterfall(account_id, month, half)::text FROM pfar), (SELECT w FROM pfar_ref),
                 'kam.mrr_movement') AS far_waterfall_same,
       same_rows((SELECT kam.mrr_waterfall(account_id, month, half, 1 + extract(month FROM month)::float8 / 100)::text
                  FROM pfar), (SELECT wr FROM pfar_ref), 'kam.mrr_movement') AS far_rates_same;
SELECT plan_has('SELECT kam.mrr_waterfall(account_id, valid_from, valid_to, mrr, ''month'') FROM pint', 'Gather')
       AS contracts_parallel;
SELECT same_rows((SELECT kam.mrr_waterfall(account_id, valid_from, valid_to, mrr, 'month')::text FROM pint),
                 (SELECT w FROM pint_ref), 'kam.mrr_movement') AS contracts_waterfall_same;
-- rows that do not repeat an account and date (the histories' latest point off): with dense
-- ids each point names its account's slot of the direct map at first and gets the account's
-- number in batches.  8 000 accounts over 36 months in a scrambled order (the rows of every
-- 500th account one after another, 1 % of the rows twice in a row), then 500 accounts above
-- the map's range (it grows) and a far key (the map gives way to the hash); each form against
-- the same rows keyed by text (the hash from the start), serially, with workers and under 64 kB
CREATE TABLE pslot AS
SELECT a, at, mrr FROM (
    SELECT a, (date '2022-01-01' + make_interval(months => m))::date AS at, m, d,
           ((a * 37 + m * 11) % 1000 / 4.0)::numeric(12,2) AS mrr, (a > 8000)::int AS part,
           (a * 7919 + CASE WHEN a % 500 = 1 THEN 0 ELSE m * 104729 END) % 1000003 AS h
    FROM generate_series(1, 8500) a, generate_series(0, 35) m, generate_series(1, 2) d
    WHERE (a * 7 + m) % 9 <> 0 AND (d = 1 OR (a + m) % 100 = 0)
    UNION ALL
    SELECT 1000000000, date '2023-06-01', 0, 1, 5, 2, 0) s
ORDER BY part, h, m, d;
ANALYZE pslot;
CREATE VIEW slot_same AS
SELECT (SELECT kam.mrr_waterfall(a, at, mrr)::text FROM pslot)
       = (SELECT kam.mrr_waterfall(a::text, at, mrr)::text FROM pslot) AS waterfall_same,
       (SELECT kam.mrr_waterfall(a, at, mrr, 1 + (a % 3) * 0.25)::text FROM pslot)
       = (SELECT kam.mrr_waterfall(a::text, at, mrr, 1 + (a % 3) * 0.25)::text FROM pslot) AS rates_same,
       (SELECT kam.cohort_retention(a, at, mrr)::text FROM pslot)
       = (SELECT kam.cohort_retention(a::text, at, mrr)::text FROM pslot) AS cohorts_same,
       (SELECT kam.survival_agg(a, at, at + 20, '2026-01-01', 10)::text FROM pslot)
       = (SELECT kam.survival_agg(a::text, at, at + 20, '2026-01-01', 10)::text FROM pslot) AS records_same,
       (SELECT kam.retention_agg(a, at, mrr, '2023-01-01', '2024-01-01')::text FROM pslot)
       = (SELECT kam.retention_agg(a::text, at, mrr, '2023-01-01', '2024-01-01')::text FROM pslot) AS window_same,
       (SELECT string_agg(x::text, ',' ORDER BY x::text)
        FROM unnest((SELECT kam.rfm_accounts(a, at, mrr, '2026-01-01'::date, '1 day') FROM pslot)) x)
       = (SELECT string_agg(x::text, ',' ORDER BY x::text)
          FROM unnest((SELECT kam.rfm_accounts(a::text, at, mrr, '2026-01-01'::date, '1 day') FROM pslot)) x) AS rfm_same;
SELECT count(*) AS rows, count(DISTINCT a) AS accounts, count(*) - count(DISTINCT (a, at)) AS twice,
       plan_has('SELECT kam.mrr_waterfall(a, at, mrr) FROM pslot', 'Gather') AS slots_parallel FROM pslot;
SELECT * FROM slot_same;
SET max_parallel_workers_per_gather = 0;
SELECT * FROM slot_same;
SET work_mem = '64kB';
SELECT * FROM slot_same;
RESET work_mem;
-- a history of text keys crosses in key order too, ordered by the hash of each key's bytes,
-- then the bytes (hashtext's hash for text under a deterministic collation): 14 of the accounts
-- above keyed by seven pairs of keys of one hash (found among 400 000), the rest by 'k' || a,
-- in two partitions that part each pair (odd and even ids; the lesser key of a pair in one or
-- the other by turns), aggregated partition-wise (each partition's state in key order,
-- merged); each form serially and with workers against the integer ids
CREATE TABLE pkey AS
SELECT a, coalesce(c.k, 'k' || a) AS k
FROM generate_series(1, 8500) a
LEFT JOIN (SELECT CASE WHEN (n + 1) / 2 % 2 = 1 THEN n WHEN n % 2 = 1 THEN n + 1 ELSE n - 1 END AS n, k
           FROM (SELECT row_number() OVER (ORDER BY h, k) AS n, k
                 FROM (SELECT k, hashtext(k) AS h, count(*) OVER (PARTITION BY hashtext(k)) AS dup
                       FROM (SELECT 'ACME-' || lpad(i::text, 8, '0') AS k FROM generate_series(1, 400000) i) s) d
                 WHERE dup = 2) o) c ON c.n = a AND a <= 14;
CREATE TABLE pslotk (a int, k text, at date, mrr numeric(12,2)) PARTITION BY LIST ((a % 2));
CREATE TABLE pslotk_odd PARTITION OF pslotk FOR VALUES IN (1);
CREATE TABLE pslotk_even PARTITION OF pslotk FOR VALUES IN (0);
INSERT INTO pslotk SELECT s.a, p.k, s.at, s.mrr FROM pslot s JOIN pkey p USING (a) ORDER BY md5(s.a || ' ' || s.at);
ANALYZE pslotk;
SET max_parallel_workers_per_gather = 2;
SET enable_partitionwise_aggregate = on;
SELECT count(DISTINCT k) FILTER (WHERE a <= 14) AS colliding_keys, count(DISTINCT hashtext(k)) FILTER (WHERE a <= 14) AS their_hashes,
       plan_has('SELECT kam.mrr_waterfall(k, at, mrr) FROM pslotk', 'Gather') AS hashed_parallel,
       plan_has('SELECT kam.mrr_waterfall(k, at, mrr) FROM pslotk', 'Partial Aggregate') AS hashed_partitionwise
FROM pslotk;
CREATE VIEW hashed_same AS
SELECT same_rows((SELECT kam.mrr_waterfall(k, at, mrr)::text FROM pslotk),
                 (SELECT kam.mrr_waterfall(a, at, mrr)::text FROM pslotk), 'kam.mrr_movement') AS waterfall_same,
       same_rows((SELECT kam.mrr_waterfall(k, at, mrr, 1 + (a % 3) * 0.25)::text FROM pslotk),
                 (SELECT kam.mrr_waterfall(a, at, mrr, 1 + (a % 3) * 0.25)::text FROM pslotk), 'kam.mrr_movement') AS rates_same,
       same_rows((SELECT kam.cohort_retention(k, at, mrr)::text FROM pslotk),
                 (SELECT kam.cohort_retention(a, at, mrr)::text FROM pslotk), 'kam.cohort_cell') AS cohorts_same,
       (SELECT kam.survival_agg(k, at, at + 20, '2026-01-01', 10)::text FROM pslotk)
       = (SELECT kam.survival_agg(a, at, at + 20, '2026-01-01', 10)::text FROM pslotk) AS records_same,
       (SELECT kam.retention_agg(k, at, mrr, '2023-01-01', '2024-01-01')::text FROM pslotk)
       = (SELECT kam.retention_agg(a, at, mrr, '2023-01-01', '2024-01-01')::text FROM pslotk) AS window_same,
       (SELECT kam.retention_agg(k, at, mrr, 1 + (a % 3) * 0.25, '2023-01-01', '2024-01-01')::text FROM pslotk)
       = (SELECT kam.retention_agg(a, at, mrr, 1 + (a % 3) * 0.25, '2023-01-01', '2024-01-01')::text FROM pslotk)
       AS window_rates_same,
       (SELECT count(*) FROM unnest((SELECT kam.rfm_accounts(k, at, mrr, '2026-01-01'::date, '1 day') FROM pslotk)))
       AS rfm_accounts;
SELECT * FROM hashed_same;
SET max_parallel_workers_per_gather = 0;
SELECT * FROM hashed_same;
SET enable_partitionwise_aggregate = off;
-- the rate form's points cross as the local MRR and a rate of the worker's list when that
-- rate gives the MRR back bit for bit: 1 500 accounts whose points each sum two rows at
-- different rates (3 points in 10 have no such rate: sent as amounts), then 150 000
-- accounts of rates of their own (past the 65 536 a worker's list holds: the rest sent as
-- amounts); serial against two workers, to the last bit
CREATE TABLE pmix AS
SELECT * FROM (
    SELECT a, (date '2023-01-01' + make_interval(months => m))::date AS at, h,
           ((a * 37 + m * 11 + h * 5) % 1000 / 4.0)::numeric(12,2) AS mrr,
           CASE WHEN h = 1 THEN 1.1 ELSE 0.93 END::float8 AS rate
    FROM generate_series(1, 1500) a, generate_series(0, 11) m, generate_series(1, 2) h
    UNION ALL
    SELECT a, (date '2023-01-01' + make_interval(months => a % 12))::date, 1,
           (a % 1000 / 4.0)::numeric(12,2), (1 + a / 1e7)::float8
    FROM generate_series(1501, 151500) a) s
ORDER BY a, at, h;
ANALYZE pmix;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE pmix_ref AS SELECT kam.mrr_waterfall(a, at, mrr, rate)::text AS w FROM pmix;
SET max_parallel_workers_per_gather = 2;
SELECT plan_has('SELECT kam.mrr_waterfall(a, at, mrr, rate) FROM pmix', 'Gather') AS mix_parallel;
SELECT (SELECT kam.mrr_waterfall(a, at, mrr, rate)::text FROM pmix) = w AS mix_waterfall_same FROM pmix_ref;

-- both at once, and an ungrouped aggregate
SET enable_partitionwise_aggregate = on;
SELECT * FROM compare_to_serial;
SELECT plan_has($$SELECT kam.retention_agg(account_id, month, mrr, '2023-07-01', '2024-07-01') FROM psnap$$, 'Gather')
       AS ungrouped_parallel;
SELECT same_r((SELECT kam.retention_agg(account_id, month, mrr, '2023-07-01', '2024-07-01')::text FROM psnap),
              (SELECT kam.rollup(snapshots::kam.retention)::text FROM serial_result)) AS ungrouped_matches_rollup;
-- text-keyed accounts through workers (datum serialization of by-reference keys)
SELECT same_r((SELECT kam.retention_agg('k' || account_id, month, mrr, '2023-07-01', '2024-07-01')::text FROM psnap),
              (SELECT kam.rollup(snapshots::kam.retention)::text FROM serial_result)) AS text_keys_match;
-- and histories keyed by text through workers (each partial state's keys, then its points)
SELECT plan_has($$SELECT kam.mrr_waterfall('k' || account_id, month, mrr) FROM psnap$$, 'Gather') AS text_history_parallel;
SELECT same_rows((SELECT kam.mrr_waterfall('k' || account_id, month, mrr)::text FROM psnap),
                 (SELECT kam.mrr_waterfall(account_id, month, mrr)::text FROM psnap), 'kam.mrr_movement') AS text_history_match;
-- integer keys cross in key order and the leader merges them: dense keys (read off the
-- direct map), sparse and negative int8 keys (sorted), each worker's state against the serial
-- result, and partitions' states (not in key order) merged with workers' (in key order)
SELECT plan_has($$SELECT kam.mrr_waterfall((account_id - 200000)::int8 * 1000003, month, mrr) FROM psnap$$, 'Gather')
       AS sparse_history_parallel;
SELECT same_rows((SELECT kam.mrr_waterfall((account_id - 200000)::int8 * 1000003, month, mrr)::text FROM psnap),
                 (SELECT kam.mrr_waterfall(account_id, month, mrr)::text FROM psnap), 'kam.mrr_movement') AS sparse_history_match,
       same_rows((SELECT kam.cohort_retention((account_id - 200000)::int8 * 1000003, month, mrr)::text FROM psnap),
                 (SELECT kam.cohort_retention(account_id, month, mrr)::text FROM psnap), 'kam.cohort_cell') AS sparse_cohorts_match;
SET enable_partitionwise_aggregate = off;
SELECT same_rows((SELECT kam.mrr_waterfall((account_id - 200000)::int8 * 1000003, month, mrr)::text FROM psnap),
                 (SELECT kam.mrr_waterfall(account_id, month, mrr)::text FROM psnap), 'kam.mrr_movement') AS sparse_workers_only_match;
SET enable_partitionwise_aggregate = on;
-- the comparison itself can fail
SELECT same_rows((SELECT waterfall FROM serial_result WHERE grp = 0), (SELECT waterfall FROM serial_result WHERE grp = 1),
                 'kam.mrr_movement') AS must_be_false_too;
SELECT same_r('(starting=1:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)',
              '(starting=1.01:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)') AS must_be_false;
-- past work_mem the histories are grouped in place as they grow (one point per account and
-- date): the same results with workers and partitions, and serially
SET work_mem = '64kB';
SELECT * FROM compare_to_serial;
SET enable_partitionwise_aggregate = off; SET max_parallel_workers_per_gather = 0;
SELECT * FROM compare_to_serial;
-- every snapshot split into two halves arriving in random order: the same waterfall and cohorts,
-- under 64 kB (the halves summed as the points are grouped) and with room
CREATE VIEW halves_same AS
SELECT same_rows((SELECT kam.mrr_waterfall(account_id, month, half)::text FROM
                    (SELECT account_id, month, mrr / 2 AS half FROM psnap, generate_series(1, 2) ORDER BY random()) h),
                 (SELECT kam.mrr_waterfall(account_id, month, mrr)::text FROM psnap), 'kam.mrr_movement') AS waterfall_same,
       same_rows((SELECT kam.cohort_retention(account_id, month, half, 'quarter')::text FROM
                    (SELECT account_id, month, mrr / 2 AS half FROM psnap, generate_series(1, 2) ORDER BY random()) h),
                 (SELECT kam.cohort_retention(account_id, month, mrr, 'quarter')::text FROM psnap), 'kam.cohort_cell') AS cohorts_same;
SELECT * FROM halves_same;
SET work_mem = '256MB';
SELECT * FROM halves_same;
RESET ALL;
-- many partitions, each holding one point of every account (partitioned by month) or a share
-- of every point (line items, a partition for each of 12 lines): more partial states than the merge
-- picks among (8), so each account's points are sorted instead; the same histories as the
-- unpartitioned table, the rate form too
CREATE TABLE pmonth (account_id int, month date, mrr numeric(12,2)) PARTITION BY RANGE (month);
DO $$
DECLARE m date;
BEGIN
    FOR m IN SELECT DISTINCT date_trunc('month', month)::date FROM psnap LOOP
        EXECUTE format('CREATE TABLE pmonth_%s PARTITION OF pmonth FOR VALUES FROM (%L) TO (%L)',
                       to_char(m, 'YYYYMM'), m, (m + interval '1 month')::date);
    END LOOP;
END $$;
INSERT INTO pmonth SELECT account_id, month, mrr FROM psnap;
CREATE TABLE plines (account_id int, month date, line int, mrr numeric(12,2)) PARTITION BY LIST (line);
DO $$
BEGIN
    FOR i IN 0..11 LOOP
        EXECUTE format('CREATE TABLE plines_%s PARTITION OF plines FOR VALUES IN (%s)', i, i);
    END LOOP;
END $$;
INSERT INTO plines SELECT account_id, month, l, CASE WHEN l = 11 THEN mrr - 11 * round(mrr / 12, 2) ELSE round(mrr / 12, 2) END
FROM psnap, generate_series(0, 11) l;
ANALYZE pmonth, plines;
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT count(*) FROM pg_inherits WHERE inhparent = 'pmonth'::regclass) AS month_partitions,
       plan_has('SELECT kam.mrr_waterfall(account_id, month, mrr) FROM pmonth', 'Partial Aggregate') AS months_partial,
       plan_has('SELECT kam.mrr_waterfall(account_id, month, mrr) FROM plines', 'Partial Aggregate') AS lines_partial;
SELECT same_rows((SELECT kam.mrr_waterfall(account_id, month, mrr)::text FROM pmonth),
                 (SELECT kam.mrr_waterfall(account_id, month, mrr)::text FROM psnap), 'kam.mrr_movement') AS months_waterfall_same,
       same_rows((SELECT kam.cohort_retention(account_id, month, mrr)::text FROM pmonth),
                 (SELECT kam.cohort_retention(account_id, month, mrr)::text FROM psnap), 'kam.cohort_cell') AS months_cohorts_same,
       same_rows((SELECT kam.mrr_waterfall(account_id, month, mrr, 1 + extract(month FROM month)::float8 / 100)::text FROM pmonth),
                 (SELECT kam.mrr_waterfall(account_id, month, mrr, 1 + extract(month FROM month)::float8 / 100)::text FROM psnap),
                 'kam.mrr_movement') AS months_rates_same,
       same_rows((SELECT kam.mrr_waterfall(account_id, month, mrr)::text FROM plines),
                 (SELECT kam.mrr_waterfall(account_id, month, mrr)::text FROM psnap), 'kam.mrr_movement') AS lines_waterfall_same,
       same_rows((SELECT kam.cohort_retention(account_id, month, mrr)::text FROM plines),
                 (SELECT kam.cohort_retention(account_id, month, mrr)::text FROM psnap), 'kam.cohort_cell') AS lines_cohorts_same;
RESET ALL;
-- the leader's own partial state is handed to its Finalize in place (not packed and read
-- back): no workers launched, so the leader runs the whole partial plan under the Gather;
-- then workers and the leader together; then partition-wise partial aggregation without
-- workers (each partition's state handed over).  Waterfall, cohorts, per-account survival
-- (records) and kam.rfm_accounts of dense and sparse keys, against serial results
SET max_parallel_workers_per_gather = 0;
CREATE TABLE hand_ref AS
SELECT kam.mrr_waterfall(account_id, month, mrr)::text AS w,
       kam.cohort_retention(account_id::int8 * 1000003, month, mrr)::text AS c,
       kam.survival_agg(account_id, month, month + 40, '2026-01-01', 10)::text AS s,
       (SELECT string_agg(x::text, ',' ORDER BY x::text)
        FROM unnest((SELECT kam.rfm_accounts(account_id, month, mrr, '2026-01-01'::date, '1 day') FROM psnap)) x) AS r,
       kam.cohort_retention(account_id, month, mrr)::text AS cd
FROM psnap;
CREATE VIEW hand_same AS
SELECT same_rows((SELECT kam.mrr_waterfall(account_id, month, mrr)::text FROM psnap), w, 'kam.mrr_movement') AS waterfall_same,
       same_rows((SELECT kam.cohort_retention(account_id::int8 * 1000003, month, mrr)::text FROM psnap), c,
                 'kam.cohort_cell') AS sparse_cohorts_same,
       (SELECT kam.survival_agg(account_id, month, month + 40, '2026-01-01', 10)::text FROM psnap) = s AS survival_same,
       (SELECT string_agg(x::text, ',' ORDER BY x::text)
        FROM unnest((SELECT kam.rfm_accounts(account_id, month, mrr, '2026-01-01'::date, '1 day') FROM psnap)) x) = r AS rfm_same,
       -- (two aggregates of one transition state: the state handed over twice, read by both)
       (SELECT same_rows(x.w, hand_ref.w, 'kam.mrr_movement') AND same_rows(x.c, cd, 'kam.cohort_cell')
        FROM (SELECT kam.mrr_waterfall(account_id, month, mrr)::text AS w,
                     kam.cohort_retention(account_id, month, mrr)::text AS c FROM psnap) x) AS shared_state_same
FROM hand_ref;
SET max_parallel_workers_per_gather = 2;
SET max_parallel_workers = 0;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = on;
SET enable_partitionwise_aggregate = off;
SELECT plan_has('SELECT kam.mrr_waterfall(account_id, month, mrr) FROM psnap', 'Gather') AS leader_alone_gather;
SELECT * FROM hand_same;
RESET max_parallel_workers;
SELECT * FROM hand_same;
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
SELECT plan_has('SELECT kam.mrr_waterfall(account_id, month, mrr) FROM psnap', 'Partial Aggregate') AS partitions_handed;
SELECT * FROM hand_same;
RESET ALL;
-- several states' runs of an account merged by date rank (every state lists its dates, the
-- leader's own handed over in place too): daily dates, so that the ranks are many. 600
-- accounts of a snapshot a day over 90 days, each day's row in the partition of its parity,
-- every 7th day's in two halves, one in each partition (one date in both states: summed);
-- some days nothing (churned, then back); 50 accounts of three points 40 days apart, in alternate partitions (a span of ranks more
-- than twice their points: merged by date instead); 10 of one point. The waterfall and the
-- cohort table per partition (the partitions' states handed over in place) and then with
-- workers, against the same rows in one state; by day, by week (rows of one week added up in
-- a state before they meet) and in the rate form
CREATE TABLE pranks (k int, account_id int8, at date, mrr numeric(12,2)) PARTITION BY LIST ((k % 2));
CREATE TABLE pranks_even PARTITION OF pranks FOR VALUES IN (0);
CREATE TABLE pranks_odd PARTITION OF pranks FOR VALUES IN (1);
INSERT INTO pranks
SELECT d + h, a, date '2024-01-01' + d,
       CASE WHEN d % 7 <> 0 THEN v WHEN h = 0 THEN round(v / 3, 2) ELSE v - round(v / 3, 2) END
FROM generate_series(1, 600) a, generate_series(0, 89) d, generate_series(0, 1) h,
     LATERAL (SELECT CASE WHEN (a + d) % 17 = 5 THEN 0
                          ELSE ((a % 13 + 1) * 10.01 + d * (a % 3) * 0.37)::numeric(12,2) END AS v) x
WHERE h = 0 OR d % 7 = 0
UNION ALL
SELECT j, 1000 + a, date '2024-01-01' + 40 * j + a % 5, 20 + a
FROM generate_series(1, 50) a, generate_series(0, 2) j
UNION ALL
SELECT 1, 2000 + a, date '2024-02-01' + a, 5 FROM generate_series(1, 10) a;
ANALYZE pranks;
CREATE TABLE pranks_ref AS
SELECT kam.mrr_waterfall(account_id, at, mrr)::text AS w,
       kam.cohort_retention(account_id, at, mrr)::text AS c,
       kam.mrr_waterfall(account_id, at, mrr, 'week')::text AS ww,
       kam.cohort_retention(account_id, at, mrr, 'week')::text AS cw,
       kam.mrr_waterfall(account_id, at, mrr, 1 + (at - date '2024-01-01')::float8 / 1000)::text AS wr,
       count(*) FILTER (WHERE k % 2 = 1 AND (at - date '2024-01-01') % 7 = 0 AND account_id <= 600) AS halves
FROM (SELECT * FROM pranks ORDER BY k % 2, account_id, at) o;
SELECT halves AS pranks_halves FROM pranks_ref;
CREATE VIEW pranks_same AS
SELECT same_rows((SELECT kam.mrr_waterfall(account_id, at, mrr)::text FROM pranks), w, 'kam.mrr_movement') AS w_same,
       same_rows((SELECT kam.cohort_retention(account_id, at, mrr)::text FROM pranks), c, 'kam.cohort_cell') AS c_same,
       same_rows((SELECT kam.mrr_waterfall(account_id, at, mrr, 'week')::text FROM pranks), ww, 'kam.mrr_movement')
           AS week_same,
       same_rows((SELECT kam.cohort_retention(account_id, at, mrr, 'week')::text FROM pranks), cw, 'kam.cohort_cell')
           AS week_cohorts_same,
       same_rows((SELECT kam.mrr_waterfall(account_id, at, mrr, 1 + (at - date '2024-01-01')::float8 / 1000)::text
                  FROM pranks), wr, 'kam.mrr_movement') AS rates_same
FROM pranks_ref;
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
SELECT plan_has('SELECT kam.mrr_waterfall(account_id, at, mrr) FROM pranks', 'Partial Aggregate') AS pranks_partial;
SELECT * FROM pranks_same;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT plan_has('SELECT kam.mrr_waterfall(account_id, at, mrr) FROM pranks', 'Gather') AS pranks_workers;
SELECT * FROM pranks_same;
RESET ALL;
DROP VIEW pranks_same;
DROP TABLE pranks, pranks_ref;
