#!/usr/bin/env python3
"""Coverage of kam's standard errors and interval forms by simulation (issue 16).

For each model, 200 data sets are simulated from known parameters (Python
standard library, seeded), fitted by kam one data set per group, and the
stated 95 % intervals are checked to cover the true value in 90-99 % of the
sets: estimate -+ 1.96 se for every parameter, and the delta-method interval
form of one prediction against its value at the true parameters.

  python3 test/models/coverage.py DBNAME     (inside a cluster, PG* set)

Prints one line per parameter and prediction and exits 1 when one falls
outside 90-99 % (180 to 198 of 200 sets).
"""
import io
import math
import random
import subprocess
import sys

SETS = 200
LOW, HIGH = 180, 198


def psql(db, sql, stdin=None):
    r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                       input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("coverage: psql failed: " + r.stderr.strip())
    return r.stdout


def load(db, table, columns, rows):
    psql(db, "DROP TABLE IF EXISTS %s; CREATE TABLE %s (set int, %s)" %
         (table, table, ", ".join(c + " float8" for c in columns)))
    buf = io.StringIO()
    for row in rows:
        buf.write(",".join(repr(v) if isinstance(v, float) else str(v) for v in row) + "\n")
    psql(db, "\\copy %s FROM STDIN CSV" % table, buf.getvalue())


def sbg_sets(rng, alpha, beta, customers, periods):
    for s in range(SETS):
        for _ in range(customers):
            theta = rng.betavariate(alpha, beta)
            t = 1
            while t <= periods and rng.random() >= theta:
                t += 1
            yield (s, t, 1) if t <= periods else (s, periods, 0)


def bdw_sets(rng, alpha, beta, c, customers, periods):
    """Beta-discrete-Weibull: P(T > t | theta) = (1 - theta)^(t^c), theta ~ Beta(alpha, beta)."""
    for s in range(SETS):
        for _ in range(customers):
            theta = rng.betavariate(alpha, beta)
            u = 1.0 - rng.random()
            # T > t exactly when t^c < ln(u) / ln(1 - theta)
            limit = math.log(u) / math.log1p(-theta) if theta < 1 else 0.0
            t = 1
            while t <= periods and t ** c < limit:
                t += 1
            yield (s, t, 1) if t <= periods else (s, periods, 0)


def bgbb_sets(rng, al, be, ga, de, customers, n):
    for s in range(SETS):
        for _ in range(customers):
            p, theta = rng.betavariate(al, be), rng.betavariate(ga, de)
            x = tx = 0
            for i in range(1, n + 1):
                # dead at the start of an opportunity with probability theta, else buys with p
                if rng.random() < theta:
                    break
                if rng.random() < p:
                    x, tx = x + 1, i
            yield (s, x, tx, n)


def rfm_sets(rng, kind, p1, p2, p3, p4, customers, spend=None):
    """Pareto/NBD (r, alpha, s, beta), BG/NBD or MBG/NBD (r, alpha, a, b); ages 26-52.
    With spend = (p, q, v) a fifth column: the mean of the repeat transactions' values under
    the Gamma-Gamma model (each ~ Gamma(p, rate nu), nu ~ Gamma(q, rate v)), 0 for x = 0."""
    for s in range(SETS):
        for _ in range(customers):
            T = rng.uniform(26, 52)
            lam = rng.gammavariate(p1, 1 / p2)
            x, t, tx = 0, 0.0, 0.0
            if kind == "paretonbd":
                death = rng.expovariate(rng.gammavariate(p3, 1 / p4))
                while True:
                    t += rng.expovariate(lam)
                    if t > min(death, T):
                        break
                    x, tx = x + 1, t
            else:
                drop = rng.betavariate(p3, p4)
                alive = not (kind == "mbgnbd" and rng.random() < drop)
                while alive:
                    t += rng.expovariate(lam)
                    if t > T:
                        break
                    x, tx = x + 1, t
                    alive = rng.random() >= drop
            if spend is None:
                yield (s, x, tx, T)
            else:
                nu = rng.gammavariate(spend[1], 1 / spend[2])
                m = sum(rng.gammavariate(spend[0], 1 / nu) for _ in range(x)) / x if x > 0 else 0.0
                yield (s, x, tx, T, m)


def bdw_brute(a, b, c, n, terms=2000000):
    """sum over k >= 0 of S(n + k) / S(n - 1) for BdW, by brute force plus the power-law tail."""
    def L(t):
        return 0.0 if t == 0 else (math.lgamma(b + t ** c) - math.lgamma(a + b + t ** c)
                                   - math.lgamma(b) + math.lgamma(a + b))
    base = L(n - 1)
    s = sum(math.exp(L(n + k) - base) for k in range(terms))
    return s + math.exp(L(n + terms) - base) * (n + terms) / (c * a - 1)


def independent(db):
    """kam's BdW undiscounted sums (10^6 terms and a power-law tail) against 2 * 10^6 terms
    summed here with the same tail; 0 when they agree to 1e-4 (the tail's error)."""
    bad = 0
    for a, b, c, n in ((0.8, 3.0, 2.0, 1), (0.8, 3.0, 2.0, 4), (2.0, 3.0, 0.7, 1), (0.7, 1.2, 1.8, 3)):
        kam = float(psql(db, "SELECT kam.bdw_derl(kam.bdw(%r, %r, %r), %d, 0)" % (a, b, c, n)).strip())
        ref = bdw_brute(a, b, c, n)
        ok = abs(kam / ref - 1) < 1e-4
        bad += not ok
        print("independent: BdW (%g, %g, %g) residual lifetime after %d periods: kam %.9g, summed here %.9g%s"
              % (a, b, c, n, kam, ref, "" if ok else "  FAILED"))
    return bad


def count(db, sql):
    return [int(v) for v in psql(db, sql).strip().split("|")]


def main():
    db = sys.argv[1]
    rng = random.Random(20261202)
    failed = 0
    checks = []

    load(db, "cov_sbg", ["periods", "churned"], sbg_sets(rng, 0.7, 1.2, 1000, 8))
    checks.append(("sBG (0.7, 1.2), 1000 customers x 8 periods", """
        WITH f AS (SELECT kam.sbg_fit(periods::int, churned = 1) AS m FROM cov_sbg GROUP BY set)
        SELECT count(*) FILTER (WHERE abs(kam.sbg_param(m, 'alpha') - 0.7) <= 1.96 * kam.sbg_param(m, 'alpha_se')),
               count(*) FILTER (WHERE abs(kam.sbg_param(m, 'beta') - 1.2) <= 1.96 * kam.sbg_param(m, 'beta_se')),
               count(*) FILTER (WHERE kam.sbg_survival(kam.sbg(0.7, 1.2), 12)
                                BETWEEN (kam.sbg_survival_interval(m, 12)).lower AND (kam.sbg_survival_interval(m, 12)).upper),
               count(*) FILTER (WHERE kam.sbg_derl(kam.sbg(0.7, 1.2), 3, 0.1)
                                BETWEEN (kam.sbg_derl_interval(m, 3, 0.1)).lower AND (kam.sbg_derl_interval(m, 3, 0.1)).upper)
        FROM f""", ["alpha", "beta", "S(12) interval", "DERL(3, 10 %) interval"]))

    load(db, "cov_bdw", ["periods", "churned"], bdw_sets(rng, 0.7, 1.2, 0.6, 3000, 12))
    checks.append(("BdW (0.7, 1.2, c 0.6), 3000 customers x 12 periods", """
        WITH f AS (SELECT kam.bdw_fit(periods::int, churned = 1) AS m FROM cov_bdw GROUP BY set)
        SELECT count(*) FILTER (WHERE abs(kam.bdw_param(m, 'alpha') - 0.7) <= 1.96 * kam.bdw_param(m, 'alpha_se')),
               count(*) FILTER (WHERE abs(kam.bdw_param(m, 'beta') - 1.2) <= 1.96 * kam.bdw_param(m, 'beta_se')),
               count(*) FILTER (WHERE abs(kam.bdw_param(m, 'c') - 0.6) <= 1.96 * kam.bdw_param(m, 'c_se')),
               count(*) FILTER (WHERE kam.bdw_survival(kam.bdw(0.7, 1.2, 0.6), 12)
                                BETWEEN (kam.bdw_survival_interval(m, 12)).lower AND (kam.bdw_survival_interval(m, 12)).upper)
        FROM f""", ["alpha", "beta", "c", "S(12) interval"]))

    load(db, "cov_bgbb", ["x", "t_x", "n"], bgbb_sets(rng, 1.2, 0.75, 0.66, 2.8, 2000, 6))
    checks.append(("BG/BB (1.2, 0.75, 0.66, 2.8), 2000 customers x 6 opportunities", """
        WITH f AS (SELECT kam.bgbb_fit(x, t_x, n) AS m FROM cov_bgbb GROUP BY set)
        SELECT count(*) FILTER (WHERE abs(kam.bgbb_param(m, 'alpha') - 1.2) <= 1.96 * kam.bgbb_param(m, 'alpha_se')),
               count(*) FILTER (WHERE abs(kam.bgbb_param(m, 'beta') - 0.75) <= 1.96 * kam.bgbb_param(m, 'beta_se')),
               count(*) FILTER (WHERE abs(kam.bgbb_param(m, 'gamma') - 0.66) <= 1.96 * kam.bgbb_param(m, 'gamma_se')),
               count(*) FILTER (WHERE abs(kam.bgbb_param(m, 'delta') - 2.8) <= 1.96 * kam.bgbb_param(m, 'delta_se')),
               count(*) FILTER (WHERE kam.bgbb_expected(kam.bgbb(1.2, 0.75, 0.66, 2.8), 5, 3, 5, 6)
                                BETWEEN (kam.bgbb_expected_interval(m, 5, 3, 5, 6)).lower AND (kam.bgbb_expected_interval(m, 5, 3, 5, 6)).upper)
        FROM f""", ["alpha", "beta", "gamma", "delta", "E[X(6, 11) | 3, 5, 6] interval"]))

    load(db, "cov_pnbd", ["x", "t_x", "age"], rfm_sets(rng, "paretonbd", 0.6, 3.0, 0.8, 10.0, 2000))
    checks.append(("Pareto/NBD (0.6, 3, 0.8, 10), 2000 customers aged 26-52", """
        WITH f AS (SELECT kam.paretonbd_fit(x, t_x, age) AS m FROM cov_pnbd GROUP BY set)
        SELECT count(*) FILTER (WHERE abs(kam.paretonbd_param(m, 'r') - 0.6) <= 1.96 * kam.paretonbd_param(m, 'r_se')),
               count(*) FILTER (WHERE abs(kam.paretonbd_param(m, 'alpha') - 3) <= 1.96 * kam.paretonbd_param(m, 'alpha_se')),
               count(*) FILTER (WHERE abs(kam.paretonbd_param(m, 's') - 0.8) <= 1.96 * kam.paretonbd_param(m, 's_se')),
               count(*) FILTER (WHERE abs(kam.paretonbd_param(m, 'beta') - 10) <= 1.96 * kam.paretonbd_param(m, 'beta_se')),
               count(*) FILTER (WHERE kam.paretonbd_p_alive(kam.paretonbd(0.6, 3, 0.8, 10), 4, 20, 40)
                                BETWEEN (kam.paretonbd_p_alive_interval(m, 4, 20, 40)).lower AND (kam.paretonbd_p_alive_interval(m, 4, 20, 40)).upper)
        FROM f""", ["r", "alpha", "s", "beta", "P(alive | 4, 20, 40) interval"]))

    load(db, "cov_mbg", ["x", "t_x", "age"], rfm_sets(rng, "mbgnbd", 0.6, 3.0, 0.8, 2.5, 2000))
    checks.append(("MBG/NBD (0.6, 3, 0.8, 2.5), 2000 customers aged 26-52", """
        WITH f AS (SELECT kam.mbgnbd_fit(x, t_x, age) AS m FROM cov_mbg GROUP BY set)
        SELECT count(*) FILTER (WHERE abs(kam.mbgnbd_param(m, 'r') - 0.6) <= 1.96 * kam.mbgnbd_param(m, 'r_se')),
               count(*) FILTER (WHERE abs(kam.mbgnbd_param(m, 'alpha') - 3) <= 1.96 * kam.mbgnbd_param(m, 'alpha_se')),
               count(*) FILTER (WHERE abs(kam.mbgnbd_param(m, 'a') - 0.8) <= 1.96 * kam.mbgnbd_param(m, 'a_se')),
               count(*) FILTER (WHERE abs(kam.mbgnbd_param(m, 'b') - 2.5) <= 1.96 * kam.mbgnbd_param(m, 'b_se')),
               count(*) FILTER (WHERE kam.mbgnbd_expected(kam.mbgnbd(0.6, 3, 0.8, 2.5), 26)
                                BETWEEN (kam.mbgnbd_expected_interval(m, 26)).lower AND (kam.mbgnbd_expected_interval(m, 26)).upper)
        FROM f""", ["r", "alpha", "a", "b", "E[X(26)] interval"]))

    load(db, "cov_bg", ["x", "t_x", "age", "m"], rfm_sets(rng, "bgnbd", 0.6, 3.0, 0.8, 2.5, 2000, (6.0, 4.0, 15.0)))
    checks.append(("BG/NBD (0.6, 3, 0.8, 2.5) and Gamma-Gamma (6, 4, 15), 2000 customers aged 26-52", """
        WITH f AS (SELECT kam.bgnbd_fit_se(x, t_x, age) AS e, kam.gammagamma_fit_se(x, m) AS g FROM cov_bg GROUP BY set),
        truth AS (SELECT kam.clv(kam.bgnbd(0.6, 3, 0.8, 2.5), kam.gammagamma(6, 4, 15), 3, 30, 40, 20, 12, 0.01, 4.345) AS clv)
        SELECT count(*) FILTER (WHERE abs(kam.bgnbd_param((e).model, 'r') - 0.6) <= 1.96 * (e).r_se),
               count(*) FILTER (WHERE abs(kam.bgnbd_param((e).model, 'alpha') - 3) <= 1.96 * (e).alpha_se),
               count(*) FILTER (WHERE abs(kam.bgnbd_param((e).model, 'a') - 0.8) <= 1.96 * (e).a_se),
               count(*) FILTER (WHERE abs(kam.bgnbd_param((e).model, 'b') - 2.5) <= 1.96 * (e).b_se),
               count(*) FILTER (WHERE abs(kam.gammagamma_param((g).model, 'p') - 6) <= 1.96 * (g).p_se),
               count(*) FILTER (WHERE abs(kam.gammagamma_param((g).model, 'q') - 4) <= 1.96 * (g).q_se),
               count(*) FILTER (WHERE abs(kam.gammagamma_param((g).model, 'v') - 15) <= 1.96 * (g).v_se),
               count(*) FILTER (WHERE clv BETWEEN (kam.clv_interval(e, g, 3, 30, 40, 20, 12, 0.01, 4.345)).lower
                                              AND (kam.clv_interval(e, g, 3, 30, 40, 20, 12, 0.01, 4.345)).upper)
        FROM f, truth""", ["r", "alpha", "a", "b", "Gamma-Gamma p", "Gamma-Gamma q", "Gamma-Gamma v",
                           "CLV(3, 30, 40, $20; 12 months) interval"]))

    failed += independent(db)
    for label, sql, names in checks:
        for name, covered in zip(names, count(db, sql)):
            ok = LOW <= covered <= HIGH
            failed += not ok
            print("coverage: %-70s %-32s %3d of %d sets (%.1f %%)%s" %
                  (label, name, covered, SETS, 100.0 * covered / SETS, "" if ok else "  FAILED: outside 90-99 %"))
    psql(db, "DROP TABLE cov_sbg, cov_bdw, cov_bgbb, cov_pnbd, cov_mbg, cov_bg")
    print("coverage: %s" % ("passed" if not failed else "%d FAILED" % failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
