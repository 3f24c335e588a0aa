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
    command -v pg_virtualenv >/dev/null 2>&1 || need+=(postgresql-common)
    [ -x "/usr/lib/postgresql/$PGVER/bin/postgres" ] || need+=("postgresql-$PGVER")
    if [ ! -x "$PG_CONFIG" ] || [ ! -f "$("$PG_CONFIG" --pgxs 2>/dev/null)" ]; then
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
    make -s PG_CFLAGS="-Wall -Wextra -Werror"
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
