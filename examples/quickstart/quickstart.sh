#!/usr/bin/env bash
# Kong's getting-started, verbatim, against gatewayd.
#   ADMIN_URL   Admin API (default http://localhost:8001)
#   PROXY_URL   proxy     (default http://localhost:8000)
#   UPSTREAM    upstream URL (default http://127.0.0.1:9000, e.g. ./bin/echo-upstream)
set -euo pipefail
ADMIN_URL=${ADMIN_URL:-http://localhost:8001}
PROXY_URL=${PROXY_URL:-http://localhost:8000}
UPSTREAM=${UPSTREAM:-http://127.0.0.1:9000}

echo "== create a service"
curl -sS -i -X POST "$ADMIN_URL/services" --data name=example-service --data "url=$UPSTREAM"
echo
echo "== add a route"
curl -sS -i -X POST "$ADMIN_URL/services/example-service/routes" --data 'paths[]=/test'
echo
echo "== proxy a request (the upstream sees /anything)"
for _ in $(seq 1 50); do
  if curl -sS -f "$PROXY_URL/test/anything"; then echo; exit 0; fi
  sleep 0.1
done
echo "the route never went live" >&2
exit 1
