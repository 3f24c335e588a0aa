#!/usr/bin/env bash
# Build the Debian package postgresql-15-kam with pg_buildext (debian/), install
# it, and run the regression suite against the installed package.  As root it
# installs the build tools first.
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
# a clean copy of the tracked source (what a source package would hold)
git archive --format=tar --prefix="kam-$version/" HEAD | tar -x -C "$work"
echo "== dpkg-buildpackage (kam $version)"
(cd "$work/kam-$version" && dpkg-buildpackage -us -uc -b > "$work/build.log" 2>&1) || { tail -40 "$work/build.log"; exit 1; }
deb=$(ls "$work"/postgresql-15-kam_"$version"_*.deb)
echo "built $(basename "$deb"): $(dpkg-deb -c "$deb" | grep -cE 'kam(\.so|--|\.control)') kam files"
dpkg-deb -c "$deb" | awk '{print "  " $6}' | grep -E 'kam(\.so|--|\.control)'
if [ "$(id -u)" -eq 0 ]; then
    echo "== installing the package"
    apt-get install -y -qq "$deb" >/dev/null
    dpkg -s postgresql-15-kam | grep -E '^(Status|Version)'
    echo "== regression suite against the installed package"
    chmod -R a+rX .
    rm -rf results regression.diffs
    pg_virtualenv -v "$PGVER" make -s installcheck PG_CONFIG="$PG_CONFIG" 2>&1 | grep -E "tests passed|failed|FAILED"
else
    echo "not root: install with sudo apt-get install $deb, then run pg_virtualenv make installcheck"
fi
echo "package: $deb"
