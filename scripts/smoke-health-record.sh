#!/usr/bin/env bash
# Walks the health-record steps of the README (records, insights, medication alarms, consent, a doctor's
# audited reads, FHIR export and import into another account) against a running ./run.sh, printing each
# status. Uses the admin account run.sh generated; creates a fresh patient and doctor each time. The alarm
# step waits for a dose scheduled two minutes ahead in Europe/Madrid, so it takes about three minutes.
set -uo pipefail
API=${API:-http://127.0.0.1:5080}; JSON='Content-Type: application/json'
cd "$(dirname "$0")/.."
set -a; . .data/secrets/admin.env; set +a
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
ADMIN=$(curl -sS -X POST "$API/api/auth/login" -H "$JSON" -d "{\"email\":\"$Admin__Email\",\"password\":\"$Admin__Password\"}" | jq -r .accessToken)
N=$RANDOM$RANDOM
T=$(curl -sS -X POST "$API/api/auth/register" -H "$JSON" -d "{\"email\":\"p$N@example.org\",\"password\":\"river-lantern-47-quiet\",\"name\":\"Pat $N\"}")
ACCESS=$(echo "$T" | jq -r .accessToken); PID=$(echo "$T" | jq -r .userId); echo "patient $PID"
curl -sS -o /dev/null -w 'profile %{http_code}\n' -X PUT "$API/api/patients/me/profile" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d '{"firstName":"Pat","lastName":"Smoke","birthDate":"1980-02-01","sex":"female","timeZone":"Europe/Madrid","country":"ES","allergies":["penicillin"],"conditions":["asthma"]}'
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -sS -w ' vitals %{http_code}\n' -X POST "$API/api/patients/me/records/vitals" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d "{\"type\":\"heart-rate\",\"value\":72,\"recordedAt\":\"$NOW\"}" | tail -c 200
curl -sS -w ' bp %{http_code}\n' -X POST "$API/api/patients/me/records/vitals" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d "{\"type\":\"blood-pressure\",\"systolic\":135,\"diastolic\":88,\"recordedAt\":\"$NOW\"}" | tail -c 120
curl -sS -w ' insights %{http_code}\n' "$API/api/patients/me/insights?days=7" -H "Authorization: Bearer $ACCESS" | head -c 400; echo
MED=$(curl -sS -X POST "$API/api/patients/me/records/medications" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d "{\"name\":\"Metformin\",\"dose\":\"500 mg\",\"frequency\":\"twice daily\",\"active\":true,\"recordedAt\":\"$NOW\"}" | jq -r .id)
AT=$(TZ=Europe/Madrid date -d '+2 min' +%H:%M); TODAY=$(TZ=Europe/Madrid date +%Y-%m-%d)
curl -sS -w ' schedule %{http_code}\n' -X POST "$API/api/patients/me/medication-schedules" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d "{\"medicationId\":\"$MED\",\"timesOfDay\":[\"$AT\"],\"startDate\":\"$TODAY\"}" | head -c 300
SPEC=$(curl -sS "$API/api/specialties" | jq -r '.[0].id // .items[0].id')
D=$(curl -sS -w ' %{http_code}' -X POST "$API/api/admin/doctors" -H "$JSON" -H "Authorization: Bearer $ADMIN" -d "{\"email\":\"d$N@example.org\",\"password\":\"river-lantern-47-quiet\",\"name\":\"Dr Smoke $N\",\"specialtyId\":\"$SPEC\",\"licenseNumber\":\"LIC-$N\",\"yearsOfExperience\":5,\"price\":{\"amount\":40,\"currency\":\"EUR\"},\"languages\":[\"es\"],\"availability\":{\"timeZone\":\"Europe/Madrid\",\"days\":[\"Monday\",\"Tuesday\"],\"startTime\":\"09:00\",\"endTime\":\"13:00\",\"slotMinutes\":30}}")
echo "doctor: ${D: -3}"; DID=$(echo "${D% *}" | jq -r .doctorId)
DOCTOR=$(curl -sS -X POST "$API/api/auth/login" -H "$JSON" -d "{\"email\":\"d$N@example.org\",\"password\":\"river-lantern-47-quiet\"}" | jq -r .accessToken)
curl -sS -o /dev/null -w 'doctor fhir before consent %{http_code}\n' "$API/api/patients/$PID/fhir" -H "Authorization: Bearer $DOCTOR"
curl -sS -w ' consent %{http_code}\n' -X POST "$API/api/patients/me/consents" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d "{\"doctorId\":\"$DID\"}" | head -c 200
curl -sS -o /dev/null -w 'doctor records %{http_code}\n' "$API/api/patients/$PID/records/vitals" -H "Authorization: Bearer $DOCTOR"
curl -sS -o /dev/null -w 'doctor insights %{http_code}\n' "$API/api/patients/$PID/insights?days=7" -H "Authorization: Bearer $DOCTOR"
curl -sS -w ' doctor fhir %{http_code}\n' "$API/api/patients/$PID/fhir" -H "Authorization: Bearer $DOCTOR" -o "$TMP/export.fhir.json"; jq -r '[.entry[].resource.resourceType] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$TMP/export.fhir.json"
curl -sS "$API/api/patients/me/access-log?limit=10" -H "Authorization: Bearer $ACCESS" | jq -r '.items[] | "\(.action) \(.basis) denied=\(.denied)"'
T2=$(curl -sS -X POST "$API/api/auth/register" -H "$JSON" -d "{\"email\":\"q$N@example.org\",\"password\":\"river-lantern-47-quiet\",\"name\":\"Other $N\"}"); OTHER=$(echo "$T2" | jq -r .accessToken)
curl -sS -w ' import %{http_code}\n' -X POST "$API/api/patients/me/fhir" -H "Authorization: Bearer $OTHER" -H 'Content-Type: application/fhir+json' --data-binary @"$TMP/export.fhir.json" | head -c 300
curl -sS "$API/api/patients/me/records/vitals" -H "Authorization: Bearer $OTHER" | jq -r '.items | length | "other has \(.) vitals"'
curl -sS -o /dev/null -w 'withdraw %{http_code}\n' -X DELETE "$API/api/patients/me/consents/$DID" -H "Authorization: Bearer $ACCESS"
curl -sS -o /dev/null -w 'doctor records after withdraw %{http_code}\n' "$API/api/patients/$PID/records/vitals" -H "Authorization: Bearer $DOCTOR"
echo "waiting for the alarm at $AT Europe/Madrid"
for i in $(seq 1 40); do
  A=$(curl -sS "$API/api/alarms" -H "Authorization: Bearer $ACCESS" | jq -r '[.items[] | select(.rungAt != null)] | length')
  [ "$A" -ge 1 ] 2>/dev/null && break; sleep 6
done
curl -sS "$API/api/alarms" -H "Authorization: Bearer $ACCESS" | jq -c '.items[] | {dueAt,status,late,rungAt,title}'
curl -sS "$API/api/notifications" -H "Authorization: Bearer $ACCESS" | jq -c '(.items // .)[] | {kind: (.kind // .type), title}' | head -5
AID=$(curl -sS "$API/api/alarms" -H "Authorization: Bearer $ACCESS" | jq -r '.items[0].id')
curl -sS -o /dev/null -w 'taken %{http_code}\n' -X POST "$API/api/alarms/$AID/taken" -H "Authorization: Bearer $ACCESS"
curl -sS "$API/api/patients/me/insights?days=7" -H "Authorization: Bearer $ACCESS" | jq -c .medicationAdherence
