#!/usr/bin/env bash
# Worker report accepted -> change on an SSE stream of all the user's jobs, open loop at a fixed
# rate (bench/ReportToStream.java), beside raw Kafka end to end on the same broker (acks=all,
# idempotent producer, linger 0 -> read_committed consumer). Starts `./jobpulse dev` on spare
# ports with the abuse limits lifted and a throw-away data directory, and stops it afterwards.
# BENCH_JAVA_OPTS is added to the server's JVM options, e.g. to record a profile:
#   BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/jp.jfr,settings=profile" bench/report-to-stream.sh
# Usage: bench/report-to-stream.sh [reports per second, or a list: 100,1000] [seconds] [jobs] [warm-up seconds]
#   (defaults 1000, 10, 200, 3). Several rates run one after another on the same instance.
# BENCH_QUICK=1 (bench/run-all.sh): 100, 1,000 and 2,000 reports/s, 4 s each after a 2 s warm-up,
# waiting at most 5 s for missing changes; the arguments still override.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/dev-instance.sh
start_dev 18083 19392 15732
# app/target/lib is the runnable jar's dependencies: kafka-clients, HdrHistogram (through Micrometer).
ls app/target/lib/HdrHistogram-*.jar app/target/lib/kafka-clients-*.jar >/dev/null \
  || { echo "app/target/lib lacks HdrHistogram or kafka-clients"; exit 1; }
if [ -n "${BENCH_QUICK:-}" ]; then
  defaults=(100,1000,2000 4 200 2 5)
else
  defaults=(1000 10 200 3 30)
fi
echo "dev ready in $READY_MS ms"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=bench/logback-bench.xml \
  -cp "app/target/lib/*" bench/ReportToStream.java "http://127.0.0.1:18083" "127.0.0.1:19392" \
  "${1:-${defaults[0]}}" "${2:-${defaults[1]}}" "${3:-${defaults[2]}}" "${4:-${defaults[3]}}" "${defaults[4]}"
