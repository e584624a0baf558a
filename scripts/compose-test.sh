#!/usr/bin/env bash
# The container deployment, end to end and bounded: installs the Debian packages it needs if missing, starts
# dockerd if none answers (and stops only that one), builds (scripts/compose-build.sh), brings up
# docker-compose.yml under its own project name, then through nginx on 127.0.0.1 only: register, profile, a
# booking, a live auction watched over SignalR (WebSocket through nginx), and silos scaled 2 -> 3 -> 2 while a
# bounded stream of profile writes and reads runs. Tears everything down, volumes included, whatever happens.
# Prints each phase's duration and one closing line, "compose-test: PASS|FAIL ..."; exits non-zero on any failure.
# Bounds: the build by BUILD_TIMEOUT (900 s), everything after it by TIMEOUT (600 s).
# CONFIG (Debug) is the configuration published; PUBLISH_NO_BUILD=1 reuses a build that already ran; SKIP_BUILD=1
# takes the images as built (./test.sh builds them in the background with scripts/compose-prepare.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
export BASE_IMAGE=${BASE_IMAGE:-healthactors/debian:bookworm}
export HA_HTTP_PORT=${HA_HTTP_PORT:-18088}
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-hacompose}
export CONFIG=${CONFIG:-Debug}
ENV_FILE=.data/secrets/compose.env; export ENV_FILE
API=http://127.0.0.1:$HA_HTTP_PORT; JSON='Content-Type: application/json'
DC() { docker-compose --env-file "$ENV_FILE" "$@"; }
TMP=$(mktemp -d); START=$SECONDS; FAILED=0; DOCKERD_PID=
export PHASES=$TMP/phases
log() { printf '[compose-test %4ds] %s\n' $((SECONDS - START)) "$*"; }
bad() { log "FAIL: $*"; FAILED=1; }
PHASE_T=$SECONDS
phase() { echo "phase $1 $((SECONDS - PHASE_T))" >>"$PHASES"; log "phase $1: $((SECONDS - PHASE_T)) s"; PHASE_T=$SECONDS; }

summary() {
  log "phases (s): $(awk '$1 == "phase" { printf "%s %s, ", $2, $3 }' "$PHASES" 2>/dev/null | sed 's/, $//')"
  if [ $FAILED = 0 ]; then log "compose-test: PASS in $((SECONDS - START)) s"; else log "compose-test: FAIL after $((SECONDS - START)) s"; fi
}
cleanup() {
  trap '' TERM INT   # a second signal must not cut the teardown short
  [ -n "${LOAD_PID:-}" ] && kill "$LOAD_PID" 2>/dev/null
  [ -n "${WATCH_PID:-}" ] && kill "$WATCH_PID" 2>/dev/null
  PHASE_T=$SECONDS
  if docker info >/dev/null 2>&1; then
    if [ $FAILED = 0 ]; then rm -f .data/compose-test-logs.txt; else
      # Every container's whole log is kept for the post-mortem; the stack and its volumes go below.
      DC logs --no-color --timestamps >.data/compose-test-logs.txt 2>&1
      log "logs of the failed run: .data/compose-test-logs.txt (errors and warnings below)"
      grep -E 'fail:|crit:|Exception' .data/compose-test-logs.txt | grep -v '^ *at \|      at ' | head -40
    fi
    timeout 120 docker-compose --env-file "$ENV_FILE" down -v --remove-orphans -t 10 >/dev/null 2>&1 || bad "docker-compose down"
  fi
  phase down
  if [ -n "$DOCKERD_PID" ]; then kill "$DOCKERD_PID" 2>/dev/null; wait "$DOCKERD_PID" 2>/dev/null; log "stopped the dockerd this run started"; fi
  summary
  rm -rf "$TMP"
}
WATCHDOG=
trap 'st=$?; [ -n "$WATCHDOG" ] && { pkill -P $WATCHDOG 2>/dev/null; kill $WATCHDOG 2>/dev/null; }; [ $st = 0 ] || FAILED=1; cleanup; exit $FAILED' EXIT
trap 'FAILED=1; exit 1' TERM INT

# --- tools and engine ------------------------------------------------------------------------------------
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker-compose >/dev/null || need+=(docker-compose)
[ "$BASE_IMAGE" != healthactors/debian:bookworm ] || command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { bad "missing ${need[*]}: apt-get install -y ${need[*]}"; exit 1; }
  log "installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  { timeout 300 apt-get update -qq && timeout 300 apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$TMP/apt.log" 2>&1 \
    || { tail -20 "$TMP/apt.log"; bad "apt-get install ${need[*]}"; exit 1; }
  phase tools
fi
if ! docker info >/dev/null 2>&1; then
  dockerd >"$TMP/dockerd.log" 2>&1 & DOCKERD_PID=$!
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { cat "$TMP/dockerd.log" >&2; bad "dockerd did not start"; exit 1; }
  log "started dockerd (pid $DOCKERD_PID)"
fi
phase engine

# --- build -----------------------------------------------------------------------------------------------
# The build has its own bound: its length depends on the machine's load and on what is cached.
if [ "${SKIP_BUILD:-0}" = 1 ]; then
  for img in healthactors/postgres:15 healthactors/redis:7 healthactors/nginx:local healthactors/dotnet:local; do
    docker image inspect "$img" >/dev/null 2>&1 || { bad "SKIP_BUILD=1 but no image $img"; exit 1; }
  done
  [ -f "$ENV_FILE" ] || { bad "SKIP_BUILD=1 but no $ENV_FILE"; exit 1; }
else
  timeout "${BUILD_TIMEOUT:-900}" scripts/compose-build.sh || { bad "build"; exit 1; }
fi
PHASE_T=$SECONDS
# Only a sleep that ran out signals the script: killing the sleep at the end (EXIT trap) must not.
( exec 3>&2 2>/dev/null; sleep "${TIMEOUT:-600}" && { echo "compose-test: over ${TIMEOUT:-600} s after the build, giving up" >&3; kill -TERM $$; } ) & WATCHDOG=$!

# --- up --------------------------------------------------------------------------------------------------
timeout 60 docker-compose --env-file "$ENV_FILE" down -v --remove-orphans -t 5 >/dev/null 2>&1
# In three steps, to see where start-up time goes: `up -d` of a service waits for the health checks of what it
# depends on (service_healthy), so each step returns once the previous one's services are healthy.
healthy() { # service...: wait until every container of those services is healthy
  local c n want
  for _ in $(seq 240); do
    n=0; want=0
    for c in $(DC ps -q "$@"); do want=$((want + 1)); [ "$(docker inspect -f '{{.State.Health.Status}}' "$c")" = healthy ] && n=$((n + 1)); done
    [ $want -gt 0 ] && [ $n = $want ] && return 0; sleep 0.5
  done; return 1
}
up_step() { # phase name, services...
  local name=$1; shift
  DC up -d "$@" >"$TMP/up" 2>&1 || { cat "$TMP/up"; bad "docker-compose up $*"; DC ps; exit 1; }
  healthy "$@" || { bad "$* not healthy"; DC ps; exit 1; }
  phase "$name"
}
up_step up-postgres-redis postgres redis
# The Api nodes start with the silos (they keep dialling for a gateway), so their start-ups overlap.
up_step up-silos-api silo api1 api2
up_step up-nginx nginx
ready=0
for _ in $(seq 120); do
  [ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$API/health/ready")" = 200 ] && { ready=1; break; }; sleep 1
done
[ $ready = 1 ] || { bad "the stack did not turn ready through nginx"; DC ps; exit 1; }
log "stack ready through nginx ($(DC ps -q silo | wc -l) silos)"
phase ready

# --- smoke flow through nginx ----------------------------------------------------------------------------
set -a; . "$ENV_FILE"; set +a
call() { local out=$1; shift; curl -sS -m 30 -o "$out" -w '%{http_code}' "$@"; }
expect() { if [ "$3" = "$2" ]; then log "$1: $3"; else bad "$1: $3 (wanted $2) $(head -c 300 "$TMP/out" 2>/dev/null)"; fi; }
login() { curl -sS -m 30 -X POST "$API/api/auth/login" -H "$JSON" -d "{\"email\":\"$1\",\"password\":\"$2\"}" | jq -r .accessToken; }
N=$RANDOM$RANDOM; PW=river-lantern-47-quiet

expect "register a patient" 201 "$(call "$TMP/out" -X POST "$API/api/auth/register" -H "$JSON" \
  -d "{\"email\":\"p$N@example.org\",\"password\":\"$PW\",\"name\":\"Pat $N\"}")"
ACCESS=$(jq -r .accessToken "$TMP/out")
PROFILE='{"firstName":"Ana","lastName":"García","birthDate":"1987-04-12","bloodType":"O+","allergies":["penicillin"]}'
expect "save the profile" 200 "$(call "$TMP/out" -X PUT "$API/api/patients/me/profile" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d "$PROFILE")"
expect "read the profile" 200 "$(call "$TMP/out" "$API/api/patients/me/profile" -H "Authorization: Bearer $ACCESS")"
[ "$(jq -r .lastName "$TMP/out")" = "García" ] || bad "profile read back: $(cat "$TMP/out")"

ADMIN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
[ -n "$ADMIN" ] && [ "$ADMIN" != null ] || bad "admin sign-in"
# The stack starts with an empty catalog (the demo seeding would hash dozens of doctors' passwords at start-up).
expect "admin creates a specialty" 201 "$(call "$TMP/out" -X POST "$API/api/admin/specialties" -H "$JSON" -H "Authorization: Bearer $ADMIN" \
  -d "{\"name\":\"Dermatology $N\",\"description\":\"Skin, hair and nails.\"}")"
SPEC=$(jq -r .id "$TMP/out")
# A doctor in UTC free every day from 06:00 to 22:00, so there are slots whatever day this runs.
expect "admin creates a doctor" 201 "$(call "$TMP/out" -X POST "$API/api/admin/doctors" -H "$JSON" -H "Authorization: Bearer $ADMIN" -d "{
  \"email\":\"d$N@example.org\",\"password\":\"$PW\",\"name\":\"Dr $N\",\"specialtyId\":\"$SPEC\",\"licenseNumber\":\"LIC-$N\",
  \"yearsOfExperience\":5,\"verified\":true,\"price\":{\"amount\":40,\"currency\":\"USD\"},\"languages\":[\"en\"],
  \"availability\":{\"timeZone\":\"UTC\",\"days\":[\"Monday\",\"Tuesday\",\"Wednesday\",\"Thursday\",\"Friday\",\"Saturday\",\"Sunday\"],
  \"startTime\":\"06:00\",\"endTime\":\"22:00\",\"slotMinutes\":30}}")"
DID=$(jq -r .doctorId "$TMP/out"); DOCTOR=$(login "d$N@example.org" $PW)
FROM=$(date -u -d '+1 day' +%Y-%m-%dT00:00:00Z); TO=$(date -u -d '+3 day' +%Y-%m-%dT00:00:00Z)
expect "the doctor's free slots" 200 "$(call "$TMP/out" "$API/api/doctors/$DID/slots?from=$FROM&to=$TO")"
SLOT1=$(jq -r '.slots[0].start' "$TMP/out"); SLOT2=$(jq -r '.slots[4].start' "$TMP/out")
CARD='{"cardNumber":"4242424242424242","expMonth":12,"expYear":2030,"cvc":"123","holderName":"Pat"}'
expect "book and pay" 201 "$(call "$TMP/out" -X POST "$API/api/appointments" -H "$JSON" -H "Authorization: Bearer $ACCESS" \
  -H "Idempotency-Key: compose-$N" -d "{\"doctorId\":\"$DID\",\"start\":\"$SLOT1\",\"reason\":\"Itchy rash\",\"payment\":$CARD}")"
[ "$(jq -r .status "$TMP/out")" = booked ] || bad "booking status: $(cat "$TMP/out")"

CLOSES=$(date -u -d '+30 min' +%Y-%m-%dT%H:%M:%SZ)
expect "post an auction" 201 "$(call "$TMP/out" -X POST "$API/api/auctions" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d "{
  \"symptoms\":\"itchy rash\",\"specialtyId\":\"$SPEC\",\"maxPrice\":60,\"currency\":\"USD\",
  \"window\":{\"from\":\"$FROM\",\"to\":\"$TO\"},\"closesAt\":\"$CLOSES\"}")"
AUCTION=$(jq -r .id "$TMP/out")
# The patient watches through nginx (WebSocket upgrade proxied) while the doctor bids.
node --experimental-websocket scripts/compose/watch-auction.mjs "ws://127.0.0.1:$HA_HTTP_PORT" "$ACCESS" "$AUCTION" BidPlaced 30 \
  >"$TMP/watch" 2>&1 & WATCH_PID=$!
for _ in $(seq 100); do grep -q '^watching\|^FAILED' "$TMP/watch" && break; sleep 0.1; done
grep -q '^watching' "$TMP/watch" || bad "watch the auction: $(cat "$TMP/watch")"
expect "the doctor bids" 201 "$(call "$TMP/out" -X POST "$API/api/auctions/$AUCTION/bids" -H "$JSON" -H "Authorization: Bearer $DOCTOR" \
  -d "{\"price\":45,\"slotStart\":\"$SLOT2\",\"message\":\"I can see you\"}")"
if wait $WATCH_PID; then log "watcher saw it live: $(grep BidPlaced "$TMP/watch" | head -c 160)"; else bad "watcher: $(cat "$TMP/watch")"; fi
WATCH_PID=

phase smoke

# --- scale the silos under a bounded stream of requests ----------------------------------------------------
# A profile write, then a read, every ~200 ms from one patient (well inside the 600 requests a minute a user may
# make). Each answer is logged with the time its request started, so failures are counted, not hidden, and each
# one is placed inside or outside a scale event.
( for i in $(seq 1500); do
    t=$EPOCHREALTIME
    if [ $((i % 2)) = 1 ]; then
      code=$(curl -s -o /dev/null -m 10 -w '%{http_code}' -X PUT "$API/api/patients/me/profile" -H "$JSON" \
        -H "Authorization: Bearer $ACCESS" -d "${PROFILE/Ana/Ana$i}")
    else
      code=$(curl -s -o /dev/null -m 10 -w '%{http_code}' "$API/api/patients/me/profile" -H "Authorization: Bearer $ACCESS")
    fi
    echo "$t $code" >>"$TMP/load"
    sleep 0.2
  done ) & LOAD_PID=$!
silos_ready() { # wanted count: that many silo containers, every one healthy
  local n=0
  for _ in $(seq 90); do
    n=$(for c in $(DC ps -q silo); do docker inspect -f '{{.State.Health.Status}}' "$c"; done | grep -c '^healthy$')
    [ "$n" = "$1" ] && [ "$(DC ps -q silo | wc -l)" = "$1" ] && return 0; sleep 1
  done; return 1
}
# A scale event runs from the command until every remaining silo is healthy, plus SETTLE seconds in which the
# Api's gateway list and the grain directory catch up.
SETTLE=${SETTLE:-3}; EVENTS=
scale_to() {
  local from=$EPOCHREALTIME t=$SECONDS
  DC up -d --no-recreate --scale silo=$1 silo >/dev/null 2>&1
  if silos_ready $1; then log "scaled to $1 silos in $((SECONDS - t)) s"; else bad "scaling to $1 silos: not all healthy"; fi
  EVENTS="$EVENTS $from:$(awk -v t="$EPOCHREALTIME" -v s="$SETTLE" 'BEGIN { printf "%.6f", t + s }')"
}
# Some traffic before, between and after the events: enough to see failures there, short as the run's budget.
sleep 2
scale_to 3
sleep 3
scale_to 2
sleep 2
kill $LOAD_PID 2>/dev/null; wait $LOAD_PID 2>/dev/null; LOAD_PID=
# Failures outside the events must be none; inside them at most MAX_SCALE_FAILURES (0 by default).
read -r TOTAL IN_EVENT OUT_EVENT < <(awk -v ev="$EVENTS" '
  BEGIN { n = split(ev, w, " "); for (i = 1; i <= n; i++) { split(w[i], p, ":"); lo[i] = p[1]; hi[i] = p[2] } }
  { total++; if ($2 == "200") next; inside = 0; for (i = 1; i <= n; i++) if ($1 >= lo[i] && $1 <= hi[i]) inside = 1
    if (inside) a++; else b++ }
  END { print total + 0, a + 0, b + 0 }' "$TMP/load")
log "requests while scaling: $TOTAL; failed during scale events: $IN_EVENT, outside: $OUT_EVENT (statuses: $(awk '{ print $2 }' "$TMP/load" | sort | uniq -c | tr -s ' \n' ' '))"
[ "$TOTAL" -ge 50 ] || bad "only $TOTAL requests ran while scaling"
[ "$OUT_EVENT" = 0 ] || bad "$OUT_EVENT requests failed outside the scale events"
[ "$IN_EVENT" -le "${MAX_SCALE_FAILURES:-0}" ] || bad "$IN_EVENT requests failed during the scale events"
expect "read the profile after scaling" 200 "$(call "$TMP/out" "$API/api/patients/me/profile" -H "Authorization: Bearer $ACCESS")"
phase scale
exit $FAILED
