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
CREATE TABLE pn_days (x float8, t_x float8, "T" float8);
CREATE TABLE pn_exact (x float8, t_x float8, "T" float8);
COPY pn_days FROM '$PN_DAYS' WITH (FORMAT csv);
COPY pn_exact FROM '$PN_EXACT' WITH (FORMAT csv);
-- BG/BB: the donations data's 11 104 donors, each repeated 90 times (999 360 rows)
CREATE TABLE don (x int, t_x int, n int, w int);
COPY don FROM '$DONATIONS' WITH (FORMAT csv, HEADER);
CREATE TABLE bb_1m AS SELECT x::float8, t_x::float8, n::float8 FROM don, generate_series(1, w * 90);
VACUUM ANALYZE pn_days;
VACUUM ANALYZE pn_exact;
VACUUM ANALYZE bb_1m;
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

echo
echo "Pareto/NBD parameters recovered (truth: r $BG_R, alpha $BG_ALPHA, s $PN_S, beta $PN_BETA; error in %)"
psql -v r="$BG_R" -v alpha="$BG_ALPHA" -v s="$PN_S" -v beta="$PN_BETA" <<'SQL'
WITH fits AS (
    SELECT 1 AS o, 'exact times' AS data, kam.paretonbd_fit(x, t_x, "T") AS m, count(DISTINCT (x, t_x, "T")) AS patterns FROM pn_exact
    UNION ALL
    SELECT 2, 'whole days', kam.paretonbd_fit(x, t_x, "T"), count(DISTINCT (x, t_x, "T")) FROM pn_days)
SELECT data, patterns,
       round(kam.paretonbd_param(m, 'r')::numeric, 4) AS r, round((100 * (kam.paretonbd_param(m, 'r') / :r - 1))::numeric, 2) AS "err r",
       round(kam.paretonbd_param(m, 'alpha')::numeric, 4) AS alpha, round((100 * (kam.paretonbd_param(m, 'alpha') / :alpha - 1))::numeric, 2) AS "err alpha",
       round(kam.paretonbd_param(m, 's')::numeric, 4) AS s, round((100 * (kam.paretonbd_param(m, 's') / :s - 1))::numeric, 2) AS "err s",
       round(kam.paretonbd_param(m, 'beta')::numeric, 4) AS beta, round((100 * (kam.paretonbd_param(m, 'beta') / :beta - 1))::numeric, 2) AS "err beta",
       round(kam.paretonbd_param(m, 'r_se')::numeric, 4) AS r_se, round(kam.paretonbd_param(m, 'beta_se')::numeric, 4) AS beta_se
FROM fits ORDER BY o;
SELECT round(kam.bgbb_param(m, 'alpha')::numeric, 3) AS alpha, round(kam.bgbb_param(m, 'delta')::numeric, 3) AS delta, kam.bgbb_param(m, 'n') AS n
FROM (SELECT kam.bgbb_fit(x, t_x, n) AS m FROM bb_1m) q;
SQL

. test/bench/lib.sh
bench_report test/bench/bgnbd.sql \
    kam_bgnbd_fit_exact/floor_sum_exact \
    kam_bgnbd_fit_days/floor_sum_days \
    kam_paretonbd_fit_exact/kam_bgnbd_fit_exact \
    kam_paretonbd_fit_days/kam_bgnbd_fit_days \
    kam_paretonbd_fit_days/floor_sum_pn_days \
    kam_mbgnbd_fit_days/kam_bgnbd_fit_days \
    kam_bgbb_fit_1m/floor_sum_bb \
    kam_p_alive/float8_p_alive_expression \
    kam_expected_39/float8_p_alive_expression \
    kam_expected_39/floor_sum_days
