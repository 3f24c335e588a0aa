#!/usr/bin/env bash
# Every kam aggregate serially and with 2 parallel workers forced, over the
# sample CRM (default 70 000 accounts, about 1M MRR snapshot rows): the
# speed-up against that of a floor over the same rows (the bare count(*), or
# PostgreSQL's own GROUP BY with a count(*) for a grouped aggregate), and
# whether the forced plan aggregates in the workers.
#   bash test/bench/parallel.sh [accounts]
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
export ACCOUNTS=${1:-70000}
kam_need_packages
kam_build_install
kam_bench_cluster 2GB 1GB bash test/bench/parallel-queries.sh
