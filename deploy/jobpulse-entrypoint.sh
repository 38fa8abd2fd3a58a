#!/bin/sh
# The entry point of the Jobpulse image: java with the jar, and the command (serve by default).
#
# A container is one instance. `serve` makes every consumer group member static under
# JOBPULSE_INSTANCE_ID, which must be unique per instance and the same after a restart, so that a
# restarted instance takes its partitions straight back. A container's hostname is both: Docker
# gives each container its own (every replica of `docker compose up --scale` too) and keeps it
# across restarts; Kubernetes makes it the pod's name. So when JOBPULSE_INSTANCE_ID is not set at
# all, `serve` gets the hostname; set it empty for dynamic members. Done here rather than in the
# application because only in a container is the hostname one instance's: two `serve` processes on
# one machine would share it, and the second would fence the first. See docs/deployment.md.
if [ "${1:-}" = serve ] && [ -z "${JOBPULSE_INSTANCE_ID+set}" ] && [ -n "${HOSTNAME:-}" ]; then
    JOBPULSE_INSTANCE_ID=$HOSTNAME
    export JOBPULSE_INSTANCE_ID
fi
exec java --enable-native-access=ALL-UNNAMED -jar /opt/jobpulse/jobpulse.jar "$@"
