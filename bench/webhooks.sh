#!/usr/bin/env bash
# Job change -> outbound webhook delivery to a fast receiver in the benchmark's JVM, open loop at a
# fixed rate (bench/WebhookBench.java), beside the same changes on an SSE stream in the same run;
# then the most the deliveries drain from a backlog, beside bare POSTs to the same receiver.
# Starts `./jobpulse dev` on spare ports with the abuse limits lifted, plain http and loopback
# endpoints allowed, and a throw-away data directory, and stops it afterwards.
# BENCH_JAVA_OPTS is added to the server's JVM options, e.g. to record a profile:
#   BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/jp.jfr,settings=profile" bench/webhooks.sh
# Usage: bench/webhooks.sh [reports per second] [seconds] [jobs] [warm-up seconds] [backlog]
#   (defaults 500, 10, 500, 3, 10000).
# BENCH_QUICK=1 (bench/run-all.sh): 500 reports/s for 4 s after a 2 s warm-up, a backlog of 3,000,
# waiting at most 15 s for missing deliveries; the arguments still override.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/dev-instance.sh
BENCH_JAVA_OPTS="-Djobpulse.notifications.allow-http=true -Djobpulse.outbound.allowed-private-networks=127.0.0.1/32 ${BENCH_JAVA_OPTS:-}"
start_dev 18086 19692 16032
# app/target/lib is the runnable jar's dependencies: HdrHistogram (through Micrometer).
ls app/target/lib/HdrHistogram-*.jar >/dev/null || { echo "app/target/lib lacks HdrHistogram"; exit 1; }
if [ -n "${BENCH_QUICK:-}" ]; then
  defaults=(500 4 500 2 3000 15)
else
  defaults=(500 10 500 3 10000 30)
fi
echo "dev ready in $READY_MS ms"
"$JAVA_HOME/bin/java" -Dlogback.configurationFile=bench/logback-bench.xml -cp "app/target/lib/*" bench/WebhookBench.java \
  "http://127.0.0.1:18086" "${1:-${defaults[0]}}" "${2:-${defaults[1]}}" "${3:-${defaults[2]}}" "${4:-${defaults[3]}}" \
  "${5:-${defaults[4]}}" "${defaults[5]}"
