#!/usr/bin/env bash
# One benchmark runner over the sample CRM at two sizes (default about 1M and
# 10M MRR snapshot rows): every family's time as a ratio to its plain-SQL
# equivalent and to the bare-scan floor, serial and with 2 parallel workers,
# plus the peak backend memory of the kam query.  One table per size.
#   bash test/bench/all.sh [accounts ...]     (default 70000 700000)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(70000 700000)
kam_need_packages
kam_build_install
for accounts in "${sizes[@]}"; do
    echo "== sample CRM with $accounts accounts"
    ACCOUNTS=$accounts kam_bench_cluster 2GB 1GB bash test/bench/all-queries.sh
done
