#!/usr/bin/env bash
# Protect the quickstart service with key-auth and rate-limiting, as in
# Kong's "protect your services" guide, and show the answers a client gets.
# Run examples/quickstart/quickstart.sh first.
#   ADMIN_URL   Admin API (default http://localhost:8001)
#   PROXY_URL   proxy     (default http://localhost:8000)
set -euo pipefail
ADMIN_URL=${ADMIN_URL:-http://localhost:8001}
PROXY_URL=${PROXY_URL:-http://localhost:8000}

# The key-auth plugin goes last: once it answers 401, everything created
# before it is live too (changes reach the proxy in order, within milliseconds).
echo "== allow 3 requests per minute per consumer"
curl -sS -f -X POST "$ADMIN_URL/services/example-service/plugins" \
  --data name=rate-limiting --data config.minute=3 --data config.policy=local >/dev/null
echo "== a consumer with a key"
curl -sS -f -X POST "$ADMIN_URL/consumers" --data username=alice >/dev/null
curl -sS -f -X POST "$ADMIN_URL/consumers/alice/key-auth" --data key=alice-secret >/dev/null
echo "== require an API key"
curl -sS -f -X POST "$ADMIN_URL/services/example-service/plugins" --data name=key-auth >/dev/null

status() { curl -sS -o /dev/null -w '%{http_code}' "$@"; }

echo "== without a key"
for _ in $(seq 1 50); do
  [ "$(status "$PROXY_URL/test/anything")" = 401 ] && break
  sleep 0.1
done
curl -sS -i "$PROXY_URL/test/anything" | sed -n '1p;/^WWW-Authenticate/p;$p'
echo
echo "== with the key"
curl -sS -i -H 'apikey: alice-secret' "$PROXY_URL/test/anything" | grep -E '^(HTTP|X-RateLimit-Remaining-Minute)'
status -H 'apikey: alice-secret' "$PROXY_URL/test/anything" >/dev/null
status -H 'apikey: alice-secret' "$PROXY_URL/test/anything" >/dev/null
echo "== over the limit"
curl -sS -i -H 'apikey: alice-secret' "$PROXY_URL/test/anything" | sed -n '1p;/^Retry-After/p;$p'
echo
