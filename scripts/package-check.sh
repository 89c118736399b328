#!/usr/bin/env bash
# The package as a user gets it, away from the source tree:
#   npm pack -> npm install -g of the tarball into a temporary prefix -> from an empty folder:
#   berth --version, berth --help, berth completion bash, `man berth` (the man page npm installed
#   from the package's `man` field) and `systemd-analyze verify` on the units in docs/systemd/ as the
#   package ships them (their Documentation=man:berth(1) must resolve).
# npm pack runs `prepack`, which builds; man-db is needed and, for the units, systemd-analyze (the check
# says so and skips that step where it is missing). Prints one "package-check: ok: ..." line per step
# on stdout; exits non-zero at the first step that fails.
#   scripts/package-check.sh [--no-build] [--keep]
#     --no-build  pack the build that is there (as the tests do, after npm test's build)
#     --keep      leave the temporary folder for a look
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=1 keep=
for a in "$@"; do
  case "$a" in
    --no-build) build= ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--no-build] [--keep]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d "${TMPDIR:-/tmp}/berth-package-XXXXXX")
if [ -n "$keep" ]; then echo "package-check: leaving $work" >&2; else trap 'rm -rf "$work"' EXIT; fi

ok() { echo "package-check: ok: $*"; }
fail() { echo "package-check: FAILED: $*" >&2; exit 1; }

version=$(node -p "require('./package.json').version")
if [ -z "$build" ]; then
  [ -f dist/bundle/main.js ] || { echo "package-check: FAILED: no build in dist/bundle (run npm run build)" >&2; exit 1; }
  pack=(--ignore-scripts)
else
  pack=()
fi
tgz=$(npm pack --silent "${pack[@]}" --pack-destination "$work" | tail -1)
[ -f "$work/$tgz" ] || fail "npm pack made no tarball"
ok "npm pack: $tgz ($(du -k "$work/$tgz" | cut -f1) KiB, $(tar -tzf "$work/$tgz" | wc -l) files)"

prefix=$work/prefix
npm install -g --prefix "$prefix" --no-audit --no-fund --loglevel=error "$work/$tgz" >&2 ||
  fail "npm install -g of the tarball"
ok "npm install -g into $prefix"

# From here on: an empty folder, the installed command first on PATH, the installed man pages.
mkdir -p "$work/elsewhere"
cd "$work/elsewhere"
export PATH="$prefix/bin:$PATH" MANPATH="$prefix/share/man:"
[ "$(command -v berth)" = "$prefix/bin/berth" ] || fail "berth on PATH is $(command -v berth), not the installed one"

[ "$(berth --version)" = "$version" ] || fail "berth --version printed $(berth --version), not $version"
ok "berth --version: $version"
berth --help | grep '^Usage: berth \[options\] \[command\]' >/dev/null || fail "berth --help"
ok "berth --help"
berth completion bash | grep 'complete -F' >/dev/null || fail "berth completion bash"
ok "berth completion bash"

installed=$prefix/share/man/man1/berth.1
[ -e "$installed" ] || fail "npm installed no man page at $installed (the package's man field)"
page=$(man -w berth) || fail "man -w berth found no page"
[ "$(readlink -f "$page")" = "$(readlink -f "$installed")" ] || fail "man -w berth is $page, not the installed page"
MANPAGER=cat MANWIDTH=80 man berth 2>/dev/null | grep '^NAME' >/dev/null || fail "man berth does not render"
ok "man berth: $installed"

if command -v systemd-analyze >/dev/null 2>&1; then
  units=$prefix/lib/node_modules/berth/docs/systemd
  for u in "$units"/*.service; do
    out=$(systemd-analyze verify "$u" 2>&1) || fail "systemd-analyze verify $(basename "$u"): $out"
    [ -z "$out" ] || fail "systemd-analyze verify $(basename "$u") warned: $out"
  done
  for t in "$units"/*.timer; do
    out=$(systemd-analyze verify "$t" "${t%.timer}.service" 2>&1) || fail "systemd-analyze verify $(basename "$t"): $out"
    [ -z "$out" ] || fail "systemd-analyze verify $(basename "$t") warned: $out"
  done
  ok "systemd-analyze verify: $(cd "$units" && ls *.service *.timer | tr '\n' ' ')"
else
  echo "package-check: skipped: systemd-analyze verify (no systemd-analyze here)" >&2
fi
