-- Queries of test/bench/kpis.sh over bterms (contract terms), bedges (a forest) and bacts
-- (activities).
-- bench: floor_terms
SELECT count(*), sum(term_value), sum(renewal_value) FROM bterms;
-- bench: kam_renewals
SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2023-01-01', '2025-01-01', '2025-06-01')::text FROM bterms;
-- bench: sql_renewals
SELECT count(*) FILTER (WHERE renewed_on <= '2025-06-01' AND renewed_on <= term_end + 30) AS on_time,
       count(*) FILTER (WHERE renewed_on <= '2025-06-01' AND renewed_on > term_end + 30) AS late,
       count(*) FILTER (WHERE (renewed_on IS NULL OR renewed_on > '2025-06-01') AND DATE '2025-06-01' > term_end + 30) AS lost,
       count(*) FILTER (WHERE (renewed_on IS NULL OR renewed_on > '2025-06-01') AND DATE '2025-06-01' <= term_end + 30) AS pending,
       sum(least(renewal_value, term_value)) FILTER (WHERE renewed_on <= '2025-06-01')
         / sum(term_value) FILTER (WHERE renewed_on <= '2025-06-01' OR DATE '2025-06-01' > term_end + 30) AS gross,
       sum(renewal_value) FILTER (WHERE renewed_on <= '2025-06-01')
         / sum(term_value) FILTER (WHERE renewed_on <= '2025-06-01' OR DATE '2025-06-01' > term_end + 30) AS net
FROM bterms WHERE term_end >= '2023-01-01' AND term_end < '2025-01-01';
-- bench: floor_edges
SELECT count(*), sum(parent) FROM bedges;
-- bench: kam_tree
SELECT count(*), sum(depth), sum(root) FROM kam.account_tree('SELECT child, parent FROM bedges');
-- bench: sql_tree
WITH RECURSIVE t(account, root, depth) AS (
    SELECT DISTINCT parent, parent, 0 FROM bedges e WHERE NOT EXISTS (SELECT 1 FROM bedges x WHERE x.child = e.parent)
    UNION ALL
    SELECT e.child, t.root, t.depth + 1 FROM t JOIN bedges e ON e.parent = t.account)
SELECT count(*), sum(depth), sum(root) FROM t;
-- bench: floor_activities
SELECT count(*), max(at) FROM bacts;
-- bench: kam_touch_gaps
SELECT count(*), sum((g).longest_gap) FROM (SELECT account, kam.touch_gaps(at, '2020-01-01', '2025-01-01') AS g FROM bacts GROUP BY account) x;
-- bench: sql_touch_gaps
WITH d AS (SELECT DISTINCT account, at::date AS d FROM bacts),
g AS (SELECT account, d, d - coalesce(lag(d) OVER (PARTITION BY account ORDER BY d), DATE '2020-01-01') AS gap FROM d)
SELECT count(*), sum(greatest(longest, DATE '2025-01-01' - last))
FROM (SELECT account, max(gap) AS longest, max(d) AS last FROM g GROUP BY account) x;
