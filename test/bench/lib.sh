# Shared by the benchmark runners (sourced inside a pg_virtualenv cluster):
# split a file of "-- bench: name" queries, time each one (best of BENCH_REPS, default 3,
# client-side \timing) serially and with 2 workers, print times and ratios.

# bench_run FILE: fills S[name] (serial ms), P[name] (2 workers) and NAMES; with
# BENCH_WORKERS="2 1" (worker counts, the first one's times in P) also PW["w,name"] for
# each count w; and every timing as R["round,w,name"] (w 0: serial).  The queries run in
# rounds (every query serially and with workers, the order reversed every other round,
# BENCH_REPS rounds, default 3), each keeping its best time: a slow spell of the machine,
# which lasts seconds, then weighs on every query alike instead of on whichever ran during
# it, so the ratios between queries (kam against its floor) hold from run to run.  A
# query's serial and parallel runs of one round follow each other: R pairs them.
bench_run() {
    local dir n ms
    dir=$(mktemp -d)
    awk -v d="$dir" '/^-- bench: /{name=$3; print name >> (d "/names"); next} /^--/{next} name{print > (d "/" name ".sql")}' "$1"
    local round w counts=(${BENCH_WORKERS:-2}) order
    declare -gA PW R
    NAMES=()
    while read -r n; do
        NAMES+=("$n")
        # a name timed by an earlier call starts afresh
        S[$n]=""; P[$n]=""
        for w in "${counts[@]}"; do PW[$w,$n]=""; done
    done < "$dir/names"
    for round in $(seq "${BENCH_REPS:-3}"); do
        for n in "${NAMES[@]}"; do
            # serial first in odd rounds, last in even ones: where the tables outgrow
            # shared_buffers, whichever runs first reads the table back in
            order="0 ${counts[*]}"
            ((round % 2)) || order=$(tr ' ' '\n' <<< "$order" | tac | tr '\n' ' ')
            for w in $order; do
                # a failed query ends the run without leaving the split queries behind
                ms=$(bench_once_ms "$w" "$dir/$n.sql") || { rm -rf "$dir"; return 1; }
                R[$round,$w,$n]=$ms
                if [ "$w" = 0 ]; then S[$n]=$(bench_min "${S[$n]}" "$ms")
                else PW[$w,$n]=$(bench_min "${PW[$w,$n]}" "$ms"); fi
            done
            P[$n]=${PW[${counts[0]},$n]}
        done
    done
    rm -rf "$dir"
    printf '\n%-32s %10s %10s %9s\n' "query" "serial ms" "${counts[0]} workers" "speed-up"
    for n in "${NAMES[@]}"; do
        printf '%-32s %10.0f %10.0f %8.2fx\n' "$n" "${S[$n]}" "${P[$n]}" "$(awk "BEGIN{print ${S[$n]}/${P[$n]}}")"
    done
    echo
    echo "ratios (serial / ${counts[0]} workers); < 1 means the first is faster"
    printf '%-58s %8s %8s\n' "comparison" "serial" "2 work."
}

# one timing (ms) of FILE with WORKERS parallel workers, in a fresh session
bench_once_ms() {   # workers, file
    local out
    # BENCH_FORCE_PARALLEL=1: with workers, parallel plans forced (parallel costs 0)
    out=$( { echo "SET max_parallel_workers_per_gather = $1;"
             if [ "${BENCH_FORCE_PARALLEL:-0}" = 1 ] && [ "$1" -gt 0 ]; then
                 echo "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
             fi
             echo '\timing on'; cat "$2"; } \
          | command psql -X -q -At 2>&1)
    if grep -q '^ERROR:' <<< "$out"; then
        echo "benchmark query failed ($2):" >&2; grep -A3 '^ERROR:' <<< "$out" >&2; return 1
    fi
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<< "$out" | tail -1
}

bench_min() { awk -v a="$1" -v b="$2" 'BEGIN{print (a == "" || b + 0 < a + 0) ? b : a}'; }

bench_ratio() { awk "BEGIN{printf \"%.2f\", $1/$2}"; }

# bench_cmp A B: one line of the ratio table
bench_cmp() {
    printf '%-58s %8s %8s\n' "$1 / $2" "$(bench_ratio "${S[$1]}" "${S[$2]}")" "$(bench_ratio "${P[$1]}" "${P[$2]}")"
}

# bench_report FILE A/B ...: time FILE's queries (bench_run) and print the ratio
# line of each pair A/B
bench_report() {
    local file=$1 pair
    shift
    declare -gA S P
    bench_run "$file"
    for pair in "$@"; do
        bench_cmp "${pair%%/*}" "${pair#*/}"
    done
}
