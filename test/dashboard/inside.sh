#!/usr/bin/env bash
# Inside a throwaway cluster (test/dashboard/run.sh through pg_virtualenv): the sample CRM
# with kam, the dashboard built over it, then the browser test or a local server.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
. test/cluster-lib.sh
project=$PWD/docs/examples/dashboard
kam_crm_database kam_review "$KAM_DASHBOARD_ACCOUNTS, 24, 42"
export PGDATABASE=kam_review
# the review views most pages read (the same views docs/metabase.md installs)
psql -X -q -v ON_ERROR_STOP=1 -f docs/examples/review-views.sql > /dev/null
t0=$(date +%s)
(cd "$project" && npm run --silent build > "$project/dist.log" 2>&1) || { tail -30 "$project/dist.log"; exit 1; }
echo "dashboard: built $(ls "$project"/dist/*.html | wc -l) pages over $KAM_DASHBOARD_ACCOUNTS accounts in $(( $(date +%s) - t0 )) s ($(du -sh "$project/dist" | cut -f1))"
rm -f "$project/dist.log"
if [ "$KAM_DASHBOARD_MODE" = serve ]; then
    echo "dashboard: http://127.0.0.1:3000/index.html (Ctrl-C stops it and drops the cluster)"
    cd "$project/dist" && exec python3 -m http.server 3000 --bind 127.0.0.1
fi
port=$(kam_free_port)
(cd "$project/dist" && exec python3 -m http.server "$port" --bind 127.0.0.1 > /dev/null 2>&1) &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/index.html')" 2>/dev/null && break; sleep 0.1; done
t0=$(date +%s)
status=0
(cd "$project" && BASE_URL=http://127.0.0.1:$port SHOTS=$project/screenshots node test/browser.mjs) || status=1
echo "dashboard: browser test $(( $(date +%s) - t0 )) s"
exit $status
