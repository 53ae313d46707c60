#!/usr/bin/env bash
# The throughput levers on `simple` at batch 512, one JVM per configuration: ND4J build
# (oneDNN/AVX2, generic) x OpenMP threads (2, 1). Prints the whole pass, each layer, and max
# pooling as DL4J's layer against libnd4j's native op (NCHW, NHWC).
# Usage: bench/levers/run.sh   (after ./mvnw -q package -DskipTests)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cp="tools/target/fashion-tools.jar:$(ls tools/target/lib/*.jar | tr '\n' ':')"
out=$(mktemp -d)
javac -cp "$cp" -d "$out" bench/levers/LeverProbe.java
for build in onednn-avx2 generic; do
  for threads in 2 1; do
    echo "== FASHION_ND4J_BUILD=$build OMP_NUM_THREADS=$threads"
    FASHION_ND4J_BUILD=$build OMP_NUM_THREADS=$threads java -cp "$cp:$out" LeverProbe 2>/dev/null \
      | grep -v '^Added differentiated\|^[0-9:. ]*\[main\]'
  done
done
