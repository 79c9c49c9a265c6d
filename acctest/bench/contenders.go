package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// The request every contender gets: same path, Host and headers. The
// apikey header only matters to the gatewayd contenders running key-auth.
const (
	benchPath = "/bench/items?x=1"
	benchHost = "bench.local"
	benchKey  = "bench-key"
)

var benchHeaders = [][2]string{{"Host", benchHost}, {"apikey", benchKey}}

// upstreamBody is the upstream's answer: about 150 bytes of JSON.
var upstreamBody = `{"id":"3f2b8c1e-9a4d-4e7b-b1c2-5d6e7f8a9b0c","name":"bench","items":[1,2,3,4,5,6,7,8],"ok":true,"note":"static upstream response used by acctest/bench."}`

// contender is one thing wrk measures.
type contender struct {
	Key   string // stable id: direct, nginx, haproxy, caddy, gatewayd, ...
	Label string // for tables and the chart
	// Gatewayd marks gatewayd contenders (ratios are reported for them).
	Gatewayd bool
	Port     int
	proc     *proc // nil for direct (the upstream's process is shared)
	pid      int
}

// URL is the benchmark request's URL.
func (c *contender) URL() string { return fmt.Sprintf("http://127.0.0.1:%d%s", c.Port, benchPath) }

// contenderDefs lists every contender a mode can run, in table order.
var contenderDefs = []struct {
	key, label string
	gatewayd   bool
	issue      bool // also measured in the issue's configuration
}{
	{"direct", "direct (wrk → upstream)", false, true},
	{"nginx", "nginx", false, true},
	{"haproxy", "HAProxy", false, true},
	{"caddy", "Caddy", false, true},
	{"fasthttp-bare", "bare fasthttp proxy (reference)", false, true},
	{"gatewayd", "gatewayd, no plugins", true, true},
	{"gatewayd-auth", "gatewayd, key-auth + rate-limiting", true, true},
	{"gatewayd-1k", "gatewayd, 1k routes + 1k consumers", true, false},
	{"gatewayd-log", "gatewayd, no plugins, access log on", true, false},
	// Only with -baseline: the same configurations on another build, to
	// compare two builds in one interleaved run.
	{"baseline", "baseline build, no plugins", false, true},
	{"baseline-auth", "baseline build, key-auth + rate-limiting", false, true},
	{"baseline-log", "baseline build, no plugins, access log on", false, false},
}

// layout is where things run in a mode.
type layout struct {
	Name string
	// ProxyCPUs runs the proxy under test; ClientCPUs runs wrk, the load
	// generator and the upstream. Empty: not pinned.
	ProxyCPUs, ClientCPUs string
	// Workers is nginx's worker_processes and HAProxy's nbthread (Go
	// contenders follow the CPU affinity).
	Workers int
}

var (
	layoutPinned = layout{Name: "pinned", ProxyCPUs: "1", ClientCPUs: "0", Workers: 1}
	layoutIssue  = layout{Name: "issue", Workers: 2}
)

// renderConfig renders bench/configs/<name> into the run directory.
func (b *bench) renderConfig(name, dst string, data map[string]any) error {
	src := filepath.Join(b.root, "bench", "configs", name)
	text, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	t, err := template.New(name).Option("missingkey=error").Parse(string(text))
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	var out bytes.Buffer
	if err := t.Execute(&out, data); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	return b.sup.writeFile(dst, out.Bytes())
}

func (b *bench) startNginx(name, conf string, port, upstream int, workers int, cpus string) (*proc, error) {
	dir, err := b.sup.mkdir(name)
	if err != nil {
		return nil, err
	}
	confPath := filepath.Join(dir, "nginx.conf")
	data := map[string]any{"Prefix": dir, "Listen": fmt.Sprintf("127.0.0.1:%d", port), "Workers": workers,
		"Upstream": fmt.Sprintf("127.0.0.1:%d", upstream), "Body": upstreamBody}
	if err := b.renderConfig(conf, confPath, data); err != nil {
		return nil, err
	}
	return b.sup.start(name, cpus, nil, "nginx", "-p", dir, "-e", "stderr", "-c", confPath)
}

func (b *bench) startHAProxy(name string, port, upstream, workers int, cpus string) (*proc, error) {
	dir, err := b.sup.mkdir(name)
	if err != nil {
		return nil, err
	}
	confPath := filepath.Join(dir, "haproxy.cfg")
	data := map[string]any{"Prefix": dir, "Listen": fmt.Sprintf("127.0.0.1:%d", port), "Workers": workers,
		"Upstream": fmt.Sprintf("127.0.0.1:%d", upstream)}
	if err := b.renderConfig("haproxy.cfg", confPath, data); err != nil {
		return nil, err
	}
	return b.sup.start(name, cpus, nil, "haproxy", "-db", "-f", confPath)
}

func (b *bench) startCaddy(name string, port, upstream int, cpus string) (*proc, error) {
	dir, err := b.sup.mkdir(name)
	if err != nil {
		return nil, err
	}
	confPath := filepath.Join(dir, "Caddyfile")
	data := map[string]any{"Port": port, "Upstream": fmt.Sprintf("127.0.0.1:%d", upstream)}
	if err := b.renderConfig("Caddyfile", confPath, data); err != nil {
		return nil, err
	}
	env := []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "XDG_DATA_HOME=" + dir}
	return b.sup.start(name, cpus, env, "caddy", "run", "--config", confPath, "--adapter", "caddyfile")
}

// waitOK polls url until it answers 200 to the benchmark request, the
// process dies or timeout passes.
func waitOK(ctx context.Context, p *proc, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	deadline := time.Now().Add(timeout)
	var last string
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		for _, h := range benchHeaders {
			if h[0] == "Host" {
				req.Host = h[1]
			} else {
				req.Header.Set(h[0], h[1])
			}
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if p != nil && p.exited() {
			return fmt.Errorf("%s exited: %v\n%s", p.name, p.err, tailFile(p.logPath, 4096))
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("GET %s did not answer 200 within %v (last: %s)", url, timeout, last)
			if p != nil {
				msg += "\n" + tailFile(p.logPath, 4096)
			}
			return fmt.Errorf("%s", msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// buildGatewayd builds the daemon into the run directory, unless a binary
// was given (-gatewayd or $GATEWAYD_BIN).
func (b *bench) buildGatewayd(ctx context.Context) (string, error) {
	bin := b.cfg.gatewaydBin
	if bin == "" {
		bin = os.Getenv("GATEWAYD_BIN")
	}
	if bin != "" {
		return b.copyBinary(bin, "gatewayd")
	}
	return b.goBuild(ctx, "gatewayd", "./gatewayd/cmd/gatewayd")
}

// copyBinary copies a binary into the run directory, so the unprivileged
// contenders can execute it.
func (b *bench) copyBinary(src, name string) (string, error) {
	abs, err := filepath.Abs(src)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return "", err
	}
	dst := filepath.Join(b.sup.dir, name)
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		return "", err
	}
	return dst, b.sup.own(dst)
}

// goBuild builds a command of this module into the run directory.
func (b *bench) goBuild(ctx context.Context, name, pkg string) (string, error) {
	dst := filepath.Join(b.sup.dir, name)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dst, pkg)
	cmd.Dir = b.root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return dst, b.sup.own(dst)
}

// gatewaydInstance is a started gatewayd.
type gatewaydInstance struct {
	proc                *proc
	proxyPort           int
	adminURL, statusURL string
}

// startGatewayd starts `gatewayd start` on a fresh SQLite prefix.
func (b *bench) startGatewayd(ctx context.Context, name, cpus, bin string, accessLog bool, env []string) (*gatewaydInstance, error) {
	dir, err := b.sup.mkdir(name)
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	logSetting := "off"
	if accessLog {
		logSetting = "logs/access.log"
	}
	confPath := filepath.Join(dir, "gatewayd.conf")
	data := map[string]any{"Prefix": dir, "Listen": fmt.Sprintf("127.0.0.1:%d", ports[0]),
		"Admin": fmt.Sprintf("127.0.0.1:%d", ports[1]), "Status": fmt.Sprintf("127.0.0.1:%d", ports[2]), "AccessLog": logSetting}
	if err := b.renderConfig("gatewayd.conf", confPath, data); err != nil {
		return nil, err
	}
	p, err := b.sup.start(name, cpus, env, bin, "start", "-c", confPath)
	if err != nil {
		return nil, err
	}
	g := &gatewaydInstance{proc: p, proxyPort: ports[0],
		adminURL:  "http://127.0.0.1:" + strconv.Itoa(ports[1]),
		statusURL: "http://127.0.0.1:" + strconv.Itoa(ports[2])}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(g.statusURL + "/status/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return g, nil
			}
		}
		if p.exited() {
			return nil, fmt.Errorf("%s exited before it was ready: %v\n%s", name, p.err, tailFile(p.logPath, 4096))
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("%s not ready within 30s\n%s", name, tailFile(p.logPath, 4096))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startContenders starts the upstream and every selected contender of a
// layout, configures the gatewayd ones and checks that each answers the
// benchmark request with 200.
func (b *bench) startContenders(ctx context.Context, l layout, keys []string) ([]*contender, *proc, error) {
	ports, err := freePorts(8)
	if err != nil {
		return nil, nil, err
	}
	upPort := ports[0]
	up, err := b.startNginx("upstream-"+l.Name, "nginx-upstream.conf", upPort, 0, 1, l.ClientCPUs)
	if err != nil {
		return nil, nil, err
	}
	direct := &contender{Port: upPort, pid: up.Pid()}
	if err := waitOK(ctx, up, direct.URL(), 15*time.Second); err != nil {
		return nil, nil, fmt.Errorf("upstream: %w", err)
	}
	var out []*contender
	for i, key := range keys {
		c := &contender{Key: key}
		for _, d := range contenderDefs {
			if d.key == key {
				c.Label, c.Gatewayd = d.label, d.gatewayd
			}
		}
		name := key + "-" + l.Name
		port := ports[1+i%7]
		var p *proc
		switch key {
		case "direct":
			c.Port, c.pid = upPort, up.Pid()
			out = append(out, c)
			continue
		case "nginx":
			p, err = b.startNginx(name, "nginx-proxy.conf", port, upPort, l.Workers, l.ProxyCPUs)
		case "haproxy":
			p, err = b.startHAProxy(name, port, upPort, l.Workers, l.ProxyCPUs)
		case "caddy":
			p, err = b.startCaddy(name, port, upPort, l.ProxyCPUs)
		case "fasthttp-bare":
			p, err = b.sup.start(name, l.ProxyCPUs, nil, b.bareBin, "-listen", fmt.Sprintf("127.0.0.1:%d", port),
				"-upstream", fmt.Sprintf("127.0.0.1:%d", upPort))
		case "gatewayd", "gatewayd-auth", "gatewayd-1k", "gatewayd-log", "baseline", "baseline-auth", "baseline-log":
			bin := b.gatewaydBin
			if strings.HasPrefix(key, "baseline") {
				bin = b.baselineBin
			}
			var g *gatewaydInstance
			g, err = b.startGatewayd(ctx, name, l.ProxyCPUs, bin, strings.HasSuffix(key, "-log"), strings.Fields(b.cfg.gatewaydEnv))
			if err != nil {
				break
			}
			p, port = g.proc, g.proxyPort
			kind := map[string]string{"gatewayd": "plain", "gatewayd-log": "plain", "gatewayd-auth": "auth", "gatewayd-1k": "scale",
				"baseline": "plain", "baseline-auth": "auth", "baseline-log": "plain"}[key]
			n := b.cfg.scaleN
			fmt.Fprintf(b.log, "  %s: configuring through the Admin API (%s)\n", name, kind)
			start := time.Now()
			if err = configureGatewayd(ctx, g.adminURL, kind, n, upPort); err == nil {
				fmt.Fprintf(b.log, "  %s: configured in %v\n", name, time.Since(start).Round(time.Millisecond))
			}
		default:
			err = fmt.Errorf("unknown contender %q", key)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		c.proc, c.Port, c.pid = p, port, p.Pid()
		if err := waitOK(ctx, p, c.URL(), 30*time.Second); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, c)
	}
	return out, up, nil
}

// contenderKeys is the selected contender list of a layout.
func (b *bench) contenderKeys(l layout) []string {
	var only map[string]bool
	if b.cfg.only != "" {
		only = map[string]bool{}
		for _, k := range strings.Split(b.cfg.only, ",") {
			only[strings.TrimSpace(k)] = true
		}
	}
	var keys []string
	for _, d := range contenderDefs {
		if only != nil && !only[d.key] {
			continue
		}
		if strings.HasPrefix(d.key, "baseline") && b.baselineBin == "" {
			continue
		}
		if l.Name == layoutIssue.Name && !d.issue {
			continue
		}
		keys = append(keys, d.key)
	}
	return keys
}
