#!/usr/bin/env bash
# Health record benchmark: record writes from many patients through the real grain path as a ratio to plain
# Npgsql inserts of the same rows in the same run; then one patient with --big records (default 100000) over a
# year: the 90-day range query and the insights call, p50/p99. Builds Release, runs the Api as a child process
# (embedded silo) on the PostgreSQL and Redis that scripts/services.sh provides (database healthactors_bench),
# loopback only. Extra arguments go to the bench, e.g.
#   bench/run-records.sh --patients 50 --writes 40 --big 100000 --queries 100
# The results table is printed and written to .data/bench/records-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/services.sh
trap 'ha_stop_services' EXIT
ha_services healthactors_bench

echo "[records-bench] building (Release)"
dotnet build HealthActors.sln -c Release -v quiet -nologo >/dev/null

mkdir -p .data/bench
dotnet bench/HealthActors.RecordsBench/bin/Release/net10.0/HealthActors.RecordsBench.dll \
  --api src/Api/bin/Release/net10.0/HealthActors.Api.dll \
  --out .data/bench/records-results.md --log .data/bench/records-api.log "$@"
