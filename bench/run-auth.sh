#!/usr/bin/env bash
# What authentication costs per request (docs/benchmarks.md, "Authentication per request"): the same hot read,
# GET /api/doctors/{id}, sent anonymously and with an access token, alternating. Services and Release build as
# for run-booking.sh. Of the booking bench's options these apply: --levels --duration --rounds --warmup --doctors.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/services.sh
trap 'ha_stop_services' EXIT
ha_services healthactors_bench

echo "[bench] building (Release)"
dotnet build HealthActors.sln -c Release -v quiet -nologo
dotnet bench/HealthActors.Bench/bin/Release/net10.0/HealthActors.Bench.dll auth "$@"
