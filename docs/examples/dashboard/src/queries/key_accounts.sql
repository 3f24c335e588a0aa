-- The key-account matrix: attractiveness against strength, quadrant, class and ABC class by ARR
-- (review.key_account_matrix)
SELECT account, arr, attractiveness, coalesce(strength, 0) AS strength, quadrant, class, abc
FROM review.key_account_matrix ORDER BY arr DESC, account
