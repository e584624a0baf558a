#!/usr/bin/env bash
# Starts the whole stack on this machine: PostgreSQL and Redis (installed from Debian packages and run
# as local processes under .data/ unless ConnectionStrings__Postgres / ConnectionStrings__Redis are
# set), N silos (--silos N, default 1) and the Api as an Orleans client. Each silo and the Api run under a
# supervisor (scripts/supervise.sh): a process that dies is reported and started again with backoff while
# the others keep serving. Only Ctrl-C (or SIGTERM to run.sh) stops the stack, and then everything it started.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(pwd)"

SILOS=1
API_URL="${API_URL:-http://127.0.0.1:5080}"
SILO_BASE_PORT="${SILO_BASE_PORT:-11111}"
GATEWAY_BASE_PORT="${GATEWAY_BASE_PORT:-30000}"
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) SILOS="$2"; shift 2 ;;
    --silos=*) SILOS="${1#*=}"; shift ;;
    --url) API_URL="$2"; shift 2 ;;
    --silo-base-port) SILO_BASE_PORT="$2"; shift 2 ;;
    --gateway-base-port) GATEWAY_BASE_PORT="$2"; shift 2 ;;
    -h|--help) echo "usage: ./run.sh [--silos N] [--url http://127.0.0.1:5080] [--silo-base-port 11111] [--gateway-base-port 30000]"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$SILOS" =~ ^[1-9][0-9]?$ ]] || { echo "--silos must be 1..99" >&2; exit 2; }
[[ "$SILO_BASE_PORT$GATEWAY_BASE_PORT" =~ ^[0-9]+$ ]] || { echo "the base ports must be numbers" >&2; exit 2; }

source scripts/services.sh
source scripts/supervise.sh
PIDS=()  # the supervisors; each stops its own process when sent SIGTERM
cleanup() {
  trap - INT TERM EXIT
  echo "[run] stopping..."
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  ha_stop_services
  echo "[run] stopped"
}
trap cleanup EXIT
trap 'cleanup; exit 0' INT TERM

ha_services healthactors

# Secrets stay out of the repository: generated once into .data/secrets (mode 600) unless given.
mkdir -p .data/secrets .data/logs .data/run && chmod 700 .data/secrets
export HA_PID_DIR="$ROOT/.data/run"  # <name>.pid of each supervised process, for scripts/fault-silo-kill.sh
if [ -z "${Jwt__SigningKey:-}" ]; then
  [ -s .data/secrets/jwt-signing.key ] || (umask 077; head -c 48 /dev/urandom | base64 -w0 > .data/secrets/jwt-signing.key)
  export Jwt__SigningKey="$(cat .data/secrets/jwt-signing.key)"
fi
ADMIN_SOURCE="the environment (Admin__Email / Admin__Password)"
if [ -n "${Admin__Email:-}${Admin__Password:-}" ] && { [ -z "${Admin__Email:-}" ] || [ -z "${Admin__Password:-}" ]; }; then
  echo "[run] set both Admin__Email and Admin__Password, or neither" >&2; exit 2
fi
if [ -z "${Admin__Email:-}" ]; then
  if [ ! -s .data/secrets/admin.env ]; then
    (umask 077; printf 'Admin__Email=admin@healthactors.local\nAdmin__Password=%s\n' "$(head -c 18 /dev/urandom | base64 -w0 | tr '+/' 'xy')" > .data/secrets/admin.env)
  fi
  set -a; source .data/secrets/admin.env; set +a
  ADMIN_SOURCE="$ROOT/.data/secrets/admin.env"
fi

ha_build_web
echo "[run] building (Release)"
dotnet build HealthActors.sln -c Release -v quiet -nologo >/dev/null

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Production}"
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Production}"
for i in $(seq 1 "$SILOS"); do
  port=$((SILO_BASE_PORT + i - 1)); gw=$((GATEWAY_BASE_PORT + i - 1))
  echo "[run] silo $i: silo port $port, gateway $gw"
  ha_supervise "silo-$i" ".data/logs/silo-$i.log" env -C src/Silo dotnet bin/Release/net10.0/HealthActors.Silo.dll \
    --Orleans:SiloPort=$port --Orleans:GatewayPort=$gw
  PIDS+=($!)
done

ha_supervise api .data/logs/api.log env -C src/Api dotnet bin/Release/net10.0/HealthActors.Api.dll --Orleans:Mode=Client \
  --Catalog:SeedDemo=true --urls "$API_URL" --Api:DataDirectory "$ROOT/.data"
PIDS+=($!)

echo "[run] waiting for $API_URL/health/ready"
for _ in $(seq 1 180); do
  if curl -fsS "$API_URL/health/ready" >/dev/null 2>&1; then
    echo
    echo "HealthActors is up: $API_URL"
    if [ -f web/dist/index.html ]; then echo "  web app:        $API_URL/"; fi
    echo "  API reference:  $API_URL/docs   OpenAPI: $API_URL/openapi/v1.json"
    echo "  readiness:      $API_URL/health/ready"
    echo "  admin account:  credentials in $ADMIN_SOURCE"
    echo "  logs:           $ROOT/.data/logs/"
    echo "Press Ctrl-C to stop."
    # The supervisors end only when told to; this wait returns when Ctrl-C or SIGTERM runs the trap.
    while true; do wait "${PIDS[@]}" 2>/dev/null || true; sleep 1; done
  fi
  sleep 1
done
echo "[run] the Api did not become ready in time; see .data/logs" >&2
curl -sS "$API_URL/health/ready" >&2 || true
exit 1
