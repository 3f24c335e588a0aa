#!/usr/bin/env bash
# Inside a pg_virtualenv cluster (run by test/bench/scoring.sh): build the
# tables, then time the queries of test/bench/scoring.sql.
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
t0=$(date +%s)
psql -v accounts="$ACCOUNTS" -v rows="$REVENUE_ROWS" <<'SQL'
CREATE EXTENSION kam;
-- 8 measures per account, pseudo-random from a hash of the id, 2 % NULL in m3 and m7
CREATE TABLE acct8 AS
SELECT id,
       (hashint8(id) & 1048575) / 1048575.0 * 250000                      AS m1,  -- ARR
       ((hashint8(id * 3 + 1) & 1048575) / 1048575.0 - 0.3)::float8        AS m2,  -- growth
       CASE WHEN id % 50 = 0 THEN NULL ELSE (hashint8(id * 5 + 2) & 1023)::float8 * 50 END AS m3,  -- pipeline
       ((hashint8(id * 7 + 3) & 1048575) / 1048575.0 * 200 - 100)::float8  AS m4,  -- NPS
       ((hashint8(id * 11 + 4) & 1048575) / 1048575.0)::float8             AS m5,  -- adoption
       (1 + (hashint8(id * 13 + 5) & 3))::float8                           AS m6,  -- CSAT 1..4
       CASE WHEN id % 50 = 1 THEN NULL ELSE ((hashint8(id * 17 + 6) & 1023) / 2046.0)::float8 END AS m7,  -- overdue share
       ((hashint8(id * 19 + 7) & 1048575) / 1048575.0 * 120)::float8       AS m8   -- tenure months
FROM generate_series(1, :accounts) id;
ALTER TABLE acct8 ALTER COLUMN m1 TYPE float8;
CREATE TABLE card AS
SELECT kam.scorecard(ARRAY['m1','m2','m3','m4','m5','m6','m7','m8'],
                     ARRAY[4, 3, 2, 1, 3, 2, 1, 1],
                     ARRAY[0, -0.3, 0, -100, 0.2, 1, 0.5, 0],
                     ARRAY[150000, 0.5, 50000, 100, 1, 5, 0, 60]) AS c;
-- revenue per account, heavy-tailed
CREATE TABLE rev AS
SELECT g AS id, round((exp(((hashint8(g) & 1048575) / 1048575.0) * 8) * 100)::numeric, 2)::float8 AS x
FROM generate_series(1, :rows) g;
VACUUM ANALYZE acct8;
VACUUM ANALYZE rev;
SQL
echo "setup $(( $(date +%s) - t0 )) s: $(psql -At -c 'SELECT count(*) FROM acct8') accounts, $(psql -At -c 'SELECT count(*) FROM rev') revenue rows"
psql -c "SELECT count(*) FROM acct8" -c "SELECT count(*) FROM rev" >/dev/null
# the scorecard as a literal, so that every query reads it as a constant
CARD=$(psql -At -c "SELECT c FROM card")
sed "s|:card|'$CARD'::kam.scorecard|g" test/bench/scoring.sql > "${TMPDIR:-/tmp}/kam-scoring-bench.sql"

echo
echo "same answers:"
psql -At <<SQL
SELECT '  scorecard vs plain SQL, max |difference|: ' ||
       max(abs(kam.score('$CARD'::kam.scorecard, ARRAY[m1, m2, m3, m4, m5, m6, m7, m8])
           - 100 * (4 * least(greatest(m1 / 150000, 0), 1) + 3 * least(greatest((m2 + 0.3) / 0.8, 0), 1)
                    + coalesce(2 * least(greatest(m3 / 50000, 0), 1), 0) + least(greatest((m4 + 100) / 200, 0), 1)
                    + 3 * least(greatest((m5 - 0.2) / 0.8, 0), 1) + 2 * least(greatest((m6 - 1) / 4, 0), 1)
                    + coalesce(least(greatest((m7 - 0.5) / -0.5, 0), 1), 0) + least(greatest(m8 / 60, 0), 1))
                 / (17 - CASE WHEN m3 IS NULL THEN 2 ELSE 0 END - CASE WHEN m7 IS NULL THEN 1 ELSE 0 END)))
FROM acct8;
SELECT '  hhi vs sum(x^2)/sum(x)^2, |difference|: ' || abs(kam.hhi(x) - sum(x * x) / sum(x) ^ 2) FROM rev;
SQL

. test/bench/lib.sh
bench_report "${TMPDIR:-/tmp}/kam-scoring-bench.sql" \
    kam_score_array/plain_sql_weighted_sum \
    kam_score_array/floor_sum_8_columns \
    kam_score_jsonb_row/plain_sql_weighted_sum \
    kam_weighted_score_scale/plain_sql_weighted_sum \
    kam_hhi/floor_sum_revenue \
    kam_hhi/plain_hhi \
    kam_equivalent_customers/floor_sum_revenue \
    kam_top_share_100/floor_sum_revenue \
    kam_top_share_100/plain_top_share_100 \
    kam_gini/percentile_cont_median \
    kam_gini/plain_gini \
    kam_gini/floor_sum_revenue \
    kam_abc_class_1m/plain_abc_class_1m
rm -f "${TMPDIR:-/tmp}/kam-scoring-bench.sql"
