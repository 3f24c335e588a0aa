#!/usr/bin/env bash
# Inside a cluster (PG* set): install the oldest kam version, update it step by step
# to the newest (the path PostgreSQL reports), and check that the result equals a
# fresh install of the newest version: the same extension members, the same
# pg_dump --schema-only of schema kam, the same band_schemes rows.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${KAM_TEST_OUT:-$PWD/results}/upgrade
mkdir -p "$out"
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
. test/cluster-lib.sh
kam_fresh_databases kam_upgraded kam_fresh
newest=$(psql -At -d kam_fresh -c "SELECT default_version FROM pg_available_extensions WHERE name = 'kam'")
oldest=$(psql -At -d kam_fresh -c "SELECT version FROM pg_available_extension_versions WHERE name = 'kam' ORDER BY string_to_array(version, '.')::int[] LIMIT 1")
path=$(psql -At -d kam_fresh -c "SELECT path FROM pg_extension_update_paths('kam') WHERE source = '$oldest' AND target = '$newest'")
echo "upgrade: versions $(psql -At -d kam_fresh -c "SELECT string_agg(version, ' ' ORDER BY string_to_array(version, '.')::int[]) FROM pg_available_extension_versions WHERE name = 'kam'"); path $path"
# store_values VERSION: a value of every kam type the installed version has, made by that
# version's own functions, stored with its text form of the time (stored_<type>)
store_values() {
    PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -q -d kam_upgraded -f test/upgrade/store_values.sql
}
psql -d kam_upgraded -c "CREATE EXTENSION kam VERSION '$oldest'"
PGOPTIONS="${PGOPTIONS:-} -c kam.upgrade_version=$oldest" store_values "$oldest"
IFS=' ' read -r -a steps <<< "$(echo "$path" | sed 's/--/ /g')"
for v in "${steps[@]:1}"; do
    psql -d kam_upgraded -c "ALTER EXTENSION kam UPDATE TO '$v'"
    PGOPTIONS="${PGOPTIONS:-} -c kam.upgrade_version=$v" store_values "$v"
    if [ "$v" = 0.2.0 ]; then
        # a user's view over aggregates whose state type 0.3.0 changes (internal to concrete)
        psql -d kam_upgraded -c "CREATE TABLE agg_rows AS SELECT (g % 17)::float8 AS x, '2024-01-01'::date + g AS s,
                                        CASE WHEN g % 3 = 0 THEN '2024-01-01'::date + 2 * g END AS e FROM generate_series(1, 1000) g" \
            -c "CREATE VIEW agg_view AS SELECT kam.top_share(x, 10) AS top, kam.survival_agg(s, e, '2027-01-01') AS life FROM agg_rows" \
            -c "CREATE TABLE agg_before AS SELECT top, life::text AS life FROM agg_view" >/dev/null
        made_view=1
    fi
done
if [ -n "${made_view:-}" ] && [ -z "$(psql -At -d kam_upgraded -c "SELECT to_regclass('public.agg_view')")" ]; then
    echo "upgrade: FAILED, the view over kam.top_share and kam.survival_agg made under 0.2.0 is gone after the update"
    stored_status=1
elif [ -n "${made_view:-}" ]; then
    view_bad=$(psql -At -d kam_upgraded -c "SELECT count(*) FROM agg_view v, agg_before b
                                           WHERE v.top IS DISTINCT FROM b.top OR v.life::text IS DISTINCT FROM b.life" 2>&1) \
        || view_bad="an error: $view_bad"
    if [ "$view_bad" != 0 ]; then
        echo "upgrade: FAILED, a view over kam.top_share and kam.survival_agg made under 0.2.0 reads differently after the update ($view_bad)"
        stored_status=1
    else
        echo "upgrade: a view over kam.top_share and kam.survival_agg made under 0.2.0 survives the update (their states became concrete) with the same rows"
    fi
fi
# every stored value reads back after the updates: the same text as when it was stored,
# and through the binary output and input (COPY ... FORMAT binary) to an equal value
stored_status=0
stored_total=0
for t in $(psql -At -d kam_upgraded -c "SELECT substr(relname, 8) FROM pg_class WHERE relname LIKE 'stored\_%' AND relkind = 'r' ORDER BY 1"); do
    n=$(psql -At -d kam_upgraded -c "SELECT count(*) FROM stored_$t")
    bad=$(psql -At -d kam_upgraded -c "SELECT count(*) FROM stored_$t WHERE v::text IS DISTINCT FROM txt")
    psql -d kam_upgraded -c "CREATE TABLE back_$t (version text, v kam.$t, txt text)"
    psql -d kam_upgraded -c "\\copy (SELECT version, v, txt FROM stored_$t) TO '$out/$t.bin' WITH (FORMAT binary)" \
         -c "\\copy back_$t FROM '$out/$t.bin' WITH (FORMAT binary)"
    bad_bin=$(psql -At -d kam_upgraded -c "SELECT count(*) FROM stored_$t s FULL JOIN back_$t b USING (version)
                                          WHERE b.v IS NULL OR s.v IS NULL OR NOT (b.v OPERATOR(kam.=) s.v)")
    stored_total=$((stored_total + n))
    if [ "$bad" -ne 0 ] || [ "$bad_bin" -ne 0 ]; then
        echo "upgrade: FAILED, kam.$t values stored before the update: $bad read back as other text, $bad_bin through binary"
        psql -d kam_upgraded -c "SELECT version, txt, v::text FROM stored_$t"
        stored_status=1
    fi
done
echo "upgrade: $stored_total values of $(psql -At -d kam_upgraded -c "SELECT count(*) FROM pg_class WHERE relname LIKE 'stored\_%' AND relkind = 'r'") types stored under $oldest and each later version read back equal (text and binary) after the update to $newest"
psql -d kam_fresh -c "CREATE EXTENSION kam"
members="SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
         WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
           AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kam') ORDER BY 1"
# the definition of every member: functions and aggregates, types and their attributes,
# tables and their columns, operators, operator classes and families, comments and privileges
# (pg_dump leaves extension members out)
catalog="
WITH m AS (SELECT classid, objid FROM pg_depend
           WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
             AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kam'))
SELECT 'function ' || p.oid::regprocedure || ' -> ' || pg_get_function_result(p.oid) || ' ' ||
       concat_ws(' ', p.prokind, p.provolatile, p.proparallel, p.proisstrict, p.prosecdef, p.prosrc, p.probin,
                 pg_get_function_arguments(p.oid), p.proacl::text, obj_description(p.oid, 'pg_proc'),
                 a.aggtransfn::regproc, a.aggfinalfn::regproc, a.aggcombinefn::regproc, a.aggserialfn::regproc,
                 a.aggdeserialfn::regproc, a.aggtranstype::regtype, a.agginitval)
FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
UNION ALL
SELECT 'type ' || t.oid::regtype || ' ' || concat_ws(' ', t.typlen, t.typalign, t.typstorage, t.typinput::regproc, t.typoutput::regproc,
       t.typreceive::regproc, t.typsend::regproc, obj_description(t.oid, 'pg_type'),
       (SELECT string_agg(attname || ' ' || atttypid::regtype, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = t.typrelid AND attnum > 0))
FROM m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
UNION ALL
SELECT 'relation ' || c.oid::regclass || ' ' || concat_ws(' ', c.relkind, c.relacl::text, obj_description(c.oid, 'pg_class'),
       (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0))
FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
UNION ALL
SELECT 'operator ' || o.oid::regoperator || ' ' || concat_ws(' ', o.oprcode::regproc, o.oprcom::regoperator,
       o.oprnegate::regoperator, o.oprrest::regproc, o.oprjoin::regproc, o.oprcanhash, o.oprcanmerge,
       o.oprresult::regtype, obj_description(o.oid, 'pg_operator'))
FROM m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
UNION ALL
SELECT 'operator class ' || c.opcname || ' ' || concat_ws(' ', am.amname, c.opcintype::regtype, c.opcdefault,
       f.opfname, obj_description(c.oid, 'pg_opclass'),
       (SELECT string_agg(ao.amopstrategy || ' ' || ao.amopopr::regoperator, ', ' ORDER BY ao.amopstrategy)
        FROM pg_amop ao WHERE ao.amopfamily = c.opcfamily),
       (SELECT string_agg(ap.amprocnum || ' ' || ap.amproc::regprocedure, ', ' ORDER BY ap.amprocnum)
        FROM pg_amproc ap WHERE ap.amprocfamily = c.opcfamily))
FROM m JOIN pg_opclass c ON m.classid = 'pg_opclass'::regclass AND c.oid = m.objid
JOIN pg_am am ON am.oid = c.opcmethod JOIN pg_opfamily f ON f.oid = c.opcfamily
UNION ALL
SELECT 'operator family ' || f.opfname || ' ' || concat_ws(' ', am.amname, obj_description(f.oid, 'pg_opfamily'))
FROM m JOIN pg_opfamily f ON m.classid = 'pg_opfamily'::regclass AND f.oid = m.objid
JOIN pg_am am ON am.oid = f.opfmethod
UNION ALL
SELECT 'schema kam ' || coalesce(nspacl::text, '') FROM pg_namespace WHERE nspname = 'kam'
ORDER BY 1"
for db in kam_upgraded kam_fresh; do
    psql -At -d $db -c "$members" > "$out/$db.members"
    psql -At -d $db -c "$catalog" > "$out/$db.catalog"
    pg_dump --schema-only --schema=kam --no-owner "$db" | grep -v '^--' | grep -v '^$' | grep -v '^\\\(un\)\?restrict' > "$out/$db.schema.sql"
    psql -At -d $db -c "SELECT name, scheme, builtin FROM kam.band_schemes ORDER BY name" > "$out/$db.rows"
    psql -At -d $db -c "SELECT extversion FROM pg_extension WHERE extname = 'kam'" > "$out/$db.version"
done
# Values written by 0.2.0's own kam.so (its stored layouts: counts as whole doubles), read by
# this kam.so after ALTER EXTENSION kam UPDATE: 0.2.0 is built from its last commit into a
# private directory and loaded only by the session that sets extension_destdir to it
legacy_status=0
old_commit=c4241d3cc20d5ba5e96529b79050c26decfc06a5
legacy=$(mktemp -d /tmp/kam-legacy.XXXXXX)
# Debian's server loads the private build through extension_destdir; a server built from
# source (test/versions) has no such setting: there the 0.2.0 kam.so replaces the installed
# one in its private pkglibdir while 0.2.0 writes its values (a DBA's package upgrade)
pkglibdir=$("${PG_CONFIG:-pg_config}" --pkglibdir)
if command psql -X -At -d postgres -c "SHOW extension_destdir" >/dev/null 2>&1; then
    legacy_mode=destdir
else
    legacy_mode=swap
    cp "$pkglibdir/kam.so" "$legacy/current.so"
fi
# put_so FILE: FILE becomes pkglibdir/kam.so (a new inode: running backends keep theirs)
put_so() { cp "$1" "$pkglibdir/kam.so.new" && mv -f "$pkglibdir/kam.so.new" "$pkglibdir/kam.so"; }
trap '[ "$legacy_mode" = swap ] && [ -f "$legacy/current.so" ] && put_so "$legacy/current.so"; rm -rf "$legacy"' EXIT
if ! git cat-file -e "$old_commit^{commit}" 2>/dev/null; then
    echo "upgrade: FAILED, the 0.2.0 commit $old_commit is not in this clone's history"; legacy_status=1
else
    mkdir -p "$legacy/src" "$legacy/stage"
    git archive "$old_commit" | tar xf - -C "$legacy/src"
    # 0.2.0 predates PostgreSQL 18, which dropped pg_attribute_noreturn(): give it back
    legacy_flags=()
    if ! grep -q "define pg_attribute_noreturn" "$("${PG_CONFIG:-pg_config}" --includedir-server)/c.h"; then
        echo '#define pg_attribute_noreturn() __attribute__((noreturn))' > "$legacy/noreturn.h"
        legacy_flags=("PG_CFLAGS=-include $legacy/noreturn.h")
    fi
    (cd "$legacy/src" && make -s PG_CONFIG="${PG_CONFIG:-pg_config}" "${legacy_flags[@]}" >/dev/null 2>&1 \
        && make -s install PG_CONFIG="${PG_CONFIG:-pg_config}" DESTDIR="$legacy/stage" >/dev/null 2>&1) \
        || { echo "upgrade: FAILED, 0.2.0 did not build"; legacy_status=1; }
    chmod -R a+rX "$legacy"; chmod a+rx "$legacy"
fi
if [ $legacy_status -eq 0 ]; then
    kam_fresh_databases kam_legacy
    if [ "$legacy_mode" = destdir ]; then
        use_legacy=(-c "SET extension_destdir = '$legacy/stage'")
    else
        use_legacy=()
        [ -w "$pkglibdir" ] || { echo "upgrade: FAILED, no extension_destdir and $pkglibdir is not writable"; exit 1; }
        put_so "$legacy/stage$pkglibdir/kam.so"
    fi
    psql -d kam_legacy "${use_legacy[@]}" -c "CREATE EXTENSION kam VERSION '0.2.0'" -c "
        CREATE TABLE legacy AS SELECT
            (SELECT kam.retention_agg(s, e) FROM (VALUES (100.0::float8, 120.0::float8), (50, 0), (0, 30)) v(s, e)) AS retention,
            (SELECT kam.survival_agg(a, b, '2024-12-01') FROM (VALUES ('2024-01-01'::date, '2024-03-01'::date), ('2024-02-01', NULL)) v(a, b)) AS survival,
            kam.bgnbd(0.243, 4.414, 0.793, 2.426) AS bgnbd, kam.gammagamma(6.25, 3.74, 15.44) AS gammagamma,
            kam.scorecard(ARRAY['arr', 'nps'], ARRAY[3, 1], ARRAY[0, -100], ARRAY[200000, 100], 'zero') AS scorecard,
            kam.hhi_sfunc(kam.hhi_sfunc(NULL, 3), 4) AS hhi_state,
            kam.forecast_sfunc(kam.forecast_sfunc(NULL, 110, 100), 90, 0) AS forecast_state,
            (SELECT kam.nps_agg(s) FROM (VALUES (9), (10), (3), (7)) v(s)) AS survey,
            kam.band_scheme(ARRAY['at risk', 'watch', 'healthy'], ARRAY[40, 70, 100]) AS band_scheme,
            (SELECT kam.trend(at, x) FROM (VALUES ('2024-01-01'::timestamptz, 1.5::float8), ('2024-02-01', 3), ('2024-03-01', 2)) v(at, x)) AS trend" \
        -c "CREATE TABLE legacy_text AS SELECT retention::text, survival::text, bgnbd::text, gammagamma::text, scorecard::text,
                   hhi_state::text, forecast_state::text, survey::text, band_scheme::text, trend::text,
                   kam.nps(survey) AS nps, kam.responses(survey) AS responses, kam.slope(trend) AS slope, kam.observations(trend) AS observations,
                   kam.bgnbd_param(bgnbd, 'r') AS r FROM legacy" >/dev/null
    [ "$legacy_mode" = swap ] && put_so "$legacy/current.so"
    # a new session: this kam.so (the system's), updated to the newest version
    psql -d kam_legacy -c "ALTER EXTENSION kam UPDATE" >/dev/null
    legacy_bad=$(psql -At -d kam_legacy -c "SELECT count(*) FROM legacy l, legacy_text t WHERE
        l.retention::text <> t.retention OR l.survival::text <> t.survival OR l.bgnbd::text <> t.bgnbd
        OR l.gammagamma::text <> t.gammagamma OR l.scorecard::text <> t.scorecard OR l.hhi_state::text <> t.hhi_state
        OR l.forecast_state::text <> t.forecast_state OR l.survey::text <> t.survey OR l.band_scheme::text <> t.band_scheme
        OR l.trend::text <> t.trend OR kam.nps(l.survey) <> t.nps OR kam.responses(l.survey) <> t.responses
        OR kam.slope(l.trend) <> t.slope OR kam.observations(l.trend) <> t.observations OR kam.bgnbd_param(l.bgnbd, 'r') <> t.r" 2>&1) \
        || legacy_bad="an error: $legacy_bad"
    # a stored state combined with a new one (the combine reads the old counts)
    rollup_bad=$(psql -At -d kam_legacy -c "SELECT count(*) FROM (SELECT kam.rollup(s)::text AS r FROM (SELECT survey FROM legacy UNION ALL SELECT kam.nps_agg(9)) x(s)) y
        WHERE r <> '(n=5,promoters=3,detractors=1,top_box=0,scale_max=0,sum=38,sum_squares=320)'" 2>&1) || rollup_bad="an error: $rollup_bad"
    # the session maps this kam.so, not 0.2.0's (in swap mode: the same path, another inode)
    so=$(psql -At -d kam_legacy -c "SELECT count(*) FROM regexp_split_to_table(pg_read_file('/proc/self/maps'), E'\\n') l
                                   WHERE l LIKE '%kam-legacy%' OR (l LIKE '%/kam.so' AND split_part(regexp_replace(l, ' +', ' ', 'g'), ' ', 5) <> '$(stat -c %i "$pkglibdir/kam.so")')")
    if [ "$legacy_bad" != 0 ] || [ "$rollup_bad" != 0 ] || [ "$so" != 0 ]; then
        echo "upgrade: FAILED, values written by 0.2.0's kam.so read back differently ($legacy_bad rows, rollup $rollup_bad; legacy .so mapped: $so)"
        psql -d kam_legacy -c "SELECT * FROM legacy_text" || true
        legacy_status=1
    else
        echo "upgrade: 10 values written by 0.2.0's own kam.so (counts as whole doubles) read back equal by this kam.so after the update"
    fi
    command psql -X -q -d postgres -c "DROP DATABASE kam_legacy"
fi
status=$((stored_status | legacy_status))
for f in members catalog schema.sql rows version; do
    if ! diff -u "$out/kam_fresh.$f" "$out/kam_upgraded.$f" > "$out/$f.diff"; then
        echo "upgrade: FAILED, $f differs after updating $oldest to $newest:"; head -40 "$out/$f.diff"; status=1
    fi
done
[ $status -eq 0 ] && echo "upgrade: passed, $oldest -> $newest gives the fresh $newest: $(wc -l < "$out/kam_fresh.members") members, $(wc -l < "$out/kam_fresh.catalog") catalog definitions identical"
exit $status
