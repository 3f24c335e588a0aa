-- kam scoring and concentration benchmark queries; run by test/bench/scoring.sh.
-- Each query is tagged with "-- bench: <name>"; :card is replaced by the
-- 8-criterion scorecard as a literal.  Tables: acct8 (one row per account,
-- measures m1..m8) and rev (revenue values).

-- bench: floor_sum_8_columns
SELECT sum(m1), sum(m2), sum(m3), sum(m4), sum(m5), sum(m6), sum(m7), sum(m8) FROM acct8;
-- bench: plain_sql_weighted_sum
SELECT sum(100 * (4 * least(greatest(m1 / 150000, 0), 1) + 3 * least(greatest((m2 + 0.3) / 0.8, 0), 1)
                  + coalesce(2 * least(greatest(m3 / 50000, 0), 1), 0) + least(greatest((m4 + 100) / 200, 0), 1)
                  + 3 * least(greatest((m5 - 0.2) / 0.8, 0), 1) + 2 * least(greatest((m6 - 1) / 4, 0), 1)
                  + coalesce(least(greatest((m7 - 0.5) / -0.5, 0), 1), 0) + least(greatest(m8 / 60, 0), 1))
               / (17 - CASE WHEN m3 IS NULL THEN 2 ELSE 0 END - CASE WHEN m7 IS NULL THEN 1 ELSE 0 END))
FROM acct8;
-- bench: kam_score_array
SELECT sum(kam.score(:card, ARRAY[m1, m2, m3, m4, m5, m6, m7, m8])) FROM acct8;
-- bench: kam_score_jsonb_row
SELECT sum(kam.score(:card, to_jsonb(a))) FROM acct8 a;
-- bench: kam_weighted_score_scale
SELECT sum(kam.weighted_score(ARRAY[kam.scale(m1, 0, 150000), kam.scale(m2, -0.3, 0.5), kam.scale(m3, 0, 50000),
                                    kam.scale(m4, -100, 100), kam.scale(m5, 0.2, 1), kam.scale(m6, 1, 5),
                                    kam.scale(m7, 0.5, 0), kam.scale(m8, 0, 60)],
                              ARRAY[4, 3, 2, 1, 3, 2, 1, 1]::float8[]))
FROM acct8;

-- bench: floor_sum_revenue
SELECT sum(x) FROM rev;
-- bench: kam_hhi
SELECT kam.hhi(x) FROM rev;
-- bench: plain_hhi
SELECT sum(x * x) / sum(x) ^ 2 FROM rev;
-- bench: kam_equivalent_customers
SELECT kam.equivalent_customers(x) FROM rev;
-- bench: kam_top_share_100
SELECT kam.top_share(x, 100) FROM rev;
-- bench: plain_top_share_100
SELECT (SELECT sum(x) FROM (SELECT x FROM rev ORDER BY x DESC LIMIT 100) t) / (SELECT sum(x) FROM rev);
-- bench: kam_gini
SELECT kam.gini(x) FROM rev;
-- bench: percentile_cont_median
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM rev;
-- bench: plain_gini
SELECT sum((2 * rn - n - 1) * x) / (max(n) * sum(x))
FROM (SELECT x, row_number() OVER (ORDER BY x) AS rn, count(*) OVER () AS n FROM rev) r;
-- bench: kam_abc_class_1m
SELECT count(*) FILTER (WHERE c = 'A') FROM (SELECT kam.abc_class(x) OVER () AS c FROM rev WHERE id <= 1000000) t;
-- bench: plain_abc_class_1m
SELECT count(*) FILTER (WHERE above < 0.8)
FROM (SELECT (sum(x) OVER (ORDER BY x DESC) - x * count(*) OVER (PARTITION BY x)) / sum(x) OVER () AS above
      FROM rev WHERE id <= 1000000) t;
