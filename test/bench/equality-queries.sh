#!/usr/bin/env bash
# Inside a pg_virtualenv cluster (run by test/bench/equality.sh): build the
# table, check that both forms agree, time test/bench/equality.sql.
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
t0=$(date +%s)
psql -v rows="$ROWS" <<'SQL'
CREATE EXTENSION kam;
-- per row a fixed-size summary (kam.bgnbd, 48 bytes) and a varlena one (kam.scorecard),
-- 1 000 distinct values of each
CREATE TABLE eqb AS
SELECT g AS id, kam.bgnbd(1 + g % 1000, 1, 1, 1) AS model,
       kam.scorecard(ARRAY['arr', 'c' || (g % 1000)], ARRAY[2, 1], ARRAY[0, 0], ARRAY[1, 1]) AS card
FROM generate_series(1, :rows) g;
CREATE TABLE eqb_keys AS SELECT DISTINCT ON (id % 1000) model, card FROM eqb ORDER BY id % 1000, id;
VACUUM ANALYZE eqb;
VACUUM ANALYZE eqb_keys;
SQL
echo "setup $(( $(date +%s) - t0 )) s: $(psql -At -c 'SELECT count(*) FROM eqb') rows"
echo
echo "same answers:"
psql -At <<'SQL'
SELECT '  distinct models ' || (SELECT count(*) FROM (SELECT DISTINCT model FROM eqb) d)
       || ', as text ' || (SELECT count(*) FROM (SELECT DISTINCT model::text FROM eqb) d);
SELECT '  join rows ' || (SELECT count(*) FROM eqb JOIN eqb_keys k ON eqb.card OPERATOR(kam.=) k.card)
       || ', as text ' || (SELECT count(*) FROM eqb JOIN eqb_keys k ON eqb.card::text = k.card::text);
SQL
. test/bench/lib.sh
bench_report test/bench/equality.sql \
    kam_distinct_model/text_distinct_model \
    kam_distinct_model/floor_count \
    kam_group_by_card/text_group_by_card \
    kam_join_card/text_join_card
