-- Key-account scoring, selection and portfolio (docs/scoring.md)

-- kam.scale: linear map to [0, 1], clamped; low > high reverses
SELECT kam.scale(20, 0, 100) AS typical, kam.scale(20, 100, 0) AS reversed,
       kam.scale(0, 0, 100) AS at_low, kam.scale(100, 0, 100) AS at_high,
       kam.scale(150, 0, 100) AS above, kam.scale(-5, 0, 100) AS below,
       kam.scale('Infinity', 0, 100) AS inf, kam.scale('-Infinity', 100, 0) AS minus_inf_reversed,
       kam.scale(NULL, 0, 100) IS NULL AS strict;
SELECT test_error($q$SELECT kam.scale('NaN', 0, 100)$q$);
SELECT test_error($q$SELECT kam.scale(5, 10, 10)$q$);
SELECT test_error($q$SELECT kam.scale(5, 0, 'Infinity')$q$);
SELECT test_error($q$SELECT kam.scale(5, 'NaN', 1)$q$);

-- kam.weighted_score: scores in [0, 1], result 0..100.  Gainsight's example: weights 20, 15, 22
-- and scores 47, 59, 21 give (20*47 + 15*59 + 22*21) / 57 = 2287 / 57 = 40.1228
SELECT round(kam.weighted_score(ARRAY[0.47, 0.59, 0.21], ARRAY[20, 15, 22])::numeric, 4) AS gainsight,
       abs(kam.weighted_score(ARRAY[0.47, 0.59, 0.21], ARRAY[20, 15, 22]) - 100 * 22.87 / 57) < 1e-12 AS exact;
-- weights are normalised: scaling them changes nothing
SELECT abs(kam.weighted_score(ARRAY[0.2, 0.9], ARRAY[1, 3]) - kam.weighted_score(ARRAY[0.2, 0.9], ARRAY[10, 30])) < 1e-12 AS normalised,
       round(kam.weighted_score(ARRAY[0.2, 0.9], ARRAY[1, 3])::numeric, 9) AS value_72_5;
-- the three policies on (0.5, NULL, 1) with weights (1, 1, 2): redistribute (0.5 + 2) / 3,
-- zero (0.5 + 0 + 2) / 4, null
SELECT round(kam.weighted_score(ARRAY[0.5, NULL, 1], ARRAY[1, 1, 2])::numeric, 6) AS redistribute,
       kam.weighted_score(ARRAY[0.5, NULL, 1], ARRAY[1, 1, 2], 'zero') AS zero,
       kam.weighted_score(ARRAY[0.5, NULL, 1], ARRAY[1, 1, 2], 'null') IS NULL AS null_policy,
       kam.weighted_score(ARRAY[0.5, NULL, 1], ARRAY[1, 1, 2], 'redistribute')
         = kam.weighted_score(ARRAY[0.5, NULL, 1], ARRAY[1, 1, 2]) AS default_is_redistribute;
-- boundaries: all scores 0 or 1; all NULL; the only non-NULL score has weight 0
SELECT kam.weighted_score(ARRAY[0, 0]::float8[], ARRAY[1, 2]) AS all_zero,
       kam.weighted_score(ARRAY[1, 1]::float8[], ARRAY[1, 2]) AS all_one,
       kam.weighted_score(ARRAY[NULL, NULL]::float8[], ARRAY[1, 2]) IS NULL AS all_missing,
       kam.weighted_score(ARRAY[NULL, NULL]::float8[], ARRAY[1, 2], 'zero') AS all_missing_zero,
       kam.weighted_score(ARRAY[0.7, NULL], ARRAY[0, 2]) IS NULL AS no_weight_left,
       kam.weighted_score(NULL, ARRAY[1]) IS NULL AS strict;
-- against the weighted mean written in SQL over 500 generated rows with NULL scores
WITH r AS (
    SELECT g, ARRAY[CASE WHEN g % 7 = 0 THEN NULL ELSE (g * 37 % 101) / 100.0 END,
                    (g * 53 % 97) / 96.0,
                    CASE WHEN g % 5 = 0 THEN NULL ELSE (g * 11 % 89) / 88.0 END]::float8[] AS s,
           ARRAY[2, 0.5, 1.25]::float8[] AS w
    FROM generate_series(1, 500) g)
SELECT count(*) AS rows,
       bool_and(abs(kam.weighted_score(s, w) - 100 * (SELECT sum(w[i] * s[i]) / sum(w[i]) FROM generate_series(1, 3) i WHERE s[i] IS NOT NULL)) < 1e-9)
           AS matches_sql_redistribute,
       bool_and(abs(kam.weighted_score(s, w, 'zero') - 100 * (SELECT sum(w[i] * coalesce(s[i], 0)) / sum(w[i]) FROM generate_series(1, 3) i)) < 1e-9)
           AS matches_sql_zero
FROM r;
SELECT test_error($q$SELECT kam.weighted_score(ARRAY[0.5, 0.5], ARRAY[1, 2, 3])$q$);
SELECT test_error($q$SELECT kam.weighted_score(ARRAY[0.5, 0.5], ARRAY[1, -2])$q$);
SELECT test_error($q$SELECT kam.weighted_score(ARRAY[0.5, 0.5], ARRAY[0, 0])$q$);
SELECT test_error($q$SELECT kam.weighted_score(ARRAY[0.5, 0.5], ARRAY[1, NULL])$q$);
SELECT test_error($q$SELECT kam.weighted_score(ARRAY[0.5, 0.5], ARRAY[1, 'NaN']::float8[])$q$);
SELECT test_error($q$SELECT kam.weighted_score(ARRAY[0.5, 0.5], ARRAY[1, 'Infinity']::float8[])$q$);
SELECT test_error($q$SELECT kam.weighted_score(ARRAY[0.5, 47], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.weighted_score(ARRAY[0.5, 'NaN'], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.weighted_score(ARRAY[0.5, -0.1], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.weighted_score(ARRAY[0.5, 0.5], ARRAY[1, 1], 'average')$q$);
SELECT test_error($q$SELECT kam.weighted_score(ARRAY[[0.5], [0.5]], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.weighted_score('{}'::float8[], '{}'::float8[])$q$);

-- kam.scorecard: defined once, applied to every account
CREATE TABLE scorecard_criteria (version int, position int, criterion text, weight float8, low float8, high float8);
INSERT INTO scorecard_criteria VALUES
    (1, 1, 'arr', 3, 0, 200000), (1, 2, 'growth', 2, -0.2, 0.5), (1, 3, 'nps', 1, -100, 100),
    (2, 1, 'arr', 2, 0, 200000), (2, 2, 'growth', 2, -0.2, 0.5), (2, 3, 'nps', 1, -100, 100),
    (2, 4, 'overdue_share', 1, 0.5, 0);
CREATE TABLE cards AS
SELECT version, kam.scorecard_agg(criterion, weight, low, high ORDER BY position) AS card
FROM scorecard_criteria GROUP BY version;
SELECT version, card FROM cards ORDER BY version;
SELECT c.version, s.* FROM cards c, kam.scorecard_criteria(c.card) s ORDER BY c.version, s.position;
SELECT kam.scorecard_policy(card) FROM cards WHERE version = 1;
-- the same card from arrays and from its text; names with quotes survive the text form
SELECT kam.scorecard(ARRAY['arr', 'growth', 'nps'], ARRAY[3, 2, 1], ARRAY[-0, -0.2, -100], ARRAY[200000, 0.5, 100])::text
       = (SELECT card::text FROM cards WHERE version = 1) AS arrays_equal_agg,
       (SELECT card::text::kam.scorecard::text = card::text FROM cards WHERE version = 2) AS text_round_trip;
SELECT kam.scorecard(ARRAY['cost "to serve"', 'fit; culture'], ARRAY[1, 2], ARRAY[100, 0], ARRAY[0, 1], 'zero') AS quoted;
SELECT 'policy=zero;"cost ""to serve"""=1[100,0];"fit; culture"=2[0,1]'::kam.scorecard::text AS parsed,
       ' policy=null ; "a" = 1 [ 0 , 10 ] '::kam.scorecard::text AS spaces;
-- by hand, version 1: arr 50 000 -> 0.25, growth 0.15 -> 0.5, nps 20 -> 0.6:
-- (3*0.25 + 2*0.5 + 1*0.6) / 6 * 100 = 39.1667
SELECT round(kam.score(card, ARRAY[50000, 0.15, 20])::numeric, 4) AS by_position,
       round(kam.score(card, '{"arr": 50000, "growth": 0.15, "nps": 20, "ignored": "x"}'::jsonb)::numeric, 4) AS by_name,
       round(kam.score(card, ARRAY[50000, NULL, 20])::numeric, 4) AS growth_missing,
       round(kam.score(card, '{"arr": 50000, "nps": 20}'::jsonb)::numeric, 4) AS growth_key_missing,
       kam.score(card, ARRAY[900000, 3, 100]) AS clamped_top,
       kam.score(card, ARRAY[NULL, NULL, NULL]::float8[]) IS NULL AS all_missing
FROM cards WHERE version = 1;
-- version 2 reverses overdue_share (0 is best)
SELECT round(kam.score(card, ARRAY[50000, 0.15, 20, 0])::numeric, 4) AS never_overdue,
       round(kam.score(card, ARRAY[50000, 0.15, 20, 0.5])::numeric, 4) AS half_overdue
FROM cards WHERE version = 2;
-- applied to every account of the sample CRM, against the weighted sum written in SQL
CREATE TABLE acct_metrics AS
SELECT a.account_id,
       coalesce((SELECT mrr FROM crm.mrr_snapshots s WHERE s.account_id = a.account_id AND month = '2024-12-01'), 0)::float8 * 12 AS arr,
       ((SELECT mrr FROM crm.mrr_snapshots s WHERE s.account_id = a.account_id AND month = '2024-12-01')
        / nullif((SELECT mrr FROM crm.mrr_snapshots s WHERE s.account_id = a.account_id AND month = '2023-12-01'), 0) - 1)::float8 AS growth,
       (SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / nullif(count(*), 0)
        FROM crm.surveys v WHERE v.account_id = a.account_id AND kind = 'nps')::float8 AS nps
FROM crm.accounts a;
SELECT count(*) AS accounts, count(growth) AS with_growth, count(nps) AS with_nps,
       bool_and(abs(kam.score(c.card, ARRAY[arr, growth, nps])
           - 100 * (3 * least(greatest(arr / 200000, 0), 1) + 2 * coalesce(least(greatest((growth + 0.2) / 0.7, 0), 1), 0)
                    + coalesce(least(greatest((nps + 100) / 200, 0), 1), 0))
                 / (3 + CASE WHEN growth IS NULL THEN 0 ELSE 2 END + CASE WHEN nps IS NULL THEN 0 ELSE 1 END)) < 1e-9)
           AS matches_sql,
       bool_and(kam.score(c.card, ARRAY[arr, growth, nps]) = kam.score(c.card, to_jsonb(m))) AS jsonb_row_same
FROM acct_metrics m, cards c WHERE c.version = 1;
-- the aggregate skips NULL rows; its policy argument
SELECT kam.scorecard_agg(c, w, l, h ORDER BY c)::text AS skips_nulls
FROM (VALUES ('a', 1, 0, 1), ('b', NULL, 0, 1), (NULL, 1, 0, 1)) v(c, w, l, h);
SELECT kam.scorecard_agg(c, w, l, h, 'null' ORDER BY c)::text AS with_policy
FROM (VALUES ('a', 1, 0, 1), ('b', 2, 5, 0)) v(c, w, l, h);
SELECT kam.scorecard_agg(criterion, weight, low, high) IS NULL AS empty FROM scorecard_criteria WHERE false;
-- a card of many rows: each row adds its criterion to the card so far (the criteria before
-- it not checked again), the same card as kam.scorecard builds from arrays; and through the
-- combine function, from partitions' partial cards, from two workers' and from partial
-- cards shipped as text (as Citus does), the same criteria (in an order that follows the parts)
CREATE TEMP TABLE many_criteria AS
SELECT i, i % 3 AS part, 'c' || i AS c, (i % 7)::float8 AS w, (i % 5)::float8 AS l, (i % 5 + 1 + i % 2)::float8 AS h
FROM generate_series(1, 900) i;
SELECT (SELECT kam.scorecard_agg(c, w, l, h ORDER BY i)::text FROM many_criteria)
       = (SELECT kam.scorecard(array_agg(c ORDER BY i), array_agg(w ORDER BY i), array_agg(l ORDER BY i), array_agg(h ORDER BY i))::text
          FROM many_criteria) AS rows_card_equals_arrays_card;
CREATE TABLE crit_parts (i int, part int, c text, w float8, l float8, h float8) PARTITION BY LIST (part);
CREATE TABLE crit_parts_0 PARTITION OF crit_parts FOR VALUES IN (0);
CREATE TABLE crit_parts_1 PARTITION OF crit_parts FOR VALUES IN (1);
CREATE TABLE crit_parts_2 PARTITION OF crit_parts FOR VALUES IN (2);
INSERT INTO crit_parts SELECT * FROM many_criteria;
ANALYZE crit_parts;
CREATE TEMP VIEW crit_reference AS
SELECT string_agg(format('%s=%s[%s,%s]', c, w, l, h), ';' ORDER BY c) AS criteria FROM many_criteria;
CREATE FUNCTION pg_temp.criteria_of(card kam.scorecard) RETURNS text LANGUAGE sql AS
$$SELECT string_agg(format('%s=%s[%s,%s]', criterion, weight, low, high), ';' ORDER BY criterion) FROM kam.scorecard_criteria(card)$$;
SET enable_partitionwise_aggregate = on;
SELECT plan_has($$SELECT kam.scorecard_agg(c, w, l, h) FROM crit_parts$$, 'Partial Aggregate') AS partial_per_partition,
       (SELECT pg_temp.criteria_of(kam.scorecard_agg(c, w, l, h)) FROM crit_parts) = (SELECT criteria FROM crit_reference)
         AS partitions_same_criteria;
RESET enable_partitionwise_aggregate;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
CREATE TABLE crit_wide AS SELECT m.*, k FROM many_criteria m, generate_series(0, 9) k;
UPDATE crit_wide SET c = c || '_' || k;
ANALYZE crit_wide;
SELECT plan_has($$SELECT kam.scorecard_agg(c, w, l, h) FROM crit_wide WHERE k < 1$$, 'Gather') AS workers_plan,
       (SELECT pg_temp.criteria_of(kam.scorecard_agg(c, w, l, h)) FROM crit_wide WHERE k < 1)
       = (SELECT string_agg(format('%s_0=%s[%s,%s]', c, w, l, h), ';' ORDER BY c || '_0') FROM many_criteria) AS workers_same_criteria;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
CREATE AGGREGATE pg_temp.scorecard_partial(text, float8, float8, float8) (SFUNC = kam.scorecard_sfunc, STYPE = kam.scorecard,
                                                                         COMBINEFUNC = kam.scorecard_combine);
SELECT pg_temp.criteria_of(kam.scorecard_final(kam.scorecard_combine(p0.card::kam.scorecard, p1.card::kam.scorecard)))
       = (SELECT criteria FROM crit_reference) AS text_replay_same_criteria
FROM (SELECT pg_temp.scorecard_partial(c, w, l, h)::text AS card FROM many_criteria WHERE part = 0) p0,
     (SELECT pg_temp.scorecard_partial(c, w, l, h)::text AS card FROM many_criteria WHERE part > 0) p1;
-- errors
SELECT test_error($q$SELECT kam.scorecard(ARRAY['a', 'a'], ARRAY[1, 1], ARRAY[0, 0], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.scorecard(ARRAY['a', ''], ARRAY[1, 1], ARRAY[0, 0], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.scorecard(ARRAY['a', 'b'], ARRAY[1, -1], ARRAY[0, 0], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.scorecard(ARRAY['a', 'b'], ARRAY[0, 0], ARRAY[0, 0], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.scorecard(ARRAY['a', 'b'], ARRAY[1, 1], ARRAY[0, 3], ARRAY[1, 3])$q$);
SELECT test_error($q$SELECT kam.scorecard(ARRAY['a', 'b'], ARRAY[1, 1], ARRAY[0, 0], ARRAY[1])$q$);
SELECT test_error($q$SELECT kam.scorecard(ARRAY['a', NULL], ARRAY[1, 1], ARRAY[0, 0], ARRAY[1, 1])$q$);
SELECT test_error($q$SELECT kam.scorecard(ARRAY['a'], ARRAY[1], ARRAY[0], ARRAY[1], 'median')$q$);
SELECT test_error($q$SELECT kam.scorecard('{}'::text[], '{}', '{}', '{}')$q$);
SELECT test_error($q$SELECT 'garbage'::kam.scorecard$q$);
SELECT test_error($q$SELECT 'policy=zero;a=1[0,1]'::kam.scorecard$q$);
SELECT test_error($q$SELECT 'policy=zero;"a"=1[0;1]'::kam.scorecard$q$);
SELECT test_error($q$SELECT 'policy=zero;"a=1[0,1]'::kam.scorecard$q$);
SELECT test_error($q$SELECT 'policy=zero;"a"=x[0,1]'::kam.scorecard$q$);
SELECT test_error($q$SELECT 'policy=maybe;"a"=1[0,1]'::kam.scorecard$q$);
SELECT test_error($q$SELECT 'policy=zero'::kam.scorecard$q$);
SELECT test_error($q$SELECT 'policy=zero;"a"=0[0,1]'::kam.scorecard$q$);
SELECT test_error($q$SELECT kam.scorecard_agg(c, 1, 0, 1, p) FROM (VALUES ('a', 'zero'), ('b', 'null')) v(c, p)$q$);
SELECT test_error($q$SELECT kam.scorecard_agg(c, 0, 0, 1) FROM (VALUES ('a'), ('b')) v(c)$q$);
-- a later row's criterion is checked as the first row's
SELECT test_error($q$SELECT kam.scorecard_agg(c, 1, 0, 1 ORDER BY o) FROM (VALUES (1, 'a'), (2, 'b'), (3, 'a')) v(o, c)$q$);
SELECT test_error($q$SELECT kam.scorecard_agg(c, 1, 0, 1 ORDER BY o) FROM (VALUES (1, 'a'), (2, '')) v(o, c)$q$);
SELECT test_error($q$SELECT kam.scorecard_agg(c, w, 0, 1 ORDER BY c) FROM (VALUES ('a', 1), ('b', -1)) v(c, w)$q$);
SELECT test_error($q$SELECT kam.scorecard_agg(c, w, 0, 1 ORDER BY c) FROM (VALUES ('a', 1::float8), ('b', 'Infinity')) v(c, w)$q$);
SELECT test_error($q$SELECT kam.scorecard_agg(c, 1, l, 1 ORDER BY c) FROM (VALUES ('a', 0), ('b', 1)) v(c, l)$q$);
SELECT test_error($q$SELECT kam.scorecard_agg('c' || i, 1, 0, 1 ORDER BY i) FROM generate_series(1, 1001) i$q$);
SELECT test_error($q$SELECT kam.score(card, ARRAY[1, 2]) FROM cards WHERE version = 1$q$);
SELECT test_error($q$SELECT kam.score(card, ARRAY[1, 'NaN', 2]::float8[]) FROM cards WHERE version = 1$q$);
SELECT test_error($q$SELECT kam.score(card, '{"arr": "big"}'::jsonb) FROM cards WHERE version = 1$q$);
SELECT test_error($q$SELECT kam.score(card, '[1, 2, 3]'::jsonb) FROM cards WHERE version = 1$q$);
SELECT test_error($q$SELECT kam.score(card, '{"arr": "NaN"}'::jsonb) FROM cards WHERE version = 1$q$);
-- planned as kam.score_of: ARRAY[...] of expressions with a constant scorecard (numeric values
-- then read natively, no array per row); the same scores as the array form, which a card read
-- from a table keeps, on every account (a numeric ARR of 18 digits, NULL growth and NPS)
SELECT plan_has($q$SELECT kam.score('policy=redistribute;"arr"=3[0,200000];"growth"=2[-0.2,0.5];"nps"=1[-100,100]',
                                    ARRAY[arr::numeric / 7, growth, nps]) FROM acct_metrics$q$,
                'score_of(''policy=redistribute;"arr"=3[0,200000];"growth"=2[-0.2,0.5];"nps"=1[-100,100]''::kam.scorecard, ((arr)::numeric / ''7''::numeric), growth, nps)',
                true) AS rewritten,
       plan_has($q$SELECT kam.score(c.card, ARRAY[arr, growth, nps]) FROM acct_metrics, cards c WHERE c.version = 1$q$,
                'score_of', true) AS table_card_rewritten;
SELECT count(*) AS accounts, count(*) FILTER (WHERE x IS NULL) AS null_scores,
       count(*) FILTER (WHERE x IS NOT DISTINCT FROM y) AS same_as_array_form,
       count(*) FILTER (WHERE z IS NOT DISTINCT FROM y) AS same_from_jsonb
FROM (SELECT kam.score('policy=redistribute;"arr"=3[0,200000];"growth"=2[-0.2,0.5];"nps"=1[-100,100]',
                       ARRAY[arr::numeric / 7, growth, nps]) AS x,
             kam.score(c.card, ARRAY[arr::numeric / 7, growth, nps]) AS y,
             kam.score(c.card, jsonb_build_object('arr', (arr::numeric / 7)::float8, 'growth', growth, 'nps', nps)) AS z
      FROM acct_metrics m, cards c WHERE c.version = 1) q;
-- the errors, at execution and as the array form raises them
SELECT test_error($q$SELECT kam.score('policy=zero;"a"=1[0,1];"b"=1[0,1]', ARRAY[arr, growth, nps]) FROM acct_metrics$q$);
SELECT test_error($q$SELECT kam.score('policy=zero;"a"=1[0,1];"b"=1[0,1]', ARRAY[arr, CASE WHEN arr >= 0 THEN 'NaN'::numeric END]) FROM acct_metrics$q$);
-- kam.score_of called directly: a NULL card is NULL (as the strict kam.score); values double
-- precision or numeric
SELECT round(kam.score_of('policy=redistribute;"arr"=3[0,200000];"growth"=2[-0.2,0.5];"nps"=1[-100,100]', 50000.0, 0.15::float8, 20.0)::numeric, 4)
           AS by_hand_39_1667,
       kam.score_of(NULL, 1.0) IS NULL AS null_card;
SELECT test_error($q$SELECT kam.score_of('policy=zero;"a"=1[0,1]', 1)$q$);
-- a domain over numeric keeps its cast to double precision (kam.score_of reads numeric and
-- double precision only): the same scores, no error
CREATE DOMAIN score_amount AS numeric(12, 2);
CREATE TEMP TABLE dm (a score_amount, g float8);
INSERT INTO dm VALUES (50000.25, 0.15), (NULL, 0.3), (199999.99, NULL);
SELECT count(*) AS rows,
       count(*) FILTER (WHERE kam.score('policy=redistribute;"arr"=3[0,200000];"growth"=2[-0.2,0.5]', ARRAY[a, g])
                        IS NOT DISTINCT FROM kam.score((SELECT kam.scorecard(ARRAY['arr', 'growth'], ARRAY[3, 2], ARRAY[0, -0.2], ARRAY[200000, 0.5])),
                                                       ARRAY[a, g])) AS same
FROM dm;
DROP TABLE dm;
DROP DOMAIN score_amount;

-- kam.kam_quadrant: 0..100 scores, "high" is at or above the threshold (default 50)
SELECT kam.kam_quadrant(80, 70) AS strategic, kam.kam_quadrant(80, 20) AS star,
       kam.kam_quadrant(20, 70) AS status, kam.kam_quadrant(20, 20) AS streamline,
       kam.kam_quadrant(50, 50) AS on_both_thresholds, kam.kam_quadrant(49.999, 50) AS just_below,
       kam.kam_quadrant(60, 60, 70, 40) AS custom_thresholds, kam.kam_quadrant(0, 100) AS corners;
SELECT test_error($q$SELECT kam.kam_quadrant(101, 50)$q$);
SELECT test_error($q$SELECT kam.kam_quadrant(50, -1)$q$);
SELECT test_error($q$SELECT kam.kam_quadrant('NaN', 50)$q$);
SELECT test_error($q$SELECT kam.kam_quadrant(50, 50, 150, 50)$q$);

-- kam.key_account_class: existing (revenue >= 50 000), emerging (smaller, potential >= 50), other
SELECT kam.key_account_class(120000, 10) AS large, kam.key_account_class(50000, 0) AS on_threshold,
       kam.key_account_class(49999.99, 50) AS emerging, kam.key_account_class(20000, 49) AS other,
       kam.key_account_class(20000, 70, 10000, 80) AS custom, kam.key_account_class(0, 100) AS zero_revenue;
SELECT test_error($q$SELECT kam.key_account_class(-1, 50)$q$);
SELECT test_error($q$SELECT kam.key_account_class('Infinity', 50)$q$);
SELECT test_error($q$SELECT kam.key_account_class(1000, 'NaN')$q$);
SELECT test_error($q$SELECT kam.key_account_class(1000, 50, -5, 50)$q$);

-- concentration by hand on (1, 2, 3, 4): shares .1 .2 .3 .4, HHI .01+.04+.09+.16 = 0.3,
-- 1/HHI = 3.33, Gini (-3*1 - 1*2 + 1*3 + 3*4) / (4 * 10) = 0.25, top 2 = 7/10
SELECT kam.hhi(x), round(kam.equivalent_customers(x)::numeric, 6) AS equivalent, kam.gini(x), kam.top_share(x, 2)
FROM (VALUES (1.0), (2), (3), (4)) v(x);
-- one account; equal accounts; ties; zeros; NULLs skipped; n beyond the row count
SELECT kam.hhi(x) AS one_hhi, kam.gini(x) AS one_gini, kam.top_share(x, 1) AS one_top FROM (VALUES (7.0)) v(x);
SELECT kam.hhi(x) AS equal_hhi, kam.equivalent_customers(x) AS equal_n, kam.gini(x) AS equal_gini, kam.top_share(x, 2) AS equal_top2
FROM (VALUES (5.0), (5), (5), (5), (5)) v(x);
SELECT kam.hhi(x), kam.gini(x), kam.top_share(x, 2) AS top2_with_ties, kam.top_share(x, 10) AS top10
FROM (VALUES (0.0), (0), (10), (10), (NULL)) v(x);
-- empty input and a zero total: NULL
SELECT kam.hhi(x) IS NULL AS hhi_empty, kam.equivalent_customers(x) IS NULL AS eq_empty,
       kam.gini(x) IS NULL AS gini_empty, kam.top_share(x, 3) IS NULL AS top_empty
FROM (VALUES (1.0)) v(x) WHERE false;
SELECT kam.hhi(x) IS NULL AS hhi_zero, kam.equivalent_customers(x) IS NULL AS eq_zero,
       kam.gini(x) IS NULL AS gini_zero, kam.top_share(x, 3) IS NULL AS top_zero
FROM (VALUES (0.0), (0)) v(x);
-- against plain SQL over the sample CRM's MRR at 2024-12-01 (and 20 000 values for the radix sort)
CREATE TABLE mrr_dec AS SELECT account_id, mrr::float8 AS mrr FROM crm.mrr_snapshots WHERE month = '2024-12-01';
INSERT INTO mrr_dec SELECT 100000 + g, (g * 7919 % 10007) * 1.25 + (g % 3) * 1e-3 FROM generate_series(1, 20000) g;
WITH s AS (SELECT * FROM mrr_dec WHERE account_id < 100000), b AS (SELECT * FROM mrr_dec)
SELECT t.name, t.n,
       abs(t.hhi - t.hhi_sql) < 1e-12 AS hhi_ok,
       abs(t.gini - t.gini_sql) < 1e-12 AS gini_ok,
       abs(t.top - t.top_sql) < 1e-12 AS top_ok
FROM (
    SELECT 'crm' AS name, count(*) AS n, kam.hhi(mrr) AS hhi, sum(mrr * mrr) / (sum(mrr) ^ 2) AS hhi_sql,
           kam.gini(mrr) AS gini,
           (SELECT sum((2 * rn - n - 1) * mrr) / (max(n) * sum(mrr)) FROM (SELECT mrr, row_number() OVER (ORDER BY mrr) AS rn, count(*) OVER () AS n FROM s) r) AS gini_sql,
           kam.top_share(mrr, 25) AS top, (SELECT sum(mrr) FROM (SELECT mrr FROM s ORDER BY mrr DESC LIMIT 25) t) / sum(mrr) AS top_sql
    FROM s
    UNION ALL
    SELECT 'crm + 20000', count(*), kam.hhi(mrr), sum(mrr * mrr) / (sum(mrr) ^ 2), kam.gini(mrr),
           (SELECT sum((2 * rn - n - 1) * mrr) / (max(n) * sum(mrr)) FROM (SELECT mrr, row_number() OVER (ORDER BY mrr) AS rn, count(*) OVER () AS n FROM b) r),
           kam.top_share(mrr, 1000), (SELECT sum(mrr) FROM (SELECT mrr FROM b ORDER BY mrr DESC LIMIT 1000) t) / sum(mrr)
    FROM b) t ORDER BY t.name;
-- values sharing the radix sort's top digit (all in [2, 256), one exponent's high bits): that
-- pass is skipped, so the sort ends in its buffer and is copied back
WITH v AS (SELECT 2 + (g * 7919 % 10007) * 0.025 AS x FROM generate_series(1, 10000) g)
SELECT abs(kam.gini(x) - (SELECT sum((2 * rn - n - 1) * x) / (max(n) * sum(x))
                          FROM (SELECT x, row_number() OVER (ORDER BY x) AS rn, count(*) OVER () AS n FROM v) r)) < 1e-12 AS one_top_digit_ok
FROM v;
-- values all of whole cents sort as their cents, in as many radix passes as the widest needs
-- (one pass of 12 bits, two of 12, three of 10) against plain SQL; the last group has one
-- value that is not whole cents (all sorted as doubles)
WITH v AS (SELECT w, CASE w WHEN 12 THEN g % 4096 WHEN 24 THEN g::bigint * 7919 % 16777216
                            ELSE (g::bigint * 7919 % 100003) * (1 + g % 5 * 1000) END / 100.0 AS x
           FROM (VALUES (12), (24), (29)) t(w), generate_series(0, 9999) g
           UNION ALL SELECT 29, 5368709.11 UNION ALL SELECT 30, 1 + g / 100.0 FROM generate_series(1, 6000) g
           UNION ALL SELECT 30, 0.125)
SELECT w, count(*), max(x)::float8 AS widest,
       abs(kam.gini(x) - (SELECT sum((2 * rn - n - 1) * y) / (max(n) * sum(y))
                          FROM (SELECT y, row_number() OVER (ORDER BY y) AS rn, count(*) OVER () AS n
                                FROM (SELECT x::float8 AS y FROM v v2 WHERE v2.w = v.w) r0) r)) < 1e-12 AS cents_ok,
       kam.gini(x) = kam.gini(x::float8) AS numeric_same
FROM v GROUP BY w ORDER BY w;
-- of whole cents (money) the two sums are exact integers of cents: the coefficient is within a
-- few roundings (one each for the sums, the product and the quotient) of the exact ratio,
-- computed here in numeric to 30 decimals; 20 000 values (sorted as cents) and 2 000 (qsort),
-- spread (one of them 2^53 - 1 cents) or nearly equal, where the numerator cancels to a
-- billionth of its terms and sums of rounded doubles (0.2.0) were 1e-9 off
WITH v AS (SELECT kind, k, CASE WHEN kind = 'near' THEN 1234567.89 + (g % 2) * 0.01
                                WHEN g = 7 THEN 90071992547409.91
                                ELSE (g::bigint * 7919 % 100003) * (1 + g % 5 * 1000) / 100.0 END AS x
           FROM (VALUES ('spread'), ('near')) s(kind), (VALUES (20000), (2000)) t(k), generate_series(1, 20000) g WHERE g <= k),
     r AS (SELECT kind, k, x, row_number() OVER (PARTITION BY kind, k ORDER BY x) AS rn, count(*) OVER (PARTITION BY kind, k) AS n FROM v)
SELECT kind, k, abs(kam.gini(x) / (sum((2 * rn - n - 1) * x)::numeric(70, 30) / (max(n) * sum(x)))::float8 - 1) < 1e-15 AS exact_to_roundings
FROM r GROUP BY kind, k ORDER BY kind, k;
-- numeric revenue is read natively, exactly as numeric::float8: the same results as the cast
SELECT count(*) AS accounts,
       kam.hhi(mrr) = kam.hhi(mrr::float8) AS hhi_same, kam.equivalent_customers(mrr) = kam.equivalent_customers(mrr::float8) AS eq_same,
       kam.gini(mrr) = kam.gini(mrr::float8) AS gini_same, kam.top_share(mrr, 25) = kam.top_share(mrr::float8, 25) AS top_same,
       (SELECT kam.hhi(v) FROM (VALUES (1.0), (2.0), (3.0), (4.0)) t(v)) AS hhi_numeric_by_hand
FROM crm.mrr_snapshots WHERE month = '2024-12-01';
SELECT test_error($q$SELECT kam.hhi(x) FROM (VALUES (1.0), ('NaN'::numeric)) v(x)$q$);
SELECT test_error($q$SELECT kam.gini(x) FROM (VALUES (1.0), (-2.5)) v(x)$q$);
-- the partial state's text form
SELECT kam.hhi_sfunc(kam.hhi_sfunc(NULL, 3), 4) AS state,
       kam.hhi_final('(n=2,sum=7,sum_squares=25)') AS hhi_from_text;
SELECT test_error($q$SELECT kam.hhi(x) FROM (VALUES (1.0), (-2)) v(x)$q$);
SELECT test_error($q$SELECT kam.gini(x) FROM (VALUES (1.0), ('NaN')) v(x)$q$);
SELECT test_error($q$SELECT kam.equivalent_customers(x) FROM (VALUES ('Infinity'::float8)) v(x)$q$);
SELECT test_error($q$SELECT kam.top_share(x, 0) FROM (VALUES (1.0)) v(x)$q$);
SELECT test_error($q$SELECT kam.top_share(x, n) FROM (VALUES (1.0, 1), (2, 2)) v(x, n)$q$);
SELECT test_error($q$SELECT kam.top_share(x, 2) FROM (VALUES (1.0), (-1)) v(x)$q$);
-- kam.top_share's state, kam.top_state: the rows, n, the total and the n largest values, ascending
-- in its text and binary forms; a direct call of the transition function leaves its argument alone
SELECT kam.top_sfunc(kam.top_sfunc(kam.top_sfunc(NULL, 3, 2), 5, 2), 1, 2) AS top_state,
       kam.top_final('(rows=3,n=2,total=9,top={3,5})') AS top2_from_text,
       kam.top_final('(rows=0,n=4,total=0,top={})') IS NULL AS empty_state_null,
       kam.top_final(kam.top_combine('(rows=3,n=2,total=9,top={3,5})', '(rows=2,n=2,total=10.5,top={4,6.5})')) AS combined_top2;
WITH s AS (SELECT '(rows=3,n=2,total=9,top={3,5})'::kam.top_state AS st)
SELECT kam.top_sfunc(st, 7, 2)::text AS after_7, st::text AS argument_unchanged,
       kam.top_combine(NULL, st)::text AS combine_null FROM s;
-- a heap that grew past its first 8 slots, read back through its text and binary forms
CREATE TABLE top_states (st kam.top_state);
CREATE AGGREGATE top_partial(float8, bigint) (SFUNC = kam.top_sfunc, STYPE = kam.top_state, COMBINEFUNC = kam.top_combine);
INSERT INTO top_states SELECT top_partial((g * 37 % 101) * 0.25, 20) FROM generate_series(1, 500) g;
\copy top_states TO '/tmp/kam_top_states.bin' WITH (FORMAT binary)
CREATE TABLE top_back (LIKE top_states);
\copy top_back FROM '/tmp/kam_top_states.bin' WITH (FORMAT binary)
\! rm -f /tmp/kam_top_states.bin
SELECT s.st::text AS state, s.st OPERATOR(kam.=) s.st::text::kam.top_state AS text_round_trip,
       s.st OPERATOR(kam.=) b.st AS binary_round_trip,
       kam.top_final(s.st) = (SELECT sum(v) FROM (SELECT (g * 37 % 101) * 0.25 AS v FROM generate_series(1, 500) g ORDER BY 1 DESC LIMIT 20) t)
                             / (SELECT sum((g * 37 % 101) * 0.25) FROM generate_series(1, 500) g) AS top20_as_sql
FROM top_states s, top_back b;
SELECT test_error($q$SELECT '(rows=3,n=2,total=9,top={5,3})'::kam.top_state$q$);
SELECT test_error($q$SELECT '(rows=3,n=2,total=9,top={3})'::kam.top_state$q$);
SELECT test_error($q$SELECT '(rows=1,n=2,total=9,top={3,5})'::kam.top_state$q$);
SELECT test_error($q$SELECT '(rows=3,n=0,total=9,top={})'::kam.top_state$q$);
SELECT test_error($q$SELECT '(rows=3,n=2,total=-1,top={3,5})'::kam.top_state$q$);
SELECT test_error($q$SELECT '(rows=3,n=2,total=9,top={3,NaN})'::kam.top_state$q$);
SELECT test_error($q$SELECT '(rows=3,n=2,total=Infinity,top={3,5})'::kam.top_state$q$);
SELECT test_error($q$SELECT '(rows=3,n=2,total=9,top={3,5}'::kam.top_state$q$);
SELECT test_error($q$SELECT '(rows=3,n=2,total=9)'::kam.top_state$q$);
SELECT test_error($q$SELECT kam.top_combine('(rows=3,n=2,total=9,top={3,5})', '(rows=1,n=1,total=1,top={1})')$q$);
SELECT test_error($q$SELECT kam.top_share(x, 2) FROM (VALUES (1e308), (1e308)) v(x)$q$);
SELECT test_error($q$SELECT '(n=1.5,sum=1,sum_squares=1)'::kam.hhi_state$q$);
SELECT test_error($q$SELECT '(n=1,sum=-1,sum_squares=1)'::kam.hhi_state$q$);
SELECT test_error($q$SELECT '(n=1,sum=1)'::kam.hhi_state$q$);

-- kam.abc_class: A while the revenue of larger accounts is below 80 % of the total, B below 95 %.
-- Total 100: 50 (0 above) A, 20 (50 above) A, 10 and 10 (70 above: ties share it) A,
-- 5 and 5 (90 above) B, 0 (100 above) C; NULL revenue: NULL
SELECT x, kam.abc_class(x) OVER () AS abc, kam.abc_class(x, 0.5, 0.9) OVER () AS abc_50_90
FROM (VALUES (50.0), (20), (10), (10), (5), (5), (0), (NULL)) v(x) ORDER BY x DESC NULLS LAST;
-- per partition, against the cumulative share written with window functions
WITH c AS (
    SELECT a.manager_id, m.mrr, kam.abc_class(m.mrr) OVER (PARTITION BY a.manager_id) AS abc,
           (sum(m.mrr) OVER (PARTITION BY a.manager_id ORDER BY m.mrr DESC)
            - m.mrr * count(*) OVER (PARTITION BY a.manager_id, m.mrr)) / sum(m.mrr) OVER (PARTITION BY a.manager_id) AS above
    FROM mrr_dec m JOIN crm.accounts a USING (account_id))
SELECT count(*) AS accounts, count(DISTINCT manager_id) AS managers,
       bool_and(abc = CASE WHEN above < 0.8 THEN 'A' WHEN above < 0.95 THEN 'B' ELSE 'C' END) AS matches_sql,
       count(*) FILTER (WHERE abc = 'A') AS a, count(*) FILTER (WHERE abc = 'B') AS b, count(*) FILTER (WHERE abc = 'C') AS c
FROM c;
SELECT kam.abc_class(x) OVER () IS NULL AS all_zero FROM (VALUES (0.0), (0)) v(x) LIMIT 1;
SELECT test_error($q$SELECT kam.abc_class(x, 0.9, 0.8) OVER () FROM (VALUES (1.0)) v(x)$q$);
SELECT test_error($q$SELECT kam.abc_class(x, 1.5, 2) OVER () FROM (VALUES (1.0)) v(x)$q$);
SELECT test_error($q$SELECT kam.abc_class(x, NULL, 0.9) OVER () FROM (VALUES (1.0)) v(x)$q$);
SELECT test_error($q$SELECT kam.abc_class(x) OVER () FROM (VALUES (1.0), (-3)) v(x)$q$);

-- upsell/cross-sell rate: share of starting accounts that expanded
SELECT kam.expansion_rate(kam.retention_agg(s, e)) AS two_of_four,
       kam.expansion_rate(kam.retention_agg(s, e) FILTER (WHERE s = 0)) IS NULL AS no_starting_accounts
FROM (VALUES (100.0, 120.0), (100, 90), (50, 80), (10, 0), (0, 40)) v(s, e);

-- kam.portfolio_load against the capacity guidelines (strategic 10-20, mid_market 50-80, key_account 5-15)
SELECT kam.portfolio_load(9, 'strategic') AS s9, kam.portfolio_load(10, 'strategic') AS s10,
       kam.portfolio_load(20, 'strategic') AS s20, kam.portfolio_load(21, 'strategic') AS s21,
       kam.portfolio_load(49, 'mid_market') AS m49, kam.portfolio_load(80, 'mid_market') AS m80,
       kam.portfolio_load(4, 'key_account') AS k4, kam.portfolio_load(16, 'key_account') AS k16,
       kam.portfolio_load(0, 3, 8) AS custom_under, kam.portfolio_load(8, 8, 8) AS custom_exact;
SELECT test_error($q$SELECT kam.portfolio_load(10, 'enterprise')$q$);
SELECT test_error($q$SELECT kam.portfolio_load(-1, 'strategic')$q$);
SELECT test_error($q$SELECT kam.portfolio_load(5, 10, 3)$q$);
SELECT test_error($q$SELECT kam.portfolio_load(5, -1, 3)$q$);

-- kam.forecast_accuracy by hand: (110, 100) (90, 100) (10, 0) (50, 40): MAPE (.1 + .1 + .25) / 3
-- = .15 with one zero actual left out; WAPE 40 / 240; bias (10 - 10 + 10 + 10) / 240
SELECT (kam.forecast_accuracy(f, a)).* FROM (VALUES (110.0, 100.0), (90, 100), (10, 0), (50, 40), (NULL, 5), (5, NULL)) v(f, a);
SELECT (kam.forecast_accuracy(f, a)).* FROM (VALUES (3.0, 0.0), (0, 0)) v(f, a);
SELECT kam.forecast_accuracy(f, a) IS NULL AS empty FROM (VALUES (1.0, 1.0)) v(f, a) WHERE false;
SELECT (kam.forecast_accuracy(f, a)).* FROM (VALUES (100.0, 100.0)) v(f, a);
-- against plain SQL: forecast against booked amount of won opportunities, per manager
SELECT count(*) AS managers,
       bool_and(abs(k.mape - p.mape) < 1e-12 AND abs(k.wape - p.wape) < 1e-12 AND abs(k.bias - p.bias) < 1e-12
                AND k.n = p.n AND k.zero_actuals = p.zero_actuals) AS matches_sql
FROM (SELECT manager_id, (kam.forecast_accuracy(forecast_amount, amount)).* FROM crm.opportunities WHERE stage = 'won' GROUP BY 1) k
JOIN (SELECT manager_id, count(*) AS n, count(*) FILTER (WHERE amount = 0) AS zero_actuals,
             avg(abs(forecast_amount - amount) / amount) FILTER (WHERE amount <> 0)::float8 AS mape,
             (sum(abs(forecast_amount - amount)) / sum(amount))::float8 AS wape,
             (sum(forecast_amount - amount) / sum(amount))::float8 AS bias
      FROM crm.opportunities WHERE stage = 'won' GROUP BY 1) p USING (manager_id);
SELECT kam.forecast_sfunc(NULL, 110, 100) AS state, kam.forecast_final('(n=1,zero_actuals=0,ape=0.1,abs_error=10,actual=100,error=10)') AS from_text;
SELECT test_error($q$SELECT kam.forecast_accuracy(f, a) FROM (VALUES (-1.0, 5.0)) v(f, a)$q$);
SELECT test_error($q$SELECT kam.forecast_accuracy(f, a) FROM (VALUES (1.0, 'NaN'::float8)) v(f, a)$q$);
SELECT test_error($q$SELECT '(n=1,zero_actuals=2,ape=0,abs_error=0,actual=0,error=0)'::kam.forecast_state$q$);

-- kam.wilson_interval: 8 of 10 at 95 %: [0.4902, 0.9433]; 0 of 10 at 90 %: [0, z^2/n / (1 + z^2/n)]
SELECT round(estimate::numeric, 4) AS p, round(lower::numeric, 4) AS lower, round(upper::numeric, 4) AS upper
FROM kam.wilson_interval(8, 10);
SELECT w.lower AS lower_0, abs(w.upper - 1.6448536269514722 ^ 2 / 10 / (1 + 1.6448536269514722 ^ 2 / 10)) < 1e-12 AS upper_0_matches
FROM kam.wilson_interval(0, 10, 0.9) w;
SELECT w.upper AS upper_all, round(w.lower::numeric, 4) AS lower_all FROM kam.wilson_interval(10, 10) w;
-- the formula with z = 2.5758293035489 (99 %) written in SQL
SELECT abs(w.lower - (0.3 + z * z / 200 - z * sqrt(0.3 * 0.7 / 100 + z * z / 40000)) / (1 + z * z / 100)) < 1e-12 AS lower_99,
       abs(w.upper - (0.3 + z * z / 200 + z * sqrt(0.3 * 0.7 / 100 + z * z / 40000)) / (1 + z * z / 100)) < 1e-12 AS upper_99
FROM kam.wilson_interval(30, 100, 0.99) w, (SELECT 2.5758293035489004::float8 AS z) c;
SELECT kam.wilson_interval(0, 0) IS NULL AS no_trials;
-- the result types, for BI tools that read the columns
SELECT pg_typeof(kam.wilson_interval(1, 2)) AS wilson_type,
       (SELECT pg_typeof(kam.forecast_accuracy(f, a)) FROM (VALUES (1.0, 1.0)) v(f, a)) AS forecast_type,
       ((kam.wilson_interval(1, 2))::kam.confidence_interval).estimate AS estimate,
       ((SELECT kam.forecast_accuracy(f, a) FROM (VALUES (2.0, 1.0)) v(f, a))::kam.forecast_accuracy_result).wape AS wape;
SELECT test_error($q$SELECT kam.wilson_interval(11, 10)$q$);
SELECT test_error($q$SELECT kam.wilson_interval(-1, 10)$q$);
SELECT test_error($q$SELECT kam.wilson_interval(5, 10, 1)$q$);
SELECT test_error($q$SELECT kam.wilson_interval(5, 10, 'NaN')$q$);

-- combine path: partitions and forced parallel workers give the serial results
CREATE TABLE prev (g int, x float8, f float8) PARTITION BY HASH (g);
CREATE TABLE prev_0 PARTITION OF prev FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE prev_1 PARTITION OF prev FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE prev_2 PARTITION OF prev FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO prev SELECT g, (g::bigint * 7919 % 10007) * 0.5, (g::bigint * 104729 % 10007) * 0.5 FROM generate_series(1, 60000) g;
ANALYZE prev;
CREATE VIEW conc AS
SELECT 0 AS grp, kam.hhi(x) AS hhi, kam.equivalent_customers(x) AS eq, kam.gini(x) AS gini,
       kam.top_share(x, 100) AS top, (kam.forecast_accuracy(f, x)).mape AS mape,
       kam.hhi(x::numeric) AS hhi_n, kam.gini(x::numeric) AS gini_n, kam.top_share(x::numeric, 100) AS top_n,
       -- a third of the values not whole cents: the workers pack both kinds
       kam.gini(CASE WHEN g % 3 = 0 THEN x / 3 ELSE x END) AS gini_mixed
FROM prev;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE conc_serial AS SELECT * FROM conc;
CREATE VIEW conc_same AS
SELECT count(*) AS groups,
       bool_and(abs(s.hhi - c.hhi) < 1e-15 AND abs(s.eq - c.eq) < 1e-9 AND s.gini = c.gini
                AND abs(s.top - c.top) < 1e-15 AND abs(s.mape - c.mape) < 1e-12
                AND abs(s.hhi_n - c.hhi_n) < 1e-15 AND s.gini_n = c.gini_n AND abs(s.top_n - c.top_n) < 1e-15
                AND s.gini_mixed = c.gini_mixed) AS same_as_serial
FROM conc_serial s JOIN conc c USING (grp);
SET enable_partitionwise_aggregate = on;
SELECT plan_has('SELECT * FROM conc', 'Partial') AS partial_per_partition;
SELECT * FROM conc_same;
SET enable_partitionwise_aggregate = off;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT plan_has('SELECT * FROM conc', 'Gather') AS uses_workers;
SELECT * FROM conc_same;
-- past work_mem (480 kB of values, work_mem 64 kB) kam.gini sorts its values into runs in a
-- temporary file and merges them: the same values in the same order, so the same Gini, with
-- workers, per partition and serial; a window keeps its values in memory
SET work_mem = '64kB';
SELECT * FROM conc_same;
SET enable_partitionwise_aggregate = on; SET max_parallel_workers_per_gather = 0;
SELECT * FROM conc_same;
SET enable_partitionwise_aggregate = off;
SELECT test_stats_flush() AS flushed;
SELECT pg_stat_clear_snapshot();
SELECT temp_files AS temp_files_before FROM pg_stat_database WHERE datname = current_database() \gset
SELECT s.gini = c.gini AS spilled_same, s.gini_n = c.gini_n AS spilled_numeric_same
FROM conc_serial s, (SELECT kam.gini(x) AS gini, kam.gini(x::numeric) AS gini_n FROM prev) c;
SELECT test_stats_flush() AS flushed;
SELECT test_temp_files_grew(:temp_files_before) AS wrote_temporary_files;
SELECT count(DISTINCT w.gini) AS window_values, min(w.gini) = (SELECT gini FROM conc_serial) AS window_same
FROM (SELECT kam.gini(x) OVER () AS gini FROM prev) w;
RESET ALL;
