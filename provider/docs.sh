#!/usr/bin/env bash
# Generates the Terraform provider documentation with tfplugindocs into the
# directory given as $1 (default docs/terraform): from each provider's schema
# (descriptions), templates and examples.
#
#   provider  pages in      examples                  templates
#   gatewayd  $1/           examples/terraform/       provider/templates/
#   mapr      $1/mapr/      examples/terraform/mapr/  provider/mapr/templates/
#
# (tfplugindocs names pages after the resource without the provider prefix,
# and both providers have an index.md, so each provider gets its own directory.)
#
# tfplugindocs would build the provider from the directory it documents;
# this module keeps its go.mod at the repository root, so the schema is
# read with the real terraform CLI from providers built into a mirror
# (make install-providers) and handed over with --providers-schema.
#   TFPLUGINDOCS    the tfplugindocs binary (default: tfplugindocs on PATH)
#   DOCS_PROVIDERS  which providers to document (default: "gatewayd mapr");
#                   only their pages under $1 are replaced
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-docs/terraform}
case $out in /*) ;; *) out="$PWD/$out" ;; esac
tfplugindocs=${TFPLUGINDOCS:-tfplugindocs}
providers=${DOCS_PROVIDERS:-gatewayd mapr}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -C "$root" --no-print-directory install-providers TF_MIRROR="$work/mirror" >/dev/null
mkdir -p "$work/schema"
{
  echo 'terraform {'
  echo '  required_providers {'
  for name in $providers; do
    echo "    $name = { source = \"gatewayd-toolkit/$name\" }"
  done
  echo '  }'
  echo '}'
} >"$work/schema/main.tf"
(
  cd "$work/schema"
  export TF_CLI_CONFIG_FILE="$work/mirror/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
  terraform init -input=false -no-color >/dev/null
  # tfplugindocs finds a schema by short name (or under hashicorp/).
  terraform providers schema -json |
    sed 's#"registry.terraform.io/gatewayd-toolkit/\([a-z0-9_-]*\)":#"\1":#g' >"$work/schema.json"
)

# generate NAME EXAMPLES TEMPLATES: one provider's pages into $work/out-NAME.
generate() {
  local name=$1 examples=$2 templates=$3
  # A provider directory of the layout tfplugindocs expects.
  local site="$work/site-$name"
  mkdir -p "$site/examples"
  for kind in provider resources data-sources; do
    if [ -d "$examples/$kind" ]; then cp -R "$examples/$kind" "$site/examples/"; fi
  done
  # The gatewayd index template names the provider example by its path in this repository.
  mkdir -p "$site/examples/terraform"
  cp -R "$examples/provider" "$site/examples/terraform/"
  cp -R "$templates" "$site/templates"

  "$tfplugindocs" generate \
    --provider-dir "$site" \
    --provider-name "$name" \
    --rendered-provider-name "$name" \
    --providers-schema "$work/schema.json" \
    --examples-dir examples \
    --website-source-dir templates \
    --rendered-website-dir docs \
    --website-temp-dir "$work/tmp-$name" >"$work/tfplugindocs-$name.log" 2>&1 || { cat "$work/tfplugindocs-$name.log" >&2; exit 1; }
  cp -R "$site/docs" "$work/out-$name"
}

for name in $providers; do
  case $name in
    gatewayd) generate gatewayd "$root/examples/terraform" "$root/provider/templates" ;;
    mapr) generate mapr "$root/examples/terraform/mapr" "$root/provider/mapr/templates" ;;
    *) echo "docs.sh: unknown provider $name" >&2; exit 1 ;;
  esac
done

# Replace only the generated pages (gatewayd's directory holds mapr's).
for name in $providers; do
  case $name in
    gatewayd)
      mkdir -p "$out"
      find "$out" -mindepth 1 -maxdepth 1 ! -name mapr -exec rm -rf {} +
      cp -R "$work/out-gatewayd/." "$out/"
      ;;
    mapr)
      rm -rf "$out/mapr"
      mkdir -p "$out"
      cp -R "$work/out-mapr" "$out/mapr"
      ;;
  esac
done
echo "docs written to $out"
