#!/bin/sh
# meson test 'fuzz_smoke' (suite fuzz): builds the libFuzzer targets (clang, ASan + UBSan) in
# BUILD-fuzz next to the calling build dir and runs each one for FUZZ_SMOKE_SECONDS (default
# 60) from the seed corpora, FUZZ_SMOKE_JOBS (default 2) targets at a time, one process each.
# Fails on any crash, contract violation or sanitizer report, or when a target did not run;
# exits 77 when clang/libFuzzer is not installed (tests/fuzz/packages.txt).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=${DDRSPD_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build=${DDRSPD_BUILD_DIR:-$src/build}
fuzz=${DDRSPD_FUZZ_BUILD_DIR:-${build%/}-fuzz}
seconds=${FUZZ_SMOKE_SECONDS:-60}
jobs=${FUZZ_SMOKE_JOBS:-2}
targets=${FUZZ_TARGETS:-dump decode builder busspec emulator}

. "$here/fuzzlib.sh"
start=$(date +%s)
bin=$("$here/build.sh" "$fuzz") || exit $?
echo "fuzz_smoke: build took $(( $(date +%s) - start )) s"
out=$fuzz/smoke
rm -rf "$out"
mkdir -p "$out"
python3 "$here/make_seeds.py" "$src" "$out/seeds" "${DDRSPD_CORPUS:-}"

run_one() {
    run_fuzzer "$1" "$out/$1.log" -max_total_time="$seconds"
}

running=0
for t in $targets; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait
status=0
"$here/report.sh" "$out" $targets || status=1
if [ "$status" -ne 0 ]; then
    for t in $targets; do
        grep -A30 -E '^==[0-9]+==ERROR|runtime error:|fuzz contract violated|uncaught exception|deadly signal' \
            "$out/$t.log" | head -60
        find "$out/crashes/$t" -type f
    done
fi
echo "fuzz_smoke: total $(( $(date +%s) - start )) s"
exit $status
