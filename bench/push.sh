#!/usr/bin/env bash
# Push under many subscribers: heap per idle SSE connection, and delivery latency percentiles with
# those connections open, beside a GET /health baseline (bench/PushBench.java). Starts
# `./jobpulse dev` on spare ports with a throw-away data directory and stops it afterwards.
# Usage: bench/push.sh [connections] [reports]   (defaults 2000, 100)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOME_DIR="$(mktemp -d)"
LOG="$HOME_DIR/dev.log"
PORT=18081

cd "$ROOT"
./jobpulse build -q >/dev/null
JAVA_HOME="$(./jobpulse java-home)"
JOBPULSE_HOME="$HOME_DIR" JOBPULSE_PORT=$PORT JOBPULSE_DEV_KAFKA_PORT=19192 JOBPULSE_DEV_POSTGRES_PORT=15532 \
  ./jobpulse dev >"$LOG" 2>&1 &
DEV=$!
trap 'kill $DEV 2>/dev/null; wait $DEV 2>/dev/null; rm -rf "$HOME_DIR"' EXIT
for _ in $(seq 1 600); do
  grep -q 'Jobpulse is ready' "$LOG" && break
  kill -0 $DEV 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.1
done
grep -q 'Jobpulse is ready' "$LOG" || { echo "not ready in 60 s"; cat "$LOG"; exit 1; }
# ./jobpulse execs java, so $DEV is the server's pid.
"$JAVA_HOME/bin/java" bench/PushBench.java "http://localhost:$PORT" "$DEV" "$JAVA_HOME/bin/jcmd" "${1:-2000}" "${2:-100}"
