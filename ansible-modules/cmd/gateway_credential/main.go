// Command gateway_credential is the Ansible module managing one consumer
// credential: key-auth, basic-auth, jwt, hmac-auth or acl. Documentation:
// ansible-modules/collection/plugins/modules/gateway_credential.yml.
package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/gateway"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// credType is what differs between credential types.
type credType struct {
	kind     string   // entity name, for /schemas
	nested   string   // path segment under /consumers/{consumer}
	identity string   // the field that finds the credential within its consumer
	fields   []string // options that apply to the type
	secrets  []string
}

var types = map[string]credType{
	"key-auth":   {"keyauth_credentials", "key-auth", "key", []string{"key"}, []string{"key"}},
	"basic-auth": {"basicauth_credentials", "basic-auth", "username", []string{"username", "password"}, []string{"password"}},
	"jwt":        {"jwt_secrets", "jwt", "key", []string{"key", "secret", "algorithm", "rsa_public_key"}, []string{"secret"}},
	"hmac-auth":  {"hmacauth_credentials", "hmac-auth", "username", []string{"username", "secret"}, []string{"secret"}},
	"acl":        {"acls", "acls", "group", []string{"group"}, nil},
}

// typeFields are every type-specific option, to reject those that do not
// apply to the chosen type.
var typeFields = []string{"key", "username", "password", "secret", "algorithm", "rsa_public_key", "group"}

var spec = module.Spec{
	Options: gateway.Spec(gateway.EntityOptions(), map[string]module.Option{
		"type":           {Required: true, Choices: []any{"key-auth", "basic-auth", "jwt", "hmac-auth", "acl"}},
		"consumer":       {Required: true},
		"id":             {},
		"key":            {NoLog: true},
		"username":       {},
		"password":       {NoLog: true},
		"secret":         {NoLog: true},
		"algorithm":      {Choices: []any{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"}},
		"rsa_public_key": {},
		"group":          {},
		// Basic-auth passwords are stored hashed; see Adjust below.
		"update_password": {Choices: []any{"always", "on_create"}, Default: "always"},
	}),
	SupportsCheckMode: true,
}

func main() { gateway.Main(spec, run) }

func run(ctx context.Context, m *module.Module, c *api.Client) error {
	ct := types[m.Str("type")]
	if err := checkApplicable(m, ct); err != nil {
		return err
	}
	desired := api.Entity{}
	gateway.Put(m, desired, "id", "tags")
	gateway.Put(m, desired, ct.fields...)
	consumerID, err := gateway.Ref(ctx, m, c, "consumers", "consumer", m.Str("consumer"))
	if err != nil {
		return err
	}
	nested := "consumers/" + api.Path(consumerID) + "/" + ct.nested
	t := gateway.Target{
		Kind: ct.kind, Label: "credential", Desired: desired, Secrets: ct.secrets,
		Name:   fmt.Sprintf("%s of consumer %s", m.Str("type"), m.Str("consumer")),
		Find:   find(m, c, ct, consumerID, nested),
		Create: gateway.PostTo(c, nested),
		Path:   gateway.ByID(nested),
	}
	if m.Str("type") == "basic-auth" {
		t.Adjust = keepMatchingPassword(m)
	}
	return gateway.Ensure(ctx, m, c, t)
}

// checkApplicable rejects options of other credential types, and asks for
// the field that identifies the credential (without it a second run could
// not find what the first created).
func checkApplicable(m *module.Module, ct credType) error {
	var wrong []string
	for _, f := range typeFields {
		if m.IsSet(f) && !contains(ct.fields, f) {
			wrong = append(wrong, f)
		}
	}
	if len(wrong) > 0 {
		sort.Strings(wrong)
		return fmt.Errorf("type=%s does not take %v (it takes %v)", m.Str("type"), wrong, ct.fields)
	}
	if !m.IsSet(ct.identity) && !m.IsSet("id") {
		return fmt.Errorf("type=%s needs %s (or id) to identify the credential", m.Str("type"), ct.identity)
	}
	return nil
}

// find lists the consumer's credentials of the type and picks the one
// with the task's id or identifying field.
func find(m *module.Module, c *api.Client, ct credType, consumerID, nested string) func(ctx context.Context) (api.Entity, error) {
	return func(ctx context.Context) (api.Entity, error) {
		if gateway.IsUnresolved(consumerID) {
			return nil, nil
		}
		list, err := c.List(ctx, nested, api.ListOptions{})
		if api.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			if m.IsSet("id") && e["id"] == m.Str("id") || !m.IsSet("id") && e[ct.identity] == m.Str(ct.identity) {
				return e, nil
			}
		}
		return nil, nil
	}
}

// keepMatchingPassword implements update_password for basic-auth. The
// server stores hex(sha1(password + consumer id)) and returns only that,
// so with `always` the password is sent only when its hash differs from
// the stored one (changed=false when it matches); with `on_create` an
// existing credential's password is never touched.
func keepMatchingPassword(m *module.Module) func(current, desired api.Entity) {
	return func(current, desired api.Entity) {
		pw, ok := desired["password"].(string)
		if current == nil || !ok {
			return
		}
		consumer, _ := current["consumer"].(map[string]any)
		consumerID, _ := consumer["id"].(string)
		if m.Str("update_password") == "on_create" || current["password"] == api.BasicAuthHash(consumerID, pw) {
			delete(desired, "password")
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
