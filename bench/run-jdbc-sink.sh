#!/usr/bin/env bash
# Anchor alone: the hand-built Debezium PostgreSQL source -> Kafka -> Debezium JDBC sink pipeline on a real
# Kafka Connect worker (its own JVM), for issue 5's S1 (snapshot rows/s) and, with --streaming, a check of
# its streaming mode (time until green equals blue after pgbench -c 2 on blue).
#   bench/run-jdbc-sink.sh [--scale N] [--reps N] [--batch ROWS] [--unnest] [--streaming | --streaming-only]
#                          [--load-seconds N]                       (defaults: scale 1, 5 reps, batch 5000, 10 s)
# Builds the bench module (no tests) and the worker's class path (bench/connect-worker, outside the reactor:
# connect-runtime, debezium-connector-postgres and debezium-connector-jdbc at the root pom's kafka.version and
# debezium.version), then runs JdbcSinkSmoke. Results: stdout (markdown) and bench/target/results/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && ./mvnw -q -B -pl bench -am package -DskipTests -DskipITs)
"$root/bench/connect-worker/classpath.sh"
exec java -Xmx512m -Dbluegreen.project.root="$root" -Dlogback.configurationFile="$root/bench/src/main/resources/logback.xml" \
    -cp "$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")" \
    dev.bluegreen.bench.JdbcSinkSmoke "$@"
