#!/usr/bin/env bash
# Checks that src/ is laid out as PostgreSQL's pgindent lays it out: runs
# pgindent (from Debian 12's PostgreSQL 15 source package, fetched with a private
# apt configuration) with pg_bsd_indent (Debian package pg-bsd-indent) over a
# copy of src/, with PostgreSQL's typedefs plus kam's own (read from src/), and
# fails on any difference, which it prints as a diff.
#   bash test/tools/pgindent.sh          check
#   FIX=1 bash test/tools/pgindent.sh    rewrite src/ as pgindent would
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
kam_need_more pg_bsd_indent:pg-bsd-indent bzip2:bzip2 perl:perl
work=$(mktemp -d /tmp/kam-pgindent.XXXXXX)
trap 'rm -rf "$work"' EXIT
kam_private_apt "$work" "deb-src bookworm main"
(cd "$work" && apt-get -qq "${KAM_APT_OPTS[@]}" --download-only source "postgresql-$PGVER")
tar xjf "$work"/postgresql-"$PGVER"_*.orig.tar.bz2 -C "$work" --wildcards '*/src/tools/pgindent/*'
tools=$(echo "$work"/postgresql-"$PGVER".*/src/tools/pgindent)
# kam's typedefs: "} Name;" closing a typedef'd struct, and "typedef ... Name;"
{ sed -n 's/^} \([A-Za-z_][A-Za-z0-9_]*\);$/\1/p' src/*.c src/*.h
  sed -n 's/^typedef .*[^A-Za-z0-9_]\([A-Za-z_][A-Za-z0-9_]*\);$/\1/p' src/*.c src/*.h
  # and the tables simplehash.h declares for each SH_PREFIX
  sed -n 's/^#define SH_PREFIX \([A-Za-z_][A-Za-z0-9_]*\)$/\1_hash\n\1_iterator/p' src/*.c src/*.h
} | sort -u | cat "$tools/typedefs.list" - > "$work/typedefs.list"
mkdir "$work/src"
cp src/*.c src/*.h "$work/src/"
(cd "$work/src" && perl "$tools/pgindent" --indent="$(command -v pg_bsd_indent)" \
     --typedefs="$work/typedefs.list" ./*.c ./*.h)
if [ "${FIX:-0}" = 1 ]; then
    cp "$work"/src/*.c "$work"/src/*.h src/
    echo "pgindent: src/ rewritten"
    exit 0
fi
changed=0
for f in src/*.c src/*.h; do
    if ! diff -u "$f" "$work/$f" > "$work/diff"; then
        changed=$((changed + 1)); cat "$work/diff"
    fi
done
echo "pgindent: $(ls src/*.c src/*.h | wc -l) files, $changed not as pgindent lays them out"
[ "$changed" -eq 0 ]
