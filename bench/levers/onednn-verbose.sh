#!/usr/bin/env bash
# Where `simple`'s time goes inside libnd4j on the oneDNN build, at batch 512: runs the engine
# bench with oneDNN's verbose log on and prints, per primitive and memory layouts, the mean time
# and call count (the convolution kernel against the reorders into and out of its blocked layout).
# Usage: bench/levers/onednn-verbose.sh   (after ./mvnw -q package -DskipTests)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
DNNL_VERBOSE=1 java -jar tools/target/fashion-tools.jar bench engine --models simple --batches 512 \
    --seconds 2 --warmup-seconds 1 --profile-batch 512 --out "$(mktemp -d)" 2>/dev/null \
  | awk -F, '/^dnnl_verbose,exec/ && $NF > 0.05 { key = $4 " " $5 " " $7 " " $(NF-1); t[key] += $NF; n[key]++ }
             END { for (k in t) printf "%8.2f ms mean %6d calls  %s\n", t[k] / n[k], n[k], k }' \
  | sort -rn
