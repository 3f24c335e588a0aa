#!/usr/bin/env python3
"""Simulate the BG/NBD purchase process (Fader, Hardie & Lee 2005) and print
one CSV row "x,t_x,T" per customer, for the kam.bgnbd_fit benchmark.

Each customer makes a first purchase at a day chosen uniformly in the first
`--cohort-days` days of a `--window-days` observation window (so T, the age
in weeks, varies between customers as in CDNOW), then:
  lambda ~ Gamma(shape r, rate alpha)   purchase rate per week
  p      ~ Beta(a, b)                  drop-out probability after each repeat purchase
Repeat purchases arrive as a Poisson process of rate lambda while the
customer is alive; after each repeat purchase the customer drops out with
probability p.  x is the number of repeat purchases in (0, T], t_x the time
of the last one (0 when x = 0).

--resolution days (the default) records t_x and T in whole days, as a
transaction table with dates gives them (in weeks: multiples of 1/7): the
first purchase happens at a random time of its day, every purchase is
recorded by its date, and ages are counted from the first date to the end of
the window; --resolution exact keeps the simulated times.

--model paretonbd simulates the Pareto/NBD process instead: lifetimes are
exponential with a rate mu ~ Gamma(shape s, rate beta) (--s, --beta), and
purchases run at rate lambda until death (the Pareto/NBD fit's benchmark).

Deterministic for a given --seed.  Python 3 standard library only.
"""
import argparse
import random
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--r", type=float, default=0.243)
    ap.add_argument("--alpha", type=float, default=4.414)
    ap.add_argument("--a", type=float, default=0.793)
    ap.add_argument("--b", type=float, default=2.426)
    ap.add_argument("--cohort-days", type=int, default=84)
    ap.add_argument("--window-days", type=int, default=273)
    ap.add_argument("--resolution", choices=("days", "exact"), default="days")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--model", choices=("bgnbd", "paretonbd"), default="bgnbd")
    ap.add_argument("--s", type=float, default=0.8)
    ap.add_argument("--beta", type=float, default=10.0)
    o = ap.parse_args()

    rng = random.Random(o.seed)
    out = sys.stdout
    buf = []
    days = o.resolution == "days"
    for _ in range(o.customers):
        first = rng.randrange(o.cohort_days)
        age_days = o.window_days - first
        # with dates, the first purchase falls at a random time of its day
        start = rng.random() if days else 0.0
        T = (age_days - start) / 7.0
        lam = rng.gammavariate(o.r, 1.0 / o.alpha)
        x = 0
        tx = 0.0
        t = 0.0
        if o.model == "paretonbd":
            end = min(T, rng.expovariate(rng.gammavariate(o.s, 1.0 / o.beta)))
            while lam > 0:
                t += rng.expovariate(lam)
                if t > end:
                    break
                x += 1
                tx = t
        else:
            p = rng.betavariate(o.a, o.b)
            while lam > 0:
                t += rng.expovariate(lam)
                if t > T:
                    break
                x += 1
                tx = t
                if rng.random() < p:
                    break
        if days:
            # ages from the first purchase's date: the last purchase's date
            # is day floor(start + 7 t_x), the window ends after age_days
            tx = int(start + tx * 7.0) / 7.0 if x > 0 else 0.0
            T = age_days / 7.0
        buf.append("%d,%r,%r\n" % (x, tx, T))
        if len(buf) >= 10000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


if __name__ == "__main__":
    main()
