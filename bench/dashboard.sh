#!/usr/bin/env bash
# The dashboard under load, in Chromium (bench/dashboard-latency.mjs): report-to-paint latency beside
# a plain SSE stream of the same jobs, with a few jobs and with 500 listed, and the page's JS heap
# through 500 jobs and 10,000 updates. Starts `./jobpulse dev` on spare ports with a throw-away data
# directory and stops it afterwards. Needs /usr/bin/chromium and Node.js; installs browser-tests'
# locked dependencies (playwright-core) when they are missing.
# Usage: bench/dashboard.sh [reports] [rate per second] [heap jobs] [heap updates]   (defaults 200, 10, 500, 10000)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[ -x /usr/bin/chromium ] || { echo "/usr/bin/chromium is missing (apt-get install chromium)" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "Node.js and npm are missing" >&2; exit 1; }
[ -d browser-tests/node_modules/playwright-core ] || (cd browser-tests && npm ci --no-audit --no-fund >/dev/null)
. bench/dev-instance.sh
start_dev 18082 19292 15632
node bench/dashboard-latency.mjs --base "http://localhost:18082" --token "$JOBPULSE_TOKEN" \
  --reports "${1:-200}" --rate "${2:-10}" --heap-jobs "${3:-500}" --heap-updates "${4:-10000}"
