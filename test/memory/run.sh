#!/usr/bin/env bash
# Peak backend memory (VmHWM) of each kam aggregate over 1M, 10M and [rows]
# generated rows (default 50 000 000), each in a fresh backend: aggregates with a
# fixed-size state must stay flat however many rows they read; per-account ones
# grow with accounts (here a fixed 1 000), not rows.  work_mem is 4MB so that
# generate_series' own buffer is the same for every size.
#   bash test/memory/run.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
export ROWS=${1:-50000000}
kam_need_packages
kam_build_install
pg_virtualenv -v "$PGVER" -o work_mem=4MB -o max_parallel_workers_per_gather=0 -o jit=off bash -c '
set -euo pipefail
psql -X -q -c "CREATE EXTENSION kam"
declare -A Q
Q[baseline_count]="SELECT count(*) FROM generate_series(1, :n) g"
Q[retention_agg_pairs]="SELECT kam.retention_agg((g % 97)::float8, (g % 89)::float8) FROM generate_series(1, :n) g"
Q[nrr]="SELECT kam.nrr((g % 97)::float8, (g % 89)::float8) FROM generate_series(1, :n) g"
Q[hhi]="SELECT kam.hhi((g % 1000)::float8) FROM generate_series(1, :n) g"
Q[equivalent_customers]="SELECT kam.equivalent_customers((g % 1000)::float8) FROM generate_series(1, :n) g"
Q[top_share_100]="SELECT kam.top_share((g % 100003)::float8, 100) FROM generate_series(1, :n) g"
Q[forecast_accuracy]="SELECT kam.forecast_accuracy((g % 97)::float8, (g % 89)::float8) FROM generate_series(1, :n) g"
Q[nps]="SELECT kam.nps((g % 11)::int) FROM generate_series(1, :n) g"
Q[csat]="SELECT kam.csat((g % 5 + 1)::int) FROM generate_series(1, :n) g"
Q[ces]="SELECT kam.ces((g % 7 + 1)::int) FROM generate_series(1, :n) g"
Q[trend]="SELECT kam.slope(kam.trend(timestamptz '\''2000-01-01'\'' + (g % 10000) * interval '\''1 hour'\'', g::float8)) FROM generate_series(1, :n) g"
Q[survival_agg]="SELECT kam.median_lifetime(kam.survival_agg(date '\''2020-01-01'\'' + (g % 300)::int, date '\''2021-01-01'\'' + (g % 997)::int, date '\''2025-01-01'\'')) FROM generate_series(1, :n) g"
Q[retention_agg_1000_accounts]="SELECT kam.retention_agg(g % 1000, date '\''2024-01-01'\'' + (g % 2)::int * 366, (g % 97)::float8, '\''2024-01-01'\'', '\''2025-01-01'\'') FROM generate_series(1, :n) g"
order="baseline_count retention_agg_pairs nrr hhi equivalent_customers top_share_100 forecast_accuracy nps csat ces trend survival_agg retention_agg_1000_accounts"
hwm() {  # query, rows: VmHWM in kB of a fresh backend after the query, run as written (in a
         # subquery whose output is unused the planner would drop the aggregate); the result
         # is one row, checked to be non-NULL so the aggregate really ran
    local out
    out=$(psql -X -q -At -v n="$2" <<SQL
SELECT r IS NOT NULL FROM ($1) q(r);
SELECT (regexp_match(pg_read_file('\''/proc/self/status'\''), '\''VmHWM:\s+(\d+)'\''))[1];
SQL
)
    [ "$(head -1 <<< "$out")" = t ] || { echo "no result from: $1" >&2; exit 1; }
    tail -1 <<< "$out"
}
printf "%-30s %12s %12s %12s %10s\n" "aggregate (peak backend kB)" "1M rows" "10M rows" "$ROWS rows" "growth kB"
for name in $order; do
    a=$(hwm "${Q[$name]}" 1000000); b=$(hwm "${Q[$name]}" 10000000); c=$(hwm "${Q[$name]}" "$ROWS")
    printf "%-30s %12s %12s %12s %10s\n" "$name" "$a" "$b" "$c" "$((c - a))"
done
'
