-- Queries of test/bench/equality.sh over eqb (one summary of each kind per row).
-- bench: floor_count
SELECT count(*) FROM eqb;
-- bench: kam_distinct_model
SELECT count(*) FROM (SELECT DISTINCT model FROM eqb) d;
-- bench: text_distinct_model
SELECT count(*) FROM (SELECT DISTINCT model::text FROM eqb) d;
-- bench: kam_group_by_card
SELECT count(*), max(n) FROM (SELECT card, count(*) AS n FROM eqb GROUP BY card) g;
-- bench: text_group_by_card
SELECT count(*), max(n) FROM (SELECT card::text, count(*) AS n FROM eqb GROUP BY card::text) g;
-- bench: kam_join_card
SELECT count(*) FROM eqb JOIN eqb_keys k ON eqb.card OPERATOR(kam.=) k.card;
-- bench: text_join_card
SELECT count(*) FROM eqb JOIN eqb_keys k ON eqb.card::text = k.card::text;
