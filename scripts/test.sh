#!/usr/bin/env bash
# `npm test`: installs everything, builds, lints, then runs the unit and integration tests.
# The integration tests' global setup starts Kafka and FerretDB (or uses KAFKA_BROKERS /
# MONGO_URL, or Docker) and stops what it started.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_and_build
if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${MONGO_URL:-}" ]; then
  log "installing Kafka and FerretDB into the cache if needed"
  bash infra/scripts/stack.sh install
fi
ensure_chromium
log "lint: eslint, buf lint, type-check of the tests"
pnpm run lint
pnpm exec tsc -p test/tsconfig.json
log "tests"
mkdir -p .pinzhi
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.pinzhi/vitest-report.json "$@" || status=$?
# One plain closing line that any CI can read.
node -e '
  const r = require("./.pinzhi/vitest-report.json");
  // A suite that fails before its tests run (a failed beforeAll) counts as failed too.
  const failed = r.numFailedTests > 0 ? r.numFailedTests : r.numFailedTestSuites;
  console.log(`vitest: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' 2>/dev/null || true
exit "$status"
