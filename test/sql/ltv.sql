-- Formula LTV and CAC payback (docs/ltv.md)
-- by hand: 100 * 0.8 / 0.02 = 4000
SELECT kam.ltv(100, 0.8, 0.02);
-- discounted: m = 80, r = 0.98: 80 * 0.98 / (1 + 0.01 - 0.98) = 78.4 / 0.03 = 2613.33
SELECT round(kam.ltv(100, 0.8, 0.02, 0.01)::numeric, 2) AS discounted,
       abs(kam.ltv(100, 0.8, 0.02, 0.01) - 78.4 / 0.03) < 1e-9 AS matches_formula;
-- no discount: m * r / churn, i.e. the simple formula less one period's margin
SELECT kam.ltv(100, 0.8, 0.02, 0) AS undiscounted, kam.ltv(100, 0.8, 0.02) - 80 AS simple_less_one_period;
-- 1200 / (100 * 0.8) = 15 periods
SELECT kam.cac_payback(1200, 100, 0.8);
-- boundaries
SELECT kam.ltv(100, 0.8, 1) AS churn_all, kam.ltv(100, 0.8, 1, 0.1) AS discounted_churn_all,
       kam.ltv(100, 0, 0.05) AS no_margin, kam.ltv(0, 0.8, 0.05) AS no_revenue,
       kam.ltv(100, 1, 0.05) AS full_margin, kam.cac_payback(0, 100, 0.8) AS free_acquisition;
-- zero denominators give NULL
SELECT kam.ltv(100, 0.8, 0) IS NULL AS no_churn, kam.ltv(100, 0.8, 0, 0) IS NULL AS no_churn_no_discount,
       kam.ltv(100, 0.8, 0, 0.01) AS no_churn_discounted,
       kam.cac_payback(1200, 0, 0.8) IS NULL AS no_arpa, kam.cac_payback(1200, 100, 0) IS NULL AS no_margin;
-- NULL in, NULL out (STRICT)
SELECT kam.ltv(NULL, 0.8, 0.02) IS NULL AS a, kam.ltv(100, NULL, 0.02) IS NULL AS b,
       kam.ltv(100, 0.8, NULL) IS NULL AS c, kam.ltv(100, 0.8, 0.02, NULL) IS NULL AS d,
       kam.cac_payback(NULL, 100, 0.8) IS NULL AS e;
-- per segment from the sample CRM: ARPA in May 2024 and the logo churn of May -> June
SELECT a.segment,
       round(avg(s.mrr) FILTER (WHERE s.month = '2024-05-01'), 2) AS arpa,
       round(kam.logo_churn_rate(kam.retention_agg(s.account_id, s.month, s.mrr, '2024-05-01', '2024-06-01'))::numeric, 4) AS churn,
       round(kam.ltv(avg(s.mrr) FILTER (WHERE s.month = '2024-05-01'), 0.8,
                     kam.logo_churn_rate(kam.retention_agg(s.account_id, s.month, s.mrr, '2024-05-01', '2024-06-01')))::numeric, 0) AS ltv
FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id)
WHERE s.month <= '2024-06-01'
GROUP BY a.segment ORDER BY a.segment;
-- errors
SELECT test_error($q$SELECT kam.ltv(-1, 0.8, 0.02)$q$);
SELECT test_error($q$SELECT kam.ltv('NaN', 0.8, 0.02)$q$);
SELECT test_error($q$SELECT kam.ltv('Infinity', 0.8, 0.02)$q$);
SELECT test_error($q$SELECT kam.ltv(100, 1.2, 0.02)$q$);
SELECT test_error($q$SELECT kam.ltv(100, -0.1, 0.02)$q$);
SELECT test_error($q$SELECT kam.ltv(100, 'NaN', 0.02)$q$);
SELECT test_error($q$SELECT kam.ltv(100, 0.8, 1.5)$q$);
SELECT test_error($q$SELECT kam.ltv(100, 0.8, -0.02)$q$);
SELECT test_error($q$SELECT kam.ltv(100, 0.8, 'Infinity')$q$);
SELECT test_error($q$SELECT kam.ltv(100, 0.8, 0.02, -0.5)$q$);
SELECT test_error($q$SELECT kam.ltv(100, 0.8, 0.02, 'NaN')$q$);
SELECT test_error($q$SELECT kam.ltv(100, 0.8, 0.02, 'Infinity')$q$);
SELECT test_error($q$SELECT kam.cac_payback(-5, 100, 0.8)$q$);
SELECT test_error($q$SELECT kam.cac_payback(5, '-Infinity', 0.8)$q$);
SELECT test_error($q$SELECT kam.cac_payback(5, 100, 2)$q$);
