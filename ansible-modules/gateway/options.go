// Package gateway is what every Admin API module of the collection shares
// on top of the module framework: the connection options, the client, name
// references, and Ensure — the one present/absent loop (read, compare the
// fields the task set with api.Compare, write only the difference) with
// check mode, diff mode and secret masking.
package gateway

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// ConnectionOptions are the options every Admin API module takes.
func ConnectionOptions() map[string]module.Option {
	return map[string]module.Option{
		"admin_url": {Default: api.DefaultAdminURL, EnvFallback: []string{api.EnvAdminURL}},
		"admin_token": {NoLog: true, EnvFallback: []string{api.EnvAdminToken},
			Aliases: []string{"token"}},
		"validate_certs": {Type: module.Bool, Default: true},
		"ca_path":        {Type: module.Path},
		"timeout":        {Type: module.Int, Default: 30},
	}
}

// EntityOptions are ConnectionOptions plus `state` and `tags`, which every
// entity module takes.
func EntityOptions() map[string]module.Option {
	o := ConnectionOptions()
	o["state"] = module.Option{Choices: []any{"present", "absent"}, Default: "present"}
	o["tags"] = module.Option{Type: module.List, Elements: module.Str}
	return o
}

// Spec merges a module's own options into base options.
func Spec(base map[string]module.Option, own map[string]module.Option) map[string]module.Option {
	for k, v := range own {
		base[k] = v
	}
	return base
}

// Client builds the Admin API client from the connection options.
func Client(m *module.Module) (*api.Client, error) {
	cfg := api.Config{
		AdminURL:              m.Str("admin_url"),
		Token:                 m.Str("admin_token"),
		InsecureSkipTLSVerify: !m.Bool("validate_certs"),
		Timeout:               time.Duration(m.Int("timeout")) * time.Second,
		UserAgent:             "gatewayd.toolkit/" + m.Name,
	}
	if p := m.Str("ca_path"); p != "" {
		pem, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("ca_path: %w", err)
		}
		cfg.CACertPEM = pem
	}
	return api.New(cfg)
}

// Context bounds a whole module run: Ansible has no timeout of its own
// for a task, so a hung Admin API must not hang the play.
func Context(m *module.Module) (context.Context, context.CancelFunc) {
	d := time.Duration(m.Int("timeout")) * time.Second
	if d <= 0 {
		d = 30 * time.Second
	}
	// Retries with backoff may take several attempts of up to d each.
	return context.WithTimeout(context.Background(), 3*d)
}

// Main wires the common start of every Admin API module: parse the
// arguments, build the client and a bounded context, then run body;
// errors body returns become a failed result with a clear msg.
func Main(spec module.Spec, body func(ctx context.Context, m *module.Module, c *api.Client) error) {
	m := module.New(spec)
	c, err := Client(m)
	if err != nil {
		m.Fail(err.Error())
	}
	ctx, cancel := Context(m)
	defer cancel()
	if err := body(ctx, m, c); err != nil {
		cancel()
		m.Fail(ErrorMessage(err), ErrorDetails(err))
	}
}

// Put sets desired[field] to the option's value when the task set it.
func Put(m *module.Module, desired api.Entity, fields ...string) {
	for _, f := range fields {
		if m.IsSet(f) {
			desired[f] = m.Get(f)
		}
	}
}
