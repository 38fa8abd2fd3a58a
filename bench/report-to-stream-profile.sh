#!/usr/bin/env bash
# bench/report-to-stream.sh with a profile: dev with remote JMX on 127.0.0.1:19499, a Flight
# Recording (settings=profile) started once dev is ready, the bench, then Kafka Streams' and the
# clients' own latency metrics read over JMX (bench/profile/JmxKafka.java, into OUT.jmx), the
# recording dumped to OUT, and a summary printed: CPU samples by thread group, the Streams
# thread's parks, GC pauses (bench/profile/*.java, `jfr view`).
# Usage: bench/report-to-stream-profile.sh OUT.jfr [reports per second] [seconds]   (1000, 10)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="$(realpath "$1")"
export BENCH_JAVA_OPTS="-Dcom.sun.management.jmxremote.port=19499 -Dcom.sun.management.jmxremote.authenticate=false \
-Dcom.sun.management.jmxremote.ssl=false -Dcom.sun.management.jmxremote.host=127.0.0.1 -Djava.rmi.server.hostname=127.0.0.1"
. bench/dev-instance.sh
start_dev 18083 19392 15732
"$JAVA_HOME/bin/jcmd" $DEV JFR.start name=bench settings=profile >/dev/null
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=bench/logback-bench.xml \
  -cp "app/target/lib/*" bench/ReportToStream.java "http://127.0.0.1:18083" "127.0.0.1:19392" "${2:-1000}" "${3:-10}" 200 3
"$JAVA_HOME/bin/java" bench/profile/JmxKafka.java 19499 >"$OUT.jmx" 2>&1 || true
"$JAVA_HOME/bin/jcmd" $DEV JFR.dump name=bench filename="$OUT" >/dev/null
echo; echo "CPU samples by thread group:"
"$JAVA_HOME/bin/java" bench/profile/JfrThreads.java "$OUT"
echo; echo "Streams thread and push feed, parks over 10 ms:"
"$JAVA_HOME/bin/java" bench/profile/JfrStacks.java "$OUT" jdk.ThreadPark 'StreamThread|push-feed' 2 5 | cut -c1-220
echo; "$JAVA_HOME/bin/jfr" view gc-pauses "$OUT" | grep -E 'Total|Number|Median|P99 '
echo; echo "Kafka metrics: $OUT.jmx"
