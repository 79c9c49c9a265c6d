package module_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
)

// exited unwinds a test module's main at Exit or Fail.
type exited struct{ code int }

// run executes body as a module main with args written to an args file
// and returns the decoded JSON the module printed and its exit code.
func run(t *testing.T, spec module.Spec, args map[string]any, body func(m *module.Module)) (map[string]any, int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "args")
	data, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code := -1
	func() {
		defer func() {
			if r := recover(); r != nil {
				e, ok := r.(exited)
				if !ok {
					panic(r)
				}
				code = e.code
			}
		}()
		m := module.NewFrom(spec, []string{"gateway_test", path}, &out, func(c int) { panic(exited{c}) })
		body(m)
		t.Fatal("module returned without Exit or Fail")
	}()
	if strings.Count(strings.TrimSpace(out.String()), "\n") != 0 {
		t.Fatalf("module printed more than one line: %q", out.String())
	}
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("module output is not one JSON object: %v\n%s", err, out.String())
	}
	return res, code
}

func exitWithParams(m *module.Module) { m.Exit(module.Result{"params": m.Params}) }

var typed = module.Spec{Options: map[string]module.Option{
	"name":    {Required: true, Aliases: []string{"n"}},
	"port":    {Type: module.Int, Default: 8001},
	"enabled": {Type: module.Bool, Default: true},
	"ratio":   {Type: module.Float},
	"paths":   {Type: module.List, Elements: module.Str},
	"ports":   {Type: module.List, Elements: module.Int},
	"config":  {Type: module.Dict},
	"file":    {Type: module.Path},
	"any":     {Type: module.Raw},
	"state":   {Choices: []any{"present", "absent"}, Default: "present"},
}, SupportsCheckMode: true}

func TestOptionsAreConvertedToTheirTypesAsAnsibleModuleDoes(t *testing.T) {
	t.Setenv("HOME", "/home/op")
	res, code := run(t, typed, map[string]any{
		"n": "svc", "port": "9001", "enabled": "no", "ratio": "0.5", "paths": "/a,/b",
		"ports": []any{"1", 2}, "config": "a=1, b=2", "file": "~/x", "any": map[string]any{"k": []any{1}},
	}, exitWithParams)
	if code != 0 {
		t.Fatalf("exit %d: %v", code, res)
	}
	p := res["params"].(map[string]any)
	want := map[string]any{"name": "svc", "port": 9001.0, "enabled": false, "ratio": 0.5,
		"paths": []any{"/a", "/b"}, "ports": []any{1.0, 2.0}, "config": map[string]any{"a": "1", "b": "2"},
		"file": "/home/op/x", "any": map[string]any{"k": []any{1.0}}, "state": "present"}
	for k, v := range want {
		if got, _ := json.Marshal(p[k]); string(got) != mustJSON(v) {
			t.Errorf("%s = %s, want %s", k, got, mustJSON(v))
		}
	}
}

func TestDefaultsApplyOnlyToUnsetOrNullOptions(t *testing.T) {
	res, _ := run(t, typed, map[string]any{"name": "s", "port": nil}, func(m *module.Module) {
		if m.IsSet("port") || m.Int("port") != 8001 || !m.Bool("enabled") || m.IsSet("state") || !m.IsSet("name") {
			m.Failf("IsSet/defaults wrong: %v", m.Params)
		}
		exitWithParams(m)
	})
	if res["failed"] != false {
		t.Fatal(res["msg"])
	}
}

func TestBadArgumentsFailWithAnsibleModuleMessages(t *testing.T) {
	spec := module.Spec{Options: map[string]module.Option{
		"state":   {Choices: []any{"present", "absent"}, Default: "present"},
		"url":     {},
		"host":    {},
		"cert":    {},
		"key":     {},
		"port":    {Type: module.Int},
		"name":    {},
		"id":      {},
		"methods": {Type: module.List, Elements: module.Str, Choices: []any{"GET", "POST"}},
	},
		MutuallyExclusive: [][]string{{"url", "host"}},
		RequiredTogether:  [][]string{{"cert", "key"}},
		RequiredOneOf:     [][]string{{"name", "id"}},
		RequiredIf:        []module.RequiredIf{{Key: "state", Value: "present", Requirements: []string{"url", "host"}, AnyOf: true}},
	}
	cases := []struct {
		name string
		args map[string]any
		want string
	}{
		{"unknown option", map[string]any{"name": "a", "url": "u", "colour": 1},
			"Unsupported parameters for (gateway_test) module: colour. Supported parameters include: cert, host, id, key, methods, name, port, state, url."},
		{"bad choice", map[string]any{"name": "a", "url": "u", "state": "gone"}, "value of state must be one of: present, absent, got: gone"},
		{"bad element choice", map[string]any{"name": "a", "url": "u", "methods": []any{"GET", "PUT"}}, "value of methods must be one or more of: GET, POST. Got no match for: PUT"},
		{"not an int", map[string]any{"name": "a", "url": "u", "port": "eighty"}, "argument 'port' is of type str and we were unable to convert to int"},
		{"mutually exclusive", map[string]any{"name": "a", "url": "u", "host": "h"}, "parameters are mutually exclusive: url|host"},
		{"required together", map[string]any{"name": "a", "url": "u", "cert": "c"}, "parameters are required together: cert, key"},
		{"required one of", map[string]any{"url": "u"}, "one of the following is required: name, id"},
		{"required if", map[string]any{"name": "a"}, "state is present but any of the following are missing: url, host"},
		{"required if not triggered", map[string]any{"name": "a", "state": "absent"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, code := run(t, spec, tc.args, exitWithParams)
			if tc.want == "" {
				if code != 0 {
					t.Fatalf("failed: %v", res["msg"])
				}
				return
			}
			if code != 1 || res["failed"] != true || res["changed"] != false {
				t.Fatalf("want a failure, got exit %d %v", code, res)
			}
			if msg, _ := res["msg"].(string); !strings.Contains(msg, tc.want) {
				t.Fatalf("msg %q lacks %q", msg, tc.want)
			}
		})
	}
}

func TestMissingRequiredArgumentsAreListed(t *testing.T) {
	spec := module.Spec{Options: map[string]module.Option{"a": {Required: true}, "b": {Required: true}, "c": {}}}
	res, _ := run(t, spec, map[string]any{}, exitWithParams)
	if res["msg"] != "missing required arguments: a, b" {
		t.Fatalf("msg = %q", res["msg"])
	}
}

func TestEnvFallbackFillsAnUnsetOption(t *testing.T) {
	t.Setenv("TEST_ADMIN_URL", "http://from-env:8001")
	spec := module.Spec{Options: map[string]module.Option{"admin_url": {EnvFallback: []string{"TEST_ADMIN_URL"}, Default: "http://localhost:8001"}}}
	res, _ := run(t, spec, map[string]any{}, exitWithParams)
	if got := res["params"].(map[string]any)["admin_url"]; got != "http://from-env:8001" {
		t.Fatalf("admin_url = %v", got)
	}
	res, _ = run(t, spec, map[string]any{"admin_url": "http://task:1"}, exitWithParams)
	if got := res["params"].(map[string]any)["admin_url"]; got != "http://task:1" {
		t.Fatalf("the task's value must win over the environment: %v", got)
	}
}

func TestCheckAndDiffFlagsComeFromAnsibleInternalKeys(t *testing.T) {
	spec := module.Spec{Options: map[string]module.Option{"name": {}}, SupportsCheckMode: true}
	args := map[string]any{"name": "x", "_ansible_check_mode": true, "_ansible_diff": true, "_ansible_verbosity": 3,
		"_ansible_module_name": "gateway_service", "_ansible_tmpdir": "/tmp/x", "_ansible_no_log": false}
	res, code := run(t, spec, args, func(m *module.Module) {
		if !m.CheckMode || !m.Diff || m.Verbosity != 3 || m.Name != "gateway_service" {
			m.Failf("flags: check=%v diff=%v verbosity=%d name=%s", m.CheckMode, m.Diff, m.Verbosity, m.Name)
		}
		m.Exit(module.Result{"changed": true, "diff": map[string]any{"before": map[string]any{}, "after": map[string]any{"name": "x"}}})
	})
	if code != 0 || res["changed"] != true {
		t.Fatalf("exit %d %v", code, res)
	}
	if _, ok := res["diff"].(map[string]any)["after"].(map[string]any); !ok {
		t.Fatalf("diff must be returned as objects in diff mode: %v", res["diff"])
	}
	inv := res["invocation"].(map[string]any)["module_args"].(map[string]any)
	if _, leaked := inv["_ansible_check_mode"]; leaked || inv["name"] != "x" {
		t.Fatalf("invocation.module_args = %v", inv)
	}
}

func TestDiffIsDroppedUnlessDiffModeIsOn(t *testing.T) {
	spec := module.Spec{Options: map[string]module.Option{}}
	res, _ := run(t, spec, map[string]any{}, func(m *module.Module) {
		m.Exit(module.Result{"changed": true, "diff": map[string]any{"before": "a", "after": "b"}})
	})
	if _, ok := res["diff"]; ok {
		t.Fatalf("diff returned without --diff: %v", res)
	}
}

func TestCheckModeIsSkippedByModulesThatDoNotSupportIt(t *testing.T) {
	spec := module.Spec{Options: map[string]module.Option{}}
	res, code := run(t, spec, map[string]any{"_ansible_check_mode": true, "_ansible_module_name": "writer"}, func(m *module.Module) {
		m.Fail("the module body must not run in check mode")
	})
	if code != 0 || res["skipped"] != true || res["msg"] != "remote module (writer) does not support check mode" {
		t.Fatalf("exit %d %v", code, res)
	}
}

func TestNoLogValuesAreMaskedEverywhere(t *testing.T) {
	spec := module.Spec{Options: map[string]module.Option{
		"admin_token": {NoLog: true, Aliases: []string{"token"}},
		"password":    {NoLog: true},
		"name":        {},
	}, SupportsCheckMode: true}
	args := map[string]any{"token": "s3cr3t-token", "password": "hunter2", "name": "svc", "_ansible_diff": true}
	res, code := run(t, spec, args, func(m *module.Module) {
		m.Warn("retrying http://x/?token=s3cr3t-token")
		m.Fail("POST http://admin/?t=s3cr3t-token failed: bad password hunter2", module.Result{
			"diff":     map[string]any{"before": map[string]any{"password": "hunter2"}, "after": map[string]any{"password": "new"}},
			"entity":   map[string]any{"nested": []any{"hunter2", map[string]any{"hunter2": "key"}}},
			"typed":    struct{ Secret string }{"x-hunter2-x"},
			"password": "hunter2",
		})
	})
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	out, _ := json.Marshal(res)
	for _, secret := range []string{"s3cr3t-token", "hunter2"} {
		if strings.Contains(string(out), secret) {
			t.Fatalf("secret %q printed:\n%s", secret, out)
		}
	}
	if res["msg"] != "POST http://admin/?t=******** failed: bad password ********" {
		t.Fatalf("msg = %q", res["msg"])
	}
	inv := res["invocation"].(map[string]any)["module_args"].(map[string]any)
	if inv["admin_token"] != module.NoLogPlaceholder || inv["password"] != module.NoLogPlaceholder || inv["name"] != "svc" {
		t.Fatalf("invocation = %v", inv)
	}
	if res["password"] != module.NoLogPlaceholder {
		t.Fatalf("an exact secret value becomes the placeholder: %v", res["password"])
	}
}

func TestNoLogValueFromTheEnvironmentIsMasked(t *testing.T) {
	t.Setenv("TEST_TOKEN", "env-secret-123")
	spec := module.Spec{Options: map[string]module.Option{"admin_token": {NoLog: true, EnvFallback: []string{"TEST_TOKEN"}}}}
	res, _ := run(t, spec, map[string]any{}, func(m *module.Module) {
		m.Exit(module.Result{"msg": "used " + m.Str("admin_token")})
	})
	if res["msg"] != "used ********" {
		t.Fatalf("msg = %q", res["msg"])
	}
}

func TestNoLogIsAppliedEvenWhenArgumentsAreInvalid(t *testing.T) {
	spec := module.Spec{Options: map[string]module.Option{"password": {NoLog: true, Type: module.Int}}}
	res, _ := run(t, spec, map[string]any{"password": "not-a-number-secret"}, exitWithParams)
	if strings.Contains(mustJSON(res), "not-a-number-secret") {
		t.Fatalf("secret printed in a validation error: %v", res)
	}
}

func TestRuntimeSecretsCanBeAddedToTheMask(t *testing.T) {
	spec := module.Spec{Options: map[string]module.Option{}}
	res, _ := run(t, spec, map[string]any{}, func(m *module.Module) {
		m.AddNoLog("generated-key-1")
		m.Exit(module.Result{"msg": "created key generated-key-1"})
	})
	if res["msg"] != "created key ********" {
		t.Fatalf("msg = %q", res["msg"])
	}
}

func TestArgsFileProblemsFailClearly(t *testing.T) {
	for name, argv := range map[string][]string{
		"no args file":  {"m"},
		"missing file":  {"m", filepath.Join(t.TempDir(), "none")},
		"not an object": {"m", writeTemp(t, "[1,2]")},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			code := -1
			func() {
				defer func() { code = recover().(exited).code }()
				module.NewFrom(module.Spec{}, argv, &out, func(c int) { panic(exited{c}) })
			}()
			var res map[string]any
			if err := json.Unmarshal(out.Bytes(), &res); err != nil || code != 1 || res["failed"] != true || res["msg"] == "" {
				t.Fatalf("exit %d, output %s", code, out.String())
			}
		})
	}
}

func writeTemp(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
