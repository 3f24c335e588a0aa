-- The MRR waterfall, one row per month: movements and the MRR at each end (review.mrr_waterfall)
SELECT period, starting_mrr, new_mrr, reactivation_mrr, expansion_mrr, contraction_mrr, churned_mrr, ending_mrr
FROM review.mrr_waterfall ORDER BY period
