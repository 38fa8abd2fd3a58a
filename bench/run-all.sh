#!/usr/bin/env bash
# Every benchmark in its quick mode (BENCH_QUICK=1), one after another, each with its baseline in
# the same run, then one table: Jobpulse's figure, the baseline's, their ratio, the goal, met or not.
# The rows and a description of the machine go to bench/results/<UTC time>.json, and each
# benchmark's output to bench/results/<UTC time>/<name>.log. A benchmark that fails, runs out of
# its time or reports no row shows as "not measured" with its exit status; the others still run.
# Meant to take under 10 minutes on 2 cores; each step's duration is printed.
# Usage: bench/run-all.sh            (also: ./jobpulse bench)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The whole run stops starting steps when fewer than 30 s of TOTAL_S are left, and cuts a step's
# own limit to what is left.
TOTAL_S=${BENCH_TOTAL_S:-580}
# name, script, most seconds it may take (a step over its time is stopped with its dev instance)
STEPS=(
  "report-to-stream bench/report-to-stream.sh 150"
  "submit-throughput bench/submit-throughput.sh 180"
  "push bench/push.sh 120"
  "fold-throughput bench/fold-throughput.sh 240"
  "projection-throughput bench/projection-throughput.sh 120"
  "webhooks bench/webhooks.sh 150"
  "batch-latency bench/batch-latency.sh 120"
)

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT_DIR="bench/results/$STAMP"
mkdir -p "$OUT_DIR"
export BENCH_QUICK=1
export BENCH_RESULTS="$ROOT/$OUT_DIR/rows.jsonl"
STEPS_FILE="$OUT_DIR/steps.jsonl"
: >"$BENCH_RESULTS"
: >"$STEPS_FILE"
export BENCH_STARTED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
export BENCH_LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
started=$(date +%s%N)

seconds_since() {
  awk -v from="$1" -v now="$(date +%s%N)" 'BEGIN { printf "%.1f", (now - from) / 1e9 }'
}

echo "bench: results in $OUT_DIR (load average ${BENCH_LOAD_BEFORE})"
t=$(date +%s%N)
./jobpulse build -q >"$OUT_DIR/build.log" 2>&1 || { echo "bench: the build failed, see $OUT_DIR/build.log"; exit 1; }
JAVA_HOME="$(./jobpulse java-home)"
echo "bench: build $(seconds_since "$t") s"

for step in "${STEPS[@]}"; do
  read -r name script budget <<<"$step"
  if [ ! -x "$script" ] && [ ! -f "$script" ]; then
    echo "bench: $name: $script does not exist, skipped"
    printf '{"step":"%s","script":"%s","exit":null,"seconds":0,"rows":0,"note":"script absent"}\n' "$name" "$script" >>"$STEPS_FILE"
    continue
  fi
  left=$(( TOTAL_S - ($(date +%s%N) - started) / 1000000000 ))
  if [ "$left" -lt 30 ]; then
    echo "bench: $name: only $left s of the $TOTAL_S s left, not run"
    printf '{"step":"%s","script":"%s","exit":null,"seconds":0,"rows":0,"note":"not run: time was up"}\n' "$name" "$script" >>"$STEPS_FILE"
    continue
  fi
  [ "$budget" -gt "$left" ] && budget=$left
  before=$(wc -l <"$BENCH_RESULTS")
  t=$(date +%s%N)
  echo "bench: $name ($script, at most $budget s) ..."
  # timeout stops the script's whole process group (its dev instance too); the script's trap cleans up.
  timeout -k 20 "$budget" bash "$script" >"$OUT_DIR/$name.log" 2>&1
  rc=$?
  rows=$(( $(wc -l <"$BENCH_RESULTS") - before ))
  took=$(seconds_since "$t")
  note=""
  [ $rc -eq 124 ] && note="stopped after $budget s"
  echo "bench: $name exit $rc, $rows rows, $took s${note:+ ($note)}"
  [ $rc -ne 0 ] && tail -5 "$OUT_DIR/$name.log" | sed 's/^/    /'
  printf '{"step":"%s","script":"%s","exit":%d,"seconds":%s,"rows":%d,"note":"%s"}\n' \
    "$name" "$script" "$rc" "$took" "$rows" "$note" >>"$STEPS_FILE"
done

export BENCH_DURATION_S="$(seconds_since "$started")"
echo "bench: all steps $BENCH_DURATION_S s"
echo
"$JAVA_HOME/bin/java" bench/BenchTable.java "$BENCH_RESULTS" "$STEPS_FILE" "bench/results/$STAMP.json"
