-- The KAM review as plain views over the sample CRM (test/crm/generate.sql), for Metabase
-- (docs/metabase.md) or any BI tool.  Run once: psql -f docs/examples/review-views.sql.
-- Adapt the table names to your CRM; every view is one query over kam functions.
-- The reporting month is the latest snapshot; the retention window its preceding 12 months.
CREATE SCHEMA IF NOT EXISTS review;

-- NRR, GRR, logo churn and expansion rate per account manager (bar chart by manager)
CREATE OR REPLACE VIEW review.nrr_by_manager AS
WITH w AS (SELECT max(month) AS to_month, (max(month) - interval '12 months')::date AS from_month FROM crm.mrr_snapshots),
r AS (
    SELECT a.manager_id, kam.retention_agg(s.account_id, s.month, s.mrr, w.from_month, w.to_month) AS r
    FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id), w
    GROUP BY a.manager_id)
SELECT m.name AS manager, m.team, (kam.movements(r.r)).starting_accounts AS accounts,
       kam.nrr(r.r) AS nrr, kam.grr(r.r) AS grr, kam.logo_churn_rate(r.r) AS logo_churn,
       kam.expansion_rate(r.r) AS expansion_rate
FROM r JOIN crm.managers m USING (manager_id);

-- the MRR waterfall, one row per month (line or combo chart on period)
CREATE OR REPLACE VIEW review.mrr_waterfall AS
SELECT w.period, w.starting_mrr, w.new_mrr, w.reactivation_mrr, w.expansion_mrr,
       -w.contraction_mrr AS contraction_mrr, -w.churned_mrr AS churned_mrr, w.ending_mrr,
       w.ending_mrr - w.starting_mrr AS net_new_mrr
FROM unnest((SELECT kam.mrr_waterfall(account_id, month, mrr) FROM crm.mrr_snapshots)) w;

-- the same movements in long form (stacked bar: x period, series movement, y mrr)
CREATE OR REPLACE VIEW review.mrr_movements AS
SELECT period, movement, mrr
FROM review.mrr_waterfall,
     LATERAL (VALUES ('new', new_mrr), ('reactivation', reactivation_mrr), ('expansion', expansion_mrr),
                     ('contraction', contraction_mrr), ('churned', churned_mrr)) v(movement, mrr);

-- cohort retention (pivot table with conditional formatting: rows cohort, columns months_since)
CREATE OR REPLACE VIEW review.cohort_heatmap AS
SELECT c.cohort, c.period_number AS months_since, c.cohort_accounts AS accounts,
       c.revenue_retention, c.logo_retention
FROM unnest((SELECT kam.cohort_retention(account_id, month, mrr) FROM crm.mrr_snapshots)) c;

-- account health: score, grade, colour, MRR trend, sparkline, NPS and its interval
CREATE OR REPLACE VIEW review.account_health AS
WITH last AS (SELECT max(month) AS m FROM crm.mrr_snapshots),
money AS (
    SELECT account_id, kam.sparkline(mrr ORDER BY month) AS mrr_12_months, array_agg(mrr::float8 ORDER BY month) AS mrr_series,
           kam.trend(month, mrr) AS t,
           sum(mrr) FILTER (WHERE month = (SELECT m FROM last)) AS mrr
    FROM crm.mrr_snapshots WHERE month > (SELECT m FROM last) - interval '12 months' GROUP BY 1),
usage AS (
    SELECT account_id, avg(active_users::float8 / licensed_seats) AS adoption
    FROM crm.usage WHERE month > (SELECT m FROM last) - interval '6 months' GROUP BY 1),
voice AS (
    SELECT account_id, kam.nps_agg(score) FILTER (WHERE kind = 'nps') AS nps,
           kam.csat(score) FILTER (WHERE kind = 'csat') AS csat
    FROM crm.surveys GROUP BY 1),
billing AS (SELECT account_id, avg((status = 'overdue')::int)::float8 AS overdue_share FROM crm.invoices GROUP BY 1),
scored AS (
    SELECT a.name AS account, m.name AS manager, a.segment,
           kam.health_score(ARRAY[u.adoption, kam.nps(v.nps), v.csat, b.overdue_share], ARRAY[40, 25, 20, 15],
                            ARRAY[0.2, -100, 0, 0.3], ARRAY[1, 100, 1, 0]) AS health,
           kam.direction(mo.t, 0.01 * mo.mrr) AS trend, mo.mrr_12_months, mo.mrr_series, kam.nps(v.nps) AS nps,
           (kam.nps_interval(v.nps)).lower AS nps_lower, (kam.nps_interval(v.nps)).upper AS nps_upper, mo.mrr
    FROM crm.accounts a JOIN crm.managers m USING (manager_id) JOIN money mo USING (account_id)
    LEFT JOIN usage u USING (account_id) LEFT JOIN voice v USING (account_id) LEFT JOIN billing b USING (account_id)
    WHERE mo.mrr > 0)
SELECT account, manager, segment, health, kam.health_grade(health) AS grade, kam.health_color(health) AS color,
       trend, mrr_12_months, nps, nps_lower, nps_upper, mrr, mrr_series
FROM scored WHERE health IS NOT NULL;

-- the key-account matrix (scatter: x strength, y attractiveness, size arr, series quadrant)
CREATE OR REPLACE VIEW review.key_account_matrix AS
WITH last AS (SELECT max(month) AS m FROM crm.mrr_snapshots),
measures AS (
    SELECT a.account_id, a.name AS account,
           coalesce(now.mrr, 0)::float8 * 12 AS arr,
           (now.mrr / nullif(before.mrr, 0) - 1)::float8 AS growth,
           (SELECT avg(active_users::float8 / licensed_seats) FROM crm.usage u
             WHERE u.account_id = a.account_id AND u.month > (SELECT m FROM last) - interval '6 months') AS adoption,
           (SELECT avg(score)::float8 FROM crm.surveys s WHERE s.account_id = a.account_id AND s.kind = 'csat') AS csat
    FROM crm.accounts a
    LEFT JOIN crm.mrr_snapshots now ON now.account_id = a.account_id AND now.month = (SELECT m FROM last)
    LEFT JOIN crm.mrr_snapshots before ON before.account_id = a.account_id
                                      AND before.month = (SELECT m FROM last) - interval '12 months'),
scored AS (
    SELECT account, arr,
           kam.score('policy=redistribute;"arr"=3[0,150000];"growth"=2[-0.3,0.5]', ARRAY[arr, growth]) AS attractiveness,
           kam.score('policy=redistribute;"adoption"=3[0.2,1];"csat"=2[1,5]', ARRAY[adoption, csat]) AS strength
    FROM measures WHERE arr > 0)
SELECT account, arr, attractiveness, strength,
       kam.kam_quadrant(attractiveness, coalesce(strength, 0)) AS quadrant,
       kam.key_account_class(arr, attractiveness) AS class,
       kam.abc_class(arr) OVER () AS abc
FROM scored;

-- renewals due (table, or bar chart of arr_at_stake by manager): the terms ending in the 90
-- days from the reporting day (the day after the last snapshot month), and those that ended
-- in the 30 days before it without a renewal (still in their grace), with the ARR at stake,
-- the account's health grade and its manager
CREATE OR REPLACE VIEW review.renewals_due AS
WITH asof AS (SELECT (max(month) + interval '1 month')::date AS d FROM crm.mrr_snapshots)
SELECT a.name AS account, m.name AS manager, a.segment, t.product, t.term_end,
       t.term_end - (SELECT d FROM asof) AS days_left,
       t.term_value::float8 AS arr_at_stake,
       CASE WHEN t.renewed_on IS NOT NULL THEN 'renewed'
            WHEN t.term_end < (SELECT d FROM asof) THEN 'in grace'
            ELSE 'open' END AS status,
       t.renewal_value::float8 AS renewal_value,
       h.health, h.grade, h.color
FROM crm.contract_terms t JOIN crm.accounts a USING (account_id) JOIN crm.managers m USING (manager_id)
LEFT JOIN review.account_health h ON h.account = a.name
WHERE (t.term_end >= (SELECT d FROM asof) AND t.term_end < (SELECT d FROM asof) + 90)
   OR (t.renewed_on IS NULL AND t.term_end >= (SELECT d FROM asof) - 30 AND t.term_end < (SELECT d FROM asof));

-- renewals per manager over the 12 months before the reporting day (bar chart by manager)
CREATE OR REPLACE VIEW review.renewals_by_manager AS
WITH asof AS (SELECT (max(month) + interval '1 month')::date AS d FROM crm.mrr_snapshots),
r AS (
    SELECT a.manager_id,
           kam.renewal_agg(t.term_end, t.renewed_on, t.term_value, t.renewal_value,
                           (SELECT d FROM asof) - 365, (SELECT d FROM asof), (SELECT d FROM asof)) AS r
    FROM crm.contract_terms t JOIN crm.accounts a USING (account_id)
    GROUP BY 1)
SELECT m.name AS manager, m.team, (kam.renewals(r.r)).due, (kam.renewals(r.r)).renewed, (kam.renewals(r.r)).lost,
       (kam.renewals(r.r)).pending, kam.renewal_rate(r.r) AS renewal_rate, kam.net_renewal_rate(r.r) AS net_renewal_rate,
       kam.gross_renewal_rate(r.r) AS gross_renewal_rate, kam.on_time_rate(r.r) AS on_time_rate
FROM r JOIN crm.managers m USING (manager_id);

-- the renewal forecast for the next 12 months (line chart: committed, expected, lower and upper
-- by month). The terms in force at the reporting day (started, not ended more than 30 days
-- before it) keep their MRR (term value / 12) to their end; then each renews with its segment's
-- renewal rate over the last 12 months (1 when the renewal is already signed).
CREATE OR REPLACE VIEW review.renewal_forecast AS
WITH asof AS (SELECT (max(month) + interval '1 month')::date AS d FROM crm.mrr_snapshots),
rate AS (
    SELECT a.segment,
           kam.renewal_rate(kam.renewal_agg(t.term_end, t.renewed_on, t.term_value, t.renewal_value,
                                            (SELECT d FROM asof) - 365, (SELECT d FROM asof), (SELECT d FROM asof))) AS p
    FROM crm.contract_terms t JOIN crm.accounts a USING (account_id)
    GROUP BY a.segment),
in_force AS (
    SELECT t.term_end, t.term_value / 12 AS mrr,
           CASE WHEN t.renewed_on IS NOT NULL AND t.renewed_on <= (SELECT d FROM asof) THEN 1
                ELSE coalesce(r.p, 0) END AS p
    FROM crm.contract_terms t JOIN crm.accounts a USING (account_id) LEFT JOIN rate r USING (segment)
    WHERE t.term_start <= (SELECT d FROM asof) AND t.term_end >= (SELECT d FROM asof) - 30)
SELECT (f).month, (f).committed, (f).renewals, (f).expected, (f).lower, (f).upper
FROM (SELECT unnest(kam.renewal_forecast(term_end, mrr, p, (SELECT d FROM asof), 12)) AS f FROM in_force) x;
