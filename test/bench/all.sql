-- Families of test/bench/all.sh beyond those of retention.sql (run together with it).
-- Tables from crm.generate(..., with_activity => true) plus bench_pairs, bench_measures,
-- bench_snapshots_sparse and bench_snapshots_text.

-- the waterfall over sparse integer ids (bench_snapshots_sparse: the snapshots' ids times
-- 1 000 003, so the accounts are found in the hash of keys, not the direct map); the same
-- answer as kam_waterfall, so plain_waterfall is its reference
-- bench: floor_sum_snapshots_sparse
SELECT sum(mrr) FROM bench_snapshots_sparse;
-- bench: kam_waterfall_sparse
SELECT cardinality(kam.mrr_waterfall(account_id, month, mrr)) FROM bench_snapshots_sparse;
-- (and the retention movements of every row, as kam_snapshots_all_rows, plain_movements_all_rows
-- its reference)
-- bench: kam_snapshots_sparse
SELECT kam.retention_agg(account_id, month, mrr, '2023-12-01', '2024-12-01') FROM bench_snapshots_sparse;

-- the same under text ids (bench_snapshots_text: 'ACME-00012345'; every account in the hash,
-- its rows waiting in batches with a copy of the key), each against the plain SQL over the same
-- text ids: plain_waterfall_text and plain_movements_text, made by all-queries.sh from
-- retention.sql's plain_waterfall and plain_movements_all_rows (the same queries, this table)
-- bench: floor_sum_snapshots_text
SELECT sum(mrr) FROM bench_snapshots_text;
-- bench: kam_waterfall_text
SELECT cardinality(kam.mrr_waterfall(account_id, month, mrr)) FROM bench_snapshots_text;
-- bench: kam_snapshots_text
SELECT kam.retention_agg(account_id, month, mrr, '2023-12-01', '2024-12-01') FROM bench_snapshots_text;

-- scoring: an 8-criterion scorecard over one row of measures per account
-- bench: floor_sum_measures
SELECT sum(arr), sum(growth), sum(pipeline), sum(nps), sum(adoption), sum(csat), sum(overdue), sum(tenure) FROM bench_measures;
-- bench: kam_scorecard
SELECT sum(kam.score('policy=redistribute;"arr"=4[0,150000];"growth"=3[-0.3,0.5];"pipeline"=2[0,50000];"nps"=1[-100,100];"adoption"=3[0.2,1];"csat"=2[1,5];"overdue"=1[0.5,0];"tenure"=1[0,24]',
                     ARRAY[arr, growth, pipeline, nps, adoption, csat, overdue, tenure])) FROM bench_measures;
-- bench: plain_scorecard
SELECT sum(100 * (4 * least(greatest(arr / 150000, 0), 1) + 3 * least(greatest((growth + 0.3) / 0.8, 0), 1)
                  + 2 * least(greatest(pipeline / 50000, 0), 1) + least(greatest((nps + 100) / 200, 0), 1)
                  + 3 * least(greatest((adoption - 0.2) / 0.8, 0), 1) + 2 * least(greatest((csat - 1) / 4, 0), 1)
                  + least(greatest((overdue - 0.5) / -0.5, 0), 1) + least(greatest(tenure / 24, 0), 1)) / 17)
FROM bench_measures;

-- concentration over every snapshot's MRR
-- bench: kam_hhi
SELECT kam.hhi(mrr) FROM crm.mrr_snapshots;
-- bench: plain_hhi
SELECT sum(mrr::float8 * mrr::float8) / sum(mrr::float8) ^ 2 FROM crm.mrr_snapshots;
-- bench: kam_gini
SELECT kam.gini(mrr) FROM crm.mrr_snapshots;
-- bench: plain_gini
SELECT sum((2 * rn - n - 1) * mrr) / (max(n) * sum(mrr))
FROM (SELECT mrr::float8 AS mrr, row_number() OVER (ORDER BY mrr) AS rn, count(*) OVER () AS n FROM crm.mrr_snapshots) r;
-- bench: kam_top_share
SELECT kam.top_share(mrr, 100) FROM crm.mrr_snapshots;
-- bench: plain_top_share
SELECT (SELECT sum(mrr) FROM (SELECT mrr FROM crm.mrr_snapshots ORDER BY mrr DESC LIMIT 100) t)::float8 / sum(mrr)::float8
FROM crm.mrr_snapshots;
-- contract survival: the Kaplan-Meier life table of every subscription, and its median
-- bench: floor_count_subscriptions
SELECT count(*), sum(valid_to - valid_from) FROM crm.subscriptions;
-- bench: kam_survival
SELECT kam.median_lifetime(kam.survival_agg(valid_from, valid_to, '2025-01-01')) FROM crm.subscriptions;
-- bench: plain_survival
WITH l AS (SELECT CASE WHEN valid_to <= '2025-01-01' THEN valid_to - valid_from ELSE '2025-01-01'::date - valid_from END AS t,
                  (valid_to <= '2025-01-01') AS event
           FROM crm.subscriptions WHERE valid_from <= '2025-01-01'),
     d AS (SELECT t, count(*) FILTER (WHERE event) AS d, count(*) AS n_t FROM l GROUP BY t),
     r AS (SELECT t, d, sum(n_t) OVER (ORDER BY t DESC) AS at_risk FROM d),
     s AS (SELECT t, exp(sum(ln(1 - d::float8 / at_risk)) OVER (ORDER BY t)) AS surv FROM r WHERE d < at_risk)
SELECT min(t) FROM s WHERE surv <= 0.5;

-- retention over snapshots whose dates are timestamptz (the snapshot query's every row)
-- bench: floor_sum_snapshots_tz
SELECT sum(mrr) FROM bench_snapshots_tz;
-- bench: kam_snapshots_timestamptz
SELECT kam.retention_agg(account_id, at, mrr, '2023-12-01', '2024-12-01') FROM bench_snapshots_tz;

-- voice of the customer over the survey answers
-- bench: floor_count_surveys
SELECT count(*) FROM crm.surveys;
-- the same rows summed: the answers kam.nps reads, with the same FILTER
-- bench: floor_sum_nps_answers
SELECT sum(score) FILTER (WHERE kind = 'nps') FROM crm.surveys;
-- bench: kam_nps
SELECT kam.nps(score) FILTER (WHERE kind = 'nps') FROM crm.surveys;
-- bench: plain_nps
SELECT 100.0 * (count(*) FILTER (WHERE kind = 'nps' AND score >= 9) - count(*) FILTER (WHERE kind = 'nps' AND score <= 6))
       / count(*) FILTER (WHERE kind = 'nps') FROM crm.surveys;

-- health grade of one score per account-month of usage
-- bench: floor_sum_usage
SELECT sum(active_users), sum(licensed_seats), sum(logins) FROM crm.usage;
-- the measures kam.health_score reads, summed: the two expressions of the queries below
-- bench: floor_sum_health_measures
SELECT sum(least(100, 100.0 * active_users / licensed_seats)), sum(least(100, logins::float8 / licensed_seats * 5)) FROM crm.usage;
-- bench: kam_health_grade
SELECT count(*) FILTER (WHERE g = 'A')
FROM (SELECT kam.health_grade(kam.health_score(ARRAY[least(100, 100.0 * active_users / licensed_seats), least(100, logins::float8 / licensed_seats * 5)],
                                               ARRAY[2, 1]::float8[])) AS g FROM crm.usage) x;
-- bench: plain_health_grade
SELECT count(*) FILTER (WHERE g = 'A')
FROM (SELECT CASE WHEN s <= 60 THEN 'F' WHEN s <= 70 THEN 'D' WHEN s <= 80 THEN 'C' WHEN s <= 90 THEN 'B' ELSE 'A' END AS g
      FROM (SELECT (2 * least(100, 100.0 * active_users / licensed_seats) + least(100, logins::float8 / licensed_seats * 5)) / 3 AS s
            FROM crm.usage) y) x;

-- lifetime: the RFM summary per account from invoices (weekly periods), against the same
-- summary in SQL (the invoices are subscription bills, so no BG/NBD fit here: that is
-- test/bench/bgnbd.sh's job)
-- bench: floor_count_invoices
SELECT count(*) FROM crm.invoices;
-- the same rows grouped per account, counted: what any per-account summary costs at least
-- bench: floor_group_invoices
SELECT count(*), sum(n) FROM (SELECT account_id, count(*) AS n FROM crm.invoices GROUP BY account_id) x;
-- the date and numeric columns as they are (kam.rfm(date, numeric, date, interval))
-- bench: kam_rfm
SELECT count(*), sum((r).frequency), sum((r).monetary)
FROM (SELECT kam.rfm(issued_on, amount, '2025-01-01', '7 days') AS r FROM crm.invoices GROUP BY account_id) x;
-- every account's summary at once, no GROUP BY (kam.rfm_accounts): the same summaries, read
-- as docs/ltv.md says, with unnest in the select list (a ProjectSet hands each row on)
-- bench: kam_rfm_accounts
SELECT count(*), sum((r).frequency), sum((r).monetary)
FROM (SELECT unnest(kam.rfm_accounts(account_id, issued_on, amount, '2025-01-01', '7 days')) AS r FROM crm.invoices) x;
-- and with unnest in FROM (a function scan: PostgreSQL stores every row in a tuplestore first)
-- bench: kam_rfm_accounts_from
SELECT count(*), sum(frequency), sum(monetary)
FROM unnest((SELECT kam.rfm_accounts(account_id, issued_on, amount, '2025-01-01', '7 days') FROM crm.invoices));
-- the columns it reads, scanned: the numeric amounts summed, the latest date and account
-- bench: floor_sum_invoices
SELECT count(*), sum(amount), max(issued_on), max(account_id) FROM crm.invoices;
-- a timestamptz column (the day in the session's time zone) and numeric amounts
-- bench: floor_count_invoices_tz
SELECT count(*) FROM bench_invoices_tz;
-- bench: kam_rfm_timestamptz
SELECT count(*), sum((r).frequency), sum((r).monetary)
FROM (SELECT kam.rfm(issued_at, amount, '2025-01-01', '7 days') AS r FROM bench_invoices_tz GROUP BY account_id) x;
-- bench: plain_rfm
WITH f AS (SELECT account_id, issued_on, amount, min(issued_on) OVER (PARTITION BY account_id) AS first FROM crm.invoices),
     per AS (SELECT account_id, (issued_on - first) / 7 AS p, sum(amount) AS amt FROM f GROUP BY 1, 2),
     a AS (SELECT account_id, count(*) - 1 AS frequency,
                  (sum(amt) - min(amt) FILTER (WHERE p = 0)) / nullif(count(*) - 1, 0) AS monetary
           FROM per GROUP BY 1)
SELECT count(*), sum(frequency), sum(coalesce(monetary, 0)) FROM a;
