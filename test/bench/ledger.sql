-- Queries of test/bench/ledger.sh over blines (subscription lines, a fifth open-ended).
-- bench: floor_count
SELECT count(*), sum(amount) FROM blines;
-- bench: kam_schedule
SELECT count(*), sum(s.mrr) FROM blines l,
       kam.mrr_schedule(l.valid_from, l.valid_to, l.amount, l.unit, l.cnt, '2023-01-01', '2024-12-01') s;
-- bench: sql_schedule
SELECT count(*), sum(l.amount * f.num / (f.den * l.cnt)) FROM blines l JOIN bfactors f USING (unit),
       generate_series(DATE '2023-01-01', DATE '2024-12-01', interval '1 month') m
WHERE l.valid_from <= m::date AND (l.valid_to IS NULL OR m::date < l.valid_to);
