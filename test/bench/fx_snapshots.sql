-- several currencies: a rate per account's currency and month (reporting units per unit),
-- stored as if the user had joined the rates table (the join costs both sides the same)
CREATE TABLE fx_snapshots AS
SELECT account_id, month, mrr,
       CASE account_id % 3 WHEN 0 THEN 1.0 WHEN 1 THEN 1.05 + 0.01 * extract(month FROM month)
                           ELSE 1.30 - 0.005 * extract(month FROM month) END::float8 AS rate
FROM crm.mrr_snapshots;
VACUUM ANALYZE fx_snapshots;
