#!/usr/bin/env bash
# Faults under load (issue 14). Starts a PostgreSQL and a Redis of its own (ports 57432 / 57379, data under
# .data/faults; never the shared ones, which it restarts), builds Release (--no-build reuses the last build), then
# HealthActors.FaultBench starts 2 silos and 2 Api nodes as processes on 127.0.0.1, drives a bounded traffic mix
# through both Api nodes and applies, one after another with a quiet gap between: SIGKILL of a silo, SIGKILL of an
# Api node, PostgreSQL restart, Redis restart, a silo frozen with SIGSTOP. It prints one table and writes it into
# docs/reliability.md (between the fault-run markers). Loopback only; about 4 to 6 minutes on a loaded 2-core machine.
#   bench/run-faults.sh [--no-build] [--steady 20] [--freeze 15] [--patients 8] [--doctors 4] [--auctions 3] [--silos 2]
#                       [--faults silo-kill,api-kill,postgres,redis,silo-freeze]   (a subset, e.g. --faults silo-kill,silo-freeze)
# Exit code 1 when any loss column is not 0.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

export HA_DATA="${HA_FAULT_DATA:-$ROOT/.data/faults}"
export HA_PG_PORT="${HA_FAULT_PG_PORT:-57432}"
export HA_REDIS_PORT="${HA_FAULT_REDIS_PORT:-57379}"
# Whatever the caller exported points at services this run must not restart: it always uses its own.
unset ConnectionStrings__Postgres ConnectionStrings__Redis
source scripts/services.sh

# Called back by the bench (bash -c) to apply the service faults to this run's own instances.
if [ "${1:-}" = "--restart" ]; then
  case "${2:-}" in
    postgres)
      dir="$(ha_pg_home)/postgres"
      ha_as_pg "'$(ha_pg_bin)/pg_ctl' -D '$dir' -l '$dir/server.log' -m fast -w -t 60 restart >/dev/null"
      ;;
    redis)
      redis-cli -h 127.0.0.1 -p "$HA_REDIS_PORT" shutdown >/dev/null 2>&1 || true
      for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$HA_REDIS_PORT" ping >/dev/null 2>&1 || break; sleep 0.1; done
      ha_start_redis
      ;;
    *) echo "usage: $0 --restart postgres|redis" >&2; exit 2 ;;
  esac
  exit 0
fi

BUILD=1
ARGS=()
for arg in "$@"; do
  if [ "$arg" = "--no-build" ]; then BUILD=0; else ARGS+=("$arg"); fi
done

trap 'ha_stop_services' EXIT
ha_services healthactors_faults
echo "[faults] PostgreSQL on 127.0.0.1:$HA_PG_PORT, Redis on 127.0.0.1:$HA_REDIS_PORT (data in $HA_DATA)"

if [ "$BUILD" = 1 ]; then
  echo "[faults] building the silo, the Api and the bench (Release)"
  for project in src/Silo/HealthActors.Silo.csproj src/Api/HealthActors.Api.csproj bench/HealthActors.FaultBench/HealthActors.FaultBench.csproj; do
    dotnet build "$project" -c Release -v quiet -nologo >/dev/null
  done
fi

LOGS="$HA_DATA/logs/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$LOGS"
dotnet bench/HealthActors.FaultBench/bin/Release/net10.0/HealthActors.FaultBench.dll \
  --api src/Api/bin/Release/net10.0/HealthActors.Api.dll \
  --silo src/Silo/bin/Release/net10.0/HealthActors.Silo.dll \
  --pg-restart "'$ROOT/bench/run-faults.sh' --restart postgres" \
  --redis-restart "'$ROOT/bench/run-faults.sh' --restart redis" \
  --logs "$LOGS" --out docs/reliability.md \
  --command "bench/run-faults.sh${ARGS[*]:+ ${ARGS[*]}}" "${ARGS[@]}"
