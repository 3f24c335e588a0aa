#!/usr/bin/env bash
# Inside a cluster (PG* set): the coverage of the customer-base models' standard errors and
# interval forms over 200 simulated data sets per model (test/models/coverage.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/cluster-lib.sh
db=kam_models
kam_fresh_databases $db
psql -X -q -d $db -c "CREATE EXTENSION kam"
status=0
/usr/bin/python3 test/models/coverage.py $db || status=1
psql -X -q -d postgres -c "DROP DATABASE $db"
exit $status
