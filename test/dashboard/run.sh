#!/usr/bin/env bash
# The KAM review dashboard (docs/examples/dashboard, Observable Framework; docs/dashboard.md).
#
#   bash test/dashboard/run.sh test [accounts]    build kam, a throwaway cluster with the sample
#                                                 CRM, the dashboard over it, then the browser test:
#                                                 headless Chromium opens every page and checks its
#                                                 numbers against psql, its charts, no errors;
#                                                 screenshots into docs/examples/dashboard/screenshots
#   bash test/dashboard/run.sh serve [accounts]   the same database and build, then serves the
#                                                 dashboard on http://127.0.0.1:3000 until Ctrl-C
#
# As root it installs what it needs from Debian (nodejs, npm, chromium) and the project's npm
# packages from its lock file (npm ci; nothing else is fetched: no CDN, no web fonts, telemetry
# off). Default 300 accounts (the regression suite's CRM).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
mode=${1:-test}
accounts=${2:-300}
case "$mode" in test|serve) ;; *) echo "usage: bash test/dashboard/run.sh test|serve [accounts]" >&2; exit 2;; esac
kam_need_packages
kam_need_more node:nodejs npm:npm
[ "$mode" = serve ] || kam_need_more /usr/bin/chromium:chromium
# (the test command has built and installed this tree already)
cmp -s kam.so "$("$PG_CONFIG" --pkglibdir)/kam.so" 2>/dev/null || kam_build_install
project=docs/examples/dashboard
t0=$(date +%s)
(cd "$project" && npm ci --no-audit --no-fund --loglevel=error > /dev/null)
echo "dashboard: npm ci $(( $(date +%s) - t0 )) s, node_modules $(du -sh "$project/node_modules" | cut -f1)"
export KAM_DASHBOARD_MODE=$mode KAM_DASHBOARD_ACCOUNTS=$accounts
pg_virtualenv -v "$PGVER" bash test/dashboard/inside.sh
