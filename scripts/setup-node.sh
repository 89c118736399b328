#!/usr/bin/env bash
# Another Node for the tests (BERTH_TEST_NODE=22 npm test): installs Node MAJOR from the npm registry's
# node-linux-<arch> package into .node/MAJOR, once, and prints the folder holding its `node`, to put
# first on PATH. The machine's own Node is used when it is that major already.
#
#   setup-node.sh MAJOR      e.g. 22 or 24
set -euo pipefail
major=${1:?usage: setup-node.sh MAJOR (e.g. 22)}
[[ "$major" =~ ^[0-9]+$ ]] || { echo "setup-node: expected a major version such as 22 (got: $major)" >&2; exit 2; }
cd "$(dirname "${BASH_SOURCE[0]}")/.."

major_of() { "$1" -p "process.versions.node.split('.')[0]" 2>/dev/null; }

if [ "$(major_of node)" = "$major" ]; then dirname "$(command -v node)"; exit 0; fi
pkg=node-linux-$(node -p process.arch)
bin=$PWD/.node/$major/node_modules/$pkg/bin
mkdir -p .node
exec 9>.node/.lock
flock 9
if [ "$(major_of "$bin/node")" != "$major" ]; then
  echo "setup-node: installing Node $major ($pkg@$major from the npm registry) into .node/$major" >&2
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error --prefix ".node/$major" "$pkg@$major" >&2
  [ "$(major_of "$bin/node")" = "$major" ] || { echo "setup-node: $bin/node is not Node $major after the install" >&2; exit 1; }
fi
echo "$bin"
