#!/bin/sh
# First start: initdb, then the application's role and database (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB).
# Later starts find PG_VERSION in the volume and go straight to the server.
set -e
: "${POSTGRES_USER:?}" "${POSTGRES_PASSWORD:?}" "${POSTGRES_DB:?}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb -D "$PGDATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  # Only the compose network reaches this port; every remote connection still needs the password.
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  psql -v ON_ERROR_STOP=1 -U postgres -q -v u="$POSTGRES_USER" -v p="$POSTGRES_PASSWORD" -v d="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"u" LOGIN PASSWORD :'p';
CREATE DATABASE :"d" OWNER :"u";
SQL
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "initialized $PGDATA"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c max_connections=200
