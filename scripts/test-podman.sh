#!/usr/bin/env bash
# Podman beside the Docker engine, for the Podman suite (vitest.podman.config.ts), from one command.
#
#   test-podman.sh up     (root) put Podman's default container limits within this machine's hard limits
#                         (/etc/containers/containers.conf.d/90-limits.conf: without it every container fails
#                         with "error setting rlimit type 7: operation not permitted"), start Podman's
#                         Docker-compatible API on a socket of the run's own, and import the test images
#                         (berth-test/busybox, berth-test/real) into Podman's store. Prints the socket's URL.
#   test-podman.sh down   remove the containers the run made in Podman and stop the API service.
#   test-podman.sh url    print the socket's URL.
#
# Idempotent: `up` twice writes the limits file once, starts one service, imports each image once.
# Podman keeps its own storage (/var/lib/containers) and network (netavark, bridge podman0 on
# 10.88.0.0/16, its own NETAVARK_* iptables chains), so Docker's engine, bridges and chains are left as
# they are. The service runs detached (setsid), so a `wait` in the calling shell does not wait for it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN=${BERTH_TEST_RUN:-local}
DIR=${BERTH_PODMAN_STATE:-$ROOT/.test-engine/podman/$RUN}
# A unix socket's path must fit in 108 bytes; a deep checkout falls back to /run.
[ ${#DIR} -lt 90 ] || DIR=/run/berth-test-podman/$RUN
SOCK=$DIR/podman.sock
LIMITS=/etc/containers/containers.conf.d/90-limits.conf

log() { echo "test-podman: $*" >&2; }
pm() { podman --url "unix://$SOCK" "$@"; }
answers() { timeout 5 podman --url "unix://$SOCK" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

write_limits() {
  # Open files at the machine's hard limit; processes at 4096 (the hard limit itself was still refused here).
  local want
  want=$(printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=4096:4096"]\n' "$(ulimit -Hn)" "$(ulimit -Hn)")
  [ "$(cat "$LIMITS" 2>/dev/null)" = "$want" ] && return 0
  mkdir -p "$(dirname "$LIMITS")"
  printf '%s\n' "$want" >"$LIMITS"
  log "wrote $LIMITS (Podman's default container limits are above this machine's hard limits)"
}

start_service() {
  answers && return 0
  mkdir -p "$DIR"
  rm -f "$SOCK"
  setsid podman system service --time=0 "unix://$SOCK" >>"$DIR/service.log" 2>&1 </dev/null &
  echo $! >"$DIR/service.pid"
  for _ in $(seq 1 60); do
    answers && return 0
    sleep 0.25
  done
  log "podman system service did not answer on $SOCK within 15 s; last lines of its log:"
  tail -20 "$DIR/service.log" >&2
  exit 1
}

busybox_image() { # the same root file system as the docker fixtures' (test-engine.sh busybox-tar)
  pm image exists berth-test/busybox && return 0
  bash "$ROOT/scripts/test-engine.sh" busybox-tar | podman import -c 'CMD ["/bin/sh"]' - localhost/berth-test/busybox:latest >/dev/null
  log "imported berth-test/busybox into Podman"
}

case "${1:-}" in
  up)
    [ "$(id -u)" = 0 ] || { log "the Podman suite runs rootful Podman: run it as root"; exit 1; }
    command -v podman >/dev/null || { log "podman is not installed: run bash scripts/setup-system.sh test"; exit 1; }
    [ -x /bin/busybox ] || { log "busybox-static is not installed: run bash scripts/setup-system.sh test"; exit 1; }
    write_limits
    start_service
    busybox_image
    bash "$ROOT/scripts/real-image.sh" podman
    echo "unix://$SOCK"
    ;;
  down)
    if answers; then
      ids=$(pm ps -aq --filter "label=berth.test.run=$RUN" 2>/dev/null || true)
      [ -z "$ids" ] || pm rm -f -t 0 $ids >/dev/null 2>&1 || true
    fi
    pid=$(cat "$DIR/service.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    fi
    rm -f "$DIR/service.pid" "$SOCK"
    ;;
  url)
    echo "unix://$SOCK"
    ;;
  *)
    echo "usage: $0 up|down|url" >&2
    exit 2
    ;;
esac
