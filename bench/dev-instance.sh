# Sourced by the benchmarks: starts `./jobpulse dev` on the given ports with a throw-away data
# directory, waits until it is ready, and stops it (and removes the directory) when the script
# exits. Sets DEV (the server's pid: the launcher execs java), LOG, READY_MS, JAVA_HOME, and
# JOBPULSE_TOKEN (the first user's token that dev prints), exported for the benchmark programs.
# The abuse limits are lifted: a benchmark is one client address and one user doing a lot.
# BENCH_JAVA_OPTS, when set, is added to the server's JVM options (e.g. a Flight Recording).
# Usage: start_dev <http port> <kafka port> <postgres port>
start_dev() {
  local port=$1 kafka_port=$2 postgres_port=$3 started
  HOME_DIR="$(mktemp -d)"
  LOG="$HOME_DIR/dev.log"
  ./jobpulse build -q >/dev/null
  JAVA_HOME="$(./jobpulse java-home)"
  started=$(date +%s%N)
  JOBPULSE_JAVA_OPTS="-Djobpulse.limits.per-ip-per-second=1000000 -Djobpulse.limits.per-ip-burst=1000000 \
-Djobpulse.limits.per-caller-per-second=1000000 -Djobpulse.limits.per-caller-burst=1000000 \
-Djobpulse.push.max-connections-per-caller=1000000 ${BENCH_JAVA_OPTS:-}" \
  JOBPULSE_HOME="$HOME_DIR" JOBPULSE_PORT=$port JOBPULSE_DEV_KAFKA_PORT=$kafka_port JOBPULSE_DEV_POSTGRES_PORT=$postgres_port \
    ./jobpulse dev >"$LOG" 2>&1 &
  DEV=$!
  # `|| true`: under set -e a failing wait would end the trap early, leave the directory, and make the script's status dev's 143.
  trap 'kill $DEV 2>/dev/null; wait $DEV 2>/dev/null || true; rm -rf "$HOME_DIR"' EXIT
  for _ in $(seq 1 600); do
    grep -q 'Jobpulse is ready' "$LOG" && break
    kill -0 $DEV 2>/dev/null || { cat "$LOG"; exit 1; }
    sleep 0.1
  done
  grep -q 'Jobpulse is ready' "$LOG" || { echo "not ready in 60 s"; cat "$LOG"; exit 1; }
  READY_MS=$(( ($(date +%s%N) - started) / 1000000 ))
  JOBPULSE_TOKEN="$(sed -n 's/^ *export ALICE=//p' "$LOG" | head -1)"
  export JOBPULSE_TOKEN
}
