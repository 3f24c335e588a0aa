#!/usr/bin/env bash
# Benchmark of scoring and concentration: an 8-criterion scorecard over
# 1 000 000 accounts against the same weighted sum written as a plain SQL
# expression, and the concentration aggregates over 10 000 000 revenue values
# against sum() (the floor) and the plain SQL an analyst would write, serial
# and with 2 workers, in one throwaway cluster.
#   bash test/bench/scoring.sh [accounts] [revenue_rows]
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
export ACCOUNTS=${1:-1000000} REVENUE_ROWS=${2:-10000000}
kam_need_packages
kam_build_install
kam_bench_cluster 2GB 1GB bash test/bench/scoring-queries.sh
