-- dates that come as timestamps: the invoices and the snapshots with a timestamptz column
-- (in the session's time zone), the amounts numeric as they are
CREATE TABLE bench_invoices_tz AS
SELECT account_id, (issued_on + time '09:30')::timestamptz AS issued_at, amount FROM crm.invoices;
CREATE TABLE bench_snapshots_tz AS
SELECT account_id, month::timestamptz AS at, mrr FROM crm.mrr_snapshots;
VACUUM ANALYZE bench_invoices_tz, bench_snapshots_tz;
