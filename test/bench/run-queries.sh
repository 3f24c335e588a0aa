#!/usr/bin/env bash
# Inside a pg_virtualenv cluster: generate the sample CRM, then time every
# "-- bench: name" query of $1 (best of 3, client-side \timing), serially and
# with 2 workers, and print times and ratios.  Also reports peak backend
# memory (VmHWM) of the per-account snapshot aggregate against a bare scan.
set -euo pipefail
sqlfile=$1
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql -c "CREATE EXTENSION kam" -f test/crm/generate.sql >/dev/null
t0=$(date +%s)
psql -At -c "SELECT crm.generate($ACCOUNTS, 24, 42, false)"
psql <<'SQL'
CREATE TABLE bench_pairs AS
SELECT account_id, mrr::float8 AS start_mrr,
       coalesce(lead(mrr, 12) OVER (PARTITION BY account_id ORDER BY month), 0)::float8 AS end_mrr
FROM crm.mrr_snapshots;
VACUUM ANALYZE bench_pairs;
VACUUM ANALYZE crm.mrr_snapshots;
SQL
echo "setup $(( $(date +%s) - t0 )) s: $(psql -At -c 'SELECT count(*) FROM crm.mrr_snapshots') snapshot rows," \
     "$(psql -At -c 'SELECT count(*) FROM bench_pairs') pair rows, $(psql -At -c 'SELECT count(*) FROM crm.accounts') accounts"
psql -c "SELECT count(*) FROM crm.mrr_snapshots" -c "SELECT count(*) FROM bench_pairs" >/dev/null

dir=$(mktemp -d)
awk -v d="$dir" '/^-- bench: /{name=$3; print name >> (d "/names"); next} /^--/{next} name{print > (d "/" name ".sql")}' "$sqlfile"

best_ms() {   # workers, file
    local best="" ms
    for _ in 1 2 3; do
        ms=$( { echo "SET max_parallel_workers_per_gather = $1;"; echo '\timing on'; cat "$2"; } \
              | command psql -X -q -At 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
        if [ -z "$best" ] || awk "BEGIN{exit !($ms < $best)}"; then best=$ms; fi
    done
    echo "$best"
}

declare -A S P
while read -r n; do
    S[$n]=$(best_ms 0 "$dir/$n.sql")
    P[$n]=$(best_ms 2 "$dir/$n.sql")
done < "$dir/names"

printf '\n%-32s %10s %10s %9s\n' "query" "serial ms" "2 workers" "speed-up"
while read -r n; do
    printf '%-32s %10.0f %10.0f %8.2fx\n' "$n" "${S[$n]}" "${P[$n]}" "$(awk "BEGIN{print ${S[$n]}/${P[$n]}}")"
done < "$dir/names"

ratio() { awk "BEGIN{printf \"%.2f\", $1/$2}"; }
echo
echo "ratios (serial / 2 workers); < 1 means kam is faster"
printf '%-58s %8s %8s\n' "comparison" "serial" "2 work."
cmp() { printf '%-58s %8s %8s\n' "$1 / $2" "$(ratio "${S[$1]}" "${S[$2]}")" "$(ratio "${P[$1]}" "${P[$2]}")"; }
cmp kam_nrr_pairs floor_sum_pairs
cmp kam_retention_agg_pairs floor_sum_pairs
cmp kam_nrr_pairs plain_nrr_grr_logo_pairs
cmp kam_snapshots_all_rows plain_movements_all_rows
cmp kam_snapshots_all_rows floor_sum_snapshots
cmp kam_snapshots_two_dates plain_nrr_grr_logo_two_dates
cmp kam_waterfall plain_waterfall
cmp kam_waterfall floor_sum_snapshots

# peak memory of one backend (VmHWM; reading /proc of the server needs root)
if [ -r /proc/self/status ]; then
    base=$( (command psql -X -q -At -c "SET max_parallel_workers_per_gather = 0" -c "SELECT sum(mrr) FROM crm.mrr_snapshots" \
             -c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(3)" >"$dir/b.out" 2>&1 &) ; sleep 1;
           while ! [ "$(wc -l < "$dir/b.out")" -ge 2 ]; do sleep 0.2; done
           pid=$(sed -n 2p "$dir/b.out"); grep VmHWM "/proc/$pid/status" | awk '{print $2}')
    kamk=$( (command psql -X -q -At -c "SET max_parallel_workers_per_gather = 0" \
             -c "SELECT kam.retention_agg(account_id, month, mrr, '2023-12-01', '2024-12-01') FROM crm.mrr_snapshots" \
             -c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(3)" >"$dir/k.out" 2>&1 &) ; sleep 1;
           while ! [ "$(wc -l < "$dir/k.out")" -ge 2 ]; do sleep 0.2; done
           pid=$(sed -n 2p "$dir/k.out"); grep VmHWM "/proc/$pid/status" | awk '{print $2}')
    accts=$(psql -At -c "SELECT count(DISTINCT account_id) FROM crm.mrr_snapshots WHERE month <= '2024-12-01'")
    echo
    echo "peak backend memory (VmHWM): bare sum() scan ${base} kB, kam snapshot form ${kamk} kB;"
    echo "difference $(( kamk - base )) kB for $accts accounts = $(awk "BEGIN{printf \"%.0f\", ($kamk-$base)*1024/$accts}") bytes per account"
fi
rm -rf "$dir"
