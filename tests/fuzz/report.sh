#!/bin/sh
# Summarises libFuzzer logs: report.sh OUT_DIR TARGET...   (OUT_DIR/TARGET.log, crashes/TARGET)
# One line per target: executions, exec/s, cov, ft, corpus entries, crash files, sanitizer reports.
# Exit status 1 when any target has a crash file or a sanitizer report, or ran nothing.
out=$1
shift
status=0
printf '%-10s %12s %8s %8s %8s %8s %8s %10s %s\n' target executions exec/s cov ft corpus crashes sanitizer seconds
for t in "$@"; do
    log="$out/$t.log"
    [ -f "$log" ] || { echo "$t: no log"; status=1; continue; }
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    crashes=$(find "$out/crashes/$t" -type f 2>/dev/null | wc -l)
    reports=$(grep -cE '^==[0-9]+==ERROR|runtime error:|fuzz contract violated|deadly signal|uncaught exception' "$log")
    [ "$crashes" -eq 0 ] && [ "$reports" -eq 0 ] || status=1
    # A target that never got to run (missing runtime, bad option) is a failure too.
    [ -n "$execs" ] && [ "$execs" -gt 0 ] || status=1
    printf '%-10s %12s %8s %8s %8s %8s %8s %10s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
        "${corp:-?}" "$crashes" "$reports" "${secs:-?}"
done
exit $status
