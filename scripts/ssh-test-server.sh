#!/usr/bin/env bash
# A throwaway sshd on 127.0.0.1 for the ssh:// engine test (test/integration/engine-ssh.test.ts):
# berth reaches the local engine through ssh as it would a remote one (berth runs
# `docker system dial-stdio` on the far side).
#
#   ssh-test-server.sh start DIR PORT   make keys in DIR (openssh-server comes from setup-system.sh),
#                                       start sshd on PORT and an ssh-agent holding the key; prints
#                                       SSH_AUTH_SOCK=... on stdout
#   ssh-test-server.sh stop DIR         stop both
set -euo pipefail
cmd=${1:-}
dir=${2:?usage: ssh-test-server.sh start|stop DIR [PORT]}

case "$cmd" in
  start)
    port=${3:?port}
    [ "$(id -u)" = 0 ] || { echo "ssh-test-server: needs root (sshd, and a root login to reach the engine's socket)" >&2; exit 1; }
    [ -x /usr/sbin/sshd ] || { echo "ssh-test-server: /usr/sbin/sshd is not installed: run \`bash scripts/setup-system.sh test\` as root (npm test runs it first)" >&2; exit 1; }
    mkdir -p "$dir" /run/sshd
    ssh-keygen -q -t ed25519 -N '' -f "$dir/hostkey" <<< y >/dev/null
    ssh-keygen -q -t ed25519 -N '' -f "$dir/id" <<< y >/dev/null
    cp "$dir/id.pub" "$dir/authorized"
    cat > "$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/hostkey
AuthorizedKeysFile $dir/authorized
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PidFile $dir/sshd.pid
CONF
    /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
    ssh-agent -a "$dir/agent.sock" > "$dir/agent.env"
    SSH_AUTH_SOCK="$dir/agent.sock" ssh-add -q "$dir/id"
    echo "SSH_AUTH_SOCK=$dir/agent.sock"
    ;;
  stop)
    [ -f "$dir/sshd.pid" ] && kill "$(cat "$dir/sshd.pid")" 2>/dev/null || true
    agent=$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\).*/\1/p' "$dir/agent.env" 2>/dev/null || true)
    [ -n "$agent" ] && kill "$agent" 2>/dev/null || true
    ;;
  *)
    echo "usage: ssh-test-server.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
