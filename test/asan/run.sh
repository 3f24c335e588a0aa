#!/usr/bin/env bash
# The regression suite and the garden with kam built under a sanitizer
# (docs/hardening.md): the sanitized kam.so is installed, a server is started
# (with the runtime preloaded for AddressSanitizer), and any sanitizer report
# fails the run.  The normal build is installed again at the end.
#   SANITIZE=undefined (default): UBSan, linked into kam.so.
#   SANITIZE=address,undefined: ASan too; needs the runtime preloaded into the
#   stock server, which deadlocks at postmaster start on Debian 12's PostgreSQL 15
#   (docs/hardening.md), so it is not the default.
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
SANITIZE=${SANITIZE:-undefined}
echo "== building kam with -fsanitize=$SANITIZE"
make -s clean >/dev/null
make -s COPT="-fsanitize=$SANITIZE -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g" \
     SHLIB_LINK="-fsanitize=$SANITIZE"
make -s install >/dev/null
chmod -R a+rX .
preload=""
case "$SANITIZE" in *address*) preload="$(gcc -print-file-name=libasan.so)";; esac
kam_initdb "$dir"
chmod 777 "$dir"
port=54330
# postgres leaks on purpose (it frees by memory context): leak detection off
kam_as_pg "cd $dir && nohup env ${preload:+LD_PRELOAD=$preload} ASAN_OPTIONS=detect_leaks=0:log_path=$dir/asan:abort_on_error=0 \
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
[ "$KAM_SUITE_STATUS" -eq 0 ] && [ "$reports" -eq 0 ]
