#!/usr/bin/env bash
# The verdict of a run whose reports a wrapper exported (`dagger call ci … reports export
# --path=reports`): prints summary.md, appends it to the job summary where the host has one
# ($GITHUB_STEP_SUMMARY), and exits 1 unless result.json says the run passed. Host-agnostic:
# GitHub Actions and Drone call it the same way. Needs bash and python3 (its json module is the
# parser: it can refuse duplicate keys, which jq and JSON.parse silently resolve last-wins);
# GitHub's ubuntu runners have python3, the Drone steps install it with apk.
#   usage: ci/report.sh <reports folder>
#   exit: 0 the run passed; 1 it failed; 2 the reports are missing or not a run's result.
set -euo pipefail
dir="${1:?usage: ci/report.sh <reports folder> (the folder reports export wrote)}"
# Without the trailing slash, -L tests the folder itself rather than what it points to.
while [[ "$dir" == */ && "$dir" != / ]]; do dir="${dir%/}"; done

refuse() {
  echo "ci/report.sh: $*" >&2
  exit 2
}
# reports export writes a real folder of regular files: a link would make this print (and
# append to the job summary) whatever file it points to.
[[ -L "$dir" ]] && refuse "$dir is a symbolic link; pass the folder reports export wrote (reports export --path=$dir)"
for f in summary.md result.json; do
  [[ -L "$dir/$f" ]] && refuse "$dir/$f is a symbolic link, not the file reports export writes; refusing to read it"
  [[ -e "$dir/$f" ]] || refuse "$dir/$f is missing; did the dagger call export its reports there (reports export --path=$dir)?"
  [[ -f "$dir/$f" ]] || refuse "$dir/$f is not a regular file; reports export writes regular files"
done
command -v python3 >/dev/null || refuse "python3 is missing: it parses $dir/result.json (install it, e.g. apk add python3)"

# A run's result is a JSON object whose top-level "passed" is true or false (a nested "passed",
# a stage's say, never counts). Anything else, duplicate keys included, is not a run's result.
passed="$(
  python3 - "$dir/result.json" <<'PY'
import json, sys

path = sys.argv[1]

class Refused(Exception):
    """A parse the JSON grammar allows but a run's result never has."""

def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    for k in keys:
        if keys.count(k) > 1:
            raise Refused(f"the key {json.dumps(k)} appears {keys.count(k)} times in one object; which one counts would be the parser's choice")
    return dict(pairs)

def no_constant(name):
    raise Refused(f"{name} is not a JSON value")

def kind(v):
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(v), "a number")

def refuse(why):
    sys.exit(f"ci/report.sh: {path} is not a run's result: {why}")

try:
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    result = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
except UnicodeDecodeError as e:
    refuse(f"not UTF-8 ({e.reason} at byte {e.start})")
except Refused as e:
    refuse(str(e))
except (ValueError, RecursionError) as e:
    refuse(f"not JSON: {e}")
if not isinstance(result, dict):
    refuse(f"a JSON object with \"passed\": true|false is expected, not {kind(result)}")
if "passed" not in result:
    keys = ", ".join(json.dumps(k) for k in result) or "none"
    refuse(f"it has no \"passed\" key (keys: {keys})")
if not isinstance(result["passed"], bool):
    refuse(f"\"passed\" is {kind(result['passed'])}, not true or false")
print("true" if result["passed"] else "false")
PY
)" || exit 2

cat "$dir/summary.md"
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then cat "$dir/summary.md" >>"$GITHUB_STEP_SUMMARY"; fi
if [[ "$passed" == true ]]; then exit 0; fi
echo "ci/report.sh: the run failed (see the summary above and $dir)" >&2
exit 1
