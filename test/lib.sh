# Shared by test/run-tests.sh and test/demo.sh: make sure the build and
# server packages are there, build kam and install it.
PGVER=${PGVER:-15}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PGVER/bin/pg_config}
export PG_CONFIG

kam_need_packages() {
    local need=()
    command -v make >/dev/null 2>&1 || need+=(make)
    command -v gcc >/dev/null 2>&1 || need+=(gcc)
    command -v python3 >/dev/null 2>&1 || need+=(python3)
    # client tests (test/clients): the JDBC driver Metabase uses, a JDK, psycopg2
    [ -f /usr/share/java/postgresql.jar ] || need+=(libpostgresql-jdbc-java)
    command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
    /usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1 || need+=(python3-psycopg2)
    command -v pg_virtualenv >/dev/null 2>&1 || need+=(postgresql-common)
    [ -x "/usr/lib/postgresql/$PGVER/bin/postgres" ] || need+=("postgresql-$PGVER")
    # pgxs.mk ships with postgresql-client-$PGVER: the server headers are what tells
    if [ ! -x "$PG_CONFIG" ] || [ ! -f "$("$PG_CONFIG" --pgxs 2>/dev/null)" ] ||
        [ ! -f "$("$PG_CONFIG" --includedir-server 2>/dev/null)/postgres.h" ]; then
        need+=("postgresql-server-dev-$PGVER")
    fi
    [ ${#need[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "== installing: ${need[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "Missing packages: ${need[*]}" >&2
        echo "Install them with:  sudo apt-get install -y ${need[*]}" >&2
        echo "(or run this command as root, it installs them itself)" >&2
        exit 1
    fi
}

kam_build_install() {
    echo "== building kam with -Wall -Wextra -Werror"
    make -s clean >/dev/null
    make -s -j"$(nproc)" PG_CFLAGS="-Wall -Wextra -Werror"
    local libdir
    libdir=$("$PG_CONFIG" --pkglibdir)
    if [ -w "$libdir" ]; then
        make -s install >/dev/null
    else
        echo "Cannot write $libdir: run as root, or 'sudo make install PG_CONFIG=$PG_CONFIG' first." >&2
        exit 1
    fi
    # the throwaway cluster's server runs as postgres and must read the tree
    chmod -R a+rX . 2>/dev/null || true
}

# ---- a private server in a temporary directory (test/valgrind, test/asan) ----

# a TCP port on 127.0.0.1 that nothing listens on now (throwaway clusters never take fixed ones)
kam_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# kam_stage_build DIR MAKE-ARGS...: kam built in a copy of the tree under DIR/build with
# MAKE-ARGS and installed under DIR/stage (make install DESTDIR=...), never into the
# system's PostgreSQL; a server started with extension_destdir=DIR/stage loads this build
kam_stage_build() {
    local dir=$1
    shift
    mkdir -p "$dir/build" "$dir/stage"
    tar --exclude=./.git --exclude=./results --exclude='*.o' --exclude='*.so' --exclude='*.bc' -cf - . \
        | tar xf - -C "$dir/build"
    (cd "$dir/build" && make -s clean >/dev/null && make -s -j"$(nproc)" "$@" >/dev/null && make -s install DESTDIR="$dir/stage" >/dev/null)
    chmod -R a+rX "$dir"
}

# the installed kam.so is the plain build of this tree (what kam_build_install installed)
kam_check_installed_plain() {
    local installed
    installed="$("$PG_CONFIG" --pkglibdir)/kam.so"
    if cmp -s kam.so "$installed"; then
        echo "installed kam.so: the plain build (sanitizer and assert builds stayed in their own directories)"
    else
        echo "installed kam.so differs from the plain build of this tree: $installed"; return 1
    fi
}

# run a command as user postgres when root (the server refuses to run as root)
kam_as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }

# kam_initdb DIR: a fresh cluster in DIR/data, the directory usable by postgres
kam_initdb() {
    chmod 755 "$1"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$1"; fi
    kam_as_pg "$("$PG_CONFIG" --bindir)/initdb -D $1/data -A trust -U postgres >/dev/null"
}

# kam_wait_server NAME DIR: wait up to 120 s for the server at PGHOST/PGPORT
kam_wait_server() {
    for _ in $(seq 1 120); do
        psql -X -At -d postgres -c "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 1
    done
    echo "$1: the server did not start:"; cat "$2"/*.log 2>/dev/null | head -20
    return 1
}

# kam_regress_counts LOG: the tests pg_regress passed and failed in LOG (its output; the
# "test x ... ok" lines of 15 and the TAP lines of 16 and later), in KAM_REGRESS_PASSED and
# KAM_REGRESS_FAILED
kam_regress_counts() {
    KAM_REGRESS_PASSED=$(grep -cE '^(ok|test) .*\.\.\. ok|^ok [0-9]+ ' "$1" || true)
    KAM_REGRESS_FAILED=$(grep -cE 'FAILED|failed \(ignored\)|^not ok' "$1" || true)
}

# kam_suite_and_garden NAME DIR: pg_regress and the garden against PGHOST/PGPORT;
# sets KAM_SUITE_STATUS (0 when both passed) and KAM_REGRESS_STATUS (pg_regress's)
kam_suite_and_garden() {
    local regress garden
    echo "== regression suite ($1)"
    make -s installcheck PG_CONFIG="$PG_CONFIG" > "$2/installcheck.log" 2>&1
    regress=$?
    grep -E "tests passed|failed" "$2/installcheck.log" | tail -2
    echo "== garden ($1)"
    KAM_TEST_OUT=$2 GARDEN_LOG=$2/garden.log bash test/garden/run.sh | tee "$2/garden.out" | grep -E "^garden"
    garden=${PIPESTATUS[0]}
    KAM_REGRESS_STATUS=$regress
    KAM_SUITE_STATUS=$(( regress != 0 || garden != 0 ))
}

# ---- benchmarks (test/bench) ----

# kam_bench_cluster SHARED_BUFFERS WORK_MEM COMMAND...: a throwaway cluster with
# JIT off and up to 2 parallel workers per query, COMMAND run inside it.
# BENCH_HUGE_PAGES=1: shared memory in huge pages (huge_pages = on), as a tuned
# server has it; reserve them first (sysctl vm.nr_hugepages, about SHARED_BUFFERS
# / 2 MB plus 5 %) and give them back after: the cluster does not start without.
kam_bench_cluster() {
    local sb=$1 wm=$2 huge=()
    shift 2
    [ "${BENCH_HUGE_PAGES:-0}" = 1 ] && huge=(-o huge_pages=on)
    pg_virtualenv -v "$PGVER" -o shared_buffers="$sb" -o work_mem="$wm" -o jit=off \
        -o max_parallel_workers_per_gather=2 "${huge[@]}" "$@"
}

# ---- Debian's archive beyond this machine's sources (test/versions) ----

# kam_private_apt DIR SOURCE-LINE...: an apt configuration of its own in DIR
# (SOURCE-LINE: "deb|deb-src SUITE COMPONENT", from deb.debian.org)
# (nothing system-wide changes), its indexes updated; sets KAM_APT_OPTS for
# apt-get download / apt-get source --download-only
kam_private_apt() {
    local dir=$1 line kind suite component
    shift
    mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
    : > "$dir/sources.list"
    for line in "$@"; do
        read -r kind suite component <<< "$line"
        echo "$kind [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite $component" \
            >> "$dir/sources.list"
    done
    KAM_APT_OPTS=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
                  -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o APT::Sandbox::User=root)
    apt-get -qq "${KAM_APT_OPTS[@]}" update
}

# ---- PostgreSQL servers built from Debian's source packages (test/versions) ----

# the Debian suite whose archive carries each major version's server source
# (14 and 16 are in none of them)
kam_pg_suite() {
    case "$1" in
        13) echo bullseye;; 15) echo bookworm;; 17) echo trixie;; 18) echo sid;;
        *) echo "no Debian suite carries PostgreSQL $1 (13, 15, 17, 18)" >&2; return 1;;
    esac
}

# the flags of every server built here: assertions (Assert() in every server API
# kam calls, memory-context checks) and USE_VALGRIND (memcheck knows palloc chunks)
KAM_PG_CONFIGURE=(--enable-cassert --enable-debug --without-readline --without-zlib --without-icu
                  "CFLAGS=-O1 -g" "CPPFLAGS=-DUSE_VALGRIND")

# kam_pg_pool_source VERSION DIR: the orig tarball of the newest point release of
# postgresql-VERSION that deb.debian.org's pool holds, at or below the one its index
# lists (KAM_APT_OPTS set by kam_private_apt), into DIR, checked against its .dsc
kam_pg_pool_source() {
    local v=$1 dir=$2 version listed rev minor pool dsc sum tarball
    # e.g. 17.12-0+deb13u1: point release 12, Debian revision -0+deb13u1
    version=$(apt-cache "${KAM_APT_OPTS[@]}" showsrc "postgresql-$v" | sed -n 's/^Version: //p' | head -1)
    listed=$(echo "$version" | sed -n 's/^[0-9]*\.\([0-9]*\).*/\1/p')
    rev=${version#*-}
    pool=http://deb.debian.org/debian/pool/main/p/postgresql-$v
    for minor in $(seq "${listed:-30}" -1 0); do
        for dsc in "postgresql-${v}_$v.$minor-$rev.dsc" "postgresql-${v}_$v.$minor-1.dsc"; do
            curl -fsS -m 60 -o "$dir/$dsc" "$pool/$dsc" 2>/dev/null || continue
            tarball=postgresql-${v}_$v.$minor.orig.tar.bz2
            sum=$(awk -v f="$tarball" '/^Checksums-Sha256:/ {on = 1; next} /^[^ ]/ {on = 0} on && $3 == f {print $1}' "$dir/$dsc")
            [ -n "$sum" ] && curl -fsS -m 600 -o "$dir/$tarball" "$pool/$tarball" 2>/dev/null || continue
            if [ "$(sha256sum "$dir/$tarball" | cut -d' ' -f1)" = "$sum" ]; then
                echo "== PostgreSQL $v: the index lists $v.$listed, not in the pool yet: $v.$minor ($dsc)"
                return 0
            fi
            rm -f "$dir/$tarball"
        done
    done
    echo "no source of PostgreSQL $v in Debian's pool" >&2
    return 1
}

# kam_pg_build VERSION: PostgreSQL VERSION built from the source of Debian's suite
# for it with $KAM_PG_CONFIGURE into a cache directory keyed by the version and the
# flags ($KAM_PG_CACHE, default ~/.cache/kam), reused by later runs; sets
# KAM_PG_PREFIX.  Nothing is installed system-wide but the build tools.
kam_pg_build() {
    local v=$1 suite key cache prefix work src
    suite=$(kam_pg_suite "$v")
    key=$(printf '%s %s' "$v" "${KAM_PG_CONFIGURE[*]}" | sha1sum | cut -c1-10)
    cache=${KAM_PG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kam}
    prefix=$cache/pg$v-cassert-$key
    KAM_PG_PREFIX=$prefix
    if [ -f "$prefix/.complete" ]; then
        echo "== PostgreSQL $v: cached build $prefix"
        return 0
    fi
    # 17 and later ship no generated parser files in their tarballs: bison and flex
    kam_need_more bzip2:bzip2 xz:xz-utils perl:perl bison:bison flex:flex /usr/include/valgrind/memcheck.h:valgrind
    mkdir -p "$cache"
    work=$(mktemp -d /tmp/kam-pgsrc.XXXXXX)
    echo "== PostgreSQL $v: source from Debian $suite"
    kam_private_apt "$work" "deb-src $suite main"
    if ! (cd "$work" && apt-get -qq "${KAM_APT_OPTS[@]}" --download-only source "postgresql-$v" 2>/dev/null); then
        # a mirror may list a point release whose files it does not hold yet: the newest
        # earlier one in the pool, its tarball checked against the checksum in its .dsc
        kam_pg_pool_source "$v" "$work" || { rm -rf "$work"; return 1; }
    fi
    tar xf "$work"/postgresql-"$v"_*.orig.tar.* -C "$work"
    src=$(ls -d "$work"/postgresql-"$v".*/ | head -1)
    echo "== building $(basename "$src") with assertions into $prefix"
    rm -rf "$prefix"
    (cd "$src" && ./configure -q --prefix="$prefix" "${KAM_PG_CONFIGURE[@]}" > "$work/configure.log" 2>&1 &&
        make -s -j"$(nproc)" > "$work/make.log" 2>&1 && make -s install > "$work/install.log" 2>&1) ||
        { tail -30 "$work"/*.log; rm -rf "$work" "$prefix"; return 1; }
    rm -rf "$work"
    # a build is used only once complete; the server runs as postgres and must read it
    touch "$prefix/.complete"
    chmod -R a+rX "$prefix"
    local d
    d=$(dirname "$prefix"); while [ "$d" != / ]; do chmod a+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
}

# kam_need_more WHAT:PACKAGE ...: install (as root) or name the packages of the
# commands or files (WHAT starting with /) that are missing
kam_need_more() {
    local need=() pair what
    for pair in "$@"; do
        what=${pair%%:*}
        case "$what" in
            /*) [ -e "$what" ] || need+=("${pair#*:}");;
            *) command -v "$what" >/dev/null 2>&1 || need+=("${pair#*:}");;
        esac
    done
    [ ${#need[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || { echo "Install them: sudo apt-get install -y ${need[*]}" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}
