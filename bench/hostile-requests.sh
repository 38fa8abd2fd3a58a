#!/usr/bin/env bash
# The hostile-requests test at length: REQUESTS (default 100,000) seeded malformed or hostile
# requests against a real broker and PostgreSQL; every answer must be a 4xx problem+json and
# nothing may be written, and every request must be answered on its connection. Prints the
# answers by status. Usage: bench/hostile-requests.sh [requests] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS="${1:-100000}"
SEED="${2:-20261125}"
JAVA_HOME="$(./jobpulse java-home)" ./mvnw -B -ntp -pl app -am verify -Dtest=HostileRequestsTest \
  -Dsurefire.failIfNoSpecifiedTests=false -Djobpulse.fuzz.requests="$REQUESTS" -Djobpulse.fuzz.seed="$SEED"
grep -h -E "^hostile requests:" app/target/surefire-reports/io.jobpulse.app.HostileRequestsTest-output.txt
