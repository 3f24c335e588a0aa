#!/usr/bin/env bash
# The regression suite and the garden with kam built under a sanitizer
# (docs/hardening.md): the sanitized kam.so is installed, a server is started
# (with the runtime preloaded for AddressSanitizer), and any sanitizer report
# fails the run.  The normal build is installed again at the end.
#   SANITIZE=address,undefined,float-cast-overflow (default): ASan and UBSan, with the
#   float-to-integer overflow check GCC leaves out of "undefined".  The ASan runtime is
#   preloaded into the stock server together with test/asan/swift_demangle.c,
#   without which the postmaster hangs at start (docs/hardening.md).
#   SANITIZE=undefined: UBSan only, linked into kam.so, nothing preloaded.
# Runs the server as user postgres in a temporary directory.
#   bash test/asan/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
kam_need_packages
bindir=$("$PG_CONFIG" --bindir)
dir=$(mktemp -d /tmp/kam-asan.XXXXXX)
restore() {
    kam_as_pg "$bindir/pg_ctl -D $dir/data -m fast -w stop >/dev/null 2>&1" || true
    make -s clean >/dev/null; make -s >/dev/null && make -s install >/dev/null
}
trap restore EXIT
SANITIZE=${SANITIZE:-address,undefined,float-cast-overflow}
echo "== building kam with -fsanitize=$SANITIZE"
make -s clean >/dev/null
make -s COPT="-fsanitize=$SANITIZE -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g" \
     SHLIB_LINK="-fsanitize=$SANITIZE"
make -s install >/dev/null
chmod -R a+rX .
preload=""
kam_initdb "$dir"
case "$SANITIZE" in *address*)
    gcc -shared -fPIC -O2 -o "$dir/swift_demangle.so" test/asan/swift_demangle.c
    preload="$(gcc -print-file-name=libasan.so) $dir/swift_demangle.so";;
esac
chmod 777 "$dir"
port=54330
# postgres leaks on purpose (it frees by memory context): leak detection off
kam_as_pg "cd $dir && nohup env ${preload:+LD_PRELOAD=\"$preload\"} ASAN_OPTIONS=detect_leaks=0:log_path=$dir/asan:abort_on_error=0 \
       UBSAN_OPTIONS=print_stacktrace=1:log_path=$dir/ubsan \
       $bindir/postgres -D $dir/data -p $port -k $dir > $dir/server.log 2>&1 &"
export PGHOST=$dir PGPORT=$port PGUSER=postgres
kam_wait_server asan "$dir"
set +e
kam_suite_and_garden "sanitized kam" "$dir"
set -e
reports=$(cat "$dir"/asan.* "$dir"/ubsan.* 2>/dev/null | grep -cE "ERROR: AddressSanitizer|runtime error" || true)
echo "asan: $reports AddressSanitizer/UBSan reports (logs in $dir)"
[ "$reports" -eq 0 ] || cat "$dir"/asan.* "$dir"/ubsan.* 2>/dev/null | head -60
probe_ok=1
case "$SANITIZE" in *address*)
    # positive control: a deliberate one-byte heap overflow must be reported
    gcc -shared -fPIC -O1 -g -fsanitize=address -fno-omit-frame-pointer \
        -I"$("$PG_CONFIG" --includedir-server)" -o "$dir/asan_probe.so" test/asan/probe.c
    chmod a+r "$dir/asan_probe.so"
    psql -X -q -d postgres -c "CREATE FUNCTION asan_probe(int) RETURNS int LANGUAGE c STRICT AS '$dir/asan_probe.so'" \
         -c "SELECT asan_probe(0)" >/dev/null
    psql -X -q -d postgres -c "SELECT asan_probe(8)" >/dev/null 2>&1 || true
    kam_wait_server asan "$dir"
    caught=$(cat "$dir"/asan.* 2>/dev/null | grep -A12 "ERROR: AddressSanitizer: heap-buffer-overflow" | grep -c "asan_probe .*probe.c" || true)
    echo "asan: positive control (a one-byte heap overflow in a probe function) reported: $caught"
    [ "$caught" -ge 1 ] || probe_ok=0;;
esac
[ "$KAM_SUITE_STATUS" -eq 0 ] && [ "$reports" -eq 0 ] && [ "$probe_ok" -eq 1 ]
