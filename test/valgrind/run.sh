#!/usr/bin/env bash
# The regression suite and the garden against a PostgreSQL server running under
# valgrind memcheck (docs/hardening.md).  Fails on any valgrind error whose stack
# passes through kam (kam.so, kam_* functions); errors inside the stock server
# are counted and reported.  Needs valgrind (installed here when run as root).
# Runs the server as user postgres in a temporary directory.
#   bash test/valgrind/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
kam_need_packages
kam_need_more valgrind:valgrind
kam_build_install
bindir=$("$PG_CONFIG" --bindir)
dir=$(mktemp -d /tmp/kam-valgrind.XXXXXX)
kam_initdb "$dir"
port=$(kam_free_port)
kam_as_pg "cd $dir && nohup valgrind --quiet --trace-children=yes --leak-check=no --num-callers=30 \
        --suppressions=$PWD/test/valgrind/postgres.supp --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \
        --log-file=$dir/valgrind.%p.log \
        $bindir/postgres -D $dir/data -p $port -k $dir -c max_connections=20 -c shared_buffers=64MB -c jit=off \
        > $dir/server.log 2>&1 &"
export PGHOST=$dir PGPORT=$port PGUSER=postgres
kam_wait_server valgrind "$dir"
set +e
kam_suite_and_garden "under valgrind" "$dir"
set -e
errors=$(cat "$dir"/valgrind.*.log 2>/dev/null | grep -c VALGRINDERROR-BEGIN || true)
# positive control, after the count: a one-byte heap overflow in a probe function
# (test/asan/probe.c built without a sanitizer) must be reported
gcc -shared -fPIC -O1 -g -I"$("$PG_CONFIG" --includedir-server)" -o "$dir/heap_probe.so" test/asan/probe.c
chmod a+r "$dir/heap_probe.so"
psql -X -q -d postgres -c "CREATE FUNCTION asan_probe(int) RETURNS int LANGUAGE c STRICT AS '$dir/heap_probe.so'" \
     -c "SELECT asan_probe(8)" >/dev/null 2>&1 || true
kam_as_pg "$bindir/pg_ctl -D $dir/data -m fast -w stop >/dev/null" || true
sleep 2
caught=$(cat "$dir"/valgrind.*.log 2>/dev/null | grep -A3 "Invalid write of size 1" | grep -c "asan_probe (probe.c" || true)
echo "valgrind: positive control (a one-byte heap overflow in a probe function) reported: $caught"
kam_errors=$(cat "$dir"/valgrind.*.log 2>/dev/null | awk '/VALGRINDERROR-BEGIN/{b="";inb=1} inb{b=b"\n"$0} /VALGRINDERROR-END/{inb=0; if (b ~ /kam\.so|kam_[a-z_]+ \(|src\/[a-z]+\.c/) {n++; print b > "/dev/stderr"}} END{print n+0}' 2>"$dir/kam-errors.txt")
echo "valgrind: $errors errors in the server, $kam_errors with kam on the stack (logs in $dir)"
[ "$kam_errors" -eq 0 ] || head -80 "$dir/kam-errors.txt"
[ "$KAM_SUITE_STATUS" -eq 0 ] && [ "$kam_errors" -eq 0 ] && [ "$caught" -ge 1 ]
