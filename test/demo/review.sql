-- kam demo: a key-account review over the sample CRM (12 months to 2024-12-01)
\pset footer off
\echo
\echo '=== Company: revenue retention, 2023-12-01 -> 2024-12-01 ==='
SELECT round(kam.nrr(r)::numeric, 3) AS nrr,
       round(kam.grr(r)::numeric, 3) AS grr,
       round(kam.logo_churn_rate(r)::numeric, 3) AS logo_churn,
       round(kam.customer_retention_rate(r)::numeric, 3) AS customer_retention,
       round(kam.quick_ratio(r)::numeric, 2) AS quick_ratio,
       round(m.starting_mrr::numeric, 2) AS starting_mrr,
       round(m.ending_mrr::numeric, 2) AS ending_mrr
FROM (SELECT kam.retention_agg(account_id, month, mrr, '2023-12-01', '2024-12-01') AS r
      FROM crm.mrr_snapshots) x, kam.movements(x.r) m;

\echo '=== Per account manager (12 months) ==='
SELECT mg.name AS manager, mg.team,
       m.starting_accounts AS accounts,
       round(m.starting_mrr::numeric, 0) AS starting_mrr,
       round(kam.nrr(r)::numeric, 3) AS nrr,
       round(kam.grr(r)::numeric, 3) AS grr,
       round(kam.logo_churn_rate(r)::numeric, 3) AS logo_churn,
       m.expanded_accounts AS expanded
FROM (SELECT a.manager_id,
             kam.retention_agg(s.account_id, s.month, s.mrr, '2023-12-01', '2024-12-01') AS r
      FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id)
      GROUP BY a.manager_id) x
JOIN crm.managers mg USING (manager_id), kam.movements(x.r) m
ORDER BY mg.team, nrr DESC NULLS LAST;

\echo '=== Per team, rolled up from the managers'' summaries ==='
SELECT team, round(kam.nrr(kam.rollup(r))::numeric, 3) AS nrr,
       round(kam.grr(kam.rollup(r))::numeric, 3) AS grr
FROM (SELECT mg.team, kam.retention_agg(s.account_id, s.month, s.mrr, '2023-12-01', '2024-12-01') AS r
      FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id) JOIN crm.managers mg USING (manager_id)
      GROUP BY mg.manager_id, mg.team) x
GROUP BY team ORDER BY team;

\echo '=== MRR waterfall (last 12 months) ==='
SELECT w.period,
       round(w.starting_mrr::numeric, 0) AS starting,
       round(w.new_mrr::numeric, 0) AS new,
       round(w.reactivation_mrr::numeric, 0) AS reactivation,
       round(w.expansion_mrr::numeric, 0) AS expansion,
       -round(w.contraction_mrr::numeric, 0) AS contraction,
       -round(w.churned_mrr::numeric, 0) AS churned,
       round(w.ending_mrr::numeric, 0) AS ending,
       w.ending_accounts AS accounts
FROM unnest((SELECT kam.mrr_waterfall(account_id, month, mrr) FROM crm.mrr_snapshots)) w
WHERE w.period > '2023-12-01'
ORDER BY w.period;

\echo '=== Cohorts: logo and revenue retention 3, 6 and 12 months after the first payment ==='
SELECT cohort, max(cohort_accounts) AS accounts,
       round(max(logo_retention) FILTER (WHERE period_number = 3)::numeric, 2) AS logo_3m,
       round(max(logo_retention) FILTER (WHERE period_number = 6)::numeric, 2) AS logo_6m,
       round(max(logo_retention) FILTER (WHERE period_number = 12)::numeric, 2) AS logo_12m,
       round(max(revenue_retention) FILTER (WHERE period_number = 12)::numeric, 2) AS revenue_12m
FROM unnest((SELECT kam.cohort_retention(account_id, month, mrr) FROM crm.mrr_snapshots)) c
WHERE extract(month FROM cohort) IN (1, 4, 7, 10)
GROUP BY cohort ORDER BY cohort;

\echo '=== Lifetime value per segment (Dec 2024 ARPA, 80 % margin, monthly churn from 12-month logo churn) ==='
SELECT segment, round(arpa, 0) AS arpa, round(monthly_churn::numeric, 4) AS monthly_churn,
       round(kam.ltv(arpa, 0.8, monthly_churn)::numeric, 0) AS ltv,
       round(kam.ltv(arpa, 0.8, monthly_churn, 0.01)::numeric, 0) AS ltv_discounted_1pct,
       round(kam.cac_payback(arpa * 6, arpa, 0.8)::numeric, 1) AS payback_months_if_cac_is_6x_arpa
FROM (SELECT a.segment,
             avg(s.mrr) FILTER (WHERE s.month = '2024-12-01') AS arpa,
             1 - power(1 - kam.logo_churn_rate(kam.retention_agg(s.account_id, s.month, s.mrr, '2023-12-01', '2024-12-01')),
                       1.0 / 12) AS monthly_churn
      FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id)
      GROUP BY a.segment) x
ORDER BY segment;

\echo '=== Subscription survival per segment (Kaplan-Meier, as of 2025-01-01) ==='
SELECT a.segment,
       round(kam.survival_at(kam.survival_agg(s.valid_from, s.valid_to, '2025-01-01'), 180)::numeric, 3) AS alive_6_months,
       round(kam.survival_at(kam.survival_agg(s.valid_from, s.valid_to, '2025-01-01'), 365)::numeric, 3) AS alive_1_year,
       kam.median_lifetime(kam.survival_agg(s.valid_from, s.valid_to, '2025-01-01')) AS median_days
FROM crm.subscriptions s JOIN crm.accounts a USING (account_id)
GROUP BY a.segment ORDER BY a.segment;
