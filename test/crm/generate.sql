-- Sample CRM generator for kam's demo, tests and benchmarks.
--
--   \i test/crm/generate.sql
--   SELECT crm.generate(accounts => 300, months => 24, seed => 42);
--
-- Deterministic: every random draw is a hash of (seed, entity, salt), so the
-- same arguments give the same rows whatever the plan or row order.
-- Money is numeric(12,2); months start on 2023-01-01.
--
-- Tables (schema crm):
--   managers        account managers (team, segment they cover)
--   accounts        customers (segment, industry, region, manager)
--   subscriptions   one row per product contract phase: valid_from/valid_to
--                   (NULL = open-ended), billing monthly|annual, amount per
--                   billing period and mrr (annual plans normalised to /12);
--                   upgrades, downgrades, cancellations and reactivations
--   billing_lines   the subscriptions as raw billing lines (Stripe-like): a price
--                   per month, quarter or year in the account's currency (USD,
--                   EUR, GBP, AUD), trials, coupons (percent_off, duration
--                   once|repeating|forever), credit notes (negative)
--   fx_rates        USD per unit of each currency on the first day of each month
--                   (USD itself at 1), a random walk of about 2 % a month
--   mrr_snapshots   MRR per account at the first day of each month (rows only
--                   where MRR > 0)
--   invoices        per billing period, with payment status
--   opportunities   new / upsell / cross-sell / renewal, stage, amount,
--                   probability, forecast
--   surveys         NPS (0-10), CSAT (1-5), CES (1-7) answers
--   usage           monthly seats, active users, logins
--   contract_terms  one row per annual contract term: term_end, term_value (ARR),
--                   renewed_on and renewal_value (NULL: not renewed, or not yet
--                   known on the data's last day); early, on-time and late
--                   renewals, uplifts, downgrades and losses
--   account_links   parent/child links among accounts (groups of legal entities,
--                   some children re-parented over time): child_id, parent_id,
--                   valid_from, valid_to (NULL = open)
--   activities      the account team's touches: meetings, QBRs, calls, emails
--                   (timestamptz), more of them for healthier accounts

CREATE SCHEMA IF NOT EXISTS crm;

-- uniform [0,1) from (seed, key, salt)
CREATE OR REPLACE FUNCTION crm.u(seed integer, k bigint, salt integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((pg_catalog.hashint8extended(k * 1009 + salt, seed) >> 11) & 9007199254740991)::double precision
             / 9007199254740992.0 $$;

-- first day of month number m (0 = 2023-01-01)
CREATE OR REPLACE FUNCTION crm.month(m integer)
RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (date '2023-01-01' + m * interval '1 month')::date $$;

CREATE OR REPLACE FUNCTION crm.generate(accounts integer, months integer DEFAULT 24,
                                        seed integer DEFAULT 42,
                                        with_activity boolean DEFAULT true)
RETURNS text
LANGUAGE plpgsql
SET client_min_messages = warning
AS $gen$
DECLARE
    n_accounts alias FOR accounts;
    n_months alias FOR months;
    result text;
BEGIN
    IF n_accounts < 1 OR n_months < 2 THEN
        RAISE EXCEPTION 'crm.generate needs at least 1 account and 2 months';
    END IF;
    DROP TABLE IF EXISTS crm.activities, crm.account_links, crm.contract_terms, crm.usage, crm.surveys, crm.opportunities, crm.invoices,
        crm.mrr_snapshots, crm.billing_lines, crm.fx_rates, crm.subscriptions, crm.accounts, crm.managers CASCADE;

    CREATE TEMP TABLE gen_acc ON COMMIT DROP AS
    SELECT a AS account_id,
           CASE WHEN crm.u(seed, a, 1) < 0.15 THEN 'enterprise'
                WHEN crm.u(seed, a, 1) < 0.50 THEN 'mid-market' ELSE 'smb' END AS segment,
           (ARRAY['software','manufacturing','retail','finance','healthcare',
                  'logistics','media','energy'])[1 + floor(crm.u(seed, a, 2) * 8)::int] AS industry,
           (ARRAY['EMEA','North America','APAC','LATAM'])[1 + floor(crm.u(seed, a, 3) * 4)::int] AS region,
           crm.u(seed, a, 4) AS propensity,     -- hidden health: drives churn, NPS, usage
           crm.u(seed, a, 5) AS pick
    FROM generate_series(1, n_accounts) a;

    -- managers per segment: ~12 strategic accounts, ~60 mid-market, ~150 smb each
    CREATE TABLE crm.managers AS
    WITH seg AS (
        SELECT segment, count(*) AS n,
               CASE segment WHEN 'enterprise' THEN 12 WHEN 'mid-market' THEN 60 ELSE 150 END AS per
        FROM gen_acc GROUP BY segment)
    SELECT (row_number() OVER (ORDER BY s.segment, i))::int AS manager_id,
           NULL::text AS name,
           CASE s.segment WHEN 'enterprise' THEN 'Key Accounts' WHEN 'mid-market' THEN 'Mid-Market' ELSE 'SMB' END AS team,
           s.segment,
           i AS seg_index,
           ceil(s.n::numeric / s.per)::int AS seg_managers
    FROM seg s, generate_series(1, ceil(s.n::numeric / s.per)::int) i;
    ALTER TABLE crm.managers ADD PRIMARY KEY (manager_id);
    UPDATE crm.managers SET name =
           (ARRAY['Alice','Bruno','Chloe','Dmitri','Elena','Farid','Grace','Hugo',
                  'Ines','Jonas','Keiko','Luca','Maya','Nils','Olga','Pablo'])[1 + (manager_id * 7) % 16]
             || ' ' ||
           (ARRAY['Adams','Berg','Costa','Dubois','Evans','Fischer','Garcia','Hansen',
                  'Ivanov','Jensen','Kowalski','Lopez','Moreau','Novak','Olsen','Petit'])[1 + (manager_id * 3 + manager_id / 16) % 16]
             || CASE WHEN manager_id > 16 THEN ' ' || manager_id ELSE '' END;

    CREATE TABLE crm.accounts AS
    SELECT a.account_id,
           'Account ' || lpad(a.account_id::text, 7, '0') AS name,
           m.manager_id, a.segment, a.industry, a.region
    FROM gen_acc a
    JOIN crm.managers m ON m.segment = a.segment
                       AND m.seg_index = 1 + floor(a.pick * m.seg_managers)::int;
    ALTER TABLE crm.accounts ADD PRIMARY KEY (account_id);

    -- contract phases: per account 1-3 products, per product up to 6 phases.
    -- A phase ends in an upgrade/downgrade/renewal (next phase starts at once),
    -- or in a cancellation, after which the product may come back after a gap.
    CREATE TEMP TABLE gen_sub ON COMMIT DROP AS
    WITH prod AS (
        SELECT a.account_id, a.segment, a.propensity, p,
               CASE WHEN crm.u(seed, a.account_id, 10) < 0.3 THEN 0
                    ELSE floor(crm.u(seed, a.account_id, 11) * n_months)::int END
                 + CASE WHEN p = 1 THEN 0 ELSE 1 + floor(crm.u(seed, a.account_id * 8 + p, 12) * 9)::int END
                 AS start_m,
               CASE a.segment WHEN 'enterprise' THEN 3000 WHEN 'mid-market' THEN 400 ELSE 49 END
                 * exp(crm.u(seed, a.account_id * 8 + p, 14) * 2.3)
                 * (ARRAY[1.0, 0.35, 0.2])[p] AS base_mrr,
               crm.u(seed, a.account_id * 8 + p, 15)
                 < CASE a.segment WHEN 'enterprise' THEN 0.8 WHEN 'mid-market' THEN 0.5 ELSE 0.1 END AS annual,
               CASE a.segment WHEN 'enterprise' THEN 0.10 WHEN 'mid-market' THEN 0.18 ELSE 0.28 END
                 * (1.4 - 0.8 * a.propensity) AS churn_p
        FROM gen_acc a, generate_series(1, 3) p
        WHERE p = 1
           OR crm.u(seed, a.account_id * 8 + p, 13)
              < CASE a.segment WHEN 'enterprise' THEN 0.7 WHEN 'mid-market' THEN 0.4 ELSE 0.15 END / (p - 1)
    ), ph AS (
        SELECT pr.*, n, k,
               CASE WHEN pr.annual THEN 12 ELSE 2 + floor(crm.u(seed, k, 20) * 11)::int END AS len,
               crm.u(seed, k, 21) < pr.churn_p AS churns,
               crm.u(seed, k, 22) < 0.35 AS comes_back,
               2 + floor(crm.u(seed, k, 23) * 5)::int AS gap_len,
               CASE WHEN n = 1 THEN 1.0
                    WHEN crm.u(seed, k, 24) < 0.20 THEN 0.7
                    WHEN crm.u(seed, k, 24) < 0.55 THEN 1.0
                    WHEN crm.u(seed, k, 24) < 0.85 THEN 1.25
                    ELSE 1.6 END::double precision AS step
        FROM prod pr, generate_series(1, 6) n,
             LATERAL (SELECT ((pr.account_id * 8 + pr.p) * 8 + n)::bigint AS k) kk
    ), ph2 AS (
        SELECT ph.*,
               start_m + coalesce(sum(len + CASE WHEN churns THEN gap_len ELSE 0 END) OVER w_prev, 0)::int AS from_m,
               coalesce(bool_or(churns AND NOT comes_back) OVER w_prev, false) AS ended_before,
               exp(sum(ln(step)) OVER w_upto) * base_mrr AS level,
               lag(step) OVER w_upto IS NOT NULL AND step > 1 AS upsell
        FROM ph
        WINDOW w_prev AS (PARTITION BY account_id, p ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
               w_upto AS (PARTITION BY account_id, p ORDER BY n)
    )
    SELECT account_id, segment, propensity, p, n, k, from_m,
           CASE WHEN n = 6 AND NOT churns THEN NULL ELSE from_m + len END AS to_m,
           annual, churns, upsell,
           CASE WHEN annual THEN round((level * 12)::numeric, 0) ELSE round(level::numeric, 2) END AS amount,
           CASE WHEN annual THEN round(round((level * 12)::numeric, 0) / 12, 2) ELSE round(level::numeric, 2) END AS mrr
    FROM ph2
    WHERE NOT ended_before AND from_m < n_months;

    CREATE TABLE crm.subscriptions AS
    SELECT (row_number() OVER (ORDER BY account_id, p, n))::bigint AS subscription_id,
           account_id,
           (ARRAY['Core','Analytics','Integrations'])[p] AS product,
           CASE WHEN annual THEN 'annual' ELSE 'monthly' END AS billing,
           crm.month(from_m) AS valid_from,
           crm.month(to_m) AS valid_to,
           amount::numeric(12,2) AS amount,
           mrr::numeric(12,2) AS mrr
    FROM gen_sub;
    -- the distribution column first: Citus can distribute the table by account_id
    ALTER TABLE crm.subscriptions ADD PRIMARY KEY (account_id, subscription_id);

    -- exchange rates: USD per unit of each currency on the first day of each month, a
    -- random walk of about 2 % a month from a 2023 level (USD itself at 1)
    CREATE TABLE crm.fx_rates AS
    SELECT c.currency, crm.month(m) AS day,
           CASE WHEN c.currency = 'USD' THEN 1
                ELSE round((c.base * exp(sum(ln(1 + (crm.u(seed, c.i * 100000 + m, 80) - 0.5) * 0.07))
                                         OVER (PARTITION BY c.currency ORDER BY m)))::numeric, 6) END::numeric(12,6) AS usd_per_unit
    FROM (VALUES (1, 'USD', 1.0), (2, 'EUR', 1.07), (3, 'GBP', 1.24), (4, 'AUD', 0.67)) c(i, currency, base),
         generate_series(0, n_months) m;
    ALTER TABLE crm.fx_rates ADD PRIMARY KEY (currency, day);

    -- the account's billing currency, by region
    CREATE TEMP TABLE gen_cur ON COMMIT DROP AS
    SELECT a.account_id,
           CASE a.region WHEN 'EMEA' THEN CASE WHEN crm.u(seed, a.account_id, 81) < 0.35 THEN 'GBP' ELSE 'EUR' END
                         WHEN 'APAC' THEN CASE WHEN crm.u(seed, a.account_id, 81) < 0.6 THEN 'AUD' ELSE 'USD' END
                         ELSE 'USD' END AS currency
    FROM gen_acc a;

    -- the same contracts as raw billing lines, shaped like a Stripe subscription-items
    -- export: a price per billing period (monthly, quarterly or yearly) in the account's
    -- currency (the USD price at the rate of the line's first month, to the cent), trials,
    -- coupons and credit notes (negative lines); kam.mrr_schedule turns them into MRR
    CREATE TABLE crm.billing_lines AS
    SELECT (row_number() OVER (ORDER BY g.account_id, p, n))::bigint AS line_id,
           g.account_id,
           (ARRAY['Core','Analytics','Integrations'])[p] AS product,
           crm.month(from_m) AS started,
           crm.month(to_m) AS ended,
           CASE WHEN annual THEN 'year' WHEN crm.u(seed, k, 40) < 0.2 THEN 'quarter' ELSE 'month' END AS billing_interval,
           1 AS interval_count,
           c.currency,
           round((CASE WHEN annual THEN amount WHEN crm.u(seed, k, 40) < 0.2 THEN mrr * 3 ELSE mrr END) / r.usd_per_unit, 2)::numeric(12,2) AS unit_amount,
           CASE WHEN n = 1 AND segment = 'smb' AND crm.u(seed, k, 41) < 0.3 THEN crm.month(from_m) + 14 END AS trial_end,
           CASE WHEN crm.u(seed, k, 42) < 0.15 THEN (ARRAY[10, 15, 20, 25])[1 + floor(crm.u(seed, k, 43) * 4)::int] END AS percent_off,
           CASE WHEN crm.u(seed, k, 42) < 0.15 THEN (ARRAY['once', 'repeating', 'forever'])[1 + floor(crm.u(seed, k, 44) * 3)::int] END AS coupon_duration,
           CASE WHEN crm.u(seed, k, 42) < 0.15 THEN 3 END AS coupon_months
    FROM gen_sub g JOIN gen_cur c USING (account_id)
         JOIN crm.fx_rates r ON r.currency = c.currency AND r.day = crm.month(g.from_m)
    UNION ALL
    -- credit notes: a month's credit of a fifth of the MRR, for some phases with an incident
    SELECT NULL, g.account_id, (ARRAY['Core','Analytics','Integrations'])[p], crm.month(from_m + 1), crm.month(from_m + 2),
           'month', 1, c.currency, (-round(mrr / 5 / r.usd_per_unit, 2))::numeric(12,2), NULL, NULL, NULL, NULL
    FROM gen_sub g JOIN gen_cur c USING (account_id)
         JOIN crm.fx_rates r ON r.currency = c.currency AND r.day = crm.month(g.from_m)
    WHERE crm.u(seed, k, 45) < 0.05 AND (to_m IS NULL OR to_m > from_m + 2) AND from_m + 2 <= n_months;
    UPDATE crm.billing_lines SET coupon_months = NULL WHERE coupon_duration IS DISTINCT FROM 'repeating';
    UPDATE crm.billing_lines l SET line_id = x.id
    FROM (SELECT ctid AS c, (SELECT max(line_id) FROM crm.billing_lines) + row_number() OVER (ORDER BY account_id, started) AS id
          FROM crm.billing_lines WHERE line_id IS NULL) x WHERE l.ctid = x.c;
    ALTER TABLE crm.billing_lines ADD PRIMARY KEY (account_id, line_id);

    -- MRR on the first day of each month
    CREATE TABLE crm.mrr_snapshots AS
    SELECT s.account_id, crm.month(m) AS month, sum(s.mrr)::numeric(12,2) AS mrr
    FROM gen_sub s, generate_series(s.from_m, least(coalesce(s.to_m, n_months), n_months) - 1) m
    GROUP BY s.account_id, m;
    ALTER TABLE crm.mrr_snapshots ADD PRIMARY KEY (account_id, month);

    -- annual contract terms and their renewals: a term ends 12 months after it starts; the
    -- next phase of the same product starting then is its renewal (an uplift, a downgrade or
    -- flat), a cancellation loses it, an open-ended last phase renews flat. Renewals are signed
    -- up to 45 days before the term ends, or late (31 to 120 days after it) for some accounts,
    -- more often unhealthy ones; a renewal after the data's last day is not known yet (NULL).
    CREATE TABLE crm.contract_terms AS
    WITH t AS (
        SELECT g.account_id, g.p, g.n, g.k, g.from_m, g.to_m, g.amount, g.churns, g.propensity,
               nx.amount AS next_amount,
               crm.month(g.from_m + 12) AS term_end
        FROM gen_sub g
        LEFT JOIN gen_sub nx ON nx.account_id = g.account_id AND nx.p = g.p AND nx.n = g.n + 1 AND nx.from_m = g.to_m
        WHERE g.annual AND (g.to_m IS NULL OR g.to_m >= g.from_m + 12)
    ), d AS (
        SELECT t.*,
               CASE WHEN t.churns AND t.to_m = t.from_m + 12 THEN NULL
                    WHEN crm.u(seed, t.k, 92) < 0.10 + 0.25 * (1 - t.propensity)
                        THEN t.term_end + 31 + floor(crm.u(seed, t.k, 93) * 90)::int
                    ELSE t.term_end - floor(crm.u(seed, t.k, 93) * 46)::int END AS signed_on
        FROM t
        WHERE t.term_end <= crm.month(n_months) + 365
    )
    SELECT (row_number() OVER (ORDER BY account_id, p, n))::bigint AS term_id,
           account_id,
           (ARRAY['Core','Analytics','Integrations'])[p] AS product,
           crm.month(from_m) AS term_start,
           term_end,
           amount::numeric(12,2) AS term_value,
           CASE WHEN signed_on <= crm.month(n_months) THEN signed_on END AS renewed_on,
           CASE WHEN signed_on <= crm.month(n_months) THEN coalesce(next_amount, amount) END::numeric(12,2) AS renewal_value
    FROM d;
    ALTER TABLE crm.contract_terms ADD PRIMARY KEY (account_id, term_id);

    -- groups of legal entities: about 1 account in 25 heads a group; about 1 in 6 of the
    -- others belongs to one, attached to the head or to an earlier member (so groups are up
    -- to a few levels deep); a fifth of the members are re-parented to the head in some month
    CREATE TEMP TABLE gen_member ON COMMIT DROP AS
    WITH heads AS (
        SELECT account_id, row_number() OVER (ORDER BY account_id) AS h
        FROM gen_acc WHERE crm.u(seed, account_id, 90) < 0.04
    ), members AS (
        SELECT a.account_id, 1 + floor(crm.u(seed, a.account_id, 91) * (SELECT count(*) FROM heads))::int AS h
        FROM gen_acc a
        WHERE crm.u(seed, a.account_id, 94) < 0.17 AND NOT EXISTS (SELECT 1 FROM heads x WHERE x.account_id = a.account_id)
    ), grp AS (
        SELECT hd.account_id AS head_id, m.account_id, row_number() OVER (PARTITION BY m.h ORDER BY m.account_id) AS rk
        FROM members m JOIN heads hd USING (h)
    )
    SELECT g.account_id, g.head_id, g.rk,
           coalesce((SELECT x.account_id FROM grp x WHERE x.head_id = g.head_id
                     AND x.rk = floor(crm.u(seed, g.account_id, 95) * g.rk)::int), g.head_id) AS parent_id
    FROM grp g;
    CREATE TABLE crm.account_links AS
    SELECT m.account_id AS child_id, m.parent_id, NULL::date AS valid_from,
           CASE WHEN m.parent_id <> m.head_id AND crm.u(seed, m.account_id, 96) < 0.2
                THEN crm.month(1 + floor(crm.u(seed, m.account_id, 97) * (n_months - 1))::int) END AS valid_to
    FROM gen_member m;
    INSERT INTO crm.account_links
    SELECT child_id, m.head_id, l.valid_to, NULL
    FROM crm.account_links l JOIN gen_member m ON m.account_id = l.child_id
    WHERE l.valid_to IS NOT NULL;
    ALTER TABLE crm.account_links ADD PRIMARY KEY (child_id, parent_id);

    IF with_activity THEN
        CREATE TABLE crm.invoices AS
        SELECT (row_number() OVER (ORDER BY s.account_id, s.p, s.n, m))::bigint AS invoice_id,
               s.account_id,
               crm.month(m) AS issued_on,
               s.amount::numeric(12,2) AS amount,
               CASE WHEN m = n_months - 1 THEN 'open'
                    WHEN crm.u(seed, s.k * 64 + m, 30) < 0.12 * (1 - s.propensity) THEN 'overdue'
                    ELSE 'paid' END AS status,
               CASE WHEN m = n_months - 1 OR crm.u(seed, s.k * 64 + m, 30) < 0.12 * (1 - s.propensity) THEN NULL
                    ELSE crm.month(m) + floor(crm.u(seed, s.k * 64 + m, 31) * 40)::int END AS paid_on
        FROM gen_sub s,
             generate_series(s.from_m, least(coalesce(s.to_m, n_months), n_months) - 1,
                             CASE WHEN s.annual THEN 12 ELSE 1 END) m;

        CREATE TABLE crm.opportunities AS
        WITH won AS (
            SELECT s.account_id, s.k,
                   CASE WHEN s.n = 1 AND s.p = 1 THEN 'new'
                        WHEN s.n = 1 THEN 'cross-sell'
                        WHEN s.upsell THEN 'upsell'
                        ELSE 'renewal' END AS kind,
                   'won' AS stage,
                   (s.mrr * 12)::numeric(12,2) AS amount,
                   1.0::numeric(3,2) AS probability,
                   crm.month(s.from_m) - (15 + floor(crm.u(seed, s.k, 40) * 75)::int) AS created_on,
                   crm.month(s.from_m) AS close_date,
                   round((s.mrr * 12 * (0.7 + 0.6 * crm.u(seed, s.k, 41)))::numeric, 2) AS forecast_amount
            FROM gen_sub s
            WHERE s.n = 1 OR s.upsell OR s.annual
        ), other AS (
            SELECT a.account_id, (a.account_id * 8 + i)::bigint * 64 + 63 AS k,
                   (ARRAY['new','upsell','cross-sell'])[1 + floor(crm.u(seed, a.account_id * 8 + i, 50) * 3)::int] AS kind,
                   CASE WHEN crm.u(seed, a.account_id * 8 + i, 51) < 0.55 THEN 'lost'
                        ELSE (ARRAY['qualification','proposal','negotiation'])[1 + floor(crm.u(seed, a.account_id * 8 + i, 52) * 3)::int]
                   END AS stage,
                   round((CASE a.segment WHEN 'enterprise' THEN 40000 WHEN 'mid-market' THEN 6000 ELSE 900 END
                          * (0.3 + 2 * crm.u(seed, a.account_id * 8 + i, 53)))::numeric, 2) AS amount,
                   floor(crm.u(seed, a.account_id * 8 + i, 54) * n_months)::int AS m
            FROM gen_acc a, generate_series(1, 3) i
            WHERE crm.u(seed, a.account_id * 8 + i, 55) < 0.4
        )
        SELECT (row_number() OVER (ORDER BY account_id, close_date, k))::bigint AS opportunity_id, *
        FROM (
            SELECT w.account_id, ac.manager_id, w.kind, w.stage, w.amount, w.probability,
                   w.created_on, w.close_date, w.forecast_amount, w.k
            FROM won w JOIN crm.accounts ac USING (account_id)
            UNION ALL
            SELECT o.account_id, ac.manager_id, o.kind, o.stage, o.amount,
                   (CASE o.stage WHEN 'lost' THEN 0 WHEN 'qualification' THEN 0.2
                                 WHEN 'proposal' THEN 0.5 ELSE 0.75 END)::numeric(3,2),
                   crm.month(o.m) - 30, crm.month(o.m) + 30,
                   round(o.amount * (CASE o.stage WHEN 'lost' THEN 0 WHEN 'qualification' THEN 0.2
                                                  WHEN 'proposal' THEN 0.5 ELSE 0.75 END), 2),
                   o.k
            FROM other o JOIN crm.accounts ac USING (account_id)
        ) x;
        ALTER TABLE crm.opportunities DROP COLUMN k;

        CREATE TABLE crm.surveys AS
        SELECT (row_number() OVER (ORDER BY r.account_id, r.month, r.kind))::bigint AS survey_id, r.*
        FROM (
            SELECT s.account_id, s.month + 14 AS answered_on, s.month, 'nps' AS kind,
                   least(10, greatest(0, round(a.propensity * 11 - 0.5
                         + (crm.u(seed, s.account_id::bigint * 4096 + extract(epoch FROM s.month)::bigint / 86400, 60) - 0.5) * 5)))::int AS score
            FROM crm.mrr_snapshots s JOIN gen_acc a USING (account_id)
            WHERE extract(month FROM s.month)::int % 3 = 1
              AND crm.u(seed, s.account_id::bigint * 4096 + extract(epoch FROM s.month)::bigint / 86400, 61) < 0.6
            UNION ALL
            SELECT s.account_id, s.month + 20, s.month, 'csat',
                   least(5, greatest(1, round(1 + a.propensity * 4
                         + (crm.u(seed, s.account_id::bigint * 4096 + extract(epoch FROM s.month)::bigint / 86400, 62) - 0.5) * 2)))::int
            FROM crm.mrr_snapshots s JOIN gen_acc a USING (account_id)
            WHERE crm.u(seed, s.account_id::bigint * 4096 + extract(epoch FROM s.month)::bigint / 86400, 63) < 0.15
            UNION ALL
            SELECT s.account_id, s.month + 24, s.month, 'ces',
                   least(7, greatest(1, round(1 + (1 - a.propensity) * 6
                         + (crm.u(seed, s.account_id::bigint * 4096 + extract(epoch FROM s.month)::bigint / 86400, 64) - 0.5) * 2)))::int
            FROM crm.mrr_snapshots s JOIN gen_acc a USING (account_id)
            WHERE crm.u(seed, s.account_id::bigint * 4096 + extract(epoch FROM s.month)::bigint / 86400, 65) < 0.10
        ) r;
        ALTER TABLE crm.surveys DROP COLUMN month;

        CREATE TABLE crm.usage AS
        SELECT s.account_id, s.month,
               greatest(1, ceil(s.mrr / 40))::int AS licensed_seats,
               round(greatest(1, ceil(s.mrr / 40))
                     * (0.25 + 0.75 * a.propensity * crm.u(seed, s.account_id::bigint * 4096 + extract(epoch FROM s.month)::bigint / 86400, 70)))::int AS active_users,
               round(greatest(1, ceil(s.mrr / 40)) * 20
                     * (0.2 + a.propensity * crm.u(seed, s.account_id::bigint * 4096 + extract(epoch FROM s.month)::bigint / 86400, 71)))::int AS logins
        FROM crm.mrr_snapshots s JOIN gen_acc a USING (account_id);

        -- the account team's touches: per active account-month up to 6 slots, each a touch
        -- with a probability that grows with the segment and the hidden health; a QBR in the
        -- first month of each quarter for most key accounts (fewer for unhealthy ones)
        CREATE TABLE crm.activities AS
        SELECT (row_number() OVER (ORDER BY x.account_id, x.at, x.kind))::bigint AS activity_id, x.*
        FROM (
            SELECT s.account_id, ac.manager_id,
                   (ARRAY['meeting','call','call','email','email','email'])[slot] AS kind,
                   (s.month + floor(crm.u(seed, s.account_id::bigint * 65536 + (extract(epoch FROM s.month)::bigint / 86400) * 8 + slot, 100) * 28)::int)::timestamptz
                     + make_interval(hours => 8 + floor(crm.u(seed, s.account_id::bigint * 65536 + (extract(epoch FROM s.month)::bigint / 86400) * 8 + slot, 101) * 10)::int) AS at
            FROM crm.mrr_snapshots s JOIN gen_acc a USING (account_id) JOIN crm.accounts ac USING (account_id),
                 generate_series(1, 6) slot
            WHERE crm.u(seed, s.account_id::bigint * 65536 + (extract(epoch FROM s.month)::bigint / 86400) * 8 + slot, 102)
                  < CASE a.segment WHEN 'enterprise' THEN 0.55 WHEN 'mid-market' THEN 0.3 ELSE 0.12 END * (0.3 + a.propensity)
            UNION ALL
            SELECT s.account_id, ac.manager_id, 'qbr',
                   (s.month + 7 + floor(crm.u(seed, s.account_id::bigint * 4096 + extract(epoch FROM s.month)::bigint / 86400, 103) * 50)::int)::timestamptz + interval '14 hours'
            FROM crm.mrr_snapshots s JOIN gen_acc a USING (account_id) JOIN crm.accounts ac USING (account_id)
            WHERE a.segment <> 'smb' AND extract(month FROM s.month)::int % 3 = 1
              AND crm.u(seed, s.account_id::bigint * 4096 + extract(epoch FROM s.month)::bigint / 86400, 104)
                  < CASE a.segment WHEN 'enterprise' THEN 0.7 + 0.3 * a.propensity ELSE 0.5 + 0.45 * a.propensity END
        ) x;
        ALTER TABLE crm.activities ADD PRIMARY KEY (account_id, activity_id);
    END IF;

    ANALYZE crm.managers, crm.accounts, crm.subscriptions, crm.mrr_snapshots, crm.billing_lines, crm.fx_rates;
    SELECT format('%s managers, %s accounts, %s subscriptions, %s snapshot rows',
                  (SELECT count(*) FROM crm.managers), (SELECT count(*) FROM crm.accounts),
                  (SELECT count(*) FROM crm.subscriptions), (SELECT count(*) FROM crm.mrr_snapshots))
      INTO result;
    RETURN result;
END
$gen$;
