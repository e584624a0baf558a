#!/bin/sh
# APP (set per service in docker-compose.yml) picks the process: the image holds both.
# A silo must advertise an address the others can dial, and Orleans takes only an IP there (no host name).
# Under `docker-compose --scale silo=N` every replica has its own address, so it is read from the container
# at start instead of being fixed in the compose file.
set -e
case "${APP:-}" in
  silo)
    : "${Orleans__AdvertisedIP:=$(hostname -i | awk '{print $1}')}"
    export Orleans__AdvertisedIP
    cd /app/silo && exec /usr/share/dotnet/dotnet HealthActors.Silo.dll "$@" ;;
  api)
    cd /app/api && exec /usr/share/dotnet/dotnet HealthActors.Api.dll "$@" ;;
  *) echo "APP must be silo or api (got '${APP:-}')" >&2; exit 64 ;;
esac
