#!/usr/bin/env bash
# What a kill -9 of `./jobpulse dev` costs the read model: dev on spare ports with a throw-away data
# directory, workers' reports at a steady rate (bench/ReportLoad.java, default 300/s), kill -9 after
# 15 s, dev started again on the same data, and the time from the kill to dev's "ready" line and
# to the first change projected into PostgreSQL after the kill (job_changes, counted with psql).
# Usage: bench/kill-restart.sh [reports per second]
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
./jobpulse build -q >/dev/null || exit 1
JAVA_HOME="$(./jobpulse java-home)"
PSQL=$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | head -1)
[ -n "$PSQL" ] || { echo "needs psql (apt-get install postgresql-client)"; exit 1; }
WORK="$(mktemp -d)"
export JOBPULSE_HOME="$WORK/home" JOBPULSE_PORT=18080 JOBPULSE_DEV_KAFKA_PORT=19092 JOBPULSE_DEV_POSTGRES_PORT=15432
export JOBPULSE_JAVA_OPTS="-Djobpulse.limits.per-ip-per-second=1000000 -Djobpulse.limits.per-ip-burst=1000000 \
-Djobpulse.limits.per-caller-per-second=1000000 -Djobpulse.limits.per-caller-burst=1000000"
DEV=""; LOAD=""
# A dev killed at the wrong moment of this script leaves its PostgreSQL running: stop it on exit.
stop_postgres() {
  local pg
  pg=$(head -1 "$JOBPULSE_HOME/postgres/postmaster.pid" 2>/dev/null)
  [ -n "$pg" ] && kill "$pg" 2>/dev/null && while kill -0 "$pg" 2>/dev/null; do sleep 0.05; done
}
trap 'touch "$WORK/stop"; [ -n "$LOAD" ] && wait $LOAD; [ -n "$DEV" ] && kill $DEV 2>/dev/null && wait $DEV 2>/dev/null; stop_postgres; rm -rf "$WORK"' EXIT
now() { echo $(( $(date +%s%N) / 1000000 )); }
ready() { grep -q 'Jobpulse is ready' "$1"; }
projected() {
  PGPASSWORD="$(cat "$JOBPULSE_HOME/postgres-password")" "$PSQL" -h 127.0.0.1 -p 15432 -U postgres -d jobpulse -tAc \
    "SELECT count(*) FROM job_changes" 2>/dev/null
}

./jobpulse dev >"$WORK/dev1.log" 2>&1 & DEV=$!
for _ in $(seq 1 900); do ready "$WORK/dev1.log" && break; sleep 0.1; done
ready "$WORK/dev1.log" || { echo "dev not ready in 90 s"; cat "$WORK/dev1.log"; exit 1; }
TOKEN="$(sed -n 's/^ *export ALICE=//p' "$WORK/dev1.log" | head -1)"
(cd "$WORK" && "$JAVA_HOME/bin/java" "$ROOT/bench/ReportLoad.java" http://127.0.0.1:18080 "$TOKEN" "${1:-300}" >"$WORK/load.log" 2>&1) & LOAD=$!
sleep 15
echo "before the kill: $(tail -1 "$WORK/load.log"); changes projected: $(projected)"
kill -9 $DEV; wait $DEV 2>/dev/null
KILLED=$(now)
BEFORE=$(projected)
echo "killed; changes projected: $BEFORE"
./jobpulse dev >"$WORK/dev2.log" 2>&1 & DEV=$!
FIRST=""; READY=""
for _ in $(seq 1 1800); do
  [ -z "$READY" ] && ready "$WORK/dev2.log" && READY=$(now)
  count=$(projected)
  if [ -n "$count" ] && [ "$count" -gt "${BEFORE:-0}" ]; then FIRST=$(now); break; fi
  sleep 0.1
done
[ -n "$FIRST" ] || { echo "no change projected within 3 minutes"; exit 1; }
while [ -z "$READY" ]; do ready "$WORK/dev2.log" && READY=$(now); sleep 0.1; done
echo "dev ready again $((READY - KILLED)) ms after the kill"
echo "first change projected $((FIRST - KILLED)) ms after the kill ($((FIRST - READY)) ms after ready)"
sleep 5
echo "5 s later: $(tail -1 "$WORK/load.log"); changes projected: $(projected)"
