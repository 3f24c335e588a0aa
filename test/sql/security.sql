-- Security: no SECURITY DEFINER, a non-superuser database owner can install and use kam
-- (trusted), and look-alike objects earlier on the search_path change nothing.

-- every function of the extension: in schema kam, not SECURITY DEFINER, no SET clauses
SELECT count(*) AS functions,
       count(*) FILTER (WHERE p.prosecdef) AS security_definer,
       count(*) FILTER (WHERE p.pronamespace <> 'kam'::regnamespace) AS outside_kam,
       count(*) FILTER (WHERE p.proconfig IS NOT NULL) AS with_set_clauses
FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kam');
-- the functions' volatility: nothing VOLATILE; STABLE only where documented (session time
-- zone of kam.rfm, the stored band schemes)
SELECT p.provolatile, string_agg(DISTINCT p.proname, ', ' ORDER BY p.proname) AS functions
FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kam') AND p.provolatile <> 'i'
GROUP BY 1;
-- every function and aggregate is PARALLEL SAFE, but kam.account_tree: PARALLEL RESTRICTED, as
-- its edges query may read temporary tables, which parallel workers cannot (docs/kam.md)
SELECT p.proparallel, count(*) AS functions, string_agg(DISTINCT p.proname, ', ') FILTER (WHERE p.proparallel <> 's') AS names
FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kam')
GROUP BY 1 ORDER BY 1;
-- every member a user calls or names has a COMMENT (the support functions of aggregates and
-- types aside): the counts of commented members by kind, and the members without one
WITH member AS (
    SELECT d.classid, d.objid
    FROM pg_depend d
    WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
      AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kam')
      AND NOT (d.classid = 'pg_proc'::regclass AND (
               EXISTS (SELECT 1 FROM pg_aggregate a WHERE d.objid IN (a.aggtransfn, a.aggfinalfn,
                       a.aggcombinefn, a.aggserialfn, a.aggdeserialfn))
               OR EXISTS (SELECT 1 FROM pg_type t WHERE d.objid IN (t.typinput, t.typoutput,
                          t.typreceive, t.typsend))))
      -- the array types and a table's row type, which PostgreSQL 18 records as members too:
      -- made with their type or table, they have no comment of their own
      AND NOT (d.classid = 'pg_type'::regclass AND EXISTS (
               SELECT 1 FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid
               WHERE t.oid = d.objid AND (t.typcategory = 'A' OR c.relkind IN ('r', 'v')))))
SELECT (pg_identify_object(classid, objid, 0)).type AS kind,
       count(*) FILTER (WHERE obj_description(objid, classid::regclass::name) IS NOT NULL) AS commented,
       string_agg(pg_describe_object(classid, objid, 0), ', ')
         FILTER (WHERE obj_description(objid, classid::regclass::name) IS NULL) AS without_comment
FROM member GROUP BY 1 ORDER BY 1;

-- results before the search_path is made hostile
CREATE TABLE sec_ref AS
SELECT (SELECT kam.nrr(s, e) FROM (VALUES (100.0, 120.0), (50, 0)) v(s, e)) AS nrr,
       (SELECT kam.retention_agg('k' || account_id, month, mrr, '2023-12-01', '2024-12-01')::text FROM crm.mrr_snapshots) AS text_keys,
       kam.health_grade(55, 'color') AS stored_scheme,
       kam.score('policy=redistribute;"a"=1[0,10];"b"=1[10,0]', '{"a": 5, "b": 2}'::jsonb) AS score_jsonb,
       (SELECT string_agg(c, '' ORDER BY x) FROM (SELECT x, kam.abc_class(x) OVER () AS c FROM (VALUES (1.0), (2), (30)) v(x)) w) AS abc,
       (SELECT kam.nps_interval(kam.nps_agg(9))) AS nps;

-- look-alikes in a schema searched before pg_catalog
CREATE SCHEMA evil;
CREATE FUNCTION evil.texteq_evil(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq_evil);
CREATE FUNCTION evil.abs(double precision) RETURNS double precision LANGUAGE sql AS 'SELECT 0::float8';
CREATE FUNCTION evil.sum(double precision) RETURNS double precision LANGUAGE sql AS 'SELECT 0::float8';
CREATE FUNCTION evil.lower(text) RETURNS text LANGUAGE sql AS 'SELECT ''pwned''';
CREATE FUNCTION evil.hashtext(text) RETURNS integer LANGUAGE sql AS 'SELECT 0';
CREATE TABLE evil.band_schemes (name text, scheme text);
INSERT INTO evil.band_schemes VALUES ('color', 'pwned:100');
GRANT USAGE ON SCHEMA evil TO PUBLIC;
SET search_path = evil, public, pg_catalog;
SELECT (SELECT kam.nrr(s, e) FROM (VALUES (100.0, 120.0), (50, 0)) v(s, e)) = r.nrr AS nrr_same,
       (SELECT kam.retention_agg('k' || account_id, month, mrr, '2023-12-01', '2024-12-01')::text FROM crm.mrr_snapshots) = r.text_keys AS text_keys_same,
       kam.health_grade(55, 'color') = r.stored_scheme AS stored_scheme_same,
       kam.health_grade(55, 'gr' || 'ade') AS other_scheme_by_name,
       kam.score('policy=redistribute;"a"=1[0,10];"b"=1[10,0]', '{"a": 5, "b": 2}'::jsonb) = r.score_jsonb AS score_same,
       (SELECT string_agg(c, '' ORDER BY x) FROM (SELECT x, kam.abc_class(x) OVER () AS c FROM (VALUES (1.0), (2), (30)) v(x)) w) = r.abc AS abc_same,
       (SELECT kam.nps_interval(kam.nps_agg(9)))::text = r.nps::text AS nps_same
FROM public.sec_ref r;
RESET search_path;

-- a non-superuser database owner installs the trusted extension and uses it
SELECT current_database() AS regression_db \gset
CREATE ROLE kam_db_owner NOLOGIN;
CREATE ROLE kam_reader NOLOGIN;
CREATE DATABASE kam_trusted OWNER kam_db_owner;
\c kam_trusted
CREATE FUNCTION public.sqlstate_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE stmt; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;
SET ROLE kam_db_owner;
SELECT rolsuper FROM pg_roles WHERE rolname = current_user;
CREATE EXTENSION kam;
SELECT extname, extversion, pg_get_userbyid(extowner) AS owner, extnamespace::regnamespace AS schema
FROM pg_extension WHERE extname = 'kam';
SELECT kam.nrr(s, e) AS nrr, kam.health_grade(kam.health_score(ARRAY[47, 59, 21], ARRAY[20, 15, 22])) AS grade,
       kam.health_color(80, 'color') AS stored_scheme
FROM (VALUES (100.0, 120.0), (50, 0)) v(s, e);
CREATE TABLE owned (m kam.retention);
INSERT INTO owned SELECT kam.retention_agg(s, e) FROM (VALUES (100.0, 120.0)) v(s, e);
SELECT kam.nrr(m) FROM owned;
-- the owner may add band schemes; every other user may use kam and read them, not change them
INSERT INTO kam.band_schemes (name, scheme) VALUES ('mine', 'low:50,high:100');
SET ROLE kam_reader;
SELECT kam.health_grade(70, 'mine') AS reader_uses_scheme;
SELECT sqlstate_of($q$INSERT INTO kam.band_schemes (name, scheme) VALUES ('theirs', 'a:1,b:2')$q$) AS reader_cannot_write;
RESET ROLE;
-- the installing owner cannot add, replace or alter objects in schema kam: a planted
-- overload (kam.nrr(numeric, numeric) as an aggregate running the owner's code) would
-- otherwise capture every other role's call, the superuser's included
SELECT pg_get_userbyid(nspowner) = (SELECT rolname FROM pg_roles WHERE oid = 10) AS schema_owned_by_bootstrap_superuser,
       has_schema_privilege('kam_db_owner', 'kam', 'CREATE') AS owner_can_create,
       has_schema_privilege('kam_reader', 'kam', 'USAGE') AS reader_has_usage
FROM pg_namespace WHERE nspname = 'kam';
SET ROLE kam_db_owner;
SELECT sqlstate_of($q$CREATE FUNCTION kam.planted_sfunc(numeric, numeric, numeric) RETURNS numeric LANGUAGE sql AS 'SELECT 1'$q$) AS create_function,
       sqlstate_of($q$CREATE AGGREGATE kam.nrr(numeric, numeric) (SFUNC = numeric_add, STYPE = numeric)$q$) AS create_aggregate,
       sqlstate_of($q$CREATE OR REPLACE FUNCTION kam.scale(value double precision, low double precision, high double precision) RETURNS double precision LANGUAGE sql AS 'SELECT 0::float8'$q$) AS replace_function,
       sqlstate_of($q$ALTER FUNCTION kam.scale(double precision, double precision, double precision) RENAME TO scale_old$q$) AS alter_function,
       sqlstate_of($q$CREATE OPERATOR kam.+ (LEFTARG = kam.retention, RIGHTARG = kam.retention, FUNCTION = kam.rollup)$q$) AS create_operator,
       sqlstate_of($q$CREATE TABLE kam.band_schemes_shadow (name text)$q$) AS create_table,
       sqlstate_of($q$ALTER SCHEMA kam OWNER TO kam_db_owner$q$) AS take_schema,
       sqlstate_of($q$ALTER SCHEMA kam RENAME TO kam_old$q$) AS rename_schema,
       sqlstate_of($q$DROP SCHEMA kam CASCADE$q$) AS drop_schema;
RESET ROLE;
-- a GRANT by a non-owner grants nothing (a warning)
SET ROLE kam_db_owner;
GRANT CREATE ON SCHEMA kam TO kam_db_owner;
RESET ROLE;
SELECT has_schema_privilege('kam_db_owner', 'kam', 'CREATE') AS owner_can_create_after_grant;
-- the reader's numeric call still reaches kam's own aggregate
SET ROLE kam_reader;
SELECT kam.nrr(s, e) AS reader_nrr FROM (VALUES (100.0, 120.0), (50, 0)) v(s, e);
RESET ROLE;
-- an object a non-superuser planted in the schema before installing: the install refuses
CREATE DATABASE kam_planted OWNER kam_db_owner;
\c kam_planted
SET ROLE kam_db_owner;
CREATE SCHEMA kam;
CREATE FUNCTION kam.planted(numeric, numeric) RETURNS numeric LANGUAGE sql AS 'SELECT 1';
-- (the error's context lines differ between PostgreSQL versions)
\set SHOW_CONTEXT never
CREATE EXTENSION kam;
\set SHOW_CONTEXT errors
DROP FUNCTION kam.planted(numeric, numeric);
CREATE EXTENSION kam;
SELECT pg_get_userbyid(nspowner) = (SELECT rolname FROM pg_roles WHERE oid = 10) AS empty_schema_taken_over
FROM pg_namespace WHERE nspname = 'kam';
RESET ROLE;
\c :regression_db
DROP DATABASE kam_planted;
DROP DATABASE kam_trusted;
DROP ROLE kam_reader;
DROP ROLE kam_db_owner;
