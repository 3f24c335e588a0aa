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

\echo '=== Renewals per manager: annual terms that ended in 2024, as of 2025-01-01 (30 days of grace) ==='
SELECT m.name AS manager, m.team, (kam.renewals(r)).due, (kam.renewals(r)).renewed, (kam.renewals(r)).late,
       (kam.renewals(r)).lost, round(kam.renewal_rate(r)::numeric, 3) AS renewal_rate,
       round(kam.gross_renewal_rate(r)::numeric, 3) AS gross_renewal, round(kam.net_renewal_rate(r)::numeric, 3) AS net_renewal,
       round(kam.on_time_rate(r)::numeric, 3) AS on_time
FROM (SELECT a.manager_id,
             kam.renewal_agg(t.term_end, t.renewed_on, t.term_value, t.renewal_value, '2024-01-01', '2025-01-01', '2025-01-01') AS r
      FROM crm.contract_terms t JOIN crm.accounts a USING (account_id) GROUP BY 1) x
JOIN crm.managers m USING (manager_id)
ORDER BY m.team, renewal_rate;

\echo '=== Renewals due in the next 90 days (from 2025-01-01), largest ARR at stake first ==='
SELECT a.name AS account, m.name AS manager, t.product, t.term_end, t.term_value AS arr_at_stake,
       CASE WHEN t.renewed_on IS NOT NULL THEN 'renewed ' || t.renewed_on ELSE 'open' END AS status
FROM crm.contract_terms t JOIN crm.accounts a USING (account_id) JOIN crm.managers m USING (manager_id)
WHERE t.term_end >= '2025-01-01' AND t.term_end < date '2025-01-01' + 90
ORDER BY t.renewed_on IS NOT NULL, t.term_value DESC
LIMIT 10;

\echo '=== Engagement in 2024 per manager: QBR in every quarter, touches, longest gap between touches (key accounts and mid-market active in Dec 2024) ==='
SELECT m.name AS manager, m.team, count(*) AS accounts,
       round(avg(c.qbr_met::int), 2) AS qbr_coverage,
       round(avg((c.g).touches_per_30_days)::numeric, 1) AS touches_per_30_days,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY (c.g).longest_gap) AS median_longest_gap_days,
       max((c.g).days_since_last) AS most_days_since_last_touch
FROM (SELECT a.account_id, a.manager_id,
             kam.cadence_met(CASE WHEN t.kind = 'qbr' THEN t.at END, '2024-01-01', '2025-01-01', '3 months') AS qbr_met,
             kam.touch_gaps(t.at, '2024-01-01', '2025-01-01') AS g
      FROM crm.accounts a LEFT JOIN crm.activities t USING (account_id)
      WHERE a.segment <> 'smb' AND EXISTS (SELECT 1 FROM demo_mrr d WHERE d.account_id = a.account_id AND d.month = '2024-12-01')
      GROUP BY a.account_id, a.manager_id) c
JOIN crm.managers m USING (manager_id)
GROUP BY m.name, m.team ORDER BY m.team, qbr_coverage DESC;

\echo '=== Key-account groups (Dec 2024): entities rolled up to their group through kam.account_tree ==='
WITH tree AS (
    SELECT * FROM kam.account_tree('SELECT child_id AS child, parent_id AS parent, valid_from, valid_to FROM crm.account_links', '2024-12-01')),
grp AS (
    SELECT coalesce(t.root, d.account_id) AS group_id, d.account_id, d.month, d.mrr
    FROM demo_mrr d LEFT JOIN tree t ON t.account = d.account_id)
SELECT a.name AS group_head, count(DISTINCT g.account_id) FILTER (WHERE g.month = '2024-12-01') AS entities,
       round(sum(g.mrr) FILTER (WHERE g.month = '2024-12-01') * 12) AS arr,
       round(kam.nrr(kam.retention_agg(g.group_id, g.month, g.mrr, '2023-12-01', '2024-12-01'))::numeric, 3) AS group_nrr,
       (SELECT string_agg(DISTINCT mg.name, ', ') FROM crm.accounts x JOIN crm.managers mg USING (manager_id)
         WHERE x.account_id IN (SELECT account FROM tree WHERE root = g.group_id)) AS managers
FROM grp g JOIN crm.accounts a ON a.account_id = g.group_id
WHERE g.group_id IN (SELECT root FROM tree WHERE depth > 0)
GROUP BY a.name, g.group_id
ORDER BY arr DESC NULLS LAST
LIMIT 8;

\echo '=== Company NRR per entity and per group: MRR moving between entities of a group is not churn ==='
SELECT round(kam.nrr(kam.retention_agg(d.account_id, d.month, d.mrr, '2023-12-01', '2024-12-01'))::numeric, 4) AS nrr_per_entity,
       round(kam.nrr(kam.retention_agg(coalesce(t.root, d.account_id), d.month, d.mrr, '2023-12-01', '2024-12-01'))::numeric, 4) AS nrr_per_group
FROM demo_mrr d
LEFT JOIN kam.account_tree('SELECT child_id AS child, parent_id AS parent, valid_from, valid_to FROM crm.account_links', '2024-12-01') t
       ON t.account = d.account_id;
