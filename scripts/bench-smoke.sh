#!/usr/bin/env bash
# Every benchmark in bench/, run once in a short mode, so that a benchmark that no longer runs (a stale
# entry point, a renamed flag, a moved module) fails the build instead of waiting for the next person who
# measures. The figures of a short run mean nothing and are not kept; each bench's own checks (exact
# counts, outputs equal to the peer's) still fail it. Needs what npm test has set up: a built dist/, the
# engine, the test images, nginx, Caddy and wrk.
#
#   bench-smoke.sh           run them all; the last line says how many ran and how many failed
#   bench-smoke.sh NAME...   only these (file names without .mjs)
# Left out: wake-swarm.mjs (it needs the test swarm; the swarm suite covers its code path), stats-floor.mjs
# and proxy-floor.mjs (helpers other benches start), stats-lib.mjs and http-lib.mjs (libraries).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# name  timeout-s  args...
BENCHES=(
  "logs 120 2000 1"
  "topology 240 20 --short"
  "templates-accuracy 240"
  "templates-generalize 240 corpus 7 200"
  "templates-speed 240 20000 0 1"
  "gen-container-logs 60 OUT 50 7"
  "stats-agree 240 --rounds 1 --seconds 4"
  "stats-nostream 180 --containers 2 --runs 1"
  "startup 180 --runs 1 --rows 1,2"
  "stats-cost 240 --containers 2 --seconds 5 --minutes 0"
  "proxy 180 1 1 1"
  "gate 240 1 1"
  "wake 180 1"
  "wake-proxy 180 1"
  "watch-idle 180 2 1"
  "idle-scale 420 --quick"
)

want() { [ $# -eq 1 ] && return 0; local n; for n in "${@:2}"; do [ "$n" = "$1" ] && return 0; done; return 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0
failed=0
for entry in "${BENCHES[@]}"; do
  read -r name secs args <<<"$entry"
  want "$name" "$@" || continue
  args=${args//OUT/$out/gen}
  t0=$SECONDS
  # shellcheck disable=SC2086
  if timeout -k 10 "$secs" node "bench/$name.mjs" $args >"$out/$name.log" 2>&1; then
    passed=$((passed + 1))
    echo "bench-smoke: $name passed in $((SECONDS - t0)) s"
  else
    rc=$?
    failed=$((failed + 1))
    echo "bench-smoke: $name FAILED (exit $rc after $((SECONDS - t0)) s: node bench/$name.mjs $args); its last lines:"
    tail -15 "$out/$name.log" | sed 's/^/  /'
  fi
done
echo "bench-smoke: $((passed + failed)) benchmarks ran, $failed of them failed"
[ "$failed" = 0 ]
