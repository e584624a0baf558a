#!/usr/bin/env bash
# Marketplace benchmark: one hot auction, doctors bidding as fast as they are answered, 100 watchers on
# /hubs/marketplace. Builds Release, runs the Api as a child process (embedded silo) on the PostgreSQL and
# Redis that scripts/services.sh provides (database healthactors_bench), loopback only. Bounded: at most
# --bids bids or --seconds seconds of bidding (defaults 3000 / 60). Extra arguments go to the bench, e.g.
#   bench/run-market.sh --bidders 20 --watchers 100 --bids 3000 --seconds 60 [--group-commit off]
# The results table is printed and written to .data/bench/market-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/services.sh
trap 'ha_stop_services' EXIT
ha_services healthactors_bench

echo "[market-bench] building (Release)"
dotnet build HealthActors.sln -c Release -v quiet -nologo >/dev/null

mkdir -p .data/bench
dotnet bench/HealthActors.MarketBench/bin/Release/net10.0/HealthActors.MarketBench.dll \
  --api src/Api/bin/Release/net10.0/HealthActors.Api.dll \
  --out .data/bench/market-results.md --log .data/bench/market-api.log "$@"
