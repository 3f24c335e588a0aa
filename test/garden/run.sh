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
# a call the generator wrote wrongly (syntax, unknown or ambiguous function) is the garden's own defect
broken=$(psql -At -c "SELECT count(*) FROM garden.results WHERE sqlstate IN ('42601', '42883', '42725', '42804')")
succeeded=$(psql -At -c "SELECT count(*) FROM garden.results WHERE sqlstate = '00000'")
done_calls=$(psql -At -c "SELECT count(*) FROM garden.results")
echo "garden: $done_calls of $calls calls over $fns functions and aggregates; SQLSTATEs:"
cat "$log.summary"
if [ "$broken" -ne 0 ] || [ "$succeeded" -eq 0 ]; then
    echo "garden: FAILED, $broken calls the generator wrote wrongly, $succeeded succeeded:"
    psql -At -c "SELECT r.sqlstate, c.stmt FROM garden.results r JOIN garden.calls c USING (id) WHERE r.sqlstate IN ('42601', '42883', '42725', '42804') LIMIT 10"
    exit 1
fi
if [ "$internal" -ne 0 ] || [ "$done_calls" -ne "$calls" ]; then
    echo "garden: FAILED, $internal internal errors (XX...):"
    psql -At -c "SELECT r.sqlstate, c.stmt FROM garden.results r JOIN garden.calls c USING (id) WHERE r.sqlstate LIKE 'XX%' LIMIT 20"
    exit 1
fi
echo "garden: passed (server up, no XX000)"
