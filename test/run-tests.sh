#!/usr/bin/env bash
# Runs every kam test: builds (-Wall -Wextra -Werror), installs, and runs the
# pg_regress suite, then the garden, upgrade and dump/restore tests, each set
# in a throwaway PostgreSQL cluster (pg_virtualenv), then the suite and the
# garden again with kam built under AddressSanitizer and UBSan (staged in a temporary
# directory, never installed into the system's PostgreSQL), and the suite and
# the garden on PostgreSQL 13, 15, 17 and 18 built with assertions from Debian's
# source packages (test/versions/run.sh: cached builds; upgrade, dump/restore and
# pg_upgrade on the newest), and the KAM review dashboard tested in headless
# Chromium (test/dashboard/run.sh).
# Run as root on a fresh Debian 12 machine it installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

kam_need_packages
# what this run leaves in /tmp is compared at the end with what was there before it
tmp_before=$(ls -d /tmp/kam-* 2>/dev/null | sort || true)
kam_build_install

echo "== regression suite (pg_regress in a throwaway cluster)"
rm -rf results regression.diffs regression.out
mkdir -p results
set +e
pg_virtualenv -v "$PGVER" make -s installcheck PG_CONFIG="$PG_CONFIG" 2>&1 | tee results/installcheck.log
status=${PIPESTATUS[0]}
set -e
kam_regress_counts results/installcheck.log
passed=$KAM_REGRESS_PASSED failed=$KAM_REGRESS_FAILED
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
    [ -f regression.diffs ] && { echo "== regression.diffs"; cat regression.diffs; }
    echo "regress: $passed passed, $((failed > 0 ? failed : 1)) failed"
    exit 1
fi
echo "regress: $passed passed, 0 failed"

stages_passed=1; stages_failed=0   # the regression suite above passed
stage() {
    local name=$1; shift
    echo "== $name"
    if "$@"; then stages_passed=$((stages_passed + 1)); else stages_failed=$((stages_failed + 1)); echo "stage FAILED: $name"; fi
}
check_versions() {
    local v_control v_meta v_deb
    v_control=$(sed -n "s/^default_version = '\(.*\)'/\1/p" kam.control)
    v_meta=$(python3 -c "import json; m = json.load(open('META.json')); print(m['version'], m['provides']['kam']['version'])")
    v_deb=$(sed -n '1s/^kam (\([^)]*\)).*/\1/p' debian/changelog)
    if [ "$v_meta" != "$v_control $v_control" ] || [ "$v_deb" != "$v_control" ]; then
        echo "versions differ: kam.control $v_control, META.json $v_meta, debian/changelog $v_deb"; return 1
    fi
    echo "versions: $v_control"
}
stage "one version everywhere (kam.control, META.json, debian/changelog)" check_versions
stage "docs/errors.md lists every error (test/tools/errors.py)" python3 test/tools/errors.py --check
stage "src/ laid out as pgindent lays it out (test/tools/pgindent.sh)" bash test/tools/pgindent.sh
stage "garden (round trip, expression keys), model coverage, interrupts, upgrade, dump/restore, merged histories, clients, docs (test/cluster-tests.sh)" \
    pg_virtualenv -v "$PGVER" bash test/cluster-tests.sh
stage "the suite and the garden with kam built under ASan and UBSan (test/asan/run.sh)" bash test/asan/run.sh
stage "the suite and the garden on PostgreSQL 13, 15, 17 and 18 built with assertions, upgrade and dump on 18, pg_upgrade 15 -> 18 (test/versions/run.sh)" \
    bash test/versions/run.sh
stage "the KAM review dashboard in headless Chromium: every page's numbers against kam's SQL, its charts, no errors (test/dashboard/run.sh)" \
    bash test/dashboard/run.sh test
stage "the system's kam.so is the plain build of this tree" kam_check_installed_plain
check_tmp_clean() {
    local left
    left=$(comm -13 <(echo "$tmp_before") <(ls -d /tmp/kam-* 2>/dev/null | sort || true) | tr '\n' ' ')
    if [ -n "${left// /}" ]; then echo "left in /tmp: $left"; return 1; fi
    echo "/tmp: nothing left behind"
}
stage "the run leaves nothing in /tmp" check_tmp_clean
echo "stages: $stages_passed passed, $stages_failed failed"
[ "$stages_failed" -eq 0 ]
