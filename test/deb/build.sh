#!/usr/bin/env bash
# Build the Debian packages postgresql-<version>-kam with pg_buildext (debian/) for
# every PostgreSQL version that debian/pgversions (13+) allows and the machine has
# the server headers of (pg_buildext supported-versions: postgresql-server-dev-all's
# versions), install each, and run the regression suite against each installed
# package.  On Debian 12 that is 15; with apt.postgresql.org's postgresql-server-dev-*
# packages the same build makes one package per version.  As root it installs the
# build tools first.
#   bash test/deb/build.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
kam_need_packages
if ! command -v dpkg-buildpackage >/dev/null 2>&1 || ! dpkg -s debhelper postgresql-server-dev-all >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || { echo "Install: sudo apt-get install -y dpkg-dev debhelper postgresql-server-dev-all" >&2; exit 1; }
    apt-get install -y -qq dpkg-dev debhelper postgresql-server-dev-all >/dev/null
fi
version=$(dpkg-parsechangelog -S Version)
work=$(mktemp -d /tmp/kam-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
# a clean copy of the tracked source (what a source package would hold)
git archive --format=tar --prefix="kam-$version/" HEAD | tar -x -C "$work"
cd "$work/kam-$version"
pgvs=$(pg_buildext supported-versions)
echo "== PostgreSQL versions: debian/pgversions $(tr '\n' ' ' < debian/pgversions)-> on this machine: $(echo $pgvs)"
# debian/control lists one binary package per version (pg_buildext updatecontrol
# rewrites it from control.in)
pg_buildext updatecontrol >/dev/null
echo "== dpkg-buildpackage (kam $version)"
dpkg-buildpackage -us -uc -b > "$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
cd - >/dev/null
status=0
for v in $pgvs; do
    deb=$(ls "$work"/postgresql-"$v"-kam_"$version"_*.deb)
    echo "built $(basename "$deb"): $(dpkg-deb -c "$deb" | grep -cE 'kam(\.so|--|\.control)') kam files"
    dpkg-deb -c "$deb" | awk '{print "  " $6}' | grep -E 'kam(\.so|--|\.control)'
    mkdir -p "$work/debs"; cp "$deb" "$work/debs/"
    if [ "$(id -u)" -eq 0 ]; then
        was_installed=$(dpkg -s "postgresql-$v-kam" >/dev/null 2>&1 && echo yes || echo no)
        had_kam=$([ -f "/usr/lib/postgresql/$v/lib/kam.so" ] && echo yes || echo no)
        echo "== installing postgresql-$v-kam"
        apt-get install -y -qq "$deb" >/dev/null
        dpkg -s "postgresql-$v-kam" | grep -E '^(Status|Version)'
        if [ -x "/usr/lib/postgresql/$v/bin/postgres" ]; then
            echo "== regression suite against the installed package (PostgreSQL $v)"
            chmod -R a+rX .
            rm -rf results regression.diffs
            pg_virtualenv -v "$v" make -s installcheck PG_CONFIG="/usr/lib/postgresql/$v/bin/pg_config" 2>&1 |
                grep -E "tests passed|failed|FAILED" || true
            [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
        else
            echo "no PostgreSQL $v server here: the package is built and installed, not tested"
        fi
        # the machine as it was: the package removed again, and a kam that make install
        # had put there before (the package took its files over) installed again
        if [ "$was_installed" = no ]; then
            apt-get remove -y -qq "postgresql-$v-kam" >/dev/null
            [ "$had_kam" = no ] || make -s install PG_CONFIG="/usr/lib/postgresql/$v/bin/pg_config" >/dev/null
            echo "postgresql-$v-kam removed again (it was not installed before)"
        fi
    else
        echo "not root: install with sudo apt-get install $deb, then run pg_virtualenv -v $v make installcheck"
    fi
done
# the packages outlive the build directory
out=${KAM_DEB_OUT:-$PWD/results/deb}
mkdir -p "$out"
cp "$work"/debs/*.deb "$out/"
echo "packages: $(ls "$out"/*.deb | tr '\n' ' ')"
exit $status
