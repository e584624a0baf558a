#!/usr/bin/env bash
# Idle patient activations in a separate Release silo: silo memory per 10,000 activations, cold-activation latency,
# and the memory-pressure shedding at work (docs/benchmarks.md, "Idle patient activations"). Options:
# bench/run-idle.sh --help. Services and Release build as for run-profile.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/services.sh
trap 'ha_stop_services' EXIT
ha_services healthactors_bench

echo "[bench] building (Release)"
dotnet build HealthActors.sln -c Release -v quiet -nologo
dotnet bench/HealthActors.Bench/bin/Release/net10.0/HealthActors.Bench.dll idle "$@"
