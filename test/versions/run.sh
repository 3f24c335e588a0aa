#!/usr/bin/env bash
# The regression suite and the garden on every PostgreSQL major version whose server
# source Debian's archive carries (SPEC section 10): 13 (bullseye), 15 (bookworm),
# 17 (trixie) and 18 (sid); 14 and 16 are in none of Debian's suites.  Each server is
# built from Debian's source package with assertions (--enable-cassert: Assert() in
# every server API kam calls, memory-context checks that catch a write past a palloc
# chunk) and USE_VALGRIND, cached across runs keyed by version and flags
# (kam_pg_build in test/lib.sh).  On the newest version the step-by-step upgrade
# and the dump/restore tests run as well, and test/versions/pg_upgrade.sh moves a
# cluster holding stored kam values from 15 to 18 with pg_upgrade.
#
#   bash test/versions/run.sh                  every version
#   KAM_PG_VERSIONS="15 18" bash test/versions/run.sh
#   VALGRIND=1 bash test/versions/run.sh       suite and garden under valgrind memcheck
#                                              on the 15 build (test/valgrind/run.sh)
#
# kam is built in a copy of the tree and installed into each private server (the
# system's installation is untouched); the copy and the cluster live in one temporary
# directory, removed at the end unless the run failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
kam_need_packages
versions=${KAM_PG_VERSIONS:-13 15 17 18}
newest=${versions##* }
src=$PWD
if [ "${VALGRIND:-0}" = 1 ]; then
    kam_pg_build 15
    dir=$(mktemp -d /tmp/kam-valgrind-copy.XXXXXX)
    trap 'rm -rf "$dir"' EXIT
    tar --exclude=./.git --exclude=./results -cf - . | tar xf - -C "$dir"
    chmod 755 "$dir"
    cd "$dir"
    PG_CONFIG=$KAM_PG_PREFIX/bin/pg_config bash test/valgrind/run.sh
    exit
fi

# run_version V: suite and garden (and on the newest, upgrade and dump) on PostgreSQL V
run_version() {
    local v=$1 dir run port bindir regress_passed regress_failed problems caught status=1 extra=0
    kam_pg_build "$v" || { echo "PostgreSQL $v regress: 0 passed, 1 failed (the server did not build)"; return 1; }
    export PG_CONFIG=$KAM_PG_PREFIX/bin/pg_config
    # psql, pg_dump and pg_restore of the same version (Debian's wrappers pick 15's)
    export PATH=$KAM_PG_PREFIX/bin:$PATH
    bindir=$KAM_PG_PREFIX/bin
    dir=$(mktemp -d /tmp/kam-pg$v.XXXXXX)
    mkdir -p "$dir/copy" "$dir/run"
    chmod 755 "$dir"
    (cd "$src" && tar --exclude=./.git --exclude=./results -cf - .) | tar xf - -C "$dir/copy"
    # the upgrade test builds 0.2.0 from this clone's history
    export GIT_DIR=$src/.git
    cd "$dir/copy"
    echo "== $("$PG_CONFIG" --version) ($KAM_PG_PREFIX), assertions on"
    kam_build_install
    run=$dir/run
    kam_initdb "$run"
    port=$(kam_free_port)
    kam_as_pg "$bindir/pg_ctl -D $run/data -o '-p $port -k $run' -l $run/server.log -w start >/dev/null"
    export PGHOST=$run PGPORT=$port PGUSER=postgres
    [ "$(psql -X -At -d postgres -c 'SHOW debug_assertions')" = on ] || { echo "versions: assertions are off in $v"; }
    set +e
    kam_suite_and_garden "PostgreSQL $v" "$run"
    kam_regress_counts "$run/installcheck.log"
    regress_passed=$KAM_REGRESS_PASSED regress_failed=$KAM_REGRESS_FAILED
    [ "$KAM_REGRESS_STATUS" -ne 0 ] && [ "$regress_failed" -eq 0 ] && regress_failed=1
    echo "PostgreSQL $v regress: $regress_passed passed, $regress_failed failed"
    echo "PostgreSQL $v garden: $(sed -n 's/^garden: \([0-9]* of [0-9]* calls over [0-9]* functions and aggregates\).*/\1/p' "$run/garden.out" 2>/dev/null | head -1)$(grep -q 'garden: passed' "$run/garden.out" 2>/dev/null && echo ', passed')"
    [ "$regress_failed" -ne 0 ] && [ -f regression.diffs ] && head -80 regression.diffs
    if [ "$v" = "$newest" ]; then
        echo "== upgrade and dump/restore (PostgreSQL $v)"
        KAM_TEST_OUT=$run bash test/upgrade/run.sh > "$run/upgrade.log" 2>&1 || extra=1
        grep -E "^upgrade: " "$run/upgrade.log" || tail -20 "$run/upgrade.log"
        KAM_TEST_OUT=$run bash test/dump/run.sh > "$run/dump.log" 2>&1 || extra=1
        grep -E "^dump" "$run/dump.log" | tail -2
    fi
    set -e
    # a failed Assert aborts the server ("TRAP:"); memory-context checks only warn
    problems=$(grep -cE "TRAP:|detected write past chunk end|problem in alloc set|terminated by signal|was terminated" \
               "$run/server.log" || true)
    echo "versions: PostgreSQL $v: $problems assertion failures, memory-context warnings or crashes in the server log"
    [ "$problems" -eq 0 ] || grep -E "TRAP:|detected write|problem in alloc set|terminated" "$run/server.log" | head -20
    # positive control: one byte written past a 10-byte palloc must be reported
    gcc -shared -fPIC -O1 -I"$("$PG_CONFIG" --includedir-server)" -o "$run/cassert_probe.so" test/versions/probe.c
    chmod a+r "$run/cassert_probe.so"
    psql -X -q -d postgres -c "CREATE FUNCTION cassert_probe(int) RETURNS int LANGUAGE c STRICT AS '$run/cassert_probe.so'" \
         -c "SELECT cassert_probe(0)" -c "SELECT cassert_probe(10)" >/dev/null 2>&1 || true
    caught=$(grep -c "detected write past chunk end" "$run/server.log" || true)
    echo "versions: PostgreSQL $v: positive control (a write one byte past a palloc chunk) reported: $caught"
    if [ "$KAM_SUITE_STATUS" -eq 0 ] && [ "$extra" -eq 0 ] && [ "$problems" -eq 0 ] && [ "$caught" -ge 1 ]; then status=0; fi
    kam_as_pg "$bindir/pg_ctl -D $run/data -m fast -w stop >/dev/null 2>&1" || true
    cd "$src"
    if [ "$status" -eq 0 ]; then rm -rf "$dir"; else echo "versions: PostgreSQL $v: logs kept in $dir"; fi
    return $status
}

overall=0
for v in $versions; do
    # set -e holds inside the subshell only when its status is not tested by || or if
    set +e
    (set -e; run_version "$v")
    [ $? -eq 0 ] || overall=1
    set -e
done
if [[ " $versions " == *" 15 "* ]] && [[ " $versions " == *" 18 "* ]]; then
    echo "== pg_upgrade of stored kam values from PostgreSQL 15 to 18"
    KAM_PG_KAM_INSTALLED=$((1 - overall)) bash test/versions/pg_upgrade.sh 15 18 || overall=1
fi
exit $overall
