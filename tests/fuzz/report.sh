#!/bin/sh
# Summarises libFuzzer logs: report.sh OUT_DIR TARGET...   (OUT_DIR/TARGET.log, or the
# workers' OUT_DIR/TARGET.wK.log, and crashes/TARGET)
# One line per target: executions (summed over workers), exec/s (summed), cov and ft (the
# highest worker's), corpus entries, crash files, sanitizer reports, seconds (the longest).
# Exit status 1 when any target has a crash file or a sanitizer report, or ran nothing.
# Byte-wise: a log may hold the raw bytes of a crashing input.
export LC_ALL=C
out=$1
shift
status=0
printf '%-10s %12s %8s %8s %8s %8s %8s %10s %s\n' target executions exec/s cov ft corpus crashes sanitizer seconds
for t in "$@"; do
    logs=""
    [ -f "$out/$t.log" ] && logs="$out/$t.log"
    for w in "$out/$t".w*.log; do
        [ -f "$w" ] && logs="$logs $w"
    done
    [ -n "$logs" ] || { echo "$t: no log"; status=1; continue; }
    execs=0 rate=0 cov=0 ft=0 corp=0 secs=0 reports=0 ran=1
    for log in $logs; do
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        [ -n "$n" ] || n=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
        # A worker that never got to run (missing runtime, bad option) is a failure too.
        [ -n "$n" ] && [ "$n" -gt 0 ] || { ran=0; n=0; }
        execs=$((execs + n))
        r=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        rate=$((rate + ${r:-0}))
        last=$(grep -aE '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
        c=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
        f=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
        p=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
        [ "${c:-0}" -gt "$cov" ] && cov=$c
        [ "${f:-0}" -gt "$ft" ] && ft=$f
        [ "${p:-0}" -gt "$corp" ] && corp=$p
        s=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
        [ "${s:-0}" -gt "$secs" ] && secs=$s
        reports=$((reports + $(grep -acE '^==[0-9]+==ERROR|runtime error:|fuzz contract violated|deadly signal|uncaught exception' "$log")))
    done
    crashes=$(find "$out/crashes/$t" -type f 2>/dev/null | wc -l)
    [ "$crashes" -eq 0 ] && [ "$reports" -eq 0 ] && [ "$ran" -eq 1 ] || status=1
    printf '%-10s %12s %8s %8s %8s %8s %8s %10s %s\n' "$t" "$execs" "$rate" "$cov" "$ft" \
        "$corp" "$crashes" "$reports" "$secs"
done
exit $status
