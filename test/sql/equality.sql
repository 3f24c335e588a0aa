-- Equality and hashing of the summary types (src/equality.c): equal when the text forms are
-- equal; DISTINCT, GROUP BY, UNION, IN and hash joins through the default hash operator class.
SET search_path = public;

-- one value of each type twice (computed, and read back from its text) and one other value
CREATE TABLE eq_values AS
SELECT 'retention' AS type, kam.retention_agg(s, e)::text AS a,
       (SELECT kam.retention_agg(s, e) FROM (VALUES (0.1, 0.2), (0.2, 0.1), (0.7, 0.1)) v(s, e))::text AS b
FROM (VALUES (0.1, 0.2), (0.2, 0.1), (0.7, 0.0)) v(s, e)
UNION ALL SELECT 'survival', kam.survival_agg(d, d + 10, '2024-12-31')::text,
       kam.survival_agg(d, d + 11, '2024-12-31')::text
FROM (VALUES (date '2024-01-01'), ('2024-02-01')) v(d)
UNION ALL SELECT 'bgnbd', kam.bgnbd(0.243, 4.414, 0.793, 2.426)::text, kam.bgnbd(0.243, 4.414, 0.793, 2.427)::text
UNION ALL SELECT 'gammagamma', kam.gammagamma(6.25, 3.74, 15.44)::text, kam.gammagamma(6.25, 3.74, 15.45)::text
UNION ALL SELECT 'scorecard', kam.scorecard(ARRAY['arr', 'nps'], ARRAY[4, 1], ARRAY[0, -100], ARRAY[1e5, 100])::text,
       kam.scorecard(ARRAY['arr', 'nps'], ARRAY[4, 1], ARRAY[0, -100], ARRAY[1e5, 100], 'zero')::text
UNION ALL SELECT 'band_scheme', 'F:60,A:100', 'F:60,A:100.5'
UNION ALL SELECT 'trend', kam.trend(at, v)::text, kam.trend(at, v + 1)::text
FROM (VALUES (date '2024-01-01', 10.0), ('2024-01-31', 20)) x(at, v)
UNION ALL SELECT 'survey', kam.nps_agg(x)::text, kam.nps_agg(10 - x)::text
FROM generate_series(0, 10) x WHERE x > 2
UNION ALL SELECT 'hhi_state', kam.hhi_sfunc(kam.hhi_sfunc(NULL, 1), 2)::text, '(n=2,sum=3,sum_squares=5.5)'
UNION ALL SELECT 'forecast_state', kam.forecast_sfunc(NULL, 10, 12)::text, kam.forecast_sfunc(NULL, 12, 10)::text;
SELECT type, a <> b AS values_differ FROM eq_values ORDER BY type;

-- per type: a = a read back from text, a <> b, both operators' negations, NULL gives NULL, and
-- the hash of equal values is equal
CREATE FUNCTION eq_check(t text) RETURNS TABLE (same boolean, differ boolean, not_ne boolean,
                                                not_eq boolean, with_null boolean, hash_same boolean,
                                                hash_differs boolean) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT a::kam.%1$I OPERATOR(kam.=) a::kam.%1$I,
                a::kam.%1$I OPERATOR(kam.<>) b::kam.%1$I,
                NOT (a::kam.%1$I OPERATOR(kam.<>) a::kam.%1$I),
                NOT (a::kam.%1$I OPERATOR(kam.=) b::kam.%1$I),
                a::kam.%1$I OPERATOR(kam.=) NULL::kam.%1$I,
                kam.summary_hash(a::kam.%1$I) = kam.summary_hash(a::kam.%1$I::text::kam.%1$I),
                kam.summary_hash(a::kam.%1$I) <> kam.summary_hash(b::kam.%1$I)
         FROM eq_values WHERE type = %2$L', t, t);
END $$;
SELECT type, c.* FROM eq_values, eq_check(type) c ORDER BY type;

-- the operators' functions called directly, and the hash is hashtext() of the text form
SELECT kam.summary_eq(kam.bgnbd(1, 2, 3, 4), '(r=1,alpha=2,a=3,b=4,ll=NaN,n=0)') AS eq_same,
       kam.summary_eq(kam.bgnbd(1, 2, 3, 4), kam.bgnbd(1, 2, 3, 5)) AS eq_other,
       kam.summary_ne(kam.bgnbd(1, 2, 3, 4), kam.bgnbd(1, 2, 3, 5)) AS ne_other,
       kam.summary_ne('F:60,A:100'::kam.band_scheme, 'F:60,A:100') AS ne_same,
       kam.summary_eq(NULL::kam.trend, NULL) AS eq_null,
       kam.summary_hash(kam.bgnbd(1, 2, 3, 4)) = hashtext('(r=1,alpha=2,a=3,b=4,ll=NaN,n=0)') AS hash_is_hashtext;

-- a summary computed in memory carries compensation bits its text does not show; it still
-- equals the value read back from its text (the text is what accessors and dumps use)
CREATE TABLE eq_money AS
SELECT kam.retention_agg(s, e) AS r FROM (SELECT 0.1 * g AS s, 0.1 * g + 0.01 AS e FROM generate_series(1, 1000) g) v;
SELECT r OPERATOR(kam.=) r::text::kam.retention AS equal_through_text,
       kam.summary_hash(r) = kam.summary_hash(r::text::kam.retention) AS same_hash
FROM eq_money;

-- DISTINCT, GROUP BY, UNION and a hash join, with schema kam not on the search_path
CREATE TABLE eq_rows AS
SELECT g, CASE WHEN g % 3 = 0 THEN b ELSE a END::kam.trend AS tr
FROM eq_values, generate_series(1, 9) g WHERE type = 'trend';
SELECT count(*) AS select_distinct FROM (SELECT DISTINCT tr FROM eq_rows) d;
-- an aggregate's DISTINCT sorts, and the types have no ordering: count the text forms instead
SELECT test_error('SELECT count(DISTINCT tr) FROM eq_rows');
SELECT count(DISTINCT tr::text) AS distinct_texts FROM eq_rows;
SELECT tr::text, count(*) FROM eq_rows GROUP BY tr ORDER BY 2;
SELECT count(*) AS union_rows FROM (SELECT tr FROM eq_rows UNION SELECT tr FROM eq_rows) u;
-- IN and a written = look the operator up on the search_path
SELECT test_error('SELECT count(*) FROM eq_rows WHERE tr IN (SELECT b::kam.trend FROM eq_values)');
SET enable_mergejoin = off;
SET enable_nestloop = off;
SELECT plan_has('SELECT * FROM eq_rows x JOIN eq_rows y ON x.tr OPERATOR(kam.=) y.tr', 'Hash Join') AS hash_join,
       (SELECT count(*) FROM eq_rows x JOIN eq_rows y ON x.tr OPERATOR(kam.=) y.tr) AS join_rows;
RESET enable_mergejoin;
RESET enable_nestloop;
-- hash aggregation over 5 000 groups in 64 kB of work_mem
SET work_mem = '64kB';
SELECT count(*) AS groups, sum(n) AS rows
FROM (SELECT kam.bgnbd(1 + g % 5000, 1, 1, 1), count(*) AS n FROM generate_series(1, 20000) g GROUP BY 1) x;
RESET work_mem;

-- with schema kam on the search_path, = and <> are written as usual
SET search_path = kam, public;
SELECT 'F:60,A:100'::band_scheme = 'F:60,"A":100'::band_scheme AS quoted_label_same,
       'F:60,A:100'::band_scheme <> 'F:60,A:100.5'::band_scheme AS bound_differs,
       kam.scorecard(ARRAY['x'], ARRAY[2], ARRAY[0], ARRAY[1]) = 'policy=redistribute;"x"=2[0,1]' AS card_same,
       kam.scorecard(ARRAY['x'], ARRAY[2], ARRAY[0], ARRAY[1]) = 'policy=redistribute;"x"=1[0,1]' AS weight_differs;
SELECT count(*) AS in_rows FROM eq_rows WHERE tr IN (SELECT b::kam.trend FROM eq_values WHERE type = 'trend');
SELECT count(*) AS equal_rows FROM eq_rows WHERE tr = (SELECT a::kam.trend FROM eq_values WHERE type = 'trend');
RESET search_path;
