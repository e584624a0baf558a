#!/usr/bin/env bash
# Runs every test. PostgreSQL and Redis are provided the same way run.sh provides them (a fresh test
# database on each run); nothing is skipped for want of a service.
set -euo pipefail
cd "$(dirname "$0")"

source scripts/services.sh
trap 'ha_stop_services' EXIT

if [ -z "${ConnectionStrings__Postgres:-}" ]; then
  ha_install_packages
  ha_start_postgres
  ha_as_pg "'$(ha_pg_bin)/psql' -h 127.0.0.1 -p $HA_PG_PORT -U postgres -qc 'drop database if exists healthactors_test with (force)'"
fi
ha_services healthactors_test

echo "[test] building"
dotnet build HealthActors.sln -c Debug -v quiet -nologo

echo "[test] running"
set +e
dotnet test tests/HealthActors.Tests/HealthActors.Tests.csproj -c Debug --no-build -nologo \
  --logger "console;verbosity=normal" --blame-hang-timeout 5m 2>&1 | tee .data/test-output.log
status=${PIPESTATUS[0]}
set -e

# One plain closing line for CI: "N passed, N failed".
count() { sed -nE "s/^ *$1: *([0-9]+) *\$/\1/p" .data/test-output.log | tail -n 1; }
passed=$(count Passed); passed=${passed:-0}
failed=$(count Failed); failed=${failed:-0}
skipped=$(count Skipped); skipped=${skipped:-0}
if [ "$status" -ne 0 ] && [ "$failed" = 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
