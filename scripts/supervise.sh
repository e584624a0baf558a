#!/usr/bin/env bash
# Sourced by run.sh. ha_supervise NAME LOG COMMAND... runs COMMAND in the background and starts it again
# whenever it exits, waiting 1, 2, 4 ... 30 s between attempts (back to 1 s once a run has lasted a minute),
# so a crashed silo or Api comes back while the other processes keep serving. SIGTERM to the supervisor
# stops the command (SIGTERM, then it waits for it) and ends the supervisor. The supervisor's pid is in $! afterwards.

HA_BACKOFF_MAX="${HA_BACKOFF_MAX:-30}"
HA_BACKOFF_RESET="${HA_BACKOFF_RESET:-60}"

ha_supervise() {
  local name="$1" log="$2"; shift 2
  (
    set +e
    stopping=0 child=""
    trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM
    delay=1
    while [ "$stopping" -eq 0 ]; do
      started=$(date +%s)
      "$@" >>"$log" 2>&1 &
      child=$!
      # Where fault trials find the process to kill without matching on names.
      [ -n "${HA_PID_DIR:-}" ] && echo "$child" >"$HA_PID_DIR/$name.pid"
      echo "[run] $name: started (pid $child, log $log)" >&2
      wait "$child"; rc=$?
      # wait returns early when the TERM trap fires; the child is then still shutting down.
      while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done
      [ "$stopping" -eq 1 ] && break
      lasted=$(( $(date +%s) - started ))
      [ "$lasted" -ge "$HA_BACKOFF_RESET" ] && delay=1
      echo "[run] $name: exited with code $rc after ${lasted} s; starting it again in ${delay} s" >&2
      # Sleep in the background so that a TERM during the pause is acted on at once.
      sleep "$delay" & child=$!; wait "$child"; child=""
      delay=$(( delay * 2 > HA_BACKOFF_MAX ? HA_BACKOFF_MAX : delay * 2 ))
    done
    echo "[run] $name: stopped" >&2
  ) &
}
