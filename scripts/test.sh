#!/usr/bin/env bash
# npm test: a real engine (started here when none answers), a fresh build, then the suites.
#   1. unit and integration tests (in parallel files);
#   2. disruptive tests, which kill and restart the engine: only when this script started it.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=$(bash scripts/test-engine.sh up) || { echo "test: could not bring up a Docker engine" >&2; exit 1; }
cleanup() { bash scripts/test-engine.sh down; }
trap cleanup EXIT
echo "test: engine is $mode"

npx tsc -p tsconfig.json || exit 1

mkdir -p .test-engine
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-engine/main.json "$@" || status=$?
if [ "$mode" = owned ]; then
  BERTH_TEST_ENGINE_OWNED=1 npx vitest run --config vitest.disruptive.config.ts \
    --reporter=default --reporter=json --outputFile.json=.test-engine/disruptive.json || status=$?
else
  echo "test: engine-restart tests run only when the test setup started the engine (as in CI); skipped here" >&2
fi
node scripts/test-summary.js .test-engine/main.json .test-engine/disruptive.json
exit $status
