#!/usr/bin/env bash
# The key-account manager's KPIs (docs/kam.md) against the plain SQL an analyst writes for the
# same answers, and a bare scan of the same rows (the floor), serial and with 2 workers, in one
# throwaway cluster: kam.renewal_agg over 1M contract terms, kam.account_tree over 1M edges,
# kam.touch_gaps per account over 10M activities.
#   bash test/bench/kpis.sh [terms]     (default 1 000 000; edges = terms, activities = 10 x)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
export ROWS=${1:-1000000}
kam_need_packages
kam_build_install
kam_bench_cluster 1GB 256MB bash test/bench/kpis-queries.sh
