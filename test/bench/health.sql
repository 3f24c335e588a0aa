-- kam health benchmark queries; run by test/bench/health.sh.  Each query is
-- tagged with "-- bench: <name>".  Table hm: id, measures m1..m3 on 0..100,
-- one survey answer 0..10 per row.

-- bench: floor_sum_3_columns
SELECT sum(m1), sum(m2), sum(m3) FROM hm;
-- bench: plain_case_grade
SELECT count(*) FILTER (WHERE g = 'A')
FROM (SELECT CASE WHEN s <= 60 THEN 'F' WHEN s <= 70 THEN 'D' WHEN s <= 80 THEN 'C' WHEN s <= 90 THEN 'B' ELSE 'A' END AS g
      FROM (SELECT (20 * m1 + 15 * m2 + 22 * m3) / 57 AS s FROM hm) x) y;
-- bench: kam_health_grade_score
SELECT count(*) FILTER (WHERE g = 'A')
FROM (SELECT kam.health_grade(kam.health_score(ARRAY[m1, m2, m3], ARRAY[20, 15, 22]::float8[])) AS g FROM hm) y;
-- bench: plain_weighted_mean
SELECT sum((20 * m1 + 15 * m2 + 22 * m3) / 57) FROM hm;
-- bench: kam_health_score
SELECT sum(kam.health_score(ARRAY[m1, m2, m3], ARRAY[20, 15, 22]::float8[])) FROM hm;

-- bench: floor_count
SELECT count(*) FROM hm;
-- bench: plain_nps_count_filter
SELECT 100.0 * (count(*) FILTER (WHERE answer >= 9) - count(*) FILTER (WHERE answer <= 6)) / count(*) FROM hm;
-- bench: kam_nps
SELECT kam.nps(answer) FROM hm;
-- bench: plain_nps_interval
SELECT 100 * (p - d) - 196 * sqrt((p + d - (p - d) ^ 2) / n), 100 * (p - d) + 196 * sqrt((p + d - (p - d) ^ 2) / n)
FROM (SELECT (count(*) FILTER (WHERE answer >= 9))::float8 / count(*) AS p,
             (count(*) FILTER (WHERE answer <= 6))::float8 / count(*) AS d, count(*) AS n FROM hm) x;
-- bench: kam_nps_interval
SELECT kam.nps_interval(kam.nps_agg(answer), 0.95, 'wald') FROM hm;
-- bench: plain_csat
SELECT avg((answer % 5 + 1 >= 4)::int) FROM hm;
-- bench: kam_csat
SELECT kam.csat(answer % 5 + 1) FROM hm;
-- bench: regr_slope
SELECT 30 * regr_slope(m1, id::float8) FROM hm;
-- bench: kam_trend_slope
SELECT kam.slope(kam.trend('2000-01-01'::timestamptz + id * interval '1 day', m1)) FROM hm;
