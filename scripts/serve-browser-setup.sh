#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the serve loading-page browser
# test (test/integration/serve-browser.test.ts). Installs it with apt-get when
# missing (as root, or with passwordless sudo). Prints the browser's path.
set -euo pipefail
BROWSER=/usr/bin/chromium
if [ ! -x "$BROWSER" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  echo "serve-browser-setup: installing chromium" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
fi
echo "$BROWSER"
