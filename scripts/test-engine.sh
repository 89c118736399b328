#!/usr/bin/env bash
# A real Docker engine for tests and the demo, from one command.
#
#   test-engine.sh up       use the engine that answers (DOCKER_HOST or the default socket); if none
#                           answers, start dockerd in the background and wait for it (docker.io and
#                           busybox-static come from setup-system.sh). Builds berth-test/busybox.
#                           Prints "owned" when it started the engine itself, "shared" otherwise.
#   test-engine.sh down     stop the engine if `up` started it and no other test run holds a live lease
#   test-engine.sh others   print the run ids of other test runs holding a live lease on the engine
#   test-engine.sh alone CMD...  run CMD (the engine-restart suite) holding the machine's engine lock,
#                           only when no other test run holds a live lease (else exit 3, naming them)
#   test-engine.sh kill     SIGKILL the engine `up` started (for reconnect tests)
#   test-engine.sh start    start it again after `kill`, and wait until it answers
#   test-engine.sh stop     stop it gracefully (SIGTERM), leaving the state for `start`
#   test-engine.sh owned    exit 0 when `up` started the engine (tests that stop it run only then)
#   test-engine.sh busybox-tar  write the busybox test image's root file system to stdout as a tar
#
# Test runs from several checkouts (or pid namespaces) share one engine. `up`, `down` and `alone` hold
# one machine-wide lock ($LOCK) while they decide, so two runs started at once do not both start a
# dockerd, a run never stops the engine under another that has just come up, and no run comes up while
# another restarts the engine. `up` also makes the run's lease (BERTH_TEST_RUN) before letting go of the
# lock; the tests' RunLease adopts and renews it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${BERTH_ENGINE_STATE:-$ROOT/.test-engine}
IMAGE=berth-test/busybox
mkdir -p "$STATE"
LOCK=${BERTH_ENGINE_LOCK:-/run/lock/berth-test-engine.lock}
[ -w "$(dirname "$LOCK")" ] || LOCK=$STATE/engine.lock
TTL_S=90  # as test/helpers/run-lease.ts

lock() { # waits up to 15 min (another run's engine-restart suite); fd 9 must not reach dockerd
  exec 9>>"$LOCK"
  flock -w 900 9 || { log "waited 15 min for $LOCK (another test run restarting the engine?); giving up"; exit 1; }
}

log() { echo "test-engine: $*" >&2; }

answers() { timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

need_engine_packages() {
  command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 && [ -x /bin/busybox ] && return 0
  log "docker.io or busybox-static is not installed: run \`bash scripts/setup-system.sh test\` as root (npm test and npm run demo run it first)"
  exit 1
}

# Other test runs holding a live lease on this engine (test/helpers/run-lease.ts): their names end in
# the lease's expiry in the engine's clock. Prints their run ids, one a line.
other_live_runs() {
  local self=${BERTH_TEST_RUN:-} now
  now=$(date -d "$(docker info --format '{{.SystemTime}}' 2>/dev/null)" +%s 2>/dev/null) || return 0
  docker ps -a --filter label=berth.test.lease --format '{{.Label "berth.test.lease"}} {{.Names}}' 2>/dev/null |
    while read -r run name; do
      [ "$run" != "$self" ] && [ "${name##*-}" -gt "$now" ] 2>/dev/null && echo "$run"
    done
  return 0
}

start_dockerd() {
  [ "$(id -u)" = 0 ] || { log "no engine answers and starting one needs root"; exit 1; }
  # A containerd pid file left by an engine that died (or that ran in another pid namespace) names a pid
  # that is not containerd here; dockerd would take it for a running one and time out on its socket.
  local cpid
  cpid=$(containerd_pid)
  if [ -n "$cpid" ] && [ "$(cat /proc/"$cpid"/comm 2>/dev/null)" != containerd ]; then
    log "removing a stale containerd pid file (pid $cpid is not containerd)"
    rm -f /var/run/docker/containerd/containerd.pid
  fi
  log "starting dockerd (log: $STATE/dockerd.log)"
  # setsid: the engine must not get the test runner's Ctrl-C.
  setsid dockerd --pidfile "$STATE/dockerd.pid" >>"$STATE/dockerd.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$STATE/dockerd.launcher"
  for _ in $(seq 1 120); do
    answers && { log "engine is up"; return 0; }
    sleep 0.5
  done
  log "dockerd did not answer within 60 s; last lines of its log:"
  tail -20 "$STATE/dockerd.log" >&2
  exit 1
}

dockerd_pid() { cat "$STATE/dockerd.pid" 2>/dev/null || true; }

# The containerd that dockerd started. It outlives a killed dockerd by a second or two while it shuts
# itself down; a dockerd started in that window takes it for a running one and times out on it.
containerd_pid() { cat /var/run/docker/containerd/containerd.pid 2>/dev/null || true; }
wait_gone() { # pid, tries of 0.25 s
  [ -n "$1" ] || return 0
  for _ in $(seq 1 "$2"); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.25; done
}

# The busybox test image's root file system as a tar on stdout (test-podman.sh imports the same into Podman).
busybox_tar() {
  local root
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/www"
  cp /bin/busybox "$root/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
  echo 'root:x:0:' > "$root/etc/group"
  tar -C "$root" -c .
  rm -rf "$root"
}

build_image() {
  docker image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  log "building $IMAGE from busybox-static with docker import"
  busybox_tar | docker import -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
}

remove_test_containers() {
  local ids
  ids=$(docker ps -aq --filter label=berth.test 2>/dev/null || true)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
}

# The run's lease, made under the lock so that a `down` of another run sees this run from now on.
make_lease() {
  local run=${BERTH_TEST_RUN:-} now
  [ -n "$run" ] || return 0
  [ -z "$(docker ps -aq --filter "label=berth.test.lease=$run")" ] || return 0
  now=$(date -d "$(docker info --format '{{.SystemTime}}')" +%s)
  docker create --name "berth-test-lease-$run-$((now + TTL_S))" --label "berth.test.lease=$run" "$IMAGE" true >/dev/null
}

case "${1:-}" in
  up)
    lock
    if answers; then
      # A nested `up` (npm run demo, the screenshots, inside a test run that started the engine) finds
      # it answering: it is not this caller's, but the marker stays while the dockerd it names lives, or
      # the outer run's engine-restart suite would refuse to restart its own engine.
      pid=$(dockerd_pid)
      if ! { [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = dockerd ]; }; then
        rm -f "$STATE/owned"
      fi
      build_image
      make_lease
      echo shared
    else
      need_engine_packages
      start_dockerd
      touch "$STATE/owned"
      build_image
      make_lease
      echo owned
    fi
    ;;
  down)
    [ -z "${BERTH_TEST_RUN:-}" ] || docker rm -f $(docker ps -aq --filter "label=berth.test.lease=$BERTH_TEST_RUN" 2>/dev/null) >/dev/null 2>&1 || true
    if [ -f "$STATE/owned" ]; then
      lock
      others=$(other_live_runs)
      if [ -n "$others" ]; then
        log "leaving the engine running: other test runs hold live leases on it ($(echo $others))"
        exit 0
      fi
      remove_test_containers
      pid=$(dockerd_pid)
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      fi
      rm -f "$STATE/owned"
      log "engine stopped"
    fi
    ;;
  kill)
    [ -f "$STATE/owned" ] || { log "refusing to kill an engine this script did not start"; exit 1; }
    pid=$(dockerd_pid)
    cpid=$(containerd_pid)
    kill -KILL "$pid"
    wait_gone "$pid" 40
    wait_gone "$cpid" 60
    ;;
  stop)
    [ -f "$STATE/owned" ] || { log "refusing to stop an engine this script did not start"; exit 1; }
    pid=$(dockerd_pid)
    cpid=$(containerd_pid)
    kill -TERM "$pid"
    wait_gone "$pid" 80
    wait_gone "$cpid" 60
    ;;
  start)
    [ -f "$STATE/owned" ] || { log "refusing to start an engine this script does not own"; exit 1; }
    answers || start_dockerd
    ;;
  owned)
    [ -f "$STATE/owned" ]
    ;;
  others)
    other_live_runs
    ;;
  busybox-tar)
    busybox_tar
    ;;
  alone)
    shift
    lock
    others=$(other_live_runs)
    [ -z "$others" ] || { log "other test runs hold live leases on this engine ($(echo $others)): not run alone"; exit 3; }
    "$@" 9>&-
    ;;
  *)
    echo "usage: $0 up|down|kill|stop|start|owned|others|busybox-tar|alone CMD..." >&2
    exit 2
    ;;
esac
