#!/usr/bin/env bash
# Everything docker-compose.yml needs before `up`: the Api and the silo published self-contained for linux-x64
# (on the host: no SDK image and no registry needed; the runtime packs come from NuGet), the Debian base
# (scripts/make-base-image.sh, once), an env file of generated secrets if none exists, then the images.
# BASE_IMAGE=debian:bookworm-slim uses the registry's image instead of the local one.
set -euo pipefail
cd "$(dirname "$0")/.."
export BASE_IMAGE=${BASE_IMAGE:-healthactors/debian:bookworm}
ENV_FILE=${ENV_FILE:-.data/secrets/compose.env}

t0=$SECONDS
for app in silo api; do
  [ "${SKIP_PUBLISH:-0}" = 1 ] && [ -x ".data/publish/$app/HealthActors.${app^}" ] && continue
  proj=src/Silo/HealthActors.Silo.csproj; [ $app = api ] && proj=src/Api/HealthActors.Api.csproj
  dotnet publish "$proj" -c Release -r linux-x64 --self-contained -o ".data/publish/$app" -nologo -v quiet
done
echo "published silo and api in $((SECONDS - t0)) s"

[ "$BASE_IMAGE" = healthactors/debian:bookworm ] && scripts/make-base-image.sh

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

t0=$SECONDS
# The legacy builder warns on every image that it is deprecated; it works, so the warning is filtered out.
docker-compose --env-file "$ENV_FILE" build -q 2> >(grep -v "DEPRECATED: The legacy builder\|Install the buildx component\|docs.docker.com/go/buildx\|^$" >&2)
echo "images built in $((SECONDS - t0)) s"
