#!/usr/bin/env bash
# Benchmark: how fast the sink writes snapshot rows into green, against a raw COPY (the anchor),
# measured in the same run. Usage: bench/run-snapshot-apply.sh [--rows N] [--reps N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && ./mvnw -q -B -DskipTests -DskipITs package -pl bench -am)
exec java -Xmx1g -Dbluegreen.project.root="$root" \
    -cp "$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")" \
    dev.bluegreen.bench.SnapshotApplyBench "$@"
