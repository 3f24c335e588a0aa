#!/usr/bin/env bash
# Inside a cluster (PG* variables set, e.g. by pg_virtualenv): build the garden's
# calls, run each one (psql echoes it before it runs, into test/garden/garden.log,
# so a crash names its statement), then report.  Fails when the server went
# away or an error carried SQLSTATE XX000 (internal error).
set -uo pipefail
cd "$(dirname "$0")/../.."
log=${GARDEN_LOG:-$PWD/results/garden.log}
mkdir -p "$(dirname "$log")"
psql() { command psql -X -q "$@"; }
. test/cluster-lib.sh
kam_fresh_databases kam_garden || exit 1
export PGDATABASE=kam_garden
psql -v ON_ERROR_STOP=1 -c "CREATE EXTENSION kam" -f test/garden/garden.sql >/dev/null || exit 1
calls=$(psql -At -c "SELECT count(*) FROM garden.calls")
fns=$(psql -At -c "SELECT count(DISTINCT fn) FROM garden.calls")
# one statement per line: INSERT the SQLSTATE of each call
psql -At -c "SELECT format('INSERT INTO garden.results VALUES (%s, garden.try(%L));', id, stmt) FROM garden.calls ORDER BY id" > "$log.sql"
psql -a -v ON_ERROR_STOP=1 -f "$log.sql" > "$log" 2>&1
run_status=$?
if ! psql -At -c "SELECT 1" >/dev/null 2>&1 || [ $run_status -ne 0 ]; then
    echo "garden: FAILED, the server went away or a call could not run; last statement:"
    grep '^INSERT INTO garden.results' "$log" | tail -1
    exit 1
fi
psql -At -F ' ' -c "SELECT sqlstate, count(*) FROM garden.results GROUP BY 1 ORDER BY 2 DESC" | sed 's/^/  /' > "$log.summary"
internal=$(psql -At -c "SELECT count(*) FROM garden.results WHERE sqlstate LIKE 'XX%'")
# a call the generator wrote wrongly (syntax, unknown or ambiguous function) is the garden's own
# defect; kam.account_tree runs its edges_sql argument, so a syntax error or a column of the wrong
# type there (42601, 42804) is kam reporting the user's query, not the garden's mistake
wrong="r.sqlstate IN ('42601', '42883', '42725', '42804') AND NOT (c.fn = 'account_tree' AND r.sqlstate IN ('42601', '42804'))"
broken=$(psql -At -c "SELECT count(*) FROM garden.results r JOIN garden.calls c USING (id) WHERE $wrong")
succeeded=$(psql -At -c "SELECT count(*) FROM garden.results WHERE sqlstate = '00000'")
done_calls=$(psql -At -c "SELECT count(*) FROM garden.results")
echo "garden: $done_calls of $calls calls over $fns functions and aggregates; SQLSTATEs:"
cat "$log.summary"
if [ "$broken" -ne 0 ] || [ "$succeeded" -eq 0 ]; then
    echo "garden: FAILED, $broken calls the generator wrote wrongly, $succeeded succeeded:"
    psql -At -c "SELECT r.sqlstate, c.stmt FROM garden.results r JOIN garden.calls c USING (id) WHERE $wrong LIMIT 10"
    exit 1
fi
if [ "$internal" -ne 0 ] || [ "$done_calls" -ne "$calls" ]; then
    echo "garden: FAILED, $internal internal errors (XX...):"
    psql -At -c "SELECT r.sqlstate, c.stmt FROM garden.results r JOIN garden.calls c USING (id) WHERE r.sqlstate LIKE 'XX%' LIMIT 20"
    exit 1
fi
echo "garden: passed (server up, no XX000)"

# the general checks (test/garden/checks.sql): round trip of every returned value through
# text, binary and pg_dump/pg_restore; per-account aggregates with keys made by expressions
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql -v ON_ERROR_STOP=1 -f test/garden/checks.sql >/dev/null || exit 1
stored=$(psql -At -c "SELECT garden.store_outputs()")
psql -At -c "SELECT garden.check_text()" >/dev/null
tmp=$(mktemp -d /tmp/kam-garden.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 777 "$tmp"
types=$(psql -At -c "SELECT typname FROM pg_type WHERE typnamespace = 'kam'::regnamespace AND typtype = 'b' AND typname NOT LIKE '\_%' ORDER BY 1")
for t in $types; do
    if ! psql -v ON_ERROR_STOP=1 -c "\copy (SELECT id, v FROM garden.out_$t) TO '$tmp/$t.bin' WITH (FORMAT binary)" \
              -c "\copy garden.bin_$t FROM '$tmp/$t.bin' WITH (FORMAT binary)" >"$tmp/$t.log" 2>&1; then
        psql -q -c "INSERT INTO garden.roundtrip VALUES (NULL, 'kam.$t', 'binary', \$\$$(tr '\n' ' ' < "$tmp/$t.log" | head -c 300)\$\$)"
    else
        psql -At -c "SELECT garden.check_binary('$t')" >/dev/null
    fi
done
# a dump of every stored output restores every row
dumpdb=kam_garden_restore
kam_fresh_databases $dumpdb
pg_dump -Fc -n garden -t 'garden.out_*' -f "$tmp/garden.dump" kam_garden
psql -d $dumpdb -q -c "CREATE EXTENSION kam" -c "CREATE SCHEMA garden"
if ! pg_restore --no-owner -d $dumpdb "$tmp/garden.dump" >"$tmp/restore.log" 2>&1; then
    psql -q -c "INSERT INTO garden.roundtrip VALUES (NULL, NULL, 'dump', \$\$$(tr '\n' ' ' < "$tmp/restore.log" | head -c 300)\$\$)"
fi
for t in $types; do
    before=$(psql -At -c "SELECT count(*) FROM garden.out_$t")
    after=$(psql -d $dumpdb -At -c "SELECT count(*) FROM garden.out_$t" 2>/dev/null || echo 0)
    if [ "$before" != "$after" ]; then
        psql -q -c "INSERT INTO garden.roundtrip VALUES (NULL, 'kam.$t', 'dump', '$before rows stored, $after restored')"
    fi
done
command psql -X -q -c "DROP DATABASE $dumpdb"
problems=$(psql -At -c "SELECT count(*) FROM garden.roundtrip")
echo "garden: round trip of $stored returned values through text, binary and pg_dump/pg_restore: $problems problems"
keys=$(psql -At -c "SELECT garden.check_keys()")
keys_bad=$(psql -At -c "SELECT count(*) FROM garden.keys WHERE NOT same")
echo "garden: $keys per-account aggregate calls with keys made by expressions: $keys_bad differ"
if [ "$problems" -ne 0 ] || [ "$keys_bad" -ne 0 ]; then
    psql -At -c "SELECT id, typ, stage, problem FROM garden.roundtrip ORDER BY typ, stage, id LIMIT 40"
    psql -At -c "SELECT fn, keytype, detail FROM garden.keys WHERE NOT same LIMIT 20"
    echo "garden: FAILED, values that do not read back or accounts counted twice"
    exit 1
fi
echo "garden: general checks passed"
