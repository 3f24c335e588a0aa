#!/usr/bin/env bash
# SQLsmith against a database with kam and the sample CRM, for a bounded number of
# random queries (fixed seed): prints how many statements ran and how many used
# kam, the error rate, every distinct error message that names kam or is an
# internal error, and the server crashes (must be 0).  Needs the Debian package
# sqlsmith (installed here when run as root).  Schema kam is on the database's
# search_path, as a kam user would set it: SQLsmith writes operators unqualified
# (a = b), and kam's operators live in schema kam.
#   bash test/sqlsmith/run.sh [queries] [seed]    (default 20000, 42)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
export QUERIES=${1:-20000} SEED=${2:-42}
kam_need_packages
kam_need_more sqlsmith:sqlsmith
kam_build_install
pg_virtualenv -v "$PGVER" bash -c '
set -euo pipefail
out=$(mktemp -d)
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE kam_smith" -c "ALTER DATABASE kam_smith SET statement_timeout = 10000" \
     -c "ALTER DATABASE kam_smith SET search_path = public, kam" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d kam_smith -c "CREATE EXTENSION kam" -f test/crm/generate.sql -c "SELECT crm.generate(200, 24, 42)" >/dev/null
start=$(date +%s)
set +e
sqlsmith --target="dbname=kam_smith host=$PGHOST port=$PGPORT user=$PGUSER password=$PGPASSWORD" \
         --seed=$SEED --max-queries=$QUERIES --exclude-catalog --dump-all-queries --verbose \
         > "$out/queries.sql" 2> "$out/sqlsmith.err"
rc=$?
set -e
secs=$(( $(date +%s) - start ))
alive=$(psql -X -At -d kam_smith -c "SELECT 1" 2>/dev/null || echo 0)
stmts=$(awk "BEGIN{RS=\";\n\"} NF{n++} END{print n+0}" "$out/queries.sql")
kam=$(awk "BEGIN{RS=\";\n\"} /kam\./{n++} END{print n+0}" "$out/queries.sql")
crashes=$(grep -ciE "terminated by signal|server closed the connection|connection to server .* lost" "$out/sqlsmith.err" || true)
echo "sqlsmith: exit $rc after $secs s, seed $SEED: $stmts statements run, $kam of them using kam objects"
# sqlsmith prints its error summary periodically: keep the last one (just before the last "error rate")
tac "$out/sqlsmith.err" | awk "/^error rate/{if(seen)exit; seen=1; next} seen && /^[0-9]+\tERROR:/{print} seen && !/^[0-9]+\t/{exit}" | tac > "$out/last-errors.txt" || true
grep "^error rate" "$out/sqlsmith.err" | tail -1 | sed "s/^/  /" || true
echo "  distinct error messages naming kam or internal (count, message):"
# kam is on the search_path, so messages may name its types and functions unqualified
names=$(psql -X -At -d kam_smith -c "SELECT string_agg(DISTINCT n, '"'"'|'"'"') FROM (SELECT typname AS n FROM pg_type WHERE typnamespace = '"'"'kam'"'"'::regnamespace AND typname !~ '"'"'^_'"'"' UNION SELECT proname FROM pg_proc WHERE pronamespace = '"'"'kam'"'"'::regnamespace) x")
grep -iE "kam|\\b($names)\\b|internal|unexpected|cache lookup|non-aggregate" "$out/last-errors.txt" | sed "s/^/    /" | head -40 || true
echo "  server crashes: $crashes; server up at the end: $([ "$alive" = 1 ] && echo yes || echo NO)"
[ "$alive" = 1 ] && [ "$crashes" -eq 0 ]
'
