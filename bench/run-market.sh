#!/usr/bin/env bash
# Marketplace benchmark: one hot auction, doctors bidding, 100 watchers on /hubs/marketplace. Builds Release, runs the
# Api as a child process (embedded silo) on the PostgreSQL and Redis that scripts/services.sh provides (database
# healthactors_bench), loopback only. Each phase is bounded: at most --bids bids or --seconds seconds of bidding
# (defaults 3000 / 60). By default the watchers follow per event over JSON (the web app's way) in one phase and
# batched over MessagePack (WatchAuctionBatched) in the next, --rounds times, against the same Api; --protocol
# json|messagepack with --batched on|off runs that one way only. Bids are closed-loop (each doctor bids again when
# answered) unless --rate N offers N bids/s open-loop. Extra arguments go to the bench, e.g.
#   bench/run-market.sh --bidders 100 --watchers 100 --bids 20000 --seconds 15 --rate 1000 --rounds 2 [--group-commit off]
# --api-env KEY=a,b starts one Api per value of the environment variable KEY ("default": unset), e.g.
# DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=default,0, and alternates their phases in each round.
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
