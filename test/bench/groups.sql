-- Queries of test/bench/groups.sh: every aggregate with an `internal` state over 100 000
-- groups (10 rows each), as hash aggregation (enable_sort = off) and as sorted aggregation
-- (enable_hashagg = off).  A memory context per group made the hash plan quadratic.
-- kam.bgnbd_fit and kam.gammagamma_fit share the toolkit's array state but fit a model per
-- group, which 10 customers cannot identify: they are left out.
-- bench: hash_snapshot
SET enable_sort = off; SET enable_hashagg = on;
SELECT count(r) FROM (SELECT g, kam.retention_agg(acct, at, mrr, '2024-01-01', '2024-06-01') AS r FROM grp GROUP BY g) x;
-- bench: sort_snapshot
SET enable_sort = on; SET enable_hashagg = off;
SELECT count(r) FROM (SELECT g, kam.retention_agg(acct, at, mrr, '2024-01-01', '2024-06-01') AS r FROM grp GROUP BY g) x;
-- bench: hash_interval
SET enable_sort = off; SET enable_hashagg = on;
SELECT count(r) FROM (SELECT g, kam.retention_agg(acct, at, at + 90, mrr, '2024-01-01', '2024-06-01') AS r FROM grp GROUP BY g) x;
-- bench: sort_interval
SET enable_sort = on; SET enable_hashagg = off;
SELECT count(r) FROM (SELECT g, kam.retention_agg(acct, at, at + 90, mrr, '2024-01-01', '2024-06-01') AS r FROM grp GROUP BY g) x;
-- bench: hash_waterfall
SET enable_sort = off; SET enable_hashagg = on;
SELECT count(w) FROM (SELECT g, kam.mrr_waterfall(acct, at, mrr) AS w FROM grp GROUP BY g) x;
-- bench: sort_waterfall
SET enable_sort = on; SET enable_hashagg = off;
SELECT count(w) FROM (SELECT g, kam.mrr_waterfall(acct, at, mrr) AS w FROM grp GROUP BY g) x;
-- bench: hash_cohort
SET enable_sort = off; SET enable_hashagg = on;
SELECT count(c) FROM (SELECT g, kam.cohort_retention(acct, at, mrr) AS c FROM grp GROUP BY g) x;
-- bench: sort_cohort
SET enable_sort = on; SET enable_hashagg = off;
SELECT count(c) FROM (SELECT g, kam.cohort_retention(acct, at, mrr) AS c FROM grp GROUP BY g) x;
-- bench: hash_survival
SET enable_sort = off; SET enable_hashagg = on;
SELECT count(s) FROM (SELECT g, kam.survival_agg(at, at + life, '2025-01-01') AS s FROM grp GROUP BY g) x;
-- bench: sort_survival
SET enable_sort = on; SET enable_hashagg = off;
SELECT count(s) FROM (SELECT g, kam.survival_agg(at, at + life, '2025-01-01') AS s FROM grp GROUP BY g) x;
-- bench: hash_rfm
SET enable_sort = off; SET enable_hashagg = on;
SELECT count(r) FROM (SELECT g, kam.rfm(ts, mrr, '2025-01-01', '1 day') AS r FROM grp GROUP BY g) x;
-- bench: sort_rfm
SET enable_sort = on; SET enable_hashagg = off;
SELECT count(r) FROM (SELECT g, kam.rfm(ts, mrr, '2025-01-01', '1 day') AS r FROM grp GROUP BY g) x;
-- bench: hash_gini
SET enable_sort = off; SET enable_hashagg = on;
SELECT count(v) FROM (SELECT g, kam.gini(mrr) AS v FROM grp GROUP BY g) x;
-- bench: sort_gini
SET enable_sort = on; SET enable_hashagg = off;
SELECT count(v) FROM (SELECT g, kam.gini(mrr) AS v FROM grp GROUP BY g) x;
-- bench: hash_top_share
SET enable_sort = off; SET enable_hashagg = on;
SELECT count(v) FROM (SELECT g, kam.top_share(mrr, 3) AS v FROM grp GROUP BY g) x;
-- bench: sort_top_share
SET enable_sort = on; SET enable_hashagg = off;
SELECT count(v) FROM (SELECT g, kam.top_share(mrr, 3) AS v FROM grp GROUP BY g) x;
-- bench: hash_sparkline
SET enable_sort = off; SET enable_hashagg = on;
SELECT count(v) FROM (SELECT g, kam.sparkline(mrr) AS v FROM grp GROUP BY g) x;
-- bench: sort_sparkline
SET enable_sort = on; SET enable_hashagg = off;
SELECT count(v) FROM (SELECT g, kam.sparkline(mrr) AS v FROM grp GROUP BY g) x;
-- bench: hash_floor
SET enable_sort = off; SET enable_hashagg = on;
SELECT count(n) FROM (SELECT g, count(*) AS n FROM grp GROUP BY g) x;
-- bench: sort_floor
SET enable_sort = on; SET enable_hashagg = off;
SELECT count(n) FROM (SELECT g, count(*) AS n FROM grp GROUP BY g) x;
