#!/usr/bin/env bash
# Declarative configuration end to end: validate, diff, sync, proxy, dump.
#   GATEWAYD          the gatewayd binary (default ./bin/gatewayd)
#   GATEWAYD_ADMIN_URL Admin API (default http://localhost:8001)
#   PROXY_URL         proxy     (default http://localhost:8000)
#   DECK_UPSTREAM     upstream URL (default http://127.0.0.1:9000, e.g. ./bin/echo-upstream)
set -euo pipefail
cd "$(dirname "$0")"
GATEWAYD=${GATEWAYD:-../../bin/gatewayd}
PROXY_URL=${PROXY_URL:-http://localhost:8000}
export DECK_UPSTREAM=${DECK_UPSTREAM:-http://127.0.0.1:9000}
export DECK_EXAMPLE_KEY=${DECK_EXAMPLE_KEY:-example-secret-key}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== validate offline (schemas, references, uniqueness)"
"$GATEWAYD" config validate -s kong.yaml

echo "== diff: exit code 2 means there is something to change"
set +e
"$GATEWAYD" config diff -s kong.yaml
code=$?
set -e
[ "$code" = 2 ] || { echo "expected diff to exit 2, got $code" >&2; exit 1; }

echo "== sync"
"$GATEWAYD" config sync -s kong.yaml

echo "== diff again: nothing left to do (exit 0)"
"$GATEWAYD" config diff -s kong.yaml

echo "== the routes work"
for _ in $(seq 1 50); do
  if curl -sS -f "$PROXY_URL/example/hello" >/dev/null; then break; fi
  sleep 0.1
done
curl -sS -f "$PROXY_URL/example/hello"; echo
status=$(curl -s -o /dev/null -w '%{http_code}' "$PROXY_URL/private")
echo "without a key: $status"
curl -sS -f -H "apikey: $DECK_EXAMPLE_KEY" "$PROXY_URL/private/hello"; echo

echo "== dump what the node holds (defaults left out) and check it round-trips"
"$GATEWAYD" config dump --select-tag example -o "$out/dump.yaml"
sed 's/\(key: \).*/\1<secret>/' "$out/dump.yaml"
"$GATEWAYD" config diff -s "$out/dump.yaml"
echo "round trip: no changes"
