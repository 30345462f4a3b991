#!/usr/bin/env bash
# Benchmark: the write freeze of `bluegreen cutover` under pgbench -c 4 through a real PgBouncer, over
# N cutovers, against a LOCK TABLE ... IN EXCLUSIVE MODE anchor measured in the same load, with a write
# probe (one autocommit insert every 10 ms through the same PgBouncer) measuring the write-blocked window.
#   bench/run-cutover.sh [--reps N] [--scale N] [--load-seconds N] [--warmup-seconds N] [--rate TPS] [--skip-final-verify]
#   (defaults: 10 reps, scale 1, 60 s, pgbench unthrottled; --rate passes pgbench -R for a box too slow for the
#   pipeline to keep up with an unthrottled pgbench, where the pre-check on lag refuses the cutover; before each
#   repetition's verify, --warmup-seconds (default 45) of the same load, untimed, so the pipeline's code is compiled)
# Builds the shipped jar and the bench module (no tests), then runs CutoverBench. Results: stdout
# (markdown) and bench/target/results/s5-cutover-<timestamp>.{json,md}. About 3 minutes per repetition.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && ./mvnw -q -B -pl cli,bench -am package -DskipTests -DskipITs)
exec java -Xmx512m -Dbluegreen.project.root="$root" \
    -cp "$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")" \
    dev.bluegreen.bench.CutoverBench "$@"
