#!/usr/bin/env bash
# npm run demo       bring up an engine when none answers (as the tests do), start the labelled
#                    compose-style project "berth-demo" and follow its logs with berth.
# npm run demo:down  remove the project (and stop the engine if the demo started it).
#
#   demo.sh start      start the project and return (no logs followed); scripts/screenshots.mjs uses it
#   demo.sh stop       remove the project only (the engine stays as it is)
# BERTH_DEMO_PROJECT names the project (default berth-demo), so a second copy does not touch the first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PROJECT=${BERTH_DEMO_PROJECT:-berth-demo}
NET=$PROJECT
IMAGE=berth-test/busybox

labels() { # service [depends_on]
  local l=(--label "com.docker.compose.project=$PROJECT" --label "com.docker.compose.service=$1" --label berth.demo=1)
  [ -z "${2:-}" ] || l+=(--label "com.docker.compose.depends_on=$2")
  printf '%s\n' "${l[@]}"
}

run() { # service depends_on command...
  local svc=$1 deps=$2
  shift 2
  mapfile -t l < <(labels "$svc" "$deps")
  docker run -d --name "$PROJECT-$svc-1" --network "$NET" --network-alias "$svc" "${l[@]}" "$IMAGE" sh -c "$*" >/dev/null
  echo "  started $PROJECT-$svc-1"
}

start() {
  bash scripts/setup-system.sh demo
  bash scripts/test-engine.sh up >/dev/null
  [ -f dist/cli.js ] || npm run build >/dev/null
  down_project
  docker network create --label berth.demo=1 "$NET" >/dev/null
  echo "berth demo: starting project $PROJECT"
  # db: a tiny TCP service; one log line per connection.
  run db "" 'i=0; while :; do echo pong | nc -l -p 7000 >/dev/null; i=$((i+1)); echo "$(date -Iseconds) INFO db: served connection $i"; done'
  # api: an HTTP server that logs each request, and checks the db every 2 s.
  run api "db:service_started:false" 'mkdir -p /www && echo "<h1>berth demo api</h1>" > /www/index.html;
    httpd -f -v -p 8080 -h /www & 
    n=0; while :; do n=$((n+1)); if echo ping | nc -w 1 db 7000 >/dev/null 2>&1; then echo "level=info msg=\"db check ok\" n=$n"; else echo "level=error msg=\"db unreachable\" n=$n" >&2; fi; sleep 2; done'
  # worker: calls the api, with the occasional warning and error.
  run worker "api:service_started:false" 'n=0; while :; do n=$((n+1)); 
    if wget -q -O /dev/null http://api:8080/; then echo "{\"level\":\"info\",\"msg\":\"job $n done\",\"ms\":$((n % 97))}"; else echo "{\"level\":\"error\",\"msg\":\"job $n failed: api unreachable\"}"; fi;
    [ $((n % 7)) -eq 0 ] && echo "[WARN] queue depth high: $((n % 13 + 20)) jobs" >&2; sleep 1; done'
}

up() {
  start
  cat <<'TXT'

The project runs. berth now follows its logs (Ctrl-C to stop). Next, try:
  node bin/berth.js stats --project berth-demo                 # live table with sparklines
  node bin/berth.js logs --project berth-demo --json | node bin/berth.js templates --follow --interval 5s
  node bin/berth.js events --filter label=com.docker.compose.project=berth-demo
  node bin/berth.js topology --project berth-demo              # live map: dots are real events
  npm run demo:down                                            # remove the demo
TXT
  exec node bin/berth.js logs --project "$PROJECT" -f --tail 5
}

down_project() {
  local ids
  ids=$(docker ps -aq --filter label=berth.demo=1 --filter "label=com.docker.compose.project=$PROJECT")
  [ -z "$ids" ] || docker rm -f $ids >/dev/null
  docker network rm "$NET" >/dev/null 2>&1 || true
}

case "${1:-up}" in
  up) up ;;
  start) start ;;
  stop) down_project ;;
  down)
    if docker version >/dev/null 2>&1; then down_project; echo "berth demo: removed project $PROJECT"; fi
    bash scripts/test-engine.sh down
    ;;
  *) echo "usage: $0 up|down|start|stop" >&2; exit 2 ;;
esac
