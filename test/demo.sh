#!/usr/bin/env bash
# kam demo: build and install kam, start a throwaway PostgreSQL cluster, load
# a sample CRM (default 2000 accounts) and print a key-account review.
#   bash test/demo.sh [accounts]
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh
ACCOUNTS=${1:-2000}

kam_need_packages
kam_build_install

echo "== throwaway cluster, sample CRM with $ACCOUNTS accounts"
pg_virtualenv -v "$PGVER" bash -c "
  set -e
  psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION kam' -f test/crm/generate.sql
  psql -X -q -v ON_ERROR_STOP=1 -c 'SELECT crm.generate($ACCOUNTS)'
  psql -X -q -v ON_ERROR_STOP=1 -f test/demo/review.sql
"
