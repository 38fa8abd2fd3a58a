#!/usr/bin/env bash
# Projection throughput in changes/s beside two baselines (bench/ProjectionThroughput.java): a plain
# Kafka consumer reading the same records, and PostgreSQL COPY of the same rows; on a real broker
# and a durable PostgreSQL started for the run, both on free ports (no fixed port to clash with).
# Usage: bench/projection-throughput.sh [jobs]   (default 20000 jobs = 100000 changes)
#   BENCH_QUICK=1            10000 jobs = 50000 changes (run-all's budget, about 90 s with start-up)
#   BENCH_JFR=out.jfr        a Flight Recording (settings=profile) of the live runs
#   BENCH_PG_STATEMENTS=1    PostgreSQL with pg_stat_statements; the live runs' top statements printed
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
./jobpulse build -q >/dev/null
JAVA_HOME="$(./jobpulse java-home)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=bench/logback-bench.xml \
  -cp "app/target/jobpulse.jar:app/target/lib/*" bench/ProjectionThroughput.java "$@"
