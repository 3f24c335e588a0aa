-- Engagement cadence (SPEC section 8): kam.touch_gaps and kam.cadence_met over an activity log.

-- hand-worked (docs/kam.md): window 2024-01-01 .. 2024-07-01 (182 days); touches on Jan 10,
-- Jan 10 again, Feb 20, May 5 and Jun 28, and one on Jul 3 (outside the window)
CREATE TEMP TABLE touches(account text, at timestamptz, kind text);
INSERT INTO touches VALUES
    ('A', '2024-01-10 09:00', 'meeting'), ('A', '2024-01-10 15:00', 'email'), ('A', '2024-02-20 10:00', 'qbr'),
    ('A', '2024-05-05 11:00', 'call'), ('A', '2024-06-28 16:00', 'qbr'), ('A', '2024-07-03 10:00', 'qbr'),
    ('B', '2024-03-15 10:00', 'qbr');
-- gaps: Jan 1 -> Jan 10 = 9, Jan 10 -> Feb 20 = 41, Feb 20 -> May 5 = 75, May 5 -> Jun 28 = 54,
-- Jun 28 -> Jul 1 = 3; 5 touches * 30 / 182 days
SELECT account, (kam.touch_gaps(at::date, '2024-01-01', '2024-07-01')).*
FROM touches GROUP BY account ORDER BY account;
SELECT (kam.touch_gaps(at::date, '2024-01-01', '2024-07-01')).touches_per_30_days = 5 * 30 / 182.0 AS per_30_days_exact
FROM touches WHERE account = 'A';
-- timestamptz form: the day in the session time zone
SELECT (kam.touch_gaps(at, '2024-01-01', '2024-07-01'))::text = (kam.touch_gaps(at::date, '2024-01-01', '2024-07-01'))::text AS timestamptz_same
FROM touches WHERE account = 'A';
-- QBR each quarter: A has a QBR in Q1 (Feb 20) and Q2 (Jun 28); B only in Q1; any touch in
-- every 2 months: A misses Mar-Apr
SELECT account,
       kam.cadence_met(at, '2024-01-01', '2024-07-01', '3 months') FILTER (WHERE kind = 'qbr') AS qbr_each_quarter,
       kam.cadence_met(at, '2024-01-01', '2024-07-01', '2 months') AS touch_every_2_months,
       kam.cadence_met(at::date, '2024-01-01', '2024-07-01', '6 months') AS touch_each_half_year
FROM touches GROUP BY account ORDER BY account;
-- only whole periods ending by "to" count: to = 2024-06-15 leaves Q2 open, so B meets it
SELECT account, kam.cadence_met(at, '2024-01-01', '2024-06-15', '3 months') AS qbr_each_closed_quarter
FROM touches WHERE kind = 'qbr' GROUP BY account ORDER BY account;
-- weekly and day-count periods; a period shorter than the window
SELECT kam.cadence_met(d, '2024-01-01', '2024-01-29', '1 week') AS weekly_met,
       kam.cadence_met(d, '2024-01-01', '2024-01-29', '10 days') AS ten_days_met,
       kam.cadence_met(d, '2024-01-01', '2024-01-05', '1 week') AS no_whole_period
FROM (VALUES (date '2024-01-02'), ('2024-01-09'), ('2024-01-20'), ('2024-01-22')) v(d);

-- accounts without any touch (LEFT JOIN: a NULL at sets the window): 0 touches, the whole
-- window as the gap, and the cadence not met
SELECT a.account, (kam.touch_gaps(t.at, '2024-01-01', '2024-07-01')).*,
       kam.cadence_met(t.at, '2024-01-01', '2024-07-01', '3 months') AS met
FROM (VALUES ('A'), ('C')) a(account) LEFT JOIN touches t USING (account)
GROUP BY a.account ORDER BY a.account;
-- no row at all: NULL
SELECT kam.touch_gaps(at, '2024-01-01', '2024-07-01') IS NULL AS no_rows_null,
       kam.cadence_met(at, '2024-01-01', '2024-07-01', '1 month') IS NULL AS no_rows_null_cadence
FROM touches WHERE false;
-- an empty window: no gap, no rate
SELECT (kam.touch_gaps(at, '2024-03-01', '2024-03-01')).* FROM touches;

-- the sample CRM's activity log against plain SQL with lag() over a window, per account over
-- 2024: touches, distinct days, the last touch, the longest gap (from 2024-01-01 and up to
-- 2025-01-01) and the days since the last touch
CREATE TEMP TABLE ref_gaps AS
WITH days AS (SELECT DISTINCT account_id, at::date AS d FROM crm.activities WHERE at >= '2024-01-01' AND at < '2025-01-01'),
gaps AS (SELECT account_id, d, d - coalesce(lag(d) OVER (PARTITION BY account_id ORDER BY d), date '2024-01-01') AS gap FROM days)
SELECT g.account_id, count(*) AS touch_days, max(d) AS last_touch,
       greatest(max(gap), date '2025-01-01' - max(d)) AS longest_gap, date '2025-01-01' - max(d) AS days_since_last,
       (SELECT count(*) FROM crm.activities x WHERE x.account_id = g.account_id AND x.at >= '2024-01-01' AND x.at < '2025-01-01') AS touches
FROM gaps g GROUP BY g.account_id;
CREATE TEMP TABLE kam_gaps AS
SELECT account_id, (kam.touch_gaps(at, '2024-01-01', '2025-01-01')).* FROM crm.activities GROUP BY account_id;
SELECT count(*) AS accounts, sum(r.touches) AS touches,
       count(*) FILTER (WHERE k.touches <> r.touches OR k.touch_days <> r.touch_days OR k.last_touch <> r.last_touch
                          OR k.longest_gap <> r.longest_gap OR k.days_since_last <> r.days_since_last) AS differ,
       count(*) FILTER (WHERE k.touches = 0) AS untouched_in_2024
FROM ref_gaps r FULL JOIN kam_gaps k USING (account_id);
-- QBR coverage per team (key accounts and mid-market: a QBR in each quarter of 2024), against
-- plain SQL counting the quarters with a QBR. The other touches pass a NULL at (CASE, not
-- FILTER): they set the window, so an account with no QBR at all is false, not NULL
SELECT m.team, count(*) AS accounts, round(avg(met::int), 3) AS qbr_coverage,
       count(*) FILTER (WHERE met IS DISTINCT FROM (quarters = 4)) AS differ_from_plain_sql,
       count(*) FILTER (WHERE met_filter IS NULL) AS filter_gives_null
FROM (SELECT account_id,
             kam.cadence_met(CASE WHEN kind = 'qbr' THEN at END, '2024-01-01', '2025-01-01', '3 months') AS met,
             kam.cadence_met(at, '2024-01-01', '2025-01-01', '3 months') FILTER (WHERE kind = 'qbr') AS met_filter,
             count(DISTINCT date_trunc('quarter', at)) FILTER (WHERE kind = 'qbr' AND at >= '2024-01-01' AND at < '2025-01-01') AS quarters
      FROM crm.activities GROUP BY account_id) x
JOIN crm.accounts a USING (account_id) JOIN crm.managers m USING (manager_id)
WHERE m.team <> 'SMB'
GROUP BY m.team ORDER BY m.team;

-- forced parallel workers (serialize / deserialize / combine) give the serial result
CREATE TABLE many_touches AS SELECT a.*, c FROM crm.activities a, generate_series(1, 20) c;
ANALYZE many_touches;
CREATE TEMP TABLE serial_gaps AS
SELECT account_id, (kam.touch_gaps(at, '2023-01-01', '2025-01-01'))::text AS g,
       kam.cadence_met(at, '2023-01-01', '2025-01-01', '1 month') AS m
FROM many_touches GROUP BY account_id;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT account_id, kam.touch_gaps(at, '2023-01-01', '2025-01-01') FROM many_touches GROUP BY account_id;
SELECT count(*) AS accounts,
       count(*) FILTER (WHERE s.g IS DISTINCT FROM p.g OR s.m IS DISTINCT FROM p.m) AS parallel_differ
FROM serial_gaps s
FULL JOIN (SELECT account_id, (kam.touch_gaps(at, '2023-01-01', '2025-01-01'))::text AS g,
                  kam.cadence_met(at, '2023-01-01', '2025-01-01', '1 month') AS m
           FROM many_touches GROUP BY account_id) p USING (account_id);
-- a single group across workers (every partial state combined into one)
SELECT (kam.touch_gaps(at, '2023-01-01', '2025-01-01')).touches = 20 * (SELECT count(*) FROM crm.activities WHERE at < '2025-01-01') AS all_touches,
       (kam.touch_gaps(at, '2023-01-01', '2025-01-01')).touch_days
         = (SELECT count(DISTINCT at::date) FROM crm.activities WHERE at < '2025-01-01') AS same_days
FROM many_touches;
EXPLAIN (COSTS OFF) SELECT kam.touch_gaps(at, '2023-01-01', '2025-01-01') FROM many_touches;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size; RESET parallel_leader_participation;
DROP TABLE many_touches;

-- errors
SELECT test_error($$SELECT kam.cadence_met(d, '2024-01-01', '2024-07-01', '0 days') FROM (VALUES (date '2024-02-01')) v(d)$$);
SELECT test_error($$SELECT kam.cadence_met(d, '2024-01-01', '2024-07-01', '-1 month') FROM (VALUES (date '2024-02-01')) v(d)$$);
SELECT test_error($$SELECT kam.cadence_met(d, '2024-01-01', '2024-07-01', '1 month -40 days') FROM (VALUES (date '2024-02-01')) v(d)$$);
SELECT test_error($$SELECT kam.cadence_met(d, '2024-01-01', '2024-07-01', '36 hours') FROM (VALUES (date '2024-02-01')) v(d)$$);
SELECT test_error($$SELECT kam.cadence_met(d, '2024-01-01', '2024-07-01', NULL) FROM (VALUES (date '2024-02-01')) v(d)$$);
SELECT test_error($$SELECT kam.cadence_met(d, '2024-01-01', '2024-07-01', e) FROM (VALUES (date '2024-02-01', interval '1 month'), ('2024-03-01', '2 months')) v(d, e)$$);
SELECT test_error($$SELECT kam.touch_gaps(d, '2024-07-01', '2024-01-01') FROM (VALUES (date '2024-02-01')) v(d)$$);
SELECT test_error($$SELECT kam.touch_gaps(d, NULL, '2024-01-01') FROM (VALUES (date '2024-02-01')) v(d)$$);
SELECT test_error($$SELECT kam.touch_gaps(d, '-infinity', '2024-01-01') FROM (VALUES (date '2024-02-01')) v(d)$$);
SELECT test_error($$SELECT kam.touch_gaps(d, f, '2025-01-01') FROM (VALUES (date '2024-02-01', date '2024-01-01'), ('2024-03-01', '2024-02-01')) v(d, f)$$);
-- the row type of kam.touch_gaps, as a BI tool sees its columns
SELECT pg_typeof(kam.touch_gaps(d, '2024-01-01', '2024-07-01')) AS type,
       (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
        FROM pg_attribute WHERE attrelid = 'kam.touch_gaps_result'::regclass AND attnum > 0) AS columns
FROM (VALUES (date '2024-02-01')) v(d);
