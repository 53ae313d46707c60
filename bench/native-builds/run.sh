#!/usr/bin/env bash
# Measures each ND4J native build (generic, -avx2, -onednn-avx2) on this CPU, one JVM per build.
# Usage: bench/native-builds/run.sh   (after ./mvnw -q package -DskipTests; fetches the -avx2 jar once)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
version=1.0.0-M2.1
repo="${MAVEN_REPO:-$HOME/.m2/repository}/org/nd4j/nd4j-native/$version"
[ -f "$repo/nd4j-native-$version-linux-x86_64-avx2.jar" ] || \
  ./mvnw -q dependency:get -Dartifact=org.nd4j:nd4j-native:$version:jar:linux-x86_64-avx2 -Dtransitive=false
# The trainer's runtime classpath without any classifier jar of nd4j-native; each run adds exactly one.
base=$(ls trainer/target/lib/*.jar | grep -v "nd4j-native-$version-linux" | tr '\n' ':')trainer/target/fashion-trainer.jar
out=$(mktemp -d)
javac -cp "$base" -d "$out" bench/native-builds/NativeBuildProbe.java
for build in linux-x86_64 linux-x86_64-avx2 linux-x86_64-onednn-avx2; do
  echo "== $build"
  java -Dorg.bytedeco.javacpp.platform.extension="${build#linux-x86_64}" \
       -cp "$base:$repo/nd4j-native-$version-$build.jar:$out" NativeBuildProbe 2>/dev/null | grep -v '^Added differentiated'
done
