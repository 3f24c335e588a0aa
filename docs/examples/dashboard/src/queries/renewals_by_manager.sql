-- Renewals per manager over the 12 months before the reporting day (review.renewals_by_manager)
SELECT manager, team, due, renewed, renewal_rate, net_renewal_rate FROM review.renewals_by_manager ORDER BY team, manager
