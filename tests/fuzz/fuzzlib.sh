# Shared by campaign.sh and smoke.sh (sourced; they set here, bin and out).

# run_fuzzer TARGET LOG [libFuzzer flags...]: runs $bin/fuzz_TARGET, ASan + UBSan aborting on
# the first report, on the corpus $out/corpus/TARGET (grown in place) and the seeds
# $out/seeds/TARGET, with the target's dictionary when there is one; crash files go to
# $out/crashes/TARGET, libFuzzer's output to LOG. $FUZZ_NICE (e.g. "nice -n 10") prefixes the
# command. Never fails: report.sh judges the log and the crash files.
run_fuzzer() {
    rf_target=$1
    rf_log=$2
    shift 2
    mkdir -p "$out/corpus/$rf_target" "$out/crashes/$rf_target"
    [ -f "$here/$rf_target.dict" ] && set -- "$@" "-dict=$here/$rf_target.dict"
    # shellcheck disable=SC2086
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1 \
    ${FUZZ_NICE:-} "$bin/fuzz_$rf_target" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/crashes/$rf_target/" "$@" \
        "$out/corpus/$rf_target" "$out/seeds/$rf_target" >"$rf_log" 2>&1 || true
}
