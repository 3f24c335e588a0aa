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
-- the temporary files this database wrote so far, as the statistics see them once the
-- statements before have reported theirs: PostgreSQL 15 and later flush a backend's counts
-- when it goes idle after test_stats_flush(); 13 and 14 send each file to the statistics
-- collector as it is written, read here through a fresh snapshot
CREATE FUNCTION public.test_stats_flush() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('server_version_num')::int >= 150000 THEN
        EXECUTE 'SELECT pg_stat_force_next_flush()';
    END IF;
    RETURN 1;
END $$;
CREATE FUNCTION public.test_temp_files_grew(before bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..100 LOOP
        PERFORM pg_stat_clear_snapshot();
        IF (SELECT temp_files FROM pg_stat_database WHERE datname = current_database()) > before THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN false;
END $$;
-- does the plan of q contain pattern (combine-path tests; with_output: EXPLAIN VERBOSE)
CREATE FUNCTION public.plan_has(q text, pattern text, with_output boolean DEFAULT false) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF' || CASE WHEN with_output THEN ', VERBOSE' ELSE '' END || ') ' || q LOOP
        IF l LIKE '%' || pattern || '%' THEN RETURN true; END IF;
    END LOOP;
    RETURN false;
END $$;
