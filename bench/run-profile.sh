#!/usr/bin/env bash
# The signed-in hot reads, GET /api/patients/me/profile and GET /api/doctors/{id}, against a plain Kestrel endpoint
# serving the same bytes from memory, on three topologies side by side in one run: the embedded Release Api, the Api
# as an Orleans client of a separate Release silo (the ./run.sh topology), and that client Api with
# Auth:SessionCache=false. docs/benchmarks.md, "Signed-in profile read". Options: bench/run-profile.sh --help.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/services.sh
trap 'ha_stop_services' EXIT
ha_services healthactors_bench

echo "[bench] building (Release)"
dotnet build HealthActors.sln -c Release -v quiet -nologo
dotnet bench/HealthActors.Bench/bin/Release/net10.0/HealthActors.Bench.dll profile "$@"
