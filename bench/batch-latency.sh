#!/usr/bin/env bash
# A job's finishing report -> its batch's change on the batch's SSE stream, for batches of 10 and of
# 1,000 jobs, open loop at a fixed rate (bench/BatchLatency.java), beside the same reports' job
# changes on GET /v1/stream in the same run. Starts `./jobpulse dev` on spare ports with the abuse
# limits lifted and a throw-away data directory, and stops it afterwards. Prints the load average
# before and after.
# BENCH_JAVA_OPTS is added to the server's JVM options, e.g. to record a profile:
#   BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/jp.jfr,settings=profile" bench/batch-latency.sh
# Usage: bench/batch-latency.sh [reports per second] [batches of 10] [batches of 1,000] [warm-up batches of 10]
#   (defaults 100, 100, 3, 50).
# BENCH_QUICK=1 (bench/run-all.sh): 100 reports/s, 30 batches of 10 and 1 of 1,000 after 30 of 10 as
# warm-up (a shorter one leaves dev cold for the batches of 10), waiting at most 10 s for missing
# changes; the arguments still override.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
echo "load average before: $(cat /proc/loadavg)"
. bench/dev-instance.sh
start_dev 18087 19792 16132
# app/target/lib is the runnable jar's dependencies: HdrHistogram (through Micrometer).
ls app/target/lib/HdrHistogram-*.jar >/dev/null || { echo "app/target/lib lacks HdrHistogram"; exit 1; }
if [ -n "${BENCH_QUICK:-}" ]; then
  defaults=(100 30 1 30 10)
else
  defaults=(100 100 3 50 30)
fi
echo "dev ready in $READY_MS ms"
"$JAVA_HOME/bin/java" -Dlogback.configurationFile=bench/logback-bench.xml -cp "app/target/lib/*" bench/BatchLatency.java \
  "http://127.0.0.1:18087" "${1:-${defaults[0]}}" "${2:-${defaults[1]}}" "${3:-${defaults[2]}}" "${4:-${defaults[3]}}" "${defaults[4]}"
echo "load average after: $(cat /proc/loadavg)"
