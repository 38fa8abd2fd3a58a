#!/usr/bin/env bash
# Starts `./jobpulse dev` on spare ports with a throw-away data directory, reports the time from
# command to ready, runs bench/SliceLatency.java against it, and stops it.
# Usage: bench/slice-latency.sh [jobs]   (default 200)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="${1:-200}"
HOME_DIR="$(mktemp -d)"
LOG="$HOME_DIR/dev.log"
PORT=18080

cd "$ROOT"
./jobpulse build -q >/dev/null
started=$(date +%s%N)
JOBPULSE_HOME="$HOME_DIR" JOBPULSE_PORT=$PORT JOBPULSE_DEV_KAFKA_PORT=19092 JOBPULSE_DEV_POSTGRES_PORT=15432 \
  ./jobpulse dev >"$LOG" 2>&1 &
DEV=$!
trap 'kill $DEV 2>/dev/null; wait $DEV 2>/dev/null; rm -rf "$HOME_DIR"' EXIT

for _ in $(seq 1 600); do
  grep -q 'Jobpulse is ready' "$LOG" && break
  kill -0 $DEV 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.1
done
ready=$(date +%s%N)
grep -q 'Jobpulse is ready' "$LOG" || { echo "not ready in 60 s"; cat "$LOG"; exit 1; }
echo "dev start-up, command to ready (warm build, fresh data directory): $(( (ready - started) / 1000000 )) ms"

JAVA_HOME="$(sed -n 's/^JAVA_HOME=//p' /proc/$DEV/environ 2>/dev/null | head -1)"
"${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}/bin/java" bench/SliceLatency.java "http://localhost:$PORT" "$JOBS"
