#!/bin/sh
# Long fuzzing campaign: campaign.sh [RUNS] [MAX_SECONDS]
#   RUNS         executions per target (default 10000000)
#   MAX_SECONDS  wall-clock cap per target (default: none)
# Environment: FUZZ_BUILD (build dir, default SOURCE/build-fuzz), FUZZ_OUT (corpora, logs and
# crash files, default FUZZ_BUILD/campaign), FUZZ_TARGETS (default: all), FUZZ_PARALLEL=1 runs
# the targets at the same time (each one process, nice -n 10), FUZZ_WORKERS=N runs N processes
# per target that share one corpus and split RUNS between them (logs TARGET.wK.log; the report
# adds them up), FUZZ_FLAGS (extra libFuzzer flags, e.g. -entropic=0 for more executions per
# second at some cost in how fast new coverage is found), DDRSPD_CORPUS (extra seeds).
# Prints, per target: executions, coverage (cov/ft from libFuzzer's final line), corpus size,
# crashes (crash-/leak-/timeout-/oom- files) and sanitizer reports in the log.
# Exit status: 0 when no target crashed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
runs=${1:-10000000}
max_time=${2:-0}
build=${FUZZ_BUILD:-$src/build-fuzz}
out=${FUZZ_OUT:-$build/campaign}
targets=${FUZZ_TARGETS:-dump decode builder busspec emulator}
workers=${FUZZ_WORKERS:-1}

bin=$("$here/build.sh" "$build")
mkdir -p "$out"
python3 "$here/make_seeds.py" "$src" "$out/seeds" "${DDRSPD_CORPUS:-$src/../shared/corpus}" >/dev/null

# run_worker TARGET RUNS LOG
run_worker() {
    dict=""
    [ -f "$here/$1.dict" ] && dict="-dict=$here/$1.dict"
    # shellcheck disable=SC2086
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1 \
    nice -n 10 "$bin/fuzz_$1" -runs="$2" -max_total_time="$max_time" -max_len=4096 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 ${FUZZ_FLAGS:-} \
        -artifact_prefix="$out/crashes/$1/" $dict \
        "$out/corpus/$1" "$out/seeds/$1" >"$3" 2>&1 || true
}

run_one() {
    t=$1
    mkdir -p "$out/corpus/$t" "$out/crashes/$t"
    rm -f "$out/$t.log" "$out/$t".w*.log
    if [ "$workers" -le 1 ]; then
        run_worker "$t" "$runs" "$out/$t.log"
        return
    fi
    w=1
    while [ "$w" -le "$workers" ]; do
        run_worker "$t" $(( (runs + workers - 1) / workers )) "$out/$t.w$w.log" &
        w=$((w + 1))
    done
    wait
}

start=$(date +%s)
if [ "${FUZZ_PARALLEL:-0}" = 1 ]; then
    for t in $targets; do run_one "$t" & done
    wait
else
    for t in $targets; do run_one "$t"; done
fi
"$here/report.sh" "$out" $targets
echo "wall time: $(( $(date +%s) - start )) s"
