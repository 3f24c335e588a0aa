# Shared by the tests that run inside a cluster (PG* set; test/cluster-tests.sh):
# fresh databases, optionally with kam and the sample CRM.

# kam_fresh_databases DB...: each DB dropped if it exists and created empty
kam_fresh_databases() {
    local db args=(-c "SET client_min_messages = warning")
    for db in "$@"; do
        args+=(-c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db")
    done
    command psql -X -q -v ON_ERROR_STOP=1 "${args[@]}" >/dev/null
}

# kam_crm_database DB GENERATE-ARGS [with_kam]: a fresh DB with the sample CRM
# (crm.generate(GENERATE-ARGS), test/crm/generate.sql), and kam unless the third
# argument is "without_kam"
kam_crm_database() {
    local ext=(-c "CREATE EXTENSION kam")
    [ "${3:-}" = without_kam ] && ext=()
    kam_fresh_databases "$1"
    command psql -X -q -v ON_ERROR_STOP=1 -d "$1" "${ext[@]}" -f test/crm/generate.sql \
        -c "SELECT crm.generate($2)" >/dev/null
}
