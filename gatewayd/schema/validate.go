package schema

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Prepare turns admin input into the complete document to store for op, and
// validates it. For Update, stored is the current document and input is
// merged into it (records merge, everything else replaces). The returned
// Errors are empty when the document is valid.
func (e *Entity) Prepare(input Doc, stored Doc, op Op, now time.Time) (Doc, Errors) {
	errs := Errors{}
	input = cloneDoc(input)
	e.expandShorthands(input, errs)

	given := cloneDoc(input)
	var doc Doc
	switch op {
	case Update:
		doc = cloneDoc(stored)
		mergeInto(doc, input, e.Fields)
	default:
		doc = input
	}
	e.fillAuto(doc, stored, op, now)
	if op != Update {
		fillDefaults(doc, e.Fields)
	}
	if e.Normalize != nil {
		e.Normalize(doc, given, op)
	}
	DedupeSets(doc, e.Fields)
	validateRecord(e.Fields, e.Checks, doc, doc, errs)
	return doc, errs
}

// Validate checks an already complete document (declarative config,
// /schemas/{entity}/validate after defaults).
func (e *Entity) Validate(doc Doc) Errors {
	errs := Errors{}
	validateRecord(e.Fields, e.Checks, doc, doc, errs)
	return errs
}

func (e *Entity) expandShorthands(input Doc, errs Errors) {
	for _, sh := range e.Shorthands {
		v, ok := input[sh.Field.Name]
		if !ok {
			continue
		}
		delete(input, sh.Field.Name)
		if v == nil {
			continue
		}
		if msg := validateValue(sh.Field, v, input); msg != nil {
			errs[sh.Field.Name] = msg
			continue
		}
		sh.Expand(v, input)
	}
}

// fillAuto generates ids and timestamps. PUT resets created_at unless the
// body supplies it, as Kong does.
func (e *Entity) fillAuto(doc, stored Doc, op Op, now time.Time) {
	for _, f := range e.Fields {
		if !f.Auto {
			continue
		}
		switch {
		case f.UUID:
			if _, ok := doc[f.Name]; !ok {
				if op == Update && stored != nil {
					doc[f.Name] = stored[f.Name]
				} else {
					doc[f.Name] = uuid.NewString()
				}
			}
		case f.Timestamp:
			ts := timestamp(f, now)
			switch {
			case f.Name == "updated_at":
				doc[f.Name] = ts
			case op == Update:
				if stored != nil {
					doc[f.Name] = stored[f.Name]
				}
			default:
				if _, ok := doc[f.Name]; !ok {
					doc[f.Name] = ts
				}
			}
		}
	}
}

func timestamp(f *Field, now time.Time) float64 {
	if f.Kind == Number {
		// Millisecond timestamps (targets) carry 3 decimals, like Kong.
		return math.Floor(float64(now.UnixMicro())/1000) / 1000
	}
	return float64(now.Unix())
}

// fillDefaults sets absent fields to their defaults. Records that are
// absent are materialized from their sub-field defaults (Kong shows full
// plugin configs and healthchecks); an explicit null stays null.
func fillDefaults(doc Doc, fields []*Field) {
	for _, f := range fields {
		v, present := doc[f.Name]
		if !present {
			switch {
			case f.Default != nil:
				doc[f.Name] = cloneValue(f.Default)
			case f.Kind == Record && (f.Fields != nil || f.Dynamic != nil):
				doc[f.Name] = Doc{}
			case f.Required:
				continue // reported as "required field missing"
			default:
				doc[f.Name] = nil
			}
			v = doc[f.Name]
		}
		if f.Kind == Record {
			if sub, ok := v.(map[string]any); ok {
				fillDefaults(sub, recordFields(f, doc))
			}
		}
	}
}

func recordFields(f *Field, parent Doc) []*Field {
	if f.Dynamic != nil {
		if d := f.Dynamic(parent); d != nil {
			return d.Fields
		}
		return nil
	}
	return f.Fields
}

func recordChecks(f *Field, parent Doc) []Check {
	if f.Dynamic != nil {
		if d := f.Dynamic(parent); d != nil {
			return d.RecordChecks
		}
		return nil
	}
	return f.RecordChecks
}

// mergeInto applies a PATCH body: records merge recursively, other values
// (arrays included) replace.
func mergeInto(dst, src Doc, fields []*Field) {
	for k, v := range src {
		f := fieldByName(fields, k)
		if f != nil && f.Kind == Record {
			sv, ok1 := v.(map[string]any)
			dv, ok2 := dst[k].(map[string]any)
			if ok1 && ok2 {
				mergeInto(dv, sv, recordFields(f, dst))
				continue
			}
		}
		dst[k] = v
	}
}

func fieldByName(fields []*Field, name string) *Field {
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// validateRecord validates every field of a record plus its checks.
func validateRecord(fields []*Field, checks []Check, rec, root Doc, errs Errors) {
	for k := range rec {
		if fieldByName(fields, k) == nil {
			errs[k] = "unknown field"
		}
	}
	for _, f := range fields {
		v, present := rec[f.Name]
		if !present || v == nil {
			if f.Required {
				errs[f.Name] = "required field missing"
			}
			continue
		}
		if msg := validateValue(f, v, rec); msg != nil {
			errs[f.Name] = msg
		}
	}
	RunChecks(checks, rec, errs)
}

// RunChecks runs entity checks against doc as Kong's run_entity_checks
// does: a check is skipped when one of the fields it reads already has an
// error. Check fields are dotted paths from doc ("config.second").
func RunChecks(checks []Check, doc Doc, errs Errors) {
	for _, c := range checks {
		if involvesError(c, errs) {
			continue
		}
		c.Validate(doc, errs)
	}
}

// involvesError reports whether the check must be skipped because a field
// it reads already has an error. Like Kong, the lookup is by the check's
// field name as written (a dotted "config.second" never matches), and
// checks that run with invalid fields are never skipped.
func involvesError(c Check, errs Errors) bool {
	if t, ok := c.(runsWithInvalidFields); ok && t.runWithInvalidFields() {
		return false
	}
	for _, f := range c.Fields() {
		if errs.Has(f) {
			return true
		}
	}
	return false
}

// ValidateField validates one value against a field (type, validators and
// nested fields) and returns nil, a message string or a nested error value.
// parent is the enclosing document, for records whose fields depend on it.
func ValidateField(f *Field, v any, parent Doc) any { return validateValue(f, v, parent) }

// validateValue validates a non-null value against a field and returns
// nil, a message string, or a nested error value (records/arrays/maps).
func validateValue(f *Field, v any, parent Doc) any {
	if v == nil {
		if f.Required {
			return "required field missing"
		}
		return nil
	}
	if msg := checkType(f, v); msg != "" {
		return msg
	}
	if msg := runValidators(f, v); msg != "" {
		return msg
	}
	switch f.Kind {
	case Array, Set:
		return validateElements(f, v.([]any), parent)
	case Map:
		return validateMap(f, v.(map[string]any), parent)
	case Record:
		if f.Dynamic != nil && f.Dynamic(parent) == nil {
			// The field naming the schema (e.g. a plugin's name) reports
			// the problem; the record cannot be judged without a schema.
			return nil
		}
		sub := Errors{}
		validateRecord(recordFields(f, parent), recordChecks(f, parent), v.(map[string]any), parent, sub)
		if len(sub) > 0 {
			return map[string]any(sub)
		}
	case Foreign:
		return validateForeign(v.(map[string]any))
	}
	return nil
}

func validateElements(f *Field, list []any, parent Doc) any {
	if f.Elements == nil {
		return nil
	}
	var out []any
	for i, el := range list {
		var msg any
		if el == nil {
			msg = "required field missing"
		} else {
			msg = validateValue(f.Elements, el, parent)
		}
		if msg != nil {
			if out == nil {
				out = make([]any, len(list))
			}
			out[i] = msg
		}
	}
	if out == nil {
		return nil
	}
	// Trim trailing holes so the rendering matches Kong's sparse tables.
	for len(out) > 0 && out[len(out)-1] == nil {
		out = out[:len(out)-1]
	}
	return out
}

// validateMap returns the first key or value error (in key order) as the
// map field's error, as Kong's validate_field does for maps.
func validateMap(f *Field, m map[string]any, parent Doc) any {
	for _, k := range sortedKeys(m) {
		if f.Keys != nil {
			if msg := validateValue(f.Keys, k, parent); msg != nil {
				return msg
			}
		}
		if f.Values != nil {
			if msg := validateValue(f.Values, m[k], parent); msg != nil {
				return msg
			}
		}
	}
	return nil
}

// validateForeign checks a foreign key value like Kong's
// validate_primary_key(value, ignore_others=true): an absent id is
// "missing primary key", a null one "required field missing"; members other
// than the primary key are ignored.
func validateForeign(m map[string]any) any {
	id, ok := m["id"]
	if !ok {
		return map[string]any{"id": "missing primary key"}
	}
	if id == nil {
		return map[string]any{"id": "required field missing"}
	}
	s, ok := id.(string)
	if !ok {
		return map[string]any{"id": "expected a string"}
	}
	if !IsUUID(s) {
		return map[string]any{"id": "expected a valid UUID"}
	}
	return nil
}

func checkType(f *Field, v any) string {
	switch f.Kind {
	case String:
		if _, ok := v.(string); !ok {
			return "expected a string"
		}
	case Integer:
		n, ok := v.(float64)
		if !ok || n != math.Trunc(n) || math.IsInf(n, 0) {
			return "expected an integer"
		}
	case Number:
		if _, ok := v.(float64); !ok {
			return "expected a number"
		}
	case Boolean:
		if _, ok := v.(bool); !ok {
			return "expected a boolean"
		}
	case Array:
		if _, ok := v.([]any); !ok {
			return "expected an array"
		}
	case Set:
		if _, ok := v.([]any); !ok {
			return "expected a set"
		}
	case Map:
		if _, ok := v.(map[string]any); !ok {
			return "expected a map"
		}
	case Record, Foreign:
		if _, ok := v.(map[string]any); !ok {
			return "expected a record"
		}
	}
	return ""
}

// runValidators applies the scalar validators in Kong's order
// (kong/db/schema/init.lua Schema.validators_order: eq, ne, one_of, gt,
// timestamp, uuid, between, len_eq, len_min, len_max, starts_with,
// match_none, match_all, match_any, custom_validator); the first failure
// wins.
func runValidators(f *Field, v any) string {
	if f.EqNull {
		if f.Err != "" {
			return f.Err
		}
		return "value must be null"
	}
	if f.Ne != nil && v == f.Ne {
		if f.Err != "" {
			return f.Err
		}
		return fmt.Sprintf("value must not be %v", f.Ne)
	}
	if len(f.OneOf) > 0 && !oneOf(f.OneOf, v) {
		parts := make([]string, len(f.OneOf))
		for i, o := range f.OneOf {
			parts[i] = fmt.Sprint(o)
			if n, ok := o.(float64); ok {
				parts[i] = formatNumber(n)
			}
		}
		return "expected one of: " + strings.Join(parts, ", ")
	}
	if f.Gt != nil {
		if n, ok := v.(float64); ok && n <= *f.Gt {
			return "value must be greater than " + formatNumber(*f.Gt)
		}
	}
	if f.Timestamp {
		if n, ok := v.(float64); ok && n < 0 {
			return "expected a valid timestamp"
		}
	}
	if f.UUID {
		if s, ok := v.(string); ok && !IsUUID(s) {
			return "expected a valid UUID"
		}
	}
	if f.Between != nil {
		if n, ok := v.(float64); ok && (n < f.Between.Min || n > f.Between.Max) {
			return fmt.Sprintf("value should be between %s and %s", formatNumber(f.Between.Min), formatNumber(f.Between.Max))
		}
	}
	if msg := checkLength(f, v); msg != "" {
		return msg
	}
	if s, ok := v.(string); ok {
		if msg := checkPatterns(f, s); msg != "" {
			return msg
		}
	}
	if f.Custom != nil {
		return f.Custom(v)
	}
	return ""
}

func checkLength(f *Field, v any) string {
	n := -1
	switch t := v.(type) {
	case string:
		n = len(t)
		// Kong rejects empty strings unless a field allows them.
		if f.LenMin == 0 && !f.AllowEmpty && n == 0 {
			return "length must be at least 1"
		}
	case []any:
		n = len(t)
	case map[string]any:
		n = len(t)
	}
	if n < 0 {
		return ""
	}
	if f.LenEq != nil && n != *f.LenEq {
		return fmt.Sprintf("length must be %d", *f.LenEq)
	}
	if f.LenMin > 0 && n < f.LenMin {
		return fmt.Sprintf("length must be at least %d", f.LenMin)
	}
	if f.LenMax > 0 && n > f.LenMax {
		return fmt.Sprintf("length must be at most %d", f.LenMax)
	}
	return ""
}

func checkPatterns(f *Field, s string) string {
	if f.StartsWith != "" && !strings.HasPrefix(s, f.StartsWith) {
		return "should start with: " + f.StartsWith
	}
	for _, p := range f.MatchNone {
		if p.Test(s) {
			return p.Err
		}
	}
	for _, p := range f.MatchAll {
		if !p.Test(s) {
			return p.Err
		}
	}
	if f.MatchAny != nil {
		ok := false
		for _, t := range f.MatchAny.Tests {
			if t(s) {
				ok = true
				break
			}
		}
		if !ok {
			return f.MatchAny.Err
		}
	}
	return ""
}

func oneOf(list []any, v any) bool {
	for _, o := range list {
		if o == v {
			return true
		}
	}
	return false
}

// IsUUID reports whether s is a UUID in the 8-4-4-4-12 hex form Kong accepts.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// DedupeSets removes repeated values from set fields, keeping first
// occurrences, as Kong normalizes sets.
func DedupeSets(doc Doc, fields []*Field) {
	for _, f := range fields {
		switch f.Kind {
		case Set:
			if list, ok := doc[f.Name].([]any); ok {
				doc[f.Name] = dedupe(list)
			}
		case Record:
			if sub, ok := doc[f.Name].(map[string]any); ok {
				DedupeSets(sub, recordFields(f, doc))
			}
		}
	}
}

func dedupe(list []any) []any {
	out := list[:0:0]
	seen := map[any]bool{}
	for _, v := range list {
		key := v
		if _, hashable := v.(map[string]any); hashable {
			key = fmt.Sprint(v)
		}
		if _, isList := v.([]any); isList {
			key = fmt.Sprint(v)
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, v)
	}
	return out
}

func cloneDoc(d Doc) Doc {
	if d == nil {
		return Doc{}
	}
	return cloneValue(d).(map[string]any)
}

// CloneValue deep-copies a JSON value.
func CloneValue(v any) any { return cloneValue(v) }

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = cloneValue(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = cloneValue(x)
		}
		return out
	case []string:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = x
		}
		return out
	}
	return v
}
