-- kam.rfm: RFM summary of transactions, lifetimes conventions (docs/ltv.md)
CREATE TABLE tx (customer int, at timestamptz, amount numeric);
INSERT INTO tx VALUES
  (1, '2024-01-01 09:00', 10), (1, '2024-01-01 17:00', 5),    -- first day, two purchases summed
  (1, '2024-01-08 10:00', 20),                                  -- repeat 1
  (1, '2024-01-22 12:00', 30),                                  -- repeat 2
  (1, '2024-03-01 12:00', 99),                                  -- after observation_end: ignored
  (2, '2024-01-30 08:00', 40),                                  -- one purchase: x = 0
  (3, '2024-02-15 08:00', 40),                                  -- only after the end: NULL
  (4, NULL, 10), (4, '2024-01-05', NULL);                       -- NULLs skipped: NULL
-- days, ages in weeks: x = 2, t_x = 21/7 = 3, T = 30/7, monetary = (20 + 30) / 2 = 25
SELECT customer, (r).frequency, (r).recency, round((r).age::numeric, 6) AS age, (r).monetary
FROM (SELECT customer, kam.rfm(at, amount, '2024-01-31', '1 day', '7 days') AS r FROM tx GROUP BY customer) x
ORDER BY customer;
-- periods of 7 days (weeks start on Monday; 2024-01-01 is a Monday): x = 2, t_x = 3, T = 4 (the 31st is in week 4)
SELECT customer, kam.rfm(at, amount, '2024-01-31', '7 days') FROM tx GROUP BY customer ORDER BY customer;
-- monthly periods: everything in January is one purchase
SELECT customer, kam.rfm(at, amount, '2024-03-31', '1 month') FROM tx GROUP BY customer ORDER BY customer;
-- hours, in days
SELECT kam.rfm(at, amount, '2024-01-02', '1 hour', '1 day') FROM tx WHERE customer = 1;
-- the result type
SELECT pg_typeof(kam.rfm(at, amount, '2024-01-31', '1 day'))::text = 'kam.rfm_summary' AS is_rfm_summary FROM tx;
-- empty input
SELECT kam.rfm(at, amount, '2024-01-31', '1 day') IS NULL AS empty FROM tx WHERE false;

-- CDNOW: the summary built from the raw transactions reproduces lifetimes' calibration summary
CREATE TABLE cdnow_raw (line text);
\copy cdnow_raw FROM 'test/data/cdnow/CDNOW_sample.txt'
CREATE TABLE cdnow_tx AS
SELECT f[2]::int AS id, to_date(f[3], 'YYYYMMDD') AS day, f[4]::int AS cds, f[5]::numeric AS dollars
FROM (SELECT regexp_split_to_array(btrim(line, E' \r'), '\s+') AS f FROM cdnow_raw) r;
CREATE TABLE cdnow_summary (id int, frequency int, recency float8, "T" float8);
\copy cdnow_summary FROM 'test/data/cdnow/cdnow_customers_summary.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE cdnow_monetary (id int, x int, t_x float8, "T" float8, zbar float8);
\copy cdnow_monetary FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
SELECT count(*) AS transactions, count(DISTINCT id) AS customers FROM cdnow_tx;
CREATE TABLE cdnow_rfm AS
SELECT id, (r).* FROM (
    SELECT id, kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days') AS r
    FROM cdnow_tx GROUP BY id) x;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE k.frequency = s.frequency) AS x_exact,
       count(*) FILTER (WHERE abs(k.recency - s.recency) <= 0.005) AS t_x_to_2_decimals,
       count(*) FILTER (WHERE abs(k.age - s."T") <= 0.005) AS t_to_2_decimals,
       -- zbar is rounded to cents, half up (97.575 -> 97.58): half a cent plus float noise
       count(*) FILTER (WHERE abs(k.monetary - m.zbar) <= 0.005 + 1e-9) AS monetary_to_the_cent,
       sum(k.frequency) AS sum_x, max(k.frequency) AS max_x, count(*) FILTER (WHERE k.frequency = 0) AS one_time_buyers
FROM cdnow_rfm k JOIN cdnow_summary s USING (id) JOIN cdnow_monetary m USING (id);
SELECT round(avg(monetary) FILTER (WHERE frequency > 0)::numeric, 2) AS mean_zbar_repeaters FROM cdnow_rfm;

-- a group's fixed arguments may come from its own columns: groups of three observation ends,
-- side by side, each summarised to its own end (serially and, below, with workers), as three
-- queries of one end each give them
CREATE VIEW cdnow_ends_same AS
SELECT count(*) AS customers, count(e.r) AS summaries, bool_and(e.r IS NOT DISTINCT FROM c.r) AS own_ends
FROM (SELECT id, kam.rfm(day, dollars, date '1997-09-30' - (id % 3) * 30, '1 day', '7 days')::text AS r
      FROM cdnow_tx GROUP BY id) e
JOIN (SELECT id, kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days')::text AS r FROM cdnow_tx WHERE id % 3 = 0 GROUP BY id
      UNION ALL
      SELECT id, kam.rfm(day, dollars, '1997-08-31', '1 day', '7 days')::text FROM cdnow_tx WHERE id % 3 = 1 GROUP BY id
      UNION ALL
      SELECT id, kam.rfm(day, dollars, '1997-08-01', '1 day', '7 days')::text FROM cdnow_tx WHERE id % 3 = 2 GROUP BY id) c
USING (id);
SELECT * FROM cdnow_ends_same;

-- parallel workers give the serial summaries
CREATE TABLE cdnow_serial AS
SELECT id, kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days')::text AS r FROM cdnow_tx GROUP BY id;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT count(*) AS customers, bool_and(p.r = s.r) AS same_as_serial
FROM (SELECT id, kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days')::text AS r FROM cdnow_tx GROUP BY id) p
JOIN cdnow_serial s USING (id);
SELECT kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days')::text
     = (SELECT kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days')::text FROM cdnow_tx WHERE id = 1) AS ungrouped_parallel
FROM cdnow_tx WHERE id = 1 OR id > 100000;
SELECT plan_has('SELECT * FROM cdnow_ends_same', 'Partial') AS ends_use_workers;
SELECT * FROM cdnow_ends_same;
RESET ALL;
-- groups' states crossing from the workers with purchases out of order, amounts that are not
-- whole cents (a third of them here, and -0), periods of a microsecond (of 12 digits) and the
-- holdout form's second list: with workers the serial summaries of 50 groups of customers to
-- the last bit
CREATE TABLE rfm_pack AS
SELECT id % 50 AS g, day, CASE WHEN k % 3 = 0 THEN dollars::float8 * 1.1 WHEN k % 17 = 0 THEN -0.0::float8
                     ELSE dollars::float8 END AS amt
FROM (SELECT id, day, dollars, row_number() OVER (ORDER BY id, day, dollars) AS k FROM cdnow_tx) t
ORDER BY (k * 7919) % 10007;
ANALYZE rfm_pack;
CREATE VIEW rfm_pack_q AS
SELECT g, kam.rfm(day, amt, '1997-09-30', '1 day', '7 days')::text AS r,
       kam.rfm_holdout(day, amt, '1997-06-30', '1997-09-30', '1 day', '7 days')::text AS h,
       kam.rfm(day::timestamptz, amt, '1997-09-30'::timestamptz, '1 microsecond', '7 days')::text AS us
FROM rfm_pack GROUP BY g;
CREATE TABLE rfm_pack_serial AS SELECT * FROM rfm_pack_q;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT plan_has('SELECT * FROM rfm_pack_q', 'Partial') AS pack_uses_workers;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.r = s.r) AS summaries_same,
       count(*) FILTER (WHERE p.h IS NOT DISTINCT FROM s.h) AS holdouts_same, count(*) FILTER (WHERE p.us = s.us) AS microseconds_same
FROM rfm_pack_q p JOIN rfm_pack_serial s USING (g);
RESET ALL;
-- a period's amounts add up in one order (ascending) whatever the rows' order, so serial,
-- parallel and partitioned plans agree to the last bit: 0.1 + 0.2 + 0.3 is 0.6000000000000001
-- in double precision added in that order, 0.6 in some others
SELECT count(DISTINCT r) AS results, min(r) AS summary, min(h) AS holdout_summary
FROM (SELECT p, kam.rfm(day, amt, '2024-01-31'::date, '1 day' ORDER BY (o * p) % 7)::text AS r,
             kam.rfm_holdout(day, amt, '2024-01-01'::date, '2024-01-31', '1 day' ORDER BY (o * p) % 7)::text AS h
      FROM (VALUES (1, '2024-01-01'::date, 5.0::float8), (2, '2024-01-02', 0.1), (3, '2024-01-02', 0.2), (4, '2024-01-02', 0.3)) v(o, day, amt),
           generate_series(1, 6) p
      GROUP BY p) x;

-- a group keeps its purchases in 8 bytes each while every amount is a whole number of cents up
-- to 21 474 836.47 and every period number fits 32 bits, else in 16 (docs/ltv.md): the two
-- forms give the same summaries to the last bit. 200 groups of customers; on every second
-- group's first day a -0 amount (not whole cents by its bits, and adding nothing to the day's
-- total), the rows in scrambled order so that it comes first, last or between; the rows in
-- three partitions, so that partition-wise partial states of both forms combine in either
-- order: every summary the one of the numeric amounts without it
CREATE TABLE rfm_forms (g int, day date, amt float8, part int) PARTITION BY LIST (part);
CREATE TABLE rfm_forms_0 PARTITION OF rfm_forms FOR VALUES IN (0);
CREATE TABLE rfm_forms_1 PARTITION OF rfm_forms FOR VALUES IN (1);
CREATE TABLE rfm_forms_2 PARTITION OF rfm_forms FOR VALUES IN (2);
INSERT INTO rfm_forms
SELECT g, day, amt, abs(hashtext(day::text || amt::text)) % 3 FROM (
    SELECT id % 200 AS g, day, dollars::float8 AS amt FROM cdnow_tx
    UNION ALL
    SELECT id % 200, min(day), -0.0::float8 FROM cdnow_tx WHERE id % 2 = 0 GROUP BY id % 200) t
ORDER BY hashtext(g::text || day::text || amt::text);
ANALYZE rfm_forms;
CREATE TABLE rfm_forms_numeric AS
SELECT id % 200 AS g, kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days')::text AS r FROM cdnow_tx GROUP BY id % 200;
CREATE VIEW rfm_forms_same AS
SELECT count(*) AS groups, count(*) FILTER (WHERE f.r = s.r) AS same_as_numeric,
       count(*) FILTER (WHERE f.r = s.r AND g % 2 = 0) AS with_minus_zero_same
FROM (SELECT g, kam.rfm(day, amt, '1997-09-30', '1 day', '7 days')::text AS r FROM rfm_forms GROUP BY g) f
JOIN rfm_forms_numeric s USING (g);
SELECT * FROM rfm_forms_same;
SET enable_partitionwise_aggregate = on;
SELECT plan_has('SELECT * FROM rfm_forms_same', 'Partial') AS forms_partial_per_partition;
SELECT * FROM rfm_forms_same;
RESET ALL;
-- the bounds of the 8-byte form: 21 474 836.47 is kept as cents, 21 474 836.48 and 30 000 000
-- are not; period numbers of microseconds do not fit 32 bits. By hand, weeks from Monday
-- 2024-01-01: x = 2, t_x = 2, T = 4, monetary (30 000 000 + 21 474 836.47 + 0.01) / 2
-- = 25 737 418.24 (25 737 418.240000002 in double precision), in every order of the rows; of
-- microseconds T = 30 days / 7
SELECT count(DISTINCT r) AS results, min(r) AS weekly, count(DISTINCT u) AS results_us, min(u) AS by_microsecond
FROM (SELECT p, kam.rfm(d, amt, '2024-01-31'::date, '7 days' ORDER BY (o * p) % 5)::text AS r,
             kam.rfm(d::timestamptz, amt, '2024-01-31'::timestamptz, '1 microsecond', '7 days' ORDER BY (o * p) % 5)::text AS u
      FROM (VALUES (1, '2024-01-01'::date, 10.00::numeric), (2, '2024-01-08', 30000000.00),
                   (3, '2024-01-15', 21474836.47), (4, '2024-01-15', 0.01)) v(o, d, amt),
           generate_series(1, 4) p
      GROUP BY p) x;

-- the forms over dates and numeric amounts, as transaction tables store them, give the
-- timestamptz / double precision form's summaries: the date form reads the calendar as written,
-- with no time zone lookup; numeric amounts are read exactly as numeric::float8
-- (cdnow_tx has date days and numeric dollars: kam.rfm(day, dollars, ...) above is the date and
-- numeric form)
SELECT count(*) AS customers,
       count(*) FILTER (WHERE a.r = b.r) AS date_float8_same,
       count(*) FILTER (WHERE a.r = c.r) AS date_numeric_same,
       count(*) FILTER (WHERE a.r = e.r) AS timestamptz_numeric_same,
       count(*) FILTER (WHERE a.w = b.w AND a.w = c.w) AS weekly_periods_same
FROM (SELECT id, kam.rfm(day::timestamptz, dollars::float8, '1997-09-30'::timestamptz, '1 day', '7 days')::text AS r,
             kam.rfm(day::timestamptz, dollars::float8, '1997-09-30'::timestamptz, '7 days')::text AS w FROM cdnow_tx GROUP BY id) a
JOIN (SELECT id, kam.rfm(day, dollars::float8, '1997-09-30', '1 day', '7 days')::text AS r,
             kam.rfm(day, dollars::float8, '1997-09-30', '7 days')::text AS w FROM cdnow_tx GROUP BY id) b USING (id)
JOIN (SELECT id, kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days')::text AS r,
             kam.rfm(day, dollars, '1997-09-30', '7 days')::text AS w FROM cdnow_tx GROUP BY id) c USING (id)
JOIN (SELECT id, kam.rfm(day::timestamptz, dollars, '1997-09-30', '1 day', '7 days')::text AS r FROM cdnow_tx GROUP BY id) e USING (id);
SELECT pg_typeof(day) AS day_type, pg_typeof(dollars) AS dollars_type FROM cdnow_tx LIMIT 1;
-- one customer by hand (purchases 2024-01-01, 01-03 twice, 01-10; weeks from Monday 2024-01-01):
-- periods of 1 day: x = 2, t_x = 9, T = 30, monetary (5 + 7 + 4) / 2 = 8
SELECT kam.rfm(d, amt, '2024-01-31'::date, '1 day') AS by_day, kam.rfm(d, amt, '2024-01-31'::date, '7 days') AS by_week,
       kam.rfm(d, amt::float8, '2024-01-31'::date, '1 month') AS by_month
FROM (VALUES ('2024-01-01'::date, 3.00::numeric), ('2024-01-03', 5.00), ('2024-01-03', 7.00), ('2024-01-10', 4.00),
             ('2024-02-01', 100.00), (NULL, 1.00), ('2024-01-05', NULL)) v(d, amt);
SELECT test_error($q$SELECT kam.rfm('infinity'::date, 1.0::numeric, '2024-01-31'::date, '1 day')$q$);
SELECT test_error($q$SELECT kam.rfm('2024-01-01'::date, 'NaN'::numeric, '2024-01-31'::date, '1 day')$q$);
SELECT test_error($q$SELECT kam.rfm('2024-01-01'::date, -1.0::numeric, '2024-01-31'::date, '1 day')$q$);

-- kam.rfm_holdout (lifetimes' calibration_and_holdout_data): calibration to 1997-09-30, holdout
-- to 1998-06-30 (39 weeks). The calibration summary is the plain form's; the holdout holds the
-- 1 882 repeat purchase days that the BG/NBD model fitted on the calibration predicts as 1 653
-- (Fader, Hardie & Lee 2005)
CREATE TABLE cdnow_hold AS
SELECT id, (r).* FROM (
    SELECT id, kam.rfm_holdout(day, dollars, '1997-09-30', '1998-06-30', '1 day', '7 days') AS r
    FROM cdnow_tx GROUP BY id) x;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE (h.frequency, h.recency, h.age, h.monetary) = (k.frequency, k.recency, k.age, k.monetary)) AS calibration_as_plain_form,
       sum(holdout_frequency) AS holdout_purchase_days, min(holdout_duration) AS weeks_min, max(holdout_duration) AS weeks_max,
       round(avg(holdout_monetary) FILTER (WHERE holdout_frequency > 0)::numeric, 2) AS mean_holdout_spend
FROM cdnow_hold h JOIN cdnow_rfm k USING (id);
-- against the raw rows: distinct purchase days after the calibration end
SELECT (SELECT sum(holdout_frequency) FROM cdnow_hold)
     = (SELECT count(DISTINCT (id, day)) FROM cdnow_tx WHERE day > '1997-09-30' AND day <= '1998-06-30') AS holdout_matches_raw;
SELECT round(sum(kam.bgnbd_expected(m, holdout_duration, frequency, recency, age))::numeric, 0) AS predicted_holdout,
       sum(holdout_frequency) AS actual_holdout
FROM cdnow_hold, (SELECT kam.bgnbd_fit(frequency, recency, age) AS m FROM cdnow_hold) f;
-- a customer first seen in the holdout has no calibration summary (NULL); ungrouped parallel workers
SELECT kam.rfm_holdout(day, dollars, '1997-09-30', '1998-06-30', '1 day') IS NULL AS first_seen_in_holdout
FROM (VALUES ('1997-10-05'::timestamptz, 10.0::float8)) v(day, dollars);
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT kam.rfm_holdout(day, dollars, '1997-09-30', '1998-06-30', '1 day', '7 days')::text
     = (SELECT kam.rfm_holdout(day, dollars, '1997-09-30', '1998-06-30', '1 day', '7 days')::text FROM cdnow_tx WHERE id = 1) AS holdout_parallel
FROM cdnow_tx WHERE id = 1 OR id > 100000;
SELECT plan_has('SELECT * FROM cdnow_ends_same', 'Partial') AS ends_use_workers;
SELECT * FROM cdnow_ends_same;
RESET ALL;
-- the tracking chart: cumulative repeat purchases per week, expected (the sum over customers of
-- E[X(week - first purchase week)] under the calibration fit) against actual; at the end of the
-- calibration and of the holdout
CREATE TABLE cdnow_track AS
WITH f AS (SELECT kam.bgnbd_fit(frequency, recency, age) AS m FROM cdnow_hold),
born AS (SELECT id, min(day) AS first_day FROM cdnow_tx GROUP BY id),
weeks AS (SELECT w, DATE '1997-01-01' + 7 * w AS week_end FROM generate_series(1, 78) w),
expected AS (SELECT w, sum(kam.bgnbd_expected(m, greatest(week_end - first_day, 0) / 7.0)) AS expected
             FROM weeks, born, f GROUP BY w),
actual AS (SELECT w, count(*) AS actual
           FROM weeks JOIN (SELECT DISTINCT t.id, t.day FROM cdnow_tx t JOIN born b ON b.id = t.id AND t.day > b.first_day) r
             ON r.day <= week_end GROUP BY w)
SELECT w, week_end, round(expected::numeric, 1) AS expected, coalesce(actual, 0) AS actual
FROM expected LEFT JOIN actual USING (w) JOIN weeks USING (w);
SELECT w, week_end, expected, actual FROM cdnow_track WHERE w IN (13, 39, 78) ORDER BY w;

-- errors
SELECT test_error($q$SELECT kam.rfm(at, -amount, '2024-01-31', '1 day') FROM tx WHERE amount > 0$q$);
SELECT test_error($q$SELECT kam.rfm(at, 'NaN'::float8, '2024-01-31', '1 day') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm(at, amount, '2024-01-31', '1 month 1 day') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm(at, amount, '2024-01-31', '0 days') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm(at, amount, '2024-01-31', '-1 day') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm(at, amount, '2024-01-31', '1 day', '1 month') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm(at, amount, at, '1 day') FROM tx$q$);
-- a period or unit past 2^63 microseconds (106 751 991 days) is refused, the longest one works
SELECT test_error($q$SELECT kam.rfm(at, amount, '2024-01-31', '106751992 days') FROM tx$q$) AS period_too_long,
       test_error($q$SELECT kam.rfm_accounts(customer, at, amount, '2024-01-31', '1 day', '2000000000 days') FROM tx$q$) AS unit_too_long;
SELECT (kam.rfm(d, 1, date '2025-01-01', '1 day', '106751991 days')).age = 366.0 / 106751991 AS longest_unit
FROM (VALUES (date '2024-01-01')) v(d);
SELECT test_error($q$SELECT kam.rfm('infinity'::timestamptz, 1, '2024-01-31', '1 day')$q$);
SELECT test_error($q$SELECT kam.rfm(now(), 1, 'infinity', '1 day')$q$);
SELECT test_error($q$SELECT kam.rfm_holdout(at, amount, '2024-01-31', '2024-01-31', '1 day') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm_holdout(at, amount, '2024-01-31', at, '1 day') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm_holdout(at, amount, '2024-01-31', '2024-03-31', '1 day', '1 month') FROM tx$q$);
-- the holdout summary's type and its columns by name
SELECT pg_typeof(kam.rfm_holdout(day, dollars, '1997-09-30', '1998-06-30', '1 day', '7 days'))::text = 'kam.rfm_holdout_summary' AS is_holdout_summary,
       (kam.rfm_holdout(day, dollars, '1997-09-30', '1998-06-30', '1 day', '7 days')::kam.rfm_holdout_summary).holdout_duration AS weeks
FROM cdnow_tx WHERE id = 1;

-- kam.rfm_accounts: every account's summary at once, no GROUP BY. The small example: customer
-- 3 (only after the end) and 4 (only NULL rows) have no element; the others are kam.rfm's
SELECT r.account, r.frequency, r.recency, round(r.age::numeric, 6) AS age, r.monetary
FROM unnest((SELECT kam.rfm_accounts(customer, at, amount, '2024-01-31', '1 day', '7 days') FROM tx)) r
ORDER BY r.account;
SELECT pg_typeof(kam.rfm_accounts(customer, at, amount, '2024-01-31', '7 days'))::text AS result_type FROM tx;
-- empty input: NULL; rows, none up to observation_end: no account
SELECT kam.rfm_accounts(customer, at, amount, '2024-01-31', '1 day') IS NULL AS empty_is_null FROM tx WHERE false;
SELECT kam.rfm_accounts(customer, at, amount, '2023-01-31', '1 day') AS none_before_end FROM tx;
-- every form over CDNOW against kam.rfm grouped by customer: frequency, recency and age
-- exactly, monetary to 1e-12 relative (one period's purchases may be summed in another order)
CREATE FUNCTION rfm_accounts_match(arr kam.account_rfm[], grouped text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    EXECUTE format($f$
        SELECT count(*) || ' accounts, ' || count(*) FILTER (WHERE g.r IS NOT NULL AND a.frequency = (g.r).frequency
               AND a.recency = (g.r).recency AND a.age = (g.r).age
               AND abs(a.monetary - (g.r).monetary) <= 1e-12 * greatest(1, abs((g.r).monetary))) || ' equal'
        FROM unnest(%L::kam.account_rfm[]) a FULL JOIN (%s) g ON g.id::text = a.account$f$, arr, grouped)
    INTO r;
    RETURN r;
END $$;
SELECT rfm_accounts_match((SELECT kam.rfm_accounts(id, day, dollars, '1997-09-30', '1 day', '7 days') FROM cdnow_tx),
    $$SELECT id, kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days') AS r FROM cdnow_tx GROUP BY id$$) AS date_numeric_unit,
       rfm_accounts_match((SELECT kam.rfm_accounts(id, day, dollars, '1997-09-30', '7 days') FROM cdnow_tx),
    $$SELECT id, kam.rfm(day, dollars, '1997-09-30', '7 days') AS r FROM cdnow_tx GROUP BY id$$) AS date_numeric;
SELECT rfm_accounts_match((SELECT kam.rfm_accounts(id, day, dollars::float8, '1997-09-30', '1 day', '7 days') FROM cdnow_tx),
    $$SELECT id, kam.rfm(day, dollars::float8, '1997-09-30', '1 day', '7 days') AS r FROM cdnow_tx GROUP BY id$$) AS date_float8_unit,
       rfm_accounts_match((SELECT kam.rfm_accounts(id, day, dollars::float8, '1997-09-30', '1 month') FROM cdnow_tx),
    $$SELECT id, kam.rfm(day, dollars::float8, '1997-09-30', '1 month') AS r FROM cdnow_tx GROUP BY id$$) AS date_float8_months;
SET TimeZone = 'America/New_York';
SELECT rfm_accounts_match((SELECT kam.rfm_accounts(id, day + time '20:00', dollars, '1997-09-30', '1 day', '7 days') FROM cdnow_tx),
    $$SELECT id, kam.rfm(day + time '20:00', dollars, '1997-09-30', '1 day', '7 days') AS r FROM cdnow_tx GROUP BY id$$) AS timestamptz_numeric_unit,
       rfm_accounts_match((SELECT kam.rfm_accounts(id, (day + time '20:00')::timestamptz, dollars, '1997-09-30'::timestamptz, '1 day') FROM cdnow_tx),
    $$SELECT id, kam.rfm((day + time '20:00')::timestamptz, dollars, '1997-09-30'::timestamptz, '1 day') AS r FROM cdnow_tx GROUP BY id$$) AS timestamptz_numeric,
       rfm_accounts_match((SELECT kam.rfm_accounts(id, day::timestamptz, dollars::float8, '1997-09-30'::timestamptz, '1 hour', '7 days') FROM cdnow_tx),
    $$SELECT id, kam.rfm(day::timestamptz, dollars::float8, '1997-09-30'::timestamptz, '1 hour', '7 days') AS r FROM cdnow_tx GROUP BY id$$) AS timestamptz_float8_unit,
       rfm_accounts_match((SELECT kam.rfm_accounts(id, day::timestamptz, dollars::float8, '1997-09-30'::timestamptz, '7 days') FROM cdnow_tx),
    $$SELECT id, kam.rfm(day::timestamptz, dollars::float8, '1997-09-30'::timestamptz, '7 days') AS r FROM cdnow_tx GROUP BY id$$) AS timestamptz_float8;
RESET TimeZone;
-- text, uuid and sparse negative bigint keys: the same summaries, keys as their text
SELECT rfm_accounts_match((SELECT kam.rfm_accounts('c' || id, day, dollars, '1997-09-30', '1 day', '7 days') FROM cdnow_tx),
    $$SELECT 'c' || id AS id, kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days') AS r FROM cdnow_tx GROUP BY id$$) AS text_keys,
       rfm_accounts_match((SELECT kam.rfm_accounts(md5(id::text)::uuid, day, dollars, '1997-09-30', '1 day', '7 days') FROM cdnow_tx),
    $$SELECT md5(id::text)::uuid AS id, kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days') AS r FROM cdnow_tx GROUP BY id$$) AS uuid_keys,
       rfm_accounts_match((SELECT kam.rfm_accounts(-id::int8 * 1000000007, day, dollars, '1997-09-30', '1 day', '7 days') FROM cdnow_tx),
    $$SELECT -id::int8 * 1000000007 AS id, kam.rfm(day, dollars, '1997-09-30', '1 day', '7 days') AS r FROM cdnow_tx GROUP BY id$$) AS sparse_bigint_keys;
-- lifetimes' summary, as the grouped form reproduces it (x exact, t_x, T, monetary to the cent)
SELECT count(*) AS customers,
       count(*) FILTER (WHERE k.frequency = s.frequency AND abs(k.recency - s.recency) <= 0.005
                        AND abs(k.age - s."T") <= 0.005 AND abs(k.monetary - m.zbar) <= 0.005 + 1e-9) AS as_lifetimes
FROM unnest((SELECT kam.rfm_accounts(id, day, dollars, '1997-09-30', '1 day', '7 days') FROM cdnow_tx)) k
JOIN cdnow_summary s ON s.id::text = k.account JOIN cdnow_monetary m ON m.id = s.id;

-- the combine path: forced parallel workers, and partition-wise partial aggregates, give the
-- serial arrays; 8 copies of the transactions (55 352 rows) so both workers take part
CREATE TABLE rfm_copies AS SELECT id + c * 100000 AS id, day, dollars, (id + c) % 3 AS grp FROM cdnow_tx, generate_series(0, 7) c;
CREATE TABLE rfm_parts (id int, day date, dollars numeric, grp int) PARTITION BY HASH (id);
CREATE TABLE rfm_parts_0 PARTITION OF rfm_parts FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE rfm_parts_1 PARTITION OF rfm_parts FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO rfm_parts SELECT * FROM rfm_copies;
ANALYZE rfm_copies; ANALYZE rfm_parts;
CREATE TABLE rfm_acc_serial AS
SELECT grp, kam.rfm_accounts(id, day, dollars, '1997-09-30', '1 day', '7 days') AS a FROM rfm_copies GROUP BY 1;
CREATE FUNCTION rfm_acc_sorted(a kam.account_rfm[]) RETURNS text LANGUAGE sql PARALLEL RESTRICTED AS $$
    SELECT string_agg(format('%s %s %s %s %s', account, frequency, recency, age, round(monetary::numeric, 9)), ';' ORDER BY account)
    FROM unnest(a) $$;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT plan_has($$SELECT kam.rfm_accounts(id, day, dollars, '1997-09-30', '1 day', '7 days') FROM rfm_copies$$, 'Partial Aggregate') AS workers_partial;
CREATE TABLE rfm_acc_parallel AS
SELECT kam.rfm_accounts(id, day, dollars, '1997-09-30', '1 day', '7 days') AS a FROM rfm_copies;
RESET ALL;
SELECT cardinality(p.a) AS accounts,
       rfm_acc_sorted(p.a) = (SELECT rfm_acc_sorted(array_agg(e)) FROM rfm_acc_serial, unnest(a) e) AS parallel_same_as_serial
FROM rfm_acc_parallel p;
SET enable_partitionwise_aggregate = on; SET max_parallel_workers_per_gather = 0;
SELECT plan_has($$SELECT grp, kam.rfm_accounts(id, day, dollars, '1997-09-30', '1 day', '7 days') FROM rfm_parts GROUP BY 1$$,
                'Partial HashAggregate')
    OR plan_has($$SELECT grp, kam.rfm_accounts(id, day, dollars, '1997-09-30', '1 day', '7 days') FROM rfm_parts GROUP BY 1$$,
                'Partial GroupAggregate') AS partial_per_partition;
SELECT count(*) AS groups, bool_and(rfm_acc_sorted(p.a) = rfm_acc_sorted(s.a)) AS partitions_same_as_serial
FROM (SELECT grp, kam.rfm_accounts(id, day, dollars, '1997-09-30', '1 day', '7 days') AS a FROM rfm_parts GROUP BY 1) p
JOIN rfm_acc_serial s USING (grp);
RESET ALL;

-- as a window aggregate the final function runs after each peer group and more rows follow
-- (the history is grouped in place and stays valid): the accounts seen so far at three days,
-- and the last frame equal to the plain aggregate
CREATE TABLE rfm_running AS
SELECT DISTINCT ON (day) day, kam.rfm_accounts(id, day, dollars, '1997-09-30', '1 day', '7 days') OVER (ORDER BY day) AS a
FROM cdnow_tx WHERE day <= '1997-09-30' ORDER BY day DESC;
SELECT day, cardinality(a) AS accounts, cardinality(a) = (SELECT count(DISTINCT id) FROM cdnow_tx t WHERE t.day <= r.day) AS as_counted
FROM rfm_running r WHERE day IN ('1997-01-01', '1997-01-31', '1997-03-31') ORDER BY day;
SELECT rfm_acc_sorted(a) = rfm_acc_sorted((SELECT kam.rfm_accounts(id, day, dollars, '1997-09-30', '1 day', '7 days') FROM cdnow_tx))
       AS last_frame_as_aggregate
FROM rfm_running WHERE day = '1997-09-30';

-- errors: the arguments of kam.rfm, checked the same way; observation_end, period and unit
-- fixed for the whole aggregate; period numbers beyond int4; keys without a hash
SELECT test_error($q$SELECT kam.rfm_accounts(customer, at, -amount, '2024-01-31', '1 day') FROM tx WHERE amount > 0$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(1, '2024-01-01'::date, 'NaN'::numeric, '2024-01-31'::date, '1 day')$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(1, 'infinity'::date, 1.0, '2024-01-31'::date, '1 day')$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(1, '2024-01-01'::date, 1.0, 'infinity'::date, '1 day')$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(customer, at, amount, '2024-01-31', '1 month 1 day') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(customer, at, amount, '2024-01-31', '0 days') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(customer, at, amount, '2024-01-31', '1 day', '-7 days') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(customer, at, amount, '2024-01-31', '1 day', '1 month') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(customer, at, amount, at, '1 day') FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(customer, at, amount, '2024-01-31', (customer || ' days')::interval) FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(customer, at, amount, '2024-01-31', '1 day', (customer || ' days')::interval) FROM tx$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(1, d, 1.0, '2024-01-31'::date, '1 microsecond')
                    FROM (VALUES ('2024-01-01'::date), ('1990-01-01')) v(d)$q$);
SELECT test_error($q$SELECT kam.rfm_accounts(point(1, 2), '2024-01-01'::date, 1.0, '2024-01-31'::date, '1 day')$q$);
