#!/usr/bin/env bash
# Inside a cluster (PG* set): every ```sql example of docs/*.md runs, and the
# values the docs state are checked (test/docs/check.py), in a database with
# kam, the sample CRM of docs/sample-crm.md (300 accounts) and the review views
# of docs/examples/review-views.sql; the README's example (which starts with
# CREATE EXTENSION) in a database with the sample CRM only.  Every public
# function and aggregate must appear in an example that runs.  The demo's
# review (test/demo/review.sql) must run without an error.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/cluster-lib.sh
kam_crm_database kam_docs 300
psql -X -q -v ON_ERROR_STOP=1 -d kam_docs -f docs/examples/review-views.sql >/dev/null
kam_crm_database kam_docs_readme 300 without_kam
status=0
if ! psql -X -q -v ON_ERROR_STOP=1 -d kam_docs -f test/demo/review.sql >/dev/null; then
    echo "docs: the demo's review (test/demo/review.sql) failed"
    status=1
fi
/usr/bin/python3 test/docs/check.py --coverage kam_docs || status=1
/usr/bin/python3 test/docs/check.py kam_docs_readme README.md || status=1
exit $status
