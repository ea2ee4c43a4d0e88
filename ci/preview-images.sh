#!/usr/bin/env bash
# The images a branch run published, handed from the branch's job (untrusted: the branch controls
# it) to the trusted job that writes the preview (ci/github/preview.yml), as lines
#   <component>=<registry>/<name>:<40-hex revision>@sha256:<64 hex>
#   usage: ci/preview-images.sh write <reports/result.json>   prints the run's published images
#          ci/preview-images.sh check <file> <revision>       prints the file's lines if every one
#                                                             is such a line of this revision
# check is the trusted side: it reads the file as hostile input and refuses (exit 2, naming the
# file, the line and what is valid) anything but those lines: another revision's tag, a component
# twice, a symlink, a file over 64 KiB, a carriage return. The component names are then checked by
# `dagger call preview` itself (--images: the components of pipeline.yaml, from the trusted checkout).
set -euo pipefail
refuse() {
  echo "ci/preview-images.sh: $*" >&2
  exit 2
}
IMAGE='^[a-z][a-z0-9-]*=[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-]+[a-z0-9]+)*)+:[0-9a-f]{40}@sha256:[0-9a-f]{64}$'

case "${1:-}" in
  write)
    result="${2:?usage: ci/preview-images.sh write <reports/result.json>}"
    [[ -f "$result" && ! -L "$result" ]] || refuse "$result is not a regular file (the result.json reports export wrote)"
    # result.json's components.<name>.image: set once the image is published (by digest).
    python3 - "$result" <<'PY'
import json, sys
components = json.load(open(sys.argv[1], encoding="utf-8")).get("components") or {}
for name in sorted(components):
    image = (components[name] or {}).get("image")
    if image:
        print(f"{name}={image}")
PY
    ;;
  check)
    file="${2:?usage: ci/preview-images.sh check <file> <revision>}"
    revision="${3:?usage: ci/preview-images.sh check <file> <revision>}"
    [[ "$revision" =~ ^[0-9a-f]{40}$ ]] || refuse "revision: \"$revision\" is not a full git SHA (40 lowercase hex digits)"
    [[ -L "$file" ]] && refuse "$file is a symbolic link, not the images file the branch's run uploaded"
    [[ -f "$file" ]] || refuse "$file is missing or not a regular file; the branch's run uploads it (artifact preview-images)"
    (($(wc -c <"$file") <= 65536)) || refuse "$file is over 64 KiB; one line per component is far less"
    if LC_ALL=C grep -q $'\r' "$file"; then refuse "$file holds a carriage return; lines are component=registry/name:<revision>@sha256:<digest>"; fi
    declare -A seen=()
    lines=()
    n=0
    while IFS= read -r line || [[ -n "$line" ]]; do
      n=$((n + 1))
      [[ -z "$line" ]] && continue
      shown="$(printf '%q' "${line:0:200}")"
      [[ "$line" =~ $IMAGE ]] || refuse "$file line $n: $shown is not component=registry/name:<40-hex revision>@sha256:<64 hex digest>"
      component="${line%%=*}"
      rest="${line%@sha256:*}"
      [[ "${rest##*:}" == "$revision" ]] || refuse "$file line $n: $shown is tagged ${rest##*:}, not the revision the run built ($revision)"
      [[ -z "${seen[$component]:-}" ]] || refuse "$file line $n: component $component is named twice (first on line ${seen[$component]})"
      seen[$component]=$n
      lines+=("$line")
    done <"$file"
    # Only once every line passed: a refusal leaves no partial list behind.
    ((${#lines[@]} == 0)) || printf '%s\n' "${lines[@]}"
    ;;
  *) refuse "the first argument is write or check, not \"${1:-}\"" ;;
esac
