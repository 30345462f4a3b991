#!/usr/bin/env bash
# Benchmark S1 (issue 5): bluegreen's initial copy of pgbench_accounts (identity piped, identity per row,
# renames + computed column) against the raw binary COPY pipe psql | psql between the same servers.
#   bench/run-snapshot.sh [--scale N] [--reps N] [--parallelism N] [--contenders a,b,...] [--jfr]
#   (defaults: scale 50, 5 reps, 4 workers; add the Debezium JDBC sink anchor with
#   --contenders pipe,identity,identity-rows,transform,jdbc-sink, at a small scale: it runs at 4-7k rows/s)
# Builds the shipped jar and the bench module (no tests), then runs SnapshotBench. Results: stdout (markdown)
# and bench/target/results/s1-snapshot-<time>.{json,md}. About 2.5 minutes per repetition at scale 50.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && ./mvnw -q -B -pl cli,bench -am package -DskipTests -DskipITs)
if [[ " $* " == *jdbc-sink* ]]; then # the Kafka Connect worker's class path, outside the reactor
    "$root/bench/connect-worker/classpath.sh"
fi
exec java -Xmx1g -Dbluegreen.project.root="$root" \
    -cp "$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")" \
    dev.bluegreen.bench.SnapshotBench "$@"
