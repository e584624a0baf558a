#!/usr/bin/env bash
# Shows the trace of one paid booking as an operator's collector would receive it: starts a small OTLP/HTTP
# receiver on loopback (scripts/otlp-receiver.py), runs ./run.sh on ports of its own with
# OTEL_EXPORTER_OTLP_ENDPOINT pointing at it, books one slot (admin creates a doctor, a patient registers and pays
# with the approving test card), prints what /metrics says about bookings, stops the stack and prints the
# booking's span tree: the Api's request span, the
# Orleans grain calls in the Api and the silo, and the SQL each grain ran, with offsets and durations.
# Needs python3, curl and jq. Uses ConnectionStrings__Postgres / ConnectionStrings__Redis when set, as run.sh does.
# Bounded: run.sh's build gets 900 s, the stack 240 s more to become ready, and everything stops by itself.
set -uo pipefail
cd "$(dirname "$0")/.."
API_PORT=${API_PORT:-5380}; OTLP_PORT=${OTLP_PORT:-4319}; SILO_METRICS_PORT=${SILO_METRICS_PORT:-9565}
API=http://127.0.0.1:$API_PORT; JSON='Content-Type: application/json'
TMP=$(mktemp -d); SPANS=$TMP/spans.jsonl; RUN_PID=; RECEIVER_PID=
cleanup() {
  [ -n "$RUN_PID" ] && { kill -TERM "$RUN_PID" 2>/dev/null; wait "$RUN_PID" 2>/dev/null; }
  [ -n "$RECEIVER_PID" ] && kill "$RECEIVER_PID" 2>/dev/null
  if [ -n "${KEEP_SPANS:-}" ] && [ -s "$SPANS" ]; then cp "$SPANS" "$KEEP_SPANS"; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

python3 scripts/otlp-receiver.py serve 127.0.0.1 "$OTLP_PORT" "$SPANS" & RECEIVER_PID=$!

# Every span is exported (the SDK samples all by default); a short batch delay gets them out before the stop.
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$OTLP_PORT OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_BSP_SCHEDULE_DELAY=500 \
  Orleans__ClusterId=trace-booking Telemetry__MetricsUrl=http://127.0.0.1:$SILO_METRICS_PORT \
  ./run.sh --url "$API" --silos 1 --silo-base-port 11511 --gateway-base-port 30500 >"$TMP/run.log" 2>&1 & RUN_PID=$!
for _ in $(seq 900); do grep -q '^\[run\] silo 1' "$TMP/run.log" && break; kill -0 "$RUN_PID" 2>/dev/null || break; sleep 1; done
for _ in $(seq 240); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$API/health/ready")" = 200 ] && break
  kill -0 "$RUN_PID" 2>/dev/null || { tail -20 "$TMP/run.log"; echo "trace-booking: run.sh stopped"; exit 1; }
  sleep 1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$API/health/ready")" = 200 ] || { tail -20 "$TMP/run.log"; echo "trace-booking: not ready in 240 s"; exit 1; }

set -a; . .data/secrets/admin.env; set +a
login() { curl -sS -X POST "$API/api/auth/login" -H "$JSON" -d "{\"email\":\"$1\",\"password\":\"$2\"}" | jq -r .accessToken; }
ADMIN=$(login "$Admin__Email" "$Admin__Password")
N=$RANDOM$RANDOM; PW=river-lantern-47-quiet
SPEC=$(curl -sS "$API/api/specialties" | jq -r '.[0].id // .items[0].id')
DID=$(curl -sS -X POST "$API/api/admin/doctors" -H "$JSON" -H "Authorization: Bearer $ADMIN" -d "{\"email\":\"d$N@example.org\",
  \"password\":\"$PW\",\"name\":\"Dr Trace $N\",\"specialtyId\":\"$SPEC\",\"licenseNumber\":\"LIC-$N\",\"yearsOfExperience\":5,
  \"price\":{\"amount\":40,\"currency\":\"EUR\"},\"languages\":[\"en\"],\"availability\":{\"timeZone\":\"UTC\",
  \"days\":[\"Monday\",\"Tuesday\",\"Wednesday\",\"Thursday\",\"Friday\",\"Saturday\",\"Sunday\"],\"startTime\":\"00:00\",\"endTime\":\"23:30\",\"slotMinutes\":30}}" | jq -r .doctorId)
ACCESS=$(curl -sS -X POST "$API/api/auth/register" -H "$JSON" -d "{\"email\":\"p$N@example.org\",\"password\":\"$PW\",\"name\":\"Pat $N\"}" | jq -r .accessToken)
FROM=$(date -u -d '+2 hours' +%Y-%m-%dT%H:00:00Z); TO=$(date -u -d '+3 days' +%Y-%m-%dT00:00:00Z)
START=$(curl -sS "$API/api/doctors/$DID/slots?from=$FROM&to=$TO" | jq -r '.slots[0].start')
STATUS=$(curl -sS -o "$TMP/booking.json" -w '%{http_code}' -X POST "$API/api/appointments" -H "$JSON" -H "Authorization: Bearer $ACCESS" \
  -H "Idempotency-Key: trace-$N" -d "{\"doctorId\":\"$DID\",\"start\":\"$START\",\"reason\":\"Trace of one booking\",
  \"payment\":{\"cardNumber\":\"4242 4242 4242 4242\",\"expMonth\":12,\"expYear\":2030,\"cvc\":\"123\",\"holderName\":\"Pat $N\"}}")
echo "booking: $STATUS $(jq -c '{id, status, start}' "$TMP/booking.json" 2>/dev/null)"
[ "$STATUS" = 201 ] || { cat "$TMP/booking.json"; exit 1; }

# The same booking as Prometheus scrapes see it: the Api's request histogram for the booking route (its /metrics
# answers admins only on the public port) and the silo's booking counter (the grains count, so the silo's own
# listener, Telemetry:MetricsUrl, has it).
echo "Api GET /metrics (as the admin), the booking route:"
curl -sS -H "Authorization: Bearer $ADMIN" "$API/metrics" \
  | grep -E '^http_server_request_duration_seconds_(count|sum)\{[^}]*http_route="/api/appointments/"' | sed 's/^/  /'
echo "silo GET http://127.0.0.1:$SILO_METRICS_PORT/metrics, the booking counter:"
curl -sS "http://127.0.0.1:$SILO_METRICS_PORT/metrics" | grep -E '^healthactors_bookings' | sed 's/^/  /'
sleep 3  # the exporters' batch delay (0.5 s), with room for a loaded machine
kill -TERM "$RUN_PID" 2>/dev/null; wait "$RUN_PID" 2>/dev/null; RUN_PID=
python3 scripts/otlp-receiver.py tree "$SPANS" /api/appointments
