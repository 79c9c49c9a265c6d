package harness_test

// A stand-in for the gatewayd binary, so the harness's process handling can be tested
// before (and independently of) the real daemon: the test binary re-executes itself with
// HARNESS_FAKE_GATEWAYD=1 and behaves like `gatewayd start|migrations bootstrap -c <conf>`.
// HARNESS_FAKE_MODE picks a misbehaviour.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
)

func TestMain(m *testing.M) {
	if os.Getenv("HARNESS_FAKE_GATEWAYD") == "1" {
		os.Exit(fakeGatewayd(os.Args[1:]))
	}
	os.Exit(harness.RunMain(m))
}

// fakeOptions runs the fake instead of a built gatewayd.
func fakeOptions(mode string) harness.Options {
	return harness.Options{
		Bin: os.Args[0],
		Env: []string{"HARNESS_FAKE_GATEWAYD=1", "HARNESS_FAKE_MODE=" + mode},
	}
}

func readConf(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("bad line %q", line)
		}
		kv[strings.TrimSpace(k)] = strings.ReplaceAll(strings.TrimSpace(v), `\#`, "#")
	}
	return kv, sc.Err()
}

func fakeGatewayd(args []string) int {
	mode := os.Getenv("HARNESS_FAKE_MODE")
	var conf string
	for i, a := range args {
		if a == "-c" && i+1 < len(args) {
			conf = args[i+1]
		}
	}
	kv, err := readConf(conf)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake: reading conf:", err)
		return 2
	}
	switch {
	case len(args) >= 2 && args[0] == "migrations" && args[1] == "bootstrap":
		if mode == "migrate-fail" {
			fmt.Fprintln(os.Stderr, "fake: cannot reach the database")
			return 1
		}
		data, _ := json.Marshal(kv)
		if err := os.WriteFile(filepath.Join(kv["prefix"], "migrated"), data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "fake:", err)
			return 1
		}
		fmt.Println("fake: database bootstrapped")
		return 0
	case len(args) >= 1 && args[0] == "start":
	default:
		fmt.Fprintf(os.Stderr, "fake: unexpected arguments %q\n", args)
		return 2
	}

	fmt.Printf("fake: starting pid %d\n", os.Getpid())
	fmt.Fprintln(os.Stderr, "fake: a line on stderr")
	if mode == "exit" {
		fmt.Fprintln(os.Stderr, "fake: boom: bad configuration")
		return 3
	}
	migrated := ""
	if data, err := os.ReadFile(filepath.Join(kv["prefix"], "migrated")); err == nil {
		migrated = string(data)
	}

	status := http.NewServeMux()
	status.HandleFunc("/status/ready", func(w http.ResponseWriter, r *http.Request) {
		if mode == "never-ready" {
			http.Error(w, `{"message":"no configuration available"}`, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"message":"ready"}`)
	})
	admin := http.NewServeMux()
	admin.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		env := map[string]string{}
		for _, e := range os.Environ() {
			if k, v, ok := strings.Cut(e, "="); ok && strings.HasPrefix(k, "GATEWAYD_") {
				env[k] = v
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"version": "3.9.1", "pid": os.Getpid(), "conf": kv, "env": env,
			"migrated": migrated, "authorization": r.Header.Get("Authorization"),
		})
	})
	admin.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Fake", "yes")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "content_type": r.Header.Get("Content-Type"), "body": string(body),
		})
	})
	admin.HandleFunc("DELETE /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	admin.HandleFunc("/array", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `[1,2]`) })
	admin.HandleFunc("POST /crash", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		go func() {
			time.Sleep(20 * time.Millisecond)
			fmt.Fprintln(os.Stderr, "fake: panic: something went wrong")
			os.Exit(2)
		}()
	})

	var servers []*http.Server
	serve := func(addr string, h http.Handler) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		s := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		servers = append(servers, s)
		go func() { _ = s.Serve(ln) }()
		return nil
	}
	proxyAddr := strings.Fields(strings.Split(kv["proxy_listen"], ",")[0])[0]
	for _, l := range []struct {
		addr string
		h    http.Handler
	}{{kv["status_listen"], status}, {kv["admin_listen"], admin}, {proxyAddr, http.NotFoundHandler()}} {
		if err := serve(l.addr, l.h); err != nil {
			fmt.Fprintln(os.Stderr, "fake:", err)
			return 1
		}
	}

	sig := make(chan os.Signal, 1)
	if mode == "ignore-term" {
		signal.Ignore(syscall.SIGTERM)
		signal.Notify(sig, os.Interrupt)
	} else {
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	}
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(ctx)
	}
	fmt.Println("fake: stopped")
	return 0
}
