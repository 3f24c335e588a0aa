#!/usr/bin/env bash
# Benchmark of health scores, grades and survey aggregates over 10 000 000
# rows against the equivalent CASE/arithmetic and count(*) FILTER SQL, and a
# bare scan (the floor), serial and with 2 workers, in one throwaway cluster.
#   bash test/bench/health.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
export ROWS=${1:-10000000}
kam_need_packages
kam_build_install
kam_bench_cluster 2GB 1GB bash test/bench/health-queries.sh
