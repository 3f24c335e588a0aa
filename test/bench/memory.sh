#!/usr/bin/env bash
# Peak backend memory (VmHWM) of the value-keeping aggregates against a bare
# scan of the same rows, at several sizes of a snapshot table: the waterfall
# and cohort table (one point per account and month), kam.rfm_accounts (one
# per account and purchase period), kam.gini (every value,
# past work_mem in sorted runs on disk), and the waterfall over line items
# (each account-month split in three rows, far apart).  Prints one table.
#   bash test/bench/memory.sh [rows ...]     (default 1000000 10000000 50000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000 50000000)
kam_need_packages
kam_build_install
SIZES="${sizes[*]}" kam_bench_cluster 2GB 4MB bash test/bench/memory-queries.sh
