#!/usr/bin/env bash
# Recall and false alarms of the red-flag detector per category over the unit tests' corpus
# (tests/HealthActors.UnitTests/RedFlagCorpus), and the detection cost per message; rewrites the results block in
# docs/safety.md. No services needed. Arguments go to the bench (--iterations N, default 200).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "[bench] building (Release)"
dotnet build bench/HealthActors.SafetyBench/HealthActors.SafetyBench.csproj -c Release -v quiet -nologo
dotnet bench/HealthActors.SafetyBench/bin/Release/net10.0/HealthActors.SafetyBench.dll --out docs/safety.md "$@"
