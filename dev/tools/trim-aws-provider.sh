#!/usr/bin/env bash
# Keep only the named service packages in the AWS provider's generated list
# of services (internal/provider/sdkv2/service_packages_gen.go), so that a
# build compiles those services and not the other ~250. The framework half of
# the provider reads the same list. Resources of other services are then
# unknown to this binary; nothing else changes.
#
# Usage: dev/tools/trim-aws-provider.sh FILE "svc1 svc2 ..."
set -euo pipefail
file=$1 keep=$2
awk -v keep="$keep" '
  BEGIN { n = split(keep, names, " "); for (i = 1; i <= n; i++) kept[names[i]] = 1 }
  /"github.com\/hashicorp\/terraform-provider-aws\/internal\/service\/[a-z0-9]+"$/ {
    name = $0; sub(/.*internal\/service\//, "", name); sub(/"$/, "", name)
    if (!(name in kept)) next
  }
  /^\t\t[a-z0-9]+\.ServicePackage\(ctx\),$/ {
    name = $1; sub(/\..*/, "", name)
    if (!(name in kept)) next
    found[name] = 1
  }
  { print }
  END {
    for (name in kept) if (!(name in found)) { print "unknown AWS provider service: " name > "/dev/stderr"; exit 1 }
  }
' "$file" >"$file.trimmed"
mv "$file.trimmed" "$file"
