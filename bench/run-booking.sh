#!/usr/bin/env bash
# Measures what a booking costs the backend (see docs/benchmarks.md, "Booking"): bookings per second across many
# doctors next to a cheap read, and the latency of one slot many patients want at once. PostgreSQL and Redis as
# run.sh provides them (database healthactors_bench), a Release build, then the bench, which starts the Api itself,
# stops it at the end and rewrites the results block in docs/benchmarks.md.
# Arguments go to the bench: bench/run-booking.sh --help.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/services.sh
trap 'ha_stop_services' EXIT
case " $* " in
  *" --help "*|*" -h "*) ;;  # nothing to measure: no services needed
  *) ha_services healthactors_bench ;;
esac

echo "[bench] building (Release)"
dotnet build HealthActors.sln -c Release -v quiet -nologo

dotnet bench/HealthActors.Bench/bin/Release/net10.0/HealthActors.Bench.dll booking "$@"
