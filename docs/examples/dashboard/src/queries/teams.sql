-- NRR and GRR per team over the same window (a team's accounts together, not the mean of its managers)
WITH w AS (SELECT max(month) AS to_month, (max(month) - interval '12 months')::date AS from_month FROM crm.mrr_snapshots)
SELECT m.team, kam.nrr(kam.retention_agg(s.account_id, s.month, s.mrr, w.from_month, w.to_month)) AS nrr,
       kam.grr(kam.retention_agg(s.account_id, s.month, s.mrr, w.from_month, w.to_month)) AS grr
FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id) JOIN crm.managers m USING (manager_id), w
GROUP BY m.team
ORDER BY m.team
