#!/usr/bin/env bash
# Everything docker-compose.yml needs before `up`, with the slow parts overlapped:
#  - the Api and the silo published framework-dependent on the host into .data/publish/ (CONFIG, Release by
#    default; PUBLISH_NO_BUILD=1 reuses a build that already ran, as ./test.sh's does), and the host's .NET runtime
#    (the version the apps were built against) copied next to them: no SDK image, no registry and no second
#    restore or compile inside docker build;
#  - meanwhile the Debian base (scripts/make-base-image.sh, cached in .data/cache/) and then the PostgreSQL, Redis
#    and nginx images, built in parallel;
#  - then the one .NET image the silos and both Api nodes run.
# An env file of generated secrets is written if none exists. BASE_IMAGE=debian:bookworm-slim uses the registry's
# image instead of the local one. With PHASES=<file>, "phase <name> <seconds>" lines are appended to it.
# PARTS picks what is built: all (default); infra (the base and the PostgreSQL, Redis and nginx images: nothing
# from the .NET build, so ./test.sh runs it while it builds and tests); dotnet (publish and the .NET image).
set -euo pipefail
cd "$(dirname "$0")/.."
export BASE_IMAGE=${BASE_IMAGE:-healthactors/debian:bookworm}
ENV_FILE=${ENV_FILE:-.data/secrets/compose.env}
CONFIG=${CONFIG:-Release}
PHASES=${PHASES:-/dev/null}
phase() { echo "phase $1 $2" >>"$PHASES"; echo "[compose-build] $1: $2 s"; }

if [ ! -f "$ENV_FILE" ]; then
  mkdir -p "$(dirname "$ENV_FILE")" && chmod 700 "$(dirname "$ENV_FILE")"
  ( umask 077; {
    echo "POSTGRES_PASSWORD=$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' 'xy')"
    echo "JWT_SIGNING_KEY=$(head -c 48 /dev/urandom | base64 -w0)"
    echo "ADMIN_EMAIL=admin@healthactors.local"
    echo "ADMIN_PASSWORD=$(head -c 18 /dev/urandom | base64 -w0 | tr '+/' 'xy')"
  } > "$ENV_FILE" )
  echo "wrote $ENV_FILE"
fi
DC() { docker-compose --env-file "$ENV_FILE" "$@"; }
# The legacy builder warns on every image that it is deprecated; it works, so the warning is filtered out.
quiet_build() { DC build -q "$@" 2> >(grep -v "DEPRECATED: The legacy builder\|Install the buildx component\|docs.docker.com/go/buildx\|^$" >&2); }

publish() {
  local t0=$SECONDS app proj no_build=()
  [ "${PUBLISH_NO_BUILD:-0}" = 1 ] && no_build=(--no-build)
  for app in silo api; do
    proj=src/Silo/HealthActors.Silo.csproj; [ $app = api ] && proj=src/Api/HealthActors.Api.csproj
    rm -rf ".data/publish/$app"
    dotnet publish "$proj" -c "$CONFIG" "${no_build[@]}" -o ".data/publish/$app" -nologo -v quiet
  done
  # The runtime the apps were built with, from the host's dotnet: the muxer, hostfxr and the two shared frameworks.
  local root ver aspver fxr
  root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  ver=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { print $2 }' | sort -V | tail -n 1)
  aspver=$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" { print $2 }' | sort -V | tail -n 1)
  fxr=$(ls "$root/host/fxr" | sort -V | tail -n 1)
  if [ "$(cat .data/publish/dotnet/.versions 2>/dev/null)" != "$ver $aspver $fxr" ]; then
    rm -rf .data/publish/dotnet
    mkdir -p .data/publish/dotnet/host/fxr .data/publish/dotnet/shared/Microsoft.NETCore.App .data/publish/dotnet/shared/Microsoft.AspNetCore.App
    cp -a "$root/dotnet" .data/publish/dotnet/
    cp -a "$root/host/fxr/$fxr" .data/publish/dotnet/host/fxr/
    cp -a "$root/shared/Microsoft.NETCore.App/$ver" .data/publish/dotnet/shared/Microsoft.NETCore.App/
    cp -a "$root/shared/Microsoft.AspNetCore.App/$aspver" .data/publish/dotnet/shared/Microsoft.AspNetCore.App/
    echo "$ver $aspver $fxr" > .data/publish/dotnet/.versions
  fi
  phase publish $((SECONDS - t0))
}

PARTS=${PARTS:-all}
case "$PARTS" in all|infra|dotnet) ;; *) echo "[compose-build] PARTS must be all, infra or dotnet (got '$PARTS')" >&2; exit 64 ;; esac
t_all=$SECONDS
status=0
[ "$PARTS" = infra ] || { publish & PUBLISH_PID=$!; }
t0=$SECONDS
if [ "$BASE_IMAGE" = healthactors/debian:bookworm ]; then
  if scripts/make-base-image.sh; then phase base-image $((SECONDS - t0)); else echo "[compose-build] base image failed" >&2; status=1; fi
fi
t0=$SECONDS
INFRA_PID=
# docker-compose 1.29 builds through the docker CLI and then ignores --parallel: one build per service instead.
if [ $status = 0 ] && [ "$PARTS" != dotnet ]; then
  ( pids=(); for svc in postgres redis nginx; do quiet_build "$svc" & pids+=($!); done
    ok=0; for p in "${pids[@]}"; do wait "$p" || ok=1; done
    [ $ok = 0 ] && phase infra-images $((SECONDS - t0)); exit $ok ) & INFRA_PID=$!
fi
if [ "$PARTS" != infra ]; then
  wait $PUBLISH_PID || { echo "[compose-build] publish failed" >&2; status=1; }
  if [ $status = 0 ]; then
    t1=$SECONDS
    quiet_build silo || status=1
    [ $status = 0 ] && phase dotnet-image $((SECONDS - t1))
  fi
fi
if [ -n "$INFRA_PID" ]; then wait $INFRA_PID || { echo "[compose-build] PostgreSQL, Redis or nginx image failed" >&2; status=1; }; fi
[ $status = 0 ] && phase "build-$PARTS" $((SECONDS - t_all))
exit $status
