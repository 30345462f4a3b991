#!/usr/bin/env bash
# Benchmark (issue 5, S2/S3/S6): bluegreen's streaming lag, blue's tps cost, backlog catch-up and memory,
# against PostgreSQL's native logical replication on the same pair, interleaved.
#   bench/run-streaming.sh [--scale N] [--reps N] [--load-seconds N] [--backlog-seconds N] [--contenders a,b] [--scenarios s2,s3,s3stall] [--jfr]
#     [--nice N] (bluegreen under nice -n N, e.g. -10 as root: its CPU share on a box shared with the load)
#     [--perf] (perf record -a over each S3 drain: green PostgreSQL by function, the machine by command, in the notes)
#   (defaults: scale 50, 5 reps, 60 s load, 60 s backlog, bluegreen,native)
# Builds the shipped jar and the bench module (no tests), then runs StreamingBench. Results: stdout
# (markdown) and bench/target/results/{s2-streaming,s3-catchup,s6-memory}-<timestamp>.{json,md}.
# About 11 minutes per repetition at the defaults (s3stall alone: about 7 for both contenders), plus ~2 minutes for pgbench -i -s 50 on both servers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && ./mvnw -q -B -pl cli,bench -am package -DskipTests -DskipITs)
# the Debezium JDBC sink contender runs on a Kafka Connect worker whose class path is resolved separately
case " $* " in *jdbcsink*) "$root/bench/connect-worker/classpath.sh" ;; esac
exec java -Xmx512m -Dbluegreen.project.root="$root" \
    -cp "$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")" \
    dev.bluegreen.bench.streaming.StreamingBench "$@"
