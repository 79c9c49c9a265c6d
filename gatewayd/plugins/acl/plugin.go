// Package acl is Kong's acl plugin: it allows or denies authenticated
// consumers by the groups they belong to (acls entities), or by groups an
// authentication plugin reported for the request.
package acl

import (
	"sort"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Name and Priority are Kong 3.9's.
const (
	Name     = "acl"
	Priority = 950
)

// AuthenticatedGroupsKey is the per-request shared value (Context.Set,
// Kong's kong.ctx.shared.authenticated_groups) in which an authentication
// plugin reports the groups of the request, as a []string.
const AuthenticatedGroupsKey = "authenticated_groups"

// HeaderAuthenticatedGroups carries authenticated groups upstream (Kong's
// constants.HEADERS.AUTHENTICATED_GROUPS).
const HeaderAuthenticatedGroups = "X-Authenticated-Groups"

const (
	msgForbidden    = "You cannot consume this service"
	msgUnauthorized = "Unauthorized"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        Name,
		Priority:    Priority,
		Description: "Allow or deny consumers by group; requires an authentication plugin.",
		Config:      configFields(),
		Checks:      checks(),
		NoConsumer:  true,
		Entities:    []*schema.Entity{ACLs()},
		Shared:      buildIndex,
		New:         New,
	})
}

// groups are one consumer's groups, in Kong's order (the acls' primary
// key order), with the X-Consumer-Groups value precomputed.
type groups struct {
	set    map[string]struct{}
	header string
}

func (g *groups) has(name string) bool {
	if g == nil {
		return false
	}
	_, ok := g.set[name]
	return ok
}

// index maps consumer ids to their groups.
type index map[string]*groups

// buildIndex is Spec.Shared: every acl instance of a snapshot shares one
// consumer → groups index.
func buildIndex(d *plugin.Data) (any, error) {
	type row struct{ id, group string }
	rows := map[string][]row{}
	for _, doc := range d.Docs(EntityName) {
		m, _ := doc["consumer"].(map[string]any)
		consumerID, _ := m["id"].(string)
		group, _ := doc["group"].(string)
		id, _ := doc["id"].(string)
		if consumerID == "" || group == "" {
			continue
		}
		rows[consumerID] = append(rows[consumerID], row{id, group})
	}
	idx := make(index, len(rows))
	for consumerID, list := range rows {
		sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
		g := &groups{set: make(map[string]struct{}, len(list))}
		names := make([]string, 0, len(list))
		for _, r := range list {
			if _, dup := g.set[r.group]; dup {
				continue
			}
			g.set[r.group] = struct{}{}
			names = append(names, r.group)
		}
		g.header = strings.Join(names, ", ")
		idx[consumerID] = g
	}
	return idx, nil
}

// ACL is one compiled acl config.
type ACL struct {
	deny       bool // the config lists denied groups (else allowed ones)
	groups     []string
	hide       bool
	alwaysAuth bool
	index      index
}

// New compiles a validated config.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	a := &ACL{
		hide:       cfg["hide_groups_header"] == true,
		alwaysAuth: cfg["always_use_authenticated_groups"] == true,
	}
	deny, _ := cfg["deny"].([]any)
	list, _ := cfg["allow"].([]any)
	if len(deny) > 0 {
		a.deny, list = true, deny
	}
	for _, v := range list {
		if s, ok := v.(string); ok {
			a.groups = append(a.groups, s)
		}
	}
	a.index, _ = env.Shared.(index)
	if a.index == nil && env.Data != nil {
		v, _ := buildIndex(env.Data)
		a.index = v.(index)
	}
	return a, nil
}

// Access decides on the request (Kong's ACLHandler:access).
func (a *ACL) Access(c *plugin.Context) {
	cred := c.Credential()
	consumerID := ""
	if consumer := c.Consumer(); consumer != nil {
		consumerID = consumer.ID
	} else if cred != nil {
		consumerID = cred.ConsumerID
	}
	if consumerID == "" {
		list, ok := authenticatedGroups(c)
		if !ok {
			if cred != nil {
				c.Error(403, msgForbidden)
			} else {
				c.Error(401, msgUnauthorized)
			}
			return
		}
		a.applyAuthenticated(c, list)
		return
	}
	// Authenticated groups override an anonymous consumer's groups, and
	// with always_use_authenticated_groups any consumer's.
	if cred == nil || a.alwaysAuth {
		if list, ok := authenticatedGroups(c); ok {
			a.applyAuthenticated(c, list)
			return
		}
	}
	g := a.index[consumerID]
	in := false
	for _, name := range a.groups {
		if g.has(name) {
			in = true
			break
		}
	}
	if in == a.deny {
		c.Error(403, msgForbidden)
		return
	}
	if !a.hide {
		header := ""
		if g != nil {
			header = g.header
		}
		setGroupsHeader(c, plugin.HeaderConsumerGroups, header)
	}
}

func (a *ACL) applyAuthenticated(c *plugin.Context, list []string) {
	in := false
	for _, name := range a.groups {
		for _, g := range list {
			if g == name {
				in = true
				break
			}
		}
	}
	if in == a.deny {
		c.Error(403, msgForbidden)
		return
	}
	if !a.hide {
		setGroupsHeader(c, HeaderAuthenticatedGroups, strings.Join(list, ", "))
	}
}

// setGroupsHeader sets the groups header sent upstream; an empty list
// removes it, as nginx's set_header does with an empty value.
func setGroupsHeader(c *plugin.Context, name, value string) {
	if value == "" {
		c.DelHeader(name)
		return
	}
	c.SetHeader(name, value)
}

// authenticatedGroups reads the groups an authentication plugin reported
// for the request; ok is false when none did (an empty list counts).
func authenticatedGroups(c *plugin.Context) ([]string, bool) {
	switch v := c.Get(AuthenticatedGroupsKey).(type) {
	case []string:
		return v, true
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out, true
	}
	return nil, false
}
