#!/usr/bin/env bash
# Resolves the Kafka Connect worker's class path (bench/connect-worker, outside the reactor: connect-runtime,
# debezium-connector-postgres and debezium-connector-jdbc) at the root pom's kafka.version, debezium.version and
# postgresql.version, into bench/connect-worker/target/worker-classpath.txt. The benches that run the Debezium JDBC
# sink anchor call it; run it alone after a version change in the root pom.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$root/pom.xml" | head -n 1; }
cd "$root" && ./mvnw -q -B -f bench/connect-worker/pom.xml dependency:build-classpath \
    -Dkafka.version="$(version kafka.version)" -Ddebezium.version="$(version debezium.version)" \
    -Dpostgresql.version="$(version postgresql.version)"
