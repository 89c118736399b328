#!/usr/bin/env bash
# The one step that installs the system packages berth's tests and demo need (Debian, apt):
# one `apt-get update` and one `apt-get install` of everything missing, serially, before anything runs.
# Test files never install anything: a test that finds a tool missing fails and names this script.
#
#   setup-system.sh test   what `npm test` needs (runs first in scripts/test.sh)
#   setup-system.sh demo   what `npm run demo` needs (a subset)
#   setup-system.sh list   print the test list, one "command package" pair a line
#
# Concurrent setups (two runs at once) are serialised with flock; apt waits for a dpkg lock held
# by anyone else for up to 5 minutes instead of failing.
set -euo pipefail

# command-or-path  package  (who needs it)
TEST_TOOLS=(
  "dockerd docker.io"              # the engine every integration test runs against
  "docker docker.io"               # its CLI (the oracle tests compare against)
  "busybox-httpd busybox-static"   # the test image is built from /bin/busybox with docker import
  "chromium chromium"              # the loading page in a headless browser (serve-browser.test.ts)
  "/usr/sbin/sshd openssh-server"  # an ssh:// engine through a throwaway sshd (engine-ssh.test.ts)
  "ssh-keygen openssh-client"
  "tmux tmux"                      # live terminal views (stats-tty, topology-tty)
  "man man-db"                     # the man page renders (docs.test.ts)
  "groff groff-base"
  "ip iproute2"
  "unshare util-linux"             # berth with a home of its own for ssh (engine-ssh.test.ts)
  "systemd-analyze systemd"       # the shipped units verify (package-check.sh, package.test.ts)
  "debootstrap debootstrap"        # the real-software test image (scripts/real-image.sh)
  "docker-compose docker-compose"  # compose v1 projects of real software (the real-stack suite)
  "nginx nginx-light"              # a user's own proxy asking berth's gate (auth_request)
  "caddy caddy"                    # the same through Caddy's forward_auth
  "wrk wrk"                        # load for the gate and proxy benches
  "podman podman"                  # the second engine (Podman's Docker-compatible API)
  "conntrack conntrack"            # the kernel's connection events (topology)
  "jq jq"                          # the README's pipes, run as written (readme-examples.test.ts)
)
DEMO_TOOLS=(
  "dockerd docker.io"
  "docker docker.io"
  "busybox-httpd busybox-static"
)

log() { echo "setup-system: $*" >&2; }

has() { # command-or-path
  case "$1" in
    # Not grep -q: under pipefail, grep leaving at the first match can fail busybox with SIGPIPE.
    busybox-httpd) [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -x httpd >/dev/null ;;
    /*) [ -x "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing() { # tool pairs... -> the packages to install, once each
  local pair tool pkg seen=" "
  for pair in "$@"; do
    tool=${pair%% *}; pkg=${pair##* }
    has "$tool" && continue
    case "$seen" in *" $pkg "*) continue ;; esac
    seen="$seen$pkg "
    echo "$pkg"
  done
}

install() { # tool pairs...
  local pkgs
  mapfile -t pkgs < <(missing "$@")
  if [ ${#pkgs[@]} -eq 0 ]; then log "all system packages present"; return 0; fi
  if [ "$(id -u)" != 0 ]; then
    log "missing packages: ${pkgs[*]}; installing them needs root:"
    log "  sudo apt-get update && sudo apt-get install -y ${pkgs[*]}"
    exit 1
  fi
  command -v apt-get >/dev/null 2>&1 || { log "missing ${pkgs[*]} and no apt-get here: install them with your package manager"; exit 1; }
  log "installing ${pkgs[*]} with apt (once; later runs find them)"
  local t0=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  local wait=(-o DPkg::Lock::Timeout=300)
  local aptlog=/tmp/berth-setup-system.apt.log
  if ! { apt-get "${wait[@]}" update -qq && apt-get "${wait[@]}" install -y -qq "${pkgs[@]}"; } >"$aptlog" 2>&1; then
    log "apt failed; the last lines of $aptlog:"
    tail -15 "$aptlog" >&2
    exit 1
  fi
  local still
  still=$(missing "$@" | tr '\n' ' ')
  [ -z "$still" ] || { log "still missing after apt: $still"; exit 1; }
  log "installed ${pkgs[*]} in $((SECONDS - t0)) s"
}

locked() { # runs "$@" under the setup lock
  exec 9>"/tmp/berth-setup-system.lock"
  flock 9
  "$@"
}

case "${1:-test}" in
  test) locked install "${TEST_TOOLS[@]}" ;;
  demo) locked install "${DEMO_TOOLS[@]}" ;;
  list) printf '%s\n' "${TEST_TOOLS[@]}" ;;
  *) echo "usage: $0 test|demo|list" >&2; exit 2 ;;
esac
