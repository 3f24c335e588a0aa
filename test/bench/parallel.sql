-- Every kam aggregate over the sample CRM, timed serially and with 2 parallel
-- workers forced (test/bench/parallel.sh).  Helper tables: test/bench/parallel-queries.sh.
-- The floors are not written here: the runner times `SELECT count(*)` of every table the
-- queries read (floor_<table>), whose speed-up with workers is what the machine allows any
-- aggregate over that table.
-- bench: retention_agg_pairs
SELECT kam.retention_agg(start_mrr, end_mrr)::text FROM bench_pairs;
-- bench: nrr
SELECT kam.nrr(start_mrr, end_mrr) FROM bench_pairs;
-- bench: grr
SELECT kam.grr(start_mrr, end_mrr) FROM bench_pairs;
-- bench: logo_churn_rate
SELECT kam.logo_churn_rate(start_mrr, end_mrr) FROM bench_pairs;
-- bench: forecast_accuracy
SELECT (kam.forecast_accuracy(start_mrr + 1, end_mrr + 1)).mape FROM bench_pairs;
-- bench: rollup
SELECT kam.rollup(r)::text FROM bench_summaries;
-- bench: retention_agg_snapshots
SELECT kam.retention_agg(account_id, month, mrr, '2023-12-01', '2024-12-01')::text FROM crm.mrr_snapshots;
-- bench: mrr_waterfall
SELECT cardinality(kam.mrr_waterfall(account_id, month, mrr)) FROM crm.mrr_snapshots;
-- bench: cohort_retention
SELECT cardinality(kam.cohort_retention(account_id, month, mrr)) FROM crm.mrr_snapshots;
-- the same snapshots keyed by text ids ('ACME-00012345'): workers send their accounts in the
-- order of their keys' hash, as integer ids in key order
-- bench: retention_agg_snapshots_text
SELECT kam.retention_agg(account_id, month, mrr, '2023-12-01', '2024-12-01')::text FROM bench_snapshots_text;
-- bench: mrr_waterfall_text
SELECT cardinality(kam.mrr_waterfall(account_id, month, mrr)) FROM bench_snapshots_text;
-- bench: hhi
SELECT kam.hhi(mrr) FROM crm.mrr_snapshots;
-- bench: equivalent_customers
SELECT kam.equivalent_customers(mrr) FROM crm.mrr_snapshots;
-- bench: gini
SELECT kam.gini(mrr) FROM crm.mrr_snapshots;
-- bench: top_share
SELECT kam.top_share(mrr, 100) FROM crm.mrr_snapshots;
-- bench: nps
SELECT kam.nps(score) FROM crm.surveys;
-- bench: nps_agg
SELECT kam.nps_agg(score)::text FROM crm.surveys;
-- bench: csat
SELECT kam.csat(least(5, 1 + score / 2)) FROM crm.surveys;
-- bench: csat_agg
SELECT kam.csat_agg(least(5, 1 + score / 2))::text FROM crm.surveys;
-- bench: ces
SELECT kam.ces(least(7, 1 + score * 2 / 3)) FROM crm.surveys;
-- bench: ces_agg
SELECT kam.ces_agg(least(7, 1 + score * 2 / 3))::text FROM crm.surveys;
-- bench: trend
SELECT kam.slope(kam.trend(month::timestamptz, active_users::float8)) FROM crm.usage;
-- bench: weighted_mean
SELECT kam.weighted_mean(active_users::float8 / licensed_seats, licensed_seats) FROM crm.usage;
-- bench: band_shares
SELECT cardinality(kam.band_shares(100.0 * active_users / licensed_seats, 'F:60,D:70,C:80,B:90,A:100')) FROM crm.usage;
-- bench: sparkline
SELECT count(r) FROM (SELECT kam.sparkline(active_users::float8) AS r FROM crm.usage GROUP BY account_id) x;
-- bench: scorecard_agg
SELECT count(r) FROM (SELECT kam.scorecard_agg(criterion, weight, 0, 100) AS r FROM bench_criteria GROUP BY card) x;
-- bench: survival_agg
SELECT kam.median_lifetime(kam.survival_agg(valid_from, valid_to, '2025-01-01')) FROM crm.subscriptions;
-- bench: survival_agg_accounts
SELECT kam.median_lifetime(kam.survival_agg(account_id, valid_from, valid_to, '2025-01-01', 0)) FROM bench_subscriptions;
-- bench: renewal_agg
SELECT kam.renewal_agg(term_end, renewed_on, term_value, renewal_value, '2023-01-01', '2025-01-01', '2025-01-01')::text FROM bench_terms;
-- bench: renewal_forecast
SELECT cardinality(kam.renewal_forecast(term_end, term_value / 12, 0.8, '2024-01-01', 12)) FROM bench_terms;
-- bench: touch_gaps
SELECT count(r) FROM (SELECT kam.touch_gaps(at::date, '2024-01-01', '2024-07-01') AS r FROM crm.activities GROUP BY account_id) x;
-- bench: cadence_met
SELECT count(r) FROM (SELECT kam.cadence_met(at::date, '2024-01-01', '2024-07-01', '1 month') AS r FROM crm.activities GROUP BY account_id) x;
-- bench: rfm
SELECT count(r) FROM (SELECT kam.rfm(issued_on, amount, '2025-01-01', '1 day') AS r FROM crm.invoices GROUP BY account_id) x;
-- bench: rfm_accounts
SELECT cardinality(kam.rfm_accounts(account_id, issued_on, amount, '2025-01-01', '1 day')) FROM crm.invoices;
-- bench: rfm_holdout
SELECT count(r) FROM (SELECT kam.rfm_holdout(issued_on::timestamptz, amount, '2024-07-01', '2025-01-01', '1 day') AS r FROM crm.invoices GROUP BY account_id) x;
-- bench: bgnbd_fit
SELECT kam.bgnbd_fit(x, t_x, t)::text FROM bench_rfm;
-- bench: bgnbd_fit_se
SELECT kam.bgnbd_fit_se(x, t_x, t)::text FROM bench_rfm;
-- bench: mbgnbd_fit
SELECT kam.mbgnbd_fit(x, t_x, t)::text FROM bench_rfm;
-- bench: paretonbd_fit
SELECT kam.paretonbd_fit(x, t_x, t)::text FROM bench_rfm;
-- bench: gammagamma_fit
SELECT kam.gammagamma_fit(x, monetary)::text FROM bench_rfm;
-- bench: gammagamma_fit_se
SELECT kam.gammagamma_fit_se(x, monetary)::text FROM bench_rfm;
-- bench: bgbb_fit
SELECT kam.bgbb_fit(x, t_x, n)::text FROM bench_bgbb;
-- bench: sbg_fit
SELECT kam.sbg_fit(periods, churned)::text FROM bench_lifetimes;
-- bench: bdw_fit
SELECT kam.bdw_fit(periods, churned)::text FROM bench_lifetimes;
