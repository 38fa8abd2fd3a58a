#!/usr/bin/env bash
# Push under many subscribers (bench/PushBench.java): heap per idle SSE connection, and fan-out of
# one change to N streams (p99 to a stream and to the last one), for Jobpulse (`./jobpulse dev`
# on spare ports, throw-away data directory, abuse limits lifted) and, in the same run, a bare
# Netty SSE server (bench/BareSseServer.java) measured the same way. Stops both afterwards.
# BENCH_QUICK=1 (run-all's budget, about 100 s with dev's start): 5,000 streams, 20 changes at 2/s.
# PUSH_HISTOGRAM_DIR=dir keeps each server's class histogram before and with the streams.
# PUSH_JFR=file.jfr records Jobpulse's fan-out (and only that) with Flight Recorder.
# BENCH_JAVA_OPTS is added to Jobpulse's JVM options (e.g. a Flight Recording).
# Usage: bench/push.sh [connections] [changes] [changes per second]   (defaults 5000, 50, 2)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -n "${BENCH_QUICK:-}" ]; then
  set -- "${1:-5000}" "${2:-20}" "${3:-2}"
fi
CONNECTIONS="${1:-5000}"
# Each stream is a descriptor in the client and in the server: raise the soft limit where the hard one allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((CONNECTIONS + 1000)) ]; then
  echo "push.sh: $CONNECTIONS streams need more open files than ulimit -n $(ulimit -n) allows" >&2
  exit 1
fi
. bench/dev-instance.sh
start_dev 18081 19192 15532
"$JAVA_HOME/bin/java" -cp "app/target/lib/*" bench/BareSseServer.java 18091 >"$HOME_DIR/bare.log" 2>&1 &
BARE=$!
# `|| true`: under set -e a failing kill or wait (a stopped process answers 143) would end the trap early.
trap 'kill $BARE 2>/dev/null || true; wait $BARE 2>/dev/null || true; kill $DEV 2>/dev/null || true; wait $DEV 2>/dev/null || true; rm -rf "$HOME_DIR"' EXIT
for _ in $(seq 1 300); do
  grep -q 'bare SSE server on' "$HOME_DIR/bare.log" && break
  kill -0 $BARE 2>/dev/null || { cat "$HOME_DIR/bare.log"; exit 1; }
  sleep 0.1
done
"$JAVA_HOME/bin/java" -Dlogback.configurationFile=bench/logback-bench.xml -cp "app/target/lib/*" bench/PushBench.java \
  "http://127.0.0.1:18081" "$DEV" "http://127.0.0.1:18091" "$BARE" "$JAVA_HOME/bin/jcmd" "$CONNECTIONS" "${2:-50}" "${3:-2}"
