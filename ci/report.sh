#!/usr/bin/env bash
# The verdict of a run whose reports a wrapper exported (`dagger call ci … reports export
# --path=reports`): prints summary.md, appends it to the job summary where the host has one
# ($GITHUB_STEP_SUMMARY), and exits 1 unless result.json says the run passed. Host-agnostic:
# GitHub Actions and Drone call it the same way, with nothing but bash and coreutils (no jq or
# node in Drone's docker:cli image).
#   usage: ci/report.sh <reports folder>
set -euo pipefail
dir="${1:?usage: ci/report.sh <reports folder> (the folder reports export wrote)}"
for f in summary.md result.json; do
  if [[ ! -f "$dir/$f" ]]; then
    echo "ci/report.sh: $dir/$f is missing; did the dagger call export its reports there (reports export --path=$dir)?" >&2
    exit 1
  fi
done
cat "$dir/summary.md"
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then cat "$dir/summary.md" >>"$GITHUB_STEP_SUMMARY"; fi
# result.json is written by the pipeline with "passed" as its first key ({"passed": true, "failed":
# […], …}). Reading that first key only (whitespace removed) means no nested "passed" further in
# can pass a failed run; a file of any other shape fails, it never passes.
start="$(head -c 4096 "$dir/result.json" | tr -d '[:space:]')"
case "$start" in
  '{"passed":true,'* | '{"passed":true}') exit 0 ;;
  '{"passed":false,'* | '{"passed":false}') echo "ci/report.sh: the run failed (see the summary above and $dir)" >&2 ;;
  *) echo "ci/report.sh: $dir/result.json does not start with {\"passed\": true|false: not a run's result" >&2 ;;
esac
exit 1
