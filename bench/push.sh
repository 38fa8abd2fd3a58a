#!/usr/bin/env bash
# Push under many subscribers: heap per idle SSE connection, and delivery latency percentiles with
# those connections open, beside a GET /health baseline (bench/PushBench.java). Starts
# `./jobpulse dev` on spare ports with a throw-away data directory and stops it afterwards.
# Usage: bench/push.sh [connections] [reports]   (defaults 2000, 100)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/dev-instance.sh
start_dev 18081 19192 15532
"$JAVA_HOME/bin/java" bench/PushBench.java "http://localhost:18081" "$DEV" "$JAVA_HOME/bin/jcmd" "${1:-2000}" "${2:-100}"
