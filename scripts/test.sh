#!/usr/bin/env bash
# npm test: system packages (once), a real engine (started here when none answers), a fresh build, then the suites.
#   0. scripts/setup-system.sh installs every system package the tests use, serially, before any test;
#      after the build, ESLint and Prettier check the code (a finding fails the run at its end);
#   1. unit and integration tests (in parallel files);
#   2. disruptive tests, which kill and restart the engine: only when this script started it and no
#      other test run holds a live lease on it, and not with BERTH_TEST_DISRUPTIVE=0;
#   3. the swarm suite, on a 3-node swarm its global setup brings up in network namespaces and takes
#      down (scripts/test-swarm.sh): as root, under a lock (the namespaces' names are the machine's);
#      not as root, it fails with that reason. BERTH_TEST_SWARM=0 leaves it out.
#   4. the Podman suite, against `podman system service` on a socket of the run's own that its global
#      setup starts and stops (scripts/test-podman.sh), with the Podman CLI as the oracle: as root, under
#      a lock (Podman's store is the machine's). BERTH_TEST_PODMAN=0 leaves it out.
#   5. every benchmark once in a short mode (scripts/bench-smoke.sh), so a benchmark that no longer runs
#      fails the run; BERTH_TEST_BENCH=0 leaves it out (CI runs it on one Node).
# BERTH_TEST_NODE=22 (or 24, ...) runs the build and the tests on that Node, installed from the npm
# registry into .node/ by scripts/setup-node.sh and put first on PATH; unset, the machine's Node.
# One run id (BERTH_TEST_RUN) labels everything both vitest runs make (test/helpers/run-lease.ts).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup-system.sh test || { echo "test: the system packages could not be installed (see above)" >&2; exit 1; }
if [ -n "${BERTH_TEST_NODE:-}" ]; then
  nodebin=$(bash scripts/setup-node.sh "$BERTH_TEST_NODE") || { echo "test: Node $BERTH_TEST_NODE could not be installed (see above)" >&2; exit 1; }
  export PATH="$nodebin:$PATH"
fi
echo "test: node $(node --version) ($(command -v node))"
export BERTH_TEST_RUN=${BERTH_TEST_RUN:-$(node -e "process.stdout.write(require('crypto').randomBytes(6).toString('hex'))")}
echo "test: run id $BERTH_TEST_RUN"

mode=$(bash scripts/test-engine.sh up) || { echo "test: could not bring up a Docker engine" >&2; exit 1; }
cleanup() { bash scripts/test-engine.sh down; }
trap cleanup EXIT
echo "test: engine is $mode"
# The image of real software (Postgres, Redis, nginx, Python) from Debian's packages: built once, cached.
bash scripts/real-image.sh docker || { echo "test: the real-software image could not be built (see above)" >&2; exit 1; }

npm run build || exit 1   # tsc type-checks (and writes dist/ for scripts), esbuild bundles dist/bundle/
# Lint (ESLint) and format (Prettier): a finding fails the run, after the suites have run.
lint=0
npm run lint --silent || { lint=1; echo "test: lint or format findings above (npm run format fixes the format)" >&2; }

out=.test-engine/runs/$BERTH_TEST_RUN
mkdir -p "$out"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$out/main.json" "$@" || status=$?
if [ "${BERTH_TEST_DISRUPTIVE:-1}" = 0 ]; then
  echo "test: engine-restart tests skipped (BERTH_TEST_DISRUPTIVE=0)" >&2
elif [ "$mode" != owned ]; then
  echo "test: engine-restart tests run only when the test setup started the engine (as in CI); skipped here" >&2
else
  # Under the engine lock: no other run comes up while these restart the engine.
  BERTH_TEST_ENGINE_OWNED=1 bash scripts/test-engine.sh alone npx vitest run --config vitest.disruptive.config.ts \
    --reporter=default --reporter=json --outputFile.json="$out/disruptive.json"
  rc=$?
  if [ $rc = 3 ]; then
    echo "test: engine-restart tests skipped (above: other test runs on this engine)" >&2
  elif [ $rc != 0 ]; then
    status=$rc
  fi
fi
# A suite that has the machine to itself (its fixtures' names, or Podman's store, are the machine's):
# run under its lock, timed; SWITCH=0 leaves it out. Usage: locked_suite NAME SWITCH
locked_suite() {
  local name=$1 switch=$2 t0
  if [ "${!switch:-1}" = 0 ]; then
    echo "test: $name tests skipped ($switch=0)" >&2
    return 0
  fi
  t0=$(date +%s)
  mkdir -p /run/lock 2>/dev/null || true
  flock "/run/lock/berth-test-$name.lock" npx vitest run --config "vitest.$name.config.ts" \
    --reporter=default --reporter=json --outputFile.json="$out/$name.json" || status=1
  echo "test: the $name part took $(( $(date +%s) - t0 )) s" >&2
}
locked_suite swarm BERTH_TEST_SWARM
locked_suite podman BERTH_TEST_PODMAN
bench=0
if [ "${BERTH_TEST_BENCH:-1}" = 0 ]; then
  echo "test: benchmark smoke runs skipped (BERTH_TEST_BENCH=0)" >&2
else
  t0=$(date +%s)
  bash scripts/bench-smoke.sh || bench=1
  echo "test: the benchmark smoke runs took $(( $(date +%s) - t0 )) s" >&2
fi
node scripts/test-summary.js "$out/main.json" "$out/disruptive.json" "$out/swarm.json" "$out/podman.json"
[ $lint = 0 ] || { echo "test: FAILED lint or format (see above; npm run lint)"; status=1; }
[ $bench = 0 ] || { echo "test: FAILED benchmark smoke runs (see above; bash scripts/bench-smoke.sh)"; status=1; }
exit $status
