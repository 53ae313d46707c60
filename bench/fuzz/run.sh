#!/usr/bin/env bash
# Fuzzes the image input path with Jazzer: the header parser (pure Java, 60 s) and the whole
# bytes-to-tensor path (native decoders included, fuzzed blind, 5 min), each for its @FuzzTest's
# maxDuration. New coverage goes to core/.cifuzz-corpus (git-ignored); a crash, a hang or any
# exception but InvalidImageException fails the run and is written under
# core/src/test/resources/io/fashionstream/core/image/<Class>Inputs/<method>/: commit it, and
# every build replays it from then on as a regression test.
#   bench/fuzz/run.sh            both targets
#   bench/fuzz/run.sh Header     one (ImageHeaderFuzzTest or ImageDecodingFuzzTest)
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q install -DskipTests
for target in ${1:-Header Decoding}; do
  JAZZER_FUZZ=1 ./mvnw -o -pl core surefire:test@fuzz-regression -Dtest="Image${target}FuzzTest" \
    -Dsurefire.failIfNoSpecifiedTests=false
done
