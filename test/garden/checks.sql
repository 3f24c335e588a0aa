-- The garden's general checks (docs/hardening.md), run after garden.sql's calls:
--
-- 1. Round trip: every value of a kam base type that a garden call returned is stored in a
--    table of its type (garden.out_<type>), then read back through the type's text input
--    (here) and binary input (COPY BINARY) and through pg_dump/pg_restore (run.sh): each must
--    give an equal value.
-- 2. Expression keys: every per-account aggregate (an anyelement account argument) gives the
--    same result whether a key comes from a table column or from an expression that makes the
--    same value with other bits above the type's width (int4 -1 against 4294967295::oid::int4,
--    oid 4294967295 against (-1)::int4::oid, int2 and date through their own casts).

-- 1. one table per kam base type, filled from the calls that returned that type
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT ty.oid::regtype AS typ, ty.typname FROM pg_type ty
             WHERE ty.typnamespace = 'kam'::regnamespace AND ty.typtype = 'b' AND ty.typname NOT LIKE '\_%'
    LOOP
        EXECUTE format('CREATE TABLE garden.%I (id int, v %s)', 'out_' || t.typname, t.typ);
        EXECUTE format('CREATE TABLE garden.%I (id int, v %s)', 'bin_' || t.typname, t.typ);
    END LOOP;
END $$;

CREATE TABLE garden.roundtrip (id int, typ regtype, stage text, problem text);

CREATE FUNCTION garden.store_outputs() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    c record;
    n bigint := 0;
    k bigint;
BEGIN
    FOR c IN SELECT cl.id, cl.stmt, cl.rettype, ty.typname
             FROM garden.calls cl JOIN garden.results r USING (id) JOIN pg_type ty ON ty.oid = cl.rettype
             WHERE r.sqlstate = '00000' AND ty.typnamespace = 'kam'::regnamespace AND ty.typtype = 'b' AND ty.typcategory <> 'A'
             ORDER BY cl.id
    LOOP
        BEGIN
            EXECUTE format('INSERT INTO garden.%I SELECT %s, x FROM (%s) s(x) WHERE x IS NOT NULL',
                           'out_' || c.typname, c.id, c.stmt);
            GET DIAGNOSTICS k = ROW_COUNT;
            n := n + k;
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO garden.roundtrip VALUES (c.id, c.rettype, 'store', SQLSTATE || ': ' || SQLERRM);
        END;
    END LOOP;
    RETURN n;
END $$;

-- text: v::text read back through the type's input is = v (equal text forms)
CREATE FUNCTION garden.check_text() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t record;
    r record;
    same boolean;
BEGIN
    FOR t IN SELECT ty.oid::regtype AS typ, ty.typname FROM pg_type ty
             WHERE ty.typnamespace = 'kam'::regnamespace AND ty.typtype = 'b' AND ty.typname NOT LIKE '\_%'
    LOOP
        FOR r IN EXECUTE format('SELECT id, v::text AS txt FROM garden.%I', 'out_' || t.typname) LOOP
            BEGIN
                EXECUTE format('SELECT $1::%s::text = $1', t.typ) INTO same USING r.txt;
                IF NOT same THEN
                    INSERT INTO garden.roundtrip VALUES (r.id, t.typ, 'text', 'reads back as another value: ' || left(r.txt, 200));
                END IF;
            EXCEPTION WHEN OTHERS THEN
                INSERT INTO garden.roundtrip VALUES (r.id, t.typ, 'text', SQLSTATE || ': ' || SQLERRM || ' for ' || left(r.txt, 200));
            END;
        END LOOP;
    END LOOP;
END $$;

-- binary: after run.sh's COPY ... (FORMAT binary) out of out_<type> and into bin_<type>
CREATE FUNCTION garden.check_binary(typname name) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($q$INSERT INTO garden.roundtrip
                      SELECT o.id, pg_typeof(o.v)::regtype, 'binary', 'reads back as another value: ' || left(o.v::text, 200)
                      FROM garden.%I o LEFT JOIN garden.%I b ON b.id = o.id
                      WHERE b.v IS NULL OR b.v::text <> o.v::text$q$, 'out_' || typname, 'bin_' || typname);
END $$;

-- 2. expression keys
CREATE TABLE garden.key_rows (kind text, k_int2 int2, k_int4 int4, k_oid oid, k_date date);
INSERT INTO garden.key_rows VALUES ('table', -1, -1, 4294967295, '1999-12-31');
CREATE TABLE garden.keys (fn text, keytype text, same boolean, detail text);

CREATE FUNCTION garden.check_keys() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    f record;
    kt record;
    args text[];
    ref text;
    expr text;
    call_ref text;
    call_expr text;
    a text;
    b text;
    n bigint := 0;
BEGIN
    FOR f IN
        SELECT p.proname, p.pronargs, ARRAY(SELECT unnest(p.proargtypes::regtype[])) AS types, p.proargnames
        FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
        WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND p.prokind = 'a'
          AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kam')
          AND p.proargtypes[0] = 'anyelement'::regtype
        ORDER BY p.proname, p.oid
    LOOP
        FOR kt IN SELECT * FROM (VALUES
            ('int4', 'k_int4', '(4294967295::oid)::int4'),
            ('oid', 'k_oid', '(-1)::int4::oid'),
            ('int2', 'k_int2', '((65535::int4)::oid::int4 - 65536)::int2'),
            ('date', 'k_date', '(''2000-01-01''::date - 1)')) v(typ, col, expr)
        LOOP
            args := ARRAY[]::text[];
            FOR j IN 2 .. f.pronargs LOOP
                args := args || format('(%s)::%s', garden.typical(f.types[j], coalesce(f.proargnames[j], '')), f.types[j]);
            END LOOP;
            call_ref := format('SELECT kam.%I(k, %s)::text FROM (SELECT %I AS k FROM garden.key_rows UNION ALL SELECT %I FROM garden.key_rows) s',
                               f.proname, array_to_string(args, ', '), kt.col, kt.col);
            call_expr := format('SELECT kam.%I(k, %s)::text FROM (SELECT %I AS k FROM garden.key_rows UNION ALL SELECT %s) s',
                                f.proname, array_to_string(args, ', '), kt.col, kt.expr);
            BEGIN
                EXECUTE call_ref INTO a;
                EXECUTE call_expr INTO b;
                INSERT INTO garden.keys VALUES (f.proname, kt.typ, a IS NOT DISTINCT FROM b,
                                                CASE WHEN a IS DISTINCT FROM b THEN format('%s against %s', left(a, 200), left(b, 200)) END);
            EXCEPTION WHEN OTHERS THEN
                INSERT INTO garden.keys VALUES (f.proname, kt.typ, false, SQLSTATE || ': ' || SQLERRM);
            END;
            n := n + 1;
        END LOOP;
    END LOOP;
    RETURN n;
END $$;
