#!/usr/bin/env bash
# The README's two commands on a machine made as fresh as this one allows, N times in a row:
#   scripts/fresh-check.sh --yes [--runs N] [--repo DIR] [--ref REF] [--out FILE]
#
# Each run: stops every dockerd, purges the packages scripts/setup-system.sh installs (docker.io,
# containerd, runc, busybox-static, chromium, openssh-server, tmux) with the engine's state
# (/var/lib/docker, /var/lib/containerd), apt's package cache and lists; makes a fresh clone of REF
# (default: HEAD of this checkout) in a new folder; then runs `npm install && npm test` there with an
# empty environment (PATH, a new HOME, so npm's cache is cold, LANG, the machine's CA certificate
# settings) and CI=true, and records the
# exit code, the closing test line and the time each command took.
#
# What it cannot make fresh: the kernel, Node and npm, the docker CLI in /usr/local/bin and the other
# packages of this machine's image (man-db, groff, iproute2, openssh-client), which a new machine of
# this kind has too. Destructive for this machine's engine and those packages: it asks for --yes.
set -uo pipefail

runs=3 repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) ref=HEAD out=/tmp/berth-fresh-check.txt yes=
while [ $# -gt 0 ]; do
  case "$1" in
    --yes) yes=1 ;;
    --runs) runs=$2; shift ;;
    --repo) repo=$2; shift ;;
    --ref) ref=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 --yes [--runs N] [--repo DIR] [--ref REF] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$yes" ] || { echo "fresh-check: purges docker.io, chromium, openssh-server, tmux and the engine's state; run with --yes" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "fresh-check: needs root (apt purge)" >&2; exit 1; }

PKGS=(docker.io containerd runc busybox-static chromium chromium-common openssh-server tmux)
say() { echo "fresh-check: $*" | tee -a "$out" >&2; }

make_fresh() {
  pkill -TERM -x dockerd 2>/dev/null
  for _ in $(seq 1 60); do pgrep -x dockerd >/dev/null || break; sleep 0.5; done
  pkill -KILL -x dockerd 2>/dev/null
  pkill -TERM -x containerd 2>/dev/null; sleep 1
  export DEBIAN_FRONTEND=noninteractive
  apt-get purge -y -qq "${PKGS[@]}" >/tmp/berth-fresh-purge.log 2>&1
  apt-get autoremove --purge -y -qq >>/tmp/berth-fresh-purge.log 2>&1
  apt-get clean
  # /var/lib/docker may be a mount point: empty it rather than remove it
  find /var/lib/docker /var/lib/containerd -mindepth 1 -delete 2>/dev/null
  rm -rf /var/lib/apt/lists/* /run/docker /var/run/docker.sock
  local left
  left=$(for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 && echo "$p"; done | tr '\n' ' ')
  for t in dockerd chromium sshd tmux; do command -v "$t" >/dev/null 2>&1 && left="$left$t(on PATH) "; done
  say "fresh: packages purged, no engine running${left:+; still present: $left}"
}

timed() { # label command... -> runs it, appends its seconds to $out
  local t0 rc label=$1
  shift
  t0=$(date +%s)
  "$@"
  rc=$?
  say "$label: exit $rc in $(( $(date +%s) - t0 )) s"
  return $rc
}

: > "$out"
say "$runs runs of 'npm install && npm test' from $repo at $(git -C "$repo" rev-parse --short "$ref")"
failed=0
for i in $(seq 1 "$runs"); do
  make_fresh
  dir=$(mktemp -d /tmp/berth-fresh.XXXXXX)
  git clone -q "$repo" "$dir/berth" && git -C "$dir/berth" checkout -q "$(git -C "$repo" rev-parse "$ref")"
  mkdir -p "$dir/home"
  # the machine's certificate settings stay: npm reaches its registry through them here
  certs=()
  while IFS= read -r kv; do certs+=("$kv"); done < <(env | grep -E '^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|CURL_CA_BUNDLE)=')
  clean=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$dir/home" LANG=C.UTF-8 CI=true "${certs[@]}")
  t0=$(date +%s)
  (cd "$dir/berth" && timed "npm install" "${clean[@]}" npm install >"$dir/install.log" 2>&1) \
    && (cd "$dir/berth" && timed "npm test" "${clean[@]}" npm test >"$dir/test.log" 2>&1)
  rc=$?
  summary=$(grep -a '^tests: ' "$dir/test.log" 2>/dev/null | tail -1)
  say "run $i: exit $rc, ${summary:-no summary}, $(( $(date +%s) - t0 )) s in all (logs: $dir)"
  [ $rc = 0 ] || failed=$((failed + 1))
done
say "$((runs - failed)) of $runs runs passed"
[ $failed = 0 ]
