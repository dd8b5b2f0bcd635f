#!/bin/sh
# meson test 'sanitize' (suite fuzz): the unit, e2e and corpus suites rebuilt with ASan + UBSan
# (g++, no recovery: the first report aborts the process) in BUILD-sanitize next to the calling
# build dir, then run there. Any sanitizer report, in a test or in a tool a test script ran,
# aborts that process and so fails its test (the scripts check exact exit statuses).
# -O0 -g1: the Catch2 test files compile 3-4 times faster than at -O1, which is what makes the
# build fit CI; the tests themselves are short.
# Environment (set by meson test): DDRSPD_SOURCE_DIR, DDRSPD_BUILD_DIR, DDRSPD_CORPUS;
# DDRSPD_ASAN_BUILD_DIR overrides the build dir, SANITIZE_JOBS (default 2) the parallelism,
# SANITIZE_SUITES (default "unit e2e corpus") the suites, SANITIZE_EXCLUDE the tests left out.
# Tests see DDRSPD_SANITIZE=1.
set -eu
src=${DDRSPD_SOURCE_DIR:?run through meson test}
build=${DDRSPD_BUILD_DIR:?run through meson test}
asan=${DDRSPD_ASAN_BUILD_DIR:-${build%/}-sanitize}
jobs=${SANITIZE_JOBS:-2}
suites=${SANITIZE_SUITES:-unit e2e corpus}

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
set -- -Dbuildtype=plain -Dwerror=false -Db_sanitize=address,undefined -Db_lundef=false \
    "-Dcpp_args=-O0 -g1 -fno-omit-frame-pointer -fno-sanitize-recover=all" \
    -Dcpp_link_args=-fno-sanitize-recover=all -Dcorpus_dir="${DDRSPD_CORPUS:-}"
if [ -f "$asan/build.ninja" ]; then
    meson configure "$asan" "$@" >/dev/null
else
    CC=gcc CXX=g++ meson setup "$asan" "$src" "$@" >"$probe/setup.log" 2>&1 ||
        { cat "$probe/setup.log" >&2; exit 1; }
fi
ninja -C "$asan" -j "$jobs"
echo "sanitize: build took $(( $(date +%s) - start )) s"

# Tests that cannot run under ASan, with the reason (SANITIZE_EXCLUDE overrides). None today:
# spd_check_many leaves out its RLIMIT_DATA = 8 MiB memory check when DDRSPD_SANITIZE=1 (ASan
# cannot map its shadow memory under that limit).
exclude=${SANITIZE_EXCLUDE:-}
suite_args=""
for s in $suites; do suite_args="$suite_args --suite $s"; done
# shellcheck disable=SC2086
names=$(meson test -C "$asan" --no-rebuild --list $suite_args 2>/dev/null | sed -n 's/^[^ ]* \/ //p')
run=""
for n in $names; do
    case " $exclude " in
    *" $n "*) echo "sanitize: not run under ASan: $n" ;;
    *) run="$run $n" ;;
    esac
done

# abort_on_error in both: a report must never look like an ordinary exit status 1 to a test
# script that expects one. verify_asan_link_order=0: the fake-i2c tests LD_PRELOAD umockdev
# ahead of libasan (and no log_path: umockdev's open() wrapper crashes on it before main).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:verify_asan_link_order=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1
export DDRSPD_SANITIZE=1
status=0
# shellcheck disable=SC2086
meson test -C "$asan" --no-rebuild --num-processes "$jobs" --timeout-multiplier 3 \
    --print-errorlogs $run || status=$?
# A report aborts its process, which fails the test; say it plainly in this log as well (test
# scripts may have captured the tool's stderr into the test log).
pattern='^==[0-9]+==ERROR|runtime error:|LeakSanitizer'
if grep -qE "$pattern" "$asan/meson-logs/testlog.txt" 2>/dev/null; then
    echo "sanitize: sanitizer reports in $asan/meson-logs/testlog.txt:" >&2
    grep -nE "$pattern" "$asan/meson-logs/testlog.txt" | head -20 >&2
    status=1
fi
echo "sanitize: total $(( $(date +%s) - start )) s, status $status"
exit $status
