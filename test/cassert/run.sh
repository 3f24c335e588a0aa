#!/usr/bin/env bash
# The regression suite and the garden against a PostgreSQL 15 built from Debian's
# own source package with assertions (--enable-cassert: Assert() in every server
# API kam calls, memory-context checking that catches a write past the end of a
# palloc chunk, freed memory clobbered) and with USE_VALGRIND (memcheck then
# knows palloc chunk boundaries).  docs/hardening.md.
#
#   bash test/cassert/run.sh              suite and garden on the assert build
#   VALGRIND=1 bash test/cassert/run.sh   the same under valgrind memcheck
#                                         (test/valgrind/run.sh on this build)
#
# The source comes from deb.debian.org (deb-src bookworm, a private apt
# configuration: nothing is installed system-wide); the build goes to a cache
# directory keyed by the version and the build flags, $KAM_PG_CASSERT (default
# ~/.cache/kam/pg15-cassert-<key>), and is reused by later runs on this machine.
# kam is built in a copy of the tree and installed into that private server, so
# the system's installation is untouched; the copy and the cluster live in one
# temporary directory, removed at the end unless the run failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
kam_need_packages
# the source tarball is .tar.bz2; USE_VALGRIND needs valgrind's headers
kam_need_more bzip2:bzip2 perl:perl /usr/include/valgrind/memcheck.h:valgrind
src=$PWD
pg_flags="--enable-cassert --enable-debug --without-readline --without-zlib --without-icu CFLAGS=-O1 -g CPPFLAGS=-DUSE_VALGRIND"
key=$(printf '%s %s' "$PGVER" "$pg_flags" | sha1sum | cut -c1-10)
prefix=${KAM_PG_CASSERT:-${XDG_CACHE_HOME:-$HOME/.cache}/kam/pg$PGVER-cassert-$key}
mkdir -p "$(dirname "$prefix")"
if [ ! -x "$prefix/bin/postgres" ]; then
    work=$(mktemp -d /tmp/kam-pgsrc.XXXXXX)
    echo "== PostgreSQL $PGVER source from Debian"
    kam_private_apt "$work" "deb-src bookworm main"
    (cd "$work" && apt-get -qq "${KAM_APT_OPTS[@]}" --download-only source "postgresql-$PGVER")
    tar xjf "$work"/postgresql-"$PGVER"_*.orig.tar.bz2 -C "$work"
    cd "$work"/postgresql-"$PGVER".*/
    echo "== building $(basename "$PWD") with --enable-cassert and USE_VALGRIND into $prefix"
    ./configure -q --prefix="$prefix" --enable-cassert --enable-debug --without-readline --without-zlib \
        --without-icu CFLAGS="-O1 -g" CPPFLAGS="-DUSE_VALGRIND" > "$work/configure.log"   # = $pg_flags
    make -s -j"$(nproc)" > "$work/make.log" 2>&1 || { tail -30 "$work/make.log"; exit 1; }
    make -s install > "$work/install.log" 2>&1
    # the server runs as postgres: it must read the build
    chmod -R a+rX "$prefix"
    d=$(dirname "$prefix"); while [ "$d" != / ]; do chmod a+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
    cd "$src"
    rm -rf "$work"
else
    echo "== PostgreSQL $PGVER with assertions: cached build $prefix"
fi
export PG_CONFIG=$prefix/bin/pg_config
echo "== $("$PG_CONFIG" --version), assertions on"
dir=$(mktemp -d /tmp/kam-cassert.XXXXXX)
status=1
bindir=$("$PG_CONFIG" --bindir)
finish() {
    kam_as_pg "$bindir/pg_ctl -D $dir/run/data -m fast -w stop >/dev/null 2>&1" || true
    if [ "$status" -eq 0 ]; then rm -rf "$dir"; else echo "cassert: logs kept in $dir"; fi
}
trap finish EXIT
mkdir -p "$dir/copy" "$dir/run"
chmod 755 "$dir"
tar --exclude=./.git --exclude=./results -cf - . | tar xf - -C "$dir/copy"
cd "$dir/copy"
if [ "${VALGRIND:-0}" = 1 ]; then
    bash test/valgrind/run.sh && status=0
    exit $status
fi
kam_build_install
run=$dir/run
kam_initdb "$run"
port=$(kam_free_port)
kam_as_pg "$bindir/pg_ctl -D $run/data -o '-p $port -k $run' -l $run/server.log -w start >/dev/null"
export PGHOST=$run PGPORT=$port PGUSER=postgres
[ "$(psql -X -At -d postgres -c 'SHOW debug_assertions')" = on ] || { echo "cassert: assertions are off"; exit 1; }
set +e
kam_suite_and_garden "assert-enabled server" "$run"
set -e
# a failed Assert aborts the server ("TRAP:"); memory-context checks only warn
problems=$(grep -cE "TRAP:|detected write past chunk end|problem in alloc set|terminated by signal|was terminated" \
           "$run/server.log" || true)
echo "cassert: $problems assertion failures, memory-context warnings or crashes in the server log"
[ "$problems" -eq 0 ] || grep -E "TRAP:|detected write|problem in alloc set|terminated" "$run/server.log" | head -20
# positive control: one byte written past a 10-byte palloc must be reported
gcc -shared -fPIC -O1 -I"$("$PG_CONFIG" --includedir-server)" -o "$run/cassert_probe.so" test/cassert/probe.c
chmod a+r "$run/cassert_probe.so"
psql -X -q -d postgres -c "CREATE FUNCTION cassert_probe(int) RETURNS int LANGUAGE c STRICT AS '$run/cassert_probe.so'" \
     -c "SELECT cassert_probe(0)" -c "SELECT cassert_probe(10)" >/dev/null 2>&1 || true
caught=$(grep -c "detected write past chunk end" "$run/server.log" || true)
echo "cassert: positive control (a write one byte past a palloc chunk) reported: $caught"
if [ "$KAM_SUITE_STATUS" -eq 0 ] && [ "$problems" -eq 0 ] && [ "$caught" -ge 1 ]; then status=0; fi
exit $status
