#!/usr/bin/env bash
# What losing an instance costs the scaled shape. Runs ScaleOutTest: three `jobpulse serve` JVMs
# (all roles, standby replicas 1, 10 s sessions) on a broker and PostgreSQL of their own behind one
# address, 100 reports/s over 60 jobs, one instance killed with SIGKILL and started again, another
# stopped cleanly. Prints, per run: the time from the kill to the first successful read of every
# job the killed instance held, from a survivor; until every consumer group is assigned to live
# members again; until the restarted instance is back in every group and the projections' lag is
# zero; the reads' 503s and longest gap; the subscribers' longest silence.
# Usage: bench/scale-out.sh [runs]   (default 3; about 2 minutes a run on 2 cores)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export JAVA_HOME="$(./jobpulse java-home)"
OUT="app/target/surefire-reports/io.jobpulse.app.ScaleOutTest-output.txt"
for run in $(seq 1 "${1:-3}"); do
  echo "run $run"
  ./mvnw -B -ntp -q -pl app -am verify -Dtest=ScaleOutTest -Dsurefire.failIfNoSpecifiedTests=false >/dev/null \
    || { echo "ScaleOutTest failed: see app/target/surefire-reports and app/target/scale-instance-*.log"; exit 1; }
  sed -n "/^scale-out under/,/^  after SIGKILL/p" "$OUT"
done
