#!/usr/bin/env bash
# Inside a pg_virtualenv cluster (run by test/bench/health.sh): build the
# tables, check that kam and the plain SQL agree, time test/bench/health.sql.
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
t0=$(date +%s)
psql -v rows="$ROWS" <<'SQL'
CREATE EXTENSION kam;
-- three measures on 0..100 per account-month, and one survey answer 0..10 per row
CREATE TABLE hm AS
SELECT g AS id,
       ((hashint8(g) & 1048575) / 1048575.0 * 100)::float8         AS m1,
       ((hashint8(g * 3 + 1) & 1048575) / 1048575.0 * 100)::float8 AS m2,
       ((hashint8(g * 7 + 2) & 1048575) / 1048575.0 * 100)::float8 AS m3,
       ((hashint8(g * 11 + 3) & 1048575) % 11)::int                 AS answer
FROM generate_series(1, :rows) g;
VACUUM ANALYZE hm;
SQL
echo "setup $(( $(date +%s) - t0 )) s: $(psql -At -c 'SELECT count(*) FROM hm') rows"
psql -c "SELECT count(*) FROM hm" >/dev/null
echo
echo "same answers:"
psql -At <<'SQL'
SELECT '  grades differing from the CASE expression: ' || count(*) FILTER (WHERE
         kam.health_grade(kam.health_score(ARRAY[m1, m2, m3], ARRAY[20, 15, 22]::float8[]))
         <> CASE WHEN s <= 60 THEN 'F' WHEN s <= 70 THEN 'D' WHEN s <= 80 THEN 'C' WHEN s <= 90 THEN 'B' ELSE 'A' END)
FROM (SELECT *, (20 * m1 + 15 * m2 + 22 * m3) / 57 AS s FROM hm) x;
SELECT '  NPS kam ' || kam.nps(answer) || ', SQL ' ||
       (100.0 * (count(*) FILTER (WHERE answer >= 9) - count(*) FILTER (WHERE answer <= 6)) / count(*))::float8 FROM hm;
SQL
. test/bench/lib.sh
bench_report test/bench/health.sql \
    kam_health_grade_score/plain_case_grade \
    kam_health_grade_score/floor_sum_3_columns \
    kam_health_score/plain_weighted_mean \
    kam_nps/plain_nps_count_filter \
    kam_nps/floor_count \
    kam_nps_interval/plain_nps_interval \
    kam_csat/plain_csat \
    kam_trend_slope/regr_slope
