#!/usr/bin/env bash
# Inside a cluster (PG* set): every kam aggregate stops within 0.5 s of statement_timeout.
#
# Each aggregate runs over data sized to take well past its timeout; the timeout is the time
# of a bare count() over the same rows (the scan, so that the cancel lands in kam's own
# transition, combine or final function) plus 0.2 s.  The query must fail with 57014 (it was
# still running: otherwise the data were too small to show anything) and return within 0.5 s
# of the timeout.  Every aggregate kam owns must have a line below, so a new one cannot be
# left out.
set -uo pipefail
cd "$(dirname "$0")/../.."
psql() { command psql -X -q "$@"; }
. test/cluster-lib.sh
db=kam_interrupts
kam_fresh_databases $db
export PGDATABASE=$db PGOPTIONS="${PGOPTIONS:-} -c max_parallel_workers_per_gather=0 -c client_min_messages=warning"
psql -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || { echo "interrupts: FAILED, the data could not be made"; exit 1; }
CREATE EXTENSION kam;
-- 2M rows: 200,000 accounts, 120 month-start dates, amounts, and the other arguments
CREATE TABLE d AS
SELECT g % 200000 AS acct,
       (DATE '2010-01-01' + make_interval(months => ((g * 7919) % 120)::int))::date AS at,
       (1 + (g * 7907) % 1000)::float8 AS mrr, (1 + (g * 7907) % 1000)::numeric AS mrr_n,
       TIMESTAMPTZ '2010-01-01' + make_interval(days => ((g * 7919) % 3650)::int) AS ts,
       ((g * 13) % 10)::float8 AS x, ((g * 13) % 10 + (g % 7))::float8 AS t_x, 40::float8 AS big_t,
       (g % 11)::int AS score, (g * 7907 % 3650)::int AS life
FROM generate_series(1::bigint, 2000000) g;
-- sparse: 230,000 rows over 100,000 distinct dates (the waterfall's worst case)
CREATE TABLE s AS
SELECT g % 50000 AS acct, DATE '2000-01-01' + (g * 37 % 100000)::int AS at, 1.0::float8 AS mrr, 1.0::numeric AS mrr_n
FROM generate_series(1::bigint, 230000) g;
-- 2M retention summaries for kam.rollup
CREATE TABLE r AS SELECT kam.retention_agg(mrr, mrr * 1.1) AS r, kam.nps_agg(score) AS v,
       kam.survival_agg(at, at + life, '2030-01-01') AS l FROM d GROUP BY acct % 20000, at;
VACUUM ANALYZE d; VACUUM ANALYZE s; VACUUM ANALYZE r;
SQL
# name | phase (final, rows or bounded) | query over table d, s or r (the bare scan is the
# same FROM clause with count(*)). A query must end only by its cancel: the cohort table over
# d's 3 650 distinct days would stop at once with its own error (too many periods) once its
# final function is faster than the timeout, so its timestamptz cases read the monthly dates.
cases=$(cat <<'CASES'
retention_agg(double precision,double precision)|rows|SELECT kam.retention_agg(mrr, mrr * 1.1) FROM d, generate_series(1, 4)
retention_agg(double precision,double precision,boolean)|rows|SELECT kam.retention_agg(mrr, mrr * 1.1, x > 5) FROM d, generate_series(1, 4)
nrr(double precision,double precision)|rows|SELECT kam.nrr(mrr, mrr * 1.1) FROM d, generate_series(1, 4)
grr(double precision,double precision)|rows|SELECT kam.grr(mrr, mrr * 1.1) FROM d, generate_series(1, 4)
logo_churn_rate(double precision,double precision)|rows|SELECT kam.logo_churn_rate(mrr, mrr * 1.1) FROM d, generate_series(1, 4)
retention_agg(numeric,numeric)|rows|SELECT kam.retention_agg(mrr_n, mrr_n * 1.1) FROM d, generate_series(1, 4)
retention_agg(numeric,numeric,boolean)|rows|SELECT kam.retention_agg(mrr_n, mrr_n * 1.1, x > 5) FROM d, generate_series(1, 4)
nrr(numeric,numeric)|rows|SELECT kam.nrr(mrr_n, mrr_n * 1.1) FROM d, generate_series(1, 4)
grr(numeric,numeric)|rows|SELECT kam.grr(mrr_n, mrr_n * 1.1) FROM d, generate_series(1, 4)
logo_churn_rate(numeric,numeric)|rows|SELECT kam.logo_churn_rate(mrr_n, mrr_n * 1.1) FROM d, generate_series(1, 4)
rollup(kam.retention)|rows|SELECT kam.rollup(r) FROM r, generate_series(1, 100)
retention_agg(anyelement,date,double precision,date,date)|final|SELECT kam.retention_agg(acct, at, mrr, '2012-01-01', '2015-01-01') FROM d, generate_series(1, 2)
retention_agg(anyelement,date,numeric,date,date)|final|SELECT kam.retention_agg(acct, at, mrr_n, '2012-01-01', '2015-01-01') FROM d, generate_series(1, 2)
retention_agg(anyelement,date,date,double precision,date,date)|final|SELECT kam.retention_agg(acct, at, at + 400, mrr, '2012-01-01', '2015-01-01') FROM d, generate_series(1, 2)
retention_agg(anyelement,date,date,numeric,date,date)|final|SELECT kam.retention_agg(acct, at, at + 400, mrr_n, '2012-01-01', '2015-01-01') FROM d, generate_series(1, 2)
mrr_waterfall(anyelement,date,double precision)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, mrr)) FROM s
mrr_waterfall(anyelement,date,numeric)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, mrr_n)) FROM s
cohort_retention(anyelement,date,double precision)|final|SELECT cardinality(kam.cohort_retention(acct, at, mrr)) FROM d
cohort_retention(anyelement,date,numeric)|final|SELECT cardinality(kam.cohort_retention(acct, at, mrr_n)) FROM d
mrr_waterfall(anyelement,date,double precision,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, mrr, 'month')) FROM d, generate_series(1, 2)
mrr_waterfall(anyelement,date,double precision,text,date,date)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, mrr, 'month', '2010-01-01', '2020-01-01')) FROM d, generate_series(1, 2)
mrr_waterfall(anyelement,date,date,double precision,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, at + 400, mrr, 'month')) FROM d
mrr_waterfall(anyelement,date,date,double precision,text,date,date)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, at + 400, mrr, 'month', '2010-01-01', '2020-01-01')) FROM d
mrr_waterfall(anyelement,timestamp with time zone,double precision)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, mrr)) FROM d
mrr_waterfall(anyelement,timestamp with time zone,double precision,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, mrr, 'month')) FROM d, generate_series(1, 2)
mrr_waterfall(anyelement,timestamp with time zone,double precision,text,timestamp with time zone,timestamp with time zone)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, mrr, 'month', '2010-01-01'::timestamptz, '2020-01-01'::timestamptz)) FROM d, generate_series(1, 2)
mrr_waterfall(anyelement,timestamp with time zone,timestamp with time zone,double precision,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, ts + interval '400 days', mrr, 'month')) FROM d
mrr_waterfall(anyelement,timestamp with time zone,timestamp with time zone,double precision,text,timestamp with time zone,timestamp with time zone)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, ts + interval '400 days', mrr, 'month', '2010-01-01'::timestamptz, '2020-01-01'::timestamptz)) FROM d
mrr_waterfall(anyelement,date,numeric,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, mrr_n, 'month')) FROM d, generate_series(1, 2)
mrr_waterfall(anyelement,date,numeric,text,date,date)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, mrr_n, 'month', '2010-01-01', '2020-01-01')) FROM d, generate_series(1, 2)
mrr_waterfall(anyelement,date,date,numeric,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, at + 400, mrr_n, 'month')) FROM d
mrr_waterfall(anyelement,date,date,numeric,text,date,date)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, at + 400, mrr_n, 'month', '2010-01-01', '2020-01-01')) FROM d
mrr_waterfall(anyelement,timestamp with time zone,numeric)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, mrr_n)) FROM d
mrr_waterfall(anyelement,timestamp with time zone,numeric,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, mrr_n, 'month')) FROM d, generate_series(1, 2)
mrr_waterfall(anyelement,timestamp with time zone,numeric,text,timestamp with time zone,timestamp with time zone)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, mrr_n, 'month', '2010-01-01'::timestamptz, '2020-01-01'::timestamptz)) FROM d, generate_series(1, 2)
mrr_waterfall(anyelement,timestamp with time zone,timestamp with time zone,numeric,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, ts + interval '400 days', mrr_n, 'month')) FROM d
mrr_waterfall(anyelement,timestamp with time zone,timestamp with time zone,numeric,text,timestamp with time zone,timestamp with time zone)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, ts + interval '400 days', mrr_n, 'month', '2010-01-01'::timestamptz, '2020-01-01'::timestamptz)) FROM d
cohort_retention(anyelement,date,double precision,text)|final|SELECT cardinality(kam.cohort_retention(acct, at, mrr, 'month')) FROM d, generate_series(1, 2)
cohort_retention(anyelement,date,double precision,text,date,date)|final|SELECT cardinality(kam.cohort_retention(acct, at, mrr, 'month', '2010-01-01', '2020-01-01')) FROM d, generate_series(1, 2)
cohort_retention(anyelement,date,date,double precision,text)|final|SELECT cardinality(kam.cohort_retention(acct, at, at + 400, mrr, 'month')) FROM d
cohort_retention(anyelement,date,date,double precision,text,date,date)|final|SELECT cardinality(kam.cohort_retention(acct, at, at + 400, mrr, 'month', '2010-01-01', '2020-01-01')) FROM d
cohort_retention(anyelement,timestamp with time zone,double precision)|final|SELECT cardinality(kam.cohort_retention(acct, at::timestamptz, mrr)) FROM d
cohort_retention(anyelement,timestamp with time zone,double precision,text)|final|SELECT cardinality(kam.cohort_retention(acct, ts, mrr, 'month')) FROM d, generate_series(1, 2)
cohort_retention(anyelement,timestamp with time zone,double precision,text,timestamp with time zone,timestamp with time zone)|final|SELECT cardinality(kam.cohort_retention(acct, ts, mrr, 'month', '2010-01-01'::timestamptz, '2020-01-01'::timestamptz)) FROM d, generate_series(1, 2)
cohort_retention(anyelement,timestamp with time zone,timestamp with time zone,double precision,text)|final|SELECT cardinality(kam.cohort_retention(acct, ts, ts + interval '400 days', mrr, 'month')) FROM d
cohort_retention(anyelement,timestamp with time zone,timestamp with time zone,double precision,text,timestamp with time zone,timestamp with time zone)|final|SELECT cardinality(kam.cohort_retention(acct, ts, ts + interval '400 days', mrr, 'month', '2010-01-01'::timestamptz, '2020-01-01'::timestamptz)) FROM d
cohort_retention(anyelement,date,numeric,text)|final|SELECT cardinality(kam.cohort_retention(acct, at, mrr_n, 'month')) FROM d, generate_series(1, 2)
cohort_retention(anyelement,date,numeric,text,date,date)|final|SELECT cardinality(kam.cohort_retention(acct, at, mrr_n, 'month', '2010-01-01', '2020-01-01')) FROM d, generate_series(1, 2)
cohort_retention(anyelement,date,date,numeric,text)|final|SELECT cardinality(kam.cohort_retention(acct, at, at + 400, mrr_n, 'month')) FROM d
cohort_retention(anyelement,date,date,numeric,text,date,date)|final|SELECT cardinality(kam.cohort_retention(acct, at, at + 400, mrr_n, 'month', '2010-01-01', '2020-01-01')) FROM d
cohort_retention(anyelement,timestamp with time zone,numeric)|final|SELECT cardinality(kam.cohort_retention(acct, at::timestamptz, mrr_n)) FROM d
cohort_retention(anyelement,timestamp with time zone,numeric,text)|final|SELECT cardinality(kam.cohort_retention(acct, ts, mrr_n, 'month')) FROM d, generate_series(1, 2)
cohort_retention(anyelement,timestamp with time zone,numeric,text,timestamp with time zone,timestamp with time zone)|final|SELECT cardinality(kam.cohort_retention(acct, ts, mrr_n, 'month', '2010-01-01'::timestamptz, '2020-01-01'::timestamptz)) FROM d, generate_series(1, 2)
cohort_retention(anyelement,timestamp with time zone,timestamp with time zone,numeric,text)|final|SELECT cardinality(kam.cohort_retention(acct, ts, ts + interval '400 days', mrr_n, 'month')) FROM d
cohort_retention(anyelement,timestamp with time zone,timestamp with time zone,numeric,text,timestamp with time zone,timestamp with time zone)|final|SELECT cardinality(kam.cohort_retention(acct, ts, ts + interval '400 days', mrr_n, 'month', '2010-01-01'::timestamptz, '2020-01-01'::timestamptz)) FROM d
survival_agg(date,date,date)|final|SELECT kam.survival_agg(at, at + ((life::bigint * 7919 + g * 104729 + acct * 31) % 5000000)::int, '20000-01-01') FROM d, generate_series(1, 3) g
survival_agg(anyelement,date,date,date,integer)|final|SELECT kam.survival_agg(acct, at, at + life, '2030-01-01', 31) FROM d, generate_series(1, 3)
survival_agg(anyelement,timestamp with time zone,timestamp with time zone,timestamp with time zone,integer)|final|SELECT kam.survival_agg(acct, ts, ts + make_interval(days => life), '2030-01-01'::timestamptz, 31) FROM d, generate_series(1, 3)
retention_agg(anyelement,date,double precision,date,date,text)|final|SELECT kam.retention_agg(acct, at, mrr, '2012-01-01'::date, '2015-01-01'::date, 'month') FROM d, generate_series(1, 2)
retention_agg(anyelement,timestamp with time zone,double precision,timestamp with time zone,timestamp with time zone)|final|SELECT kam.retention_agg(acct, ts, mrr, '2012-01-01'::timestamptz, '2015-01-01'::timestamptz) FROM d, generate_series(1, 2)
retention_agg(anyelement,timestamp with time zone,double precision,timestamp with time zone,timestamp with time zone,text)|final|SELECT kam.retention_agg(acct, ts, mrr, '2012-01-01'::timestamptz, '2015-01-01'::timestamptz, 'month') FROM d, generate_series(1, 2)
retention_agg(anyelement,date,date,double precision,date,date,text)|final|SELECT kam.retention_agg(acct, at, at + 400, mrr, '2012-01-01', '2015-01-01', 'month') FROM d, generate_series(1, 2)
retention_agg(anyelement,timestamp with time zone,timestamp with time zone,double precision,timestamp with time zone,timestamp with time zone)|final|SELECT kam.retention_agg(acct, ts, ts + interval '400 days', mrr, '2012-01-01'::timestamptz, '2015-01-01'::timestamptz) FROM d, generate_series(1, 2)
retention_agg(anyelement,timestamp with time zone,timestamp with time zone,double precision,timestamp with time zone,timestamp with time zone,text)|final|SELECT kam.retention_agg(acct, ts, ts + interval '400 days', mrr, '2012-01-01'::timestamptz, '2015-01-01'::timestamptz, 'month') FROM d, generate_series(1, 2)
retention_agg(anyelement,date,numeric,date,date,text)|final|SELECT kam.retention_agg(acct, at, mrr_n, '2012-01-01'::date, '2015-01-01'::date, 'month') FROM d, generate_series(1, 2)
retention_agg(anyelement,timestamp with time zone,numeric,timestamp with time zone,timestamp with time zone)|final|SELECT kam.retention_agg(acct, ts, mrr_n, '2012-01-01'::timestamptz, '2015-01-01'::timestamptz) FROM d, generate_series(1, 2)
retention_agg(anyelement,timestamp with time zone,numeric,timestamp with time zone,timestamp with time zone,text)|final|SELECT kam.retention_agg(acct, ts, mrr_n, '2012-01-01'::timestamptz, '2015-01-01'::timestamptz, 'month') FROM d, generate_series(1, 2)
retention_agg(anyelement,date,date,numeric,date,date,text)|final|SELECT kam.retention_agg(acct, at, at + 400, mrr_n, '2012-01-01', '2015-01-01', 'month') FROM d, generate_series(1, 2)
retention_agg(anyelement,timestamp with time zone,timestamp with time zone,numeric,timestamp with time zone,timestamp with time zone)|final|SELECT kam.retention_agg(acct, ts, ts + interval '400 days', mrr_n, '2012-01-01'::timestamptz, '2015-01-01'::timestamptz) FROM d, generate_series(1, 2)
retention_agg(anyelement,timestamp with time zone,timestamp with time zone,numeric,timestamp with time zone,timestamp with time zone,text)|final|SELECT kam.retention_agg(acct, ts, ts + interval '400 days', mrr_n, '2012-01-01'::timestamptz, '2015-01-01'::timestamptz, 'month') FROM d, generate_series(1, 2)
survival_agg(timestamp with time zone,timestamp with time zone,timestamp with time zone)|final|SELECT kam.survival_agg(ts, ts + make_interval(days => life + g), '2030-01-01'::timestamptz) FROM d, generate_series(1, 3) g
rfm(timestamp with time zone,double precision,timestamp with time zone,interval)|final|SELECT kam.rfm(ts, mrr, '2020-01-01', '1 day') FROM d, generate_series(1, 2)
rfm(timestamp with time zone,double precision,timestamp with time zone,interval,interval)|final|SELECT kam.rfm(ts, mrr, '2020-01-01', '1 day', '1 day') FROM d, generate_series(1, 2)
rfm(date,double precision,date,interval)|final|SELECT kam.rfm(at + (g % 3650), mrr, '2030-01-01'::date, '1 day') FROM d, generate_series(1, 2) g
rfm(date,double precision,date,interval,interval)|final|SELECT kam.rfm(at + (g % 3650), mrr, '2030-01-01'::date, '1 day', '1 day') FROM d, generate_series(1, 2) g
rfm(date,numeric,date,interval)|final|SELECT kam.rfm(at + (g % 3650), mrr_n, '2030-01-01'::date, '1 day') FROM d, generate_series(1, 2) g
rfm(date,numeric,date,interval,interval)|final|SELECT kam.rfm(at + (g % 3650), mrr_n, '2030-01-01'::date, '1 day', '1 day') FROM d, generate_series(1, 2) g
rfm(timestamp with time zone,numeric,timestamp with time zone,interval)|final|SELECT kam.rfm(ts, mrr_n, '2020-01-01', '1 day') FROM d, generate_series(1, 2)
rfm(timestamp with time zone,numeric,timestamp with time zone,interval,interval)|final|SELECT kam.rfm(ts, mrr_n, '2020-01-01', '1 day', '1 day') FROM d, generate_series(1, 2)
rfm_accounts(anyelement,date,double precision,date,interval)|final|SELECT cardinality(kam.rfm_accounts(acct, at + (g % 3650), mrr, '2030-01-01'::date, '1 day')) FROM d, generate_series(1, 2) g
rfm_accounts(anyelement,date,double precision,date,interval,interval)|final|SELECT cardinality(kam.rfm_accounts(acct, at + (g % 3650), mrr, '2030-01-01'::date, '1 day', '1 day')) FROM d, generate_series(1, 2) g
rfm_accounts(anyelement,date,numeric,date,interval)|final|SELECT cardinality(kam.rfm_accounts(acct, at + (g % 3650), mrr_n, '2030-01-01'::date, '1 day')) FROM d, generate_series(1, 2) g
rfm_accounts(anyelement,date,numeric,date,interval,interval)|final|SELECT cardinality(kam.rfm_accounts(acct, at + (g % 3650), mrr_n, '2030-01-01'::date, '1 day', '1 day')) FROM d, generate_series(1, 2) g
rfm_accounts(anyelement,timestamp with time zone,double precision,timestamp with time zone,interval)|final|SELECT cardinality(kam.rfm_accounts(acct, ts, mrr, '2020-01-01', '1 day')) FROM d, generate_series(1, 2)
rfm_accounts(anyelement,timestamp with time zone,double precision,timestamp with time zone,interval,interval)|final|SELECT cardinality(kam.rfm_accounts(acct, ts, mrr, '2020-01-01', '1 day', '1 day')) FROM d, generate_series(1, 2)
rfm_accounts(anyelement,timestamp with time zone,numeric,timestamp with time zone,interval)|final|SELECT cardinality(kam.rfm_accounts(acct, ts, mrr_n, '2020-01-01', '1 day')) FROM d, generate_series(1, 2)
rfm_accounts(anyelement,timestamp with time zone,numeric,timestamp with time zone,interval,interval)|final|SELECT cardinality(kam.rfm_accounts(acct, ts, mrr_n, '2020-01-01', '1 day', '1 day')) FROM d, generate_series(1, 2)
rfm_holdout(timestamp with time zone,double precision,timestamp with time zone,timestamp with time zone,interval)|final|SELECT kam.rfm_holdout(ts, mrr, '2015-01-01', '2020-01-01', '1 day') FROM d, generate_series(1, 2)
rfm_holdout(timestamp with time zone,double precision,timestamp with time zone,timestamp with time zone,interval,interval)|final|SELECT kam.rfm_holdout(ts, mrr, '2015-01-01', '2020-01-01', '1 day', '1 day') FROM d, generate_series(1, 2)
bgnbd_fit(double precision,double precision,double precision)|final|SELECT kam.bgnbd_fit(x, t_x, big_t) FROM d, generate_series(1, 3)
gammagamma_fit(double precision,double precision)|final|SELECT kam.gammagamma_fit(x, mrr) FROM d, generate_series(1, 3)
bgnbd_fit_se(double precision,double precision,double precision)|final|SELECT kam.bgnbd_fit_se(x, t_x, big_t) FROM d, generate_series(1, 3)
gammagamma_fit_se(double precision,double precision)|final|SELECT kam.gammagamma_fit_se(x, mrr) FROM d, generate_series(1, 3)
paretonbd_fit(double precision,double precision,double precision)|final|SELECT kam.paretonbd_fit(x, t_x, big_t) FROM d, generate_series(1, 3)
mbgnbd_fit(double precision,double precision,double precision)|final|SELECT kam.mbgnbd_fit(x, t_x, big_t) FROM d, generate_series(1, 3)
bgbb_fit(double precision,double precision,double precision)|final|SELECT kam.bgbb_fit(least(x, 6), least(x, 6), 6) FROM d, generate_series(1, 3)
bgbb_fit(double precision,double precision,double precision,double precision)|final|SELECT kam.bgbb_fit(least(x, 6), least(x, 6), 6, 1 + acct % 3) FROM d, generate_series(1, 3)
scorecard_agg(text,double precision,double precision,double precision)|bounded|SELECT kam.scorecard_agg('c' || acct || '/' || at, 1, 0, 10) FROM d
scorecard_agg(text,double precision,double precision,double precision,text)|bounded|SELECT kam.scorecard_agg('c' || acct || '/' || at, 1, 0, 10, 'zero') FROM d
hhi(double precision)|rows|SELECT kam.hhi(mrr) FROM d, generate_series(1, 4)
equivalent_customers(double precision)|rows|SELECT kam.equivalent_customers(mrr) FROM d, generate_series(1, 4)
gini(double precision)|final|SELECT kam.gini(mrr * g) FROM d, generate_series(1, 3) g
top_share(double precision,bigint)|final|SELECT kam.top_share(mrr * g, 1000000) FROM d, generate_series(1, 3) g
hhi(numeric)|rows|SELECT kam.hhi(mrr_n) FROM d, generate_series(1, 4)
equivalent_customers(numeric)|rows|SELECT kam.equivalent_customers(mrr_n) FROM d, generate_series(1, 4)
gini(numeric)|final|SELECT kam.gini(mrr_n * g) FROM d, generate_series(1, 3) g
top_share(numeric,bigint)|final|SELECT kam.top_share(mrr_n * g, 1000000) FROM d, generate_series(1, 3) g
abc_class(double precision,double precision,double precision)|final|SELECT count(c) FROM (SELECT kam.abc_class(mrr * g, 0.8, 0.95) OVER () AS c FROM d, generate_series(1, 2) g) w
forecast_accuracy(double precision,double precision)|rows|SELECT kam.forecast_accuracy(mrr, mrr * 1.1) FROM d, generate_series(1, 4)
renewal_agg(date,date,double precision,double precision,date,date,date)|rows|SELECT kam.renewal_agg(at, CASE WHEN x > 3 THEN at + life % 90 END, mrr, CASE WHEN x > 3 THEN mrr * 1.1 END, '2010-01-01', '2020-01-01', '2015-01-01') FROM d, generate_series(1, 4)
renewal_agg(date,date,double precision,double precision,date,date,date,integer)|rows|SELECT kam.renewal_agg(at, CASE WHEN x > 3 THEN at + life % 90 END, mrr, CASE WHEN x > 3 THEN mrr * 1.1 END, '2010-01-01', '2020-01-01', '2015-01-01', 15) FROM d, generate_series(1, 4)
renewal_agg(date,date,numeric,numeric,date,date,date)|rows|SELECT kam.renewal_agg(at, CASE WHEN x > 3 THEN at + life % 90 END, mrr_n, CASE WHEN x > 3 THEN mrr_n * 1.1 END, '2010-01-01', '2020-01-01', '2015-01-01') FROM d, generate_series(1, 4)
renewal_agg(date,date,numeric,numeric,date,date,date,integer)|rows|SELECT kam.renewal_agg(at, CASE WHEN x > 3 THEN at + life % 90 END, mrr_n, CASE WHEN x > 3 THEN mrr_n * 1.1 END, '2010-01-01', '2020-01-01', '2015-01-01', 15) FROM d, generate_series(1, 4)
renewal_agg(timestamp with time zone,timestamp with time zone,double precision,double precision,timestamp with time zone,timestamp with time zone,timestamp with time zone)|rows|SELECT kam.renewal_agg(ts, CASE WHEN x > 3 THEN ts + make_interval(days => life % 90) END, mrr, CASE WHEN x > 3 THEN mrr * 1.1 END, '2010-01-01'::timestamptz, '2020-01-01'::timestamptz, '2015-01-01'::timestamptz) FROM d, generate_series(1, 4)
renewal_agg(timestamp with time zone,timestamp with time zone,double precision,double precision,timestamp with time zone,timestamp with time zone,timestamp with time zone,integer)|rows|SELECT kam.renewal_agg(ts, CASE WHEN x > 3 THEN ts + make_interval(days => life % 90) END, mrr, CASE WHEN x > 3 THEN mrr * 1.1 END, '2010-01-01'::timestamptz, '2020-01-01'::timestamptz, '2015-01-01'::timestamptz, 15) FROM d, generate_series(1, 4)
renewal_agg(timestamp with time zone,timestamp with time zone,numeric,numeric,timestamp with time zone,timestamp with time zone,timestamp with time zone)|rows|SELECT kam.renewal_agg(ts, CASE WHEN x > 3 THEN ts + make_interval(days => life % 90) END, mrr_n, CASE WHEN x > 3 THEN mrr_n * 1.1 END, '2010-01-01'::timestamptz, '2020-01-01'::timestamptz, '2015-01-01'::timestamptz) FROM d, generate_series(1, 4)
renewal_agg(timestamp with time zone,timestamp with time zone,numeric,numeric,timestamp with time zone,timestamp with time zone,timestamp with time zone,integer)|rows|SELECT kam.renewal_agg(ts, CASE WHEN x > 3 THEN ts + make_interval(days => life % 90) END, mrr_n, CASE WHEN x > 3 THEN mrr_n * 1.1 END, '2010-01-01'::timestamptz, '2020-01-01'::timestamptz, '2015-01-01'::timestamptz, 15) FROM d, generate_series(1, 4)
nps(integer)|rows|SELECT kam.nps(score) FROM d, generate_series(1, 4)
nps_agg(integer)|rows|SELECT kam.nps_agg(score) FROM d, generate_series(1, 4)
csat(integer)|rows|SELECT kam.csat(score % 5 + 1) FROM d, generate_series(1, 4)
csat(integer,integer)|rows|SELECT kam.csat(score % 5 + 1, 5) FROM d, generate_series(1, 4)
csat_agg(integer)|rows|SELECT kam.csat_agg(score % 5 + 1) FROM d, generate_series(1, 4)
csat_agg(integer,integer)|rows|SELECT kam.csat_agg(score % 5 + 1, 5) FROM d, generate_series(1, 4)
ces(integer)|rows|SELECT kam.ces(score % 7 + 1) FROM d, generate_series(1, 4)
ces(integer,integer)|rows|SELECT kam.ces(score % 7 + 1, 7) FROM d, generate_series(1, 4)
ces_agg(integer)|rows|SELECT kam.ces_agg(score % 7 + 1) FROM d, generate_series(1, 4)
ces_agg(integer,integer)|rows|SELECT kam.ces_agg(score % 7 + 1, 7) FROM d, generate_series(1, 4)
rollup(kam.survey)|rows|SELECT kam.rollup(v) FROM r, generate_series(1, 100)
rollup(kam.survival)|rows|SELECT kam.rollup(l) FROM r, generate_series(1, 100)
trend(timestamp with time zone,double precision)|rows|SELECT kam.trend(ts, mrr) FROM d, generate_series(1, 4)
sparkline(double precision)|final|SELECT length(kam.sparkline(mrr ORDER BY ts)) FROM d, generate_series(1, 2)
retention_agg(anyelement,date,double precision,text,text,text)|final|SELECT kam.retention_agg(acct, at, mrr, '2012-01-01', '2015-01-01', 'month') FROM d, generate_series(1, 6)
retention_agg(anyelement,date,double precision,double precision,date,date)|final|SELECT kam.retention_agg(acct, at, mrr, 1 + x / 100, '2012-01-01'::date, '2015-01-01'::date) FROM d, generate_series(1, 6)
mrr_waterfall(anyelement,date,double precision,double precision)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, mrr, 1 + x / 100)) FROM d, generate_series(1, 2)
mrr_waterfall(anyelement,date,double precision,double precision,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, mrr, 1 + x / 100, 'month')) FROM d, generate_series(1, 2)
retention_agg(anyelement,date,numeric,text,text,text)|final|SELECT kam.retention_agg(acct, at, mrr_n, '2012-01-01', '2015-01-01', 'month') FROM d, generate_series(1, 6)
retention_agg(anyelement,date,numeric,double precision,date,date)|final|SELECT kam.retention_agg(acct, at, mrr_n, 1 + x / 100, '2012-01-01'::date, '2015-01-01'::date) FROM d, generate_series(1, 6)
mrr_waterfall(anyelement,date,numeric,double precision)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, mrr_n, 1 + x / 100)) FROM d, generate_series(1, 2)
mrr_waterfall(anyelement,date,numeric,double precision,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, at, mrr_n, 1 + x / 100, 'month')) FROM d, generate_series(1, 2)
retention_agg(anyelement,timestamp with time zone,double precision,text,text,text)|final|SELECT kam.retention_agg(acct, ts, mrr, '2012-01-01', '2015-01-01', 'month') FROM d, generate_series(1, 6)
retention_agg(anyelement,timestamp with time zone,double precision,double precision,timestamp with time zone,timestamp with time zone)|final|SELECT kam.retention_agg(acct, ts, mrr, 1 + x / 100, '2012-01-01'::timestamptz, '2015-01-01'::timestamptz) FROM d, generate_series(1, 6)
mrr_waterfall(anyelement,timestamp with time zone,double precision,double precision)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, mrr, 1 + x / 100)) FROM d
mrr_waterfall(anyelement,timestamp with time zone,double precision,double precision,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, mrr, 1 + x / 100, 'month')) FROM d, generate_series(1, 2)
retention_agg(anyelement,timestamp with time zone,numeric,text,text,text)|final|SELECT kam.retention_agg(acct, ts, mrr_n, '2012-01-01', '2015-01-01', 'month') FROM d, generate_series(1, 6)
retention_agg(anyelement,timestamp with time zone,numeric,double precision,timestamp with time zone,timestamp with time zone)|final|SELECT kam.retention_agg(acct, ts, mrr_n, 1 + x / 100, '2012-01-01'::timestamptz, '2015-01-01'::timestamptz) FROM d, generate_series(1, 6)
mrr_waterfall(anyelement,timestamp with time zone,numeric,double precision)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, mrr_n, 1 + x / 100)) FROM d
mrr_waterfall(anyelement,timestamp with time zone,numeric,double precision,text)|final|SELECT cardinality(kam.mrr_waterfall(acct, ts, mrr_n, 1 + x / 100, 'month')) FROM d, generate_series(1, 2)
touch_gaps(date,date,date)|final|SELECT kam.touch_gaps(at + life, '2010-01-01', '2030-01-01') FROM d, generate_series(1, 3)
touch_gaps(timestamp with time zone,timestamp with time zone,timestamp with time zone)|final|SELECT kam.touch_gaps(ts, '2010-01-01'::timestamptz, '2030-01-01'::timestamptz) FROM d, generate_series(1, 3)
cadence_met(date,date,date,interval)|final|SELECT kam.cadence_met(at + life, '2010-01-01', '2030-01-01', '1 day') FROM d, generate_series(1, 3)
cadence_met(timestamp with time zone,timestamp with time zone,timestamp with time zone,interval)|final|SELECT kam.cadence_met(ts, '2010-01-01'::timestamptz, '2030-01-01'::timestamptz, '1 day') FROM d, generate_series(1, 3)
weighted_mean(double precision,double precision)|rows|SELECT kam.weighted_mean(x, mrr) FROM d, generate_series(1, 4)
weighted_mean(double precision,numeric)|rows|SELECT kam.weighted_mean(x, mrr_n) FROM d, generate_series(1, 4)
weighted_mean(numeric,double precision)|rows|SELECT kam.weighted_mean(mrr_n, mrr) FROM d, generate_series(1, 4)
weighted_mean(numeric,numeric)|rows|SELECT kam.weighted_mean(mrr_n, mrr_n) FROM d, generate_series(1, 4)
sbg_fit(integer,boolean)|rows|SELECT kam.sbg_fit(1 + (acct % 50)::int, x > 7) FROM d, generate_series(1, 4)
bdw_fit(integer,boolean)|rows|SELECT kam.bdw_fit(1 + (acct % 50)::int, x > 7) FROM d, generate_series(1, 4)
renewal_forecast(date,double precision,double precision,date,integer)|rows|SELECT cardinality(kam.renewal_forecast(at, mrr, 0.8, '2012-01-01'::date, 12)) FROM d, generate_series(1, 4)
renewal_forecast(date,double precision,double precision,date,integer,double precision)|rows|SELECT cardinality(kam.renewal_forecast(at, mrr, 0.8, '2012-01-01'::date, 12, 0.9)) FROM d, generate_series(1, 4)
renewal_forecast(date,numeric,double precision,date,integer)|rows|SELECT cardinality(kam.renewal_forecast(at, mrr_n, 0.8, '2012-01-01'::date, 12)) FROM d, generate_series(1, 4)
renewal_forecast(date,numeric,double precision,date,integer,double precision)|rows|SELECT cardinality(kam.renewal_forecast(at, mrr_n, 0.8, '2012-01-01'::date, 12, 0.9)) FROM d, generate_series(1, 4)
renewal_forecast(timestamp with time zone,double precision,double precision,timestamp with time zone,integer)|rows|SELECT cardinality(kam.renewal_forecast(ts, mrr, 0.8, '2012-01-01'::timestamptz, 12)) FROM d, generate_series(1, 4)
renewal_forecast(timestamp with time zone,double precision,double precision,timestamp with time zone,integer,double precision)|rows|SELECT cardinality(kam.renewal_forecast(ts, mrr, 0.8, '2012-01-01'::timestamptz, 12, 0.9)) FROM d, generate_series(1, 4)
renewal_forecast(timestamp with time zone,numeric,double precision,timestamp with time zone,integer)|rows|SELECT cardinality(kam.renewal_forecast(ts, mrr_n, 0.8, '2012-01-01'::timestamptz, 12)) FROM d, generate_series(1, 4)
renewal_forecast(timestamp with time zone,numeric,double precision,timestamp with time zone,integer,double precision)|rows|SELECT cardinality(kam.renewal_forecast(ts, mrr_n, 0.8, '2012-01-01'::timestamptz, 12, 0.9)) FROM d, generate_series(1, 4)
band_shares(double precision,kam.band_scheme)|rows|SELECT kam.band_shares(x * 10, 'F:60,D:70,C:80,B:90,A:100') FROM d, generate_series(1, 4)
CASES
)
ms() { date +%s%3N; }
# every aggregate kam owns has a case
missing=$(psql -At -c "SELECT string_agg(s, ', ') FROM (SELECT DISTINCT substr(p.oid::regprocedure::text, 5) AS s FROM pg_proc p
    WHERE p.pronamespace = 'kam'::regnamespace AND p.prokind IN ('a', 'w')) a
    WHERE s NOT IN (SELECT split_part(l, '|', 1) FROM regexp_split_to_table(\$c\$$cases\$c\$, E'\\n') l)")
passed=0; failed=0
if [ -n "$missing" ]; then
    echo "interrupts: FAILED, aggregates without a case: $missing"; failed=$((failed + 1))
fi
worst=0
while IFS='|' read -r name phase query; do
    [ -z "$name" ] && continue
    if [ "$phase" = bounded ]; then
        # the state is bounded (a scorecard has at most 1000 criteria): over any input it stops
        # by itself at the 1001st row, well within 2 s even on a loaded machine
        t0=$(ms); out=$(psql -At -c "$query" 2>&1); t1=$(ms)
        if [ $(( t1 - t0 )) -gt 2000 ]; then
            echo "interrupts: FAILED $name: a bounded aggregate ran $(( t1 - t0 )) ms"; failed=$((failed + 1))
        else
            passed=$((passed + 1))
        fi
        echo "  $name: bounded, ended in $(( t1 - t0 )) ms (${out:0:80})"
        continue
    fi
    floor_query=$(echo "$query" | sed -E 's/^SELECT .* FROM (d|s|r)\b/SELECT count(*) FROM \1/; s/\) w$//')
    for attempt in 1 2 3; do
        # the bare scan's time on the server (psql's \timing): the client's would add
        # connecting, about as long as the final function of the window kind's sums, and a
        # timeout that long let such an aggregate end before it
        scan=$(psql -At -c '\timing on' -c "$floor_query" | sed -n 's/^Time: \([0-9]*\).*/\1/p' | tail -1)
        # "final": past the scan, so the cancel lands in kam's final function;
        # "rows": within the scan, so it lands in the transition function
        # (half the bare count of the same rows: a transition function as cheap as a count's,
        # kam.csat's, still runs past it on a machine whose speed moves by a third).
        # A third attempt, after two that ended first, cancels at the scan's own time: an
        # aggregate whose final function is short (the window kind's sums per account) can
        # end within the 200 ms after the scan when the scan was timed in a slow moment
        if [ "$phase" = final ] && [ $attempt -lt 3 ]; then timeout=$(( scan + 200 ))
        elif [ "$phase" = final ]; then timeout=$scan
        else timeout=$(( scan / 2 )); fi
        [ "$timeout" -ge 1 ] || timeout=1    # 0 would turn statement_timeout off
        t0=$(ms)
        out=$(psql -At -c "SET statement_timeout = '${timeout}ms'" -c "$query" 2>&1)
        t1=$(ms)
        elapsed=$(( t1 - t0 )); late=$(( elapsed - timeout ))
        # an aggregate that ended before its timeout came up was timed against a scan slowed
        # by a passing load on the machine: measure the scan again, once (whatever the client
        # measured: its time includes connecting, so a query that ended on the server just
        # before the timeout can show a little after it)
        if echo "$out" | grep -q "canceling statement due to statement timeout"; then
            break
        fi
        echo "  $name: ended in ${elapsed} ms without its ${timeout} ms timeout: the scan timed again"
    done
    [ $late -gt $worst ] && worst=$late
    if ! echo "$out" | grep -q "canceling statement due to statement timeout"; then
        echo "interrupts: FAILED $name: not cancelled after ${timeout} ms (it ran ${elapsed} ms): ${out:0:200}"
        failed=$((failed + 1))
    elif [ $late -gt 500 ]; then
        echo "interrupts: FAILED $name: stopped ${late} ms after its ${timeout} ms timeout"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
    echo "  $name ($phase): timeout ${timeout} ms, stopped ${late} ms after it"
done <<< "$cases"
command psql -X -q -d postgres -c "DROP DATABASE $db"
echo "interrupts: $passed aggregates stopped within 0.5 s of statement_timeout (worst ${worst} ms late), $failed failed"
[ $failed -eq 0 ]
