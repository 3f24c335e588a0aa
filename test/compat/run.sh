#!/usr/bin/env bash
# Compile kam against the server headers of PostgreSQL 13 and 17 (the oldest and
# newest the code is meant for), with the flags CI uses (-Wall -Wextra -Werror
# on top of PGXS's), to catch API changes this machine's PostgreSQL 15 cannot
# show.  The headers come from Debian's own archive: postgresql-server-dev-13 from
# bullseye and postgresql-server-dev-17 from trixie, downloaded with a private apt
# configuration into a temporary directory (nothing is installed).  Compile
# only: those servers do not run on Debian 12.
#   bash test/compat/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
kam_need_packages
work=$(mktemp -d /tmp/kam-compat.XXXXXX)
trap 'rm -rf "$work"' EXIT
kam_private_apt "$work" "deb bullseye main" "deb trixie main"
pgxs_cflags=$(sed -n 's/^CFLAGS = //p' "$(dirname "$("$PG_CONFIG" --pgxs)")/../Makefile.global")
# trixie's PostgreSQL 17 headers were configured against glibc 2.41, which has
# strlcpy, so port.h does not declare it; Debian 12's glibc 2.36 has none.  A
# PostgreSQL 17 built on Debian 12 declares it in port.h; declare it here alike.
# The server headers are system headers here (-isystem): PostgreSQL 17's own
# inline functions trip -Wunused-parameter under -Wextra, and kam's code is what
# this checks.
printf '#include <stddef.h>\nextern size_t strlcpy(char *dst, const char *src, size_t siz);\n' > "$work/strlcpy.h"
status=0
for v in 13 17; do
    (cd "$work" && apt-get -qq "${KAM_APT_OPTS[@]}" download "postgresql-server-dev-$v")
    dpkg -x "$work"/postgresql-server-dev-"$v"_*.deb "$work/pg$v"
    inc="$work/pg$v/usr/include/postgresql/$v/server"
    version=$(sed -n 's/^#define PG_VERSION_NUM \([0-9]*\)/\1/p' "$inc/pg_config.h")
    extra=()
    [ "$v" = 17 ] && extra=(-include "$work/strlcpy.h")
    errors=0
    for f in src/*.c; do
        # shellcheck disable=SC2086
        if ! gcc $pgxs_cflags -Wall -Wextra -Werror -fPIC "${extra[@]}" -isystem "$inc" -isystem /usr/include/postgresql \
               -c "$f" -o "$work/pg$v-$(basename "$f" .c).o" 2> "$work/pg$v-$(basename "$f" .c).log"; then
            errors=$((errors + 1)); status=1
            head -20 "$work/pg$v-$(basename "$f" .c).log"
        fi
    done
    echo "compat: PostgreSQL $v (PG_VERSION_NUM $version): $(ls src/*.c | wc -l) files, $errors failed to compile"
done
rm -rf "$work"
exit $status
