#!/usr/bin/env bash
# Build, or find, every binary the project needs that no Python package ships,
# into a version-keyed cache outside the repository, and write tools.env
# describing where each one is. Prints one line per tool:
#   NAME VERSION PATH built|cached|PATH
#
# Usage: dev/tools/build.sh [tofu|providers|bao-aws-plugin|etcd|kube-apiserver|eso|helm ...]   (default: all)
# Environment: VOICESTACK_TOOLS   cache folder (default ~/.cache/voicestack/tools)
#              VOICESTACK_BUILD_JOBS  parallel Go compile jobs (default: cores)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=dev/tools/versions.env
source "$here/versions.env"

CACHE=${VOICESTACK_TOOLS:-$HOME/.cache/voicestack/tools}
BUILD=$CACHE/.build
LOGS=$CACHE/logs
MIRROR=$CACHE/providers
mkdir -p "$CACHE" "$LOGS"

# One build per cache at a time: a second `make tools` waits for the first
# and then finds everything cached.
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
  echo "tools: another build is running in $CACHE; waiting for it" >&2
  flock 9
fi

export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off
export GOMAXPROCS=${VOICESTACK_BUILD_JOBS:-$(nproc)}

die() { echo "tools: $*" >&2; exit 1; }

require_go() {
  command -v go >/dev/null 2>&1 ||
    die "no 'go' on PATH: install Go >= 1.26 to build $1, or put a $1 binary on PATH (see README, 'Supplying binaries')"
}

# version_ge A B: true when version A >= version B (dotted numbers).
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# module_dir MODULE VERSION TOOL [SUM]: download one module through the proxy
# and print its (read-only) source folder; one clear line when it is refused.
# With SUM, the download must have exactly that hash (for a module the public
# checksum database does not know, whose hash is pinned in versions.env).
module_dir() {
  local json err sum
  json=$(go mod download -json "$1@$2" 2>/dev/null || true)
  err=$(jq -r '.Error // empty' <<<"$json" | tr -s '\n\t' '  ')
  if [ -n "$err" ] || [ -z "$json" ]; then
    die "the Go module proxy refused $1@$2 (${err:-no answer}); to go on without building it, put a $3 binary on PATH and rerun"
  fi
  sum=$(jq -r .Sum <<<"$json")
  if [ -n "${4:-}" ] && [ "$sum" != "$4" ]; then
    die "$1@$2 has hash $sum, not the pinned $4: refusing to build it"
  fi
  jq -r .Dir <<<"$json"
}

# go_build NAME OUT [go build args...]: run in the current folder, log to a
# file, and turn the two usual failures into one line each.
go_build() {
  local name=$1 out=$2 log=$LOGS/$1.log rc=0
  shift 2
  /usr/bin/time -f '%e s, peak RSS %M KiB' -o "$LOGS/$name.time" \
    go build -trimpath -o "$out.tmp" "$@" >"$log" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    if [ $rc -eq 137 ] || grep -q -e 'signal: killed' -e 'cannot allocate memory' "$log"; then
      die "building $name ran out of memory; retry with VOICESTACK_BUILD_JOBS=1, or put a $name binary on PATH (log: $log)"
    fi
    if grep -q -e '403 Forbidden' -e 'not available' "$log"; then
      die "the Go module proxy refused a module $name needs: $(grep -m1 -e '403 Forbidden' -e 'not available' "$log"); put a $name binary on PATH instead (log: $log)"
    fi
    die "building $name failed: $(tail -n 1 "$log") (log: $log)"
  fi
  mv "$out.tmp" "$out"
}

# fresh_copy NAME SRC: a writable copy of a module's source to build in.
fresh_copy() {
  rm -rf "${BUILD:?}/$1"
  mkdir -p "$BUILD"
  cp -r "$2" "$BUILD/$1"
  chmod -R u+w "$BUILD/$1"
  cd "$BUILD/$1"
}

report() { printf '%-16s %-8s %s %s\n' "$1" "$2" "$3" "$4"; }

TOOLS_ENV=()

# --- OpenTofu --------------------------------------------------------------
tool_tofu() {
  local bin=$CACHE/tofu-$TOFU_VERSION/tofu found ver
  if found=$(command -v tofu 2>/dev/null); then
    ver=$("$found" version -json 2>/dev/null | jq -r .terraform_version || true)
    if [ -n "$ver" ] && version_ge "${ver%%-*}" "$TOFU_MIN_VERSION"; then
      report tofu "$ver" "$found" PATH
      TOOLS_ENV+=("VOICESTACK_TOFU=$found")
      return
    fi
  fi
  if [ -x "$bin" ]; then
    report tofu "$TOFU_VERSION" "$bin" cached
  else
    require_go tofu
    local src
    src=$(module_dir "$TOFU_MODULE" "$TOFU_MODULE_VERSION" tofu)
    mkdir -p "$(dirname "$bin")"
    (fresh_copy tofu "$src" &&
      go_build tofu "$bin" -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" ./cmd/tofu)
    report tofu "$TOFU_VERSION" "$bin" built
  fi
  TOOLS_ENV+=("VOICESTACK_TOFU=$bin")
}

# --- Providers, into a filesystem mirror -----------------------------------
# build_provider TYPE VERSION MODULE MODULE_VERSION [SUM [PREPARE [LDFLAGS [STAMP]]]]
#   PREPARE runs in the writable source copy before the build. STAMP is
#   what else the build depends on besides the version (the AWS provider's
#   service list): a cached binary built with another STAMP is rebuilt. It is
#   kept outside the mirror, whose folders' contents are the package's hash.
build_provider() {
  local type=$1 version=$2 module=$3 modver=$4 sum=${5:-} prepare=${6:-} ldflags=${7:-} stamp=${8:-} target dir bin src
  local stamp_file=$CACHE/provider-$type-$version.stamp
  target=$(go env GOOS)_$(go env GOARCH)
  dir=$MIRROR/registry.opentofu.org/hashicorp/$type/$version/$target
  bin=$dir/terraform-provider-${type}_v$version
  if [ -x "$bin" ] && [ "$(cat "$stamp_file" 2>/dev/null || true)" = "$stamp" ]; then
    report "provider-$type" "$version" "$bin" cached
  else
    require_go "terraform-provider-$type"
    src=$(module_dir "$module" "$modver" "terraform-provider-$type" "$sum")
    mkdir -p "$dir"
    (
      fresh_copy "provider-$type" "$src"
      if [ -n "$prepare" ]; then $prepare; fi
      go_build "terraform-provider-$type" "$bin" -ldflags "-s -w $ldflags" .
    )
    printf '%s\n' "$stamp" >"$stamp_file"
    # A rebuilt package has another hash: a copy of the old one in the
    # terraform_stack role's default plugin cache would be linked into new work
    # folders and refused against their lock files.
    rm -rf "$HOME"/.cache/voicestack/plugin-cache/*/hashicorp/"$type"/"$version"
    report "provider-$type" "$version" "$bin" built
  fi
  # The same files serve configurations written for Terraform's registry.
  mkdir -p "$MIRROR/registry.terraform.io/hashicorp/$type"
  ln -sfn "$MIRROR/registry.opentofu.org/hashicorp/$type/$version" \
    "$MIRROR/registry.terraform.io/hashicorp/$type/$version"
}

# Register only the AWS services the stack and the sandbox tests use.
trim_aws_provider() {
  "$here/trim-aws-provider.sh" internal/provider/sdkv2/service_packages_gen.go "$AWS_PROVIDER_SERVICES"
}

tool_providers() {
  # The fork's hash is pinned in versions.env: the checksum database lacks it.
  GONOSUMDB=$AWS_PROVIDER_MODULE build_provider aws "$AWS_PROVIDER_VERSION" "$AWS_PROVIDER_MODULE" \
    "$AWS_PROVIDER_MODULE_VERSION" "$AWS_PROVIDER_MODULE_SUM" trim_aws_provider \
    "-X github.com/hashicorp/terraform-provider-aws/version.ProviderVersion=$AWS_PROVIDER_VERSION" \
    "services: $AWS_PROVIDER_SERVICES"
  build_provider vault "$VAULT_PROVIDER_VERSION" "$VAULT_PROVIDER_MODULE" "$VAULT_PROVIDER_MODULE_VERSION"
  build_provider time "$TIME_PROVIDER_VERSION" "$TIME_PROVIDER_MODULE" "$TIME_PROVIDER_MODULE_VERSION"
  # Offline CLI configuration: only for tests, the sandbox and offline
  # machines. Users with registry access never need it.
  cat >"$CACHE/tofurc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.opentofu.org/hashicorp/*", "registry.terraform.io/hashicorp/*"]
  }
}
EOF
  TOOLS_ENV+=("VOICESTACK_TF_CLI_CONFIG=$CACHE/tofurc" "VOICESTACK_PROVIDER_MIRROR=$MIRROR")
}

# --- etcd: a wrapper main, since etcd's own main module has replaces --------
tool_etcd() {
  local bin=$CACHE/etcd-$ETCD_VERSION/etcd found
  if found=$(command -v etcd 2>/dev/null) &&
    version_ge "$("$found" --version 2>/dev/null | awk '/etcd Version/ {print $3}')" 3.5.0; then
    report etcd "$("$found" --version | awk '/etcd Version/ {print $3}')" "$found" PATH
    TOOLS_ENV+=("VOICESTACK_ETCD=$found")
    return
  fi
  if [ -x "$bin" ]; then
    report etcd "$ETCD_VERSION" "$bin" cached
  else
    require_go etcd
    module_dir go.etcd.io/etcd/server/v3 "v$ETCD_VERSION" etcd >/dev/null
    rm -rf "$BUILD/etcd" && mkdir -p "$BUILD/etcd" "$(dirname "$bin")"
    (
      cd "$BUILD/etcd"
      cat >go.mod <<EOF
module voicestack.local/etcd

go 1.25

require go.etcd.io/etcd/server/v3 v$ETCD_VERSION
EOF
      cat >main.go <<'EOF'
// Command etcd is etcd's own server entry point, built from the published
// server module.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
      go mod tidy >"$LOGS/etcd-tidy.log" 2>&1 ||
        die "resolving etcd's modules failed: $(tail -n 1 "$LOGS/etcd-tidy.log") (log: $LOGS/etcd-tidy.log)"
      go_build etcd "$bin" -ldflags "-s -w" .
    )
    report etcd "$ETCD_VERSION" "$bin" built
  fi
  TOOLS_ENV+=("VOICESTACK_ETCD=$bin")
}

# --- kube-apiserver: k8s.io/kubernetes with its staging replaces pointed at
# the published k8s.io/* modules of the same release ------------------------
tool_kube_apiserver() {
  local bin=$CACHE/kube-apiserver-$KUBE_VERSION/kube-apiserver found src
  if found=$(command -v kube-apiserver 2>/dev/null); then
    report kube-apiserver "$("$found" --version | awk '{print $2}')" "$found" PATH
    TOOLS_ENV+=("VOICESTACK_KUBE_APISERVER=$found")
    return
  fi
  if [ -x "$bin" ]; then
    report kube-apiserver "$KUBE_VERSION" "$bin" cached
  else
    require_go kube-apiserver
    src=$(module_dir k8s.io/kubernetes "v$KUBE_VERSION" kube-apiserver)
    mkdir -p "$(dirname "$bin")"
    (
      fresh_copy kube-apiserver "$src"
      # Its vendor/ folder matches the staging copies, not the published modules.
      rm -rf vendor go.work go.work.sum
      local staging
      staging=$(go mod edit -json | jq -r '.Replace[] | select(.New.Path | startswith("./staging/")) | .Old.Path')
      for m in $staging; do
        go mod edit -replace "$m=$m@v0.${KUBE_VERSION#1.}"
      done
      go mod tidy >"$LOGS/kube-apiserver-tidy.log" 2>&1 ||
        die "resolving kube-apiserver's modules failed: $(grep -m1 -e 'refused' -e '403' -e 'error' "$LOGS/kube-apiserver-tidy.log") (log: $LOGS/kube-apiserver-tidy.log)"
      go_build kube-apiserver "$bin" -ldflags "-s -w \
        -X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION \
        -X k8s.io/component-base/version.gitMajor=1 \
        -X k8s.io/component-base/version.gitMinor=$(cut -d. -f2 <<<"$KUBE_VERSION")" ./cmd/kube-apiserver
    )
    report kube-apiserver "$KUBE_VERSION" "$bin" built
  fi
  TOOLS_ENV+=("VOICESTACK_KUBE_APISERVER=$bin")
}

# --- OpenBao's AWS secrets engine, as an external plugin -------------------
tool_bao_aws_plugin() {
  local version=${BAO_AWS_PLUGIN_MODULE_VERSION#v} dir bin
  dir=$CACHE/bao-plugins-$version
  bin=$dir/openbao-plugin-secrets-aws
  if [ -x "$bin" ]; then
    report bao-aws-plugin "$version" "$bin" cached
  else
    require_go "OpenBao's AWS secrets plugin"
    module_dir "$BAO_AWS_PLUGIN_MODULE" "$BAO_AWS_PLUGIN_MODULE_VERSION" openbao-plugin-secrets-aws >/dev/null
    rm -rf "$BUILD/bao-aws-plugin" && mkdir -p "$BUILD/bao-aws-plugin" "$dir"
    (
      cd "$BUILD/bao-aws-plugin"
      printf 'module voicestack.local/openbao-plugin-secrets-aws\n\ngo 1.26\n\nrequire %s %s\n' \
        "$BAO_AWS_PLUGIN_MODULE" "$BAO_AWS_PLUGIN_MODULE_VERSION" >go.mod
      cp "$here/openbao-plugin-secrets-aws.go" main.go
      go mod tidy >"$LOGS/bao-aws-plugin-tidy.log" 2>&1 ||
        die "resolving the AWS plugin's modules failed: $(tail -n 1 "$LOGS/bao-aws-plugin-tidy.log") (log: $LOGS/bao-aws-plugin-tidy.log)"
      go_build bao-aws-plugin "$bin" -ldflags "-s -w" .
    )
    report bao-aws-plugin "$version" "$bin" built
  fi
  TOOLS_ENV+=("VOICESTACK_BAO_AWS_PLUGIN=$bin")
}

# --- External Secrets Operator's controller, with its CRDs and Helm chart ---
# The binary has no version flag and cannot start without the CRDs of its
# release, so all three come from the same module into one versioned folder.
tool_eso() {
  local dir=$CACHE/external-secrets-$ESO_VERSION src
  local stamp="providers: $ESO_PROVIDERS" stamp_file=$CACHE/external-secrets-$ESO_VERSION.stamp
  if [ -x "$dir/external-secrets" ] && [ -d "$dir/crds" ] && [ "$(cat "$stamp_file" 2>/dev/null || true)" = "$stamp" ]; then
    report external-secrets "$ESO_VERSION" "$dir/external-secrets" cached
  else
    require_go external-secrets
    src=$(module_dir "$ESO_MODULE" "$ESO_MODULE_VERSION" external-secrets)
    rm -rf "$dir" && mkdir -p "$dir/crds"
    (
      fresh_copy external-secrets "$src"
      "$here/trim-eso-providers.sh" . "$ESO_PROVIDERS"
      go_build external-secrets "$dir/external-secrets" -ldflags "-s -w" .
      # The controller's kinds, and GeneratorState, whose controller always runs.
      cp config/crds/bases/external-secrets.io_*.yaml \
        config/crds/bases/generators.external-secrets.io_generatorstates.yaml "$dir/crds/"
    )
    printf '%s\n' "$stamp" >"$stamp_file"
    report external-secrets "$ESO_VERSION" "$dir/external-secrets" built
  fi
  # The chart is copied on its own: a cache built before it existed gets it
  # without rebuilding the controller.
  if [ ! -f "$dir/chart/Chart.yaml" ]; then
    require_go external-secrets
    src=$(module_dir "$ESO_MODULE" "$ESO_MODULE_VERSION" external-secrets)
    rm -rf "$dir/chart" "$dir/chart.tmp"
    cp -r "$src/deploy/charts/external-secrets" "$dir/chart.tmp"
    chmod -R u+w "$dir/chart.tmp"
    # The source tree carries the previous release's numbers until release time,
    # and declares the bitwarden-sdk-server subchart (an OCI chart, off by
    # default) that cannot be fetched here: helm refuses a chart whose declared
    # subchart is missing.
    awk -v v="$ESO_VERSION" '
      /^version:/ { print "version: \"" v "\""; next }
      /^appVersion:/ { print "appVersion: \"v" v "\""; next }
      /^dependencies:/ { skip = 1; next }
      skip && /^[^ -]/ { skip = 0 }
      !skip' "$src/deploy/charts/external-secrets/Chart.yaml" >"$dir/chart.tmp/Chart.yaml"
    rm -f "$dir/chart.tmp/Chart.lock"
    mv "$dir/chart.tmp" "$dir/chart"
  fi
  TOOLS_ENV+=("VOICESTACK_ESO=$dir/external-secrets" "VOICESTACK_ESO_CRDS=$dir/crds" "VOICESTACK_ESO_CHART=$dir/chart")
}

# --- Helm, for kubernetes.core's helm modules --------------------------------
tool_helm() {
  local bin=$CACHE/helm-$HELM_VERSION/helm found ver
  if found=$(command -v helm 2>/dev/null); then
    ver=$("$found" version --template '{{.Version}}' 2>/dev/null || true)
    ver=${ver#v}
    ver=${ver%%[-+]*}
    if [ -n "$ver" ] && version_ge "$ver" "$HELM_MIN_VERSION" && ! version_ge "$ver" 4; then
      report helm "$ver" "$found" PATH
      TOOLS_ENV+=("VOICESTACK_HELM=$found")
      return
    fi
  fi
  if [ -x "$bin" ]; then
    report helm "$HELM_VERSION" "$bin" cached
  else
    require_go helm
    local src
    src=$(module_dir "$HELM_MODULE" "v$HELM_VERSION" helm)
    mkdir -p "$(dirname "$bin")"
    (
      fresh_copy helm "$src"
      # Without a cluster, helm assumes the Kubernetes release of its client-go,
      # as release builds do, rather than its source default 1.20.
      local kube_minor
      kube_minor=$(go mod edit -json | jq -r '.Require[] | select(.Path == "k8s.io/client-go") | .Version' | cut -d. -f2)
      go_build helm "$bin" -ldflags "-s -w \
        -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION \
        -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 \
        -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$kube_minor \
        -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 \
        -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$kube_minor" ./cmd/helm
    )
    report helm "$HELM_VERSION" "$bin" built
  fi
  TOOLS_ENV+=("VOICESTACK_HELM=$bin")
}

main() {
  local tools=("$@")
  [ ${#tools[@]} -gt 0 ] || tools=(tofu providers bao-aws-plugin etcd kube-apiserver eso helm)
  for t in "${tools[@]}"; do
    case $t in
      tofu) tool_tofu ;;
      providers) tool_providers ;;
      etcd) tool_etcd ;;
      kube-apiserver) tool_kube_apiserver ;;
      bao-aws-plugin) tool_bao_aws_plugin ;;
      eso) tool_eso ;;
      helm) tool_helm ;;
      *) die "unknown tool '$t' (known: tofu providers bao-aws-plugin etcd kube-apiserver eso helm)" ;;
    esac
  done
  # Build folders are kept only when a build failed (for its log and sources).
  rm -rf "$BUILD"
  # tools.env is rewritten only by a full run, so it always names every tool.
  if [ $# -eq 0 ]; then
    printf '%s\n' "${TOOLS_ENV[@]}" >"$CACHE/tools.env.tmp"
    mv "$CACHE/tools.env.tmp" "$CACHE/tools.env"
  fi
}

# One line, so that bash never reads past it while the script runs.
main "$@"; exit
