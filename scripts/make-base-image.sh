#!/usr/bin/env bash
# Builds the Debian base every image here starts from, without an image registry: debootstrap a minimal
# bookworm and `docker import` it as healthactors/debian:bookworm. The root file system is kept as a tarball in
# .data/cache/, so only the first run on a machine pays debootstrap (about a minute unloaded, several under load):
# after `docker system prune -af` the image is imported again from the tarball in seconds.
# Where a registry is reachable, pass BASE_IMAGE=debian:bookworm-slim to the build instead.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${BASE_IMAGE:-healthactors/debian:bookworm}
CACHE=${BASE_CACHE:-.data/cache/debian-bookworm-minbase.tar}
if docker image inspect "$IMAGE" >/dev/null 2>&1; then echo "base image $IMAGE present"; exit 0; fi
if [ ! -s "$CACHE" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap missing: apt-get install -y debootstrap" >&2; exit 1; }
  ROOT=$(mktemp -d /tmp/ha-bookworm.XXXXXX)
  trap 'rm -rf "$ROOT" "$ROOT.log"' EXIT
  echo "debootstrap --variant=minbase bookworm (once per machine; the tarball is kept in $CACHE)"
  debootstrap --variant=minbase bookworm "$ROOT" http://deb.debian.org/debian >"$ROOT.log" 2>&1 \
    || { tail -20 "$ROOT.log" >&2; exit 1; }
  # apt's caches and lists are not part of a base image: every Dockerfile runs apt-get update itself.
  rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*
  mkdir -p "$(dirname "$CACHE")"
  # Written under another name first, so an interrupted run never leaves a truncated tarball to import later.
  tar -C "$ROOT" -cf "$CACHE.partial" . && mv "$CACHE.partial" "$CACHE"
fi
docker import -c 'CMD ["/bin/bash"]' "$CACHE" "$IMAGE" >/dev/null
echo "base image $IMAGE imported from $CACHE"
