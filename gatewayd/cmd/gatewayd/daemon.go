package main

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/admin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/conf"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/declarative"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/proxy"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store/sqlstore"
	"github.com/google/uuid"
)

// daemon is one running gatewayd: store, runtime, proxy, admin and status.
type daemon struct {
	cfg       *conf.Config
	log       *slog.Logger
	store     *sqlstore.Store
	runtime   *runtime.Manager
	proxy     *proxy.Proxy
	accessLog *proxy.AccessLog
	plugins   *plugin.Catalog
	registry  *schema.Registry
	dbless    *declarative.DBless // database = off only
	host      *plugin.Host
	nodeID    string
	closers   []func(context.Context) error
	errs      chan error
	logFile   *os.File
}

// run starts everything, blocks until a stop signal or a fatal listener
// error, then shuts down gracefully.
func run(ctx context.Context, cfg *conf.Config, foreground bool) error {
	d := &daemon{cfg: cfg, errs: make(chan error, 16)}
	if err := d.prepare(foreground); err != nil {
		return err
	}
	defer d.cleanup()
	if err := d.openStore(ctx); err != nil {
		return err
	}
	if err := d.serve(ctx); err != nil {
		d.shutdown()
		return err
	}
	d.log.Info("gatewayd started", "version", Version, "pid", os.Getpid(), "prefix", cfg.Prefix,
		"proxy", listenAddrs(cfg.ProxyListen), "admin", listenAddrs(cfg.AdminListen), "status", listenAddrs(cfg.StatusListen))
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			d.log.Info("stopping", "reason", context.Cause(ctx))
			d.shutdown()
			return nil
		case runErr := <-d.errs:
			d.log.Error("listener failed; stopping", "err", runErr)
			d.shutdown()
			return runErr
		case <-hup:
			// gatewayd reload: rebuild the snapshot from the store now.
			if err := d.runtime.Load(ctx); err != nil {
				d.log.Error("reload failed; keeping the previous snapshot", "err", err)
			} else {
				d.log.Info("configuration reloaded", "revision", d.runtime.Current().Revision)
			}
		}
	}
}

// prepare creates the prefix layout, logging and the pid file.
func (d *daemon) prepare(foreground bool) error {
	cfg := d.cfg
	for _, dir := range []string{cfg.Prefix, cfg.Path("logs"), cfg.Path("data")} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	var w io.Writer = io.Discard
	if p := cfg.ErrorLog(); p != "" {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("opening error log: %w", err)
		}
		d.logFile = f
		w = f
	}
	if foreground {
		w = io.MultiWriter(w, os.Stderr)
	}
	d.log = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: logLevel(cfg.LogLevel)}))
	slog.SetDefault(d.log)
	return writePIDFile(cfg.PIDFile())
}

func logLevel(s string) slog.Level {
	switch s {
	case "debug":
		return slog.LevelDebug
	case "info", "notice":
		return slog.LevelInfo
	case "warn":
		return slog.LevelWarn
	}
	return slog.LevelError
}

// writePIDFile refuses to start over a live instance on the same prefix.
func writePIDFile(path string) error {
	if pid, err := readPID(path); err == nil && processAlive(pid) {
		return fmt.Errorf("gatewayd is already running in this prefix (pid %d); stop it with 'gatewayd stop'", pid)
	}
	return os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
}

func readPID(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(data)))
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}

func (d *daemon) openStore(ctx context.Context) error {
	sc, err := storeConfig(d.cfg)
	if err != nil {
		return err
	}
	st, err := sqlstore.Open(ctx, sc, metas())
	if err != nil {
		return fmt.Errorf("opening the %s database: %w", d.cfg.Database, err)
	}
	d.store = st
	if d.plugins, err = catalog(d.cfg); err != nil {
		return err
	}
	d.registry = registry(d.plugins)
	if d.cfg.Database == conf.DatabaseOff {
		if err := d.loadDeclarative(ctx); err != nil {
			return err
		}
	}
	if d.nodeID, err = loadNodeID(d.cfg); err != nil {
		return err
	}
	hostname, _ := os.Hostname()
	d.host = plugin.NewHost(d.nodeID, hostname, Version, d.log)
	d.host.DatastoreReachable = func() bool {
		pctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return st.Ping(pctx) == nil
	}
	d.runtime = runtime.NewManager(st, d.log)
	d.runtime.Plugins = runtime.Plugins{Catalog: d.plugins, Host: d.host, Logger: d.log}
	d.host.Targets = func() []plugin.TargetHealth {
		if snap := d.runtime.Current(); snap != nil {
			return snap.TargetHealth()
		}
		return nil
	}
	if err := d.runtime.Load(ctx); err != nil {
		return err
	}
	return nil
}

// loadDeclarative prepares DB-less mode: the persisted configuration is
// kept unless declarative_config_string or declarative_config names one,
// which then replaces it (an invalid one stops the start, naming every
// problem with its file and line).
func (d *daemon) loadDeclarative(ctx context.Context) error {
	d.dbless = declarative.NewDBless(d.registry, d.store, metaNames())
	if err := d.dbless.Init(ctx); err != nil {
		return err
	}
	var src declarative.Source
	switch {
	case d.cfg.DeclarativeConfigString != "":
		src = declarative.Source{Name: "declarative_config_string", Data: []byte(d.cfg.DeclarativeConfigString)}
	case d.cfg.DeclarativeConfig != "":
		data, err := os.ReadFile(d.cfg.DeclarativeConfig)
		if err != nil {
			return fmt.Errorf("declarative_config: %w", err)
		}
		src = declarative.Source{Name: d.cfg.DeclarativeConfig, Data: data}
	default:
		d.log.Info("DB-less mode: serving the persisted configuration", "configuration_hash", d.dbless.Hash())
		return nil
	}
	f, err := declarative.Parse(d.registry, []declarative.Source{src}, declarative.ParseOptions{Env: os.LookupEnv})
	if err != nil {
		return fmt.Errorf("loading the declarative configuration: %w", err)
	}
	r, err := d.dbless.Load(ctx, f)
	if err != nil {
		return fmt.Errorf("loading the declarative configuration: %w", err)
	}
	d.log.Info("DB-less mode: declarative configuration loaded", "source", src.Name, "entities", r.Count(),
		"configuration_hash", d.dbless.Hash())
	return nil
}

func (d *daemon) serve(ctx context.Context) error {
	cfg := d.cfg
	// Registered first so it runs last: log plugins flush once no request
	// can reach them any more.
	d.closers = append(d.closers, func(context.Context) error { d.host.Close(); return nil })
	if p := cfg.AccessLog(); p != "" {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("opening access log: %w", err)
		}
		d.accessLog = proxy.NewAccessLog(f)
		d.closers = append(d.closers, func(context.Context) error { d.accessLog.Close(); return f.Close() })
	}
	proxyCert, err := loadOrCreateCert(cfg, "proxy", cfg.SSLCert, cfg.SSLCertKey)
	if err != nil {
		return err
	}
	d.proxy = proxy.New(proxy.Options{
		Version:           Version,
		Snapshot:          d.runtime.Current,
		TrustedIPs:        cfg.TrustedIPs,
		RealIPHeader:      cfg.RealIPHeader,
		RealIPRecursive:   cfg.RealIPRecursive,
		AllowDebugHeader:  cfg.AllowDebugHeader,
		InlineSocketIO:    cfg.ProxyInlineIO,
		ServerTokens:      hasHeader(cfg.Headers, "server_tokens"),
		LatencyTokens:     hasHeader(cfg.Headers, "latency_tokens"),
		RequestIDHeader:   hasHeader(cfg.Headers, "X-Gatewayd-Request-Id"),
		UpstreamRequestID: hasHeader(cfg.HeadersUpstream, "X-Gatewayd-Request-Id"),
		ErrorDefaultType:  cfg.ErrorDefaultType,
		MaxHeaderBytes:    cfg.LargeClientHeaderBytes,
		ReadHeaderTimeout: cfg.ClientHeaderTimeout,
		IdleTimeout:       75 * time.Second,
		MaxBodyBytes:      cfg.ClientMaxBodySize,
		KeepaliveIdle:     cfg.UpstreamKeepaliveIdleTimeout,
		DefaultCert:       proxyCert,
		AccessLog:         d.accessLog,
		Logger:            d.log,
	})

	rctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); d.runtime.Run(rctx) }()
	d.closers = append(d.closers, func(context.Context) error { cancel(); wg.Wait(); return nil })

	for _, l := range cfg.ProxyListen {
		if err := d.serveProxy(l); err != nil {
			return err
		}
	}
	d.host.ServerStatus = d.proxy.ServerStatus
	nodeID := d.nodeID
	adminAPI := admin.New(admin.Options{
		Registry:      d.registry,
		Store:         d.store,
		Plugins:       d.plugins,
		Version:       Version,
		KongVersion:   KongVersion,
		NodeID:        nodeID,
		Configuration: cfg.Redacted(),
		Token:         cfg.AdminToken,
		ReadOnly:      d.dbless != nil,
		Declarative:   d.dbless,
		ServerStatus:  d.proxy.ServerStatus,
		Logger:        d.log,
	})
	d.purgeExpired(adminAPI)
	adminHandler := d.pluginEndpoints(adminAPI, cfg.AdminToken)
	adminCert, err := loadOrCreateCert(cfg, "admin", cfg.AdminSSLCert, cfg.AdminSSLCertKey)
	if err != nil {
		return err
	}
	for _, l := range cfg.AdminListen {
		if err := d.serveHTTP("admin", l, adminHandler, adminCert); err != nil {
			return err
		}
	}
	statusCert, err := loadOrCreateCert(cfg, "status", cfg.StatusSSLCert, cfg.StatusSSLCertKey)
	if err != nil {
		return err
	}
	for _, l := range cfg.StatusListen {
		if err := d.serveHTTP("status", l, d.statusHandler(adminAPI), statusCert); err != nil {
			return err
		}
	}
	return nil
}

func hasHeader(list []string, name string) bool {
	for _, h := range list {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

func (d *daemon) serveProxy(l conf.Listener) error {
	ln, err := net.Listen("tcp", l.Addr())
	if err != nil {
		return fmt.Errorf("proxy_listen %s: %w", l.Addr(), err)
	}
	ln = d.proxy.WrapListener(ln)
	scheme := "http"
	if l.SSL {
		scheme = "https"
		ln = tls.NewListener(ln, d.proxy.TLSConfig())
	}
	srv := d.proxy.NewServer(proxy.Listener{Scheme: scheme, Port: l.Port})
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, net.ErrClosed) {
			d.errs <- fmt.Errorf("proxy %s: %w", l.Addr(), err)
		}
	}()
	d.closers = append(d.closers, func(ctx context.Context) error { return srv.ShutdownWithContext(ctx) })
	return nil
}

func (d *daemon) serveHTTP(name string, l conf.Listener, h http.Handler, cert *tls.Certificate) error {
	ln, err := net.Listen("tcp", l.Addr())
	if err != nil {
		return fmt.Errorf("%s_listen %s: %w", name, l.Addr(), err)
	}
	if l.SSL {
		ln = tls.NewListener(ln, &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{*cert}})
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.errs <- fmt.Errorf("%s %s: %w", name, l.Addr(), err)
		}
	}()
	d.closers = append(d.closers, srv.Shutdown)
	return nil
}

// statusHandler serves the status listener: /status (as on the admin API)
// and /status/ready for load balancers and orchestration.
func (d *daemon) statusHandler(adminHandler http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/status", adminHandler)
	mux.HandleFunc("/status/ready", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Server", "gatewayd/"+Version)
		if d.runtime.Current() == nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"message":"no configuration loaded"}`)
			return
		}
		if err := d.store.Ping(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"message":"database unreachable"}`)
			return
		}
		_, _ = io.WriteString(w, `{"message":"ready"}`)
	})
	mux.Handle("/", d.pluginEndpoints(http.NotFoundHandler(), ""))
	return mux
}

// pluginEndpoints serves the loaded plugins' endpoints (prometheus'
// /metrics) in front of next. On the admin listener they require the admin
// token like every admin path.
func (d *daemon) pluginEndpoints(next http.Handler, token string) http.Handler {
	mux := http.NewServeMux()
	n := 0
	for _, name := range d.plugins.Names() {
		spec, _ := d.plugins.Spec(name)
		if spec.Endpoints == nil {
			continue
		}
		for _, e := range spec.Endpoints(d.host) {
			mux.Handle(e.Path, e.Handler)
			n++
		}
	}
	if n == 0 {
		return next
	}
	mux.Handle("/", next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, pattern := mux.Handler(r); pattern != "/" {
			if token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) != 1 {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"message":"Unauthorized"}`)
				return
			}
			h.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (d *daemon) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := len(d.closers) - 1; i >= 0; i-- {
		if err := d.closers[i](ctx); err != nil {
			d.log.Warn("shutdown step failed", "err", err)
		}
	}
	d.closers = nil
}

func (d *daemon) cleanup() {
	if d.store != nil {
		_ = d.store.Close()
	}
	if pid, err := readPID(d.cfg.PIDFile()); err == nil && pid == os.Getpid() {
		_ = os.Remove(d.cfg.PIDFile())
	}
	if d.log != nil {
		d.log.Info("gatewayd stopped")
	}
	if d.logFile != nil {
		_ = d.logFile.Close()
	}
}

func listenAddrs(ls []conf.Listener) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.Addr()
		if l.SSL {
			parts[i] += " ssl"
		}
	}
	return strings.Join(parts, ", ")
}

// loadNodeID keeps a stable node id in the prefix across restarts.
func loadNodeID(cfg *conf.Config) (string, error) {
	path := cfg.Path("node.id")
	if data, err := os.ReadFile(path); err == nil {
		if id := strings.TrimSpace(string(data)); id != "" {
			return id, nil
		}
	}
	id := uuid.NewString()
	if err := os.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	return id, nil
}

// purgeExpired deletes credentials whose ttl passed, every 30 s, so their
// keys can be reused (reads hide them as soon as they expire).
func (d *daemon) purgeExpired(a *admin.Server) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if n, err := a.PurgeExpired(ctx); err != nil {
					d.log.Warn("purging expired credentials", "err", err)
				} else if n > 0 {
					d.log.Info("purged expired credentials", "count", n)
				}
			}
		}
	}()
	d.closers = append(d.closers, func(context.Context) error { cancel(); <-done; return nil })
}
