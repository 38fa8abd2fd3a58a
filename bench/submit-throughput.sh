#!/usr/bin/env bash
# POST /v1/jobs throughput (1 KB bodies, keep-alive connections), open loop at stepped fixed rates,
# beside a bare Micronaut POST endpoint in the same server and the load generator's own ceiling
# (bench/SubmitThroughput.java, a small Netty client). A step counts as sustained when its answers
# kept up (>= 95 % in time, p99 <= 100 ms) and every consumer group's lag drained soon after it.
# Starts `./jobpulse dev` on spare ports (HTTP 18084, Kafka 19492, PostgreSQL 15832) with the abuse
# limits lifted, the bare endpoint on (jobpulse.bench.baseline-endpoint), and a throw-away data
# directory, and stops it afterwards. BENCH_QUICK=1 (bench/run-all.sh) uses fewer steps of 6 s.
# Usage: bench/submit-throughput.sh [rates] [seconds per step] [connections]
#   (defaults 1000,2000,3000,5000,7500,10000,15000,20000, 8, 64; the steps stop at the first not sustained)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -n "${BENCH_QUICK:-}" ]; then
  rates=1000,2500,5000,10000,15000 seconds=6 generator=10000,20000
else
  rates=1000,2000,3000,5000,7500,10000,15000,20000 seconds=8 generator=10000,20000,30000
fi
export BENCH_JAVA_OPTS="-Djobpulse.bench.baseline-endpoint=true ${BENCH_JAVA_OPTS:-}"
. bench/dev-instance.sh
start_dev 18084 19492 15832
export BENCH_DEV_PID=$DEV
echo "dev ready in $READY_MS ms"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=bench/logback-bench.xml \
  -cp "app/target/lib/*" bench/SubmitThroughput.java "http://127.0.0.1:18084" "127.0.0.1:19492" \
  "${1:-$rates}" "${2:-$seconds}" "${3:-64}" "$generator"
