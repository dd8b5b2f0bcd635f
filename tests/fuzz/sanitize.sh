#!/bin/sh
# meson test 'sanitize' (suite fuzz): the unit and e2e suites rebuilt with ASan + UBSan (g++,
# no recovery: the first report fails the test) in BUILD-asan next to the calling build dir.
# Environment (set by meson test): DDRSPD_SOURCE_DIR, DDRSPD_BUILD_DIR, DDRSPD_CORPUS;
# DDRSPD_ASAN_BUILD_DIR overrides the build dir, SANITIZE_JOBS (default 2) the parallelism.
set -eu
src=${DDRSPD_SOURCE_DIR:?run through meson test}
build=${DDRSPD_BUILD_DIR:?run through meson test}
asan=${DDRSPD_ASAN_BUILD_DIR:-${build%/}-asan}
jobs=${SANITIZE_JOBS:-2}

for tool in gcc g++ meson ninja; do
    command -v "$tool" >/dev/null 2>&1 || { echo "sanitize: $tool not installed" >&2; exit 77; }
done
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int main() { return 0; }' >"$probe/t.cpp"
if ! g++ -fsanitize=address,undefined "$probe/t.cpp" -o "$probe/t" 2>/dev/null; then
    echo "sanitize: g++ cannot link -fsanitize=address,undefined (libasan/libubsan missing)" >&2
    exit 77
fi

start=$(date +%s)
if [ ! -f "$asan/build.ninja" ]; then
    CC=gcc CXX=g++ meson setup "$asan" "$src" \
        -Db_sanitize=address,undefined -Db_lundef=false \
        -Dcpp_args=-fno-sanitize-recover=all -Dcpp_link_args=-fno-sanitize-recover=all \
        -Dcorpus_dir="${DDRSPD_CORPUS:-}"
fi
ninja -C "$asan" -j "$jobs"
echo "sanitize: build took $(( $(date +%s) - start )) s"

# verify_asan_link_order=0: the fake-i2c e2e test LD_PRELOADs umockdev ahead of libasan.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:verify_asan_link_order=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
meson test -C "$asan" --no-rebuild --suite unit --suite e2e --num-processes "$jobs" \
    --timeout-multiplier 3 --print-errorlogs || status=$?
# A sanitizer report fails its test (abort), but say it plainly in this log as well.
if grep -lE '^==[0-9]+==ERROR|runtime error:' "$asan/meson-logs/testlog.txt" >/dev/null 2>&1; then
    echo "sanitize: sanitizer reports in $asan/meson-logs/testlog.txt:" >&2
    grep -nE '^==[0-9]+==ERROR|runtime error:' "$asan/meson-logs/testlog.txt" | head -20 >&2
    status=1
fi
echo "sanitize: total $(( $(date +%s) - start )) s, status $status"
exit $status
