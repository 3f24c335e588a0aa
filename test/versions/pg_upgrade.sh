#!/usr/bin/env bash
# pg_upgrade of a cluster holding stored kam values from one major version to another,
# both built here from Debian's source (kam_pg_build, cached), kam installed into both:
# every value of every kam type, a table of per-manager summaries over the sample CRM and
# a view over kam's aggregates, written under the old server, read back under the new one
# equal to the text stored with them, through binary COPY written by the old server and
# read by the new one, and through the new server's own binary output and input.
#   bash test/versions/pg_upgrade.sh 15 18     (run by test/versions/run.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
from=${1:-15}
to=${2:-18}
src=$PWD
kam_pg_build "$from"; old=$KAM_PG_PREFIX
kam_pg_build "$to"; new=$KAM_PG_PREFIX
dir=$(mktemp -d /tmp/kam-pgupgrade.XXXXXX)
chmod 755 "$dir"
status=1
finish() {
    kam_as_pg "$old/bin/pg_ctl -D $dir/old/data -m fast -w stop >/dev/null 2>&1" || true
    kam_as_pg "$new/bin/pg_ctl -D $dir/new/data -m fast -w stop >/dev/null 2>&1" || true
    if [ "$status" -eq 0 ]; then rm -rf "$dir"; else echo "pg_upgrade: logs kept in $dir"; fi
}
trap finish EXIT
# kam built and installed into both servers from a copy of this tree (test/versions/run.sh
# has just done so: KAM_PG_KAM_INSTALLED=1)
[ "${KAM_PG_KAM_INSTALLED:-0}" = 1 ] || for p in "$old" "$new"; do
    rm -rf "$dir/build"; mkdir -p "$dir/build"
    tar --exclude=./.git --exclude=./results --exclude='*.o' --exclude='*.so' --exclude='*.bc' -cf - . | tar xf - -C "$dir/build"
    (cd "$dir/build" && make -s clean PG_CONFIG="$p/bin/pg_config" >/dev/null &&
        make -s -j"$(nproc)" PG_CONFIG="$p/bin/pg_config" >/dev/null && make -s install PG_CONFIG="$p/bin/pg_config" >/dev/null)
done
rm -rf "$dir/build"
chmod -R a+rX "$dir"
mkdir -p "$dir/old" "$dir/new"
# pg_upgrade writes its logs where it runs
if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
PG_CONFIG=$old/bin/pg_config kam_initdb "$dir/old"
chmod 755 "$dir/new"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir/new"; fi
# PostgreSQL 18's initdb turns data checksums on by default; pg_upgrade needs both alike
checksums=$("$new/bin/initdb" --help | grep -q -- --no-data-checksums && echo --no-data-checksums || true)
kam_as_pg "$new/bin/initdb -D $dir/new/data -A trust -U postgres $checksums >/dev/null"
port=$(kam_free_port)
export PGHOST=$dir PGPORT=$port PGUSER=postgres
q() { "$1/bin/psql" -X -q -v ON_ERROR_STOP=1 "${@:2}"; }

echo "== PostgreSQL $from: stored kam values"
kam_as_pg "$old/bin/pg_ctl -D $dir/old/data -o '-p $port -k $dir' -l $dir/old.log -w start >/dev/null"
q "$old" -d postgres -c "CREATE DATABASE kam_values"
q "$old" -d kam_values -c "CREATE EXTENSION kam" -f test/crm/generate.sql -c "SELECT crm.generate(200, 24, 7)" >/dev/null
PGOPTIONS="-c client_min_messages=warning -c kam.upgrade_version=pg$from" q "$old" -d kam_values -f test/upgrade/store_values.sql
q "$old" -d kam_values <<'SQL'
CREATE TABLE summaries AS
SELECT a.manager_id,
       kam.retention_agg(s.account_id, s.month, s.mrr, '2023-12-01', '2024-12-01') AS retention,
       kam.trend(s.month, s.mrr) AS trend,
       kam.top_share(s.mrr, 3) AS top3
FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id) GROUP BY 1;
CREATE TABLE summaries_text AS SELECT manager_id, retention::text AS retention, trend::text AS trend, top3 FROM summaries;
CREATE VIEW manager_review AS
SELECT a.manager_id, kam.nrr(kam.retention_agg(s.account_id, s.month, s.mrr, '2023-12-01', '2024-12-01')) AS nrr,
       kam.hhi(s.mrr) AS hhi, kam.gini(s.mrr) AS gini
FROM crm.mrr_snapshots s JOIN crm.accounts a USING (account_id) WHERE s.month = '2024-12-01' GROUP BY 1;
CREATE TABLE review_before AS SELECT * FROM manager_review;
SQL
types=$(q "$old" -At -d kam_values -c "SELECT substr(relname, 8) FROM pg_class WHERE relname LIKE 'stored\_%' AND relkind = 'r' ORDER BY 1")
stored=0
for t in $types; do
    q "$old" -d kam_values -c "\\copy (SELECT version, v, txt FROM stored_$t) TO '$dir/$t.bin' WITH (FORMAT binary)"
    stored=$((stored + $(q "$old" -At -d kam_values -c "SELECT count(*) FROM stored_$t")))
done
kam_as_pg "$old/bin/pg_ctl -D $dir/old/data -m fast -w stop >/dev/null"

echo "== pg_upgrade $from -> $to"
kam_as_pg "cd $dir && $new/bin/pg_upgrade -b $old/bin -B $new/bin -d $dir/old/data -D $dir/new/data -p $port -P $port -s $dir > $dir/pg_upgrade.log 2>&1" ||
    { tail -30 "$dir/pg_upgrade.log"; exit 1; }
grep -E "^Upgrade Complete" "$dir/pg_upgrade.log"

echo "== PostgreSQL $to: the values read back"
kam_as_pg "$new/bin/pg_ctl -D $dir/new/data -o '-p $port -k $dir' -l $dir/new.log -w start >/dev/null"
server=$(q "$new" -At -d kam_values -c "SHOW server_version_num")
bad=0
for t in $types; do
    n=$(q "$new" -At -d kam_values -c "SELECT count(*) FROM stored_$t")
    # the text stored with each value under the old server
    text_bad=$(q "$new" -At -d kam_values -c "SELECT count(*) FROM stored_$t WHERE v::text IS DISTINCT FROM txt")
    # the old server's binary output read by the new server's binary input
    q "$new" -d kam_values -c "CREATE TABLE old_bin_$t (version text, v kam.$t, txt text)" \
         -c "\\copy old_bin_$t FROM '$dir/$t.bin' WITH (FORMAT binary)"
    # the new server's binary output and input
    q "$new" -d kam_values -c "CREATE TABLE new_bin_$t (version text, v kam.$t, txt text)" \
         -c "\\copy (SELECT version, v, txt FROM stored_$t) TO '$dir/$t.new.bin' WITH (FORMAT binary)" \
         -c "\\copy new_bin_$t FROM '$dir/$t.new.bin' WITH (FORMAT binary)"
    bin_bad=$(q "$new" -At -d kam_values -c "
        SELECT count(*) FROM stored_$t s FULL JOIN old_bin_$t o USING (version) FULL JOIN new_bin_$t b USING (version)
        WHERE s.v IS NULL OR o.v IS NULL OR b.v IS NULL OR NOT (o.v OPERATOR(kam.=) s.v) OR NOT (b.v OPERATOR(kam.=) s.v)")
    if [ "$text_bad" -ne 0 ] || [ "$bin_bad" -ne 0 ] || [ "$n" -eq 0 ]; then
        echo "pg_upgrade: FAILED, kam.$t: $n rows, $text_bad read back as other text, $bin_bad differ through binary"
        bad=$((bad + 1))
    fi
done
summaries_bad=$(q "$new" -At -d kam_values -c "
    SELECT count(*) FROM summaries s FULL JOIN summaries_text t USING (manager_id)
    WHERE s.retention::text IS DISTINCT FROM t.retention OR s.trend::text IS DISTINCT FROM t.trend
       OR s.top3 IS DISTINCT FROM t.top3
       OR kam.nrr(s.retention) IS DISTINCT FROM kam.nrr(t.retention::kam.retention)")
view_bad=$(q "$new" -At -d kam_values -c "
    SELECT count(*) FROM manager_review v FULL JOIN review_before b USING (manager_id)
    WHERE v.nrr IS DISTINCT FROM b.nrr OR v.hhi IS DISTINCT FROM b.hhi OR v.gini IS DISTINCT FROM b.gini")
summaries=$(q "$new" -At -d kam_values -c "SELECT count(*) FROM summaries")
ext=$(q "$new" -At -d kam_values -c "SELECT extversion FROM pg_extension WHERE extname = 'kam'")
echo "pg_upgrade: $stored values of $(echo "$types" | wc -w) kam types stored under PostgreSQL $from, read back under $server (kam $ext): $bad types differ"
echo "pg_upgrade: $summaries per-manager summaries over the sample CRM: $summaries_bad differ; a view over kam's aggregates: $view_bad rows differ"
if [ "$bad" -eq 0 ] && [ "$summaries_bad" -eq 0 ] && [ "$view_bad" -eq 0 ] && [ "$stored" -gt 0 ] && [ "$summaries" -gt 0 ]; then
    status=0
    echo "pg_upgrade: passed"
fi
exit $status
