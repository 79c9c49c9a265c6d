// Package ratelimiting is Kong's rate-limiting plugin: fixed windows per
// second, minute, hour, day, month and year, counted per consumer,
// credential, IP, service, header value or path, in memory (local) or in
// Redis, with Kong's X-RateLimit-* and RateLimit-* headers.
//
// Known deviations from Kong 3.9:
//   - policy cluster keeps counters in Kong's database; gatewayd counts
//     like local (per node) and logs a warning once per plugin instance.
//   - local counters belong to one plugin instance (Kong's shared-dict keys
//     are per route/service scope, so a consumer-scoped and a global
//     instance would share them). Checking and counting is atomic, where
//     Kong counts in a timer after the check and may let bursts overshoot.
//   - redis: one EVALSHA per request increments every configured window
//     (Kong sends one EVAL per window); keys, values and expirations are
//     Kong's, so gatewayd and Kong nodes can share a Redis.
//   - redis with sync_rate: the local copy includes the request that read
//     it (Kong's lags one request behind).
package ratelimiting

import (
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        "rate-limiting",
		Priority:    910,
		Description: "Limit how many HTTP requests can be made in a given period of seconds, minutes, hours, days, months, or years.",
		Config:      configFields,
		Checks:      checks,
		New:         New,
		// Reads ids only, never the stored entity documents.
		NoEntityDocs: true,
	})
}

// limitBy is config.limit_by, compiled.
type limitBy uint8

const (
	byConsumer limitBy = iota
	byCredential
	byIP
	byService
	byHeader
	byPath
	byConsumerGroup
)

// limiter is one compiled rate-limiting instance.
type limiter struct {
	// periods lists the configured periods, shortest first; mask has
	// their bits.
	periods  []int
	mask     uint8
	limits   [numPeriods]float64
	limitStr [numPeriods]string

	by         limitBy
	headerName string
	path       string

	// One of local and redis counts requests (concrete types, so the
	// per-request arrays stay on the stack).
	local         *localStore
	redis         *redisPolicy
	faultTolerant bool
	hide          bool
	errorCode     int
	errorMessage  string

	host       *plugin.Host
	log        *slog.Logger
	lastErrLog atomic.Int64
}

// New compiles one validated config.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	l := &limiter{
		headerName:    str(cfg["header_name"]),
		path:          str(cfg["path"]),
		faultTolerant: cfg["fault_tolerant"] != false,
		hide:          cfg["hide_client_headers"] == true,
		errorCode:     int(num(cfg["error_code"], 429)),
		errorMessage:  "API rate limit exceeded",
		host:          env.Host,
		log:           env.Logger,
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	if m, ok := cfg["error_message"].(string); ok {
		l.errorMessage = m
	}
	for p, name := range periodNames {
		if v, ok := cfg[name].(float64); ok {
			l.periods = append(l.periods, p)
			l.mask |= 1 << p
			l.limits[p] = v
			l.limitStr[p] = formatNumber(v)
		}
	}
	if len(l.periods) == 0 {
		return nil, errors.New("no limit configured")
	}
	for i, v := range limitByValues {
		if cfg["limit_by"] == v {
			l.by = limitBy(i)
		}
	}

	switch pol := str(cfg["policy"]); pol {
	case "redis":
		redisDoc, _ := cfg["redis"].(map[string]any)
		rc := parseRedisConfig(redisDoc)
		v, err := env.Host.Keep(rc.keepKey(), func() (any, error) { return newRedisStore(rc, l.log), nil })
		if err != nil {
			return nil, err
		}
		rp := &redisPolicy{store: v.(*redisStore), routeID: orEmptyUUID(env.RouteID), serviceID: orEmptyUUID(env.ServiceID)}
		if rate := num(cfg["sync_rate"], syncRateRealtime); rate > 0 {
			rp.syncRate = time.Duration(rate * float64(time.Second))
		}
		l.redis = rp
	default:
		if pol == "cluster" {
			// Known deviation: no database counters; count per node.
			_, _ = env.Host.Keep("rate-limiting:cluster-warning:"+env.ID, func() (any, error) {
				l.log.Warn("the cluster policy is not supported by gatewayd; counting per node like the local policy", "plugin_id", env.ID)
				return struct{}{}, nil
			})
		}
		v, err := env.Host.Keep("rate-limiting:local:"+env.ID, func() (any, error) { return newLocalStore(), nil })
		if err != nil {
			return nil, err
		}
		l.local = v.(*localStore)
	}
	return l, nil
}

func orEmptyUUID(id string) string {
	if id == "" {
		return emptyUUID
	}
	return id
}

// now is the time requests are counted at: the host's clock when one is
// pinned (tests), else the time the request started, as Kong counts with
// ngx.now() (the event loop's cached time); reading the clock again costs
// about 0.1 µs per request on a VM.
func (l *limiter) now(c *plugin.Context) time.Time {
	if l.host != nil && l.host.Now != nil {
		return l.host.Now()
	}
	if c != nil && !c.Started.IsZero() {
		return c.Started
	}
	return time.Now()
}

// identifier is Kong's get_identifier: the entity limit_by names, or the
// client IP when the request does not have one.
func (l *limiter) identifier(c *plugin.Context) identifier {
	switch l.by {
	case byConsumer:
		if cons := c.Consumer(); cons != nil && cons.ID != "" {
			return identifier{s: cons.ID}
		}
		if cred := c.Credential(); cred != nil && cred.ID != "" {
			return identifier{s: cred.ID}
		}
	case byCredential:
		if cred := c.Credential(); cred != nil && cred.ID != "" {
			return identifier{s: cred.ID}
		}
	case byService:
		if svc := c.Service(); svc != nil && svc.ID != "" {
			return identifier{s: svc.ID}
		}
	case byHeader:
		if v := c.Header(l.headerName); len(v) > 0 {
			return identifier{s: string(v)}
		}
	case byPath:
		if string(c.Path()) == l.path {
			return identifier{s: l.path}
		}
	}
	return identifier{ip: c.ClientIP()}
}

// Access counts the request and answers error_code once a limit is
// reached. Like Kong, the usage before this request is compared with the
// limit, so exactly `limit` requests pass per window.
func (l *limiter) Access(c *plugin.Context) {
	now := l.now(c).Unix()
	starts := windowStarts(now, l.mask)
	var usage [numPeriods]int64
	var err error
	if l.local != nil {
		err = l.local.count(l, l.identifier(c), now, &starts, &usage)
	} else {
		err = l.redis.count(l, l.identifier(c), now, &starts, &usage)
	}
	if err != nil {
		if errors.Is(err, errClosed) {
			return // the instance was removed while this request ran
		}
		l.logError("failed to get usage", err)
		if !l.faultTolerant {
			c.Error(500, "An unexpected error occurred")
		}
		return
	}

	stop := false
	for _, p := range l.periods {
		if l.limits[p]-float64(usage[p]) <= 0 {
			stop = true
		}
	}
	var reset int64
	if !l.hide {
		best, bestRemaining, bestText := -1, 0.0, ""
		for _, p := range l.periods {
			remaining := l.limits[p] - float64(usage[p])
			if !stop || remaining <= 0 {
				remaining-- // this request, or the exhausted window
			}
			if remaining < 0 {
				remaining = 0
			}
			text := formatNumber(remaining) // formatted once, used twice
			// The most restrictive window; on a tie the longer one.
			if best < 0 || remaining <= bestRemaining {
				best, bestRemaining, bestText = p, remaining, text
				reset = max(1, expiration[p]-(now-starts[p]))
			}
			c.SetResponseHeader(limitHeaders[p], l.limitStr[p])
			c.SetResponseHeader(remainingHeaders[p], text)
		}
		c.SetResponseHeader(headerLimit, l.limitStr[best])
		c.SetResponseHeader(headerRemaining, bestText)
		c.SetResponseHeader(headerReset, itoa(reset))
	}
	if stop {
		if l.hide {
			c.Error(l.errorCode, l.errorMessage)
			return
		}
		c.Error(l.errorCode, l.errorMessage, headerRetryAfter, itoa(reset))
	}
}

// logError logs at most one line per second per instance, so a Redis
// outage does not flood the log.
func (l *limiter) logError(msg string, err error) {
	now := time.Now().Unix()
	if last := l.lastErrLog.Load(); last != now && l.lastErrLog.CompareAndSwap(last, now) {
		l.log.Error(msg, "error", err)
	}
}

var _ plugin.Accessor = (*limiter)(nil)
