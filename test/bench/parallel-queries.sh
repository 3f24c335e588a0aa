#!/usr/bin/env bash
# Inside a pg_virtualenv cluster (run by test/bench/parallel.sh): generate the
# sample CRM and helper tables, then time every query of parallel.sql serially
# and with 2 workers forced (parallel costs 0), and check the forced plan runs
# the aggregate in the workers (a Gather under a Finalize/partial aggregate).
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -c "CREATE EXTENSION kam" -f test/crm/generate.sql >/dev/null
psql -At -c "SELECT crm.generate($ACCOUNTS, 24, 42, true)"
psql -f test/bench/pairs.sql
psql <<'SQL'
-- the inputs below are large enough that two workers can pay for their start (about 1M rows):
-- one summary per account and month, cards of 400 criteria, five copies of the subscriptions
-- and twenty of the contract terms under distinct account ids
CREATE TABLE bench_summaries AS
SELECT kam.retention_agg(start_mrr, end_mrr) AS r FROM bench_pairs, generate_series(1, 2) GROUP BY account_id, start_mrr, end_mrr;
CREATE TABLE bench_criteria AS
SELECT account_id / 100 AS card, c || '_' || account_id % 100 AS criterion, (4 - n)::float8 AS weight
FROM crm.accounts, unnest(ARRAY['revenue', 'fit', 'margin', 'relationship']) WITH ORDINALITY u(c, n);
CREATE TABLE bench_subscriptions AS
SELECT s.account_id + c * 10000000 AS account_id, s.valid_from, s.valid_to FROM crm.subscriptions s, generate_series(0, 4) c;
CREATE TABLE bench_terms AS SELECT t.* FROM crm.contract_terms t, generate_series(1, 20);
-- the snapshots keyed by text ids, as test/bench/all-queries.sh makes them
CREATE TABLE bench_snapshots_text AS
SELECT 'ACME-' || lpad(account_id::text, 8, '0') AS account_id, month, mrr FROM crm.mrr_snapshots;
-- the customer models on published data, each row repeated so the fit reads about 2M rows
-- (the same estimates as the original): CDNOW (x, t_x, T, mean repeat spend) 1 000 times,
-- the donations (x, t_x, n by weight) 200 times, the sBG example cohort (Fader & Hardie
-- 2007: 1000, 869, 743, 653, 593, 551, 517, 491 active) 2000 times
CREATE TEMP TABLE cdnow (id int, x float8, t_x float8, t float8, monetary float8);
\copy cdnow FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE bench_rfm AS SELECT x, t_x, t, monetary FROM cdnow, generate_series(1, 1000);
CREATE TEMP TABLE donations (x int, t_x int, n int, w int);
\copy donations FROM 'test/data/cdnow/donations.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE bench_bgbb AS
SELECT x::float8, t_x::float8, n::float8 FROM donations, generate_series(1, w * 200);
-- (churned in period t, or t = 0: still active after 7 periods)
CREATE TABLE bench_lifetimes AS
SELECT CASE WHEN t = 0 THEN 7 ELSE t END AS periods, t > 0 AS churned
FROM (VALUES (1, 131), (2, 126), (3, 90), (4, 60), (5, 42), (6, 34), (7, 26), (0, 491)) c(t, k),
     generate_series(1, k * 2000);
VACUUM ANALYZE;
SQL
. test/bench/lib.sh
declare -A S P T
queries=$(mktemp)
trap 'rm -f "$queries"' EXIT
# each query's table (its last FROM: a grouped query's inner one) and, for a grouped query,
# its GROUP BY column; the floor of each (table, column) first, timed in the same rounds: the
# bare count(*) of the table (floor_<table>), or for a grouped query PostgreSQL's own
# GROUP BY of that column with a count(*) (floor_<table>_by_<column>: the same plan shape,
# partial groups gathered and combined by the leader, with a by-value state)
floors=()
while read -r n t k; do
    f=floor_${t//./_}${k:+_by_$k}
    T[$n]=$f
    if [[ " ${floors[*]} " != *" $f "* ]]; then
        floors+=("$f")
        if [ -n "$k" ]; then
            printf -- '-- bench: %s\nSELECT count(n) FROM (SELECT %s, count(*) AS n FROM %s GROUP BY %s) x;\n' "$f" "$k" "$t" "$k"
        else
            printf -- '-- bench: %s\nSELECT count(*) FROM %s;\n' "$f" "$t"
        fi
    fi
done < <(awk '/^-- bench: /{n=$3; next} /^--/{next}
              n && match($0, /.*FROM [a-z_.]+/){t=substr($0, RSTART, RLENGTH); sub(/.*FROM /, "", t); last[n]=t}
              n && match($0, /GROUP BY [a-z_]+/){k=substr($0, RSTART + 9, RLENGTH - 9); key[n]=k}
              END{for (n in last) print n, last[n], key[n]}' test/bench/parallel.sql) > "$queries"
cat test/bench/parallel.sql >> "$queries"
# two workers (the leader takes part: three processes) and one (two processes); on a
# machine of two cores only the second gives each process a core of its own
reps=${BENCH_REPS:-5}  # rounds: each query serially and with 1 and 2 workers, this many times
BENCH_REPS=$reps BENCH_FORCE_PARALLEL=1 BENCH_WORKERS="2 1" bench_run "$queries"
rm -f "$queries"
plan() {  # does the forced plan of query $1 aggregate in the workers (a PARTIAL kam. aggregate)?
          # A plan without kam's aggregate at all computes nothing of kam's (the planner drops
          # an aggregate whose output a subquery does not use): the run then fails.
    local p
    p=$(awk -v n="$1" '/^-- bench: /{on = ($3 == n); next} /^--/{next} on' test/bench/parallel.sql |
        { echo "SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"
          echo "SET min_parallel_table_scan_size = 0; EXPLAIN (VERBOSE)"; cat; } | psql -At)
    if grep -q "PARTIAL kam\." <<< "$p"; then echo parallel
    elif grep -q "kam\." <<< "$p"; then echo serial
    else echo "kam not computed"
    fi
}
# in how many rounds the run with w workers took longer than the serial run beside it (R)
rounds_slower() {  # w name
    local r k=0
    for r in $(seq "$reps"); do
        awk "BEGIN{exit !(${R[$r,$1,$2]} > ${R[$r,0,$2]})}" && k=$((k + 1))
    done
    echo "$k/$reps"
}
printf '\n%-34s %10s %10s %9s %9s %9s %7s %9s %9s  %s\n' "aggregate" "serial ms" "2 workers" "speed-up" "floor" "÷floor" \
       "rounds" "1 worker" "floor" "forced plan"
slower=0 slower1=0 below_floor=0 uncomputed=0 aggs=0 slower_most=0
for n in "${NAMES[@]}"; do
    sp=$(awk "BEGIN{printf \"%.2f\", ${S[$n]}/${P[$n]}}")
    sp1=$(awk "BEGIN{printf \"%.2f\", ${S[$n]}/${PW[1,$n]}}")
    if [[ $n == floor_* ]]; then
        printf '%-34s %10.0f %10.0f %8sx %9s %9s %7s %8sx %9s  %s\n' "$n" "${S[$n]}" "${P[$n]}" "$sp" "" "" \
               "$(rounds_slower 2 "$n")" "$sp1" "" "(the floor)"
        continue
    fi
    f=${T[$n]}
    fsp=$(awk "BEGIN{printf \"%.2f\", ${S[$f]}/${P[$f]}}")
    fsp1=$(awk "BEGIN{printf \"%.2f\", ${S[$f]}/${PW[1,$f]}}")
    rel=$(awk "BEGIN{printf \"%.2f\", $sp/$fsp}")
    pl=$(plan "$n")
    rs=$(rounds_slower 2 "$n")
    printf '%-34s %10.0f %10.0f %8sx %8sx %9s %7s %8sx %8sx  %s\n' "$n" "${S[$n]}" "${P[$n]}" "$sp" "$fsp" "$rel" "$rs" \
           "$sp1" "$fsp1" "$pl"
    awk "BEGIN{exit !($sp < 1)}" && slower=$((slower + 1))
    awk "BEGIN{exit !(${rs%/*} * 2 > ${rs#*/})}" && slower_most=$((slower_most + 1))
    awk "BEGIN{exit !($sp1 < 1)}" && slower1=$((slower1 + 1))
    awk "BEGIN{exit !($rel < 0.9)}" && below_floor=$((below_floor + 1))
    aggs=$((aggs + 1))
    [ "$pl" = "kam not computed" ] && uncomputed=$((uncomputed + 1))
done
echo "(2 workers forced: max_parallel_workers_per_gather 2, parallel costs 0, the leader taking part; 1 worker: the same with 1;"
echo " best of $reps each, the order of serial and parallel runs reversed every other round; $(nproc) cores here;"
echo " floor: the speed-up of count(*) over the aggregate's table, or for a grouped aggregate of PostgreSQL's own GROUP BY"
echo " of the same column with a count(*); ÷floor: the aggregate's speed-up over the floor's;"
echo " rounds: in how many rounds the run with 2 workers took longer than the serial run beside it;"
echo " $slower of $aggs aggregates slower with 2 workers than serial (best of each), $slower1 with 1 worker;"
echo " $slower_most of $aggs slower with 2 workers in most rounds;"
echo " $below_floor gaining less than 0.9 of what their floor gains with 2 workers)"
if [ "$uncomputed" -gt 0 ]; then
    echo "$uncomputed queries do not compute kam's aggregate (see the plans): the timings above do not time kam" >&2
    exit 1
fi
