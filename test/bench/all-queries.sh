#!/usr/bin/env bash
# Inside a pg_virtualenv cluster (run by test/bench/all.sh): generate the sample
# CRM, time every query of retention.sql and all.sql, print one table.
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
t0=$(date +%s)
psql -c "CREATE EXTENSION kam" -f test/crm/generate.sql >/dev/null
psql -At -c "SELECT crm.generate($ACCOUNTS, 24, 42, true)" >/dev/null
psql -f test/bench/pairs.sql
psql <<'SQL'
CREATE TABLE bench_measures AS
SELECT a.account_id,
       coalesce(d.mrr, 0)::float8 * 12 AS arr, (d.mrr / nullif(p.mrr, 0) - 1)::float8 AS growth,
       coalesce(o.pipeline, 0)::float8 AS pipeline, v.nps, u.adoption, v.csat, i.overdue, t.tenure
FROM crm.accounts a
LEFT JOIN crm.mrr_snapshots d ON d.account_id = a.account_id AND d.month = '2024-12-01'
LEFT JOIN crm.mrr_snapshots p ON p.account_id = a.account_id AND p.month = '2023-12-01'
LEFT JOIN (SELECT account_id, sum(forecast_amount) AS pipeline FROM crm.opportunities
           WHERE stage IN ('qualification', 'proposal', 'negotiation') GROUP BY 1) o ON o.account_id = a.account_id
LEFT JOIN (SELECT account_id, kam.nps(score) FILTER (WHERE kind = 'nps') AS nps, kam.csat(score) FILTER (WHERE kind = 'csat') AS csat
           FROM crm.surveys GROUP BY 1) v ON v.account_id = a.account_id
LEFT JOIN (SELECT account_id, avg(active_users::float8 / licensed_seats) AS adoption FROM crm.usage GROUP BY 1) u ON u.account_id = a.account_id
LEFT JOIN (SELECT account_id, avg((status = 'overdue')::int)::float8 AS overdue FROM crm.invoices GROUP BY 1) i ON i.account_id = a.account_id
LEFT JOIN (SELECT account_id, count(*)::float8 AS tenure FROM crm.mrr_snapshots GROUP BY 1) t ON t.account_id = a.account_id;
-- the snapshots again under sparse integer ids (the hash of keys, not the direct map)
CREATE TABLE bench_snapshots_sparse AS SELECT account_id::int8 * 1000003 AS account_id, month, mrr FROM crm.mrr_snapshots;
-- and under text ids, as CRMs often key accounts ('ACME-00012345': every account in the hash)
CREATE TABLE bench_snapshots_text AS SELECT 'ACME-' || lpad(account_id::text, 8, '0') AS account_id, month, mrr FROM crm.mrr_snapshots;
-- the plain scorecard has no NULL handling: give every measure a value
UPDATE bench_measures SET growth = coalesce(growth, 0), nps = coalesce(nps, 0), adoption = coalesce(adoption, 0.2),
                          csat = coalesce(csat, 1), overdue = coalesce(overdue, 0), tenure = coalesce(tenure, 0);
VACUUM ANALYZE;
SQL
psql -f test/bench/fx_snapshots.sql
psql -f test/bench/tz_tables.sql
rows() { psql -At -c "SELECT count(*) FROM $1"; }
echo "setup $(( $(date +%s) - t0 )) s: $(rows crm.mrr_snapshots) snapshot rows, $(rows crm.accounts) accounts," \
     "$(rows crm.surveys) survey answers, $(rows crm.usage) usage rows, $(rows crm.invoices) invoices"
. test/bench/lib.sh
declare -A S P
bench_sql="${TMPDIR:-/tmp}/kam-all-bench.sql"
trap 'rm -f "$bench_sql"' EXIT
{ cat test/bench/retention.sql test/bench/all.sql
  # the plain SQL over the text ids: retention.sql's queries over the integer ids, on that table
  for n in plain_waterfall plain_movements_all_rows; do
      awk -v n="$n" '/^-- bench: /{on = ($3 == n)} on' test/bench/retention.sql |
          sed -e "1s/.*/-- bench: ${n%_all_rows}_text/" -e 's/crm\.mrr_snapshots/bench_snapshots_text/g'
  done; } > "$bench_sql"
BENCH_REPS=${BENCH_REPS:-5} bench_run "$bench_sql"   # every query's times (best of 5 rounds), then the table below

hwm() {  # peak memory (kB) of a fresh backend after query $1 (serial); the query runs as
         # written (wrapped in a subquery the planner could drop its unused aggregates)
    psql -At -c "SET max_parallel_workers_per_gather = 0" -c "$1" \
         -c "SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]" | tail -1
}
q() { awk -v n="$1" '/^-- bench: /{on = ($3 == n); next} /^--/{next} on' "$bench_sql" | sed 's/;[[:space:]]*$//'; }
r() { [ -n "${2:-}" ] && awk "BEGIN{printf \"%.2f\", $1/$2}" || printf -- "-"; }
printf '\n%-22s %9s %9s %9s | %8s %8s | %8s %8s | %10s\n' "family" "kam ms" "plain ms" "floor ms" "÷plain" "÷plain2w" "÷floor" "÷floor2w" "mem kB"
row() {  # family kam plain floor
    local k=$2 p=${3:-} f=$4
    printf '%-22s %9.0f %9s %9.0f | %8s %8s | %8s %8s | %10s\n' "$1" "${S[$k]}" "${p:+$(printf '%.0f' "${S[$p]}")}" "${S[$f]}" \
        "$( [ -n "$p" ] && r "${S[$k]}" "${S[$p]}" || echo -)" "$( [ -n "$p" ] && r "${P[$k]}" "${P[$p]}" || echo -)" \
        "$(r "${S[$k]}" "${S[$f]}")" "$(r "${P[$k]}" "${P[$f]}")" "$(printf "%+d" $(( $(hwm "$(q "$k")") - $(hwm "$(q "$f")") )))"
}
row "retention pairs" kam_nrr_pairs plain_nrr_grr_logo_pairs floor_sum_pairs
row "retention snapshots" kam_snapshots_two_dates plain_nrr_grr_logo_two_dates floor_sum_snapshots
row "retention movements" kam_snapshots_all_rows plain_movements_all_rows floor_sum_snapshots
row "movements timestamptz" kam_snapshots_timestamptz plain_movements_all_rows floor_sum_snapshots_tz
row "mrr waterfall" kam_waterfall plain_waterfall floor_sum_snapshots
row "waterfall, sparse ids" kam_waterfall_sparse plain_waterfall floor_sum_snapshots_sparse
row "movements, sparse ids" kam_snapshots_sparse plain_movements_all_rows floor_sum_snapshots_sparse
row "waterfall, text ids" kam_waterfall_text plain_waterfall_text floor_sum_snapshots_text
row "movements, text ids" kam_snapshots_text plain_movements_text floor_sum_snapshots_text
row "scorecard" kam_scorecard plain_scorecard floor_sum_measures
row "hhi" kam_hhi plain_hhi floor_sum_snapshots
row "gini" kam_gini plain_gini floor_sum_snapshots
row "top share" kam_top_share plain_top_share floor_sum_snapshots
row "survival" kam_survival plain_survival floor_count_subscriptions
row "nps" kam_nps plain_nps floor_count_surveys
row "nps ÷ answers summed" kam_nps plain_nps floor_sum_nps_answers
row "health grade" kam_health_grade plain_health_grade floor_sum_usage
row "health ÷ measures sum" kam_health_grade plain_health_grade floor_sum_health_measures
row "rfm summary" kam_rfm plain_rfm floor_count_invoices
row "rfm ÷ grouped floor" kam_rfm plain_rfm floor_group_invoices
row "rfm timestamptz" kam_rfm_timestamptz plain_rfm floor_count_invoices_tz
row "rfm all accounts" kam_rfm_accounts plain_rfm floor_count_invoices
row "rfm all ÷ columns sum" kam_rfm_accounts plain_rfm floor_sum_invoices
row "rfm all, unnest in FROM" kam_rfm_accounts_from plain_rfm floor_count_invoices
echo "(÷plain: kam time / plain-SQL time; ÷floor: kam / bare scan; 2w: with 2 parallel workers;"
echo " mem: peak backend memory (VmHWM) of the serial kam query minus that of its floor query, in kB)"
