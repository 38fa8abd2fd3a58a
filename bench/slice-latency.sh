#!/usr/bin/env bash
# Starts `./jobpulse dev` on spare ports with a throw-away data directory, reports the time from
# command to ready, runs bench/SliceLatency.java against it, and stops it.
# Usage: bench/slice-latency.sh [jobs]   (default 200)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. bench/dev-instance.sh
start_dev 18080 19092 15432
echo "dev start-up, command to ready (warm build, fresh data directory): $READY_MS ms"
"$JAVA_HOME/bin/java" bench/SliceLatency.java "http://localhost:18080" "${1:-200}"
