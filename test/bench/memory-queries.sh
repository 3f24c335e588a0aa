#!/usr/bin/env bash
# Inside a pg_virtualenv cluster (run by test/bench/memory.sh, work_mem 4MB):
# for each size, a table of monthly snapshots (14 per account) and a table of
# line items (three rows per account-month, all first lines before the
# second ones), then each query's time and peak memory in a fresh backend.
set -euo pipefail
psql() { PGOPTIONS='-c client_min_messages=warning' command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -c "CREATE EXTENSION kam"
# hwm WORK_MEM QUERY: "ms kB" of a fresh serial backend running QUERY
hwm() {
    psql -At -c "SET max_parallel_workers_per_gather = 0" -c "SET work_mem = '$1'" -c '\timing on' -c "$2" \
         -c "SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]" \
        | awk '/^Time:/ && !t {t = $2} /^[0-9]+$/ {k = $1} END {print t, k}'
}
printf '%-10s %-36s %8s %10s %10s %12s\n' "rows" "query" "work_mem" "ms" "mem kB" "bytes/row"
for rows in $SIZES; do
    accounts=$(( rows / 14 ))
    psql <<SQL
DROP TABLE IF EXISTS snap, lines;
CREATE TABLE snap AS
SELECT a AS account_id, (date '2023-01-01' + make_interval(months => a % 10 + m))::date AS month,
       (100 + (a::bigint * 7919 % 5000) + 25 * (m / 6) * (a % 3))::numeric(12,2) AS mrr
FROM generate_series(1, $accounts) a, generate_series(0, 13) m;
CREATE TABLE lines AS
SELECT s.account_id, s.month, round(s.mrr / 3, 2) AS mrr
FROM generate_series(1, 3) l, snap s WHERE s.account_id <= $accounts / 3;
VACUUM ANALYZE snap, lines;
SQL
    n=$(psql -At -c "SELECT count(*) FROM snap")
    nl=$(psql -At -c "SELECT count(*) FROM lines")
    row() {  # label work_mem query rows
        local out ms kb
        out=$(hwm "$2" "$3"); ms=${out% *}; kb=${out#* }
        printf '%-10s %-36s %8s %10.0f %10s %12s\n' "$4" "$1" "$2" "$ms" "$kb" \
            "$(awk -v k="$kb" -v f="$floor" -v n="$4" 'BEGIN{printf "%.1f", (k - f) * 1024 / n}')"
    }
    floor=0
    out=$(hwm 4MB "SELECT sum(mrr) FROM snap"); floor=${out#* }
    row "floor: sum(mrr)" 4MB "SELECT sum(mrr) FROM snap" "$n"
    row "kam.mrr_waterfall" 4MB "SELECT cardinality(kam.mrr_waterfall(account_id, month, mrr)) FROM snap" "$n"
    row "kam.mrr_waterfall" 1GB "SELECT cardinality(kam.mrr_waterfall(account_id, month, mrr)) FROM snap" "$n"
    row "kam.cohort_retention" 4MB "SELECT cardinality(kam.cohort_retention(account_id, month, mrr)) FROM snap" "$n"
    row "kam.rfm_accounts (months)" 4MB "SELECT cardinality(kam.rfm_accounts(account_id, month, mrr, '2025-01-01', '1 month')) FROM snap" "$n"
    row "kam.rfm_accounts (text keys)" 4MB "SELECT cardinality(kam.rfm_accounts(account_id || '-' || account_id, month, mrr, '2025-01-01', '1 month')) FROM snap" "$n"
    row "kam.gini" 4MB "SELECT kam.gini(mrr) FROM snap" "$n"
    row "kam.gini" 1GB "SELECT kam.gini(mrr) FROM snap" "$n"
    out=$(hwm 4MB "SELECT sum(mrr) FROM lines"); floor=${out#* }
    row "floor: sum(mrr) of lines" 4MB "SELECT sum(mrr) FROM lines" "$nl"
    row "kam.mrr_waterfall of lines" 4MB "SELECT cardinality(kam.mrr_waterfall(account_id, month, mrr)) FROM lines" "$nl"
    row "kam.mrr_waterfall of lines" 1GB "SELECT cardinality(kam.mrr_waterfall(account_id, month, mrr)) FROM lines" "$nl"
    row "kam.rfm_accounts of lines" 4MB "SELECT cardinality(kam.rfm_accounts(account_id, month, mrr, '2025-01-01', '1 month')) FROM lines" "$nl"
done
psql -c "DROP TABLE snap, lines"
echo "(mem kB: peak backend memory, VmHWM, of a fresh serial backend; bytes/row: above the floor query's, per input row)"
