#!/usr/bin/env bash
# Inside a cluster (run by test/bench/kpis.sh): the data, the same answer both ways, then the
# timings of test/bench/kpis.sql.
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -v rows="$ROWS" <<'SQL'
CREATE EXTENSION IF NOT EXISTS kam;
DROP TABLE IF EXISTS bterms, bedges, bacts;
-- contract terms: a fifth lost, a tenth late, the rest on time; values numeric
CREATE TABLE bterms AS
SELECT g AS term_id, DATE '2023-01-01' + (g % 730)::int AS term_end,
       CASE WHEN g % 5 = 0 THEN NULL WHEN g % 10 = 1 THEN DATE '2023-01-01' + (g % 730)::int + 45
            ELSE DATE '2023-01-01' + (g % 730)::int - (g % 40) END AS renewed_on,
       round((1000 + g % 9000)::numeric, 2) AS term_value,
       CASE WHEN g % 5 = 0 THEN NULL ELSE round((1000 + g % 9000)::numeric * (0.8 + (g % 5) / 10.0), 2) END AS renewal_value
FROM generate_series(1, :rows) g;
-- a forest: every account under account / 16 (roots 1..15), about 5 levels deep
CREATE TABLE bedges AS SELECT g::bigint AS child, (g / 16)::bigint AS parent FROM generate_series(16, :rows + 15) g;
-- activities: 100 touches per account over 2020-2024
CREATE TABLE bacts AS
SELECT g % (:rows / 10) AS account, TIMESTAMPTZ '2020-01-01' + make_interval(days => ((g * 7919) % 1826)::int, hours => (g % 10)::int) AS at
FROM generate_series(1::bigint, :rows * 10) g;
VACUUM ANALYZE bterms; VACUUM ANALYZE bedges; VACUUM ANALYZE bacts;
SQL
echo "same answers:"
psql -At -c "SELECT (kam.renewals(r)).due, (kam.renewals(r)).lost, round(kam.net_renewal_rate(r)::numeric, 12) FROM (SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2023-01-01', '2025-01-01', '2025-06-01') r FROM bterms) x" \
     -c "SELECT count(*), count(*) FILTER (WHERE renewed_on IS NULL AND DATE '2025-06-01' > term_end + 30), round(sum(renewal_value) FILTER (WHERE renewed_on <= '2025-06-01') / sum(term_value) FILTER (WHERE renewed_on <= '2025-06-01' OR DATE '2025-06-01' > term_end + 30), 12) FROM bterms WHERE term_end >= '2023-01-01' AND term_end < '2025-01-01'"
psql -At -c "SELECT count(*), sum(depth), sum(root) FROM kam.account_tree('SELECT child, parent FROM bedges')" \
     -c "WITH RECURSIVE t(account, root, depth) AS (SELECT DISTINCT parent, parent, 0 FROM bedges e WHERE NOT EXISTS (SELECT 1 FROM bedges x WHERE x.child = e.parent) UNION ALL SELECT e.child, t.root, t.depth + 1 FROM t JOIN bedges e ON e.parent = t.account) SELECT count(*), sum(depth), sum(root) FROM t"
psql -At -c "SELECT count(*), sum((g).longest_gap), sum((g).touch_days) FROM (SELECT account, kam.touch_gaps(at, '2020-01-01', '2025-01-01') AS g FROM bacts GROUP BY account) x" \
     -c "WITH d AS (SELECT DISTINCT account, at::date AS d FROM bacts), g AS (SELECT account, d, d - coalesce(lag(d) OVER (PARTITION BY account ORDER BY d), DATE '2020-01-01') AS gap FROM d) SELECT count(*), sum(greatest(longest, DATE '2025-01-01' - last)), sum(days) FROM (SELECT account, max(gap) AS longest, max(d) AS last, count(*) AS days FROM g GROUP BY account) x"
. test/bench/lib.sh
bench_report test/bench/kpis.sql kam_renewals/sql_renewals kam_renewals/floor_terms \
    kam_tree/sql_tree kam_tree/floor_edges kam_touch_gaps/sql_touch_gaps kam_touch_gaps/floor_activities
