#!/usr/bin/env bash
# Inside a cluster (run by test/bench/groups.sh): build the table, time
# test/bench/groups.sql, report hash / sort per aggregate (goal: at most 1.5).
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -v groups="$GROUPS_N" <<'SQL'
CREATE EXTENSION IF NOT EXISTS kam;
DROP TABLE IF EXISTS grp;
-- 10 rows per group: accounts, month-start dates, amounts, lifetimes, purchases
CREATE TABLE grp AS
SELECT g % :groups AS g, g % 7 AS acct,
       (DATE '2024-01-01' + make_interval(months => (g % 6)::int))::date AS at,
       (10 + g % 97)::float8 AS mrr, (g % 400)::int AS life,
       TIMESTAMPTZ '2024-01-01' + make_interval(days => (g % 300)::int) AS ts,
       (g % 3)::float8 AS x, (g % 3 + g % 5)::float8 AS t_x, 20::float8 AS big_t
FROM generate_series(1, :groups * 10) g;
VACUUM ANALYZE grp;
SQL
. test/bench/lib.sh
declare -gA S P
bench_run test/bench/groups.sql
for a in snapshot interval waterfall cohort survival rfm gini top_share sparkline floor; do
    printf '%-58s %8s %8s\n' "hash_$a / sort_$a" "$(bench_ratio "${S[hash_$a]}" "${S[sort_$a]}")" "$(bench_ratio "${P[hash_$a]}" "${P[sort_$a]}")"
done
