package schema

import (
	"fmt"
	"strings"
)

// Check is an entity-level validation (Kong's entity_checks). A check is
// skipped when a field it involves already has an error, as Kong does.
type Check interface {
	// Fields lists the fields the check reads.
	Fields() []string
	// Validate adds errors for doc to errs.
	Validate(doc Doc, errs Errors)
	// Describe renders the check for /schemas, e.g.
	// {"at_least_one_of": ["custom_id", "username"]}.
	Describe() map[string]any
}

// runsWithInvalidFields is implemented by the checks Kong runs even when a
// field they read already has an error (run_with_invalid_fields in
// kong/db/schema/init.lua: at_least_one_of, only_one_of, distinct,
// conditional, conditional_at_least_one_of).
type runsWithInvalidFields interface{ runWithInvalidFields() bool }

func (AtLeastOneOf) runWithInvalidFields() bool   { return true }
func (OnlyOneOf) runWithInvalidFields() bool      { return true }
func (Distinct) runWithInvalidFields() bool       { return true }
func (*Conditional) runWithInvalidFields() bool   { return true }
func (c *CustomCheck) runWithInvalidFields() bool { return c.RunWithInvalidFields }

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}

func anyList(names []string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

// isSet reports whether a value counts as "non-empty" for entity checks:
// not null, and not an empty string/array/map.
func isSet(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}

// getPath reads a dotted path ("config.minute") from a document.
func getPath(doc Doc, path string) any {
	var cur any = doc
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// AtLeastOneOf requires at least one of the fields to be non-empty.
type AtLeastOneOf []string

func (c AtLeastOneOf) Fields() []string { return c }
func (c AtLeastOneOf) Validate(doc Doc, errs Errors) {
	for _, f := range c {
		if isSet(getPath(doc, f)) {
			return
		}
	}
	errs.AddEntity("at least one of these fields must be non-empty: " + quoteList(c))
}
func (c AtLeastOneOf) Describe() map[string]any {
	return map[string]any{"at_least_one_of": anyList(c)}
}

// OnlyOneOf requires exactly one of the fields to be non-empty.
type OnlyOneOf []string

func (c OnlyOneOf) Fields() []string { return c }
func (c OnlyOneOf) Validate(doc Doc, errs Errors) {
	n := 0
	for _, f := range c {
		if isSet(getPath(doc, f)) {
			n++
		}
	}
	if n != 1 {
		errs.AddEntity("exactly one of these fields must be non-empty: " + quoteList(c))
	}
}
func (c OnlyOneOf) Describe() map[string]any {
	return map[string]any{"only_one_of": anyList(c)}
}

// MutuallyRequired requires all or none of the fields.
type MutuallyRequired []string

func (c MutuallyRequired) Fields() []string { return c }
func (c MutuallyRequired) Validate(doc Doc, errs Errors) {
	n := 0
	for _, f := range c {
		if isSet(getPath(doc, f)) {
			n++
		}
	}
	if n != 0 && n != len(c) {
		errs.AddEntity("all or none of these fields must be set: " + quoteList(c))
	}
}
func (c MutuallyRequired) Describe() map[string]any {
	return map[string]any{"mutually_required": anyList(c)}
}

// Distinct requires the fields' values to differ (ignoring nulls).
type Distinct []string

func (c Distinct) Fields() []string { return c }
func (c Distinct) Validate(doc Doc, errs Errors) {
	seen := map[string]bool{}
	for _, f := range c {
		v := getPath(doc, f)
		if !isSet(v) {
			continue
		}
		k := fmt.Sprint(v)
		if seen[k] {
			errs.AddEntity("values of these fields must be distinct: " + quoteList(c))
			return
		}
		seen[k] = true
	}
}
func (c Distinct) Describe() map[string]any {
	return map[string]any{"distinct": anyList(c)}
}

// Conditional: when IfField's value satisfies If, ThenField must satisfy Then.
type Conditional struct {
	IfField   string
	If        *Field // a validator-only field (kind taken from the real field)
	ThenField string
	Then      *Field
	// ThenErr, when set, replaces the generic entity message.
	ThenErr string
	// Desc is the check rendered for /schemas.
	Desc map[string]any
}

func (c *Conditional) Fields() []string { return []string{c.IfField, c.ThenField} }
func (c *Conditional) Validate(doc Doc, errs Errors) {
	ifVal := getPath(doc, c.IfField)
	if msg := validateValue(c.If, ifVal, doc); msg != nil {
		return
	}
	thenVal := getPath(doc, c.ThenField)
	if msg := validateValue(c.Then, thenVal, doc); msg != nil {
		setPathError(errs, c.ThenField, msg)
		if c.ThenErr != "" {
			errs.AddEntity(c.ThenErr)
			return
		}
		errs.AddEntity(fmt.Sprintf("failed conditional validation given value of field '%s'", c.IfField))
	}
}
func (c *Conditional) Describe() map[string]any {
	if c.Desc != nil {
		return map[string]any{"conditional": c.Desc}
	}
	return map[string]any{"conditional": map[string]any{"if_field": c.IfField, "then_field": c.ThenField}}
}

// setPathError stores a field error at a dotted path inside errs.
func setPathError(errs Errors, path string, msg any) {
	parts := strings.Split(path, ".")
	cur := map[string]any(errs)
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	cur[parts[len(parts)-1]] = msg
}

// CustomCheck runs arbitrary logic; Fn returns "" when valid, else an entity
// error message. FieldErrs variants can set field errors directly.
type CustomCheck struct {
	Reads []string
	Fn    func(doc Doc, errs Errors)
	Desc  map[string]any
	// RunWithInvalidFields runs the check even when a field it reads has
	// an error (Kong's conditional_at_least_one_of behaves so).
	RunWithInvalidFields bool
}

func (c *CustomCheck) Fields() []string           { return c.Reads }
func (c *CustomCheck) Validate(doc Doc, e Errors) { c.Fn(doc, e) }
func (c *CustomCheck) Describe() map[string]any {
	if c.Desc != nil {
		return c.Desc
	}
	return map[string]any{"custom_entity_check": map[string]any{"field_sources": anyList(c.Reads)}}
}

// MutuallyExclusiveSets: a set field may hold values from only one group.
type MutuallyExclusiveSets struct {
	Field  string
	Groups [][]string
}

func (c *MutuallyExclusiveSets) Fields() []string { return []string{c.Field} }
func (c *MutuallyExclusiveSets) Validate(doc Doc, errs Errors) {
	vals, _ := getPath(doc, c.Field).([]any)
	var hit []int
	for gi, g := range c.Groups {
		for _, v := range vals {
			if containsString(g, v) {
				hit = append(hit, gi)
				break
			}
		}
	}
	if len(hit) < 2 {
		return
	}
	groups := make([]string, len(hit))
	for i, gi := range hit {
		groups[i] = "(" + quoteList(c.Groups[gi]) + ")"
	}
	errs.AddEntity("these sets are mutually exclusive: " + strings.Join(groups, ", "))
}
func (c *MutuallyExclusiveSets) Describe() map[string]any {
	groups := make([]any, len(c.Groups))
	for i, g := range c.Groups {
		groups[i] = anyList(g)
	}
	return map[string]any{"mutually_exclusive_sets": map[string]any{"set1": c.Field, "groups": groups}}
}

func containsString(list []string, v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
