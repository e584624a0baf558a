#!/usr/bin/env bash
# Fault trial: ./run.sh --silos 2 on ports of its own, a steady stream of profile writes from a few patients,
# kill -9 of silo-1 part-way, and a table of what callers saw. Bounded: it stops the stack it started and exits
# after about --duration seconds of load (plus start-up). Not part of ./test.sh.
#   scripts/fault-silo-kill.sh [--duration 45] [--kill-after 12] [--writers 4] [--url http://127.0.0.1:5180]
# Uses ConnectionStrings__Postgres / ConnectionStrings__Redis when set (run.sh starts its own services otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

DURATION=45 KILL_AFTER=12 WRITERS=4 URL=http://127.0.0.1:5180
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --kill-after) KILL_AFTER="$2"; shift 2 ;;
    --writers) WRITERS="$2"; shift 2 ;;
    --url) URL="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d)"
RUN_PID=""
finish() {
  if [ -n "$RUN_PID" ]; then kill -TERM "$RUN_PID" 2>/dev/null || true; wait "$RUN_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap finish EXIT
trap 'exit 130' INT TERM

./run.sh --silos 2 --url "$URL" --silo-base-port 11311 --gateway-base-port 30300 >"$WORK/run.out" 2>&1 &
RUN_PID=$!

echo "[fault] waiting for the stack (run.sh builds first; log $WORK/run.out)"
active=""
for _ in $(seq 1 600); do
  kill -0 "$RUN_PID" 2>/dev/null || { cat "$WORK/run.out" >&2; echo "[fault] run.sh exited during start-up" >&2; exit 1; }
  active=$(curl -fsS -m 5 "$URL/health/ready" 2>/dev/null | jq -r '.checks.cluster.description // ""' || true)
  [[ "$active" == 2\ active* ]] && break
  sleep 1
done
[[ "$active" == 2\ active* ]] || { echo "[fault] the cluster never showed 2 active silos" >&2; exit 1; }

profile() { # $1 = sequence number, carried in firstName so that the stored version can be told apart
  printf '{"firstName":"Fault%s","lastName":"Trial","birthDate":"1980-01-01","sex":"female","bloodType":"O+"}' "$1"
}
TOKENS=()
for w in $(seq 1 "$WRITERS"); do
  email="fault-$w-$(date +%s%N)@example.org"
  TOKENS+=("$(curl -fsS -m 20 -X POST "$URL/api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"river-lantern-47-quiet\",\"name\":\"Fault $w\"}" | jq -r .accessToken)")
done

# Each writer: PUT after PUT for DURATION seconds; one line per request: start (ms), writer, sequence, status, ms taken.
writer() {
  local w="$1" token="$2" n=0 end=$(( $(date +%s) + DURATION ))
  while [ "$(date +%s)" -lt "$end" ]; do
    n=$((n + 1))
    local t0; t0=$(date +%s%3N)
    local code; code=$(curl -sS -m 40 -o /dev/null -w '%{http_code}' -X PUT "$URL/api/patients/me/profile" \
      -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d "$(profile "$w$n")" 2>/dev/null || true)
    echo "$t0 $w $n ${code:-000} $(( $(date +%s%3N) - t0 ))" >>"$WORK/w$w.log"
    sleep 0.05
  done
}
START=$(date +%s%3N)
for w in $(seq 1 "$WRITERS"); do writer "$w" "${TOKENS[$((w - 1))]}" & done

sleep "$KILL_AFTER"
VICTIM=$(cat .data/run/silo-1.pid)
KILLED_AT=$(date +%s%3N)
kill -9 "$VICTIM"
echo "[fault] kill -9 silo-1 (pid $VICTIM) at $(( (KILLED_AT - START) / 1000 )) s"
wait $(jobs -p | grep -v "^$RUN_PID$") 2>/dev/null || true

# Stored = last acknowledged or a later attempt whose answer was lost; anything older is a lost write.
LOST=0
for w in $(seq 1 "$WRITERS"); do
  last_ok=$(awk '$4 == 200 { n = $3 } END { print n + 0 }' "$WORK/w$w.log")
  stored=$(curl -fsS -m 15 "$URL/api/patients/me/profile" -H "Authorization: Bearer ${TOKENS[$((w - 1))]}" | jq -r .firstName)
  stored=${stored#Fault$w}
  [ "${stored:-0}" -ge "$last_ok" ] || LOST=$((LOST + 1))
done
RESTARTED_PID=$(cat .data/run/silo-1.pid)
ACTIVE_AFTER=$(curl -fsS -m 5 "$URL/health/ready" | jq -r '.checks.cluster.description // "?"' || echo "not ready")
RESTARTS=$(grep -c 'silo-1: exited' "$WORK/run.out" || true)

cat "$WORK"/w*.log | python3 -c '
import sys
killed, start = int(sys.argv[1]), int(sys.argv[2])
rows = [tuple(map(int, l.split())) for l in sys.stdin if l.strip()]
before = [r for r in rows if r[0] < killed]
after = [r for r in rows if r[0] >= killed]
bad = [r for r in after if r[3] != 200]
last_bad_end = max((r[0] + r[4] for r in bad), default=killed)
statuses = {}
for r in bad: statuses[r[3]] = statuses.get(r[3], 0) + 1
print()
print("| measure | value |")
print("|---|---|")
inflight = [r for r in before if r[0] + r[4] >= killed]
print(f"| writes before the kill | {len(before)} ({sum(r[3] != 200 for r in before)} failed) |")
print(f"| in flight at the kill | {len(inflight)}: statuses {sorted(r[3] for r in inflight)}, longest {max((r[4] for r in inflight), default=0) / 1000:.1f} s |")
print(f"| writes after the kill | {len(after)} |")
print(f"| failed after the kill | {len(bad)} ({100 * len(bad) / max(len(after), 1):.1f} %) by status: {statuses or {}} |")
print(f"| failures ended (last failed request answered) | {(last_bad_end - killed) / 1000:.1f} s after the kill |")
print(f"| last failing request sent | {(max((r[0] for r in bad), default=killed) - killed) / 1000:.1f} s after the kill |")
print(f"| slowest answer after the kill | {max((r[4] for r in after), default=0) / 1000:.1f} s |")
' "$KILLED_AT" "$START"
echo "| acknowledged writes lost | $LOST |"
echo "| silo-1 restarted by the supervisor | $([ "$RESTARTED_PID" != "$VICTIM" ] && echo "yes ($RESTARTS restart(s), pid $VICTIM -> $RESTARTED_PID)" || echo no) |"
echo "| cluster after the trial | $ACTIVE_AFTER |"
echo "| stack still up | $(kill -0 "$RUN_PID" 2>/dev/null && echo yes || echo no) |"
