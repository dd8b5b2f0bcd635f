# Shared helpers of the VM tests (sourced by run-x86.sh and run-armhf.sh).

skip() { echo "SKIP: $*"; exit 77; }
need() { # need PROGRAM PACKAGE
    command -v "$1" >/dev/null 2>&1 || skip "$1 not found (apt-get install $2; see tests/vm/packages.txt)"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# copy_with_libs STAGE BINARY DEST: installs BINARY at STAGE/DEST and every library ldd lists at
# its own absolute path (the build tree's libddrspd.so keeps its path, so RUNPATH still finds it).
# Debug info is stripped from the copies: a debug build's binaries are 10-20 MB each.
copy_with_libs() {
    install -D -m 755 "$2" "$1$3"
    strip --strip-debug "$1$3" 2>/dev/null || true
    for lib in $(ldd "$2" | grep -o '/[^ ]*' | xargs realpath -s | sort -u); do
        if [ ! -e "$1$lib" ]; then
            install -D "$lib" "$1$lib"
            strip --strip-debug "$1$lib" 2>/dev/null || true
        fi
    done
}

# make_cpio STAGE OUT
make_cpio() {
    mknod -m 600 "$1/dev/console" c 5 1 2>/dev/null || true
    (cd "$1" && find . -print0 | cpio --null -o -H newc --quiet) >"$2"
}

# vm_result LOG: 0 when the guest printed VM-RESULT: PASS, and prints the per-check summary.
vm_result() {
    grep -E '^CHECK |^GUEST: [0-9]+ passed' "$1" | sed 's/^/  /' >&2 || true
    grep -q '^VM-RESULT: PASS' "$1"
}
