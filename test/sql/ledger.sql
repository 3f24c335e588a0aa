-- From billing lines to MRR (docs/ledger.md): kam.monthly_amount, kam.discount,
-- kam.mrr_schedule, against hand-worked values and a plain-SQL reference.

-- monthly amounts, exact: multiply before dividing
SELECT kam.monthly_amount(1200, 'year') AS annual_1200,
       kam.monthly_amount(12, 'week') AS weekly_12,
       kam.monthly_amount(99.99, 'quarter', 3) AS per_3_quarters,
       kam.monthly_amount(300, 'quarter') AS quarterly_300,
       kam.monthly_amount(10, 'day') AS daily_10,
       kam.monthly_amount(100, 'Month') AS unit_case_ignored,
       kam.monthly_amount(-50, 'month') AS credit,
       kam.monthly_amount(NULL, 'month') AS null_amount;
SELECT test_error($q$SELECT kam.monthly_amount(10, 'fortnight')$q$);
SELECT test_error($q$SELECT kam.monthly_amount(10, 'month', 0)$q$);
SELECT test_error($q$SELECT kam.monthly_amount('NaN', 'month')$q$);

-- discounts
SELECT kam.discount(percent => 20) AS forever_20,
       kam.discount(amount => 10, duration => 'repeating', months => 3) AS repeating,
       kam.discount(percent => 100, duration => 'once') AS once_free;
SELECT test_error($q$SELECT kam.discount(percent => 20, amount => 5)$q$);
SELECT test_error($q$SELECT kam.discount()$q$);
SELECT test_error($q$SELECT kam.discount(percent => 120)$q$);
SELECT test_error($q$SELECT kam.discount(percent => -1)$q$);
SELECT test_error($q$SELECT kam.discount(amount => -1)$q$);
SELECT test_error($q$SELECT kam.discount(percent => 10, duration => 'weekly')$q$);
SELECT test_error($q$SELECT kam.discount(percent => 10, duration => 'repeating')$q$);
SELECT test_error($q$SELECT kam.discount(percent => 10, months => 3)$q$);
SELECT test_error($q$SELECT kam.discount(percent => 10, duration => 'repeating', months => 0)$q$);
SELECT test_error($q$SELECT kam.discount(percent => 'NaN')$q$);

-- an annual plan from the 15th: which months count under each anchor
SELECT anchor, count(*) AS months, min(at) AS first, max(at) AS last, sum(mrr) AS total
FROM unnest(ARRAY['start', 'end', 'any']) anchor,
     kam.mrr_schedule('2024-01-15', '2025-01-15', 1200, 'year', 1, '2024-01-01', '2025-03-01', anchor => anchor)
GROUP BY anchor ORDER BY anchor;
-- open-ended monthly line, weekly price
SELECT at, mrr FROM kam.mrr_schedule('2024-03-01', NULL, 12, 'week', 1, '2024-01-01', '2024-05-01');
-- discounts: once (the first billing period), repeating (3 months), forever, and the policies
SELECT d.label, string_agg(s.mrr::text, ' ' ORDER BY s.at) AS mrr_jan_to_may
FROM (VALUES ('once 20%', kam.discount(percent => 20, duration => 'once')),
             ('repeating 10 for 3 months', kam.discount(amount => 10, duration => 'repeating', months => 3)),
             ('forever 10%', kam.discount(percent => 10)),
             ('amount above the charge', kam.discount(amount => 500))) d(label, disc),
     kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-05-01', discount => d.disc) s
GROUP BY d.label ORDER BY d.label;
SELECT p.policy, string_agg(s.mrr::text, ' ' ORDER BY s.at) AS mrr_jan_to_mar
FROM unnest(ARRAY['deduct', 'ignore', 'forever_only']) p(policy),
     kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-03-01',
                      discount => kam.discount(percent => 20, duration => 'once'), discounts => p.policy) s
GROUP BY p.policy ORDER BY p.policy;
-- an annual plan billed once a year: a 'once' discount covers its whole first year
SELECT count(*) FILTER (WHERE mrr = 80) AS discounted_months, count(*) FILTER (WHERE mrr = 100) AS full_months
FROM kam.mrr_schedule('2024-01-01', NULL, 1200, 'year', 1, '2024-01-01', '2025-06-01',
                      discount => kam.discount(percent => 20, duration => 'once'));
-- trial and pause
SELECT at, mrr FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-08-01',
                                     trial_end => '2024-03-01', paused => daterange('2024-05-01', '2024-07-01'));
-- a pause as the text of a range (a quoted literal, a JDBC varchar parameter); several pauses
-- as a datemultirange or its text: test/sql/pg14.sql
SELECT 'text range' AS pause, string_agg(mrr::text, ' ' ORDER BY at) AS mrr_jan_to_aug
FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-08-01', paused => '[2024-05-01,2024-07-01)')
UNION ALL
SELECT 'varchar range, timestamptz line', string_agg(mrr::text, ' ' ORDER BY at)
FROM kam.mrr_schedule(timestamptz '2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-08-01', paused => '[2024-05-01,2024-07-01)'::varchar)
UNION ALL
SELECT 'unbounded range', string_agg(mrr::text, ' ' ORDER BY at)
FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-08-01', paused => daterange(NULL, '2024-03-01'));
-- a credit line (negative) is not discounted
SELECT at, mrr FROM kam.mrr_schedule('2024-01-01', '2024-03-01', -50, 'month', 1, '2024-01-01', '2024-06-01',
                                     discount => kam.discount(percent => 50));
-- grains: days, ISO weeks (Mondays), quarters, years
SELECT grain, count(*) AS periods, min(at) AS first, max(at) AS last
FROM unnest(ARRAY['day', 'week', 'month', 'quarter', 'year']) grain,
     kam.mrr_schedule('2024-01-10', '2024-03-20', 100, 'month', 1, '2024-01-01', '2024-12-31', grain => grain, anchor => 'any')
GROUP BY grain ORDER BY grain;
-- timestamps and timestamptz work where dates do (the day in the session time zone)
SELECT count(*) AS months, sum(mrr) AS total
FROM kam.mrr_schedule(timestamptz '2024-01-01 10:00', NULL, 100, 'month', 1, timestamptz '2024-01-01 00:00', '2024-06-01 23:59'::timestamp);
-- NULL arguments: no row (a line without dates or amount has no MRR)
SELECT count(*) AS rows_for_null_amount FROM kam.mrr_schedule('2024-01-01', NULL, NULL, 'month', 1, '2024-01-01', '2024-06-01');
-- errors
SELECT test_error($q$SELECT * FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-06-01', grain => 'decade')$q$);
SELECT test_error($q$SELECT * FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-06-01', anchor => 'middle')$q$);
SELECT test_error($q$SELECT * FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-06-01', discounts => 'some')$q$);
SELECT test_error($q$SELECT * FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', -1, '2024-01-01', '2024-06-01')$q$);
SELECT test_error($q$SELECT * FROM kam.mrr_schedule('2024-03-01', '2024-01-01', 100, 'month', 1, '2024-01-01', '2024-06-01')$q$);
SELECT test_error($q$SELECT * FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-06-01', '2024-01-01')$q$);
SELECT test_error($q$SELECT * FROM kam.mrr_schedule('-infinity', NULL, 100, 'month', 1, '2024-01-01', '2024-06-01')$q$);
SELECT test_error($q$SELECT * FROM kam.mrr_schedule('2024-01-01', NULL, 'NaN', 'month', 1, '2024-01-01', '2024-06-01')$q$);
SELECT test_error($q$SELECT * FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-06-01', paused => 5)$q$);
SELECT test_error($q$SELECT * FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-06-01', paused => tstzrange('2024-01-01', NULL))$q$);
SELECT test_error($q$SELECT * FROM kam.mrr_schedule('2024-01-01', NULL, 100, 'month', 1, '2024-01-01', '2024-06-01', paused => 'May to June')$q$);

-- reference: 2 000 random lines (day, week, month, quarter and year prices, every few
-- open-ended) over 30 months, each anchor against the generate_series join an analyst writes
-- (crm.u: the sample CRM's uniform draws, the same on every PostgreSQL version, unlike random())
CREATE TEMP TABLE lines AS
SELECT g AS id, d AS valid_from,
       CASE WHEN crm.u(7, g, 1) < 0.2 THEN NULL ELSE d + (1 + floor(crm.u(7, g, 2) * 700))::int END AS valid_to,
       round((crm.u(7, g, 3) * 5000)::numeric, 2) AS amount,
       (ARRAY['day', 'week', 'month', 'quarter', 'year'])[1 + floor(crm.u(7, g, 4) * 5)::int] AS unit,
       1 + floor(crm.u(7, g, 5) * 3)::int AS cnt
FROM generate_series(1, 2000) g, LATERAL (SELECT DATE '2023-01-01' + floor(crm.u(7, g, 6) * 900)::int AS d) x;
CREATE TEMP TABLE factors(unit text, num int, den int);
INSERT INTO factors VALUES ('day', 365, 12), ('week', 52, 12), ('month', 1, 1), ('quarter', 1, 3), ('year', 1, 12);
CREATE TEMP TABLE ref AS
SELECT a.anchor, l.id, m::date AS at, l.amount * f.num / (f.den * l.cnt) AS mrr
FROM lines l JOIN factors f USING (unit),
     generate_series(DATE '2023-06-01', DATE '2025-11-01', interval '1 month') m,
     unnest(ARRAY['start', 'end', 'any']) a(anchor)
WHERE CASE a.anchor
        WHEN 'start' THEN l.valid_from <= m::date AND (l.valid_to IS NULL OR m::date < l.valid_to)
        WHEN 'end' THEN l.valid_from <= (m + interval '1 month')::date - 1 AND (l.valid_to IS NULL OR (m + interval '1 month')::date - 1 < l.valid_to)
        ELSE l.valid_from < (m + interval '1 month')::date AND (l.valid_to IS NULL OR l.valid_to > m::date) END;
CREATE TEMP TABLE got AS
SELECT a.anchor, l.id, s.at, s.mrr
FROM lines l, unnest(ARRAY['start', 'end', 'any']) a(anchor),
     kam.mrr_schedule(l.valid_from, l.valid_to, l.amount, l.unit, l.cnt, '2023-06-01', '2025-11-01', anchor => a.anchor) s;
SELECT (SELECT count(*) FROM ref) AS reference_rows, (SELECT count(*) FROM got) AS kam_rows,
       count(*) FILTER (WHERE r.mrr IS DISTINCT FROM g.mrr) AS differ
FROM ref r FULL JOIN got g USING (anchor, id, at);
-- totals per anchor agree with sum(numeric) over the reference to the cent (exactly)
SELECT anchor, sum(mrr) = (SELECT sum(mrr) FROM ref r WHERE r.anchor = g.anchor) AS totals_equal
FROM got g GROUP BY anchor ORDER BY anchor;

-- the sample CRM's billing lines (test/crm/generate.sql) against its monthly snapshots: the
-- same contracts, so without trials, coupons and credit notes kam.mrr_schedule gives each
-- account's snapshot MRR once the line's local price is converted at the rate of its first
-- month. Rounding: the snapshot rounds 1/12 of a year to the cent (half a cent) and the local
-- price is the USD price / rate to the cent (half a cent times the rate) per line; USD lines
-- only have the first.
CREATE TEMP TABLE from_lines AS
SELECT l.account_id, s.at, sum(s.mrr * r.usd_per_unit) AS mrr, count(*) AS lines,
       sum(0.005 * (1 + r.usd_per_unit)) AS rounding, bool_and(l.currency = 'USD') AS usd
FROM crm.billing_lines l JOIN crm.fx_rates r ON r.currency = l.currency AND r.day = l.started,
     kam.mrr_schedule(l.started, l.ended, l.unit_amount, l.billing_interval, l.interval_count, '2023-01-01', '2024-12-01') s
WHERE l.unit_amount > 0
GROUP BY 1, 2;
SELECT count(*) AS account_months, count(*) FILTER (WHERE f.account_id IS NULL OR m.account_id IS NULL) AS missing,
       count(*) FILTER (WHERE abs(f.mrr - m.mrr) > f.rounding) AS differ_beyond_rounding,
       count(*) FILTER (WHERE f.usd) AS usd_account_months,
       count(*) FILTER (WHERE f.usd AND abs(f.mrr - m.mrr) > 0.005 * f.lines) AS usd_differ_by_more_than_half_a_cent_a_line
FROM from_lines f FULL JOIN crm.mrr_snapshots m ON m.account_id = f.account_id AND m.month = f.at;
-- with the lines' trials, coupons and credit notes (in USD at each month's rate) the MRR is
-- lower, never negative per account
CREATE TEMP TABLE line_mrr AS
SELECT l.account_id, l.currency, s.at, sum(s.mrr) AS mrr_local, r.usd_per_unit AS rate
FROM crm.billing_lines l
     CROSS JOIN LATERAL kam.mrr_schedule(l.started, l.ended, l.unit_amount, l.billing_interval, l.interval_count, '2023-01-01', '2024-12-01',
                      trial_end => l.trial_end,
                      discount => CASE WHEN l.percent_off IS NOT NULL THEN kam.discount(percent => l.percent_off, duration => l.coupon_duration, months => l.coupon_months) END) s
     JOIN crm.fx_rates r ON r.currency = l.currency AND r.day = s.at
GROUP BY 1, 2, 3, 5;
SELECT count(*) AS account_months, count(DISTINCT currency) AS currencies,
       sum(mrr_local * rate) < (SELECT sum(mrr) FROM crm.mrr_snapshots) AS lower_than_snapshots, min(mrr_local) >= 0 AS never_negative
FROM line_mrr;
-- several currencies: the rate form of kam.retention_agg over each account's local MRR. Every
-- movement reconciles, and fx is the currency effect alone: for an account there at both ends,
-- its ending local MRR times the change of its rate (plain SQL below); new, reactivated and
-- churned accounts add none
SELECT round((m).starting_mrr::numeric, 2) AS starting, round((m).ending_mrr::numeric, 2) AS ending,
       round((m).fx_mrr::numeric, 2) AS fx,
       abs((m).starting_mrr + (m).new_mrr + (m).reactivation_mrr + (m).expansion_mrr - (m).contraction_mrr
           - (m).churned_mrr + (m).fx_mrr - (m).ending_mrr) < 1e-6 AS reconciles,
       abs((m).fx_mrr - (SELECT sum(e.mrr_local * (e.rate - s.rate))
                          FROM line_mrr s JOIN line_mrr e USING (account_id)
                          WHERE s.at = '2023-12-01' AND e.at = '2024-12-01' AND s.mrr_local > 0 AND e.mrr_local > 0)) < 1e-6 AS fx_equals_plain_sql,
       abs((m).ending_mrr - (SELECT sum(mrr_local * rate) FROM line_mrr WHERE at = '2024-12-01')) < 1e-6 AS ending_in_usd
FROM (SELECT kam.movements(kam.retention_agg(account_id, at, mrr_local, rate, '2023-12-01', '2024-12-01')) AS m
      FROM line_mrr) x;
