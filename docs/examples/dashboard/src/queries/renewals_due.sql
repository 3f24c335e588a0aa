-- Renewals due: terms ending in the 90 days from the reporting day and those in their 30-day
-- grace without a renewal (review.renewals_due)
SELECT account, manager, product, term_end, days_left, arr_at_stake, status, grade
FROM review.renewals_due ORDER BY term_end, account, product
