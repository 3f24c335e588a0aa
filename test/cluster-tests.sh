#!/usr/bin/env bash
# Inside one throwaway cluster (run by test/run-tests.sh through pg_virtualenv):
# the garden (with its round-trip and expression-key checks), the models' coverage
# simulation, the interrupt test, the
# step-by-step upgrade, the dump/restore round trip, random histories merged from
# partial states against one state, and the
# JDBC and psycopg2 client tests, and the docs examples.
set -uo pipefail
cd "$(dirname "$0")/.."
export KAM_TEST_OUT=$PWD/results GARDEN_LOG=$PWD/results/garden.log
status=0
for t in test/garden/run.sh test/models/run.sh test/interrupts/run.sh test/upgrade/run.sh test/dump/run.sh test/merge/run.sh test/clients/run.sh test/docs/run.sh; do
    echo "== $t"
    bash "$t" || status=1
done
exit $status
