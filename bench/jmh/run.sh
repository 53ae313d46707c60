#!/usr/bin/env bash
# JMH microbenchmarks of the per-record path (decode + preprocess, batch assembly).
# Usage: bench/jmh/run.sh [JMH options, e.g. -rf json -rff bench-results/jmh.json or a benchmark regex]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
./mvnw -q -B -pl bench/jmh -am package -DskipTests
exec java -cp "bench/jmh/target/classes:$(cat bench/jmh/target/classpath.txt)" org.openjdk.jmh.Main "$@"
