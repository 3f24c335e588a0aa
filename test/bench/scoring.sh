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
pg_virtualenv -v "$PGVER" -o shared_buffers=2GB -o work_mem=1GB -o jit=off \
    -o max_parallel_workers_per_gather=2 bash test/bench/scoring-queries.sh
