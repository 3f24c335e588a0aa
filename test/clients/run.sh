#!/usr/bin/env bash
# Inside a cluster (PG* set): a database with kam and a small sample CRM, then the
# JDBC test (Java, libpostgresql-jdbc-java) and the psycopg2 test (Debian's python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${KAM_TEST_OUT:-$PWD/results}/clients
mkdir -p "$out"
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS kam_clients" -c "CREATE DATABASE kam_clients"
psql -d kam_clients -c "CREATE EXTENSION kam" -f test/crm/generate.sql -c "SELECT crm.generate(100, 24, 42)" >/dev/null
psql -d kam_clients -f docs/examples/review-views.sql >/dev/null
jar=/usr/share/java/postgresql.jar
javac -d "$out" test/clients/KamJdbcTest.java
PGHOST=${PGHOST:-localhost}
case "$PGHOST" in /*) PGHOST=localhost;; esac    # JDBC connects over TCP
PGHOST=$PGHOST java -cp "$out:$jar" KamJdbcTest kam_clients
/usr/bin/python3 test/clients/psycopg_test.py kam_clients
