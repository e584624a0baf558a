#!/usr/bin/env bash
# The slow part of the container test that needs nothing from the .NET build, so ./test.sh runs it in the background
# (at low priority) while it builds and tests: the Debian packages (docker.io, docker-compose, mmdebstrap), a dockerd
# if none answers, the Debian base and the PostgreSQL, Redis and nginx images (scripts/compose-build.sh PARTS=infra).
# With DOTNET_READY=<file> it then waits for that file (./test.sh writes it once `dotnet build` succeeded) and
# builds the .NET image from that build (PARTS=dotnet, PUBLISH_NO_BUILD=1), so scripts/compose-test.sh can run with
# SKIP_BUILD=1 afterwards.
# Writes its verdict to $STATE/status as one line: "ok", "skip <reason>" (no Docker engine can run on this machine)
# or "fail <reason>"; and $STATE/dockerd.pid when it started a dockerd, which the caller stops (it stays up for
# compose-test.sh). Every step is bounded: apt by 300 s, dockerd's start by 30 s, each build by BUILD_TIMEOUT
# (900 s), the wait for DOTNET_READY by DOTNET_WAIT (1800 s).
set -uo pipefail
cd "$(dirname "$0")/.."
STATE=${STATE:-.data/compose}
export BASE_IMAGE=${BASE_IMAGE:-healthactors/debian:bookworm}
mkdir -p "$STATE"
rm -f "$STATE/status" "$STATE/dockerd.pid"
START=$SECONDS
log() { printf '[compose-prepare %4ds] %s\n' $((SECONDS - START)) "$*"; }
verdict() { echo "$*" >"$STATE/status"; log "$*"; exit 0; }
# Killed by the caller (a time bound, or ./test.sh exiting early): whatever was not finished is a failure.
trap 'echo "fail interrupted after $((SECONDS - START)) s" >"$STATE/status"; exit 1' TERM INT

# apt is shared with scripts/services.sh (PostgreSQL, Redis, Chromium): one holder of the lock at a time, so a
# background install never meets dpkg's own lock half-way.
apt_locked() { flock -w 600 "${HA_APT_LOCK:-/tmp/healthactors-apt.lock}" timeout 300 apt-get "$@"; }

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker-compose >/dev/null || need+=(docker-compose)
[ "$BASE_IMAGE" != healthactors/debian:bookworm ] || command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    # Without root there is no installing and no starting of a Docker engine: nothing to test here.
    command -v dockerd >/dev/null || verdict "skip not root and no docker.io: cannot install or run a Docker engine"
    verdict "fail missing ${need[*]}: apt-get install -y ${need[*]}"
  fi
  log "installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  { apt_locked update -qq && apt_locked install -y -qq --no-install-recommends "${need[@]}"; } >"$STATE/apt.log" 2>&1 \
    || { tail -20 "$STATE/apt.log"; verdict "fail apt-get install ${need[*]} (log: $STATE/apt.log)"; }
  log "installed ${need[*]}"
fi

if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || verdict "skip no Docker engine answers and not root: cannot start dockerd"
  # Its own session, so stopping this script's process group (a time bound) leaves the engine to its owner.
  setsid dockerd >"$STATE/dockerd.log" 2>&1 </dev/null & echo $! >"$STATE/dockerd.pid"
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; kill -0 "$(cat "$STATE/dockerd.pid")" 2>/dev/null || break; sleep 0.5; done
  if ! docker info >/dev/null 2>&1; then
    tail -20 "$STATE/dockerd.log"
    kill "$(cat "$STATE/dockerd.pid")" 2>/dev/null; rm -f "$STATE/dockerd.pid"
    verdict "skip dockerd did not start (log: $STATE/dockerd.log): this machine cannot run a Docker engine"
  fi
  log "started dockerd (pid $(cat "$STATE/dockerd.pid"))"
fi

t=$SECONDS
PARTS=infra timeout "${BUILD_TIMEOUT:-900}" scripts/compose-build.sh || verdict "fail building the base, PostgreSQL, Redis or nginx image"
log "base, PostgreSQL, Redis and nginx images in $((SECONDS - t)) s"

if [ -n "${DOTNET_READY:-}" ]; then
  for _ in $(seq "${DOTNET_WAIT:-1800}"); do [ -e "$DOTNET_READY" ] && break; sleep 1; done
  [ -e "$DOTNET_READY" ] || verdict "fail no .NET build after ${DOTNET_WAIT:-1800} s ($DOTNET_READY)"
  t=$SECONDS
  PARTS=dotnet PUBLISH_NO_BUILD=1 CONFIG=${CONFIG:-Debug} timeout "${BUILD_TIMEOUT:-900}" scripts/compose-build.sh \
    || verdict "fail publishing the Api and the silo or building the .NET image"
  log ".NET image in $((SECONDS - t)) s"
fi
verdict ok
