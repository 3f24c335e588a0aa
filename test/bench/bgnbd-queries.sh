#!/usr/bin/env bash
# Inside a pg_virtualenv cluster (run by test/bench/bgnbd.sh): load the two
# simulated customer tables, check the recovered parameters, time the
# queries of test/bench/bgnbd.sql.
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql <<SQL
CREATE EXTENSION kam;
CREATE TABLE sim_days (x float8, t_x float8, "T" float8);
CREATE TABLE sim_exact (x float8, t_x float8, "T" float8);
COPY sim_days FROM '$SIM_DAYS' WITH (FORMAT csv);
COPY sim_exact FROM '$SIM_EXACT' WITH (FORMAT csv);
VACUUM ANALYZE sim_days;
VACUUM ANALYZE sim_exact;
SQL
psql -c "SELECT count(*) FROM sim_days" -c "SELECT count(*) FROM sim_exact" >/dev/null

echo
echo "parameters recovered (truth: r $BG_R, alpha $BG_ALPHA, a $BG_A, b $BG_B; error in %)"
psql -v r="$BG_R" -v alpha="$BG_ALPHA" -v a="$BG_A" -v b="$BG_B" <<'SQL'
WITH fits AS (
    SELECT 1 AS o, 'exact times' AS data, kam.bgnbd_fit(x, t_x, "T") AS m, count(DISTINCT (x, t_x, "T")) AS patterns FROM sim_exact
    UNION ALL
    SELECT 2, 'whole days', kam.bgnbd_fit(x, t_x, "T"), count(DISTINCT (x, t_x, "T")) FROM sim_days),
e AS (
    SELECT o, data, m, patterns, 100 * (kam.bgnbd_param(m, 'r') / :r - 1) AS er, 100 * (kam.bgnbd_param(m, 'alpha') / :alpha - 1) AS ealpha,
           100 * (kam.bgnbd_param(m, 'a') / :a - 1) AS ea, 100 * (kam.bgnbd_param(m, 'b') / :b - 1) AS eb
    FROM fits)
SELECT data, kam.bgnbd_param(m, 'n')::bigint AS customers, patterns,
       round(kam.bgnbd_param(m, 'r')::numeric, 4) AS r, round(er::numeric, 2) AS "err r",
       round(kam.bgnbd_param(m, 'alpha')::numeric, 4) AS alpha, round(ealpha::numeric, 2) AS "err alpha",
       round(kam.bgnbd_param(m, 'a')::numeric, 4) AS a, round(ea::numeric, 2) AS "err a",
       round(kam.bgnbd_param(m, 'b')::numeric, 4) AS b, round(eb::numeric, 2) AS "err b",
       round(greatest(abs(er), abs(ealpha), abs(ea), abs(eb))::numeric, 2) AS "max |err|"
FROM e ORDER BY o;
SQL

. test/bench/lib.sh
bench_report test/bench/bgnbd.sql \
    kam_bgnbd_fit_exact/floor_sum_exact \
    kam_bgnbd_fit_days/floor_sum_days \
    kam_p_alive/float8_p_alive_expression \
    kam_expected_39/float8_p_alive_expression \
    kam_expected_39/floor_sum_days
