#!/usr/bin/env bash
# Builds the Debian base every image here starts from, without an image registry, and imports it as
# healthactors/debian:bookworm. With mmdebstrap (preferred: apt downloads and installs in one pass) the base also
# holds every package the Dockerfiles in deploy/ name on their `RUN pkgs="..."` line, so their builds skip apt
# entirely; with plain debootstrap it is a minimal bookworm and each Dockerfile installs its own packages.
# The root file system is kept as a tarball in .data/cache/, so only the first run on a machine pays for it (2 to 3
# minutes on a busy 2-core machine): after `docker system prune -af` the image is imported again in seconds.
# Where a registry is reachable, pass BASE_IMAGE=debian:bookworm-slim to the build instead.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${BASE_IMAGE:-healthactors/debian:bookworm}
CACHE=${BASE_CACHE:-.data/cache/debian-bookworm-base.tar}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if docker image inspect "$IMAGE" >/dev/null 2>&1; then echo "base image $IMAGE present"; exit 0; fi
if [ ! -s "$CACHE" ]; then
  mkdir -p "$(dirname "$CACHE")"
  LOG=$(mktemp /tmp/ha-base.XXXXXX.log)
  # Written under another name first, so an interrupted run never leaves a truncated tarball to import later.
  rm -f "$CACHE.partial"
  if command -v mmdebstrap >/dev/null; then
    pkgs=$(sed -n 's/^RUN pkgs="\([^"]*\)".*/\1/p' deploy/*/Dockerfile | tr ' \n' ',,' | sed 's/,*$//')
    echo "mmdebstrap --variant=minbase bookworm with $pkgs (once per machine; kept in $CACHE)"
    # apt's lists and downloaded packages are not kept: a Dockerfile that needs more runs apt-get update itself.
    mmdebstrap --variant=minbase --format=tar --include="$pkgs" --dpkgopt=force-unsafe-io \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb' \
      bookworm "$CACHE.partial" "$MIRROR" >"$LOG" 2>&1 || { tail -20 "$LOG" >&2; rm -f "$LOG" "$CACHE.partial"; exit 1; }
  else
    command -v debootstrap >/dev/null || { echo "neither mmdebstrap nor debootstrap: apt-get install -y mmdebstrap" >&2; exit 1; }
    ROOT=$(mktemp -d /tmp/ha-bookworm.XXXXXX)
    trap 'rm -rf "$ROOT"' EXIT
    echo "debootstrap --variant=minbase bookworm (once per machine; kept in $CACHE)"
    debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$LOG" 2>&1 || { tail -20 "$LOG" >&2; rm -f "$LOG"; exit 1; }
    rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*
    tar -C "$ROOT" -cf "$CACHE.partial" .
  fi
  rm -f "$LOG"
  mv "$CACHE.partial" "$CACHE"
fi
docker import -c 'CMD ["/bin/bash"]' "$CACHE" "$IMAGE" >/dev/null
echo "base image $IMAGE imported from $CACHE"
