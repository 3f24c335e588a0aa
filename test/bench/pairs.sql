-- bench_pairs: each account's MRR and its MRR 12 months later (0 when gone), the input of
-- the pair forms (kam.nrr(start, end), kam.retention_agg(start, end)); shared by the bench
-- runners (run-queries.sh, all-queries.sh, parallel-queries.sh)
CREATE TABLE bench_pairs AS
SELECT account_id, mrr::float8 AS start_mrr,
       coalesce(lead(mrr, 12) OVER (PARTITION BY account_id ORDER BY month), 0)::float8 AS end_mrr
FROM crm.mrr_snapshots;
