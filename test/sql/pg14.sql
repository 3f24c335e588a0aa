-- Inputs that exist from PostgreSQL 14 on: numeric Infinity and multiranges.  On
-- PostgreSQL 13 the inputs themselves cannot be written, and the text of a multirange is
-- kam's error with a hint (expected/pg14_1.out); every other test has one output for all
-- versions.

-- numeric Infinity is never an amount: 22003, like NaN
SELECT test_error($q$SELECT kam.monthly_amount('Infinity', 'month')$q$);
SELECT test_error($q$SELECT kam.retention_agg(a, m, x, '2024-01-01', '2024-03-01')
                     FROM (VALUES (1, '2024-01-01'::date, 'Infinity'::numeric)) v(a, m, x)$q$);
SELECT test_error($q$SELECT kam.cohort_retention(a, m, x) FROM (VALUES (1, '2024-01-01'::date, 'Infinity'::numeric)) v(a, m, x)$q$);
SELECT test_error($q$SELECT kam.top_share(x, 2) FROM (VALUES ('Infinity'::numeric)) v(x)$q$);
SELECT test_error($q$SELECT kam.hhi(x) FROM (VALUES (1.0), ('-Infinity'::numeric)) v(x)$q$);

-- several pauses: a datemultirange, or its text (a quoted literal, a JDBC varchar
-- parameter); an empty multirange pauses nothing
SELECT 'multirange' AS pause, string_agg(mrr::text, ' ' ORDER BY at) AS mrr_jan_to_aug
FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-08-01',
                      paused => datemultirange(daterange('2024-02-01', '2024-03-01'), daterange('2024-06-01', NULL)));
SELECT 'text multirange' AS pause, string_agg(mrr::text, ' ' ORDER BY at) AS mrr_jan_to_aug
FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-08-01', paused => '{[2024-02-01,2024-03-01), [2024-05-01,2024-07-01)}');
SELECT 'empty multirange' AS pause, string_agg(mrr::text, ' ' ORDER BY at) AS mrr_jan_to_aug
FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-08-01', paused => '{}');
SELECT 'varchar multirange' AS pause, string_agg(mrr::text, ' ' ORDER BY at) AS mrr_jan_to_aug
FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-08-01', paused => '{[2024-07-01,)}'::varchar);
