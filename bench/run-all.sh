#!/usr/bin/env bash
# All of issue 5's benchmarks, one after the other (never two at once: they share the box's cores):
#   S1 snapshot (run-snapshot.sh), S1 from a MariaDB blue (s1m, run-snapshot-mariadb.sh),
#   S2 streaming + S3 catch-up + S6 memory (run-streaming.sh), S4 parity (run-parity.sh), S5 cutover (run-cutover.sh).
#   bench/run-all.sh            the full runs at each script's defaults (about 2 hours on 2 cores)
#   bench/run-all.sh --smoke    a tiny run of every scenario (scale 1, 1 repetition, short load), to prove they work
#   bench/run-all.sh --only s1  one scenario (s1, s1m, s2, s4 or s5), at full size unless --smoke is given too
# Each script prints its markdown; bench/target/results/summary-<time>.md collects them, with the machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
smoke=false
only=""
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) smoke=true ;;
        --only) only="$2"; shift ;;
        *) echo "unknown option $1 (use --smoke and/or --only s1|s1m|s2|s4|s5)" >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$here/target/results"
summary="$here/target/results/summary-$(date +%Y%m%d-%H%M%S).md"
{ echo "# bluegreen benchmarks ($(date -u +%Y-%m-%dT%H:%MZ)$($smoke && echo ', smoke'))"; echo;
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"; echo; } > "$summary"
run() {
    local id="$1"; shift
    if [ -n "$only" ] && [ "$only" != "$id" ]; then return 0; fi
    echo "==> $id: $*"
    local log="$here/target/results/$id-last.log"
    "$@" 2>&1 | tee "$log"
    sed -n '/^### /,$p' "$log" | grep -v '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' >> "$summary" || true
}
if $smoke; then
    run s1 "$here/run-snapshot.sh" --scale 1 --reps 1
    run s1m "$here/run-snapshot-mariadb.sh" --rows 20000 --reps 1
    run s2 "$here/run-streaming.sh" --scale 1 --reps 1 --load-seconds 10 --backlog-seconds 10 --warmup-seconds 5
    run s4 "$here/run-parity.sh" --scale 1 --reps 1
    run s5 "$here/run-cutover.sh" --reps 1 --rate 300 --load-seconds 40 --warmup-seconds 20
else
    run s1 "$here/run-snapshot.sh"
    # the hand-built Debezium + JDBC sink pipeline runs at 4-7k rows/s: compared at a tenth of the rows
    run s1 "$here/run-snapshot.sh" --scale 5 --contenders pipe,identity,identity-rows,transform,jdbc-sink
    run s1m "$here/run-snapshot-mariadb.sh"
    run s2 "$here/run-streaming.sh" --contenders bluegreen,native,jdbcsink
    run s4 "$here/run-parity.sh"
    run s5 "$here/run-cutover.sh"
fi
echo "summary: $summary"
