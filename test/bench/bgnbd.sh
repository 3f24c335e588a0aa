#!/usr/bin/env bash
# Benchmark of the BG/NBD fit and scoring on customers simulated from the
# BG/NBD process with known parameters (test/bench/bgnbd_sim.py), and of the
# Pareto/NBD (its own simulated process), MBG/NBD and BG/BB fits, in one
# throwaway cluster, serial and with 2 parallel workers.  Prints the parameters recovered with their relative
# errors, and times against a bare scan of the same rows and against the
# float8 SQL expression of P(alive).
#
# The customers are acquired over 26 weeks and observed for 52, with
# r 0.6, alpha 3 (one purchase every 5 weeks on average), a 0.8, b 2.5.
# (At CDNOW's parameters and 39-week window the sampling error of b alone
# is about 1.5 % at a million customers; docs/benchmarks.md.)
#   bash test/bench/bgnbd.sh [customers]    (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
export CUSTOMERS=${1:-1000000}
kam_need_packages
command -v python3 >/dev/null 2>&1 || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq python3 >/dev/null; }
kam_build_install
data=$(mktemp -d)
chmod 755 "$data"
export BG_R=0.6 BG_ALPHA=3 BG_A=0.8 BG_B=2.5
sim() {
    python3 test/bench/bgnbd_sim.py --customers "$CUSTOMERS" --r $BG_R --alpha $BG_ALPHA --a $BG_A --b $BG_B \
        --cohort-days 182 --window-days 364 --resolution "$1"
}
echo "== simulating $CUSTOMERS customers (r $BG_R, alpha $BG_ALPHA, a $BG_A, b $BG_B; exact times and whole days)"
sim exact > "$data/exact.csv"
sim days > "$data/days.csv"
export PN_S=0.8 PN_BETA=10
echo "== simulating $CUSTOMERS customers of the Pareto/NBD process (r $BG_R, alpha $BG_ALPHA, s $PN_S, beta $PN_BETA)"
for res in exact days; do
    python3 test/bench/bgnbd_sim.py --customers "$CUSTOMERS" --model paretonbd --r $BG_R --alpha $BG_ALPHA --s $PN_S --beta $PN_BETA \
        --cohort-days 182 --window-days 364 --resolution $res > "$data/pnbd_$res.csv"
done
chmod 644 "$data"/*.csv
export SIM_DAYS=$data/days.csv SIM_EXACT=$data/exact.csv PN_DAYS=$data/pnbd_days.csv PN_EXACT=$data/pnbd_exact.csv
cp test/data/cdnow/donations.csv "$data/donations.csv" && chmod 644 "$data/donations.csv"
export DONATIONS=$data/donations.csv
kam_bench_cluster 1GB 1GB bash test/bench/bgnbd-queries.sh
rm -rf "$data"
