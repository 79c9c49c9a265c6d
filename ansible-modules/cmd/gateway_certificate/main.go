// Command gateway_certificate is the Ansible module managing one TLS
// certificate and its SNIs. Documentation:
// ansible-modules/collection/plugins/modules/gateway_certificate.yml.
package main

import (
	"context"
	"sort"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/gateway"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

var pemFields = []string{"cert", "key", "cert_alt", "key_alt"}

var spec = module.Spec{
	Options: gateway.Spec(gateway.EntityOptions(), map[string]module.Option{
		"id":       {},
		"cert":     {},
		"key":      {NoLog: true},
		"cert_alt": {},
		"key_alt":  {NoLog: true},
		"snis":     {Type: module.List, Elements: module.Str},
	}),
	RequiredOneOf:     [][]string{{"id", "snis", "cert"}},
	RequiredTogether:  [][]string{{"cert_alt", "key_alt"}},
	RequiredIf:        []module.RequiredIf{{Key: "state", Value: "present", Requirements: []string{"cert", "key"}}},
	SupportsCheckMode: true,
}

func main() { gateway.Main(spec, run) }

func run(ctx context.Context, m *module.Module, c *api.Client) error {
	desired := api.Entity{}
	gateway.Put(m, desired, "id", "tags")
	gateway.Put(m, desired, pemFields...)
	if m.IsSet("snis") {
		snis := m.Strings("snis")
		sort.Strings(snis) // the server returns them sorted
		desired["snis"] = snis
	}
	return gateway.Ensure(ctx, m, c, gateway.Target{
		Kind: "certificates", Label: "certificate", Name: describe(m), Desired: desired,
		Secrets: []string{"key", "key_alt"},
		Find:    find(m, c),
		Create:  gateway.PostTo(c, "certificates"),
		Path:    gateway.ByID("certificates"),
		Adjust:  samePEM,
	})
}

func describe(m *module.Module) string {
	if m.IsSet("id") {
		return m.Str("id")
	}
	if s := m.Strings("snis"); len(s) > 0 {
		return "for " + strings.Join(s, ", ")
	}
	return ""
}

// find locates the certificate by id, else through the first of its SNIs
// (an SNI name belongs to one certificate), else by identical PEM.
func find(m *module.Module, c *api.Client) func(ctx context.Context) (api.Entity, error) {
	if m.IsSet("id") {
		return gateway.FindAt(c, "certificates/"+api.Path(m.Str("id")))
	}
	return func(ctx context.Context) (api.Entity, error) {
		if snis := m.Strings("snis"); len(snis) > 0 {
			sni, err := gateway.FindAt(c, "snis/"+api.Path(snis[0]))(ctx)
			if err != nil || sni == nil {
				return nil, err
			}
			cert, _ := sni["certificate"].(map[string]any)
			id, _ := cert["id"].(string)
			return gateway.FindAt(c, "certificates/"+api.Path(id))(ctx)
		}
		list, err := c.List(ctx, "certificates", api.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			if s, _ := e["cert"].(string); strings.TrimSpace(s) == strings.TrimSpace(m.Str("cert")) {
				return e, nil
			}
		}
		return nil, nil
	}
}

// samePEM drops PEM fields equal to the stored ones but for surrounding
// whitespace: Ansible's file lookup strips the final newline a PEM file
// has, which is no reason to rewrite a certificate.
func samePEM(current, desired api.Entity) {
	if current == nil {
		return
	}
	for _, f := range pemFields {
		d, ok := desired[f].(string)
		c, _ := current[f].(string)
		if ok && strings.TrimSpace(d) == strings.TrimSpace(c) {
			delete(desired, f)
		}
	}
}
