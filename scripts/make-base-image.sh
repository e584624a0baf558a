#!/usr/bin/env bash
# Builds the Debian base every image here starts from, without an image registry, and imports it as
# healthactors/debian:bookworm. With mmdebstrap (preferred: apt downloads and installs in one pass) the base also
# holds every package the Dockerfiles in deploy/ name on their `RUN pkgs="..."` line, so their builds skip apt
# entirely; with plain debootstrap it is a minimal bookworm and each Dockerfile installs its own packages.
# The root file system is kept as a tarball in .data/cache/ (its name carries a hash of the package list), so
# only the first run on a machine pays for it (2.5 to 4 minutes on a busy 2-core machine): after
# `docker system prune -af` the image is imported again from the tarball in seconds.
# Where a registry is reachable, pass BASE_IMAGE=debian:bookworm-slim to the build instead.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${BASE_IMAGE:-healthactors/debian:bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
if docker image inspect "$IMAGE" >/dev/null 2>&1; then echo "base image $IMAGE present"; exit 0; fi
pkgs=$(sed -n 's/^RUN pkgs="\([^"]*\)".*/\1/p' deploy/*/Dockerfile | tr ' \n' ',,' | sed 's/,*$//')
tool=mmdebstrap; command -v mmdebstrap >/dev/null || tool=debootstrap
CACHE=${BASE_CACHE:-.data/cache/debian-bookworm-$tool-$(printf '%s' "$pkgs" | md5sum | cut -c1-8).tar}
if [ -s "$CACHE" ]; then
  docker import -c 'CMD ["/bin/bash"]' "$CACHE" "$IMAGE" >/dev/null
  echo "base image $IMAGE imported from $CACHE"; exit 0
fi
mkdir -p "$(dirname "$CACHE")"
LOG=$(mktemp /tmp/ha-base.XXXXXX.log)
trap 'rm -f "$LOG" "$CACHE.partial"' EXIT
# The tarball is written under another name and renamed once whole, so an interrupted run never leaves a truncated
# one behind; the same stream goes straight into `docker import`, so the 500 MB are not read back from disk.
if [ $tool = mmdebstrap ]; then
  echo "mmdebstrap --variant=minbase bookworm with $pkgs (once per machine; kept in $CACHE)"
  # bookworm-updates and bookworm-security too: the base is what runs, so it gets the patched libssl3 and friends.
  mmdebstrap --variant=minbase --format=tar --include="$pkgs" --dpkgopt=force-unsafe-io bookworm - \
      "deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" "deb $SECURITY_MIRROR bookworm-security main" 2>"$LOG" \
    | tee "$CACHE.partial" | docker import -c 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null \
    || { tail -20 "$LOG" >&2; exit 1; }
else
  command -v debootstrap >/dev/null || { echo "neither mmdebstrap nor debootstrap: apt-get install -y mmdebstrap" >&2; exit 1; }
  ROOT=$(mktemp -d /tmp/ha-bookworm.XXXXXX)
  trap 'rm -rf "$ROOT" "$LOG" "$CACHE.partial"' EXIT
  echo "debootstrap --variant=minbase bookworm (once per machine; kept in $CACHE)"
  debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$LOG" 2>&1 || { tail -20 "$LOG" >&2; exit 1; }
  # apt's caches and lists are not part of a base image: every Dockerfile runs apt-get update itself.
  rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*
  tar -C "$ROOT" -c . | tee "$CACHE.partial" | docker import -c 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
fi
mv "$CACHE.partial" "$CACHE"
echo "base image $IMAGE built and kept in $CACHE"
