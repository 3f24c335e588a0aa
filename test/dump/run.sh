#!/usr/bin/env bash
# Inside a cluster (PG* set): a database with kam summary types stored in table
# columns, views over kam functions and a user band scheme; pg_dump -Fc, then
# pg_restore into a new database; the same queries must give identical results.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${KAM_TEST_OUT:-$PWD/results}/dump
mkdir -p "$out"
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
. test/cluster-lib.sh
kam_crm_database kam_dump_src "200, 24, 7"
kam_fresh_databases kam_dump_dst
export PGDATABASE=kam_dump_src
psql <<'SQL'
INSERT INTO kam.band_schemes (name, scheme) VALUES ('traffic5', 'red:20,orange:40,yellow:60,lime:80,green:100');
CREATE TABLE summaries AS
SELECT a.manager_id,
       kam.retention_agg(s.account_id, s.month, s.mrr, '2023-12-01', '2024-12-01') AS retention,
       kam.hhi_sfunc(NULL, 1) AS hhi_state,
       kam.top_sfunc(kam.top_sfunc(NULL, 3, 2), 5.5, 2) AS top_state,
       kam.trend(s.month, s.mrr) AS trend
FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id) GROUP BY 1;
CREATE TABLE models AS
SELECT kam.survival_agg(valid_from, valid_to, '2025-01-01') AS survival,
       kam.bgnbd(0.243, 4.414, 0.793, 2.426) AS bgnbd, kam.gammagamma(6.25, 3.74, 15.44) AS gammagamma,
       'policy=zero;"arr"=3[0,200000];"nps"=1[-100,100]'::kam.scorecard AS card,
       'at risk:40,watch:70,healthy:100'::kam.band_scheme AS scheme,
       (SELECT kam.nps_agg(score) FROM crm.surveys WHERE kind = 'nps') AS nps,
       (SELECT kam.forecast_sfunc(NULL, 110, 100)) AS forecast
FROM crm.subscriptions;
CREATE VIEW manager_review AS
SELECT manager_id, kam.nrr(retention) AS nrr, kam.grr(retention) AS grr, kam.expansion_rate(retention) AS expansion,
       kam.slope(trend) AS slope, kam.direction(trend, 10) AS direction
FROM summaries;
CREATE VIEW account_health AS
SELECT a.account_id,
       kam.health_grade(kam.health_score(ARRAY[u.active_users::float8 / u.licensed_seats * 100], ARRAY[1]), 'traffic5') AS grade,
       kam.sparkline(ARRAY[u.active_users::float8, u.licensed_seats]) AS spark
FROM crm.accounts a JOIN crm.usage u ON u.account_id = a.account_id AND u.month = '2024-12-01';
CREATE TABLE renewal_summaries AS
SELECT a.manager_id, kam.renewal_agg(t.term_end, t.renewed_on, t.term_value * 1.1, t.renewal_value * 1.1, '2024-01-01', '2025-01-01', '2025-01-01') AS r
FROM crm.contract_terms t JOIN crm.accounts a USING (account_id) GROUP BY 1;
CREATE VIEW groups AS
SELECT t.root, count(*) AS entities, kam.weighted_mean(u.active_users::float8 / u.licensed_seats, s.mrr) AS adoption,
       kam.band_shares(100.0 * u.active_users / u.licensed_seats, 'F:60,D:70,C:80,B:90,A:100') AS bands
FROM kam.account_tree('SELECT child_id AS child, parent_id AS parent, valid_from, valid_to FROM crm.account_links', '2024-12-01') t
JOIN crm.mrr_snapshots s ON s.account_id = t.account AND s.month = '2024-12-01'
JOIN crm.usage u ON u.account_id = t.account AND u.month = '2024-12-01'
GROUP BY t.root;
SQL
queries="
SELECT * FROM summaries ORDER BY manager_id;
SELECT * FROM models;
SELECT * FROM manager_review ORDER BY manager_id;
SELECT * FROM account_health ORDER BY account_id;
SELECT kam.survival_at(survival, 365), kam.bgnbd_expected(bgnbd, 39, 2, 30, 38), kam.score(card, ARRAY[50000, 20]),
       kam.health_grade(55, scheme), kam.nps(nps), (kam.nps_interval(nps)).*, (kam.forecast_final(forecast)).* FROM models;
SELECT name, scheme, builtin FROM kam.band_schemes ORDER BY name;
SELECT count(*) AS stored, count(*) FILTER (WHERE s.retention OPERATOR(kam.=) r.retention) AS equal_to_recomputed
FROM summaries s JOIN (SELECT a.manager_id, kam.retention_agg(m.account_id, m.month, m.mrr, '2023-12-01', '2024-12-01') AS retention
                       FROM crm.mrr_snapshots m JOIN crm.accounts a USING (account_id) GROUP BY 1) r USING (manager_id);
SELECT count(*) AS distinct_models FROM (SELECT DISTINCT survival, bgnbd, gammagamma, card, scheme, nps, forecast FROM models) d;
SELECT manager_id, r, kam.net_renewal_rate(r), (kam.renewals(r)).* FROM renewal_summaries ORDER BY manager_id;
SELECT * FROM groups ORDER BY root;"
# through standard input: psql before 15 prints only the last result of a multi-statement -c
psql -At <<< "$queries" > "$out/before.txt"
pg_dump -Fc -f "$out/kam.dump" kam_dump_src
pg_restore --exit-on-error -d kam_dump_dst "$out/kam.dump"
PGDATABASE=kam_dump_dst psql -At <<< "$queries" > "$out/after.txt"
if diff -u "$out/before.txt" "$out/after.txt" > "$out/diff.txt"; then
    echo "dump: passed, $(wc -l < "$out/before.txt") result lines identical after pg_dump -Fc / pg_restore"
else
    echo "dump: FAILED, results differ after restore:"; head -40 "$out/diff.txt"; exit 1
fi
