#!/usr/bin/env bash
# Benchmark: the fastest correct way for the sink to write snapshot rows into green, against a raw
# COPY (the anchor) measured in the same run on one throwaway PostgreSQL.
#   bench/run-snapshot-apply.sh [--rows N] [--reps N]      (defaults: 500000 rows, 5 reps)
# Builds the bench module and what it depends on (no tests), then runs the main class with the
# classpath maven-dependency-plugin wrote to bench/target/classpath.txt. Results: stdout (markdown)
# and bench/target/results/snapshot-apply-<timestamp>.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && ./mvnw -q -B -pl bench -am package -DskipTests -DskipITs)
exec java -Xms2g -Xmx2g -Dbluegreen.project.root="$root" \
    -cp "$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")" \
    dev.bluegreen.bench.SnapshotApplyBench "$@"
