#!/usr/bin/env bash
# Projection throughput in changes/s beside a Kafka-only baseline (bench/ProjectionThroughput.java),
# on a real broker and a durable PostgreSQL started for the run.
# Usage: bench/projection-throughput.sh [jobs]   (default 20000 jobs = 100000 changes)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
./jobpulse build -q >/dev/null
JAVA_HOME="$(./jobpulse java-home)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=bench/logback-bench.xml \
  -cp "app/target/jobpulse.jar:app/target/lib/*" bench/ProjectionThroughput.java "${1:-20000}"
