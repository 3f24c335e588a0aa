#!/usr/bin/python3
"""kam through psycopg2: parameters, composite results, arrays, set-returning
functions, kam summary types as text, SQLSTATEs of errors.  Run by
test/clients/run.sh with Debian's python3 (python3-psycopg2)."""
import sys

import psycopg2
import psycopg2.errors

checks = 0


def check(ok, what):
    global checks
    if not ok:
        raise AssertionError("psycopg2: " + what)
    checks += 1


def close(a, b, tol, what):
    check(abs(a - b) <= tol, "%s: %r vs %r" % (what, a, b))


conn = psycopg2.connect(dbname=sys.argv[1])
cur = conn.cursor()

cur.execute("SELECT kam.nrr(s, e), kam.grr(s, e) FROM (VALUES (%s::float8, %s::float8), (%s::float8, %s::float8)) v(s, e)",
            (100, 120, 50, 0))
nrr, grr = cur.fetchone()
close(nrr, 0.8, 1e-12, "nrr")
close(grr, 100 / 150, 1e-12, "grr")

# Python lists become float8[] parameters
cur.execute("SELECT kam.weighted_score(%s::float8[], %s::float8[]), kam.health_grade(kam.health_score(%s::float8[], %s::float8[]))",
            ([0.47, 0.59, 0.21], [20, 15, 22], [47, 59, 21], [20, 15, 22]))
score, grade = cur.fetchone()
close(score, 2287 / 57, 1e-9, "weighted_score")
check(grade == "F", "grade")

# composite results, expanded into columns
cur.execute("SELECT (kam.wilson_interval(%s, %s)).*", (8, 10))
row = cur.fetchone()
names = [d[0] for d in cur.description]
check(names == ["estimate", "lower", "upper"], "columns %r" % names)
close(row[1], 0.4902, 5e-5, "wilson lower")
close(row[2], 0.9433, 5e-5, "wilson upper")
cur.execute("SELECT (kam.forecast_accuracy(f, a)).* FROM (VALUES (110.0, 100.0), (90, 100), (10, 0), (50, 40)) v(f, a)")
n, zero, mape, wape, bias = cur.fetchone()
check(n == 4 and zero == 1, "forecast counts")
close(mape, 0.15, 1e-12, "mape")

# a summary type as text and back
cur.execute("SELECT kam.retention_agg(s, e)::text FROM (VALUES (100.0, 120.0), (50, 0), (0, 30)) v(s, e)")
summary = cur.fetchone()[0]
check(summary.startswith("(starting=150:2,new=30:1"), "retention text " + summary)
cur.execute("SELECT kam.nrr(%s::kam.retention)", (summary,))
close(cur.fetchone()[0], 0.8, 1e-12, "nrr from text")
cur.execute("SELECT kam.nps_agg(s)::text FROM (VALUES (10), (9), (6), (8)) v(s)")
nps_summary = cur.fetchone()[0]
cur.execute("SELECT kam.nps(%s::kam.survey), (kam.nps_interval(%s::kam.survey)).lower", (nps_summary, nps_summary))
nps, lower = cur.fetchone()
close(nps, 25.0, 1e-12, "nps")
check(lower < nps, "nps interval")

# arrays of composites and set-returning functions
cur.execute("SELECT count(*), bool_and(period IS NOT NULL) FROM unnest((SELECT kam.cohort_retention(account_id, month, mrr) FROM crm.mrr_snapshots)) c")
cells, ok = cur.fetchone()
check(cells > 0 and ok, "cohort cells")
cur.execute("SELECT t, survival FROM kam.survival_curve(%s::kam.survival) ORDER BY t", ("(10:1:0,20:1:0,30:1:0,40:1:0)",))
curve = cur.fetchall()
check([t for t, _ in curve] == [10, 20, 30, 40], "survival times")
close(curve[-1][1], 0.0, 1e-12, "survival at the end")

# Unicode, and the aggregate form with ORDER BY
cur.execute("SELECT kam.sparkline(%s::float8[])", ([1, 2, 3, 4, 5, 6, 7, 8],))
check(cur.fetchone()[0] == "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588", "sparkline")

# errors carry kam's SQLSTATE
try:
    cur.execute("SELECT kam.weighted_score(%s::float8[], %s::float8[])", ([0.5, 0.5], [1, -1]))
    check(False, "negative weight accepted")
except psycopg2.Error as e:
    check(e.pgcode == "22023", "SQLSTATE %s" % e.pgcode)
    conn.rollback()
try:
    cur.execute("SELECT %s::kam.scorecard", ("garbage",))
    check(False, "garbage scorecard accepted")
except psycopg2.Error as e:
    check(e.pgcode == "22P02", "SQLSTATE %s" % e.pgcode)
    conn.rollback()

# every stored type through the binary protocol (send, then recv) and back equal:
# COPY ... (FORMAT binary) out to the client and in again
import io
cur.execute("""CREATE TEMP TABLE kam_values AS SELECT
 (SELECT kam.retention_agg(s, e) FROM (VALUES (100.0::float8, 120.0::float8), (50, 0), (0, 30)) v(s, e)) AS retention,
 (SELECT kam.survival_agg(a, b, '2024-12-01') FROM (VALUES ('2024-01-01'::date, '2024-03-01'::date), ('2024-02-01', NULL)) v(a, b)) AS survival,
 kam.bgnbd(0.243, 4.414, 0.793, 2.426) AS bgnbd, kam.gammagamma(6.25, 3.74, 15.44) AS gammagamma,
 kam.scorecard(ARRAY['arr', 'nps'], ARRAY[3, 1], ARRAY[0, -100], ARRAY[200000, 100], 'zero') AS scorecard,
 kam.hhi_sfunc(kam.hhi_sfunc(NULL, 3), 4) AS hhi_state, kam.forecast_sfunc(NULL, 110, 100) AS forecast_state, kam.top_sfunc(kam.top_sfunc(NULL, 3, 2), 5.5, 2) AS top_state,
 (SELECT kam.nps_agg(s) FROM (VALUES (9), (10), (3)) v(s)) AS survey,
 kam.band_scheme(ARRAY['at risk', 'watch', 'healthy'], ARRAY[40, 70, 100]) AS band_scheme,
 (SELECT kam.trend(at, x) FROM (VALUES ('2024-01-01'::timestamptz, 1.5::float8), ('2024-02-01', 3)) v(at, x)) AS trend,
 (SELECT kam.renewal_agg(e, r, v, w, '2024-01-01', '2025-01-01', '2025-01-01') FROM (VALUES ('2024-03-31'::date, '2024-03-15'::date, 1200.5::float8, 1320.25::float8), ('2024-06-30', NULL, 800, NULL), ('2024-12-15', NULL, 99.99, NULL)) v(e, r, v, w)) AS renewals,
 kam.sbg_fit(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]) AS sbg,
 kam.paretonbd(0.5534, 10.5802, 0.6061, 11.6562) AS paretonbd, kam.mbgnbd(0.525, 6.183, 0.891, 1.614) AS mbgnbd, kam.bgbb(1.204, 0.750, 0.657, 2.783) AS bgbb, kam.bdw(0.7, 1.2, 0.9) AS bdw""")
cur.execute("CREATE TEMP TABLE kam_values_back (LIKE kam_values)")
buf = io.BytesIO()
cur.copy_expert("COPY kam_values TO STDOUT (FORMAT binary)", buf)
check(buf.getvalue().startswith(b"PGCOPY\n"), "binary COPY header")
buf.seek(0)
cur.copy_expert("COPY kam_values_back FROM STDIN (FORMAT binary)", buf)
cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'kam_values' ORDER BY ordinal_position")
for (col,) in cur.fetchall():
    cur.execute("SELECT a.%s::text, b.%s::text FROM kam_values a, kam_values_back b" % (col, col))
    a, b = cur.fetchone()
    check(a is not None and a == b, "kam.%s through binary: %r vs %r" % (col, a, b))

print("psycopg2: %d checks passed" % checks)
