#!/usr/bin/env bash
# Fold throughput in events/s, live and in `./jobpulse replay topology`, beside a plain consumer
# reading and decoding the same log (bench/FoldThroughput.java), on a real broker (port 19592) and
# PostgreSQL (15932) started for the run.
# Usage: bench/fold-throughput.sh [events]   (default 1000000, in run-all's quick mode too: about 2 min)
# BENCH_REPLAY_JAVA_OPTS is passed to the replay's JVM (e.g. a Flight Recording); BENCH_REPLAY_VARIANTS,
# JVM options separated by |, replays the same log again once with each (for comparison, not rows).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
./jobpulse build -q >/dev/null
JAVA_HOME="$(./jobpulse java-home)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=bench/logback-bench.xml \
  ${BENCH_JAVA_OPTS:-} -cp "app/target/jobpulse.jar:app/target/lib/*" bench/FoldThroughput.java "$@"
