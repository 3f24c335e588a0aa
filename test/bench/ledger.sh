#!/usr/bin/env bash
# kam.mrr_schedule over subscription lines x 24 months against the generate_series join an
# analyst writes for the same numbers (anchor start, no discounts), and a bare scan of the
# lines (the floor), serial and with 2 workers, in one throwaway cluster.
#   bash test/bench/ledger.sh [lines]     (default 1 000 000)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
export ROWS=${1:-1000000}
kam_need_packages
kam_build_install
kam_bench_cluster 1GB 256MB bash test/bench/ledger-queries.sh
