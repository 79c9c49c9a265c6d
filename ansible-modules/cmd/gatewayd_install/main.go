// Command gatewayd_install is the Ansible module that installs, configures
// and runs gatewayd on the managed host: it copies the binary from a path
// on that host, writes gatewayd.conf from its options, runs migrations
// when needed, runs the service (a systemd unit where systemd is usable,
// else a background process with a pid file), waits for /status/ready,
// and restarts only when the binary, the configuration or the unit
// changed. Documentation:
// ansible-modules/collection/plugins/modules/gatewayd_install.yml.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
)

// typedKeys are the gatewayd.conf keys with options of their own; `config`
// takes every other key.
var typedKeys = []string{"prefix", "proxy_listen", "admin_listen", "status_listen", "database", "pg_host", "pg_port",
	"pg_user", "pg_password", "pg_database", "declarative_config", "admin_token"}

var spec = module.Spec{
	Options: map[string]module.Option{
		"src":                {Type: module.Path},
		"bin_path":           {Type: module.Path, Default: "/usr/local/bin/gatewayd"},
		"conf_path":          {Type: module.Path, Default: "/etc/gatewayd/gatewayd.conf"},
		"prefix":             {Type: module.Path, Default: "/usr/local/gatewayd"},
		"proxy_listen":       {Type: module.List, Elements: module.Str},
		"admin_listen":       {Type: module.List, Elements: module.Str},
		"status_listen":      {Type: module.List, Elements: module.Str},
		"database":           {Choices: []any{"sqlite", "postgres", "off"}, Default: "sqlite"},
		"pg_host":            {},
		"pg_port":            {Type: module.Int},
		"pg_user":            {},
		"pg_password":        {NoLog: true},
		"pg_database":        {},
		"declarative_config": {Type: module.Path},
		"admin_token":        {NoLog: true},
		"config":             {Type: module.Dict},
		"state":              {Choices: []any{"started", "stopped", "present", "absent"}, Default: "started"},
		"service_manager":    {Choices: []any{"auto", "systemd", "process"}, Default: "auto"},
		"service_name":       {Default: "gatewayd"},
		"user":               {},
		"run_migrations":     {Type: module.Bool, Default: true},
		"wait_timeout":       {Type: module.Int, Default: 30},
	},
	RequiredIf:        []module.RequiredIf{{Key: "state", Value: "started", Requirements: []string{"src"}}, {Key: "state", Value: "present", Requirements: []string{"src"}}, {Key: "state", Value: "stopped", Requirements: []string{"src"}}},
	SupportsCheckMode: true,
}

func main() {
	m := module.New(spec)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(m.Int("wait_timeout"))*time.Second+5*time.Minute)
	defer cancel()
	in, err := plan(ctx, m)
	if err != nil {
		m.Fail(err.Error())
	}
	var res module.Result
	if m.Str("state") == "absent" {
		res, err = in.remove(ctx)
	} else {
		res, err = in.apply(ctx)
	}
	if err != nil {
		cancel()
		m.Fail(err.Error(), module.Result{"changed": len(in.done) > 0, "actions": in.done})
	}
	m.Exit(res)
}

// install is everything plan found out: what is on the host, what the
// task wants, and the service that runs it.
type install struct {
	m                   *module.Module
	src, bin, confPath  string
	srcSum, binSum      string
	confOld, confNew    string
	kvOld, kvNew        map[string]string
	oldSvc, svc         service
	unitOld             string
	wasRunning          bool
	statusURL, adminURL string
	proxyURL            string
	done                []string // actions taken (or, in check mode, predicted)
}

func plan(ctx context.Context, m *module.Module) (*install, error) {
	in := &install{m: m, src: m.Str("src"), bin: m.Str("bin_path"), confPath: m.Str("conf_path"), done: []string{}}
	var err error
	if in.kvNew, err = confKeys(m); err != nil {
		return nil, err
	}
	if in.confNew, err = renderConf(in.kvNew); err != nil {
		return nil, err
	}
	if in.src != "" {
		if in.srcSum, err = sha256File(in.src); err != nil {
			return nil, fmt.Errorf("src: %w", err)
		}
	}
	in.binSum, _ = sha256File(in.bin) // "" when not installed yet
	if old, err := os.ReadFile(in.confPath); err == nil {
		in.confOld = string(old)
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("conf_path: %w", err)
	}
	in.kvOld = parseConf(in.confOld)
	if in.oldSvc, in.svc, err = chooseService(m, in.kvOld, in.kvNew); err != nil {
		return nil, err
	}
	if p, _ := in.svc.unit(); p != "" {
		if old, err := os.ReadFile(p); err == nil {
			in.unitOld = string(old)
		}
	}
	in.wasRunning = in.oldSvc.running(ctx)
	in.statusURL = listenURL(in.kvNew["status_listen"], "127.0.0.1:8007")
	in.adminURL = listenURL(in.kvNew["admin_listen"], "127.0.0.1:8001")
	in.proxyURL = listenURL(in.kvNew["proxy_listen"], "0.0.0.0:8000")
	return in, nil
}

// confKeys collects gatewayd.conf keys from the typed options and the free
// `config` dict; a key set both ways is an error rather than a guess.
func confKeys(m *module.Module) (map[string]string, error) {
	kv := map[string]string{}
	for _, k := range typedKeys {
		if m.IsSet(k) || k == "prefix" || k == "database" {
			kv[k] = confValue(m.Get(k))
		}
	}
	extra := m.Dict("config")
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, typed := kv[k]; typed || contains(typedKeys, k) && m.IsSet(k) {
			return nil, fmt.Errorf("config.%s: set it with the %s option instead", k, k)
		}
		kv[k] = confValue(extra[k])
		if secretKey.MatchString(k) {
			m.AddNoLog(kv[k])
		}
	}
	return kv, nil
}

// chooseService picks systemd or a process; the old service differs from
// the new only in where the running process's pid file is (the prefix
// may change with the configuration).
func chooseService(m *module.Module, kvOld, kvNew map[string]string) (old, svc service, err error) {
	manager := m.Str("service_manager")
	if manager == "auto" {
		manager = "process"
		if systemdUsable() {
			manager = "systemd"
		}
	}
	if manager == "systemd" {
		if !systemdUsable() {
			return nil, nil, fmt.Errorf("service_manager=systemd: systemd is not running as PID 1 here, or systemctl is missing, or this user may not manage units")
		}
		s := systemdService{name: m.Str("service_name"), bin: m.Str("bin_path"), conf: m.Str("conf_path"), user: m.Str("user")}
		return s, s, nil
	}
	p := processService{bin: m.Str("bin_path"), conf: m.Str("conf_path"), prefix: kvNew["prefix"]}
	oldP := p
	if prefix := kvOld["prefix"]; prefix != "" {
		oldP.prefix = prefix
	}
	return oldP, p, nil
}

// apply converges state started, stopped or present. In check mode it
// records the actions it would take and takes none.
func (in *install) apply(ctx context.Context) (module.Result, error) {
	state := in.m.Str("state")
	unitPath, unitNew := in.svc.unit()
	binChanged := in.srcSum != in.binSum
	confChanged := in.confOld != in.confNew
	unitChanged := unitPath != "" && in.unitOld != unitNew
	restart := state == "started" && in.wasRunning && (binChanged || confChanged || unitChanged)
	stop := restart || state == "stopped" && in.wasRunning
	start := state == "started" && (!in.wasRunning || restart)

	steps := []struct {
		when bool
		what string
		do   func() error
	}{
		{stop, "stopped gatewayd (" + in.svc.kind() + ")", func() error { return in.oldSvc.stop(ctx) }},
		{binChanged, "installed " + in.bin, func() error { return installFile(in.src, in.bin, 0o755) }},
		{confChanged, "wrote " + in.confPath, func() error { return writeFile(in.confPath, []byte(in.confNew), 0o600) }},
		{unitChanged, "wrote " + unitPath, func() error {
			if err := writeFile(unitPath, []byte(unitNew), 0o644); err != nil {
				return err
			}
			return in.svc.reload(ctx)
		}},
	}
	for _, s := range steps {
		if !s.when {
			continue
		}
		if !in.m.CheckMode {
			if err := s.do(); err != nil {
				return nil, fmt.Errorf("%s: %w", strings.TrimPrefix(s.what, "stopped "), err)
			}
		}
		in.done = append(in.done, s.what)
	}
	if err := in.migrate(ctx, binChanged || confChanged); err != nil {
		return nil, err
	}
	if err := in.runService(ctx, state, start); err != nil {
		return nil, err
	}
	return in.result(binChanged, confChanged, unitChanged, unitNew), nil
}

// migrate runs `gatewayd migrations status` and, when it says so,
// `bootstrap` (a new database) or `up` (pending migrations).
func (in *install) migrate(ctx context.Context, installChanged bool) error {
	if !in.m.Bool("run_migrations") || in.kvNew["database"] == "off" {
		return nil
	}
	if in.m.CheckMode {
		// The new binary and file are not in place, and `status` would
		// create an empty SQLite file: predict instead.
		dbMissing := in.kvNew["database"] == "sqlite" && !exists(filepath.Join(in.kvNew["prefix"], "data", "gatewayd.db"))
		if installChanged || dbMissing {
			in.done = append(in.done, "ran migrations (predicted)")
			return nil
		}
	}
	out, err := runCmd(ctx, in.bin, "migrations", "status", "-c", in.confPath)
	if err == nil {
		return nil
	}
	action := "up"
	if strings.Contains(out, "bootstrap") {
		action = "bootstrap"
	}
	if !in.m.CheckMode {
		if _, err := runCmd(ctx, in.bin, "migrations", action, "-c", in.confPath); err != nil {
			return err
		}
	}
	in.done = append(in.done, "ran migrations "+action)
	return nil
}

// runService enables and starts (or leaves alone) the service, then waits
// for /status/ready when it should be running.
func (in *install) runService(ctx context.Context, state string, start bool) error {
	if state == "started" && !in.m.CheckMode {
		enabled, err := in.svc.enable(ctx)
		if err != nil {
			return err
		}
		if enabled {
			in.done = append(in.done, "enabled "+in.m.Str("service_name"))
		}
	}
	if start {
		if !in.m.CheckMode {
			if err := in.svc.start(ctx); err != nil {
				return err
			}
		}
		in.done = append(in.done, "started gatewayd ("+in.svc.kind()+")")
	}
	if state == "started" && !in.m.CheckMode {
		return waitReady(ctx, in.statusURL, time.Duration(in.m.Int("wait_timeout"))*time.Second,
			filepath.Join(in.kvNew["prefix"], "logs", "error.log"))
	}
	return nil
}

func (in *install) result(binChanged, confChanged, unitChanged bool, unitNew string) module.Result {
	msg := "gatewayd is installed and up to date"
	if len(in.done) > 0 {
		msg = strings.Join(in.done, "; ")
	}
	running := in.wasRunning
	switch in.m.Str("state") {
	case "started":
		running = true
	case "stopped":
		running = false
	}
	before := map[string]any{"binary_sha256": in.binSum, "config": confView(in.kvOld, in.kvNew), "running": in.wasRunning}
	after := map[string]any{"binary_sha256": in.srcSum, "config": confView(in.kvNew, in.kvOld), "running": running}
	if unitChanged {
		before["unit"], after["unit"] = in.unitOld, unitNew
	}
	return module.Result{
		"changed": len(in.done) > 0, "msg": msg, "actions": in.done,
		"binary":          map[string]any{"path": in.bin, "sha256": in.srcSum, "changed": binChanged},
		"conf_path":       in.confPath,
		"config_changed":  confChanged,
		"prefix":          in.kvNew["prefix"],
		"service_manager": in.svc.kind(),
		"admin_url":       in.adminURL, "proxy_url": in.proxyURL, "status_url": in.statusURL,
		"diff": map[string]any{"before": before, "after": after,
			"before_header": in.confPath, "after_header": in.confPath},
	}
}

// remove stops the service and removes the unit, binary and configuration
// file. The prefix (database, logs) stays: deleting data is not a side
// effect anyone wants from state=absent.
func (in *install) remove(ctx context.Context) (module.Result, error) {
	unitPath, _ := in.svc.unit()
	steps := []struct {
		when bool
		what string
		do   func() error
	}{
		{in.wasRunning, "stopped gatewayd (" + in.svc.kind() + ")", func() error { return in.oldSvc.stop(ctx) }},
		{unitPath != "" && exists(unitPath), "removed " + unitPath, func() error {
			if err := os.Remove(unitPath); err != nil {
				return err
			}
			return in.svc.reload(ctx)
		}},
		{exists(in.bin), "removed " + in.bin, func() error { return os.Remove(in.bin) }},
		{exists(in.confPath), "removed " + in.confPath, func() error { return os.Remove(in.confPath) }},
	}
	for _, s := range steps {
		if !s.when {
			continue
		}
		if !in.m.CheckMode {
			if err := s.do(); err != nil {
				return nil, fmt.Errorf("%s: %w", s.what, err)
			}
		}
		in.done = append(in.done, s.what)
	}
	msg := "gatewayd is not installed"
	if len(in.done) > 0 {
		msg = strings.Join(in.done, "; ")
	}
	return module.Result{"changed": len(in.done) > 0, "msg": msg, "actions": in.done,
		"diff": map[string]any{
			"before": map[string]any{"installed": in.binSum != "", "running": in.wasRunning},
			"after":  map[string]any{"installed": false, "running": false}}}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
