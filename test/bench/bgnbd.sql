-- kam BG/NBD benchmark queries; run by test/bench/bgnbd.sh.  Each query is
-- tagged with "-- bench: <name>"; the runner times every one.  Tables:
-- sim_days (t_x and T in whole days, as from dated transactions) and
-- sim_exact (simulated times), one row (x, t_x, T) per customer, in weeks.

-- bench: floor_sum_exact
SELECT sum(x), sum(t_x), sum("T") FROM sim_exact;
-- bench: kam_bgnbd_fit_exact
SELECT kam.bgnbd_fit(x, t_x, "T") FROM sim_exact;
-- bench: floor_sum_days
SELECT sum(x), sum(t_x), sum("T") FROM sim_days;
-- bench: kam_bgnbd_fit_days
SELECT kam.bgnbd_fit(x, t_x, "T") FROM sim_days;

-- the other customer-base models: Pareto/NBD on its own simulated process, MBG/NBD on the
-- BG/NBD data, BG/BB on the donations data repeated to a million donors
-- bench: floor_sum_pn_days
SELECT sum(x), sum(t_x), sum("T") FROM pn_days;
-- bench: kam_paretonbd_fit_exact
SELECT kam.paretonbd_fit(x, t_x, "T") FROM pn_exact;
-- bench: kam_paretonbd_fit_days
SELECT kam.paretonbd_fit(x, t_x, "T") FROM pn_days;
-- bench: kam_mbgnbd_fit_days
SELECT kam.mbgnbd_fit(x, t_x, "T") FROM sim_days;
-- bench: floor_sum_bb
SELECT sum(x), sum(t_x), sum(n) FROM bb_1m;
-- bench: kam_bgbb_fit_1m
SELECT kam.bgbb_fit(x, t_x, n) FROM bb_1m;

-- scoring every customer with a model, against P(alive) written as a float8 expression
-- bench: float8_p_alive_expression
SELECT sum(CASE WHEN x = 0 THEN 1
                ELSE 1 / (1 + 0.8 / (2.5 + x - 1) * power((3 + "T") / (3 + t_x), 0.6 + x)) END)
FROM sim_exact;
-- bench: kam_p_alive
SELECT sum(kam.bgnbd_p_alive(kam.bgnbd(0.6, 3, 0.8, 2.5), x, t_x, "T")) FROM sim_exact;
-- bench: kam_expected_39
SELECT sum(kam.bgnbd_expected(kam.bgnbd(0.6, 3, 0.8, 2.5), 39, x, t_x, "T")) FROM sim_exact;
