-- kam retention benchmark queries; run by test/bench/retention.sh.
-- Each query is tagged with "-- bench: <name>"; the runner times every one.
-- Tables: crm.mrr_snapshots (from crm.generate) and bench_pairs (one row per
-- snapshot: MRR now and 12 months later, as double precision).

-- bench: floor_sum_pairs
SELECT sum(start_mrr), sum(end_mrr) FROM bench_pairs;
-- bench: kam_nrr_pairs
SELECT kam.nrr(start_mrr, end_mrr) FROM bench_pairs;
-- bench: kam_retention_agg_pairs
SELECT kam.retention_agg(start_mrr, end_mrr) FROM bench_pairs;
-- bench: plain_nrr_grr_logo_pairs
SELECT sum(end_mrr) FILTER (WHERE start_mrr > 0) / sum(start_mrr) FILTER (WHERE start_mrr > 0) AS nrr,
       sum(least(start_mrr, end_mrr)) FILTER (WHERE start_mrr > 0) / sum(start_mrr) FILTER (WHERE start_mrr > 0) AS grr,
       count(*) FILTER (WHERE start_mrr > 0 AND end_mrr = 0)::float8 / count(*) FILTER (WHERE start_mrr > 0) AS logo_churn
FROM bench_pairs;

-- bench: floor_count_snapshots
SELECT count(*) FROM crm.mrr_snapshots;
-- bench: floor_sum_snapshots
SELECT sum(mrr) FROM crm.mrr_snapshots;
-- bench: kam_snapshots_all_rows
SELECT kam.retention_agg(account_id, month, mrr, '2023-12-01', '2024-12-01') FROM crm.mrr_snapshots;
-- bench: plain_movements_all_rows
WITH a AS (
    SELECT account_id,
           coalesce(sum(mrr) FILTER (WHERE month = '2023-12-01'), 0) AS s,
           coalesce(sum(mrr) FILTER (WHERE month = '2024-12-01'), 0) AS e,
           coalesce(bool_or(month < '2023-12-01' AND mrr > 0), false) AS before
    FROM crm.mrr_snapshots GROUP BY account_id)
SELECT sum(s) FILTER (WHERE s > 0), sum(e) FILTER (WHERE s = 0 AND e > 0 AND NOT before),
       sum(e) FILTER (WHERE s = 0 AND e > 0 AND before), sum(e - s) FILTER (WHERE s > 0 AND e > s),
       sum(s - e) FILTER (WHERE s > 0 AND e > 0 AND e < s), sum(s) FILTER (WHERE s > 0 AND e = 0),
       count(*) FILTER (WHERE s > 0), count(*) FILTER (WHERE s > 0 AND e = 0)
FROM a;
-- bench: kam_snapshots_two_dates
SELECT kam.nrr(r), kam.grr(r), kam.logo_churn_rate(r)
FROM (SELECT kam.retention_agg(account_id, month, mrr, '2023-12-01', '2024-12-01') AS r
      FROM crm.mrr_snapshots WHERE month IN ('2023-12-01', '2024-12-01')) x;
-- bench: plain_nrr_grr_logo_two_dates
WITH a AS (
    SELECT account_id,
           coalesce(sum(mrr) FILTER (WHERE month = '2023-12-01'), 0) AS s,
           coalesce(sum(mrr) FILTER (WHERE month = '2024-12-01'), 0) AS e
    FROM crm.mrr_snapshots WHERE month IN ('2023-12-01', '2024-12-01') GROUP BY account_id)
SELECT sum(e) FILTER (WHERE s > 0) / sum(s) FILTER (WHERE s > 0),
       sum(least(s, e)) FILTER (WHERE s > 0) / sum(s) FILTER (WHERE s > 0),
       count(*) FILTER (WHERE s > 0 AND e = 0)::float8 / count(*) FILTER (WHERE s > 0)
FROM a;
-- bench: kam_waterfall
SELECT cardinality(kam.mrr_waterfall(account_id, month, mrr)) FROM crm.mrr_snapshots;
-- bench: plain_waterfall
WITH months AS (SELECT DISTINCT month FROM crm.mrr_snapshots),
     grid AS (SELECT a.account_id, m.month, coalesce(s.mrr, 0) AS mrr
              FROM (SELECT DISTINCT account_id FROM crm.mrr_snapshots) a CROSS JOIN months m
              LEFT JOIN crm.mrr_snapshots s ON s.account_id = a.account_id AND s.month = m.month),
     seq AS (SELECT month, mrr, coalesce(lag(mrr) OVER w, 0) AS prev,
                    coalesce(max(mrr) OVER (PARTITION BY account_id ORDER BY month
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING), 0) > 0 AS before
             FROM grid WINDOW w AS (PARTITION BY account_id ORDER BY month))
SELECT count(*) FROM (
    SELECT month, sum(prev) FILTER (WHERE prev > 0), sum(mrr) FILTER (WHERE prev = 0 AND mrr > 0 AND NOT before),
           sum(mrr) FILTER (WHERE prev = 0 AND mrr > 0 AND before), sum(mrr - prev) FILTER (WHERE prev > 0 AND mrr > prev),
           sum(prev - mrr) FILTER (WHERE prev > 0 AND mrr > 0 AND mrr < prev), sum(prev) FILTER (WHERE prev > 0 AND mrr = 0)
    FROM seq GROUP BY month) x;
-- bench: floor_sum_fx
SELECT sum(mrr * rate) FROM fx_snapshots;
-- bench: kam_waterfall_fx
SELECT cardinality(kam.mrr_waterfall(account_id, month, mrr, rate)) FROM fx_snapshots;
-- bench: plain_waterfall_fx
SELECT count(*) FROM (
WITH months AS (SELECT DISTINCT month FROM fx_snapshots),
     grid AS (SELECT a.account_id, m.month, coalesce(s.mrr::float8, 0) AS local, coalesce(s.mrr::float8 * s.rate, 0) AS mrr
              FROM (SELECT DISTINCT account_id FROM fx_snapshots) a CROSS JOIN months m
              LEFT JOIN fx_snapshots s ON s.account_id = a.account_id AND s.month = m.month),
     seq AS (SELECT month, mrr, local, coalesce(lag(mrr) OVER w, 0) AS prev, coalesce(lag(local) OVER w, 0) AS prev_local,
                    coalesce(max(mrr) OVER (PARTITION BY account_id ORDER BY month
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING), 0) > 0 AS before
             FROM grid WINDOW w AS (PARTITION BY account_id ORDER BY month)),
     c AS (SELECT *, CASE WHEN prev > 0 AND mrr > 0 THEN prev * (local / prev_local) END AS cc FROM seq)
SELECT month, sum(prev) FILTER (WHERE prev > 0) AS starting, sum(mrr) FILTER (WHERE prev = 0 AND mrr > 0 AND NOT before) AS new,
       sum(mrr) FILTER (WHERE prev = 0 AND mrr > 0 AND before) AS react, sum(cc - prev) FILTER (WHERE cc > prev) AS expansion,
       sum(prev - cc) FILTER (WHERE cc < prev) AS contraction, sum(prev) FILTER (WHERE prev > 0 AND mrr = 0) AS churned,
       sum(mrr - cc) AS fx
FROM c GROUP BY month) x;
