#!/usr/bin/env bash
# The worker's NHWC forward pass against DL4J's MultiLayerNetwork.output, per model and batch size, in one JVM.
# Usage: bench/levers/pass-vs-dl4j.sh   (after ./mvnw -q package -DskipTests)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cp="tools/target/fashion-tools.jar:$(ls tools/target/lib/*.jar | tr '\n' ':')"
out=$(mktemp -d)
javac -cp "$cp" -d "$out" bench/levers/PassVsDl4j.java bench/levers/LeverProbe.java
java -cp "$cp:$out" PassVsDl4j 2>/dev/null | grep -v '^[0-9:. ]*\[main\]\|^HAVE_'
