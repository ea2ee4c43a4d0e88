#!/usr/bin/env bash
# The files a pull request changes, as the `--changed=…` arguments of the wrappers' `plan` and `ci`
# calls, one a line: `git diff --name-only --no-renames <base>...HEAD` in the job's checkout (HEAD:
# the commit the job checks; both hosts check out the pull request merged into its target). The
# base is the first argument that names a commit of the checkout sharing history with HEAD.
#
# Prints nothing when the changes are unknown: no such base (missing, or history too shallow for a
# merge base), a failed diff, no file at all, a file name with a line break, or more files than a
# command line holds. The calls then get no --changed, and `ci`/`plan` count every component as
# affected. Why is said on stderr; the exit status is 0 either way, so an unknown diff never fails
# the job, it only checks more.
#
# Renames count as a deletion and an addition (--no-renames): a file moved out of a component
# changes that component too. Dagger reads a list flag as one CSV record per occurrence, so each
# value is a quoted CSV field (" doubled): spaces, commas and quotes in file names survive.
#   usage: bash ci/changed-files.sh <base commit or ref>... >changed-flags
set -uo pipefail

MAX_FILES=5000

unknown() {
  echo "ci/changed-files.sh: the changed files are unknown ($1): every component counts as affected" >&2
  exit 0
}

base=""
for candidate in "$@"; do
  [[ -n "$candidate" ]] || continue
  if git rev-parse --quiet --verify "$candidate^{commit}" >/dev/null && git merge-base "$candidate" HEAD >/dev/null 2>&1; then
    base="$candidate"
    break
  fi
done
[[ -n "$base" ]] || unknown "no base among [$*] is in this checkout with a history shared with HEAD; is the clone shallow?"

list="$(mktemp)"
trap 'rm -f "$list"' EXIT
git -c core.quotePath=false diff --name-only --no-renames -z "$base...HEAD" >"$list" || unknown "git diff $base...HEAD failed"

files=()
while IFS= read -r -d '' file; do files+=("$file"); done <"$list"
((${#files[@]} > 0)) || unknown "no file differs between $base and HEAD"
((${#files[@]} <= MAX_FILES)) || unknown "${#files[@]} files, more than the $MAX_FILES passed as arguments"
nl=$'\n'
for file in "${files[@]}"; do
  [[ "$file" != *"$nl"* ]] || unknown "a file name holds a line break"
done
echo "ci/changed-files.sh: ${#files[@]} file(s) changed since $base" >&2
for file in "${files[@]}"; do
  printf -- '--changed="%s"\n' "${file//\"/\"\"}"
done
