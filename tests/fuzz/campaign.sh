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

. "$here/fuzzlib.sh"
FUZZ_NICE="nice -n 10"
bin=$("$here/build.sh" "$build")
mkdir -p "$out"
python3 "$here/make_seeds.py" "$src" "$out/seeds" "${DDRSPD_CORPUS:-$src/../shared/corpus}" >/dev/null

run_one() {
    t=$1
    rm -f "$out/$t.log" "$out/$t".w*.log
    if [ "$workers" -le 1 ]; then
        # shellcheck disable=SC2086
        run_fuzzer "$t" "$out/$t.log" -runs="$runs" -max_total_time="$max_time" ${FUZZ_FLAGS:-}
        return
    fi
    w=1
    while [ "$w" -le "$workers" ]; do
        # shellcheck disable=SC2086
        run_fuzzer "$t" "$out/$t.w$w.log" -runs=$(( (runs + workers - 1) / workers )) \
            -max_total_time="$max_time" ${FUZZ_FLAGS:-} &
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
