// Command gateway_config is the Ansible module for declarative
// configuration (what `gatewayd config` and decK do): sync a state file or
// inline state to the node within select_tags, apply it without deletes,
// reset a tag scope, or dump the node (or a tag scope) to a file. It uses
// gatewayd/declarative, so a playbook and the CLI agree exactly.
// Documentation: ansible-modules/collection/plugins/modules/gateway_config.yml.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/gateway"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/declarative"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/bundled" // schemas of every bundled plugin
)

var spec = module.Spec{
	Options: gateway.Spec(gateway.ConnectionOptions(), map[string]module.Option{
		"src":         {Type: module.Path, Aliases: []string{"state_file"}},
		"config":      {Type: module.Dict},
		"dump":        {Type: module.Path},
		"select_tags": {Type: module.List, Elements: module.Str},
		"state":       {Choices: []any{"present", "absent"}, Default: "present"},
		"mode":        {Choices: []any{"sync", "apply"}, Default: "sync"},
		"format":      {Choices: []any{"yaml", "json"}},
		"with_id":     {Type: module.Bool, Default: false},
		"parallelism": {Type: module.Int, Default: declarative.DefaultParallelism},
	}),
	MutuallyExclusive: [][]string{{"src", "config", "dump"}},
	SupportsCheckMode: true,
}

func main() { gateway.Main(spec, run) }

func run(ctx context.Context, m *module.Module, c *api.Client) error {
	reg, err := declarative.Registry([]string{"bundled"})
	if err != nil {
		return fmt.Errorf("loading the plugin schemas: %w", err)
	}
	switch {
	case m.IsSet("dump"):
		return dump(ctx, m, c, reg)
	case m.Str("state") == "absent":
		if m.IsSet("src") || m.IsSet("config") {
			return fmt.Errorf("state=absent removes what carries select_tags; it takes no src or config")
		}
		if !m.IsSet("select_tags") {
			return fmt.Errorf("state=absent needs select_tags: resetting a whole node from a playbook is too easy to do by accident")
		}
		res, err := declarative.Reset(ctx, c, declarative.ResetOptions{Registry: reg, SelectTags: m.Strings("select_tags"),
			Parallelism: m.Int("parallelism"), DryRun: m.CheckMode})
		return report(m, res, err)
	case m.IsSet("src") || m.IsSet("config"):
		f, err := load(m, reg)
		if err != nil {
			return err
		}
		res, err := declarative.Sync(ctx, c, f, declarative.SyncOptions{Registry: reg, NoDeletes: m.Str("mode") == "apply",
			Parallelism: m.Int("parallelism"), DryRun: m.CheckMode})
		return report(m, res, err)
	}
	return fmt.Errorf("one of src, config or dump is required (or state=absent with select_tags)")
}

// load parses the state file or the inline state; `${{ env "NAME" }}`
// references read the controller's environment, as decK's do.
func load(m *module.Module, reg *schema.Registry) (*declarative.File, error) {
	opts := declarative.ParseOptions{Env: os.LookupEnv, SelectTags: m.Strings("select_tags")}
	if m.IsSet("src") {
		return declarative.Load(reg, []string{m.Str("src")}, opts)
	}
	data, err := json.Marshal(m.Dict("config"))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return declarative.Parse(reg, []declarative.Source{{Name: "config", Data: data}}, opts)
}

// report turns a sync result into the module result: one line per change,
// a per-entity diff (secrets are already masked by declarative), counts.
func report(m *module.Module, res *declarative.Result, err error) error {
	if err != nil {
		changed := res != nil && res.Changed()
		if changed {
			// Some writes happened before the failure: say which.
			m.Fail(err.Error(), module.Result{"changed": true, "changes": lines(res)})
		}
		return err
	}
	before, after := map[string]any{}, map[string]any{}
	for _, ch := range res.Changes {
		key := ch.Kind + " " + ch.Key
		if ch.Before != nil {
			before[key] = ch.Before
		}
		if ch.After != nil && ch.Action != declarative.Delete {
			after[key] = ch.After
		}
	}
	m.Exit(module.Result{
		"changed": res.Changed(), "msg": res.Summary(), "changes": lines(res),
		"created": res.Created, "updated": res.Updated, "deleted": res.Deleted, "unchanged": res.Unchanged,
		"diff": map[string]any{"before": before, "after": after},
	})
	return nil
}

// lines renders "+ services svc1", "~ routes r1: paths: [...] -> [...]".
func lines(res *declarative.Result) []string {
	out := []string{}
	for _, ch := range res.Changes {
		s := ch.String()
		if ch.Action == declarative.Update {
			var fields []string
			for _, f := range ch.Fields {
				fields = append(fields, f.String())
			}
			s += ": " + strings.Join(fields, "; ")
		}
		out = append(out, s)
	}
	return out
}

// dump writes the node's configuration (within select_tags) to a file;
// changed only when the file's content changes. The diff shows checksums,
// not content: a dump holds credentials.
func dump(ctx context.Context, m *module.Module, c *api.Client, reg *schema.Registry) error {
	path := m.Str("dump")
	doc, err := declarative.Dump(ctx, c, declarative.DumpOptions{Registry: reg, SelectTags: m.Strings("select_tags"),
		WithID: m.Bool("with_id"), Parallelism: m.Int("parallelism")})
	if err != nil {
		return fmt.Errorf("dumping: %w", err)
	}
	format := m.Str("format")
	if format == "" {
		format = declarative.FormatYAML
		if strings.EqualFold(filepath.Ext(path), ".json") {
			format = declarative.FormatJSON
		}
	}
	data, err := declarative.Encode(doc, format)
	if err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("dump: %w", err)
	}
	changed := !bytes.Equal(old, data)
	if changed && !m.CheckMode {
		if err := writeAtomic(path, data); err != nil {
			return fmt.Errorf("dump: %w", err)
		}
	}
	msg := "wrote " + path
	if !changed {
		msg = path + " is up to date"
	} else if m.CheckMode {
		msg = path + " would be written"
	}
	m.Exit(module.Result{"changed": changed, "msg": msg, "dest": path, "format": format, "entities": count(doc),
		"diff": map[string]any{"before": map[string]any{"sha256": checksum(old)}, "after": map[string]any{"sha256": checksum(data)},
			"before_header": path, "after_header": path}})
	return nil
}

// count is the number of entities per collection in a dump, children
// nested under their parents included.
func count(doc map[string]any) map[string]int {
	out := map[string]int{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		list, ok := v.([]any)
		if !ok || strings.HasPrefix(key, "_") {
			return
		}
		for _, item := range list {
			e, ok := item.(map[string]any)
			if !ok {
				continue
			}
			out[key]++
			for k, sub := range e {
				walk(k, sub)
			}
		}
	}
	plain, _ := api.Normalize(doc).(map[string]any)
	for k, v := range plain {
		walk(k, v)
	}
	return out
}

func checksum(data []byte) string {
	if data == nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// writeAtomic writes a dump owner-only (it may hold credentials) through a
// temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
