#!/usr/bin/env bash
# Generates the Terraform provider documentation with tfplugindocs into the
# directory given as $1 (default docs/terraform): from the provider schema
# (descriptions), provider/templates/ and examples/terraform/.
#
# tfplugindocs would build the provider from the directory it documents;
# this module keeps its go.mod at the repository root, so the schema is
# read with the real terraform CLI from a provider built into a mirror
# (make install-providers) and handed over with --providers-schema.
#   TFPLUGINDOCS  the tfplugindocs binary (default: tfplugindocs on PATH)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-docs/terraform}
case $out in /*) ;; *) out="$PWD/$out" ;; esac
tfplugindocs=${TFPLUGINDOCS:-tfplugindocs}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -C "$root" --no-print-directory install-providers TF_MIRROR="$work/mirror" >/dev/null
mkdir -p "$work/schema"
cat >"$work/schema/main.tf" <<'TF'
terraform {
  required_providers {
    gatewayd = { source = "gatewayd-toolkit/gatewayd" }
  }
}
TF
(
  cd "$work/schema"
  export TF_CLI_CONFIG_FILE="$work/mirror/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
  terraform init -input=false -no-color >/dev/null
  # tfplugindocs finds a schema by short name (or under hashicorp/).
  terraform providers schema -json |
    sed 's#"registry.terraform.io/gatewayd-toolkit/gatewayd":#"gatewayd":#' >"$work/schema.json"
)

# A provider directory of the layout tfplugindocs expects.
site="$work/site"
mkdir -p "$site/examples"
cp -R "$root/examples/terraform/provider" "$root/examples/terraform/resources" "$root/examples/terraform/data-sources" "$site/examples/"
# The index template names the provider example by its path in this repository.
mkdir -p "$site/examples/terraform"
cp -R "$root/examples/terraform/provider" "$site/examples/terraform/"
cp -R "$root/provider/templates" "$site/templates"

"$tfplugindocs" generate \
  --provider-dir "$site" \
  --provider-name gatewayd \
  --rendered-provider-name gatewayd \
  --providers-schema "$work/schema.json" \
  --examples-dir examples \
  --website-source-dir templates \
  --rendered-website-dir docs \
  --website-temp-dir "$work/tmp" >"$work/tfplugindocs.log" 2>&1 || { cat "$work/tfplugindocs.log" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -R "$site/docs" "$out"
echo "docs written to $out"
