#!/usr/bin/env bash
# Benchmark of kam's retention aggregates against the plain SQL an analyst
# would write and against a bare scan of the same rows (the floor), serial and
# with 2 parallel workers, in one throwaway cluster.  Prints one table.
#   bash test/bench/retention.sh [accounts]    (default 700000: ~10M snapshot rows)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
export ACCOUNTS=${1:-700000}
kam_need_packages
kam_build_install
kam_bench_cluster 2GB 1GB bash test/bench/run-queries.sh test/bench/retention.sql
