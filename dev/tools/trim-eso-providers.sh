#!/usr/bin/env bash
# Keep only the named providers (folders under pkg/provider/) in External
# Secrets' blank-import list pkg/provider/register/register.go, and register
# no generators (pkg/generator/register/register.go), so that the build
# compiles those providers' SDKs and not the other thirty-odd.
#
# Usage: dev/tools/trim-eso-providers.sh SOURCE_DIR "vault ..."
set -euo pipefail
src=$1 keep=$2

# trim FILE KEEP KIND: drop each `_ "…/pkg/KIND/NAME"` import whose NAME is not in KEEP.
trim() {
  awk -v keep="$2" -v kind="$3" '
    BEGIN { n = split(keep, names, " "); for (i = 1; i <= n; i++) kept[names[i]] = 1 }
    $0 ~ "^\t_ \"github.com/external-secrets/external-secrets/pkg/" kind "/[a-z0-9/]+\"$" {
      name = $0; sub(".*pkg/" kind "/", "", name); sub(/"$/, "", name)
      if (!(name in kept)) next
      found[name] = 1
    }
    { print }
    END {
      for (name in kept) if (!(name in found)) { print "unknown External Secrets " kind ": " name > "/dev/stderr"; exit 1 }
    }
  ' "$1" >"$1.trimmed"
  mv "$1.trimmed" "$1"
}

trim "$src/pkg/provider/register/register.go" "$keep" provider
trim "$src/pkg/generator/register/register.go" "" generator
