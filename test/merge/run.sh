#!/usr/bin/env bash
# Inside a cluster (PG* set): random per-account histories merged from partial states
# against the same rows in one state.  Each seed (test/merge/histories.sql) makes 400
# accounts of random dates and amounts in 3, 9, 12 or 20 partitions (partial states), some
# dates split between two partitions and, every third seed, a date far enough out that the
# merge by date rank gives way to the merge by date.  Five forms of the waterfall and the
# cohort table, and per-account survival over contracts made of the same rows, are computed
# partition-wise, with two workers, and with workers without partition-wise aggregation,
# each against the one-state result (same_rows: every value equal to 6 decimals; the life
# table's text exactly).  Each plan is checked to be the one meant, and a control (a row
# left out) must differ.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${KAM_TEST_OUT:-$PWD/results}/merge
mkdir -p "$out"
. test/cluster-lib.sh
db=kam_merge
kam_fresh_databases $db
export PGDATABASE=$db
# same_rows (the same rows of a kam composite type, every number to 6 decimals) and plan_has
# (does a query's plan contain a pattern), as the regression suite defines them
{ echo "SET client_min_messages = warning;"; echo "CREATE EXTENSION kam;"
  awk '/^CREATE FUNCTION same_rows/,/^END \$\$;/' test/sql/parallel.sql
  awk '/^CREATE FUNCTION public.plan_has/,/^END \$\$;/' test/sql/00_setup.sql
} | command psql -X -q -v ON_ERROR_STOP=1 >/dev/null || { echo "merge: FAILED, the helpers could not be made"; exit 1; }
seeds=${MERGE_SEEDS:-12}
equal=0 differ=0 plans=0 wrong_plans=0 caught=0 status=0
for seed in $(seq 1 "$seeds"); do
    parts=(3 12 9 20)
    parts=${parts[$((seed % 4))]}
    cg=week cm=month
    [ $((seed % 3)) = 0 ] && cg=year cm=year
    if ! command psql -X -q -At -v seed="$seed" -v parts="$parts" -v cg="$cg" -v cm="$cm" \
        -f test/merge/histories.sql > "$out/seed$seed.out" 2>&1; then
        echo "merge: FAILED, seed $seed:"; tail -5 "$out/seed$seed.out"; status=1; continue
    fi
    while IFS='|' read -r plan rest; do
        # (setseed's empty line)
        [ -z "$plan$rest" ] && continue
        case $plan in
            "plan "*)
                plans=$((plans + 1))
                [ "$rest" = t ] || { wrong_plans=$((wrong_plans + 1)); echo "merge: seed $seed: $plan: not the plan meant"; } ;;
            control*)
                [ "$rest" = f ] && caught=$((caught + 1)) ;;
            *)
                for v in ${rest//|/ }; do
                    if [ "$v" = t ]; then equal=$((equal + 1)); else differ=$((differ + 1)); fi
                done
                [ "$rest" = "t|t|t|t|t|t" ] || echo "merge: seed $seed parts $parts: $plan: $rest (t: equal)" ;;
        esac
    done < "$out/seed$seed.out"
done
command psql -X -q -d postgres -c "DROP DATABASE $db" || status=1
echo "merge: $seeds seeds of 400 random accounts in 3 to 20 partial states: $equal results equal to one state's, $differ differ"
echo "merge: $plans plans checked, $wrong_plans not the plan meant; control (a row left out) caught in $caught of $seeds"
if [ "$status" = 0 ] && [ "$differ" = 0 ] && [ "$wrong_plans" = 0 ] && [ "$equal" = $((seeds * 18)) ] &&
    [ "$plans" = $((seeds * 3)) ] && [ "$caught" = "$seeds" ]; then
    echo "merge: passed"
else
    echo "merge: FAILED"
    exit 1
fi
