#!/usr/bin/env bash
# Runs a command with Kafka and FerretDB available: uses KAFKA_BROKERS / MONGO_URL when both
# are set, else brings the local stack up and, if this script started it, stops it afterwards.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
started=0
if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${MONGO_URL:-}" ]; then
  # Capture first: `grep -q` closing the pipe early would fail the pipeline under pipefail.
  before=$(bash infra/scripts/stack.sh status)
  if [[ $before != *'kafka: running'* || $before != *'ferretdb: running'* ]]; then started=1; fi
  bash infra/scripts/stack.sh up
  export KAFKA_BROKERS=127.0.0.1:${PINZHI_KAFKA_PORT:-9092}
  export MONGO_URL=mongodb://127.0.0.1:${PINZHI_MONGO_PORT:-27017}
fi
status=0
"$@" || status=$?
if [ "$started" = 1 ]; then bash infra/scripts/stack.sh down; fi
exit "$status"
