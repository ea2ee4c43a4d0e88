#!/usr/bin/env bash
# The GitOps write-back editors' output through the real renderers: pinned `kustomize` and `helm`
# built with `go install` through the Go module proxy, the real podinfo chart from the same proxy,
# then test/gitops/render.integration.ts (kustomize build of edited kustomizations, helm template of
# edited values; see that file), and the Kyverno policy promotion writes (admission: kyverno):
# kubeconform (built the same way) against Kyverno's ImageValidatingPolicy CRD from the kyverno Go
# module, converted with kubeconform's own scripts/openapi2jsonschema.py (needs python3 + PyYAML);
# and the Argo Rollouts objects of strategy canary/blue-green (test/gitops/rollouts-render.integration.ts):
# kustomize build / helm template of environments that hold them, kubeconform against the Rollout and
# AnalysisTemplate CRDs of the argo-rollouts Go module, converted the same way.
# KYVERNO_CLI=1 also builds the Kyverno CLI of that module (its go.mod has a replace directive, so
# `go build` in a copy, not `go install`; about 25 minutes on 2 cores the first time, then cached)
# and has it compile the policy's CEL and apply it to Pods.
#
# Usage: bash scripts/integration/gitops-render.sh   (after npm ci; root or not; fine to run again)
# Needs Go (>= 1.26, the version kustomize and helm below require) on PATH or in /usr/local/go.
# Go's module and build caches live in ${XDG_CACHE_HOME:-~/.cache}/pipeline-as-code/go and only
# save time: with an empty cache everything is downloaded again (about 2 minutes on 2 cores).
# All other state lives in one temp dir, removed on exit. Environment: KEEP_WORKDIR=1 keeps it.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
START_SECONDS=$SECONDS
WORK=""
TEST_PID=""

# Pinned tools. kustomize v5.8.2 and helm v3.22.0 are the newest that build with Go 1.26
# (kustomize v5.8.3 needs Go 1.27). The podinfo module has no v6 tags on the proxy (its go.mod
# says github.com/stefanprodan/podinfo, without /v6), so its charts come from a pinned commit.
KUSTOMIZE_MODULE="sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION="v5.8.2"
HELM_MODULE="helm.sh/helm/v3/cmd/helm"
HELM_VERSION="v3.22.0"
PODINFO_MODULE="github.com/stefanprodan/podinfo"
PODINFO_VERSION="v1.8.1-0.20250910200901-e86405a8674e"
PODINFO_CHART_VERSION="6.9.2"
# kubeconform validates the Kyverno policy against the CRD of the newest Kyverno the proxy serves.
KUBECONFORM_MODULE="github.com/yannh/kubeconform/cmd/kubeconform"
KUBECONFORM_VERSION="v0.8.0"
KYVERNO_MODULE="github.com/kyverno/kyverno"
KYVERNO_VERSION="v1.19.1"
# The Rollout and AnalysisTemplate CRDs of the Argo Rollouts release the README names as the minimum
# (strategy: canary | blue-green). Its go.mod asks for a newer Go than ours, so `go mod download`
# fetches and checks the module zip but does not extract it: the CRDs are read from the zip.
ARGO_ROLLOUTS_MODULE="github.com/argoproj/argo-rollouts"
ARGO_ROLLOUTS_VERSION="v1.10.2"

log() { printf '[gitops-render %4ss] %s\n' "$((SECONDS - START_SECONDS))" "$*"; }
die() {
  log "ERROR: $*"
  exit 1
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$TEST_PID" ]] && kill -0 "$TEST_PID" 2>/dev/null; then
    kill -TERM "$TEST_PID" 2>/dev/null || true
    wait "$TEST_PID" 2>/dev/null || true
  fi
  if [[ -n "$WORK" ]]; then
    if [[ "${KEEP_WORKDIR:-}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  fi
  if ((rc == 0)); then log "PASSED in $((SECONDS - START_SECONDS))s"; else log "FAILED (exit $rc) after $((SECONDS - START_SECONDS))s"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Go, its caches, and the module proxy only (shared with workflows.sh) -------------------------
GO_NEEDED_FOR="kustomize $KUSTOMIZE_VERSION and helm $HELM_VERSION"
# shellcheck source=go-tools.sh
source "$ROOT/scripts/integration/go-tools.sh"
KUSTOMIZE_BIN="$(install_tool kustomize "$KUSTOMIZE_MODULE" "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5)"
HELM_BIN="$(install_tool helm "$HELM_MODULE" "$HELM_VERSION" helm.sh/helm/v3)"
log "kustomize $("$KUSTOMIZE_BIN" version) ($KUSTOMIZE_BIN), helm $HELM_VERSION: $("$HELM_BIN" version --short) ($HELM_BIN)"

log "go mod download $PODINFO_MODULE@$PODINFO_VERSION"
podinfo_dir="$(go mod download -json "$PODINFO_MODULE@$PODINFO_VERSION" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const m = JSON.parse(s);
    if (m.Error || !m.Dir) { console.error(m.Error ?? "no Dir in the answer"); process.exit(1); }
    console.log(m.Dir);
  });')" || die "go mod download $PODINFO_MODULE@$PODINFO_VERSION failed"
PODINFO_CHART="$podinfo_dir/charts/podinfo"
[[ -f "$PODINFO_CHART/Chart.yaml" ]] || die "$PODINFO_CHART/Chart.yaml is missing from the module"
grep -qx "version: $PODINFO_CHART_VERSION" "$PODINFO_CHART/Chart.yaml" || die "$PODINFO_CHART is not chart version $PODINFO_CHART_VERSION"
log "podinfo chart $PODINFO_CHART_VERSION from $PODINFO_MODULE@$PODINFO_VERSION"

# The directory of a downloaded module (go mod download -json).
module_dir() {
  go mod download -json "$1@$2" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const m = JSON.parse(s);
    if (m.Error || !m.Dir) { console.error(m.Error ?? "no Dir in the answer"); process.exit(1); }
    console.log(m.Dir);
  });'
}

# --- Kyverno's CRD as kubeconform schemas --------------------------------------------------------
KUBECONFORM_BIN="$(install_tool kubeconform "$KUBECONFORM_MODULE" "$KUBECONFORM_VERSION" github.com/yannh/kubeconform)"
python3 -c 'import yaml' 2>/dev/null || die "python3 with PyYAML is needed to convert the Kyverno CRD (Debian: apt-get install python3-yaml)"
log "go mod download $KYVERNO_MODULE@$KYVERNO_VERSION"
kyverno_dir="$(module_dir "$KYVERNO_MODULE" "$KYVERNO_VERSION")" || die "go mod download $KYVERNO_MODULE@$KYVERNO_VERSION failed"
KYVERNO_CRD="$kyverno_dir/config/crds/policies.kyverno.io/policies.kyverno.io_imagevalidatingpolicies.yaml"
[[ -f "$KYVERNO_CRD" ]] || die "$KYVERNO_CRD is missing from the module"
kubeconform_dir="$(module_dir github.com/yannh/kubeconform "$KUBECONFORM_VERSION")" || die "go mod download github.com/yannh/kubeconform@$KUBECONFORM_VERSION failed"
KYVERNO_CLI_BIN=""
if [[ "${KYVERNO_CLI:-}" == 1 ]]; then
  KYVERNO_CLI_BIN="$GO_CACHE/bin/kyverno-$KYVERNO_VERSION/kyverno"
  if [[ ! -x "$KYVERNO_CLI_BIN" ]]; then
    log "go build the Kyverno CLI of $KYVERNO_MODULE@$KYVERNO_VERSION (first time: about 25 minutes)"
    kyverno_src="$(mktemp -d "${TMPDIR:-/tmp}/kyverno-src.XXXXXX")"
    cp -r "$kyverno_dir/." "$kyverno_src" && chmod -R u+w "$kyverno_src"
    (cd "$kyverno_src" && go build -o "$KYVERNO_CLI_BIN" ./cmd/cli/kubectl-kyverno) || die "go build of the Kyverno CLI failed"
    rm -rf "$kyverno_src"
  fi
  log "Kyverno CLI $KYVERNO_VERSION ($KYVERNO_CLI_BIN)"
fi

# --- Argo Rollouts' CRDs, from the module zip the checksum database vouches for -----------------
log "go mod download $ARGO_ROLLOUTS_MODULE@$ARGO_ROLLOUTS_VERSION"
# It exits non-zero for the Go version alone ("requires go >= …"); any other error stops here.
argo_answer="$(go mod download -json "$ARGO_ROLLOUTS_MODULE@$ARGO_ROLLOUTS_VERSION" || true)"
read -r argo_zip argo_sum < <(printf '%s' "$argo_answer" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const m = JSON.parse(s || "{}");
    if ((m.Error && !/requires go >= /.test(m.Error)) || !m.Zip || !m.Sum) { console.error(m.Error ?? "no Zip in the answer"); process.exit(1); }
    console.log(m.Zip, m.Sum);
  });') || die "go mod download $ARGO_ROLLOUTS_MODULE@$ARGO_ROLLOUTS_VERSION failed"
[[ -f "$argo_zip" ]] || die "$argo_zip is missing"

# --- the test -------------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/gitops-render.XXXXXX")"
ARGO_ROLLOUTS_SCHEMAS="$WORK/argo-rollouts-schemas"
mkdir -p "$ARGO_ROLLOUTS_SCHEMAS/crds"
# The zip is checked against the module's h1: hash (Go's dirhash: SHA-256 over the sorted list of
# "<sha256>  <file>" lines) that the checksum database vouched for, since Go did not extract it.
python3 - "$argo_zip" "$argo_sum" "$ARGO_ROLLOUTS_MODULE@$ARGO_ROLLOUTS_VERSION/manifests/crds/" "$ARGO_ROLLOUTS_SCHEMAS/crds" <<'PY' || die "could not read the CRDs from $argo_zip"
import base64, hashlib, os, sys, zipfile
zip_path, want, prefix, out = sys.argv[1:]
with zipfile.ZipFile(zip_path) as z:
    lines = "".join(f"{hashlib.sha256(z.read(n)).hexdigest()}  {n}\n" for n in sorted(z.namelist()))
    got = "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()
    if got != want:
        sys.exit(f"{zip_path}: hash {got} is not the checksum database's {want}")
    for name in ("rollout-crd.yaml", "analysis-template-crd.yaml"):
        with open(os.path.join(out, name), "wb") as f:
            f.write(z.read(prefix + name))
PY
(cd "$ARGO_ROLLOUTS_SCHEMAS" && FILENAME_FORMAT='{kind}_{version}' python3 "$kubeconform_dir/scripts/openapi2jsonschema.py" crds/rollout-crd.yaml crds/analysis-template-crd.yaml >/dev/null) ||
  die "openapi2jsonschema.py could not convert the Argo Rollouts CRDs"
for schema in rollout_v1alpha1.json analysistemplate_v1alpha1.json; do
  [[ -f "$ARGO_ROLLOUTS_SCHEMAS/$schema" ]] || die "no $schema from the Argo Rollouts $ARGO_ROLLOUTS_VERSION CRDs"
done
log "Rollout and AnalysisTemplate schemas of argo-rollouts $ARGO_ROLLOUTS_VERSION: $(cd "$ARGO_ROLLOUTS_SCHEMAS" && echo *.json)"
KYVERNO_SCHEMAS="$WORK/kyverno-schemas"
mkdir -p "$KYVERNO_SCHEMAS"
(cd "$KYVERNO_SCHEMAS" && FILENAME_FORMAT='{kind}_{version}' python3 "$kubeconform_dir/scripts/openapi2jsonschema.py" "$KYVERNO_CRD" >/dev/null) || die "openapi2jsonschema.py could not convert $KYVERNO_CRD"
[[ -f "$KYVERNO_SCHEMAS/imagevalidatingpolicy_v1.json" ]] || die "no imagevalidatingpolicy_v1.json from $KYVERNO_CRD"
log "kubeconform $KUBECONFORM_VERSION ($KUBECONFORM_BIN); ImageValidatingPolicy schemas of kyverno $KYVERNO_VERSION: $(cd "$KYVERNO_SCHEMAS" && echo *.json)"
export KUSTOMIZE_BIN HELM_BIN PODINFO_CHART KUBECONFORM_BIN KYVERNO_SCHEMAS KYVERNO_CLI_BIN ARGO_ROLLOUTS_SCHEMAS ARGO_ROLLOUTS_VERSION
export GITOPS_RENDER_TMP="$WORK"
cd "$ROOT"
log "node --test test/gitops/render.integration.ts (temp dir $WORK)"
node --import tsx --test --test-reporter=spec --test-timeout=300000 test/gitops/render.integration.ts test/gitops/promotion-render.integration.ts test/gitops/admission-render.integration.ts test/gitops/rollouts-render.integration.ts &
TEST_PID=$!
set +e
wait "$TEST_PID"
rc=$?
set -e
TEST_PID=""
((rc == 0)) || die "the GitOps render integration test failed (exit $rc)"
