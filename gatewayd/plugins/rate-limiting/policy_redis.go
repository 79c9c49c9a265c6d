package ratelimiting

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// go-redis logs every failed dial on its own; the plugin reports Redis
// errors itself (rate-limited), so the client's lines go to the debug level
// of the default logger. Rate-limiting is the only go-redis user.
func init() { redis.SetLogger(redisLogger{}) }

type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	if l := slog.Default(); l.Enabled(ctx, slog.LevelDebug) {
		l.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
	}
}

// emptyUUID stands for "no route" / "no service" in counter keys, as in
// Kong's policies/init.lua.
const emptyUUID = "00000000-0000-0000-0000-000000000000"

// incrScript is Kong's redis usage script, run for every configured period
// at once: each counter is incremented, given its expiration when it was
// just created, and its value before this request is returned. One round
// trip per request, atomic across periods.
var incrScript = redis.NewScript(`
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call("incr", key)
  if n == 1 then
    redis.call("expire", key, ARGV[i])
  end
  out[i] = n - 1
end
return out
`)

// syncScript is Kong's sync_to_redis script for batched counting
// (sync_rate > 0): add the local delta and, on a new key, set its absolute
// expiration.
var syncScript = redis.NewScript(`
for i, key in ipairs(KEYS) do
  local exists = redis.call("exists", key)
  redis.call("incrby", key, tonumber(ARGV[2*i-1]))
  if exists == 0 then
    redis.call("expireat", key, ARGV[2*i])
  end
end
return 1
`)

// redisConfig is the plugin's redis record.
type redisConfig struct {
	host, username, password, serverName string
	port, database                       int
	timeout                              time.Duration
	ssl, sslVerify                       bool
}

func parseRedisConfig(m map[string]any) redisConfig {
	rc := redisConfig{
		host: str(m["host"]), username: str(m["username"]), password: str(m["password"]),
		serverName: str(m["server_name"]),
		port:       int(num(m["port"], 6379)), database: int(num(m["database"], 0)),
		timeout: time.Duration(num(m["timeout"], 2000)) * time.Millisecond,
	}
	rc.ssl, _ = m["ssl"].(bool)
	rc.sslVerify, _ = m["ssl_verify"].(bool)
	return rc
}

// keepKey names the client shared by every instance using the same
// server, credentials and TLS settings (Kong's connection pool key). The
// password is hashed so it does not sit in the key.
func (rc redisConfig) keepKey() string {
	sum := sha256.Sum256([]byte(rc.username + "\x00" + rc.password))
	return fmt.Sprintf("rate-limiting:redis:%s:%d/%d;%s;%v;%v;%s;%s", rc.host, rc.port, rc.database,
		rc.timeout, rc.ssl, rc.sslVerify, rc.serverName, hex.EncodeToString(sum[:8]))
}

// redisStore is one Redis client kept across snapshots through Host.Keep,
// plus the local counters of batched (sync_rate > 0) instances. Closing it
// closes the client; requests still holding it are let through uncounted.
type redisStore struct {
	client *redis.Client
	log    *slog.Logger
	closed atomic.Bool

	mu      sync.Mutex
	cached  map[string]*cachedCounter
	pending *time.Timer
	// lastErrLog rate-limits error logging to one line per second.
	lastErrLog atomic.Int64
}

// cachedCounter is a batched counter: the value last read from Redis, the
// increments not yet sent, and when the window's key expires.
type cachedCounter struct {
	usage, delta int64
	expireAt     int64
}

func newRedisStore(rc redisConfig, log *slog.Logger) *redisStore {
	opt := &redis.Options{
		Addr:     net.JoinHostPort(rc.host, strconv.Itoa(rc.port)),
		Username: rc.username, Password: rc.password, DB: rc.database,
		Protocol: 2, DisableIdentity: true,
		// Kong makes one attempt per request; fail fast and let
		// fault_tolerant decide.
		MaxRetries: -1, DialerRetries: 1,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	if rc.timeout > 0 {
		opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = rc.timeout, rc.timeout, rc.timeout
	}
	if rc.ssl {
		name := rc.serverName
		if name == "" {
			name = rc.host
		}
		opt.TLSConfig = &tls.Config{ServerName: name, InsecureSkipVerify: !rc.sslVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // ssl_verify=false is the user's choice, as in Kong
	}
	return &redisStore{client: redis.NewClient(opt), log: log, cached: map[string]*cachedCounter{}}
}

// Close stops a pending sync and closes the client.
func (s *redisStore) Close() error {
	s.closed.Store(true)
	s.mu.Lock()
	if s.pending != nil {
		s.pending.Stop()
	}
	s.mu.Unlock()
	return s.client.Close()
}

// redisPolicy counts one instance's requests in a redisStore.
type redisPolicy struct {
	store              *redisStore
	routeID, serviceID string
	// syncRate is zero for Kong's realtime mode (sync_rate = -1).
	syncRate time.Duration
}

// key is Kong's counter key:
// ratelimit:<route_id>:<service_id>:<identifier>:<period_date ms>:<period>.
func (rp *redisPolicy) key(id string, start int64, p int) string {
	return "ratelimit:" + rp.routeID + ":" + rp.serviceID + ":" + id + ":" +
		strconv.FormatInt(start*1000, 10) + ":" + periodNames[p]
}

func (rp *redisPolicy) count(l *limiter, id identifier, now int64, starts *[numPeriods]int64, usage *[numPeriods]int64) error {
	s := rp.store
	if s.closed.Load() {
		return errClosed
	}
	ident := id.String()
	if rp.syncRate > 0 {
		return rp.countBatched(l, ident, now, starts, usage)
	}
	keys := make([]string, len(l.periods))
	args := make([]any, len(l.periods))
	for i, p := range l.periods {
		keys[i] = rp.key(ident, starts[p], p)
		args[i] = expiration[p]
	}
	vals, err := s.run(incrScript, keys, args)
	if err != nil {
		return err
	}
	for i, p := range l.periods {
		usage[p] = vals[i]
	}
	return nil
}

func (s *redisStore) run(script *redis.Script, keys []string, args []any) ([]int64, error) {
	res, err := script.Run(context.Background(), s.client, keys, args...).Int64Slice()
	if err != nil && s.closed.Load() {
		return nil, errClosed
	}
	return res, err
}

// countBatched is Kong's redis policy with sync_rate > 0: usage comes from
// a local copy of each counter, read from Redis once per sync interval,
// and increments are sent every sync_rate seconds.
func (rp *redisPolicy) countBatched(l *limiter, ident string, now int64, starts *[numPeriods]int64, usage *[numPeriods]int64) error {
	s := rp.store
	var keys [numPeriods]string
	var missing []string
	var missingP []int
	var fetched uint8
	s.mu.Lock()
	for _, p := range l.periods {
		k := rp.key(ident, starts[p], p)
		keys[p] = k
		c := s.cached[k]
		switch {
		case c == nil:
			missing = append(missing, k)
			missingP = append(missingP, p)
		case c.expireAt > now:
			usage[p] = c.usage + c.delta
		default:
			// Kong restarts an expired local copy at zero.
			c.usage, c.delta, c.expireAt = 0, 0, starts[p]+expiration[p]
			usage[p] = 0
		}
	}
	s.mu.Unlock()
	if len(missing) > 0 {
		args := make([]any, len(missingP))
		for i, p := range missingP {
			args[i] = expiration[p]
		}
		vals, err := s.run(incrScript, missing, args)
		if err != nil {
			return err
		}
		s.mu.Lock()
		for i, p := range missingP {
			usage[p] = vals[i]
			// The read counted this request in Redis already. (Kong keeps
			// the value before the read and a delta of -1, so its local
			// view lags one request behind; gatewayd's does not.)
			s.cached[missing[i]] = &cachedCounter{usage: vals[i] + 1, expireAt: starts[p] + expiration[p]}
			fetched |= 1 << p
		}
		s.mu.Unlock()
	}
	for _, p := range l.periods {
		if l.limits[p]-float64(usage[p]) <= 0 {
			return nil // rejected: Kong does not count it
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range l.periods {
		if fetched&(1<<p) != 0 {
			continue
		}
		c := s.cached[keys[p]]
		if c == nil {
			c = &cachedCounter{expireAt: starts[p] + expiration[p]}
			s.cached[keys[p]] = c
		}
		c.delta++
	}
	if s.pending == nil && !s.closed.Load() {
		s.pending = time.AfterFunc(rp.syncRate, s.sync)
	}
	return nil
}

// sync sends the batched increments and drops the local copies, so the
// next requests read fresh values (Kong's sync_to_redis).
func (s *redisStore) sync() {
	s.mu.Lock()
	s.pending = nil
	var keys []string
	var args []any
	for k, c := range s.cached {
		if c.delta != 0 {
			keys = append(keys, k)
			args = append(args, c.delta, c.expireAt)
		}
	}
	clear(s.cached)
	s.mu.Unlock()
	if len(keys) == 0 || s.closed.Load() {
		return
	}
	if _, err := syncScript.Run(context.Background(), s.client, keys, args...).Result(); err != nil && !s.closed.Load() {
		s.logError("[rate-limiting] failed to sync counters to Redis", err)
	}
}

func (s *redisStore) logError(msg string, err error) {
	now := time.Now().Unix()
	if last := s.lastErrLog.Load(); last != now && s.lastErrLog.CompareAndSwap(last, now) {
		s.log.Error(msg, "error", err)
	}
}

var errClosed = errors.New("rate-limiting: counter store closed")

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any, def float64) float64 {
	if f, ok := v.(float64); ok {
		return f
	}
	return def
}
