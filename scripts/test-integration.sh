#!/usr/bin/env bash
# `npm run test:integration`: every test that needs real components, each suite setting up what it
# needs (apt packages, Flyway from Maven Central, Docker engine, registry, npm proxy) by itself.
# All suites run even when one fails, so one CI run shows every failure; the exit code is non-zero
# if any failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

SUITES=(
  "example end to end (PostgreSQL, Flyway, Chromium):scripts/integration.sh"
  "OCI registry client against a real registry:scripts/integration/registry.sh"
  "generated Dockerfiles with BuildKit behind the mirror:scripts/integration/buildkit.sh"
  "E2E through the generated Compose file (Docker, PostgreSQL, Flyway, Chromium):scripts/integration/compose.sh"
  "Compose deploy over SSH (OpenSSH on a loopback port, docker compose v2, the local engine):scripts/integration/ssh-deploy.sh"
  "promotion pushes and pull requests against a real Gitea:scripts/integration/gitea.sh"
  "GitOps write-back rendered by real kustomize and helm:scripts/integration/gitops-render.sh"
  "GitHub workflows checked by real actionlint:scripts/integration/workflows.sh"
  "secret canaries through real BuildKit builds and a real Gitea:scripts/integration/secrets.sh"
  "real Trivy on the real example image, against a fixture advisory DB written with trivy-db:scripts/integration/trivy.sh"
  "image signatures and attestations with real cosign against a real registry:scripts/integration/cosign.sh"
)

passed=0
failed=0
failures=()
# Each suite's output is also kept, so the failures can be shown again at the very end: CI shows
# only the tail of a long log, and a failure in an early suite would otherwise scroll out of it.
LOGS="$(mktemp -d "${TMPDIR:-/tmp}/integration-logs.XXXXXX")"
trap 'rm -rf "$LOGS"' EXIT
for suite in "${SUITES[@]}"; do
  name="${suite%%:*}"
  script="${suite#*:}"
  echo "=== integration: $name ($script)"
  if [[ ! -f "$ROOT/$script" ]]; then
    echo "=== MISSING: $script does not exist"
    failed=$((failed + 1))
    failures+=("$name (missing $script)")
    continue
  fi
  start=$SECONDS
  log="$LOGS/$(basename "$script" .sh).log"
  if bash "$ROOT/$script" 2>&1 | tee "$log"; (( PIPESTATUS[0] == 0 )); then
    passed=$((passed + 1))
    echo "=== passed: $name in $((SECONDS - start)) s"
  else
    failed=$((failed + 1))
    failures+=("$name|$log")
    echo "=== FAILED: $name after $((SECONDS - start)) s"
  fi
done

for f in "${failures[@]}"; do
  [[ "$f" == *"|"* ]] || continue
  echo "=== the last 80 lines of the failed suite: ${f%%|*}"
  tail -n 80 "${f#*|}"
done
for f in "${failures[@]}"; do echo "failed suite: ${f%%|*}"; done
echo "integration: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
