#!/usr/bin/env bash
# Builds the Debian base every image here starts from, without an image registry: debootstrap a minimal
# bookworm and `docker import` it as healthactors/debian:bookworm. Skipped when that image exists, so only
# the first run pays the ~50 s. Where a registry is reachable, pass BASE_IMAGE=debian:bookworm-slim instead.
set -euo pipefail
IMAGE=${BASE_IMAGE:-healthactors/debian:bookworm}
if docker image inspect "$IMAGE" >/dev/null 2>&1; then echo "base image $IMAGE present"; exit 0; fi
command -v debootstrap >/dev/null || { echo "debootstrap missing: apt-get install -y debootstrap" >&2; exit 1; }
ROOT=$(mktemp -d /tmp/ha-bookworm.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
echo "debootstrap --variant=minbase bookworm (about a minute, once)"
debootstrap --variant=minbase bookworm "$ROOT" http://deb.debian.org/debian >"$ROOT.log" 2>&1 \
  || { tail -20 "$ROOT.log" >&2; exit 1; }
rm -f "$ROOT.log"
# apt's caches and lists are not part of a base image: every Dockerfile runs apt-get update itself.
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*
tar -C "$ROOT" -c . | docker import -c 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
echo "base image $IMAGE built"
