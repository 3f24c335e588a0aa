#!/usr/bin/env bash
# Inside a cluster (PG* set): a database with kam and a small sample CRM, then the
# JDBC test (Java, libpostgresql-jdbc-java) and the psycopg2 test (Debian's python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${KAM_TEST_OUT:-$PWD/results}/clients
mkdir -p "$out"
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
. test/cluster-lib.sh
kam_crm_database kam_clients "100, 24, 42"
psql -d kam_clients -f docs/examples/review-views.sql >/dev/null
jar=/usr/share/java/postgresql.jar
# (no /tmp/hsperfdata_* left behind: the JVMs keep no performance data file)
javac -J-XX:-UsePerfData -cp "$jar" -d "$out" test/clients/KamJdbcTest.java
PGHOST=${PGHOST:-localhost}
case "$PGHOST" in /*) PGHOST=localhost;; esac    # JDBC connects over TCP
PGHOST=$PGHOST java -XX:-UsePerfData -cp "$out:$jar" KamJdbcTest kam_clients
/usr/bin/python3 test/clients/psycopg_test.py kam_clients
