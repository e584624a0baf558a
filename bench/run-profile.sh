#!/usr/bin/env bash
# The signed-in hot read, GET /api/patients/me/profile, against a plain Kestrel endpoint serving the same bytes
# from memory, for two Apis side by side: with the per-node session cache (after) and with Auth:SessionCache=false
# (before, a grain call per request). docs/benchmarks.md, "Signed-in profile read". Options: --levels --duration --rounds --warmup.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/services.sh
trap 'ha_stop_services' EXIT
ha_services healthactors_bench

echo "[bench] building (Release)"
dotnet build HealthActors.sln -c Release -v quiet -nologo
dotnet bench/HealthActors.Bench/bin/Release/net10.0/HealthActors.Bench.dll profile "$@"
