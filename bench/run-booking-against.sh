#!/usr/bin/env bash
# Booking throughput of this checkout against another commit's, side by side in one sitting: the other commit's Api is
# built in a git worktree (.data/bench-against/COMMIT), each Api gets its own database, and the two run alternately
# (other, this, other, this ...) under the same bench binary and arguments, so the machine's load falls on both.
# The issue-15 booking target ("3x the 2026-11-26 rate") is read from this against fc21ba1, the commit that measured it.
#
#   bench/run-booking-against.sh COMMIT [--pairs N] [--warmup S] [--duration S] [--no-build] [--target-ratio R]
#
# Prints one line per run and the ratio of the medians; writes nothing into docs/ itself. Under bench/run-all.sh
# (HA_BENCH_SUMMARY set) it adds the ratio as a line of the summary, judged against --target-ratio when given. Services as run.sh provides them,
# or the PostgreSQL and Redis named by ConnectionStrings__Postgres / ConnectionStrings__Redis (the two databases
# healthactors_vs_other and healthactors_vs_this are created there). Each run creates its own 50 doctors, so every
# calendar starts empty whatever the database already holds.
set -euo pipefail
cd "$(dirname "$0")/.."

COMMIT="${1:-}"
[ -n "$COMMIT" ] && [ "${COMMIT:0:1}" != "-" ] || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
shift
PAIRS=2; WARMUP=15; DURATION=20; BUILD=1; TARGET=""
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) PAIRS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --target-ratio) TARGET="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
SHA="$(git rev-parse --verify "$COMMIT^{commit}")"
OTHER_DIR="$PWD/.data/bench-against/${SHA:0:12}"

source scripts/services.sh
trap 'ha_stop_services' EXIT
ha_services healthactors_bench

if [ "$BUILD" = 1 ]; then
  echo "[bench] building this checkout (Release)"
  dotnet build HealthActors.sln -c Release -v quiet -nologo
fi
if [ ! -f "$OTHER_DIR/src/Api/bin/Release/net10.0/HealthActors.Api.dll" ]; then
  echo "[bench] building ${SHA:0:12}'s Api in $OTHER_DIR"
  git worktree remove --force "$OTHER_DIR" 2>/dev/null || true
  git worktree add --detach "$OTHER_DIR" "$SHA" >/dev/null
  dotnet build "$OTHER_DIR/src/Api/HealthActors.Api.csproj" -c Release -v quiet -nologo
fi

# The two databases live on the server the connection string names (on loopback); the other commit applies its own schema.
PORT="$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$ConnectionStrings__Postgres")"
for db in healthactors_vs_other healthactors_vs_this; do HA_PG_PORT="${PORT:-5432}" ha_ensure_database "$db"; done
BASE="$(sed 's/Database=[^;]*;\{0,1\}//' <<<"$ConnectionStrings__Postgres")"

BENCH=bench/HealthActors.Bench/bin/Release/net10.0/HealthActors.Bench.dll
ARGS=(booking --levels 64 --duration "$DURATION" --rounds 1 --warmup "$WARMUP" --doctors 50 --racers 20 --races 2 --no-doc)
declare -A RATES
run() {
  local label="$1" api="$2" db="$3" line out="$HA_DATA/bench-against.run.log"
  # Each run's own summary rows would repeat this script's one line under run-all: they are kept out of it.
  env -u HA_BENCH_SUMMARY ConnectionStrings__Postgres="${BASE%;};Database=$db" dotnet "$BENCH" "${ARGS[@]}" --api "$api" >"$out" 2>&1 || true
  cat "$out"
  line="$(grep -E '^    booking' "$out" || true)"
  local rate; rate="$(awk '{print $2}' <<<"$line")"
  [ -n "$rate" ] || { echo "[bench] $label: no booking line" >&2; exit 1; }
  RATES[$label]="${RATES[$label]:-} $rate"
  printf '%-6s %s  load %s\n' "$label" "$line" "$(cut -d' ' -f1 /proc/loadavg)" >>"$HA_DATA/bench-against.lines"
}
: >"$HA_DATA/bench-against.lines"
for i in $(seq 1 "$PAIRS"); do
  run other "$OTHER_DIR/src/Api/bin/Release/net10.0/HealthActors.Api.dll" healthactors_vs_other
  run this "$PWD/src/Api/bin/Release/net10.0/HealthActors.Api.dll" healthactors_vs_this
done

echo
echo "Bookings across 50 doctors at 64 in flight, ${SHA:0:12} (other) against $(git rev-parse --short HEAD) (this), alternated, warm-up ${WARMUP} s, ${DURATION} s measured each:"
cat "$HA_DATA/bench-against.lines"
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
o="$(median "${RATES[other]}")"; t="$(median "${RATES[this]}")"
awk -v o="$o" -v t="$t" 'BEGIN { printf "median bookings/s: other %.1f, this %.1f, this/other %.2fx\n", o, t, t/o }'
if [ -n "${HA_BENCH_SUMMARY:-}" ]; then
  ratio="$(awk -v o="$o" -v t="$t" 'BEGIN { printf "%.2f", t/o }')"
  target=""; verdict=""
  if [ -n "$TARGET" ]; then
    target="≥ ${TARGET}× the ${SHA:0:7} code, side by side"
    verdict="$(awk -v r="$ratio" -v g="$TARGET" 'BEGIN { print (r >= g ? "met" : "**not met**") }')"
  fi
  printf 'booking\tbookings across 50 doctors, 64 in flight: this build vs %s, alternated (%s, %s s warm-up, %s s each)\t%.0f/s (median)\t%s %.0f/s (median)\t%s\t%s\t%s\n' \
    "${SHA:0:7}" "$([ "$PAIRS" = 1 ] && echo "1 pair" || echo "$PAIRS pairs")" "$WARMUP" "$DURATION" "$t" "${SHA:0:7}" "$o" "$ratio" "$target" "$verdict" >>"$HA_BENCH_SUMMARY"
fi
