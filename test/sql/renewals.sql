-- Renewals (SPEC section 8): kam.renewal_agg -> kam.renewals and its accessors.
-- A term with from <= term_end < to is renewed when renewed_on is set and not after as_of:
-- on time when renewed_on <= term_end + grace (30 days by default), late otherwise; a term not
-- renewed is lost once as_of > term_end + grace, pending before.

-- hand-worked (docs/kam.md): window 2024-01-01 .. 2024-07-01, as of 2024-07-01
CREATE TEMP TABLE terms(label text, term_end date, renewed_on date, term_value numeric, renewal_value numeric);
INSERT INTO terms VALUES
    ('A on time, uplift',             '2024-01-31', '2024-01-20', 1000, 1100),
    ('B in the grace, downgrade',     '2024-02-29', '2024-03-20', 2000, 1500),
    ('C late (45 days)',              '2024-03-31', '2024-05-15',  500,  500),
    ('D lost',                        '2024-04-30', NULL,           800, NULL),
    ('E pending (grace to 07-15)',    '2024-06-15', NULL,           300, NULL),
    ('F renewed after as_of: pending','2024-06-20', '2024-08-01',  400,  400),
    ('G outside the window',          '2024-07-01', '2024-06-01',  999,  999);
SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2024-07-01', '2024-07-01') AS summary
FROM terms;
SELECT (kam.renewals(r)).*
FROM (SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2024-07-01', '2024-07-01') AS r FROM terms) x;
-- renewal rate 3 / 4; gross (1000 + 1500 + 500) / (3500 + 800); net (1100 + 1500 + 500) / 4300; on time 2 / 3
SELECT kam.renewal_rate(r) = 3.0 / 4 AS renewal_rate, kam.gross_renewal_rate(r) = 3000.0 / 4300 AS gross,
       kam.net_renewal_rate(r) = 3100.0 / 4300 AS net, kam.on_time_rate(r) = 2.0 / 3 AS on_time
FROM (SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2024-07-01', '2024-07-01') AS r FROM terms) x;
-- no grace: B (20 days after its end) is late; 90 days: C is on time and E still pending
SELECT g AS grace_days, (kam.renewals(kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2024-07-01', '2024-07-01', g))).*
FROM terms, (VALUES (0), (90)) v(g) GROUP BY g ORDER BY g;
-- as of an earlier day: what was known then (C not yet renewed, D still in its grace)
SELECT (kam.renewals(kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2024-07-01', '2024-05-10'))).*
FROM terms;
-- the forms: double precision values, timestamptz dates (the day in the session time zone)
SELECT kam.renewal_agg(term_end, renewed_on, term_value::float8, renewal_value::float8, '2024-01-01', '2024-07-01', '2024-07-01')
         OPERATOR(kam.=) kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2024-07-01', '2024-07-01') AS float8_form_same,
       kam.renewal_agg(term_end::timestamptz + interval '13 hours', renewed_on::timestamptz + interval '9 hours', term_value, renewal_value,
                       timestamptz '2024-01-01', timestamptz '2024-07-01', timestamptz '2024-07-01 18:00', 30)
         OPERATOR(kam.=) kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2024-07-01', '2024-07-01') AS timestamptz_form_same
FROM terms;
-- no row: NULL; rows but none due in the window: an empty summary, every rate NULL
SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2024-07-01', '2024-07-01') IS NULL AS empty_is_null
FROM terms WHERE false;
SELECT r AS none_due, kam.renewal_rate(r), kam.gross_renewal_rate(r), kam.net_renewal_rate(r), kam.on_time_rate(r)
FROM (SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2030-01-01', '2030-07-01', '2030-07-01') AS r FROM terms) x;
-- only pending terms: nothing decided, rates NULL; terms of value 0: value rates NULL, count rates defined
SELECT kam.renewal_rate(r) AS renewal_rate, kam.net_renewal_rate(r) AS net, (kam.renewals(r)).pending
FROM (SELECT kam.renewal_agg(term_end, NULL::date, term_value, NULL::numeric, '2024-01-01', '2024-07-01', '2024-01-15') AS r FROM terms) x;
SELECT kam.renewal_rate(r) AS renewal_rate, kam.gross_renewal_rate(r) AS gross, kam.on_time_rate(r) AS on_time
FROM (SELECT kam.renewal_agg(term_end, renewed_on, 0::numeric, CASE WHEN renewed_on IS NOT NULL THEN 0::numeric END, '2024-01-01', '2024-07-01', '2024-07-01') AS r FROM terms) x;

-- text and binary forms
SELECT '(on_time=2,late=1,lost=1,pending=2,renewed_term=3500,lost_term=800,pending_term=700,renewal=3100,renewal_kept=3000)'::kam.renewals::text AS text_round_trip;
-- values that are not binary fractions read back equal (the garden also checks binary and dump)
SELECT r::text::kam.renewals OPERATOR(kam.=) r AS text_equal, kam.net_renewal_rate(r::text::kam.renewals) = kam.net_renewal_rate(r) AS same_rate
FROM (SELECT kam.renewal_agg(term_end, renewed_on, term_value * 1.1, renewal_value * 1.1, '2024-01-01', '2024-07-01', '2024-07-01') AS r FROM terms) x;
SELECT test_error($$SELECT '(on_time=-1,late=0,lost=0,pending=0,renewed_term=0,lost_term=0,pending_term=0,renewal=0,renewal_kept=0)'::kam.renewals$$);
SELECT test_error($$SELECT '(on_time=1.5,late=0,lost=0,pending=0,renewed_term=0,lost_term=0,pending_term=0,renewal=0,renewal_kept=0)'::kam.renewals$$);
SELECT test_error($$SELECT '(on_time=1,late=0,lost=0,pending=0,renewed_term=NaN,lost_term=0,pending_term=0,renewal=0,renewal_kept=0)'::kam.renewals$$);
SELECT test_error($$SELECT '(on_time=0,late=0,lost=0,pending=0,renewed_term=0,lost_term=5,pending_term=0,renewal=0,renewal_kept=0)'::kam.renewals$$);
SELECT test_error($$SELECT '(on_time=0,late=0,lost=0,pending=0,renewed_term=0,lost_term=0,pending_term=0,renewal=0)'::kam.renewals$$);
SELECT test_error($$SELECT '(on_time=1,late=0,lost=0,pending=0,renewed_term=-1,lost_term=0,pending_term=0,renewal=0,renewal_kept=0)'::kam.renewals$$);

-- the sample CRM's contract terms against plain SQL: per manager, 2024 terms as of 2025-01-01
CREATE TEMP TABLE ref_renewals AS
SELECT a.manager_id,
       count(*) FILTER (WHERE renewed_on IS NOT NULL AND renewed_on <= '2025-01-01' AND renewed_on <= term_end + 30) AS on_time,
       count(*) FILTER (WHERE renewed_on IS NOT NULL AND renewed_on <= '2025-01-01' AND renewed_on > term_end + 30) AS late,
       count(*) FILTER (WHERE (renewed_on IS NULL OR renewed_on > '2025-01-01') AND date '2025-01-01' > term_end + 30) AS lost,
       count(*) FILTER (WHERE (renewed_on IS NULL OR renewed_on > '2025-01-01') AND date '2025-01-01' <= term_end + 30) AS pending,
       sum(least(renewal_value, term_value)) FILTER (WHERE renewed_on <= '2025-01-01')
         / nullif(sum(term_value) FILTER (WHERE renewed_on <= '2025-01-01' OR date '2025-01-01' > term_end + 30), 0) AS gross,
       sum(renewal_value) FILTER (WHERE renewed_on <= '2025-01-01')
         / nullif(sum(term_value) FILTER (WHERE renewed_on <= '2025-01-01' OR date '2025-01-01' > term_end + 30), 0) AS net
FROM crm.contract_terms t JOIN crm.accounts a USING (account_id)
WHERE term_end >= '2024-01-01' AND term_end < '2025-01-01'
GROUP BY 1;
CREATE TEMP TABLE kam_renewals AS
SELECT a.manager_id, kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2025-01-01', '2025-01-01') AS r
FROM crm.contract_terms t JOIN crm.accounts a USING (account_id)
GROUP BY 1;
SELECT count(*) AS managers, sum(x.on_time + x.late + x.lost + x.pending) AS terms_due,
       sum(x.lost) AS lost, sum(x.late) AS late,
       count(*) FILTER (WHERE (kam.renewals(k.r)).on_time <> x.on_time OR (kam.renewals(k.r)).late <> x.late
                          OR (kam.renewals(k.r)).lost <> x.lost OR (kam.renewals(k.r)).pending <> x.pending) AS counts_differ,
       count(*) FILTER (WHERE abs(kam.gross_renewal_rate(k.r) - x.gross) > 1e-12 OR abs(kam.net_renewal_rate(k.r) - x.net) > 1e-12
                          OR (kam.gross_renewal_rate(k.r) IS NULL) <> (x.gross IS NULL)) AS rates_differ
FROM ref_renewals x JOIN kam_renewals k USING (manager_id);
-- the company's summary is the roll-up of the managers' (the combine function)
CREATE AGGREGATE renewals_rollup(kam.renewals) (SFUNC = kam.renewal_combine, STYPE = kam.renewals, COMBINEFUNC = kam.renewal_combine);
SELECT renewals_rollup(r) OPERATOR(kam.=) (SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2025-01-01', '2025-01-01')
                             FROM crm.contract_terms) AS rollup_equals_company
FROM kam_renewals;
-- as Citus does it: partial states shipped as text, combined on the coordinator
CREATE AGGREGATE renewal_partial(date, date, numeric, numeric, date, date, date) (
    SFUNC = kam.renewal_sfunc, STYPE = kam.renewals, COMBINEFUNC = kam.renewal_combine);
SELECT kam.renewal_combine(w0.p::kam.renewals, w1.p::kam.renewals)
         OPERATOR(kam.=) (SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2025-01-01', '2025-01-01')
            FROM crm.contract_terms) AS citus_text_replay_equal
FROM (SELECT account_id % 2 AS w, renewal_partial(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2025-01-01', '2025-01-01')::text AS p
      FROM crm.contract_terms GROUP BY 1) w0,
     (SELECT account_id % 2 AS w, renewal_partial(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2025-01-01', '2025-01-01')::text AS p
      FROM crm.contract_terms GROUP BY 1) w1
WHERE w0.w = 0 AND w1.w = 1;
-- forced parallel workers (partial aggregates combined by the leader) and partitions
CREATE TEMP TABLE many_terms AS SELECT t.*, c FROM crm.contract_terms t, generate_series(1, 40) c;
CREATE TABLE part_terms (LIKE many_terms) PARTITION BY HASH (account_id);
CREATE TABLE part_terms_0 PARTITION OF part_terms FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE part_terms_1 PARTITION OF part_terms FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE part_terms_2 PARTITION OF part_terms FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO part_terms SELECT * FROM many_terms;
ANALYZE part_terms;
CREATE TEMP TABLE serial_result AS
SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2025-01-01', '2025-01-01') AS r FROM many_terms;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off; SET enable_partitionwise_aggregate = on;
SELECT (SELECT r FROM serial_result) OPERATOR(kam.=) kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2025-01-01', '2025-01-01')
         AS parallel_partitioned_same
FROM part_terms;
EXPLAIN (COSTS OFF)
SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2024-01-01', '2025-01-01', '2025-01-01') FROM part_terms;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size; RESET parallel_leader_participation; RESET enable_partitionwise_aggregate;
DROP TABLE part_terms;

-- errors
SELECT test_error($$SELECT kam.renewal_agg(NULL::date, NULL::date, 1::numeric, NULL::numeric, '2024-01-01', '2024-07-01', '2024-07-01')$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', NULL::date, 1::numeric, 5::numeric, '2024-01-01', '2024-07-01', '2024-07-01')$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', date '2024-02-01', 1::numeric, NULL::numeric, '2024-01-01', '2024-07-01', '2024-07-01')$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', NULL::date, NULL::numeric, NULL::numeric, '2024-01-01', '2024-07-01', '2024-07-01')$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', NULL::date, 'NaN'::numeric, NULL::numeric, '2024-01-01', '2024-07-01', '2024-07-01')$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', NULL::date, 'Infinity'::float8, NULL::float8, '2024-01-01', '2024-07-01', '2024-07-01')$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', date '2024-02-01', 100::numeric, -5::numeric, '2024-01-01', '2024-07-01', '2024-07-01')$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', NULL::date, 1::numeric, NULL::numeric, '2024-01-01', '2024-07-01', '2024-07-01', -1)$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', NULL::date, 1::numeric, NULL::numeric, '2024-01-01', '2024-07-01', '2024-07-01', NULL)$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', NULL::date, 1::numeric, NULL::numeric, '2024-07-01', '2024-01-01', '2024-07-01')$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', NULL::date, 1::numeric, NULL::numeric, '2024-01-01', '2024-07-01', NULL)$$);
SELECT test_error($$SELECT kam.renewal_agg(date 'infinity', NULL::date, 1::numeric, NULL::numeric, '2024-01-01', '2024-07-01', '2024-07-01')$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', date 'infinity', 1::numeric, 1::numeric, '2024-01-01', '2024-07-01', '2024-07-01')$$);
SELECT test_error($$SELECT kam.renewal_agg(date '2024-02-01', NULL::date, 1e308::float8, NULL::float8, '2024-01-01', '2024-07-01', '2024-07-01') FROM generate_series(1, 3)$$);
-- NULL summaries: the accessors are strict
SELECT kam.renewal_rate(NULL) IS NULL AS null_in_null_out, (kam.renewals(NULL::kam.renewals)).due IS NULL AS row_null;
-- the row type of kam.renewals, as a BI tool sees its columns
SELECT pg_typeof(kam.renewals(kam.renewal_sfunc(NULL, date '2024-02-01', NULL::date, 1::numeric, NULL::numeric, '2024-01-01', '2024-07-01', '2024-07-01'))) AS type,
       (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
        FROM pg_attribute WHERE attrelid = 'kam.renewals_row'::regclass AND attnum > 0) AS columns;

-- ======================== kam.renewal_forecast ========================
-- hand-worked (docs/kam.md): from 2025-01-01 over 6 months; A ends 2025-03-15 (MRR 1000, p 0.8),
-- B ends on the first day (500, 0.5), C ended before it (200, 0.9), D runs past the horizon (300).
-- January to March: committed A + D = 1300, renewals 0.5 * 500 + 0.9 * 200 = 430; from April A is
-- due too: 300 committed, 430 + 800 = 1230. Variance 0.25 * 500^2 + 0.09 * 200^2 (+ 0.16 * 1000^2
-- from April); the band is cut to [committed, committed + everything due]
CREATE TEMP TABLE fc(label text, term_end date, mrr numeric, p float8);
INSERT INTO fc VALUES ('A', '2025-03-15', 1000, 0.8), ('B', '2025-01-01', 500, 0.5), ('C', '2024-12-01', 200, 0.9),
                      ('D', '2026-01-01', 300, 0.7);
SELECT f.month, f.committed, f.renewals, f.expected, round(f.lower::numeric, 2) AS lower, round(f.upper::numeric, 2) AS upper,
       round((1730 - 1.959963984540054 * sqrt(0.25 * 500 ^ 2 + 0.09 * 200 ^ 2))::numeric, 2) AS jan_lower_uncut,
       round((1530 - 1.959963984540054 * sqrt(0.25 * 500 ^ 2 + 0.09 * 200 ^ 2 + 0.16 * 1000 ^ 2))::numeric, 2) AS apr_lower
FROM unnest((SELECT kam.renewal_forecast(term_end, mrr, p, '2025-01-01', 6) FROM fc)) f;
-- 80 %: a narrower band; timestamps and float8 give the same; NULL rows do not count
SELECT (SELECT kam.renewal_forecast(term_end, mrr, p, '2025-01-01', 6, 0.8) FROM fc)::text
     = (SELECT kam.renewal_forecast(term_end::timestamptz, mrr::float8, p, '2025-01-01'::timestamptz, 6, 0.8)
        FROM (SELECT * FROM fc UNION ALL SELECT 'E', NULL, 100, 0.5 UNION ALL SELECT 'F', '2025-02-01', NULL, 0.5
              UNION ALL SELECT 'G', '2025-02-01', 100, NULL) x)::text AS same_forms,
       (SELECT (f).lower FROM (SELECT unnest(kam.renewal_forecast(term_end, mrr, p, '2025-01-01', 6, 0.8)) AS f FROM fc) y
        WHERE (f).month = '2025-04-01') > 598.04 AS narrower;
-- the sample CRM against plain SQL: terms in force at 2025-01-01 (started, not ended more than 30
-- days before), MRR = term value / 12, p = 0.85 (1 for a term already renewed); per month the
-- MRR of terms ending after its first day, plus p * MRR of the others
CREATE TEMP TABLE fc_crm AS
SELECT term_end, term_value / 12 AS mrr, CASE WHEN renewed_on IS NOT NULL THEN 1.0 ELSE 0.85 END::float8 AS p
FROM crm.contract_terms WHERE term_start <= '2025-01-01' AND term_end >= '2024-12-02';
SELECT count(*) AS terms, bool_and(abs(k.committed - s.committed) < 1e-6 AND abs(k.renewals - s.renewals) < 1e-6) AS matches_sql,
       round(min(k.expected)::numeric, 2) AS min_expected, round(max(k.expected)::numeric, 2) AS max_expected
FROM unnest((SELECT kam.renewal_forecast(term_end, mrr, p, '2025-01-01', 12) FROM fc_crm)) k
JOIN (SELECT m::date AS month,
             sum(mrr) FILTER (WHERE term_end > m)::float8 AS committed,
             coalesce(sum(p * mrr) FILTER (WHERE term_end <= m), 0)::float8 AS renewals
      FROM fc_crm, generate_series('2025-01-01'::date, '2025-12-01', '1 month') m GROUP BY m) s USING (month),
     (SELECT count(*) FROM fc_crm) c(terms)
GROUP BY terms;
-- the combine path: parallel workers, and Citus' replay of two partial states through their text
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
CREATE TEMP TABLE fc_big AS SELECT f.* FROM fc_crm f, generate_series(1, 40);
SELECT kam.renewal_forecast(term_end, mrr, p, '2025-01-01', 12)::text AS par FROM fc_big \gset
RESET ALL;
SELECT :'par' = (SELECT kam.renewal_forecast(term_end, mrr, p, '2025-01-01', 12)::text FROM fc_big) AS parallel_equals_serial;
SELECT kam.renewal_forecast_final(kam.renewal_forecast_combine(
           (SELECT kam.renewal_forecast_sfunc(NULL, term_end, mrr, p, '2025-01-01'::date, 12) FROM fc_crm LIMIT 1)::text::float8[],
           (SELECT kam.renewal_forecast_sfunc(NULL, term_end, mrr, p, '2025-01-01'::date, 12) FROM fc_crm LIMIT 1)::text::float8[]))::text IS NOT NULL AS replayable;
-- empty input: NULL; errors
SELECT kam.renewal_forecast(term_end, mrr, p, '2025-01-01', 6) IS NULL AS empty FROM fc WHERE false;
SELECT test_error($q$SELECT kam.renewal_forecast(term_end, mrr, p, '2025-01-01', 0) FROM fc$q$);
SELECT test_error($q$SELECT kam.renewal_forecast(term_end, mrr, 1.5, '2025-01-01', 6) FROM fc$q$);
SELECT test_error($q$SELECT kam.renewal_forecast(term_end, -mrr, p, '2025-01-01', 6) FROM fc$q$);
SELECT test_error($q$SELECT kam.renewal_forecast(term_end, mrr, p, '2025-01-01', 6, 1) FROM fc$q$);
SELECT test_error($q$SELECT kam.renewal_forecast(term_end, mrr, p, term_end, 6) FROM fc$q$);
SELECT test_error($q$SELECT kam.renewal_forecast(term_end, mrr, p, NULL::date, 6) FROM fc$q$);
SELECT test_error($q$SELECT kam.renewal_forecast('infinity'::date, 1, 0.5, '2025-01-01', 6)$q$);
SELECT test_error($q$SELECT kam.renewal_forecast_final('{1,2,3}')$q$);
-- the element type of the forecast, by name
SELECT pg_typeof((kam.renewal_forecast(term_end, mrr, p, '2025-01-01', 6))[1])::text = 'kam.renewal_forecast_month' AS is_forecast_month,
       ((kam.renewal_forecast(term_end, mrr, p, '2025-01-01', 6))[4]::kam.renewal_forecast_month).renewals AS april_renewals
FROM fc;
