// Command mapr_license is the Ansible module that makes a MapR cluster have
// (or not have) a license, through the mapr library: it lists the installed
// licenses with `maprcli license list -json`, adds the license only when it
// is absent (upload, `maprcli license add -is_file true`), verifies it is
// listed, and removes it with state=absent. The license text is never
// printed. Documentation:
// ansible-modules/collection/plugins/modules/mapr_license.yml.
package main

import (
	"fmt"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/maprnode"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/mapr"
)

var spec = module.Spec{
	Options: maprnode.Spec(map[string]module.Option{
		"license":      {NoLog: true, Aliases: []string{"content"}},
		"src":          {Type: module.Path},
		"license_id":   {},
		"state":        {Choices: []any{"present", "absent"}, Default: "present"},
		"cluster":      {},
		"maprcli_path": {Type: module.Path, Default: mapr.DefaultMaprcli},
		"upload_dir":   {Type: module.Path, Default: mapr.DefaultUploadDir},
	}),
	MutuallyExclusive: [][]string{{"license", "src"}},
	RequiredIf: []module.RequiredIf{
		{Key: "state", Value: "present", Requirements: []string{"license", "src"}, AnyOf: true},
		{Key: "state", Value: "absent", Requirements: []string{"license", "src", "license_id"}, AnyOf: true},
	},
	SupportsCheckMode: true,
}

func main() { run(module.New(spec)) }

// run is the whole module; Exit and Fail end it.
func run(m *module.Module) {
	if m.IsSet("license") {
		maprnode.RegisterSecretText(m, m.Str("license"))
	}
	if m.Str("state") == "present" && m.IsSet("license_id") {
		m.Fail("license_id selects a license to remove (state=absent); with state=present the license text identifies it")
	}
	ls := mapr.LicenseSpec{
		Content:        m.Str("license"),
		ID:             m.Str("license_id"),
		State:          mapr.State(m.Str("state")),
		Cluster:        m.Str("cluster"),
		MaprcliPath:    m.Str("maprcli_path"),
		UploadDir:      m.Str("upload_dir"),
		Env:            maprnode.Env(m),
		Become:         maprnode.Become(m),
		CheckMode:      m.CheckMode,
		CommandTimeout: maprnode.CommandTimeout(m),
	}
	if src := m.Str("src"); src != "" {
		// Read here rather than by the library, so that the text is
		// registered as a secret before anything can print it.
		text, err := maprnode.ReadSecretFile(m, src)
		if err != nil {
			m.Fail(fmt.Sprintf("src: %v (src is read on the machine the module runs on: the node itself, "+
				"or the controller when the task sets host and is delegated to it)", err))
		}
		ls.Content = text
	}
	if err := ls.Validate(); err != nil {
		m.Fail(err.Error())
	}

	ctx, cancel := maprnode.Context()
	defer cancel()
	node, err := maprnode.Connect(ctx, m)
	if err != nil {
		m.Fail(err.Error())
	}
	defer node.Close()

	res, err := mapr.EnsureLicense(ctx, node, ls)
	if err != nil {
		_ = node.Close()
		m.Fail(err.Error(), maprnode.Result(node, res.Messages, module.Result{}))
	}
	_ = node.Close()
	m.Exit(maprnode.Result(node, res.Messages, module.Result{
		"changed":        res.Changed,
		"state":          ls.State,
		"license_id":     afterOr(res.After.ID, res.Before.ID),
		"license_sha256": afterOr(res.After.SHA256, res.Before.SHA256),
		"description":    afterOr(res.After.Description, res.Before.Description),
		"present":        res.After.Present,
		"diff": map[string]any{
			"before": view(res.Before), "after": view(res.After),
			"before_header": "maprcli license list", "after_header": "maprcli license list",
		},
	}))
}

// view is a license as a diff shows it: identity, never the text.
func view(s mapr.LicenseState) map[string]any {
	if !s.Present {
		return map[string]any{"present": false}
	}
	v := map[string]any{"present": true, "sha256": s.SHA256}
	if s.ID != "" {
		v["id"] = s.ID
	}
	if s.Description != "" {
		v["description"] = s.Description
	}
	return v
}

// afterOr prefers the state after the run; with state=absent that is empty and
// the license removed (or that would be) is reported instead.
func afterOr(after, before string) string {
	if after != "" {
		return after
	}
	return before
}
