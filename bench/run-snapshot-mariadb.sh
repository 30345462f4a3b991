#!/usr/bin/env bash
# Benchmark S1 for a MariaDB blue (issue 5): bluegreen's initial copy of a pgbench_accounts-like table from a
# MariaDB blue into a PostgreSQL green (identity mapping; renames + cast + computed column) against the raw text
# pipe mariadb --batch | psql COPY between the same servers.
#   bench/run-snapshot-mariadb.sh [--rows N] [--reps N] [--parallelism N] [--contenders a,b,...] [--jfr]
#   (defaults: 2,000,000 rows, 5 reps, the product's workers from a MariaDB blue (cores, at most 4),
#   contenders pipe,identity,transform)
# Builds the shipped jar and the bench module (no tests), then runs MariaDbSnapshotBench, which starts its own
# MariaDB and PostgreSQL on free private ports and stops them at the end. Results: stdout (markdown) and
# bench/target/results/s1-snapshot-mariadb-<time>.{json,md}.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && ./mvnw -q -B -pl cli,bench -am package -DskipTests -DskipITs)
exec java -Xmx1g -Dbluegreen.project.root="$root" \
    -cp "$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")" \
    dev.bluegreen.bench.MariaDbSnapshotBench "$@"
