-- NRR, GRR and logo churn per account manager over the 12 months to the latest snapshot
-- (the view review.nrr_by_manager of docs/examples/review-views.sql)
SELECT manager, team, accounts, nrr, grr, logo_churn FROM review.nrr_by_manager ORDER BY team, manager
