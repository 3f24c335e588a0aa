-- Pareto/NBD, MBG/NBD, BG/BB and the BG/NBD purchase-count distribution (SPEC section 9,
-- docs/ltv.md), against published values and against the likelihoods written independently
-- in plain SQL.
CREATE TABLE cd (id int, x int, t_x float8, "T" float8);
\copy cd FROM 'test/data/cdnow/cdnow_customers_summary.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE don (x int, t_x int, n int, w int);
\copy don FROM 'test/data/cdnow/donations.csv' WITH (FORMAT csv, HEADER)

-- ======================== Pareto/NBD ========================
CREATE TABLE pnbd AS SELECT kam.paretonbd_fit(x, t_x, "T") AS m FROM cd;
-- published (Fader, Hardie & Lee's note; BTYD): r 0.553, alpha 10.578, s 0.606, beta 11.669,
-- LL -9595.0; the standard errors from the inverse observed information
SELECT round(kam.paretonbd_param(m, 'r')::numeric, 3) AS r, round(kam.paretonbd_param(m, 'alpha')::numeric, 3) AS alpha,
       round(kam.paretonbd_param(m, 's')::numeric, 3) AS s, round(kam.paretonbd_param(m, 'beta')::numeric, 3) AS beta,
       round(kam.paretonbd_param(m, 'll')::numeric, 1) AS ll, kam.paretonbd_param(m, 'n') AS n,
       round(kam.paretonbd_param(m, 'r_se')::numeric, 4) AS r_se, round(kam.paretonbd_param(m, 'alpha_se')::numeric, 3) AS alpha_se,
       round(kam.paretonbd_param(m, 's_se')::numeric, 4) AS s_se, round(kam.paretonbd_param(m, 'beta_se')::numeric, 3) AS beta_se
FROM pnbd;
SELECT abs(kam.paretonbd_param(m, 'r') - 0.553) <= 0.001 AND abs(kam.paretonbd_param(m, 'alpha') - 10.578) <= 0.001
       AND abs(kam.paretonbd_param(m, 's') - 0.606) <= 0.001 AND abs(kam.paretonbd_param(m, 'beta') - 11.669) <= 0.002
       AND abs(kam.paretonbd_param(m, 'll') - (-9595.0)) <= 0.05 AS published
FROM pnbd;
-- BTYD's walkthrough at its (rounded) estimates: P(alive | 26, 30.86, 31) = 0.9979 and
-- E[Y(52) | same] = 25.46; at the rounded parameters the expectation is 25.4549 (the
-- walkthrough printed it from unrounded estimates: kam's own fit gives 25.4565)
SELECT round(kam.paretonbd_p_alive(kam.paretonbd(0.5534, 10.5802, 0.6061, 11.6562), 26, 30.86, 31)::numeric, 4) AS p_alive,
       round(kam.paretonbd_expected(kam.paretonbd(0.5534, 10.5802, 0.6061, 11.6562), 52, 26, 30.86, 31)::numeric, 4) AS e52_rounded_params,
       round(kam.paretonbd_expected(m, 52, 26, 30.86, 31)::numeric, 2) AS e52_fitted
FROM pnbd;
-- E[Y(t)] by hand: (r+x)(beta+T)/((alpha+T)(s-1)) (1 - ((beta+T)/(beta+T+t))^(s-1)) P(alive)
SELECT abs(kam.paretonbd_expected(m, 52, 26, 30.86, 31)
           - (0.5534 + 26) * (11.6562 + 31) / ((10.5802 + 31) * (0.6061 - 1))
             * (1 - power((11.6562 + 31) / (11.6562 + 31 + 52), 0.6061 - 1)) * kam.paretonbd_p_alive(m, 26, 30.86, 31)) < 1e-10 AS e52_formula
FROM (SELECT kam.paretonbd(0.5534, 10.5802, 0.6061, 11.6562) AS m) q;
-- P(alive) against the likelihood written as an integral over the death time, in plain SQL:
-- P(alive) = E / (E + s int_{t_x}^{T} (alpha+u)^-(r+x) (beta+u)^-(s+1) du), E = (alpha+T)^-(r+x) (beta+T)^-s
-- (Simpson's rule on 4000 intervals), for customers on both sides of alpha = beta
CREATE FUNCTION pnbd_alive_sql(r float8, alpha float8, s float8, beta float8, x float8, tx float8, "T" float8)
RETURNS float8 LANGUAGE sql AS $$
    WITH e AS (SELECT power(alpha + "T", -(r + x)) * power(beta + "T", -s) AS e),
    i AS (SELECT sum(CASE WHEN k IN (0, 4000) THEN 1 WHEN k % 2 = 1 THEN 4 ELSE 2 END
                     * power(alpha + u, -(r + x)) * power(beta + u, -(s + 1))) * h / 3 AS integral
          FROM (SELECT ("T" - tx) / 4000 AS h) hh, generate_series(0, 4000) k, LATERAL (SELECT tx + k * h AS u) uu
          GROUP BY h)
    SELECT e / (e + s * coalesce(integral, 0)) FROM e, i
$$;
SELECT label, round(kam.paretonbd_p_alive(kam.paretonbd(r, al, s, be), x, tx, t)::numeric, 6) AS kam,
       abs(kam.paretonbd_p_alive(kam.paretonbd(r, al, s, be), x, tx, t) - pnbd_alive_sql(r, al, s, be, x, tx, t)) < 1e-9 AS matches_integral
FROM (VALUES ('cdnow, alpha < beta', 0.5534::float8, 10.5802::float8, 0.6061::float8, 11.6562::float8, 2::float8, 30.43::float8, 38.86::float8),
             ('alpha > beta', 0.9, 20.0, 1.3, 4.0, 5, 10.0, 40.0),
             ('alpha = beta', 0.9, 7.0, 1.3, 7.0, 1, 3.0, 30.0),
             ('x = 0', 0.5534, 10.5802, 0.6061, 11.6562, 0, 0, 38.86),
             ('z near 1 (alpha 0.008)', 10.465, 0.00798565181, 3.0516, 2.820, 40, 5, 6),
             ('large x', 10.465, 0.00798565181, 3.0516, 2.820, 50, 4, 37)) v(label, r, al, s, be, x, tx, t);
-- lifetimes' overflow cases (x 400 and 500): finite probabilities in [0, 1]
SELECT x, tx, t, kam.paretonbd_p_alive(kam.paretonbd(10.465, 7.98565181e-03, 3.0516, 2.820), x, tx, t) BETWEEN 0 AND 1 AS in_range
FROM (VALUES (400, 5, 6), (500, 1, 37), (500, 4, 37)) v(x, tx, t);
-- the expectation moves little between x = 132 and 133 (lifetimes' underflow case)
SELECT abs(kam.paretonbd_expected(m, 10, 132, 200, 200) - kam.paretonbd_expected(m, 10, 133, 200, 200)) < 0.05 AS no_underflow,
       round(kam.paretonbd_expected(m, 10, 132, 200, 200)::numeric, 4) AS e10_132
FROM (SELECT kam.paretonbd(0.55, 10.58, 0.61, 11.67) AS m) q;
-- unconditional E[X(t)] = r beta / (alpha (s-1)) (1 - (beta/(beta+t))^(s-1)); BTYD at its fit
-- (lifetimes checks within 0.01): 0, 0.0508, 0.0992, 0.1454, 0.1898, 0.2325, 0.2736, 0.3134, 0.3518, 0.3891
SELECT t, round(kam.paretonbd_expected(m, t)::numeric, 4) AS e_x,
       abs(kam.paretonbd_expected(m, t) - (ARRAY[0, 0.05077821, 0.09916088, 0.14542507, 0.18979930, 0.23247466,
                                                0.27361274, 0.31335159, 0.35181024, 0.38909211])[t + 1]) < 0.01 AS near_btyd,
       abs(kam.paretonbd_expected(m, t) - kam.paretonbd_param(m, 'r') * kam.paretonbd_param(m, 'beta')
           / (kam.paretonbd_param(m, 'alpha') * (kam.paretonbd_param(m, 's') - 1))
           * (1 - power(kam.paretonbd_param(m, 'beta') / (kam.paretonbd_param(m, 'beta') + t), kam.paretonbd_param(m, 's') - 1))) < 1e-12 AS formula
FROM pnbd, generate_series(0, 9) t;
-- a new customer's conditional expectation is the unconditional one; s = 1 takes the limit
SELECT abs(kam.paretonbd_expected(m, 39, 0, 0, 0) - kam.paretonbd_expected(m, 39)) < 1e-12 AS new_customer,
       kam.paretonbd_p_alive(m, 0, 0, 0) AS p_alive_age_0,
       kam.paretonbd_p_alive(m, 3, 20, 20) AS p_alive_just_bought
FROM pnbd;
SELECT round(kam.paretonbd_expected(kam.paretonbd(0.5, 10, 1, 12), 52)::numeric, 6) AS s_one,
       round((0.5 * 12 / 10.0 * ln(64 / 12.0))::numeric, 6) AS limit_by_hand;

-- ======================== MBG/NBD ========================
CREATE TABLE mbg AS SELECT kam.mbgnbd_fit(x, t_x, "T") AS m FROM cd;
-- BTYDplus on CDNOW: r 0.525, alpha 6.183, a 0.891, b 1.614
SELECT round(kam.mbgnbd_param(m, 'r')::numeric, 3) AS r, round(kam.mbgnbd_param(m, 'alpha')::numeric, 3) AS alpha,
       round(kam.mbgnbd_param(m, 'a')::numeric, 3) AS a, round(kam.mbgnbd_param(m, 'b')::numeric, 3) AS b,
       round(kam.mbgnbd_param(m, 'll')::numeric, 2) AS ll, kam.mbgnbd_param(m, 'n') AS n,
       round(kam.mbgnbd_param(m, 'r_se')::numeric, 4) AS r_se, round(kam.mbgnbd_param(m, 'b_se')::numeric, 4) AS b_se
FROM mbg;
-- the likelihood in plain SQL (Batislam et al. 2007; lifetimes' ModifiedBetaGeoFitter), x whole:
--   ln[G(r+x)/G(r)] + r ln alpha + ln[B(a, b+x+1)/B(a, b)]
--   + ln((alpha+T)^-(r+x) + a/(b+x) (alpha+t_x)^-(r+x))
CREATE FUNCTION mbg_ll_cd(r float8, alpha float8, a float8, b float8) RETURNS float8 LANGUAGE sql AS $$
    SELECT sum((SELECT coalesce(sum(ln(r + i)), 0) FROM generate_series(0, x - 1) i)
               + (SELECT sum(ln(b + i) - ln(a + b + i)) FROM generate_series(0, x) i)
               + r * ln(alpha)
               + ln(power(alpha + "T", -(r + x)) + a / (b + x) * power(alpha + t_x, -(r + x))))
    FROM cd
$$;
-- the same value at the fit, every neighbour (0.01 % either way in one parameter) lower, and the
-- standard errors from a central-difference Hessian of the SQL likelihood
WITH f AS (SELECT kam.mbgnbd_param(m, 'r') AS r, kam.mbgnbd_param(m, 'alpha') AS al, kam.mbgnbd_param(m, 'a') AS a,
                  kam.mbgnbd_param(m, 'b') AS b, kam.mbgnbd_param(m, 'll') AS ll FROM mbg)
SELECT abs(mbg_ll_cd(r, al, a, b) - ll) < 1e-9 * abs(ll) AS ll_matches_sql,
       bool_and(mbg_ll_cd(r * (1 + d * (i = 1)::int), al * (1 + d * (i = 2)::int), a * (1 + d * (i = 3)::int),
                           b * (1 + d * (i = 4)::int)) < ll) AS every_neighbour_lower
FROM f, generate_series(1, 4) i, (VALUES (0.0001), (-0.0001)) s(d)
GROUP BY r, al, a, b, ll;
-- Hardie's sheet: E[Y(39) | 2, 30.43, 38.86] near 1.226 (lifetimes: within 0.05); E[X(t)] within 5 %
-- of 0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576 at t = 0.1429, 1, 3, 31.8571, 32, 78
SELECT round(kam.mbgnbd_expected(m, 39, 2, 30.43, 38.86)::numeric, 3) AS e_y39,
       abs(kam.mbgnbd_expected(m, 39, 2, 30.43, 38.86) - 1.226) < 0.05 AS near_sheet
FROM mbg;
SELECT t, round(kam.mbgnbd_expected(m, t)::numeric, 4) AS e_x, abs(kam.mbgnbd_expected(m, t) / sheet - 1) < 0.05 AS within_5pct
FROM mbg, (VALUES (0.1429, 0.0078), (1, 0.0532), (3, 0.1506), (31.8571, 1.0405), (32, 1.0437), (78, 1.8576)) v(t, sheet);
-- P(alive) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)), below 1 even without repeat purchases
SELECT kam.mbgnbd_p_alive(m, 0, 1, 1) < 1 AS x0_below_one,
       abs(kam.mbgnbd_p_alive(m, 2, 30.43, 38.86)
           - 1 / (1 + kam.mbgnbd_param(m, 'a') / (kam.mbgnbd_param(m, 'b') + 2)
                  * power((kam.mbgnbd_param(m, 'alpha') + 38.86) / (kam.mbgnbd_param(m, 'alpha') + 30.43), kam.mbgnbd_param(m, 'r') + 2))) < 1e-12 AS formula
FROM mbg;

-- ======================== BG/BB ========================
CREATE TABLE bb AS SELECT kam.bgbb_fit(x, t_x, n, w) AS m FROM don;
-- published (Fader, Hardie & Shang 2010): alpha 1.204, beta 0.750, gamma 0.657, delta 2.783, LL -33,225.6
SELECT round(kam.bgbb_param(m, 'alpha')::numeric, 3) AS alpha, round(kam.bgbb_param(m, 'beta')::numeric, 3) AS beta,
       round(kam.bgbb_param(m, 'gamma')::numeric, 3) AS gamma, round(kam.bgbb_param(m, 'delta')::numeric, 3) AS delta,
       round(kam.bgbb_param(m, 'll')::numeric, 1) AS ll, kam.bgbb_param(m, 'n') AS n,
       round(kam.bgbb_param(m, 'alpha_se')::numeric, 4) AS alpha_se, round(kam.bgbb_param(m, 'delta_se')::numeric, 4) AS delta_se
FROM bb;
-- weights are customers: one row per donor gives the same model
SELECT kam.bgbb_fit(x, t_x, n)::text = (SELECT m::text FROM bb) AS unweighted_equals_weighted
FROM don, generate_series(1, w);
-- the likelihood in plain SQL (eq. 5; whole numbers, so the beta ratios are finite products):
-- B(a+x, b+m)/B(a, b) = prod_{i<x}(a+i) prod_{j<m}(b+j) / prod_{k<x+m}(a+b+k)
CREATE FUNCTION bratio(a float8, b float8, x int, m int) RETURNS float8 LANGUAGE sql AS $$
    SELECT exp(coalesce((SELECT sum(ln(a + i)) FROM generate_series(0, x - 1) i), 0)
               + coalesce((SELECT sum(ln(b + j)) FROM generate_series(0, m - 1) j), 0)
               - coalesce((SELECT sum(ln(a + b + k)) FROM generate_series(0, x + m - 1) k), 0))
$$;
-- G(g+d)/G(1+d) G(1+d+m)/G(g+d+m) = prod_{j<m} (1+d+j)/(g+d+j)
CREATE FUNCTION gprod(g float8, d float8, m int) RETURNS float8 LANGUAGE sql AS $$
    SELECT exp(coalesce(sum(ln(1 + d + j) - ln(g + d + j)), 0)) FROM generate_series(0, m - 1) j
$$;
CREATE FUNCTION bgbb_ll_sql(al float8, be float8, ga float8, de float8) RETURNS float8 LANGUAGE sql AS $$
    SELECT sum(w * ln(bratio(al, be, x, n - x) * bratio(ga, de, 0, n)
                      + coalesce((SELECT sum(bratio(al, be, x, t_x - x + i) * bratio(ga, de, 1, t_x + i))
                                  FROM generate_series(0, n - t_x - 1) i), 0)))
    FROM don
$$;
CREATE TABLE bb_fd AS
WITH f AS (SELECT kam.bgbb_param(m, 'alpha') AS p1, kam.bgbb_param(m, 'beta') AS p2, kam.bgbb_param(m, 'gamma') AS p3,
                  kam.bgbb_param(m, 'delta') AS p4, kam.bgbb_param(m, 'll') AS ll, m FROM bb)
SELECT f.*, bgbb_ll_sql(p1, p2, p3, p4) AS ll_sql FROM f;
SELECT abs(ll_sql - ll) < 1e-9 * abs(ll) AS ll_matches_sql FROM bb_fd;
-- the standard errors against the inverse of a central-difference Hessian of the SQL likelihood
-- in (alpha, beta, gamma, delta)
CREATE TABLE bb_h AS
WITH h AS (SELECT i, j, CASE WHEN i = j THEN
             (bgbb_ll_sql(p1 + 1e-4 * p1 * (i = 1)::int, p2 + 1e-4 * p2 * (i = 2)::int, p3 + 1e-4 * p3 * (i = 3)::int, p4 + 1e-4 * p4 * (i = 4)::int)
              - 2 * ll_sql
              + bgbb_ll_sql(p1 - 1e-4 * p1 * (i = 1)::int, p2 - 1e-4 * p2 * (i = 2)::int, p3 - 1e-4 * p3 * (i = 3)::int, p4 - 1e-4 * p4 * (i = 4)::int))
             / power(1e-4 * (ARRAY[p1, p2, p3, p4])[i], 2)
           ELSE
             (bgbb_ll_sql(p1 + 1e-4 * p1 * ((i = 1) OR (j = 1))::int, p2 + 1e-4 * p2 * ((i = 2) OR (j = 2))::int, p3 + 1e-4 * p3 * ((i = 3) OR (j = 3))::int, p4 + 1e-4 * p4 * ((i = 4) OR (j = 4))::int)
              - bgbb_ll_sql(p1 + 1e-4 * p1 * (i = 1)::int - 1e-4 * p1 * (j = 1)::int, p2 + 1e-4 * p2 * (i = 2)::int - 1e-4 * p2 * (j = 2)::int, p3 + 1e-4 * p3 * (i = 3)::int - 1e-4 * p3 * (j = 3)::int, p4 + 1e-4 * p4 * (i = 4)::int - 1e-4 * p4 * (j = 4)::int)
              - bgbb_ll_sql(p1 - 1e-4 * p1 * (i = 1)::int + 1e-4 * p1 * (j = 1)::int, p2 - 1e-4 * p2 * (i = 2)::int + 1e-4 * p2 * (j = 2)::int, p3 - 1e-4 * p3 * (i = 3)::int + 1e-4 * p3 * (j = 3)::int, p4 - 1e-4 * p4 * (i = 4)::int + 1e-4 * p4 * (j = 4)::int)
              + bgbb_ll_sql(p1 - 1e-4 * p1 * ((i = 1) OR (j = 1))::int, p2 - 1e-4 * p2 * ((i = 2) OR (j = 2))::int, p3 - 1e-4 * p3 * ((i = 3) OR (j = 3))::int, p4 - 1e-4 * p4 * ((i = 4) OR (j = 4))::int))
             / (4 * 1e-4 * (ARRAY[p1, p2, p3, p4])[i] * 1e-4 * (ARRAY[p1, p2, p3, p4])[j])
           END AS v
           FROM bb_fd, generate_series(1, 4) i, generate_series(1, 4) j)
SELECT i, j, -v AS info FROM h;
-- the diagonal of its inverse by Gauss-Jordan elimination (plpgsql)
CREATE FUNCTION inv_diag(a float8[]) RETURNS float8[] LANGUAGE plpgsql AS $$
DECLARE n int := array_length(a, 1); m float8[]; f float8; res float8[];
BEGIN
    -- Gauss-Jordan on [A | I], no pivoting (A is positive definite)
    m := array_fill(0::float8, ARRAY[n, 2 * n]);
    FOR i IN 1..n LOOP FOR j IN 1..n LOOP m[i][j] := a[i][j]; END LOOP; m[i][n + i] := 1; END LOOP;
    FOR k IN 1..n LOOP
        f := m[k][k];
        FOR j IN 1..2 * n LOOP m[k][j] := m[k][j] / f; END LOOP;
        FOR i IN 1..n LOOP
            IF i <> k THEN
                f := m[i][k];
                FOR j IN 1..2 * n LOOP m[i][j] := m[i][j] - f * m[k][j]; END LOOP;
            END IF;
        END LOOP;
    END LOOP;
    FOR i IN 1..n LOOP res[i] := m[i][n + i]; END LOOP;
    RETURN res;
END $$;
SELECT name, round(kam.bgbb_param(m, name || '_se')::numeric, 4) AS kam_se, round(sqrt(d[k])::numeric, 4) AS fd_se,
       abs(kam.bgbb_param(m, name || '_se') / sqrt(d[k]) - 1) < 1e-3 AS se_matches
FROM (SELECT inv_diag((SELECT array_agg(r ORDER BY i) FROM (SELECT i, array_agg(info ORDER BY j) AS r FROM bb_h GROUP BY i) rows)::float8[]) AS d) inv,
     (SELECT m FROM bb) b, (VALUES (1, 'alpha'), (2, 'beta'), (3, 'gamma'), (4, 'delta')) v(k, name)
ORDER BY k;
-- Table 6 of the paper: P(alive in 2002) for the 1995 lapsers (0, 0), (2, 4) and (6, 6) of 6
SELECT x, t_x, round(kam.bgbb_p_alive(m, x, t_x, 6)::numeric, 2) AS p_alive
FROM bb, (VALUES (0, 0), (2, 4), (6, 6)) v(x, t_x);
-- Hardie's sheet: expected donations over the next 5 years, summed over the donors: 12,884.2
SELECT round(sum(w * kam.bgbb_expected(m, 5, x, t_x, n))::numeric, 1) AS expected_5_years FROM bb, don;
-- P(alive) (eq. 11) and E[X(n, n+n*)] (eq. 13) from the SQL likelihood's terms, for (2, 4, 6):
--   P(alive at n+1) = B(a+x, b+n-x)/B(a,b) B(g, d+n+1)/B(g,d) / L
--   E = B(a+x+1, b+n-x)/B(a,b) / L  d/(g-1) G(g+d)/G(1+d) [G(1+d+n)/G(g+d+n) - G(1+d+n+n*)/G(g+d+n+n*)]
-- with the gamma ratios as finite products over whole steps (gprod)
SELECT abs(kam.bgbb_p_alive(m, 2, 4, 6) - bratio(a, b, 2, 4) * bratio(g, d, 0, 7) / l) < 1e-12 AS p_alive_formula,
       abs(kam.bgbb_expected(m, 5, 2, 4, 6)
           - bratio(a, b, 3, 4) / l * d / (g - 1)
             * (gprod(g, d, 6) - gprod(g, d, 11))) < 1e-12 AS expected_formula
FROM (SELECT m, kam.bgbb_param(m, 'alpha') AS a, kam.bgbb_param(m, 'beta') AS b, kam.bgbb_param(m, 'gamma') AS g,
             kam.bgbb_param(m, 'delta') AS d FROM bb) p,
     LATERAL (SELECT bratio(a, b, 2, 4) * bratio(g, d, 0, 6)
                     + (SELECT sum(bratio(a, b, 2, 4 - 2 + i) * bratio(g, d, 1, 4 + i)) FROM generate_series(0, 1) i) AS l) ll;
-- unconditional E[X(n)] = a/(a+b) d/(g-1) (1 - G(g+d)/G(1+d) G(1+d+n)/G(g+d+n)); gamma = 1 by its limit
SELECT round(kam.bgbb_expected(m, 6)::numeric, 4) AS e_x6, kam.bgbb_expected(m, 0) AS e_x0,
       abs(kam.bgbb_expected(m, 6, 0, 0, 0) - kam.bgbb_expected(m, 6)) < 1e-12 AS new_customer
FROM bb;
SELECT round(kam.bgbb_expected(kam.bgbb(1, 1, 1, 2), 4)::numeric, 6) AS gamma_one,
       round((0.5 * 2 * (1 / 3.0 + 1 / 4.0 + 1 / 5.0 + 1 / 6.0))::numeric, 6) AS by_hand,
       abs(kam.bgbb_expected(kam.bgbb(1, 1, 1.000001, 2), 4) - kam.bgbb_expected(kam.bgbb(1, 1, 1, 2), 4)) < 1e-5 AS continuous;

-- ======================== BG/NBD: P(X(t) = n) ========================
-- R BTYD at (0.243, 4.414, 0.793, 2.426): P(X(39) = 0) = 0.5737864, P(X(2) = 10) = 1.07869e-07
SELECT round(kam.bgnbd_probability(m, 0, 39)::numeric, 7) AS p0_39,
       round((kam.bgnbd_probability(m, 10, 2) * 1e7)::numeric, 4) AS p10_2_e7
FROM (SELECT kam.bgnbd(0.243, 4.414, 0.793, 2.426) AS m) q;
-- lifetimes' PMF at t = 30, n = 11..20 (to 5 decimals), and the distribution sums to 1
SELECT n, round(kam.bgnbd_probability(kam.bgnbd(0.243, 4.414, 0.793, 2.426), n, 30)::numeric, 5) AS p,
       round(v::numeric, 5) AS lifetimes
FROM (VALUES (11, 0.0019995214), (12, 0.0015170236), (13, 0.0011633150), (14, 0.0009003148), (15, 0.0007023638),
             (16, 0.0005517902), (17, 0.0004361913), (18, 0.0003467171), (19, 0.0002769613), (20, 0.0002222260)) v(n, v);
SELECT round(sum(kam.bgnbd_probability(kam.bgnbd(0.243, 4.414, 0.793, 2.426), n, 39))::numeric, 9) AS total_mass,
       round(sum(n * kam.bgnbd_probability(kam.bgnbd(0.243, 4.414, 0.793, 2.426), n, 39))::numeric, 6) AS mean,
       round(kam.bgnbd_expected(kam.bgnbd(0.243, 4.414, 0.793, 2.426), 39)::numeric, 6) AS e_x39
FROM generate_series(0, 5000) n;
SELECT kam.bgnbd_probability(kam.bgnbd(0.243, 4.414, 0.793, 2.426), 0, 0) AS p0_at_0,
       kam.bgnbd_probability(kam.bgnbd(0.243, 4.414, 0.793, 2.426), 3, 0) AS p3_at_0,
       kam.bgnbd_probability(kam.bgnbd(0.243, 4.414, 0.793, 2.426), 2000000000, 39) AS far_tail;

-- ======================== standard errors of BG/NBD and Gamma-Gamma ========================
-- kam.bgnbd and kam.gammagamma keep their 0.1.0 layout; kam.bgnbd_fit_se and
-- kam.gammagamma_fit_se return the model with its standard errors. lifetimes on CDNOW:
-- r 0.01256, alpha 0.3782, a 0.1857, b 0.7053
CREATE TABLE cdm (id int, x int, t_x float8, "T" float8, zbar float8);
\copy cdm FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
SELECT round((e).r_se::numeric, 5) AS r_se, round((e).alpha_se::numeric, 4) AS alpha_se,
       round((e).a_se::numeric, 4) AS a_se, round((e).b_se::numeric, 4) AS b_se,
       (e).model::text = (SELECT kam.bgnbd_fit(x, t_x, "T")::text FROM cd) AS same_model
FROM (SELECT kam.bgnbd_fit_se(x, t_x, "T") AS e FROM cd) q;
SELECT round((e).p_se::numeric, 4) AS p_se, round((e).q_se::numeric, 4) AS q_se, round((e).v_se::numeric, 4) AS v_se,
       (e).model::text = (SELECT kam.gammagamma_fit(x, zbar)::text FROM cdm) AS same_model
FROM (SELECT kam.gammagamma_fit_se(x, zbar) AS e FROM cdm) q;
-- BG/NBD's standard errors against the inverse of a central-difference Hessian of the likelihood
-- written in SQL (x whole: finite products)
CREATE FUNCTION bg_ll_cd(r float8, alpha float8, a float8, b float8) RETURNS float8 LANGUAGE sql AS $$
    SELECT sum((SELECT coalesce(sum(ln(r + i) + ln(b + i) - ln(a + b + i)), 0) FROM generate_series(0, x - 1) i)
               + r * ln(alpha)
               + ln(power(alpha + "T", -(r + x)) + CASE WHEN x > 0 THEN a / (b + x - 1) * power(alpha + t_x, -(r + x)) ELSE 0 END))
    FROM cd
$$;
CREATE TABLE bg_h AS
WITH f AS (SELECT kam.bgnbd_param(m, 'r') AS p1, kam.bgnbd_param(m, 'alpha') AS p2, kam.bgnbd_param(m, 'a') AS p3,
                  kam.bgnbd_param(m, 'b') AS p4 FROM (SELECT kam.bgnbd_fit(x, t_x, "T") AS m FROM cd) q),
pts AS (SELECT i, j, si, sj, p1 * (1 + 1e-4 * (si * (i = 1)::int + sj * (j = 1)::int)) AS q1,
               p2 * (1 + 1e-4 * (si * (i = 2)::int + sj * (j = 2)::int)) AS q2,
               p3 * (1 + 1e-4 * (si * (i = 3)::int + sj * (j = 3)::int)) AS q3,
               p4 * (1 + 1e-4 * (si * (i = 4)::int + sj * (j = 4)::int)) AS q4,
               1e-4 * (ARRAY[p1, p2, p3, p4])[i] AS hi, 1e-4 * (ARRAY[p1, p2, p3, p4])[j] AS hj
        FROM f, generate_series(1, 4) i, generate_series(1, 4) j, (VALUES (-1), (1)) a(si), (VALUES (-1), (1)) b(sj))
SELECT i, j, -sum(si * sj * bg_ll_cd(q1, q2, q3, q4)) / (4 * min(hi) * min(hj)) AS info
FROM pts GROUP BY i, j;
SELECT name, abs(se / sqrt(d[k]) - 1) < 1e-3 AS se_matches
FROM (SELECT inv_diag((SELECT array_agg(r ORDER BY i) FROM (SELECT i, array_agg(info ORDER BY j) AS r FROM bg_h GROUP BY i) rows)::float8[]) AS d) inv,
     (SELECT kam.bgnbd_fit_se(x, t_x, "T") AS e FROM cd) q,
     LATERAL (VALUES (1, 'r', (e).r_se), (2, 'alpha', (e).alpha_se), (3, 'a', (e).a_se), (4, 'b', (e).b_se)) v(k, name, se)
ORDER BY k;
SELECT kam.bgnbd_fit_se(x, tx, t) IS NULL AS empty FROM (VALUES (1::float8, 1::float8, 2::float8)) v(x, tx, t) WHERE false;
SELECT split_part(test_error($q$SELECT kam.bgnbd_fit_se(2, 3, 5)$q$), ' | ', 1) AS one_customer;

-- ======================== every model type ========================
-- text and binary forms read back; NULL rows skipped; no rows: NULL with a NOTICE
SELECT (SELECT m::text::kam.paretonbd::text = m::text FROM pnbd) AS pnbd_text,
       (SELECT m::text::kam.mbgnbd::text = m::text FROM mbg) AS mbg_text,
       (SELECT m::text::kam.bgbb::text = m::text FROM bb) AS bgbb_text;
SELECT kam.paretonbd_fit(x, t_x, "T")::text = (SELECT m::text FROM pnbd) AS pnbd_nulls_skipped
FROM (SELECT x, t_x, "T" FROM cd UNION ALL SELECT NULL, 1, 2 UNION ALL SELECT 1, NULL, 2) q;
SELECT kam.paretonbd_fit(x, tx, t) IS NULL AS pnbd_empty FROM (VALUES (1::float8, 1::float8, 2::float8)) v(x, tx, t) WHERE false;
SELECT kam.mbgnbd_fit(x, tx, t) IS NULL AS mbg_empty FROM (VALUES (1::float8, 1::float8, 2::float8)) v(x, tx, t) WHERE false;
SELECT kam.bgbb_fit(x, tx, n) IS NULL AS bgbb_empty FROM (VALUES (1::float8, 1::float8, 2::float8)) v(x, tx, n) WHERE false;
SELECT kam.bgbb_fit(x, t_x, n, w)::text = (SELECT m::text FROM bb) AS zero_and_null_weights_skipped
FROM (SELECT x, t_x, n, w::float8 FROM don UNION ALL SELECT 1, 1, 6, 0 UNION ALL SELECT 2, 3, 6, NULL) q;
-- models from parameters: ll and standard errors unknown (NULL), n 0
SELECT kam.paretonbd(0.5534, 10.5802, 0.6061, 11.6562) AS pnbd, kam.paretonbd_param(kam.paretonbd(1, 2, 3, 4), 's_se') IS NULL AS se_unknown;
SELECT kam.mbgnbd(0.525, 6.183, 0.891, 1.614) AS mbg, kam.bgbb(1.204, 0.750, 0.657, 2.783) AS bgbb;
-- parallel workers fit the same models (serialize, deserialize, combine, merge of sorted parts)
CREATE TABLE cd_big AS SELECT c.* FROM cd c, generate_series(1, 8);
CREATE TABLE don_big AS SELECT d.* FROM don d, generate_series(1, 50);
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
SELECT plan_has($q$SELECT kam.paretonbd_fit(x, t_x, "T") FROM cd_big$q$, 'Partial Aggregate') AS partial_plan;
SELECT kam.paretonbd_fit(x, t_x, "T")::text AS p1, kam.mbgnbd_fit(x, t_x, "T")::text AS p2 FROM cd_big \gset
SELECT kam.bgbb_fit(x, t_x, n, w)::text AS p3 FROM don_big \gset
RESET ALL;
SELECT :'p1' = (SELECT kam.paretonbd_fit(x, t_x, "T")::text FROM cd_big) AS pnbd_parallel_equals_serial,
       :'p2' = (SELECT kam.mbgnbd_fit(x, t_x, "T")::text FROM cd_big) AS mbg_parallel_equals_serial,
       :'p3' = (SELECT kam.bgbb_fit(x, t_x, n, w)::text FROM don_big) AS bgbb_parallel_equals_serial;
-- 8 copies of every customer: the same parameters, 8 times the log-likelihood
SELECT abs(kam.paretonbd_param(:'p1'::kam.paretonbd, 'r') / kam.paretonbd_param(m, 'r') - 1) < 1e-9 AS same_r,
       abs(kam.paretonbd_param(:'p1'::kam.paretonbd, 'll') / kam.paretonbd_param(m, 'll') - 8) < 1e-9 AS ll_times_8
FROM pnbd;

-- ======================== errors ========================
-- data that cannot identify the model: nobody repeats; one customer
SELECT split_part(test_error($q$SELECT kam.paretonbd_fit(0, 0, 10 + g % 5) FROM generate_series(1, 100) g$q$), ' | ', 1) AS pnbd_no_repeats;
SELECT split_part(test_error($q$SELECT kam.paretonbd_fit(2, 3, 5)$q$), ' | ', 1) AS pnbd_one_customer;
SELECT split_part(test_error($q$SELECT kam.mbgnbd_fit(0, 0, 10 + g % 5) FROM generate_series(1, 100) g$q$), ' | ', 1) AS mbg_no_repeats;
SELECT split_part(test_error($q$SELECT kam.mbgnbd_fit(2, 3, 5)$q$), ' | ', 1) AS mbg_one_customer;
SELECT split_part(test_error($q$SELECT kam.bgbb_fit(0, 0, 6) FROM generate_series(1, 100) g$q$), ' | ', 1) AS bgbb_no_repeats;
SELECT split_part(test_error($q$SELECT kam.bgbb_fit(2, 3, 5)$q$), ' | ', 1) AS bgbb_one_customer;
SELECT test_error($q$SELECT kam.paretonbd_fit(1.5, 1, 2)$q$);
SELECT test_error($q$SELECT kam.paretonbd_fit(1, 3, 2)$q$);
SELECT test_error($q$SELECT kam.mbgnbd_fit(1, 'NaN', 2)$q$);
SELECT test_error($q$SELECT kam.bgbb_fit(3, 2, 6)$q$);
SELECT test_error($q$SELECT kam.bgbb_fit(1, 7, 6)$q$);
SELECT test_error($q$SELECT kam.bgbb_fit(0, 2, 6)$q$);
SELECT test_error($q$SELECT kam.bgbb_fit(1, 1.5, 6)$q$);
SELECT test_error($q$SELECT kam.bgbb_fit(1, 1, 'Infinity')$q$);
SELECT test_error($q$SELECT kam.bgbb_fit(1, 1, 200000)$q$);
SELECT test_error($q$SELECT kam.bgbb_fit(1, 1, 6, -1)$q$);
SELECT test_error($q$SELECT kam.bgbb_fit(1, 1, 6, 'NaN')$q$);
SELECT test_error($q$SELECT kam.paretonbd(0, 1, 1, 1)$q$);
SELECT test_error($q$SELECT kam.mbgnbd(1, 'Infinity', 1, 1)$q$);
SELECT test_error($q$SELECT kam.bgbb(1, 1, 1, 'NaN')$q$);
SELECT test_error($q$SELECT kam.paretonbd_param(kam.paretonbd(1, 1, 1, 1), 'a')$q$);
SELECT test_error($q$SELECT kam.bgbb_param(kam.bgbb(1, 1, 1, 1), 'r')$q$);
SELECT test_error($q$SELECT kam.paretonbd_expected(kam.paretonbd(1, 1, 1, 1), -1)$q$);
SELECT test_error($q$SELECT kam.paretonbd_expected(kam.paretonbd(1, 1, 1, 1), 'NaN'::float8, 1, 1, 2)$q$);
SELECT test_error($q$SELECT kam.paretonbd_p_alive(kam.paretonbd(1, 1, 1, 1), 1, 3, 2)$q$);
SELECT test_error($q$SELECT kam.mbgnbd_expected(kam.mbgnbd(1, 1, 1, 1), 'Infinity')$q$);
SELECT test_error($q$SELECT kam.mbgnbd_p_alive(kam.mbgnbd(1, 1, 1, 1), -1, 0, 2)$q$);
SELECT test_error($q$SELECT kam.bgbb_expected(kam.bgbb(1, 1, 1, 1), -1)$q$);
SELECT test_error($q$SELECT kam.bgbb_p_alive(kam.bgbb(1, 1, 1, 1), 2, 1, 6)$q$);
SELECT test_error($q$SELECT kam.bgnbd_probability(kam.bgnbd(1, 1, 1, 1), -1, 2)$q$);
SELECT test_error($q$SELECT kam.bgnbd_probability(kam.bgnbd(1, 1, 1, 1), 1, 'NaN')$q$);
SELECT test_error($q$SELECT '(r=1,alpha=1,s=1,beta=1,ll=0,n=1,r_se=-1,alpha_se=1,s_se=1,beta_se=1,cor_r_alpha=0,cor_r_s=0,cor_r_beta=0,cor_alpha_s=0,cor_alpha_beta=0,cor_s_beta=0)'::kam.paretonbd$q$);
SELECT test_error($q$SELECT '(r=1,alpha=1,s=1,beta=1,ll=Infinity,n=1,r_se=1,alpha_se=1,s_se=1,beta_se=1,cor_r_alpha=0,cor_r_s=0,cor_r_beta=0,cor_alpha_s=0,cor_alpha_beta=0,cor_s_beta=0)'::kam.paretonbd$q$);
SELECT test_error($q$SELECT '(alpha=1,beta=1,gamma=1,delta=1,ll=0,n=1.5,alpha_se=1,beta_se=1,gamma_se=1,delta_se=1,cor_alpha_beta=0,cor_alpha_gamma=0,cor_alpha_delta=0,cor_beta_gamma=0,cor_beta_delta=0,cor_gamma_delta=0)'::kam.bgbb$q$);
SELECT test_error($q$SELECT '(r=1,alpha=1,a=1,b=1,ll=0,n=1)'::kam.mbgnbd$q$);
SELECT test_error($q$SELECT '(r=1,alpha=1,a=1,b=1,ll=0,n=1,r_se=1,alpha_se=1,a_se=1,b_se=1,cor_r_alpha=1.5,cor_r_a=0,cor_r_b=0,cor_alpha_a=0,cor_alpha_b=0,cor_a_b=0)'::kam.mbgnbd$q$);

-- ======================== interval forms ========================
-- delta method from the standard errors and correlations: P(alive) on the logit scale, the
-- expectations on the log scale; each holds the point prediction, 80 % inside 95 %
SELECT f, round((i95).estimate::numeric, 4) AS estimate, round((i95).lower::numeric, 4) AS lower_95, round((i95).upper::numeric, 4) AS upper_95,
       (i80).lower > (i95).lower AND (i80).upper < (i95).upper AND (i95).lower < (i95).estimate AND (i95).estimate < (i95).upper AS nested,
       abs((i95).estimate - point) < 1e-12 AS estimate_is_point
FROM pnbd p, mbg g, bb b,
     LATERAL (VALUES ('pnbd p_alive', kam.paretonbd_p_alive_interval(p.m, 2, 30.43, 38.86), kam.paretonbd_p_alive_interval(p.m, 2, 30.43, 38.86, 0.8), kam.paretonbd_p_alive(p.m, 2, 30.43, 38.86)),
                     ('pnbd E[Y(39)]', kam.paretonbd_expected_interval(p.m, 39, 2, 30.43, 38.86), kam.paretonbd_expected_interval(p.m, 39, 2, 30.43, 38.86, 0.8), kam.paretonbd_expected(p.m, 39, 2, 30.43, 38.86)),
                     ('pnbd E[X(39)]', kam.paretonbd_expected_interval(p.m, 39), kam.paretonbd_expected_interval(p.m, 39, 0.8), kam.paretonbd_expected(p.m, 39)),
                     ('mbg p_alive', kam.mbgnbd_p_alive_interval(g.m, 2, 30.43, 38.86), kam.mbgnbd_p_alive_interval(g.m, 2, 30.43, 38.86, 0.8), kam.mbgnbd_p_alive(g.m, 2, 30.43, 38.86)),
                     ('mbg E[Y(39)]', kam.mbgnbd_expected_interval(g.m, 39, 2, 30.43, 38.86), kam.mbgnbd_expected_interval(g.m, 39, 2, 30.43, 38.86, 0.8), kam.mbgnbd_expected(g.m, 39, 2, 30.43, 38.86)),
                     ('mbg E[X(39)]', kam.mbgnbd_expected_interval(g.m, 39), kam.mbgnbd_expected_interval(g.m, 39, 0.8), kam.mbgnbd_expected(g.m, 39)),
                     ('bgbb p_alive', kam.bgbb_p_alive_interval(b.m, 2, 4, 6), kam.bgbb_p_alive_interval(b.m, 2, 4, 6, 0.8), kam.bgbb_p_alive(b.m, 2, 4, 6)),
                     ('bgbb E[5]', kam.bgbb_expected_interval(b.m, 5, 2, 4, 6), kam.bgbb_expected_interval(b.m, 5, 2, 4, 6, 0.8), kam.bgbb_expected(b.m, 5, 2, 4, 6)),
                     ('bgbb E[X(6)]', kam.bgbb_expected_interval(b.m, 6), kam.bgbb_expected_interval(b.m, 6, 0.8), kam.bgbb_expected(b.m, 6))) v(f, i95, i80, point);
-- a prediction that does not exist is NULL in both forms: MBG/NBD's expectations need a != 1
-- (a model with standard errors, a = 1); at a = 1.000001 both exist
WITH m AS (SELECT '(r=0.5,alpha=6,a=1,b=1.6,ll=-100,n=100,r_se=0.05,alpha_se=0.5,a_se=0.1,b_se=0.2,cor_r_alpha=0.5,cor_r_a=0.1,cor_r_b=0.1,cor_alpha_a=0.1,cor_alpha_b=0.1,cor_a_b=0.5)'::kam.mbgnbd AS m,
                  '(r=0.5,alpha=6,a=1.000001,b=1.6,ll=-100,n=100,r_se=0.05,alpha_se=0.5,a_se=0.1,b_se=0.2,cor_r_alpha=0.5,cor_r_a=0.1,cor_r_b=0.1,cor_alpha_a=0.1,cor_alpha_b=0.1,cor_a_b=0.5)'::kam.mbgnbd AS near)
SELECT kam.mbgnbd_expected(m, 10) IS NULL AS point_null, kam.mbgnbd_expected_interval(m, 10) IS NULL AS interval_null,
       kam.mbgnbd_expected(m, 10, 2, 5, 20) IS NULL AS cond_point_null, kam.mbgnbd_expected_interval(m, 10, 2, 5, 20) IS NULL AS cond_interval_null,
       (kam.mbgnbd_expected_interval(near, 10)).estimate = kam.mbgnbd_expected(near, 10) AS near_estimate_is_point,
       (kam.mbgnbd_expected_interval(near, 10)).lower < kam.mbgnbd_expected(near, 10) AS near_lower_below
FROM m;
-- the unconditional Pareto/NBD expectation's interval by hand: the log-scale gradient of
-- E = r beta/(alpha (s-1)) (1 - (beta/(beta+t))^(s-1)) by central differences in SQL, with the
-- covariance from the standard errors and correlations
WITH p AS (SELECT m, ARRAY[kam.paretonbd_param(m, 'r'), kam.paretonbd_param(m, 'alpha'), kam.paretonbd_param(m, 's'), kam.paretonbd_param(m, 'beta')] AS v,
                  ARRAY[kam.paretonbd_param(m, 'r_se'), kam.paretonbd_param(m, 'alpha_se'), kam.paretonbd_param(m, 's_se'), kam.paretonbd_param(m, 'beta_se')] AS se
           FROM pnbd),
e AS (SELECT m, v, se, i, (ln(kam.paretonbd_expected(kam.paretonbd(v[1] * (1 + 1e-6 * (i = 1)::int), v[2] * (1 + 1e-6 * (i = 2)::int), v[3] * (1 + 1e-6 * (i = 3)::int), v[4] * (1 + 1e-6 * (i = 4)::int)), 39))
                        - ln(kam.paretonbd_expected(kam.paretonbd(v[1] * (1 - 1e-6 * (i = 1)::int), v[2] * (1 - 1e-6 * (i = 2)::int), v[3] * (1 - 1e-6 * (i = 3)::int), v[4] * (1 - 1e-6 * (i = 4)::int)), 39)))
                       / (2e-6 * v[i]) AS g
      FROM p, generate_series(1, 4) i),
var AS (SELECT a.m, sum(a.g * b.g * a.se[a.i] * b.se[b.i]
                        * CASE WHEN a.i = b.i THEN 1
                               ELSE kam.paretonbd_param(a.m, 'cor_' || (ARRAY['r', 'alpha', 's', 'beta'])[least(a.i, b.i)] || '_' || (ARRAY['r', 'alpha', 's', 'beta'])[greatest(a.i, b.i)]) END) AS var
        FROM e a JOIN e b ON true GROUP BY a.m)
SELECT abs((kam.paretonbd_expected_interval(m, 39)).upper - kam.paretonbd_expected(m, 39) * exp(1.959963984540054 * sqrt(var))) < 1e-6 AS upper_by_hand
FROM var;
-- models from parameters: NULL bounds; confidence must lie in (0, 1)
SELECT (kam.paretonbd_p_alive_interval(kam.paretonbd(0.5534, 10.5802, 0.6061, 11.6562), 26, 30.86, 31)).*;
SELECT (kam.bgbb_expected_interval(kam.bgbb(1.204, 0.750, 0.657, 2.783), 0)).*;
SELECT test_error($q$SELECT kam.mbgnbd_p_alive_interval(kam.mbgnbd(1, 1, 1, 1), 1, 1, 2, 0)$q$);
SELECT test_error($q$SELECT kam.bgbb_p_alive_interval(kam.bgbb(1, 1, 1, 1), 1, 2, 1, 0.9)$q$);

-- ======================== Pareto/NBD: P(X(t) = n) ========================
-- alive throughout (an NBD count) or dead at tau in (0, t] (an integral over tau): the
-- distribution sums to 1 and its mean is E[X(t)], at the CDNOW fit and on both sides of alpha = beta
SELECT label, round(sum(kam.paretonbd_probability(m, n, 39))::numeric, 9) AS total_mass,
       abs(sum(n * kam.paretonbd_probability(m, n, 39)) - kam.paretonbd_expected(m, 39)) < 1e-8 AS mean_is_expected,
       round(kam.paretonbd_probability(m, 0, 39)::numeric, 6) AS p0
FROM (VALUES ('cdnow', (SELECT m FROM pnbd)), ('alpha > beta', kam.paretonbd(0.9, 20, 1.3, 4)),
             ('alpha < beta, s > 1', kam.paretonbd(2.5, 1.5, 3, 40))) v(label, m),
     generate_series(0, 3000) n
GROUP BY label, m ORDER BY label;
-- against plain SQL: the NBD term with G(r+x)/(G(r) x!) as a finite product, and the death term's
-- integral by Simpson's rule on 4000 intervals
CREATE FUNCTION pnbd_pmf_sql(r float8, alpha float8, s float8, beta float8, x int, t float8) RETURNS float8 LANGUAGE sql AS $$
    WITH g AS (SELECT exp(coalesce(sum(ln(r + i) - ln(i + 1)), 0)) AS g FROM generate_series(0, x - 1) i),
    i AS (SELECT sum(CASE WHEN k IN (0, 4000) THEN 1 WHEN k % 2 = 1 THEN 4 ELSE 2 END
                     * power(u, x) * power(alpha + u, -(r + x)) * power(beta + u, -(s + 1))) * (t / 4000) / 3 AS integral
          FROM generate_series(0, 4000) k, LATERAL (SELECT k * t / 4000 AS u) uu)
    SELECT g * power(alpha / (alpha + t), r) * power(t / (alpha + t), x) * power(beta / (beta + t), s)
           + g * power(alpha, r) * s * power(beta, s) * integral
    FROM g, i
$$;
SELECT n, round(kam.paretonbd_probability(m, n, 39)::numeric, 8) AS kam,
       abs(kam.paretonbd_probability(m, n, 39) - pnbd_pmf_sql(0.5534, 10.5802, 0.6061, 11.6562, n, 39)) < 1e-9 AS matches_sql
FROM (SELECT kam.paretonbd(0.5534, 10.5802, 0.6061, 11.6562) AS m) q, (VALUES (0), (1), (2), (5), (12)) v(n);
-- at t = 0 all the mass is at 0; a far tail is 0
SELECT kam.paretonbd_probability(m, 0, 0) AS p0_at_0, kam.paretonbd_probability(m, 2, 0) AS p2_at_0,
       kam.paretonbd_probability(m, 1000000, 39) < 1e-300 AS far_tail
FROM pnbd;
SELECT test_error($q$SELECT kam.paretonbd_probability(kam.paretonbd(1, 1, 1, 1), -1, 2)$q$);
SELECT test_error($q$SELECT kam.paretonbd_probability(kam.paretonbd(1, 1, 1, 1), 1, 'Infinity')$q$);
