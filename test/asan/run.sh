#!/usr/bin/env bash
# The regression suite and the garden with kam built under a sanitizer
# (docs/hardening.md): the sanitized kam.so is built in a copy of the tree and staged
# in a temporary directory (never installed into the system's PostgreSQL), a private
# server on a free port loads it (extension_destdir, with the runtime preloaded for
# AddressSanitizer), and any sanitizer report fails the run.  The temporary directory
# is removed at the end unless the run failed (then it holds the logs).
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
status=1
finish() {
    kam_as_pg "$bindir/pg_ctl -D $dir/data -m fast -w stop >/dev/null 2>&1" || true
    if [ "$status" -eq 0 ]; then rm -rf "$dir"; else echo "asan: logs kept in $dir"; fi
}
trap finish EXIT
SANITIZE=${SANITIZE:-address,undefined,float-cast-overflow}
echo "== building kam with -fsanitize=$SANITIZE (staged in $dir/stage)"
kam_stage_build "$dir" COPT="-fsanitize=$SANITIZE -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g" \
     SHLIB_LINK="-fsanitize=$SANITIZE"
preload=""
kam_initdb "$dir"
echo "extension_destdir = '$dir/stage'" >> "$dir/data/postgresql.conf"
case "$SANITIZE" in *address*)
    gcc -shared -fPIC -O2 -o "$dir/swift_demangle.so" test/asan/swift_demangle.c
    preload="$(gcc -print-file-name=libasan.so) $dir/swift_demangle.so";;
esac
chmod 777 "$dir"
port=$(kam_free_port)
# postgres leaks on purpose (it frees by memory context): leak detection off
kam_as_pg "cd $dir && nohup env ${preload:+LD_PRELOAD=\"$preload\"} ASAN_OPTIONS=detect_leaks=0:log_path=$dir/asan:abort_on_error=0 \
       UBSAN_OPTIONS=print_stacktrace=1:log_path=$dir/ubsan \
       $bindir/postgres -D $dir/data -p $port -k $dir > $dir/server.log 2>&1 &"
export PGHOST=$dir PGPORT=$port PGUSER=postgres
kam_wait_server asan "$dir"
# the server loads the staged build, not the system's kam.so
loaded=$(psql -X -q -At -d postgres -c "CREATE EXTENSION kam" -c "SELECT kam.scale(1, 0, 2)" \
         -c "SELECT count(*) FROM regexp_split_to_table(pg_read_file('/proc/self/maps'), E'\\n') l
             WHERE l LIKE '%$dir/stage/%/kam.so'" | tail -1)
if ! [ "${loaded:-0}" -ge 1 ] 2>/dev/null; then
    echo "asan: the server did not load the staged kam.so (${loaded:-nothing})"; exit 1
fi
echo "asan: the server runs the staged sanitized kam.so"
psql -X -q -d postgres -c "DROP EXTENSION kam"
set +e
kam_suite_and_garden "sanitized kam" "$dir"
set -e
reports=$(cat "$dir"/asan.* "$dir"/ubsan.* 2>/dev/null | grep -cE "ERROR: AddressSanitizer|runtime error" || true)
echo "asan: $reports AddressSanitizer/UBSan reports"
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
if [ "$KAM_SUITE_STATUS" -eq 0 ] && [ "$reports" -eq 0 ] && [ "$probe_ok" -eq 1 ]; then status=0; fi
exit $status
