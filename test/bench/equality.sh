#!/usr/bin/env bash
# Benchmark of DISTINCT, GROUP BY and a hash join on kam summary columns (their
# = and hash operator class) against the same queries on the text forms, which is
# what an analyst would write without the operators, and a bare count(*) (the
# floor), serial and with 2 workers, in one throwaway cluster.
#   bash test/bench/equality.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
export ROWS=${1:-1000000}
kam_need_packages
kam_build_install
kam_bench_cluster 1GB 256MB bash test/bench/equality-queries.sh
