// Package api is the Go client of the Admin API, for gatewayd and for Kong
// 3.x nodes alike. The Terraform provider, the Ansible modules and the
// `gatewayd config` CLI reach the Admin API only through it.
//
// It never imports other gatewayd packages (a test enforces it): the
// wire format is the contract, as with Nomad's api/ package.
package api

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Environment variables read by FromEnv.
const (
	EnvAdminURL   = "GATEWAYD_ADMIN_URL"
	EnvAdminToken = "GATEWAYD_ADMIN_TOKEN"
)

// DefaultAdminURL is Kong's and gatewayd's default Admin API address.
const DefaultAdminURL = "http://localhost:8001"

// Config configures a Client. The zero value talks to DefaultAdminURL.
type Config struct {
	AdminURL string
	// Token is sent as "Authorization: Bearer <token>" (gatewayd's
	// admin_token). Never logged.
	Token string
	// Headers are added to every request (e.g. Kong-Admin-Token for Kong
	// Enterprise, or a proxy's auth header).
	Headers map[string]string
	// TLS: a CA bundle (PEM) to trust in addition to the system roots,
	// an optional client certificate, and an explicit opt-out of
	// verification for self-signed lab setups.
	CACertPEM             []byte
	ClientCertPEM         []byte
	ClientKeyPEM          []byte
	InsecureSkipTLSVerify bool
	TLSServerName         string
	// Timeout bounds one HTTP attempt (default 30 s).
	Timeout time.Duration
	// Retries is how many times a request is retried on connection errors,
	// 429 and 5xx (default 4; -1 disables). Waits grow from RetryWait
	// (default 500 ms) by 3× with full jitter, as decK's backoff does.
	Retries   int
	RetryWait time.Duration
	UserAgent string
	// HTTPClient replaces the client built from the fields above.
	HTTPClient *http.Client
}

// FromEnv fills AdminURL and Token from GATEWAYD_ADMIN_URL and
// GATEWAYD_ADMIN_TOKEN where they are empty.
func (c Config) FromEnv() Config {
	if c.AdminURL == "" {
		c.AdminURL = os.Getenv(EnvAdminURL)
	}
	if c.Token == "" {
		c.Token = os.Getenv(EnvAdminToken)
	}
	return c
}

// Client talks to one Admin API. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	hc      *http.Client
	cfg     Config
	headers http.Header
}

// New validates the configuration and builds a client.
func New(cfg Config) (*Client, error) {
	if cfg.AdminURL == "" {
		cfg.AdminURL = DefaultAdminURL
	}
	u, err := url.Parse(strings.TrimRight(cfg.AdminURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("admin URL %q: expected http(s)://host[:port][/path]", cfg.AdminURL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Retries == 0 {
		cfg.Retries = 4
	} else if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.RetryWait <= 0 {
		cfg.RetryWait = 500 * time.Millisecond
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "gatewayd-api-client"
	}
	hc := cfg.HTTPClient
	if hc == nil {
		tr, err := transport(cfg)
		if err != nil {
			return nil, err
		}
		hc = &http.Client{Transport: tr, Timeout: cfg.Timeout}
	}
	h := http.Header{}
	for k, v := range cfg.Headers {
		h.Set(k, v)
	}
	h.Set("User-Agent", cfg.UserAgent)
	if cfg.Token != "" {
		h.Set("Authorization", "Bearer "+cfg.Token)
	}
	return &Client{base: u, hc: hc, cfg: cfg, headers: h}, nil
}

func transport(cfg Config) (*http.Transport, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.TLSServerName}
	if cfg.InsecureSkipTLSVerify {
		tc.InsecureSkipVerify = true // #nosec G402 -- explicit user opt-out
	}
	if len(cfg.CACertPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(cfg.CACertPEM) {
			return nil, errors.New("ca certificate: no PEM certificate found")
		}
		tc.RootCAs = pool
	}
	if len(cfg.ClientCertPEM) > 0 || len(cfg.ClientKeyPEM) > 0 {
		pair, err := tls.X509KeyPair(cfg.ClientCertPEM, cfg.ClientKeyPEM)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     tc,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     90 * time.Second,
	}, nil
}

// BaseURL returns the Admin API URL the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// Do sends one request and decodes a JSON answer into out (when non-nil).
// path is relative to the admin URL and may carry a query. body is
// JSON-encoded unless it is nil. Non-2xx answers are returned as *Error.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s %s: encoding body: %w", method, path, err)
		}
	}
	status, data, err := c.send(ctx, method, path, payload, "application/json")
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return newError(method, path, status, data)
	}
	if out != nil && len(data) > 0 && status != http.StatusNoContent {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decoding answer: %w", method, path, err)
		}
	}
	return nil
}

// DoRaw sends a request with a pre-encoded body and returns the status and
// body whatever the status (POST /config, YAML bodies).
func (c *Client) DoRaw(ctx context.Context, method, path string, body []byte, contentType string) (int, []byte, error) {
	return c.send(ctx, method, path, body, contentType)
}

// send performs the request with retries on transient failures.
func (c *Client) send(ctx context.Context, method, path string, payload []byte, contentType string) (int, []byte, error) {
	target := c.base.String() + "/" + strings.TrimLeft(path, "/")
	wait := c.cfg.RetryWait
	for attempt := 0; ; attempt++ {
		status, data, err := c.once(ctx, method, target, payload, contentType)
		retry := err != nil || status == http.StatusTooManyRequests || status >= 500
		if !retry || attempt >= c.cfg.Retries || ctx.Err() != nil {
			if err != nil {
				return 0, nil, fmt.Errorf("%s %s: %w", method, target, err)
			}
			return status, data, nil
		}
		// Full jitter keeps many clients from retrying in lockstep.
		sleep := time.Duration(rand.Int64N(int64(wait) + 1))
		select {
		case <-ctx.Done():
			return 0, nil, fmt.Errorf("%s %s: %w", method, target, ctx.Err())
		case <-time.After(sleep):
		}
		wait *= 3
	}
}

func (c *Client) once(ctx context.Context, method, target string, payload []byte, contentType string) (int, []byte, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range c.headers {
		req.Header[k] = v
	}
	if payload != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, data, nil
}
