#!/usr/bin/env bash
# The verdict of a run whose reports a wrapper exported (`dagger call ci … reports export
# --path=reports`): prints summary.md, appends it to the job summary where the host has one
# ($GITHUB_STEP_SUMMARY), and exits 1 unless result.json says the run passed. Host-agnostic:
# GitHub Actions and Drone call it the same way.
#   usage: ci/report.sh <reports folder>
set -euo pipefail
dir="${1:?usage: ci/report.sh <reports folder> (the folder reports export wrote)}"
if [[ ! -f "$dir/summary.md" || ! -f "$dir/result.json" ]]; then
  echo "ci/report.sh: $dir has no summary.md and result.json; did the dagger call export its reports there (reports export --path=$dir)?" >&2
  exit 1
fi
cat "$dir/summary.md"
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then cat "$dir/summary.md" >>"$GITHUB_STEP_SUMMARY"; fi
# result.json is written by the pipeline: {"passed": true|false, "failed": [...]}.
if grep -Eq '"passed":[[:space:]]*true' "$dir/result.json"; then exit 0; fi
echo "ci/report.sh: the run failed (see the summary above and $dir)" >&2
exit 1
