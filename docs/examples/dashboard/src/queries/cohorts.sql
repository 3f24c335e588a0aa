-- Revenue and logo retention of each monthly cohort by months since its first month (review.cohort_heatmap)
SELECT cohort, months_since, accounts, revenue_retention, logo_retention FROM review.cohort_heatmap ORDER BY cohort, months_since
