#!/usr/bin/env bash
# Lints the Api's OpenAPI document with Spectral's OpenAPI ruleset (scripts/openapi/.spectral.yaml); any warning
# fails. The document is the one the integration tests fetched from the running Api and saved
# (OpenApiDocumentTests writes .data/openapi.json), so nothing is built or started here.
set -euo pipefail
cd "$(dirname "$0")/.."

doc=.data/openapi.json
if [ ! -s "$doc" ]; then
  echo "[openapi] $doc is missing: OpenApiDocumentTests writes it; run the integration tests first" >&2
  exit 1
fi

command -v npm >/dev/null || { echo "[openapi] npm is not installed (Debian: apt-get install nodejs npm)" >&2; exit 1; }
cd scripts/openapi
# --ignore-scripts: Spectral needs no install step, and a dependency's postinstall (telemetry) has no business running in CI.
npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity=warn "../../$doc"
