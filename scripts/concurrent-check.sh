#!/usr/bin/env bash
# Two `npm test` runs at once against one engine, one of them in another pid namespace
# (`unshare -p -f --mount-proc`), each from its own fresh clone of REF:
#   scripts/concurrent-check.sh [--ref REF] [--out FILE]
#
# Run a starts first and brings up the engine (if none answers); run b starts as soon as the engine
# answers, so both suites run at the same time. A third party, the "sentinel" run, holds a live lease and one labelled container on the engine for
# the whole check: neither run may remove it (a run removes another run's objects only when that run's
# lease has expired). The check passes when both runs exit 0 and the sentinel container is still there.
# It records every `destroy` of a test container with the run that made it (from its label) in the
# output file, so that which run's objects went when can be read afterwards.
# Needs root (unshare -p) and the system packages of `scripts/setup-system.sh test`.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) ref=HEAD out=/tmp/berth-concurrent-check.txt
while [ $# -gt 0 ]; do
  case "$1" in
    --ref) ref=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 [--ref REF] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "concurrent-check: needs root (unshare -p)" >&2; exit 1; }
say() { echo "concurrent-check: $*" | tee -a "$out" >&2; }
: > "$out"

dir=$(mktemp -d /tmp/berth-concurrent.XXXXXX)
sha=$(git -C "$repo" rev-parse "$ref")
for r in a b; do
  git clone -q "$repo" "$dir/$r" && git -C "$dir/$r" checkout -q "$sha"
  (cd "$dir/$r" && npm install >"$dir/$r-install.log" 2>&1) || { say "npm install failed in $dir/$r"; exit 1; }
done
say "two runs of npm test from $dir/a and $dir/b at ${sha:0:7} (b in a new pid namespace)"

# Each run with half the usual test workers: two runs share the machine's 2 cores.
workers=${BERTH_CHECK_WORKERS:-2}
t0=$(date +%s)
(cd "$dir/a" && BERTH_TEST_RUN=checka$RANDOM npm test -- --maxWorkers="$workers" >"$dir/a.log" 2>&1; echo $? >"$dir/a.rc") &
pa=$!
# Run b starts once the engine answers: an engine started from inside a pid namespace ends with it
# (run a started it, from the root namespace, and it outlives b).
for _ in $(seq 1 600); do timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && break; sleep 1; done
(cd "$dir/b" && BERTH_TEST_RUN=checkb$RANDOM unshare -p -f --mount-proc npm test -- --maxWorkers="$workers" >"$dir/b.log" 2>&1; echo $? >"$dir/b.rc") &
pb=$!

# The sentinel, as soon as the test image is there.
for _ in $(seq 1 120); do docker image inspect berth-test/busybox >/dev/null 2>&1 && break; sleep 1; done
now=$(date -d "$(docker info --format '{{.SystemTime}}')" +%s)
docker create --name "berth-test-lease-sentinel-$((now + 7200))" --label berth.test.lease=sentinel berth-test/busybox true >/dev/null
sentinel=$(docker create --label berth.test=1 --label berth.test.run=sentinel berth-test/busybox true)
say "sentinel container ${sentinel:0:12} (run 'sentinel', lease valid for 2 h)"
docker events --filter type=container --filter event=destroy --filter label=berth.test \
  --format '{{.Time}} destroy {{index .Actor.Attributes "berth.test.run"}} {{index .Actor.Attributes "name"}}' >"$dir/destroys.log" 2>&1 &
evpid=$!

wait $pa $pb
wait_rc() { cat "$dir/$1.rc" 2>/dev/null || echo missing; }
kill $evpid 2>/dev/null
ra=$(wait_rc a) rb=$(wait_rc b)
sa=$(grep -a '^tests: ' "$dir/a.log" | tail -1) sb=$(grep -a '^tests: ' "$dir/b.log" | tail -1)
say "run a: exit $ra, ${sa:-no summary} ($(grep -a '^test: engine is' "$dir/a.log" | head -1))"
say "run b (own pid namespace): exit $rb, ${sb:-no summary} ($(grep -a '^test: engine is' "$dir/b.log" | head -1))"
say "$(wc -l <"$dir/destroys.log") test containers destroyed during the check; by the run that made them: $(awk '{print $3}' "$dir/destroys.log" | sort | uniq -c | tr -s ' \n' ' ')"
alive=no
docker inspect "$sentinel" >/dev/null 2>&1 && alive=yes
timeout 5 docker version >/dev/null 2>&1 || alive="unknown (the engine does not answer)"
say "sentinel still there: $alive; $(( $(date +%s) - t0 )) s in all (logs: $dir)"
docker rm -f "$sentinel" $(docker ps -aq --filter label=berth.test.lease=sentinel) >/dev/null 2>&1
[ "$ra" = 0 ] && [ "$rb" = 0 ] && [ "$alive" = yes ]
