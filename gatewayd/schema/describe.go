package schema

// Describe renders an entity schema the way Kong's GET /schemas/{entity}
// does: {"fields": [{"<name>": {...}}, ...], "entity_checks": [...]}.
// decK and our own tooling read defaults from here.
func (e *Entity) Describe() map[string]any {
	out := map[string]any{"fields": DescribeFields(e.Fields)}
	var checks []any
	for _, c := range e.Checks {
		// Checks that depend on the document (a plugin's own checks)
		// describe nothing at the entity level.
		if d := c.Describe(); d != nil {
			checks = append(checks, d)
		}
	}
	if len(checks) > 0 {
		out["entity_checks"] = checks
	}
	return out
}

// DescribeFields renders an ordered field list.
func DescribeFields(fields []*Field) []any {
	out := make([]any, 0, len(fields))
	for _, f := range fields {
		out = append(out, map[string]any{f.Name: DescribeField(f)})
	}
	return out
}

// DescribeField renders one field's attributes.
func DescribeField(f *Field) map[string]any {
	m := map[string]any{"type": f.Kind.String()}
	if f.TypeName != "" {
		m["type"] = f.TypeName
	}
	set := func(k string, cond bool, v any) {
		if cond {
			m[k] = v
		}
	}
	set("description", f.Description != "", f.Description)
	set("required", f.Required, true)
	set("default", f.Default != nil, f.Default)
	set("auto", f.Auto, true)
	set("unique", f.Unique, true)
	set("immutable", f.Immutable, true)
	set("encrypted", f.Sensitive, true)
	set("uuid", f.UUID, true)
	set("timestamp", f.Timestamp, true)
	set("reference", f.Reference != "", f.Reference)
	set("len_min", f.LenMin > 0 || f.AllowEmpty, f.LenMin)
	set("len_max", f.LenMax > 0, f.LenMax)
	set("starts_with", f.StartsWith != "", f.StartsWith)
	set("one_of", len(f.OneOf) > 0, f.OneOf)
	if f.Kind == Foreign {
		onDelete := f.OnDelete
		if onDelete == "" {
			onDelete = "restrict"
		}
		if onDelete != "restrict" {
			m["on_delete"] = onDelete
		}
	}
	if f.Between != nil {
		m["between"] = []any{f.Between.Min, f.Between.Max}
	}
	if f.Gt != nil {
		m["gt"] = *f.Gt
	}
	if f.EqNull {
		m["eq"] = nil
	}
	if f.Elements != nil {
		m["elements"] = DescribeField(f.Elements)
	}
	if f.Keys != nil {
		m["keys"] = DescribeField(f.Keys)
	}
	if f.Values != nil {
		m["values"] = DescribeField(f.Values)
	}
	if f.Kind == Record && f.Fields != nil {
		m["fields"] = DescribeFields(f.Fields)
		if len(f.RecordChecks) > 0 {
			checks := make([]any, len(f.RecordChecks))
			for i, c := range f.RecordChecks {
				checks[i] = c.Describe()
			}
			m["entity_checks"] = checks
		}
	}
	if f.MatchAny != nil {
		pats := make([]any, len(f.MatchAny.Descs))
		for i, d := range f.MatchAny.Descs {
			pats[i] = d
		}
		m["match_any"] = map[string]any{"patterns": pats, "err": f.MatchAny.Err}
	}
	if len(f.MatchNone) > 0 {
		m["match_none"] = describePatterns(f.MatchNone)
	}
	if len(f.MatchAll) > 0 {
		m["match_all"] = describePatterns(f.MatchAll)
	}
	return m
}

func describePatterns(ps []Pattern) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = map[string]any{"pattern": p.Desc, "err": p.Err}
	}
	return out
}
