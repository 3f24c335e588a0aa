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
# configuration: nothing is installed system-wide); the build goes to
# $KAM_PG_CASSERT (default /tmp/kam-pg15-cassert) and is reused when present.
# kam is built in a copy of the tree, so the normal installation is untouched.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
kam_need_packages
# the source tarball is .tar.bz2; USE_VALGRIND needs valgrind's headers
kam_need_more bzip2:bzip2 perl:perl /usr/include/valgrind/memcheck.h:valgrind
src=$PWD
prefix=${KAM_PG_CASSERT:-/tmp/kam-pg15-cassert}
if [ ! -x "$prefix/bin/postgres" ]; then
    work=$(mktemp -d /tmp/kam-pgsrc.XXXXXX)
    echo "== PostgreSQL $PGVER source from Debian"
    kam_private_apt "$work" "deb-src bookworm main"
    (cd "$work" && apt-get -qq "${KAM_APT_OPTS[@]}" --download-only source "postgresql-$PGVER")
    tar xjf "$work"/postgresql-"$PGVER"_*.orig.tar.bz2 -C "$work"
    cd "$work"/postgresql-"$PGVER".*/
    echo "== building $(basename "$PWD") with --enable-cassert and USE_VALGRIND into $prefix"
    ./configure -q --prefix="$prefix" --enable-cassert --enable-debug --without-readline --without-zlib \
        --without-icu CFLAGS="-O1 -g" CPPFLAGS="-DUSE_VALGRIND" > "$work/configure.log"
    make -s -j"$(nproc)" > "$work/make.log" 2>&1 || { tail -30 "$work/make.log"; exit 1; }
    make -s install > "$work/install.log" 2>&1
    cd "$src"
    rm -rf "$work"
fi
export PG_CONFIG=$prefix/bin/pg_config
echo "== $("$PG_CONFIG" --version), assertions on"
copy=$(mktemp -d /tmp/kam-cassert.XXXXXX)
tar --exclude=./.git --exclude=./results -cf - . | tar xf - -C "$copy"
cd "$copy"
if [ "${VALGRIND:-0}" = 1 ]; then
    exec bash test/valgrind/run.sh
fi
kam_build_install
bindir=$("$PG_CONFIG" --bindir)
dir=$(mktemp -d /tmp/kam-cassert-run.XXXXXX)
kam_initdb "$dir"
port=54331
kam_as_pg "$bindir/pg_ctl -D $dir/data -o '-p $port -k $dir' -l $dir/server.log -w start >/dev/null"
trap 'kam_as_pg "$bindir/pg_ctl -D $dir/data -m fast -w stop >/dev/null 2>&1" || true' EXIT
export PGHOST=$dir PGPORT=$port PGUSER=postgres
[ "$(psql -X -At -d postgres -c 'SHOW debug_assertions')" = on ] || { echo "cassert: assertions are off"; exit 1; }
set +e
kam_suite_and_garden "assert-enabled server" "$dir"
set -e
# a failed Assert aborts the server ("TRAP:"); memory-context checks only warn
problems=$(grep -cE "TRAP:|detected write past chunk end|problem in alloc set|terminated by signal|was terminated" \
           "$dir/server.log" || true)
echo "cassert: $problems assertion failures, memory-context warnings or crashes in the server log ($dir/server.log)"
[ "$problems" -eq 0 ] || grep -E "TRAP:|detected write|problem in alloc set|terminated" "$dir/server.log" | head -20
# positive control: one byte written past a 10-byte palloc must be reported
gcc -shared -fPIC -O1 -I"$("$PG_CONFIG" --includedir-server)" -o "$dir/cassert_probe.so" test/cassert/probe.c
chmod a+r "$dir/cassert_probe.so"
psql -X -q -d postgres -c "CREATE FUNCTION cassert_probe(int) RETURNS int LANGUAGE c STRICT AS '$dir/cassert_probe.so'" \
     -c "SELECT cassert_probe(0)" -c "SELECT cassert_probe(10)" >/dev/null 2>&1 || true
caught=$(grep -c "detected write past chunk end" "$dir/server.log" || true)
echo "cassert: positive control (a write one byte past a palloc chunk) reported: $caught"
[ "$KAM_SUITE_STATUS" -eq 0 ] && [ "$problems" -eq 0 ] && [ "$caught" -ge 1 ]
