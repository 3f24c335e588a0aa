-- Account hierarchies and group roll-ups (SPEC section 8): kam.account_tree, group-level
-- retention through the root, kam.weighted_mean, kam.band_shares; and kam.am_roi.

-- hand-worked (docs/kam.md): group 1 with entities 2 and 3, 4 under 2, and 5 under 4 until
-- 2024-06-01, then under 3; 7 alone (a row with a NULL parent lists a root)
CREATE TEMP TABLE links(child bigint, parent bigint, valid_from date, valid_to date);
INSERT INTO links VALUES (2, 1, NULL, NULL), (3, 1, NULL, NULL), (4, 2, NULL, NULL),
    (5, 4, NULL, '2024-06-01'), (5, 3, '2024-06-01', NULL), (7, NULL, NULL, NULL);
SELECT * FROM kam.account_tree('SELECT * FROM links', '2024-01-01');
SELECT * FROM kam.account_tree('SELECT * FROM links', '2024-06-01') WHERE account = 5;
-- timestamptz as_of (the day in the session time zone); a quoted date; NULL as_of is today
SELECT (SELECT root FROM kam.account_tree('SELECT * FROM links', timestamptz '2024-05-31 23:00') WHERE account = 5) AS root_before,
       (SELECT path FROM kam.account_tree('SELECT * FROM links', '2024-06-01') WHERE account = 5) AS path_after,
       (SELECT path FROM kam.account_tree('SELECT * FROM links', NULL) WHERE account = 5)
         = (SELECT path FROM kam.account_tree('SELECT * FROM links', current_date) WHERE account = 5) AS null_is_today;
-- without valid-time columns every edge counts; integer columns of any width
SELECT count(*) AS accounts, max(depth) AS deepest
FROM kam.account_tree($$SELECT child::int AS child, parent::smallint AS parent FROM links WHERE valid_to IS NULL$$);
-- text ids (Salesforce-like), compared byte for byte; uuids
SELECT * FROM kam.account_tree($$SELECT c AS child, p AS parent FROM (VALUES ('001B', '001A'), ('001C', '001A'), ('001c', '001B')) v(c, p)$$,
                               '2024-01-01', NULL::text);
SELECT depth, count(*) FROM kam.account_tree(
    $$SELECT md5(g::text)::uuid AS child, md5((g / 2)::text)::uuid AS parent FROM generate_series(2, 31) g$$, '2024-01-01', NULL::uuid)
GROUP BY depth ORDER BY depth;
-- an empty edges query: no row
SELECT count(*) AS no_edges FROM kam.account_tree('SELECT 1::bigint AS child, 2::bigint AS parent WHERE false');

-- the sample CRM's hierarchy against a recursive CTE (roots, depths and paths), on three days
CREATE TEMP TABLE ref_tree AS
WITH RECURSIVE d(day) AS (VALUES (date '2023-01-01'), ('2023-09-01'), ('2024-12-01')),
edges AS (
    SELECT d.day, l.child_id AS child, l.parent_id AS parent
    FROM crm.account_links l, d
    WHERE (l.valid_from IS NULL OR l.valid_from <= d.day) AND (l.valid_to IS NULL OR d.day < l.valid_to)),
nodes AS (
    SELECT d.day, x.id FROM d, crm.account_links l, LATERAL (VALUES (l.child_id), (l.parent_id)) x(id) GROUP BY 1, 2),
walk AS (
    SELECT n.day, n.id AS account, n.id AS top, 0 AS depth, ARRAY[n.id] AS path
    FROM nodes n
    UNION ALL
    SELECT w.day, w.account, e.parent, w.depth + 1, e.parent || w.path
    FROM walk w JOIN edges e ON e.day = w.day AND e.child = w.top)
SELECT DISTINCT ON (day, account) day, account, top AS root, depth, path
FROM walk ORDER BY day, account, depth DESC;
CREATE TEMP TABLE kam_tree AS
SELECT d.day, t.* FROM (VALUES (date '2023-01-01'), ('2023-09-01'), ('2024-12-01')) d(day),
     kam.account_tree('SELECT child_id AS child, parent_id AS parent, valid_from, valid_to FROM crm.account_links', d.day) t;
SELECT r.day, count(*) AS accounts, count(DISTINCT r.root) AS groups, max(r.depth) AS deepest,
       count(*) FILTER (WHERE k.account IS NULL OR r.root <> k.root OR r.depth <> k.depth OR r.path::bigint[] <> k.path) AS differ
FROM ref_tree r FULL JOIN kam_tree k USING (day, account)
GROUP BY r.day ORDER BY r.day;
-- 20 000 edges with ids scattered over negative and large bigints (the radix sort of int64
-- ids, used from 4 096 ids on) against the recursive CTE
CREATE TEMP TABLE big_edges AS
SELECT ((g::bigint * 2654435761) % 1099511627776) - 549755813888 AS child,
       CASE WHEN g >= 7 THEN (((g / 7)::bigint * 2654435761) % 1099511627776) - 549755813888 END AS parent
FROM generate_series(1, 20000) g;
WITH RECURSIVE t(account, root, depth) AS (
    SELECT child, child, 0 FROM big_edges WHERE parent IS NULL
    UNION ALL
    SELECT e.child, t.root, t.depth + 1 FROM t JOIN big_edges e ON e.parent = t.account)
SELECT count(*) AS accounts, min(r.account) < -500000000000 AS negative_ids, max(r.account) > 500000000000 AS large_ids,
       count(*) FILTER (WHERE k.account IS NULL OR r.account IS NULL OR k.root <> r.root OR k.depth <> r.depth) AS differ
FROM t r FULL JOIN kam.account_tree('SELECT child, parent FROM big_edges') k ON k.account = r.account;
-- group sizes (entities per root, the head included) and re-parented entities
SELECT min(n) AS smallest_group, max(n) AS largest_group,
       (SELECT count(*) FROM (SELECT account FROM kam_tree GROUP BY account HAVING count(DISTINCT root) + count(DISTINCT path) > 2) x) AS moved
FROM (SELECT root, count(*) AS n FROM kam_tree WHERE day = '2024-12-01' GROUP BY root) g;

-- group-level retention through the root: MRR moving between two entities of one group is
-- neither churn nor new business. Entity 4 (group 1) moves its 100 to entity 3 (group 1);
-- entity 8 (its own group) churns
CREATE TEMP TABLE entity_mrr(account bigint, at date, mrr numeric);
INSERT INTO entity_mrr VALUES (2, '2024-01-01', 50), (2, '2024-07-01', 50), (4, '2024-01-01', 100), (3, '2024-07-01', 100),
                              (8, '2024-01-01', 30);
SELECT 'per entity' AS level, m.new_accounts, m.churned_accounts, m.new_mrr, m.churned_mrr, kam.nrr(r) AS nrr
FROM (SELECT kam.retention_agg(account, at, mrr, '2024-01-01', '2024-07-01') AS r FROM entity_mrr) x, kam.movements(x.r) m
UNION ALL
SELECT 'per group', m.new_accounts, m.churned_accounts, m.new_mrr, m.churned_mrr, kam.nrr(r)
FROM (SELECT kam.retention_agg(coalesce(t.root, e.account), e.at, e.mrr, '2024-01-01', '2024-07-01') AS r
      FROM entity_mrr e LEFT JOIN kam.account_tree('SELECT * FROM links', '2024-07-01') t ON t.account = e.account) x,
     kam.movements(x.r) m;

-- errors: each names what is wrong
SELECT test_error($$SELECT * FROM kam.account_tree('SELECT child_id, parent_id FROM crm.account_links')$$);
SELECT test_error($$SELECT * FROM kam.account_tree('SELECT child_id AS child FROM crm.account_links')$$);
SELECT test_error($$SELECT * FROM kam.account_tree('SELECT child_id::text AS child, parent_id AS parent FROM crm.account_links')$$);
SELECT test_error($$SELECT * FROM kam.account_tree('SELECT child_id AS child, parent_id AS parent FROM crm.account_links', '2024-01-01', NULL::text)$$);
SELECT test_error($$SELECT * FROM kam.account_tree('SELECT child_id AS child, parent_id AS parent, 5 AS valid_from FROM crm.account_links')$$);
SELECT test_error($$SELECT * FROM kam.account_tree('SELECT NULL::bigint AS child, 1::bigint AS parent')$$);
SELECT test_error($$SELECT * FROM kam.account_tree('SELECT child, parent FROM links', '2024-01-01')$$);
-- VALUES names its columns column1, column2: name them child and parent
SELECT test_error($$SELECT * FROM kam.account_tree('VALUES (1::bigint, 2::bigint), (2, 3), (3, 1)', '2024-01-01') AS t$$);
SELECT test_error($$SELECT * FROM kam.account_tree('SELECT * FROM (VALUES (1::bigint, 2::bigint), (2, 3), (3, 1), (9, 1)) v(child, parent)')$$);
SELECT test_error($$SELECT * FROM kam.account_tree('SELECT 4::bigint AS child, 4::bigint AS parent')$$);
SELECT test_error($$SELECT * FROM kam.account_tree('SELECT g::bigint AS child, g - 1 AS parent FROM generate_series(1, 150) g')$$);
SELECT count(*) AS hundred_levels_are_fine, max(depth) FROM kam.account_tree('SELECT g::bigint AS child, g - 1 AS parent FROM generate_series(1, 100) g');
SELECT test_error($$SELECT * FROM kam.account_tree('DELETE FROM links RETURNING child, parent')$$);
SELECT test_error($$SELECT * FROM kam.account_tree('INSERT INTO links VALUES (1, 2)')$$);
SELECT test_error($$SELECT * FROM kam.account_tree('SELEC 1')$$);
SELECT test_error($$SELECT * FROM kam.account_tree(NULL)$$);
SELECT test_error($$SELECT * FROM kam.account_tree('SELECT 1::bigint AS child, 2::bigint AS parent', '2024-01-01', NULL::point)$$);
-- the edges query stops with the statement: a long one is cancelled
-- (PostgreSQL 13 reports no context line for it)
SET statement_timeout = '200ms';
\set SHOW_CONTEXT never
SELECT count(*) FROM kam.account_tree('SELECT g AS child, g + 1 AS parent FROM generate_series(1::bigint, 1000000000) g');
\set SHOW_CONTEXT errors
RESET statement_timeout;

-- kam.weighted_mean: the ARR-weighted health of a group
SELECT kam.weighted_mean(v, w) AS weighted, (80 * 1000 + 40 * 3000) / 4000.0 AS by_hand
FROM (VALUES (80, 1000), (40, 3000), (NULL, 5), (99, NULL)) x(v, w);
SELECT kam.weighted_mean(v::numeric, w::numeric) AS numeric_form, kam.weighted_mean(v::float8, w::numeric) AS mixed,
       kam.weighted_mean(v, 0) AS all_weights_zero, kam.weighted_mean(-v, w) AS negative_values
FROM (VALUES (80, 1000), (40, 3000)) x(v, w);
SELECT kam.weighted_mean(v, w) IS NULL AS no_rows FROM (VALUES (1.0, 1.0)) x(v, w) WHERE false;
-- per group of the sample CRM against plain SQL: health weighted by MRR
SELECT count(*) AS groups,
       count(*) FILTER (WHERE abs(k - r) > 1e-9 * abs(r)) AS differ
FROM (SELECT t.root, kam.weighted_mean(u.active_users::float8 / u.licensed_seats, s.mrr) AS k,
             sum(u.active_users::float8 / u.licensed_seats * s.mrr::float8) / sum(s.mrr::float8) AS r
      FROM kam.account_tree('SELECT child_id AS child, parent_id AS parent, valid_from, valid_to FROM crm.account_links', '2024-12-01') t
      JOIN crm.mrr_snapshots s ON s.account_id = t.account AND s.month = '2024-12-01'
      JOIN crm.usage u ON u.account_id = t.account AND u.month = '2024-12-01'
      GROUP BY t.root) x;
-- the state reads back through its text (Citus ships it as text) and combines
SELECT kam.weighted_mean_final(kam.weighted_mean_combine(a::text::float8[], b::text::float8[])) AS combined
FROM (SELECT kam.weighted_mean_sfunc(kam.weighted_mean_sfunc(NULL, 80::float8, 1000::float8), 40::float8, 3000::float8) AS a,
             kam.weighted_mean_sfunc(NULL, 10::float8, 4000::float8) AS b) x;
SELECT test_error($$SELECT kam.weighted_mean(v, w) FROM (VALUES (80.0, -1.0)) x(v, w)$$);
SELECT test_error($$SELECT kam.weighted_mean(v, w) FROM (VALUES ('NaN'::float8, 1.0::float8)) x(v, w)$$);
SELECT test_error($$SELECT kam.weighted_mean(v, w) FROM (VALUES (1.0::float8, 'Infinity'::float8)) x(v, w)$$);
SELECT test_error($$SELECT kam.weighted_mean(v, w) FROM (VALUES (1e300::float8, 1e300::float8)) x(v, w)$$);
SELECT test_error($$SELECT kam.weighted_mean_combine('{1,2}', '{1,2,3,4,5}')$$);

-- kam.band_shares: the health grades of a group's entities
SELECT b.* FROM unnest((SELECT kam.band_shares(s, 'F:60,D:70,C:80,B:90,A:100')
                        FROM (VALUES (55.0), (65), (95), (99), (NULL)) x(s))) b;
SELECT kam.band_shares(s, 'low:50,high:100') IS NULL AS no_rows FROM (VALUES (1.0)) x(s) WHERE false;
SELECT (kam.band_shares(s, 'low:50,high:100'))[2].share AS only_nulls_share FROM (VALUES (NULL::float8)) x(s);
SELECT test_error($$SELECT kam.band_shares(s, 'low:50,high:100') FROM (VALUES (120.0)) x(s)$$);
SELECT test_error($$SELECT kam.band_shares(s, NULL) FROM (VALUES (20.0)) x(s)$$);
SELECT test_error($$SELECT kam.band_shares(s, b::kam.band_scheme) FROM (VALUES (20.0, 'low:50,high:100'), (30, 'low:40,high:100')) x(s, b)$$);

-- the combine paths: forced parallel workers give the serial results
CREATE TABLE many_scores AS
SELECT g % 50 AS grp, (g * 7919 % 1000) / 10.0 AS score, (g % 13) + 1 AS w FROM generate_series(1, 200000) g;
ANALYZE many_scores;
CREATE TEMP TABLE serial_scores AS
SELECT grp, kam.weighted_mean(score, w) AS wm, kam.band_shares(score, 'F:60,D:70,C:80,B:90,A:100')::text AS bs
FROM many_scores GROUP BY grp;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT count(*) AS groups, count(*) FILTER (WHERE abs(s.wm - p.wm) > 1e-12 * s.wm OR s.bs <> p.bs) AS parallel_differ
FROM serial_scores s JOIN (SELECT grp, kam.weighted_mean(score, w) AS wm, kam.band_shares(score, 'F:60,D:70,C:80,B:90,A:100')::text AS bs
                           FROM many_scores GROUP BY grp) p USING (grp);
EXPLAIN (COSTS OFF) SELECT kam.weighted_mean(score, w), kam.band_shares(score, 'F:60,D:70,C:80,B:90,A:100') FROM many_scores;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size; RESET parallel_leader_participation;
DROP TABLE many_scores;

-- kam.am_roi: the worked example of SPEC section 8 (45 accounts, 24 000 a year, 85 % against
-- a 65 % baseline, 30 % buy 6 000 more, the programme costs 180 000)
SELECT * FROM kam.am_roi(45, 24000, 0.85, 0.65, 0.30, 6000, 180000);
SELECT * FROM kam.am_roi(45::float8, 24000, 0.85, 0.65, 0.30, 6000, 180000);
SELECT (kam.am_roi(45, 24000, 0.85, 0.65, 0.30, 6000, 0)).roi IS NULL AS zero_cost_roi_null,
       (kam.am_roi(0, 24000, 0.85, 0.65, 0.30, 6000, 1000)).roi AS no_accounts,
       kam.am_roi(45, NULL, 0.85, 0.65, 0.30, 6000, 1000) IS NULL AS strict;
SELECT test_error($$SELECT kam.am_roi(45, 24000, 1.2, 0.65, 0.30, 6000, 180000)$$);
SELECT test_error($$SELECT kam.am_roi(45, 24000, 0.85, -0.1, 0.30, 6000, 180000)$$);
SELECT test_error($$SELECT kam.am_roi(45, -24000, 0.85, 0.65, 0.30, 6000, 180000)$$);
SELECT test_error($$SELECT kam.am_roi(45, 'NaN', 0.85, 0.65, 0.30, 6000, 180000)$$);
SELECT test_error($$SELECT kam.am_roi(45, 24000, 0.85, 0.65, 0.30, 6000, 'Infinity'::float8)$$);
SELECT test_error($$SELECT kam.am_roi(45, 24000, 'NaN'::float8, 0.65, 0.30, 6000, 180000)$$);
-- the row types of kam.band_shares (an array of them) and kam.am_roi, as a BI tool sees them
SELECT pg_typeof(kam.band_shares(s, 'low:50,high:100')) AS band_shares_type,
       (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
        FROM pg_attribute WHERE attrelid = 'kam.band_share'::regclass AND attnum > 0) AS band_share_columns
FROM (VALUES (20.0::float8)) v(s);
SELECT pg_typeof(kam.am_roi(45, 24000, 0.85, 0.65, 0.30, 6000, 180000)) AS am_roi_type,
       (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
        FROM pg_attribute WHERE attrelid = 'kam.am_roi_result'::regclass AND attnum > 0) AS am_roi_columns;
