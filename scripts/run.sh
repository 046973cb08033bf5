#!/usr/bin/env bash
# `npm start`: installs and builds pinzhi, brings Kafka and FerretDB up, starts every service
# under services/ that has a start script, and reports where each listens. Ctrl-C stops the
# services and the infrastructure this command started. Running it twice does no harm: the
# stack is shared, and a service whose port is taken is reported, not started twice.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_and_build
stack_was_running=0
if [ -n "${KAFKA_BROKERS:-}" ] && [ -n "${MONGO_URL:-}" ]; then
  # The user's own servers: start no local infrastructure (and stop none on exit).
  stack_was_running=1
else
  # Capture first: `grep -q` closing the pipe early would fail the pipeline under pipefail.
  before=$(bash infra/scripts/stack.sh status)
  if [[ $before == *'kafka: running'* && $before == *'ferretdb: running'* ]]; then stack_was_running=1; fi
  bash infra/scripts/stack.sh up
fi

export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:${PINZHI_KAFKA_PORT:-9092}}
export MONGO_URL=${MONGO_URL:-mongodb://127.0.0.1:${PINZHI_MONGO_PORT:-27017}}
if [ -z "${JWT_SECRET:-}" ]; then
  # A development key, so tokens from `pnpm token` work out of the box. Set your own anywhere else.
  export JWT_SECRET=pinzhi-development-secret-change-me-0000
  log "JWT_SECRET not set: using the development secret (never use it outside a laptop)"
fi

if [ -z "${WEBHOOK_ALLOW_LOOPBACK:-}" ]; then
  # So a webhook receiver on this machine works out of the box (README); never in production.
  export WEBHOOK_ALLOW_LOOPBACK=true
  log "WEBHOOK_ALLOW_LOOPBACK not set: webhooks may go to 127.0.0.1 over http (development only)"
fi

pids=()
started=()
stop_all() {
  trap - INT TERM
  log "stopping services"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$stack_was_running" = 0 ]; then bash infra/scripts/stack.sh down; fi
  exit 0
}
trap stop_all INT TERM

if node -e "process.exit(require('./package.json').scripts.seed ? 0 : 1)"; then
  log "seeding the catalogue (idempotent)"
  pnpm run seed
fi

log "infrastructure:"
log "  Kafka     KAFKA_BROKERS=$KAFKA_BROKERS"
log "  FerretDB  MONGO_URL=$MONGO_URL"
for dir in services/*/; do
  [ -f "$dir/package.json" ] || continue
  name=$(basename "$dir")
  if ! node -e "process.exit(require('./$dir/package.json').scripts?.start ? 0 : 1)"; then continue; fi
  port=$(node -e "console.log(require('./$dir/package.json').pinzhi?.grpcPort ?? '')")
  if [ -n "$port" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "  $name: port $port already in use (already running?), not started again"
    continue
  fi
  http=$(node -e "console.log(require('./$dir/package.json').pinzhi?.httpPort ?? '')")
  if [ -n "$http" ] && (exec 3<>"/dev/tcp/127.0.0.1/$http") 2>/dev/null; then
    log "  $name: HTTP port $http already in use (set HTTP_PORT in services/$name's environment), not started"
    continue
  fi
  (cd "$dir" && exec env GRPC_PORT=$port ${http:+HTTP_PORT=$http} node --enable-source-maps --import @pinzhi/platform/register-telemetry dist/main.js) &
  pids+=("$!")
  started+=("$name=$port")
  log "  $name  gRPC 127.0.0.1:$port${http:+  HTTP http://127.0.0.1:$http/} (pid $!)"
done
if [ "${#pids[@]}" = 0 ]; then
  log "no services to start yet; Kafka and FerretDB are up. Ctrl-C stops them."
  while true; do sleep 3600 & wait $!; done
fi
log "waiting for every service to report SERVING"
if node packages/platform/scripts/wait-serving.mjs 60 "${started[@]}"; then
  log "pinzhi is running. Ctrl-C stops it."
else
  log "pinzhi is running, but not every service is SERVING yet (above). Ctrl-C stops it."
fi
while true; do
  wait -n "${pids[@]}" || { log "a service exited; stopping the rest"; stop_all; }
done
