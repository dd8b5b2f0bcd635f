#!/bin/sh
# Builds the libFuzzer targets: build.sh [BUILD_DIR]   (default: SOURCE/build-fuzz)
# A separate Meson build dir with clang: the library gets -fsanitize=fuzzer-no-link plus
# ASan + UBSan (no recovery), the targets -fsanitize=fuzzer. Prints the target directory.
# Exits 77 when clang or its libFuzzer runtime (libclang-rt-14-dev) is missing.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-fuzz}
jobs=${FUZZ_BUILD_JOBS:-2}

for tool in clang clang++ meson ninja; do
    command -v "$tool" >/dev/null 2>&1 || { echo "fuzz: $tool not installed (tests/fuzz/packages.txt)" >&2; exit 77; }
done
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' >"$probe/t.cpp"
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe/t.cpp" -o "$probe/t" 2>"$probe/err"; then
    echo "fuzz: clang++ cannot link -fsanitize=fuzzer (install libclang-rt-14-dev): $(head -1 "$probe/err")" >&2
    exit 77
fi

# -fconstexpr-steps: clang's default budget (2^20) is too small for the 64 Ki-entry constexpr
# hex-pair table in src/dump_parse.cpp, which g++ (33 M operations) accepts.
set -- -Dbuildtype=debugoptimized -Dwerror=false \
    -Db_sanitize=address,undefined -Db_lundef=false \
    "-Dcpp_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer -fconstexpr-steps=33554432" \
    "-Dcpp_link_args=-fno-sanitize-recover=all" \
    -Dcorpus_dir="${DDRSPD_CORPUS:-}"
if [ -f "$build/build.ninja" ]; then
    meson configure "$build" "$@" >"$probe/setup.log" 2>&1 || { cat "$probe/setup.log" >&2; exit 1; }
else
    CC=clang CXX=clang++ meson setup "$build" "$src" "$@" >"$probe/setup.log" 2>&1 ||
        { cat "$probe/setup.log" >&2; exit 1; }
fi
targets=""
for t in dump decode builder busspec emulator; do
    targets="$targets tests/fuzz/fuzz_$t"
done
# shellcheck disable=SC2086
ninja -C "$build" -j "$jobs" $targets >&2
echo "$build/tests/fuzz"
