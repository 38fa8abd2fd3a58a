#!/usr/bin/env bash
# bench/submit-throughput.sh's Jobpulse part with a profile: dev (ports 18084, 19492, 15832) with a
# Flight Recording (settings=profile) started once dev is ready, POST /v1/jobs open loop at the
# given rates, then the recording dumped to OUT and a summary printed: CPU samples by thread
# group (bench/profile/JfrThreads.java), the share under each package (JfrInclusive.java), the
# hottest methods and the GC pauses (`jfr view`).
# Usage: bench/submit-throughput-profile.sh OUT.jfr [rates] [seconds per step]   (3000, 10)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="$(realpath "$1")"
. bench/dev-instance.sh
start_dev 18084 19492 15832
export BENCH_DEV_PID=$DEV
"$JAVA_HOME/bin/jcmd" $DEV JFR.start name=bench settings=profile >/dev/null
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=bench/logback-bench.xml \
  -cp "app/target/lib/*" bench/SubmitThroughput.java "http://127.0.0.1:18084" "127.0.0.1:19492" \
  "${2:-3000}" "${3:-10}" 64 0 jobpulse
"$JAVA_HOME/bin/jcmd" $DEV JFR.dump name=bench filename="$OUT" >/dev/null
echo; echo "CPU samples by thread group:"
"$JAVA_HOME/bin/java" bench/profile/JfrThreads.java "$OUT"
echo; echo "CPU samples under each package (inclusive), all threads:"
"$JAVA_HOME/bin/java" bench/profile/JfrInclusive.java "$OUT" io.netty io.micronaut.http io.micronaut.security \
  io.jobpulse.ingest io.jobpulse.app.security com.fasterxml.jackson org.apache.kafka.clients.producer \
  org.apache.kafka.streams io.jobpulse.projections org.postgresql kafka. com.nimbusds
echo; echo "the HTTP intake's threads (Netty event loop, controllers on virtual threads), inclusive:"
"$JAVA_HOME/bin/java" bench/profile/JfrInclusive.java "$OUT" 'threads=.*(eventLoop|virtual-executor).*' \
  io.micronaut.security.filters.SecurityFilter io.micronaut.security.token com.nimbusds io.jobpulse.app.security \
  io.micronaut.http.netty.body io.micronaut.json io.jobpulse.ingest.JobsController io.jobpulse.ingest.JobEventPublisher \
  org.apache.kafka.clients.producer.KafkaProducer.send io.micronaut.http.server.ResponseLifecycle io.netty.handler.codec.http \
  reactor.core
echo; "$JAVA_HOME/bin/jfr" view --width 200 hot-methods "$OUT" | head -30
echo; "$JAVA_HOME/bin/jfr" view gc-pauses "$OUT" | grep -E 'Total|Number|Median|P99 '
