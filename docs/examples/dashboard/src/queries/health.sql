-- Account health: score, grade and colour, direction, the MRR of the last 12 months (for a
-- sparkline), NPS (review.account_health)
SELECT account, manager, health, grade, color, trend, mrr_series AS mrr_12_months, nps, mrr
FROM review.account_health ORDER BY mrr DESC, account
