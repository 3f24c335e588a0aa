-- Install kam and generate the sample CRM used by the other tests.
CREATE EXTENSION kam;
\set ECHO none
\set QUIET on
\i test/crm/generate.sql
\set QUIET off
\set ECHO all
SELECT crm.generate(accounts => 300, months => 24, seed => 42);
-- the generator is deterministic: fixed totals for seed 42
SELECT count(*) AS snapshot_rows, sum(mrr) AS total_mrr FROM crm.mrr_snapshots;
SELECT extversion FROM pg_extension WHERE extname = 'kam';

-- test helper: run a statement, report its SQLSTATE, message and detail
CREATE FUNCTION public.test_error(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    RETURN st || ': ' || msg || coalesce(' | ' || nullif(det, ''), '');
END
$$;
-- does the plan of q contain pattern (combine-path tests)
CREATE FUNCTION public.plan_has(q text, pattern text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        IF l LIKE '%' || pattern || '%' THEN RETURN true; END IF;
    END LOOP;
    RETURN false;
END $$;
