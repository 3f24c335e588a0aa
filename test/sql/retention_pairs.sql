-- kam.retention from one row per account: hand-worked example (docs/retention.md)
CREATE TABLE pairs (account int, start_mrr numeric, end_mrr numeric, paid_before boolean);
INSERT INTO pairs VALUES
  (1, 100, 120, false),   -- expansion 20
  (2, 100,   0, false),   -- churned 100
  (3,   0,  50, false),   -- new 50
  (4, 200, 150, false),   -- contraction 50
  (5, 100, 100, false),   -- flat
  (6,   0,  80, true),    -- reactivation 80 (paid before the window)
  (7,   0,   0, true);    -- inactive: counts nowhere

SELECT kam.retention_agg(start_mrr, end_mrr, paid_before) FROM pairs;
SELECT * FROM kam.movements((SELECT kam.retention_agg(start_mrr, end_mrr, paid_before) FROM pairs));
-- without the returning flag every account starting at 0 is new
SELECT (kam.movements(kam.retention_agg(start_mrr, end_mrr))).new_mrr FROM pairs;

WITH r AS (SELECT kam.retention_agg(start_mrr, end_mrr, paid_before) AS r FROM pairs)
SELECT kam.nrr(r), kam.grr(r), kam.logo_churn_rate(r), kam.customer_retention_rate(r),
       kam.gross_mrr_churn_rate(r), kam.net_mrr_churn_rate(r), kam.quick_ratio(r)
FROM r;
-- expected by hand: nrr (500+20-50-100)/500 = 0.74, grr 350/500 = 0.7,
-- logo churn 1/4, customer retention 3/4, gross churn 0.3, net churn 0.26,
-- quick ratio (50+80+20)/(50+100) = 1
WITH r AS (SELECT kam.retention_agg(start_mrr, end_mrr, paid_before) AS r FROM pairs)
SELECT kam.nrr(r) = 0.74 AS nrr_ok, kam.grr(r) = 0.7 AS grr_ok,
       kam.gross_mrr_churn_rate(r) = 1 - kam.grr(r) AS gross_is_1_minus_grr,
       abs(kam.net_mrr_churn_rate(r) - (1 - kam.nrr(r))) < 1e-15 AS net_is_1_minus_nrr
FROM r;

-- one-step aggregates agree with the accessors
SELECT kam.nrr(start_mrr, end_mrr), kam.grr(start_mrr, end_mrr), kam.logo_churn_rate(start_mrr, end_mrr)
FROM pairs;

-- GROUP BY and rollup: per group, then combined = all rows at once
SELECT account % 2 AS grp, kam.nrr(start_mrr, end_mrr) FROM pairs GROUP BY 1 ORDER BY 1;
SELECT kam.rollup(r)::text = (SELECT kam.retention_agg(start_mrr, end_mrr, paid_before)::text FROM pairs) AS rollup_matches
FROM (SELECT kam.retention_agg(start_mrr, end_mrr, paid_before) AS r FROM pairs GROUP BY account % 3) g;
SELECT kam.rollup(r) FROM (VALUES (NULL::kam.retention)) v(r);

-- NULL rows are skipped; NULL-only or empty input gives NULL
SELECT kam.retention_agg(s, e) FROM (VALUES (100::float8, NULL::float8), (NULL, 5), (100, 90)) v(s, e);
SELECT kam.retention_agg(s, e, NULL) FROM (VALUES (100::float8, 90::float8)) v(s, e);
SELECT kam.retention_agg(s, e) IS NULL AS null_only FROM (VALUES (NULL::float8, NULL::float8)) v(s, e);
SELECT kam.retention_agg(start_mrr, end_mrr) IS NULL AS empty, kam.nrr(start_mrr, end_mrr) AS nrr_empty
FROM pairs WHERE false;
SELECT kam.nrr(NULL::kam.retention);

-- zero denominators give NULL: no starting MRR, no losses
SELECT kam.nrr(r), kam.grr(r), kam.logo_churn_rate(r), kam.customer_retention_rate(r),
       kam.gross_mrr_churn_rate(r), kam.net_mrr_churn_rate(r), kam.quick_ratio(r)
FROM (SELECT kam.retention_agg(s, e) AS r FROM (VALUES (0::float8, 10::float8)) v(s, e)) x;
SELECT kam.quick_ratio(kam.retention_agg(s, e)) FROM (VALUES (10::float8, 12::float8)) v(s, e);
-- all accounts flat: NRR = GRR = 1, quick ratio NULL
SELECT kam.nrr(s, e), kam.grr(s, e), kam.quick_ratio(kam.retention_agg(s, e))
FROM (VALUES (10::float8, 10::float8), (20, 20)) v(s, e);
-- floating-point noise is not a movement: 0.1 + 0.2 versus 0.3
SELECT m.* FROM (SELECT kam.retention_agg(0.1::float8 + 0.2::float8, 0.3::float8) AS r) x, kam.movements(x.r) m;
-- GRR never above 1 even when everything expands
SELECT kam.grr(s, e), kam.nrr(s, e) FROM (VALUES (10::float8, 30::float8)) v(s, e);

-- money to the cent: 100 000 amounts with cents, against sum(numeric)
WITH g AS (SELECT (i % 997) + (i % 89) / 100.0 AS s, (i % 991) + (i % 83) / 100.0 AS e
           FROM generate_series(1, 100000) i),
     k AS (SELECT (kam.movements(kam.retention_agg(s, e))).* FROM g)
SELECT round(k.starting_mrr::numeric, 2) = (SELECT sum(s) FROM g WHERE s > 0) AS starting_to_the_cent,
       round(k.ending_mrr::numeric, 2) = (SELECT sum(e) FROM g) AS ending_to_the_cent,
       round(k.expansion_mrr::numeric, 2) = (SELECT sum(e - s) FROM g WHERE s > 0 AND e > s) AS expansion_to_the_cent
FROM k;

-- text I/O: exact round trip, accessors identical to the bit
WITH r AS (SELECT kam.retention_agg(s, e) AS r
           FROM (SELECT random() * 1000 AS s, random() * 1000 AS e FROM generate_series(1, 1000)) g)
SELECT r::text::kam.retention::text = r::text AS text_round_trip,
       kam.nrr(r::text::kam.retention) = kam.nrr(r) AS nrr_identical,
       kam.quick_ratio(r::text::kam.retention) = kam.quick_ratio(r) AS quick_identical
FROM r;
SELECT ' ( starting = 500 : 4 , new = 50 : 1 , reactivation = 80 : 1 , expansion = 20 : 1 , contraction = 50 : 1 , churned = 100 : 1 ) '::kam.retention;
-- fields in any order
SELECT kam.nrr('(churned=100:1,contraction=50:1,expansion=20:1,reactivation=80:1,new=50:1,starting=500:4)'::kam.retention);
-- binary round trip through COPY
CREATE TABLE ret_store (id int, r kam.retention);
INSERT INTO ret_store SELECT 1, kam.retention_agg(start_mrr, end_mrr, paid_before) FROM pairs;
INSERT INTO ret_store VALUES (2, NULL);
\copy ret_store TO 'results/ret_store.bin' WITH (FORMAT binary)
CREATE TABLE ret_store2 (LIKE ret_store);
\copy ret_store2 FROM 'results/ret_store.bin' WITH (FORMAT binary)
SELECT a.id, a.r::text = b.r::text AS same, b.r IS NULL AS is_null
FROM ret_store a JOIN ret_store2 b USING (id) ORDER BY 1;

-- errors: negative, NaN, infinite MRR
SELECT test_error($q$SELECT kam.retention_agg(s, e) FROM (VALUES (-1::float8, 5::float8)) v(s, e)$q$);
SELECT test_error($q$SELECT kam.retention_agg(s, e) FROM (VALUES (1::float8, -0.01::float8)) v(s, e)$q$);
SELECT test_error($q$SELECT kam.nrr(s, e) FROM (VALUES ('NaN'::float8, 5::float8)) v(s, e)$q$);
SELECT test_error($q$SELECT kam.grr(s, e) FROM (VALUES (1::float8, 'Infinity'::float8)) v(s, e)$q$);
SELECT test_error($q$SELECT kam.logo_churn_rate(s, e) FROM (VALUES ('-Infinity'::float8, 1::float8)) v(s, e)$q$);
-- errors: malformed text
SELECT test_error($q$SELECT 'garbage'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=1:1)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=1:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0,extra=1:1)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=1:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,bogus=0:0)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=1:1,starting=1:1,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=-1:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=NaN:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=1e999:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=1:x,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=1:99999999999999999999,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=0:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=10:1,new=0:0,reactivation=0:0,expansion=5:1,contraction=0:0,churned=10:1)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=1:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0) x'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=1:1 new=0:0)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting 1:1)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=:1)'::kam.retention$q$);
SELECT test_error($q$SELECT '(starting=1:1,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0'::kam.retention$q$);
SELECT test_error($q$SELECT ''::kam.retention$q$);
-- the session is unaffected by the errors
SELECT kam.nrr(start_mrr, end_mrr) FROM pairs;
