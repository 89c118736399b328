#!/usr/bin/env bash
# A real 3-node Docker Swarm on this machine for tests, isolated from the default engine
# (../shared/recipes/swarm-on-one-machine.md): one dockerd per node, each in its own network, mount
# and UTS namespace, joined over a bridge that lives in a namespace of its own. Every address
# (10.99.0.0/24, the overlay's 10.201.0.0/24) lives only inside namespaces this script makes.
#
#   test-swarm.sh up       bring the three nodes up, import the test image on each, init + join,
#                          create the attachable overlay network; prints the nodes' DOCKER_HOSTs
#   test-swarm.sh down     remove everything `up` made (services, nodes, namespaces, cgroups), even
#                          after a half-finished `up`
#   test-swarm.sh env      print BERTH_SWARM_N1=unix://... (one line per node) for tests
#   test-swarm.sh status   exit 0 when all three nodes answer and the swarm has 3 ready nodes
#   test-swarm.sh kill-node N    SIGKILL node N's dockerd (tests of a node's engine dying)
#   test-swarm.sh stop-node N    SIGTERM node N's dockerd (it stops its containers) and wait until it exits
#   test-swarm.sh start-node N   start node N's dockerd again and wait until it answers
#
# The swarm suite's global setup (test/helpers/swarm-setup.ts) runs `up` and, at the end, `down`;
# scripts/test.sh runs that suite under a lock, since the namespaces' names are the machine's.
#
# Needs root, iproute2 (ip netns), util-linux (nsenter, unshare), docker.io and busybox-static
# (scripts/setup-system.sh). Known limits on this kernel: no IPVS, so services use
# --endpoint-mode dnsrr and host-mode published ports; busybox wget segfaults in these
# containers (use nc).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${BERTH_SWARM_STATE:-$ROOT/.test-swarm}
IMAGE=berth-sw/busybox:1
NODES=(1 2 3)
NET=berth-sw-ov

log() { echo "test-swarm: $*" >&2; }
sock() { echo "$STATE/n$1/docker.sock"; }
d() { local n=$1; shift; docker -H "unix://$(sock "$n")" "$@"; }

network_up() {
  ip netns add berth-sw-sw
  ip netns exec berth-sw-sw ip link set lo up
  ip netns exec berth-sw-sw ip link add berth-sw-br0 type bridge
  ip netns exec berth-sw-sw ip link set berth-sw-br0 up
  local i
  for i in "${NODES[@]}"; do
    ip netns add "berth-sw-n$i"
    ip netns exec "berth-sw-n$i" ip link set lo up
    ip netns exec berth-sw-sw ip link add "berth-sw-v$i" type veth peer name eth0 netns "berth-sw-n$i"
    ip netns exec berth-sw-sw ip link set "berth-sw-v$i" master berth-sw-br0 up
    ip netns exec "berth-sw-n$i" ip addr add "10.99.0.1$i/24" dev eth0
    ip netns exec "berth-sw-n$i" ip link set eth0 up
  done
}

node_up() { # i
  local i=$1 dir=$STATE/n$1
  mkdir -p "$dir"
  echo "{ \"deprecated-key-path\": \"$dir/key.json\" }" > "$dir/daemon.json"
  # nsenter --net, not `ip netns exec` (that remounts /sys and hides the cgroup tree); own containerd.
  setsid nsenter --net="/run/netns/berth-sw-n$i" unshare -m -u --propagation private sh -c \
    "hostname berth-sw-n$i; exec dockerd --config-file $dir/daemon.json --data-root $dir/data --exec-root $dir/exec \
     --pidfile $dir/docker.pid -H unix://$dir/docker.sock --cgroup-parent /berth-sw-n$i" \
    > "$dir/dockerd.log" 2>&1 < /dev/null &
}

wait_node() { # i
  local _
  for _ in $(seq 1 120); do
    d "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  log "node $1 did not answer within 60 s; last lines of its log:"
  tail -15 "$STATE/n$1/dockerd.log" >&2
  return 1
}

image_up() {
  local root
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/www"
  cp /bin/busybox "$root/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
  echo 'root:x:0:' > "$root/etc/group"
  local i
  for i in "${NODES[@]}"; do tar -C "$root" -c . | d "$i" import -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null; done
  rm -rf "$root"
}

swarm_up() {
  d 1 swarm init --advertise-addr 10.99.0.11 --listen-addr 10.99.0.11:2377 >/dev/null
  local token i
  token=$(d 1 swarm join-token -q worker)
  for i in 2 3; do d "$i" swarm join --token "$token" --advertise-addr "10.99.0.1$i" 10.99.0.11:2377 >/dev/null; done
  d 1 network create -d overlay --attachable --subnet 10.201.0.0/24 "$NET" >/dev/null
}

ready_nodes() { d 1 node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$' || true; }

up() {
  [ "$(id -u)" = 0 ] || { log "needs root (network namespaces, dockerd)"; exit 1; }
  for t in ip nsenter unshare dockerd docker; do
    command -v "$t" >/dev/null 2>&1 || { log "$t is not installed: run \`bash scripts/setup-system.sh test\` as root"; exit 1; }
  done
  if status; then log "already up"; env_lines; return 0; fi
  down 2>/dev/null || true
  mkdir -p "$STATE"
  network_up
  local i
  for i in "${NODES[@]}"; do node_up "$i"; done
  for i in "${NODES[@]}"; do wait_node "$i"; done
  image_up
  swarm_up
  for _ in $(seq 1 60); do [ "$(ready_nodes)" = 3 ] && break; sleep 0.5; done
  [ "$(ready_nodes)" = 3 ] || { log "the swarm did not get 3 ready nodes"; d 1 node ls >&2 || true; exit 1; }
  log "3 nodes up and joined"
  env_lines
}

down() {
  local i pid
  if [ -S "$(sock 1)" ]; then
    d 1 service rm $(d 1 service ls -q 2>/dev/null) >/dev/null 2>&1 || true
  fi
  for i in 3 2 1; do
    [ -S "$(sock "$i")" ] || continue
    d "$i" rm -f $(d "$i" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
    d "$i" swarm leave --force >/dev/null 2>&1 || true
  done
  for i in "${NODES[@]}"; do
    pid=$(cat "$STATE/n$i/docker.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for i in "${NODES[@]}"; do
    pid=$(cat "$STATE/n$i/docker.pid" 2>/dev/null || true)
    [ -n "$pid" ] || continue
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for n in berth-sw-n1 berth-sw-n2 berth-sw-n3 berth-sw-sw; do ip netns del "$n" 2>/dev/null || true; done
  find /sys/fs/cgroup -depth -type d -path '*berth-sw-n[123]*' -exec rmdir {} \; 2>/dev/null || true
  # the data roots hold overlay mounts of the nodes' private mount namespaces, gone with them
  rm -rf "$STATE" 2>/dev/null || true
  log "down"
}

env_lines() { local i; for i in "${NODES[@]}"; do echo "BERTH_SWARM_N$i=unix://$(sock "$i")"; done; }

status() {
  local i
  for i in "${NODES[@]}"; do [ -S "$(sock "$i")" ] && d "$i" version >/dev/null 2>&1 || return 1; done
  [ "$(ready_nodes)" = 3 ]
}

end_node() { # SIGNAL i: ends node i's dockerd (KILL: at once; TERM: it stops its containers first) and waits until it exits
  local pid
  pid=$(cat "$STATE/n$2/docker.pid" 2>/dev/null || true)
  [ -n "$pid" ] || { log "node $2 has no dockerd pid"; return 1; }
  kill "-$1" "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && { log "node $2's dockerd did not exit within 30 s of SIG$1"; return 1; }
  rm -f "$STATE/n$2/docker.pid" "$(sock "$2")"
}

case "${1:-}" in
  up) up ;;
  kill-node) end_node KILL "$2" ;;
  stop-node) end_node TERM "$2" ;;
  start-node) node_up "$2"; wait_node "$2" ;;
  down) down ;;
  env) env_lines ;;
  status) status ;;
  *) echo "usage: $0 up|down|env|status|kill-node N|stop-node N|start-node N" >&2; exit 2 ;;
esac
