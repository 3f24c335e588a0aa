-- Company NRR, GRR and logo churn over the trailing 12 months, at each month of the sample CRM
-- (the first 12 months have no full window before them)
WITH months AS (
    SELECT m::date AS to_month
    FROM generate_series((SELECT min(month) + interval '12 months' FROM crm.mrr_snapshots),
                         (SELECT max(month) FROM crm.mrr_snapshots), interval '1 month') m)
SELECT to_month AS month, kam.nrr(r) AS nrr, kam.grr(r) AS grr, kam.logo_churn_rate(r) AS logo_churn,
       (kam.movements(r)).starting_accounts AS accounts
FROM months,
     LATERAL (SELECT kam.retention_agg(account_id, month, mrr, (to_month - interval '12 months')::date, to_month) AS r
              FROM crm.mrr_snapshots WHERE month IN ((to_month - interval '12 months')::date, to_month)) x
ORDER BY month
