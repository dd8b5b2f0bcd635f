#!/bin/sh
# Long fuzzing campaign: campaign.sh [RUNS] [MAX_SECONDS]
#   RUNS         executions per target (default 10000000)
#   MAX_SECONDS  wall-clock cap per target (default: none)
# Environment: FUZZ_BUILD (build dir, default SOURCE/build-fuzz), FUZZ_OUT (corpora, logs and
# crash files, default FUZZ_BUILD/campaign), FUZZ_TARGETS (default: all), FUZZ_PARALLEL=1 runs
# the targets at the same time (each one process, nice -n 10), DDRSPD_CORPUS (extra seeds).
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

bin=$("$here/build.sh" "$build")
mkdir -p "$out"
python3 "$here/make_seeds.py" "$src" "$out/seeds" "${DDRSPD_CORPUS:-$src/../shared/corpus}" >/dev/null

run_one() {
    t=$1
    mkdir -p "$out/corpus/$t" "$out/crashes/$t"
    dict=""
    [ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
    # shellcheck disable=SC2086
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1 \
    nice -n 10 "$bin/fuzz_$t" -runs="$runs" -max_total_time="$max_time" -max_len=4096 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/crashes/$t/" $dict \
        "$out/corpus/$t" "$out/seeds/$t" >"$out/$t.log" 2>&1 || true
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
