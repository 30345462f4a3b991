#!/usr/bin/env bash
# Benchmark S4: rows/s per side of `bluegreen verify --path pushdown` and `--path streaming` against a
# server-side chunked hashtext pass and a key-ordered COPY into a null sink, on identical pgbench data.
#   bench/run-parity.sh [--scale N] [--reps N] [--chunk-size N] [--jfr]   (defaults: scale 50, 5 reps, 5000 rows)
# Builds the shipped jar and the bench module (no tests), then runs ParityBench. Results: stdout
# (markdown) and bench/target/results/s4-parity-<timestamp>.{json,md}.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && ./mvnw -q -B -pl cli,bench -am package -DskipTests -DskipITs)
exec java -Xmx1g -Dbluegreen.project.root="$root" \
    -cp "$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")" \
    dev.bluegreen.bench.ParityBench "$@"
