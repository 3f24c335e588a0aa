#!/usr/bin/env bash
# Inside a pg_virtualenv cluster: generate the sample CRM, then time every
# "-- bench: name" query of $1 (best of BENCH_REPS rounds, default 3, client-side \timing), serially and
# with 2 workers, and print times and ratios.  Also reports peak backend
# memory (VmHWM) of the per-account snapshot aggregate against a bare scan.
set -euo pipefail
sqlfile=$1
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql -c "CREATE EXTENSION kam" -f test/crm/generate.sql >/dev/null
t0=$(date +%s)
psql -At -c "SELECT crm.generate($ACCOUNTS, 24, 42, false)"
psql -f test/bench/pairs.sql
psql <<'SQL'
VACUUM ANALYZE bench_pairs;
VACUUM ANALYZE crm.mrr_snapshots;
SQL
psql -f test/bench/fx_snapshots.sql
echo "setup $(( $(date +%s) - t0 )) s: $(psql -At -c 'SELECT count(*) FROM crm.mrr_snapshots') snapshot rows," \
     "$(psql -At -c 'SELECT count(*) FROM bench_pairs') pair rows, $(psql -At -c 'SELECT count(*) FROM crm.accounts') accounts"
psql -c "SELECT count(*) FROM crm.mrr_snapshots" -c "SELECT count(*) FROM bench_pairs" >/dev/null

. test/bench/lib.sh
bench_report "$sqlfile" \
    kam_nrr_pairs/floor_sum_pairs \
    kam_retention_agg_pairs/floor_sum_pairs \
    kam_nrr_pairs/plain_nrr_grr_logo_pairs \
    kam_snapshots_all_rows/plain_movements_all_rows \
    kam_snapshots_all_rows/floor_sum_snapshots \
    kam_snapshots_two_dates/plain_nrr_grr_logo_two_dates \
    kam_waterfall/plain_waterfall \
    kam_waterfall/floor_sum_snapshots \
    kam_waterfall_fx/plain_waterfall_fx \
    kam_waterfall_fx/floor_sum_fx

# peak memory of one backend (VmHWM; reading /proc of the server needs root)
dir=$(mktemp -d)
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
