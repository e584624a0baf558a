#!/usr/bin/env bash
# Walks the README's steps 13-16 (attachments, doctor verification, clinical cases, quick consultations with
# a rating) against a running ./run.sh, printing each status next to the one the README promises. Uses the
# admin account run.sh generated; creates a fresh patient, a verified doctor and an unverified one each time.
# Exits non-zero when any step answers other than promised. Takes a few seconds.
set -uo pipefail
API=${API:-http://127.0.0.1:5080}; JSON='Content-Type: application/json'
cd "$(dirname "$0")/.."
set -a; . .data/secrets/admin.env; set +a
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
FAILED=0
# expect <label> <wanted status> <status>
expect() { if [ "$3" = "$2" ]; then printf '%-52s %s\n' "$1" "$3"; else printf '%-52s %s (README says %s)\n' "$1" "$3" "$2"; FAILED=1; fi; }
# call <out file> curl-args... -> prints the status
call() { local out=$1; shift; curl -sS -o "$out" -w '%{http_code}' "$@"; }
login() { curl -sS -X POST "$API/api/auth/login" -H "$JSON" -d "{\"email\":\"$1\",\"password\":\"$2\"}" | jq -r .accessToken; }

ADMIN=$(login "$Admin__Email" "$Admin__Password")
N=$RANDOM$RANDOM; PW=river-lantern-47-quiet
T=$(curl -sS -X POST "$API/api/auth/register" -H "$JSON" -d "{\"email\":\"p$N@example.org\",\"password\":\"$PW\",\"name\":\"Pat $N\"}")
ACCESS=$(echo "$T" | jq -r .accessToken)
SPEC=$(curl -sS "$API/api/specialties" | jq -r '.[0].id // .items[0].id')
new_doctor() { # email verified -> doctor id
  curl -sS -X POST "$API/api/admin/doctors" -H "$JSON" -H "Authorization: Bearer $ADMIN" -d "{\"email\":\"$1\",\"password\":\"$PW\",
    \"name\":\"Dr ${1%%@*}\",\"specialtyId\":\"$SPEC\",\"licenseNumber\":\"LIC-$RANDOM\",\"yearsOfExperience\":5,\"verified\":$2,
    \"price\":{\"amount\":40,\"currency\":\"EUR\"},\"languages\":[\"es\"],\"availability\":{\"timeZone\":\"Europe/Madrid\",
    \"days\":[\"Monday\",\"Tuesday\"],\"startTime\":\"09:00\",\"endTime\":\"13:00\",\"slotMinutes\":30}}" | jq -r .doctorId
}
DID=$(new_doctor "d$N@example.org" true); DOCTOR=$(login "d$N@example.org" $PW)
UID2=$(new_doctor "u$N@example.org" false); UNVERIFIED=$(login "u$N@example.org" $PW)
echo "patient, verified doctor $DID, unverified doctor $UID2"

# 13. Attachments: a 1x1 PNG carrying a tEXt chunk with a name; the type comes from the bytes, not the name.
echo 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAAEXRFWHRBdXRob3IAQW5hIEdhcmNpYdjn6wsAAAAMSURBVHicY/jPwAAAAwEBAMn+ku8AAAAASUVORK5CYII=' | base64 -d > "$TMP/scan.pdf"
expect "13 upload a PNG named .pdf" 201 "$(call "$TMP/up.json" -X POST "$API/api/attachments" -H "Authorization: Bearer $ACCESS" -F "file=@$TMP/scan.pdf")"
PNG=$(jq -r .id "$TMP/up.json"); echo "   contentType $(jq -r .contentType "$TMP/up.json"), size $(jq -r .size "$TMP/up.json") of $(stat -c %s "$TMP/scan.pdf") bytes"
expect "13 download by its owner" 200 "$(call "$TMP/down.png" -D "$TMP/h" "$API/api/attachments/$PNG" -H "Authorization: Bearer $ACCESS")"
grep -qi 'x-content-type-options: nosniff' "$TMP/h" && grep -qi 'content-disposition: attachment' "$TMP/h" || { echo "   missing nosniff or attachment disposition"; FAILED=1; }
grep -q 'Ana Garcia' "$TMP/down.png" && { echo "   the PNG text chunk survived"; FAILED=1; }
printf '<html><script>alert(1)</script></html>' > "$TMP/x.png"
expect "13 HTML declared image/png" 400 "$(call /dev/null -X POST "$API/api/attachments" -H "Authorization: Bearer $ACCESS" -F "file=@$TMP/x.png;type=image/png")"
expect "13 download by a doctor without a basis" 404 "$(call /dev/null "$API/api/attachments/$PNG" -H "Authorization: Bearer $DOCTOR")"

# 14. Doctor verification: the unverified doctor cannot see open consultations until an admin approves.
expect "14 unverified doctor lists open consultations" 403 "$(call /dev/null "$API/api/consultations/open" -H "Authorization: Bearer $UNVERIFIED")"
printf '%%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%%%EOF\n' > "$TMP/diploma.pdf"
call "$TMP/dip.json" -X POST "$API/api/attachments" -H "Authorization: Bearer $UNVERIFIED" -F "file=@$TMP/diploma.pdf" >/dev/null
expect "14 submit credentials" 201 "$(call "$TMP/cred.json" -X POST "$API/api/doctors/me/credentials" -H "$JSON" -H "Authorization: Bearer $UNVERIFIED" \
  -d "{\"licenseNumber\":\"MAD-28-$N\",\"issuingAuthority\":\"Colegio de Médicos de Madrid\",\"institution\":\"Universidad Complutense\",\"degree\":\"MD\",\"graduationYear\":2008,\"attachmentIds\":[\"$(jq -r .id "$TMP/dip.json")\"]}")"
CRED=$(jq -r .id "$TMP/cred.json")
expect "14 admin approves" 200 "$(call /dev/null -X POST "$API/api/admin/credentials/$CRED/approve" -H "Authorization: Bearer $ADMIN")"
expect "14 approving again" 409 "$(call /dev/null -X POST "$API/api/admin/credentials/$CRED/approve" -H "Authorization: Bearer $ADMIN")"
expect "14 now verified, lists open consultations" 200 "$(call /dev/null "$API/api/consultations/open" -H "Authorization: Bearer $UNVERIFIED")"
echo "   catalog verified flag: $(curl -sS "$API/api/doctors/$UID2" | jq -r .verified)"

# 15. Clinical cases: an identifier is refused naming the field; search finds a Spanish plural.
CASE='"title":"Fractura de cadera tras caída","ageBand":"80-89","sex":"female","presentingComplaint":"Dolor inguinal","findings":"Rotación externa","question":"¿Cirugía o manejo conservador?","tags":["trauma","hip"]'
expect "15 case with a phone number in history" 400 "$(call "$TMP/bad.json" -X POST "$API/api/cases" -H "$JSON" -H "Authorization: Bearer $DOCTOR" -d "{$CASE,\"history\":\"llamar al +34 612 345 678\"}")"
echo "   $(jq -c .errors "$TMP/bad.json")"
expect "15 publish a case" 201 "$(call "$TMP/case.json" -X POST "$API/api/cases" -H "$JSON" -H "Authorization: Bearer $DOCTOR" -d "{$CASE,\"history\":\"Osteoporosis\"}")"
CID=$(jq -r .id "$TMP/case.json")
expect "15 a patient reads it" 404 "$(call /dev/null "$API/api/cases/$CID" -H "Authorization: Bearer $ACCESS")"
expect "15 search q=fracturas" 200 "$(call "$TMP/search.json" "$API/api/cases?q=fracturas&tag=trauma" -H "Authorization: Bearer $DOCTOR")"
jq -e --arg id "$CID" '[.items[].id] | index($id) != null' "$TMP/search.json" >/dev/null || { echo "   the case was not found"; FAILED=1; }
expect "15 colleague follows" 204 "$(call /dev/null -X POST "$API/api/cases/$CID/follow" -H "Authorization: Bearer $UNVERIFIED")"
expect "15 author comments" 201 "$(call "$TMP/c.json" -X POST "$API/api/cases/$CID/comments" -H "$JSON" -H "Authorization: Bearer $DOCTOR" -d '{"text":"Consider a CT."}')"
expect "15 accept the comment" 200 "$(call /dev/null -X POST "$API/api/cases/$CID/accept" -H "$JSON" -H "Authorization: Bearer $DOCTOR" -d "{\"commentId\":\"$(jq -r .id "$TMP/c.json")\"}")"
sleep 1
echo "   follower's inbox: $(curl -sS "$API/api/notifications" -H "Authorization: Bearer $UNVERIFIED" | jq -c '[(.items // .)[] | .kind]')"

# 16. Quick consultation: ask, claim, answer, close, rate; the doctor's rating follows.
expect "16 patient asks" 201 "$(call "$TMP/q.json" -X POST "$API/api/consultations" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d "{\"question\":\"An itchy rash on my arm since last week\",\"specialtyId\":\"$SPEC\",\"attachmentIds\":[\"$PNG\"]}")"
QID=$(jq -r .id "$TMP/q.json")
expect "16 verified doctor claims" 200 "$(call /dev/null -X POST "$API/api/consultations/$QID/claim" -H "Authorization: Bearer $DOCTOR")"
expect "16 second doctor claims" 409 "$(call /dev/null -X POST "$API/api/consultations/$QID/claim" -H "Authorization: Bearer $UNVERIFIED")"
expect "16 claiming doctor reads the patient's file" 200 "$(call /dev/null "$API/api/attachments/$PNG" -H "Authorization: Bearer $DOCTOR")"
expect "16 doctor answers" 201 "$(call /dev/null -X POST "$API/api/consultations/$QID/messages" -H "$JSON" -H "Authorization: Bearer $DOCTOR" -d '{"text":"Does it itch more at night?"}')"
expect "16 rating before close" 409 "$(call /dev/null -X POST "$API/api/consultations/$QID/rating" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d '{"rating":5}')"
expect "16 doctor closes" 200 "$(call /dev/null -X POST "$API/api/consultations/$QID/close" -H "Authorization: Bearer $DOCTOR")"
expect "16 rating 6" 400 "$(call /dev/null -X POST "$API/api/consultations/$QID/rating" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d '{"rating":6}')"
expect "16 patient rates 4" 201 "$(call /dev/null -X POST "$API/api/consultations/$QID/rating" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d '{"rating":4,"comment":"Clear and quick."}')"
expect "16 rating again" 409 "$(call /dev/null -X POST "$API/api/consultations/$QID/rating" -H "$JSON" -H "Authorization: Bearer $ACCESS" -d '{"rating":5}')"
R=$(curl -sS "$API/api/doctors/$DID" | jq -c '{rating, ratingCount}'); echo "   doctor now $R"
[ "$R" = '{"rating":4,"ratingCount":1}' ] || FAILED=1
echo "   public ratings: $(curl -sS "$API/api/doctors/$DID/ratings" | jq -c '[.items[] | {rating, comment}]')"
FIRST=$(curl -sS "$API/api/doctors?specialtyId=$SPEC&sort=rating&pageSize=100" | jq -r '(.items // .)[0].doctorId // (.items // .)[0].id')
echo "   first under sort=rating in the specialty: $FIRST"

[ "$FAILED" = 0 ] && echo "all steps answered as the README says" || echo "SOME STEPS DIFFER (see above)"
exit "$FAILED"
