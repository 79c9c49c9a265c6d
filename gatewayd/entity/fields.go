// Package entity declares gatewayd's core entities on the schema DSL, one
// file per entity, mirroring kong/db/schema/entities/*.lua.
package entity

import (
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

func anyStrings(list []string) []any { return schema.Strings(list...) }

func withRequired(f *schema.Field) *schema.Field { f.Required = true; return f }

func withDefault(f *schema.Field, v any) *schema.Field { f.Default = v; return f }

func withDesc(f *schema.Field, d string) *schema.Field { f.Description = d; return f }

func unique(f *schema.Field) *schema.Field { f.Unique = true; return f }

func named(f *schema.Field, name string) *schema.Field { f.Name = name; return f }

// notOneOf is a custom validator passing when the value is not in list
// (Kong's not_one_of), used inside conditional checks.
func notOneOf(list ...string) func(v any) string {
	return func(v any) string {
		s, _ := v.(string)
		for _, x := range list {
			if s == x {
				return "expected none of: " + strings.Join(list, ", ")
			}
		}
		return ""
	}
}

// foreignID returns the id of a foreign-key value ({"id": ...}) or "".
func foreignID(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	id, _ := m["id"].(string)
	return id
}

// ForeignID is foreignID for other packages.
func ForeignID(v any) string { return foreignID(v) }

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	case string:
		return t == ""
	}
	return false
}
