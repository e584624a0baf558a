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
ha_install_browser
ha_build_web

echo "[test] building"
dotnet build HealthActors.sln -c Debug -v quiet -nologo

# Pure rules first (they need no service and fail fastest), then everything that runs on PostgreSQL, Redis and Orleans.
unit_log=.data/test-output-unit.log
integration_log=.data/test-output-integration.log
run_tests() {
  dotnet test "$1" -c Debug --no-build -nologo \
    --logger "console;verbosity=normal" --blame-hang-timeout 5m 2>&1 | tee "$2"
  return "${PIPESTATUS[0]}"
}

# OpenApiDocumentTests writes the document the lint below reads; a stale one must not pass for this run's.
rm -f .data/openapi.json

set +e
echo "[test] running unit tests (tests/HealthActors.UnitTests)"
run_tests tests/HealthActors.UnitTests/HealthActors.UnitTests.csproj "$unit_log"
unit_status=$?
echo "[test] running integration tests (tests/HealthActors.Tests)"
run_tests tests/HealthActors.Tests/HealthActors.Tests.csproj "$integration_log"
integration_status=$?
echo "[test] linting the OpenAPI document (scripts/openapi-lint.sh)"
scripts/openapi-lint.sh
lint_status=$?
set -e
cat "$unit_log" "$integration_log" > .data/test-output.log

# One plain closing line for CI over both runs: "N passed, N failed, N skipped".
count() { local n; n=$(sed -nE "s/^ *$1: *([0-9]+) *\$/\1/p" "$2" | tail -n 1); echo "${n:-0}"; }
passed=0; failed=0; skipped=0
for run in "$unit_log:$unit_status" "$integration_log:$integration_status"; do
  log=${run%%:*}; run_status=${run##*:}
  run_failed=$(count Failed "$log")
  # A run that failed without a failed test (build, crash, hang) still counts as a failure.
  if [ "$run_status" -ne 0 ] && [ "$run_failed" = 0 ]; then run_failed=1; fi
  passed=$((passed + $(count Passed "$log")))
  failed=$((failed + run_failed))
  skipped=$((skipped + $(count Skipped "$log")))
done
# The lint is one more check: one passed or one failed.
if [ "$lint_status" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
status=0
if [ "$unit_status" -ne 0 ]; then status=$unit_status; elif [ "$integration_status" -ne 0 ]; then status=$integration_status;
elif [ "$lint_status" -ne 0 ]; then status=$lint_status; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
