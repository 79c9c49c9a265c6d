// Package bundled links every bundled plugin into a binary: importing it
// registers them (each plugin's init calls plugin.Register), like Caddy's
// standard modules. `plugins = bundled` in gatewayd.conf loads them all.
package bundled

import (
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/acl"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/basic-auth"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/bot-detection"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/correlation-id"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/cors"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/file-log"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/hmac-auth"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/http-log"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/ip-restriction"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/jwt"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/key-auth"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/prometheus"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/proxy-cache"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/rate-limiting"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/request-size-limiting"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/request-termination"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/request-transformer"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/response-transformer"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/tcp-log"
)
