#!/usr/bin/env bash
# The test image of real software: a minimal Debian bookworm (debootstrap) with Debian's Postgres 15,
# Redis, nginx-light, Python 3 with psycopg2, curl and procps, imported into the engine with no registry.
#
#   real-image.sh docker    make sure the engine that answers has berth-test/real:<tag> (and :latest)
#   real-image.sh podman    the same for Podman's store (localhost/berth-test/real)
#   real-image.sh tag       print the tag (a hash of the package list and this recipe)
#   real-image.sh tarball   build the root file system tarball only (the cache), print its path
#
# Built once and cached: the tarball of the root file system lives in $CACHE (default
# /var/cache/berth-test, outside the checkout, so a fresh clone on the same machine reuses it), and an
# engine that already has the tag is not touched. The tag changes when the package list or the recipe
# does, so a stale image is never used. Concurrent callers are serialised with flock.
set -euo pipefail

PACKAGES=(postgresql redis-server nginx-light python3 python3-psycopg2 curl procps iproute2 netcat-openbsd)
CACHE=${BERTH_IMAGE_CACHE:-/var/cache/berth-test}
IMAGE=berth-test/real
RECIPE=4 # bump when the steps below change what the image holds

log() { echo "real-image: $*" >&2; }

tag() { printf '%s %s\n' "$RECIPE" "${PACKAGES[*]}" | sha256sum | cut -c1-12; }

mirror() {
  local m
  m=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$m" ] || m=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${m:-http://deb.debian.org/debian}"
}

build_rootfs() { # -> $CACHE/real-<tag>.tar
  local out=$CACHE/real-$(tag).tar root
  [ -s "$out" ] && { echo "$out"; return 0; }
  command -v debootstrap >/dev/null || { log "debootstrap is missing: run bash scripts/setup-system.sh test"; exit 1; }
  [ "$(id -u)" = 0 ] || { log "building the image needs root (debootstrap, chroot)"; exit 1; }
  root=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  chmod 755 "$root" # mktemp's 0700 would keep every user but root out of / (Postgres's initdb runs as postgres)
  local t0=$SECONDS
  log "building the real-software image (debootstrap bookworm + ${PACKAGES[*]}); once, then cached in $CACHE"
  trap 'umount "$root/proc" 2>/dev/null || true; rm -rf "$root"' EXIT
  debootstrap --variant=minbase bookworm "$root" "$(mirror)" >"$CACHE/debootstrap.log" 2>&1 ||
    { log "debootstrap failed; the last lines of $CACHE/debootstrap.log:"; tail -15 "$CACHE/debootstrap.log" >&2; exit 1; }
  mount -t proc proc "$root/proc"
  chroot "$root" bash -c "export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq --no-install-recommends ${PACKAGES[*]}" \
    >"$CACHE/chroot-apt.log" 2>&1 ||
    { log "apt in the image failed; the last lines of $CACHE/chroot-apt.log:"; tail -15 "$CACHE/chroot-apt.log" >&2; exit 1; }
  umount "$root/proc"
  # Tests only: Postgres trusts every client (other containers reach it by address), listens on all
  # addresses, and keeps TLS on (Debian's snakeoil certificate), as a packaged Postgres does.
  local hba=$root/etc/postgresql/15/main/pg_hba.conf
  [ -f "$hba" ] || { log "the image has no Postgres cluster ($hba); see $CACHE/chroot-apt.log"; exit 1; }
  { printf 'local all all trust\nhost all all 0.0.0.0/0 trust\nhost all all ::/0 trust\n'; cat "$hba"; } >"$hba.new"
  mv "$hba.new" "$hba"
  echo "listen_addresses = '*'" >>"$root/etc/postgresql/15/main/postgresql.conf"
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  tar -C "$root" -cf "$out.tmp" . && mv "$out.tmp" "$out"
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$root"
  trap - EXIT
  log "built $out in $((SECONDS - t0)) s ($(du -h "$out" | cut -f1))"
  echo "$out"
}

import_into() { # docker|podman
  local cli=$1 t ref
  t=$(tag)
  ref=$IMAGE:$t
  [ "$cli" = podman ] && ref=localhost/$ref
  if "$cli" image inspect "$ref" >/dev/null 2>&1; then
    "$cli" tag "$ref" "${ref%:*}:latest" >/dev/null
    return 0
  fi
  local tarball t0=$SECONDS
  tarball=$(build_rootfs)
  "$cli" import -c 'CMD ["/bin/bash"]' -c 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$tarball" "$ref" >/dev/null
  "$cli" tag "$ref" "${ref%:*}:latest" >/dev/null
  log "imported $ref into $cli in $((SECONDS - t0)) s"
}

mkdir -p "$CACHE"
exec 8>"$CACHE/.lock"
flock -w 900 8 || { log "waited 15 min for $CACHE/.lock; giving up"; exit 1; }
case "${1:-docker}" in
  docker) import_into docker ;;
  podman) import_into podman ;;
  tag) tag ;;
  tarball) build_rootfs ;;
  *) echo "usage: $0 docker|podman|tag|tarball" >&2; exit 2 ;;
esac
