-- kam demo: a key-account review over the sample CRM (12 months to 2024-12-01)
\pset footer off
\echo
-- MRR from the raw billing lines (crm.billing_lines: prices per month, quarter or year in
-- USD, EUR, GBP or AUD, trials, coupons, credit notes), one row per account and month start,
-- in the account's currency and in USD at that month's rate (crm.fx_rates)
CREATE TEMP TABLE demo_mrr AS
SELECT l.account_id, s.at AS month, l.currency, sum(s.mrr) AS mrr_local, r.usd_per_unit AS rate,
       round(sum(s.mrr) * r.usd_per_unit, 2) AS mrr
FROM crm.billing_lines l
     CROSS JOIN LATERAL kam.mrr_schedule(l.started, l.ended, l.unit_amount, l.billing_interval, l.interval_count,
                                         '2023-01-01', '2024-12-01', trial_end => l.trial_end,
                                         discount => CASE WHEN l.percent_off IS NOT NULL
                                                          THEN kam.discount(percent => l.percent_off, duration => l.coupon_duration,
                                                                            months => l.coupon_months) END) s
     JOIN crm.fx_rates r ON r.currency = l.currency AND r.day = s.at
GROUP BY l.account_id, s.at, l.currency, r.usd_per_unit
HAVING sum(s.mrr) > 0;

\echo '=== Company: revenue retention, 2023-12-01 -> 2024-12-01 (MRR from the billing lines, in USD) ==='
SELECT round(kam.nrr(r)::numeric, 3) AS nrr,
       round(kam.grr(r)::numeric, 3) AS grr,
       round(kam.logo_churn_rate(r)::numeric, 3) AS logo_churn,
       round(kam.customer_retention_rate(r)::numeric, 3) AS customer_retention,
       round(kam.quick_ratio(r)::numeric, 2) AS quick_ratio,
       round(m.starting_mrr::numeric, 2) AS starting_mrr,
       round(m.ending_mrr::numeric, 2) AS ending_mrr
FROM (SELECT kam.retention_agg(account_id, month, mrr, '2023-12-01', '2024-12-01') AS r
      FROM demo_mrr) x, kam.movements(x.r) m;

\echo '=== The same at constant currency: each account at its own start rate, exchange-rate moves apart as fx ==='
SELECT round(kam.nrr(r)::numeric, 3) AS nrr_constant_currency, round(kam.grr(r)::numeric, 3) AS grr_constant_currency,
       round(m.starting_mrr::numeric, 2) AS starting_mrr, round(m.new_mrr::numeric, 2) AS new,
       round(m.expansion_mrr::numeric, 2) AS expansion, round(m.contraction_mrr::numeric, 2) AS contraction,
       round(m.churned_mrr::numeric, 2) AS churned, round(m.fx_mrr::numeric, 2) AS fx,
       round(m.ending_mrr::numeric, 2) AS ending_mrr
FROM (SELECT kam.retention_agg(account_id, month, mrr_local, rate, '2023-12-01', '2024-12-01') AS r
      FROM demo_mrr) x, kam.movements(x.r) m;

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
      FROM demo_mrr s JOIN crm.accounts a USING (account_id)
      GROUP BY a.manager_id) x
JOIN crm.managers mg USING (manager_id), kam.movements(x.r) m
ORDER BY mg.team, nrr DESC NULLS LAST;

\echo '=== Per team, rolled up from the managers'' summaries ==='
SELECT team, round(kam.nrr(kam.rollup(r))::numeric, 3) AS nrr,
       round(kam.grr(kam.rollup(r))::numeric, 3) AS grr
FROM (SELECT mg.team, kam.retention_agg(s.account_id, s.month, s.mrr, '2023-12-01', '2024-12-01') AS r
      FROM demo_mrr s JOIN crm.accounts a USING (account_id) JOIN crm.managers mg USING (manager_id)
      GROUP BY mg.manager_id, mg.team) x
GROUP BY team ORDER BY team;

\echo '=== MRR waterfall (last 12 months, USD; movements at constant currency, exchange-rate moves as fx) ==='
SELECT w.period,
       round(w.starting_mrr::numeric, 0) AS starting,
       round(w.new_mrr::numeric, 0) AS new,
       round(w.reactivation_mrr::numeric, 0) AS reactivation,
       round(w.expansion_mrr::numeric, 0) AS expansion,
       -round(w.contraction_mrr::numeric, 0) AS contraction,
       -round(w.churned_mrr::numeric, 0) AS churned,
       round(w.fx_mrr::numeric, 0) AS fx,
       round(w.ending_mrr::numeric, 0) AS ending,
       w.ending_accounts AS accounts
FROM unnest((SELECT kam.mrr_waterfall(account_id, month, mrr_local, rate) FROM demo_mrr)) w
WHERE w.period > '2023-12-01'
ORDER BY w.period;

\echo '=== Cohorts: logo and revenue retention 3, 6 and 12 months after the first payment ==='
SELECT cohort, max(cohort_accounts) AS accounts,
       round(max(logo_retention) FILTER (WHERE period_number = 3)::numeric, 2) AS logo_3m,
       round(max(logo_retention) FILTER (WHERE period_number = 6)::numeric, 2) AS logo_6m,
       round(max(logo_retention) FILTER (WHERE period_number = 12)::numeric, 2) AS logo_12m,
       round(max(revenue_retention) FILTER (WHERE period_number = 12)::numeric, 2) AS revenue_12m
FROM unnest((SELECT kam.cohort_retention(account_id, month, mrr) FROM demo_mrr)) c
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
      FROM demo_mrr s JOIN crm.accounts a USING (account_id)
      GROUP BY a.segment) x
ORDER BY segment;

\echo '=== Customer lifetimes per segment (Kaplan-Meier, as of 2025-01-01; consecutive contracts with gaps up to 31 days are one lifetime: a renewal is not a death) ==='
SELECT a.segment,
       round(kam.survival_at(x.lifetimes, 180)::numeric, 3) AS alive_6_months,
       round(kam.survival_at(x.lifetimes, 365)::numeric, 3) AS alive_1_year,
       round(kam.survival_at(x.lifetimes, 730)::numeric, 3) AS alive_2_years,
       kam.median_lifetime(x.lifetimes) AS median_days,
       kam.median_lifetime(x.contracts) AS median_contract_days
FROM (SELECT a.segment, kam.survival_agg(s.account_id, s.valid_from, s.valid_to, '2025-01-01', 31) AS lifetimes,
             kam.survival_agg(s.valid_from, s.valid_to, '2025-01-01') AS contracts
      FROM crm.subscriptions s JOIN crm.accounts a USING (account_id) GROUP BY a.segment) x
JOIN (SELECT DISTINCT segment FROM crm.accounts) a USING (segment)
ORDER BY a.segment;

\echo '=== Manager portfolios: load against the capacity guidelines, retention, expansion, concentration ==='
WITH book AS (
    SELECT a.manager_id, count(*) AS accounts, sum(s.mrr) * 12 AS arr,
           kam.hhi(s.mrr) AS hhi, kam.top_share(s.mrr, 3) AS top3_share
    FROM crm.accounts a JOIN demo_mrr s ON s.account_id = a.account_id AND s.month = '2024-12-01'
    GROUP BY 1),
ret AS (
    SELECT a.manager_id, kam.retention_agg(s.account_id, s.month, s.mrr, '2023-12-01', '2024-12-01') AS r
    FROM demo_mrr s JOIN crm.accounts a USING (account_id) GROUP BY 1)
SELECT m.name AS manager, m.team, b.accounts, round(b.arr) AS arr,
       round(kam.nrr(r)::numeric, 3) AS nrr, round(kam.grr(r)::numeric, 3) AS grr,
       round(kam.expansion_rate(r)::numeric, 3) AS expansion_rate,
       kam.portfolio_load(b.accounts, CASE m.segment WHEN 'enterprise' THEN 'strategic'
                                                     WHEN 'mid-market' THEN 'mid_market' END) AS load,
       round(b.hhi::numeric, 3) AS hhi, round(b.top3_share::numeric, 3) AS top3_share
FROM crm.managers m JOIN book b USING (manager_id) JOIN ret USING (manager_id)
ORDER BY m.manager_id;

\echo '=== Win rate per manager with its 95 % Wilson interval; forecast accuracy of won deals ==='
SELECT manager_id, w.won, w.decided, round((w.ci).estimate::numeric, 3) AS win_rate,
       round((w.ci).lower::numeric, 3) AS lower_95, round((w.ci).upper::numeric, 3) AS upper_95,
       round((f.acc).mape::numeric, 3) AS mape, round((f.acc).wape::numeric, 3) AS wape, round((f.acc).bias::numeric, 3) AS bias
FROM (SELECT manager_id, count(*) FILTER (WHERE stage = 'won') AS won, count(*) FILTER (WHERE stage IN ('won', 'lost')) AS decided,
             kam.wilson_interval(count(*) FILTER (WHERE stage = 'won'), count(*) FILTER (WHERE stage IN ('won', 'lost'))) AS ci
      FROM crm.opportunities WHERE kind <> 'renewal' GROUP BY 1) w
JOIN (SELECT manager_id, kam.forecast_accuracy(forecast_amount, amount) AS acc
      FROM crm.opportunities WHERE stage = 'won' GROUP BY 1) f USING (manager_id)
ORDER BY manager_id;

\echo '=== Revenue concentration of the whole book (MRR, Dec 2024) ==='
SELECT round(kam.hhi(mrr)::numeric, 4) AS hhi, round(kam.equivalent_customers(mrr)::numeric, 1) AS equivalent_customers,
       round(kam.gini(mrr)::numeric, 3) AS gini, round(kam.top_share(mrr, 10)::numeric, 3) AS top10_share
FROM demo_mrr WHERE month = '2024-12-01';

\echo '=== Monday account review: the 12 least healthy key accounts ==='
WITH last12 AS (
    SELECT account_id, month, mrr FROM demo_mrr WHERE month > '2023-12-01'),
usage AS (
    SELECT account_id, avg(active_users::float8 / licensed_seats) AS adoption, avg(logins::float8 / licensed_seats) AS logins_per_seat
    FROM crm.usage WHERE month > '2024-06-01' GROUP BY 1),
billing AS (
    SELECT account_id, avg((status = 'overdue')::int)::float8 AS overdue_share FROM crm.invoices GROUP BY 1),
voice AS (
    SELECT account_id, kam.nps_agg(score) FILTER (WHERE kind = 'nps') AS nps,
           kam.csat(score) FILTER (WHERE kind = 'csat') AS csat
    FROM crm.surveys GROUP BY 1),
money AS (
    SELECT account_id,
           kam.sparkline(mrr ORDER BY month) AS mrr_12_months,
           kam.trend(month, mrr) AS mrr_trend,
           sum(mrr) FILTER (WHERE month = '2024-12-01') AS mrr_now
    FROM last12 GROUP BY 1),
retention AS (
    SELECT account_id, kam.nrr(coalesce(s.mrr, 0), coalesce(e.mrr, 0)) AS nrr
    FROM demo_mrr s FULL JOIN (SELECT * FROM demo_mrr WHERE month = '2024-12-01') e USING (account_id)
    WHERE s.month = '2023-12-01' GROUP BY 1),
health AS (
    SELECT a.account_id, a.name, a.segment,
           kam.health_score(ARRAY[u.adoption, u.logins_per_seat, kam.nps(v.nps), v.csat, b.overdue_share],
                            ARRAY[30, 15, 25, 15, 15],
                            ARRAY[0.2, 0, -100, 0, 0.3],      -- lows (overdue reversed: 0.3 is worst)
                            ARRAY[1, 20, 100, 1, 0]) AS score,
           v.nps, m.mrr_12_months, m.mrr_trend, m.mrr_now, r.nrr
    FROM crm.accounts a
    JOIN money m USING (account_id)
    LEFT JOIN usage u USING (account_id) LEFT JOIN billing b USING (account_id)
    LEFT JOIN voice v USING (account_id) LEFT JOIN retention r USING (account_id)
    WHERE a.segment = 'enterprise' AND m.mrr_now > 0)
SELECT name, round(score::numeric, 1) AS health, kam.health_grade(score) AS grade, kam.health_color(score) AS color,
       kam.direction(mrr_trend, 0.01 * mrr_now) AS trend, mrr_12_months,
       round(kam.nps(nps)) AS nps, round((kam.nps_interval(nps)).lower) || '..' || round((kam.nps_interval(nps)).upper) AS nps_95,
       kam.responses(nps) AS answers, round(mrr_now) AS mrr, round(nrr::numeric, 2) AS nrr
FROM health
ORDER BY score, mrr_now DESC
LIMIT 12;
