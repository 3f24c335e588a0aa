#!/usr/bin/env bash
# Hash against sorted aggregation for every aggregate with an `internal` state:
# GROUP BY over 100 000 groups (10 rows each) with enable_sort = off, then with
# enable_hashagg = off, serial and with 2 workers, in one throwaway cluster.
# Goal (issue 13): hash within 1.5x of sort for each.  docs/benchmarks.md.
#   bash test/bench/groups.sh [groups]
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
export GROUPS_N=${1:-100000}
kam_need_packages
kam_build_install
kam_bench_cluster 1GB 256MB bash test/bench/groups-queries.sh
