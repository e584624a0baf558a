#!/usr/bin/env bash
# Sourced by run.sh and test.sh. Makes sure a PostgreSQL and a Redis are reachable and exports
# ConnectionStrings__Postgres / ConnectionStrings__Redis for the processes started afterwards.
# When a connection string is already set in the environment it is used as given and nothing is
# started; otherwise the Debian packages are installed (if missing) and private instances are
# started on loopback with their data under .data/.
set -euo pipefail

HA_ROOT="${HA_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
HA_DATA="${HA_DATA:-$HA_ROOT/.data}"
HA_PG_PORT="${HA_PG_PORT:-55432}"
HA_REDIS_PORT="${HA_REDIS_PORT:-56379}"
HA_DB="${HA_DB:-healthactors}"

ha_log() { echo "[services] $*" >&2; }

# One apt at a time: ./test.sh installs the container test's packages in the background (scripts/compose-prepare.sh
# takes the same lock), and a second apt-get would fail on dpkg's lock instead of waiting for it.
ha_apt() {
  if command -v flock >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive flock -w 600 "${HA_APT_LOCK:-/tmp/healthactors-apt.lock}" apt-get "$@"
  else
    DEBIAN_FRONTEND=noninteractive apt-get "$@"
  fi
}

ha_install_packages() {
  local need=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  if [ ${#need[@]} -gt 0 ]; then
    ha_log "installing ${need[*]} (Debian packages)"
    if [ "$(id -u)" -ne 0 ]; then ha_log "not root: install ${need[*]} yourself or set the connection strings"; return 1; fi
    ha_apt update -qq
    ha_apt install -y -qq "${need[@]}" >/dev/null
  fi
}

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own).
ha_install_browser() {
  [ -x /usr/bin/chromium ] && return 0
  ha_log "installing chromium (Debian package, for the browser tests)"
  if [ "$(id -u)" -ne 0 ]; then ha_log "not root: install chromium yourself (apt-get install chromium)"; return 1; fi
  ha_apt update -qq
  ha_apt install -y -qq chromium >/dev/null
}

# Builds web/ into web/dist, which the Api serves at /. Without Node.js 20.19+ (Vite's floor) the build is skipped
# with a message: the Api then answers / with 404 and the browser tests fail saying the app is not built.
ha_build_web() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    ha_log "node/npm not found: skipping the web app build (install Node.js 20.19 or later to get the app at /)"
    return 0
  fi
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    ha_log "node $(node --version) is older than 20.19: skipping the web app build"
    return 0
  fi
  ha_log "building the web app (npm ci, npm run build in web/)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent) >/dev/null
}

ha_pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

# Only what this script started is stopped again: a server someone else runs is left alone.
HA_STARTED_PG=0
HA_STARTED_REDIS=0

# Runs a PostgreSQL tool as the unprivileged postgres user when we are root (the server refuses root).
ha_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "cd / && $*"; else bash -c "$*"; fi
}

# The data folder must be reachable by the unprivileged postgres user. A checkout under a folder that user
# cannot enter (say a 700 home) gets its PostgreSQL data under /var/tmp instead, one folder per checkout.
ha_pg_home() {
  local home="$HA_DATA"
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$home"
    if ! su postgres -s /bin/bash -c "test -x '$home'" 2>/dev/null; then
      home="/var/tmp/healthactors-$(printf '%s' "$HA_DATA" | md5sum | cut -c1-12)"
      mkdir -p "$home"
      ha_log "postgres cannot enter $HA_DATA; keeping PostgreSQL data in $home"
    fi
  fi
  printf '%s' "$home"
}

ha_start_postgres() {
  local bin home dir sock
  bin="$(ha_pg_bin)"
  if ha_as_pg "'$bin/pg_isready' -h 127.0.0.1 -p $HA_PG_PORT -q"; then
    ha_log "PostgreSQL already up on 127.0.0.1:$HA_PG_PORT"
    return 0
  fi
  home="$(ha_pg_home)"; dir="$home/postgres"; sock="$home/pg-socket"
  mkdir -p "$dir" "$sock"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir" "$sock"; chmod 700 "$dir"; fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    ha_log "initialising PostgreSQL in $dir"
    ha_as_pg "'$bin/initdb' -D '$dir' -A trust -U postgres -E UTF8 >/dev/null"
  fi
  ha_log "starting PostgreSQL on 127.0.0.1:$HA_PG_PORT"
  ha_as_pg "'$bin/pg_ctl' -D '$dir' -l '$dir/server.log' -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p $HA_PG_PORT -k '$sock' -c max_connections=300 -c fsync=on\" start >/dev/null"
  HA_PG_DIR="$dir"
  HA_STARTED_PG=1
}

ha_ensure_database() {
  local db="$1" bin
  bin="$(ha_pg_bin)"
  if ! ha_as_pg "'$bin/psql' -h 127.0.0.1 -p $HA_PG_PORT -U postgres -tAc \"select 1 from pg_database where datname='$db'\"" | grep -q 1; then
    ha_as_pg "'$bin/psql' -h 127.0.0.1 -p $HA_PG_PORT -U postgres -qc 'create database \"$db\"'"
  fi
}

ha_start_redis() {
  local dir="$HA_DATA/redis"
  mkdir -p "$dir"
  if redis-cli -h 127.0.0.1 -p "$HA_REDIS_PORT" ping >/dev/null 2>&1; then
    ha_log "Redis already up on 127.0.0.1:$HA_REDIS_PORT"
  else
    ha_log "starting Redis on 127.0.0.1:$HA_REDIS_PORT (AOF on: cluster membership must survive a Redis restart)"
    redis-server --port "$HA_REDIS_PORT" --bind 127.0.0.1 --dir "$dir" --appendonly yes \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save ""
    for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$HA_REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    HA_STARTED_REDIS=1
  fi
}

ha_stop_services() {
  if [ "${HA_STARTED_REDIS:-0}" = 1 ]; then
    redis-cli -h 127.0.0.1 -p "$HA_REDIS_PORT" shutdown >/dev/null 2>&1 || true
  fi
  if [ "${HA_STARTED_PG:-0}" = 1 ]; then
    ha_as_pg "'$(ha_pg_bin)/pg_ctl' -D '$HA_PG_DIR' -m fast -w stop >/dev/null" || true
  fi
}

# ha_services DBNAME: ensures both services and exports the connection strings.
ha_services() {
  local db="${1:-$HA_DB}"
  mkdir -p "$HA_DATA"
  if [ -z "${ConnectionStrings__Postgres:-}" ] || [ -z "${ConnectionStrings__Redis:-}" ]; then
    ha_install_packages
  fi
  if [ -z "${ConnectionStrings__Postgres:-}" ]; then
    ha_start_postgres
    ha_ensure_database "$db"
    export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$HA_PG_PORT;Username=postgres;Database=$db;Maximum Pool Size=60"
  else
    ha_log "using the PostgreSQL given in ConnectionStrings__Postgres"
  fi
  if [ -z "${ConnectionStrings__Redis:-}" ]; then
    ha_start_redis
    export ConnectionStrings__Redis="127.0.0.1:$HA_REDIS_PORT"
  else
    ha_log "using the Redis given in ConnectionStrings__Redis"
  fi
}
