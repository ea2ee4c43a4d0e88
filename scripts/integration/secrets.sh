#!/usr/bin/env bash
# Secret canaries (4 KB, multi-line; test/secrets/canary.ts) with real engines:
#   - as the mirror token through real BuildKit builds of the generated Dockerfiles, with the
#     .npmrc the pipeline writes as the BuildKit secret: build output, docker history --no-trunc,
#     docker image inspect and every layer of the saved image (test/secrets/buildkit.integration.ts),
#     inside the environment scripts/integration/buildkit.sh sets up and tears down;
#   - as the GitOps token through the push script against a real Gitea
#     (test/secrets/gitea.integration.ts), built and cached by scripts/integration/gitea.sh.
# The same token against git http-backend (real git over smart HTTP) needs nothing but git and
# runs with npm test (test/secrets/producers.test.ts).
#
# Usage (as root: buildkit.sh installs packages, starts dockerd and sets firewall rules):
#   bash scripts/integration/secrets.sh           both parts
#   bash scripts/integration/secrets.sh buildkit  one part (buildkit or gitea)
# Both parts run even when the first fails; the exit code is non-zero if either failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PARTS=("${@:-buildkit gitea}")
read -r -a PARTS <<<"${PARTS[*]}"

say() { printf '[secrets %s] %s\n' "$(date +%T)" "$*" >&2; }
failed=()
for part in "${PARTS[@]}"; do
  case "$part" in
    buildkit)
      say "part 1: the mirror token through real BuildKit builds"
      bash "$ROOT/scripts/integration/buildkit.sh" -- node --import tsx --test --test-reporter=spec --test-concurrency=1 test/secrets/buildkit.integration.ts || failed+=(buildkit)
      ;;
    gitea)
      say "part 2: the GitOps token through the push script against a real Gitea"
      bash "$ROOT/scripts/integration/gitea.sh" -- node --import tsx --test --test-reporter=spec test/secrets/gitea.integration.ts || failed+=(gitea)
      ;;
    -h | --help)
      sed -n '2,15p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      say "unknown part '$part' (buildkit or gitea)"
      exit 2
      ;;
  esac
done
if ((${#failed[@]} > 0)); then
  say "FAILED: ${failed[*]}"
  exit 1
fi
say "passed: ${PARTS[*]}"
