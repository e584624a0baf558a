#!/usr/bin/env bash
# Every bench scenario in one run, each short, then one table of ratios and absolute numbers, printed and written
# (with the date and the machine) into the "Summary" block at the top of docs/benchmarks.md.
#
#   bench/run-all.sh [--quick] [--only profile,idle,...] [--note TEXT] [--no-doc]
#
# Scenarios, in this order: profile (signed-in hot reads on the embedded and ./run.sh topologies), idle (idle patient
# activations in a separate silo), auth, booking, booking-vs (bookings side by side with the 2026-11-26 code, whose Api
# is built once in .data/bench-against/), market, chat, records, safety. --quick shortens each further (about
# 10 minutes in all on 2 cores, plus the build). The chat scenario warms up for 5 s and the booking scenario for 15 s:
# with less, the tiered JIT was still a quarter of the Api's CPU samples in the measured rounds, and after 8 s of
# booking still an eighth (docs/benchmarks.md, the booking and chat profiles). The market scenario offers 1,000 bids/s open loop across 100 doctors, as the issue-15 target reads. The profile and idle scenarios also rewrite their own blocks in the doc;
# the others keep their detailed blocks (written by their own scripts with longer runs) and only feed the summary.
# A scenario that fails is listed as such in the summary and the others still run. Services as run.sh provides them
# (database healthactors_bench), or the running ones named by ConnectionStrings__Postgres / ConnectionStrings__Redis.
# With --only, the summary written holds the scenarios named and no others.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=0
ONLY=""
NOTE=""
WRITE_DOC=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --only) ONLY="$2"; shift 2 ;;
    --note) NOTE="$2"; shift 2 ;;
    --no-doc) WRITE_DOC=0; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

source scripts/services.sh
trap 'ha_stop_services' EXIT
ha_services healthactors_bench

echo "[bench] building (Release, once for every scenario)"
dotnet build HealthActors.sln -c Release -v quiet -nologo

OUT=.data/bench/all
mkdir -p "$OUT"
export HA_BENCH_SUMMARY="$PWD/$OUT/summary.tsv"
: > "$HA_BENCH_SUMMARY"
LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '')"
BENCH=(dotnet bench/HealthActors.Bench/bin/Release/net10.0/HealthActors.Bench.dll)
API=src/Api/bin/Release/net10.0/HealthActors.Api.dll
DOC=()
[ "$WRITE_DOC" = 1 ] || DOC=(--no-doc)
NOTE_ARGS=()
[ -z "$NOTE" ] || NOTE_ARGS=(--note "$NOTE")

if [ "$QUICK" = 1 ]; then
  PROFILE=(--levels 32 --duration 4 --rounds 2 --warmup 1 --users 8)
  IDLE=(--grains 100000 --step 20000 --samples 300 --shed-heap-mb 192 --shed-grains 70000)
  AUTH=(--levels 16 --duration 4 --rounds 2 --warmup 1 --doctors 10)
  BOOKING=(--levels 64 --duration 6 --rounds 2 --warmup 15 --doctors 50 --racers 20 --races 5)
  BOOKING_VS=(--pairs 1 --warmup 15 --duration 10)
  MARKET=(--bidders 100 --watchers 100 --bids 20000 --seconds 10 --rate 1000)
  CHAT=(--levels 50 --duration 6 --rounds 2 --warmup 5 --users 20 --open 50 --open-duration 12)
  RECORDS=(--patients 20 --writes 20 --big 5000 --queries 20)
  SAFETY=(--iterations 20)
  MODE="bench/run-all.sh --quick"
else
  PROFILE=(--levels 32 --duration 6 --rounds 3 --warmup 2 --users 16)
  IDLE=(--grains 100000 --step 10000 --samples 500 --shed-heap-mb 192 --shed-grains 70000)
  AUTH=(--levels 1,16,64 --duration 6 --rounds 2 --warmup 2 --doctors 50)
  BOOKING=(--levels 16,64 --duration 10 --rounds 2 --warmup 15 --doctors 50 --racers 50 --races 10)
  BOOKING_VS=(--pairs 2 --warmup 15 --duration 20)
  MARKET=(--bidders 100 --watchers 100 --bids 40000 --seconds 20 --rate 1000)
  CHAT=(--levels 1,50 --duration 10 --rounds 2 --warmup 5 --users 50)
  RECORDS=(--patients 50 --writes 40 --big 20000 --queries 50)
  SAFETY=(--iterations 100)
  MODE="bench/run-all.sh"
fi

RAN=()
FAILED=()
want() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
scenario() {
  local name="$1"; shift
  want "$name" || return 0
  echo
  echo "[bench] ===== $name ($(date -u +%H:%M:%S) UTC) ====="
  if "$@" 2>&1 | tee "$OUT/$name.log"; then RAN+=("$name"); else FAILED+=("$name (exit ${PIPESTATUS[0]}, log $OUT/$name.log)"); fi
}

scenario profile "${BENCH[@]}" profile "${PROFILE[@]}" "${DOC[@]}" "${NOTE_ARGS[@]}"
scenario idle "${BENCH[@]}" idle "${IDLE[@]}" "${DOC[@]}" "${NOTE_ARGS[@]}"
# The detailed blocks of these come from their own scripts' longer runs: a short run only feeds the summary.
scenario auth "${BENCH[@]}" auth "${AUTH[@]}" --no-doc
scenario booking "${BENCH[@]}" booking "${BOOKING[@]}" --no-doc
# The booking target is a ratio to the 2026-11-26 rate: read side by side with the code that measured it (fc21ba1).
scenario booking-vs bench/run-booking-against.sh fc21ba1 --no-build --target-ratio 3 "${BOOKING_VS[@]}"
scenario market dotnet bench/HealthActors.MarketBench/bin/Release/net10.0/HealthActors.MarketBench.dll --api "$API" \
  --out "$OUT/market-results.md" --log "$OUT/market-api.log" "${MARKET[@]}"
scenario chat "${BENCH[@]}" chat "${CHAT[@]}" --no-doc
scenario records dotnet bench/HealthActors.RecordsBench/bin/Release/net10.0/HealthActors.RecordsBench.dll --api "$API" \
  --out "$OUT/records-results.md" --log "$OUT/records-api.log" "${RECORDS[@]}"
scenario safety dotnet bench/HealthActors.SafetyBench/bin/Release/net10.0/HealthActors.SafetyBench.dll "${SAFETY[@]}"

join() { local IFS=';'; echo "$*" | sed 's/;/, /g'; }
SUMMARY_ARGS=(--in "$HA_BENCH_SUMMARY" --command "$MODE${ONLY:+ --only $ONLY}" --ran "$(join "${RAN[@]}")" --load-before "$LOAD_BEFORE" "${NOTE_ARGS[@]}" "${DOC[@]}")
[ ${#FAILED[@]} -eq 0 ] || SUMMARY_ARGS+=(--failed "$(join "${FAILED[@]}")")
"${BENCH[@]}" summary "${SUMMARY_ARGS[@]}"
[ ${#FAILED[@]} -eq 0 ]
