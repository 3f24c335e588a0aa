#!/usr/bin/env bash
# Inside a cluster (run by test/bench/ledger.sh): the lines, the same answer both ways,
# then the timings of test/bench/ledger.sql.
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -v rows="$ROWS" <<'SQL'
CREATE EXTENSION IF NOT EXISTS kam;
DROP TABLE IF EXISTS blines, bfactors;
CREATE TABLE blines AS
SELECT g AS id, DATE '2022-01-01' + (g % 900)::int AS valid_from,
       CASE WHEN g % 5 = 0 THEN NULL ELSE DATE '2022-01-01' + (g % 900)::int + 30 + (g % 700)::int END AS valid_to,
       round((g % 5000 + 0.99)::numeric, 2) AS amount, (ARRAY['month', 'year', 'quarter'])[1 + g % 3] AS unit, 1 AS cnt
FROM generate_series(1, :rows) g;
CREATE TABLE bfactors(unit text, num int, den int);
INSERT INTO bfactors VALUES ('day', 365, 12), ('week', 52, 12), ('month', 1, 1), ('quarter', 1, 3), ('year', 1, 12);
VACUUM ANALYZE blines;
SQL
echo "same answer (rows, total):"
psql -At -c "SELECT count(*), sum(s.mrr) FROM blines l, kam.mrr_schedule(l.valid_from, l.valid_to, l.amount, l.unit, l.cnt, '2023-01-01', '2024-12-01') s" \
     -c "SELECT count(*), sum(l.amount * f.num / (f.den * l.cnt)) FROM blines l JOIN bfactors f USING (unit), generate_series(DATE '2023-01-01', DATE '2024-12-01', interval '1 month') m WHERE l.valid_from <= m::date AND (l.valid_to IS NULL OR m::date < l.valid_to)"
. test/bench/lib.sh
bench_report test/bench/ledger.sql kam_schedule/sql_schedule kam_schedule/floor_count
