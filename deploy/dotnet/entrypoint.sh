#!/bin/sh
# A silo must advertise an address the others can dial, and Orleans takes only an IP there (no host name).
# Under `docker-compose --scale silo=N` every replica has its own address, so it is read from the container
# at start instead of being fixed in the compose file.
set -e
if [ "$APP" = silo ]; then
  : "${Orleans__AdvertisedIP:=$(hostname -i | awk '{print $1}')}"
  export Orleans__AdvertisedIP
  exec /app/HealthActors.Silo "$@"
fi
exec /app/HealthActors.Api "$@"
