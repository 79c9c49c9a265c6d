package gatewayd

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

func testAccPluginConfig(name, plugin string) string {
	return fmt.Sprintf(`
resource "gatewayd_service" "svc" {
  name = "%[1]s-svc"
  host = "example.com"
}
resource "gatewayd_route" "route" {
  name       = "%[1]s-route"
  service_id = gatewayd_service.svc.id
  paths      = ["/%[1]s"]
}
%[2]s`, name, plugin)
}

func TestAccPlugin(t *testing.T) {
	name := randName("plugin")
	addr := "gatewayd_plugin.test"
	var apiPath string
	plugin := func(scope, config string) string {
		return testAccPluginConfig(name, fmt.Sprintf(`
resource "gatewayd_plugin" "test" {
  name          = "key-auth"
  instance_name = "%s-keyauth"
  %s
  config_json   = %s
}`, name, scope, config))
	}
	v1 := plugin(`service_id = gatewayd_service.svc.id`, `jsonencode({ hide_credentials = true })`)
	// One key more: the plan shows a one-key change of config_json.
	v2 := plugin(`service_id = gatewayd_service.svc.id`, `jsonencode({ hide_credentials = true, key_names = ["x-api-key", "apikey"] })`)
	// Another scope, in place; hide_credentials dropped returns to its default.
	v3 := plugin(`route_id = gatewayd_route.route.id`+"\n  enabled = false\n  tags = [\"auth\"]", `jsonencode({ key_names = ["x-api-key", "apikey"] })`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_plugin", topLevelPath("plugins")),
		Steps: []resource.TestStep{
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("config_json"), knownvalue.StringExact(`{"hide_credentials":true}`)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("protocols"), knownvalue.SetSizeExact(4)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
				},
				Check: capturePath(addr, &apiPath, topLevelPath("plugins")),
			},
			// After an import, config_json holds the non-default keys only:
			// here exactly what the configuration says.
			importStep(addr, importID(addr, "id")),
			importStep(addr, importID(addr, "instance_name")),
			{
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						expectConfigJSONChange(addr, map[string]any{"hide_credentials": true},
							map[string]any{"hide_credentials": true, "key_names": []any{"x-api-key", "apikey"}}),
					},
				},
			},
			{
				// The gateway fills every other key with its default: not drift.
				// A key the user did not set, changed by hand: not drift either.
				PreConfig: func() {
					if _, err := testClient.Update(context.Background(), apiPath, map[string]any{
						"config": map[string]any{"key_in_body": true}}); err != nil {
						panic(err)
					}
				},
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// A key the user set, changed by hand: the refresh shows exactly
				// that key with the gateway's value, and the plan sets it back.
				PreConfig: func() {
					if _, err := testClient.Update(context.Background(), apiPath, map[string]any{
						"config": map[string]any{"hide_credentials": false}}); err != nil {
						panic(err)
					}
				},
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						expectConfigJSONChange(addr,
							map[string]any{"hide_credentials": false, "key_names": []any{"x-api-key", "apikey"}},
							map[string]any{"hide_credentials": true, "key_names": []any{"x-api-key", "apikey"}}),
					},
				},
				// The PUT also reset key_in_body, set by hand above, to its default.
				Check: checkAPIField(addr, topLevelPath("plugins"), "config", map[string]any{
					"anonymous": nil, "hide_credentials": true, "key_in_body": false, "key_in_header": true,
					"key_in_query": true, "key_names": []any{"x-api-key", "apikey"}, "realm": nil, "run_on_preflight": true}),
			},
			{
				Config:           v3,
				ConfigPlanChecks: expectUpdateInPlace(addr),
				Check:            checkAPIField(addr, topLevelPath("plugins"), "service", nil),
			},
			importStep(addr, importID(addr, "id")),
			disappearsStep(v3, addr, &apiPath),
		},
	})
}

func TestAccPluginGlobalWithoutConfig(t *testing.T) {
	name := randName("plugin-global")
	addr := "gatewayd_plugin.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_plugin", topLevelPath("plugins")),
		Steps: []resource.TestStep{
			{
				Config: `
resource "gatewayd_plugin" "test" {
  name        = "acl"
  config_json = "[1, 2]"
}`,
				ExpectError: regexp.MustCompile(`config_json must be a JSON object`),
			},
			{
				// The gateway's own validation, pointed at config_json.
				Config: fmt.Sprintf(`
resource "gatewayd_plugin" "test" {
  name          = "acl"
  instance_name = %q
  config_json   = jsonencode({ allow = ["a"], deny = ["b"], no_such_key = 1 })
}`, name),
				ExpectError: regexp.MustCompile(`(?s)config_json.*no_such_key`),
			},
			{
				// The user's formatting is kept in the state.
				Config: fmt.Sprintf(`
resource "gatewayd_plugin" "test" {
  name          = "acl"
  instance_name = %q
  config_json   = <<-JSON
    {
      "allow": ["admins", "ops"]
    }
  JSON
}`, name),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("service_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("config_json"),
						knownvalue.StringExact("{\n  \"allow\": [\"admins\", \"ops\"]\n}\n")),
				},
			},
			{
				// Another plugin name replaces the instance.
				Config: fmt.Sprintf(`
resource "gatewayd_plugin" "test" {
  name          = "key-auth"
  instance_name = %q
}`, name),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("config_json"), knownvalue.Null()),
				},
			},
			importStep(addr, importID(addr, "instance_name")),
		},
	})
}

// expectConfigJSONChange checks the planned change of config_json, as
// parsed JSON: before (the refreshed state) and after (the configuration).
func expectConfigJSONChange(addr string, before, after map[string]any) plancheck.PlanCheck {
	return configJSONCheck{addr: addr, before: before, after: after}
}

type configJSONCheck struct {
	addr          string
	before, after map[string]any
}

func (c configJSONCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		for _, side := range []struct {
			name string
			data any
			want map[string]any
		}{{"before", rc.Change.Before, c.before}, {"after", rc.Change.After, c.after}} {
			m, _ := side.data.(map[string]any)
			s, _ := m["config_json"].(string)
			var got map[string]any
			if err := json.Unmarshal([]byte(s), &got); err != nil || !reflect.DeepEqual(got, side.want) {
				resp.Error = fmt.Errorf("%s config_json %s = %s, want %v", c.addr, side.name, s, side.want)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("%s: no planned change", c.addr)
}

func TestNonDefaultConfigKeepsOnlyWhatDiffersFromTheSchema(t *testing.T) {
	sch := api.ParseSchema(map[string]any{"fields": []any{
		map[string]any{"config": map[string]any{"type": "record", "fields": []any{
			map[string]any{"minute": map[string]any{"type": "number"}},
			map[string]any{"policy": map[string]any{"type": "string", "default": "local"}},
			map[string]any{"methods": map[string]any{"type": "set", "default": []any{"GET", "POST"}}},
			map[string]any{"redis": map[string]any{"type": "record", "fields": []any{
				map[string]any{"host": map[string]any{"type": "string"}},
				map[string]any{"port": map[string]any{"type": "integer", "default": 6379.0}},
			}}},
		}}},
	}})
	server := map[string]any{"minute": 5.0, "policy": "local", "methods": []any{"POST", "GET"},
		"redis": map[string]any{"host": nil, "port": 6380.0}}
	got := nonDefaultConfig(server, sch.Field("config"))
	want := map[string]any{"minute": 5.0, "redis": map[string]any{"port": 6380.0}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("nonDefaultConfig = %v, want %v", got, want)
	}
}

func TestSetPathCreatesRecords(t *testing.T) {
	m := map[string]any{"a": 1.0}
	setPath(m, []string{"redis", "host"}, "h")
	setPath(m, []string{"a"}, 2.0)
	if !reflect.DeepEqual(m, map[string]any{"a": 2.0, "redis": map[string]any{"host": "h"}}) {
		t.Errorf("setPath: %v", m)
	}
}
