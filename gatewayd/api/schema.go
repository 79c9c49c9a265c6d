package api

import "sort"

// Schema is an entity or plugin schema as /schemas renders it.
type Schema struct {
	Fields []*Field
}

// Field is one schema field.
type Field struct {
	Name        string
	Type        string // string, integer, number, boolean, array, set, map, record, foreign, json
	Required    bool
	HasDefault  bool
	Default     any
	Auto        bool
	Sensitive   bool // Kong's "encrypted"/"referenceable" secrets
	Description string
	OneOf       []any
	Reference   string
	Elements    *Field
	Keys        *Field
	Values      *Field
	Fields      []*Field // record fields
}

// ParseSchema reads the JSON of GET /schemas/... .
func ParseSchema(raw map[string]any) *Schema {
	return &Schema{Fields: parseFields(raw["fields"])}
}

func parseFields(v any) []*Field {
	list, _ := v.([]any)
	var out []*Field
	for _, item := range list {
		m, _ := item.(map[string]any)
		for name, def := range m {
			f := parseField(def)
			f.Name = name
			out = append(out, f)
		}
	}
	return out
}

func parseField(v any) *Field {
	m, _ := v.(map[string]any)
	f := &Field{}
	f.Type, _ = m["type"].(string)
	f.Required, _ = m["required"].(bool)
	f.Auto, _ = m["auto"].(bool)
	f.Description, _ = m["description"].(string)
	f.Reference, _ = m["reference"].(string)
	enc, _ := m["encrypted"].(bool)
	f.Sensitive = enc
	if d, ok := m["default"]; ok {
		f.HasDefault, f.Default = true, d
	}
	f.OneOf, _ = m["one_of"].([]any)
	if e, ok := m["elements"]; ok {
		f.Elements = parseField(e)
	}
	if k, ok := m["keys"]; ok {
		f.Keys = parseField(k)
	}
	if val, ok := m["values"]; ok {
		f.Values = parseField(val)
	}
	if fs, ok := m["fields"]; ok {
		f.Fields = parseFields(fs)
	}
	return f
}

// Field returns a top-level field by name, or nil.
func (s *Schema) Field(name string) *Field {
	if s == nil {
		return nil
	}
	return fieldIn(s.Fields, name)
}

// Sub returns a record's field by name, or nil.
func (f *Field) Sub(name string) *Field {
	if f == nil {
		return nil
	}
	return fieldIn(f.Fields, name)
}

func fieldIn(fields []*Field, name string) *Field {
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Names returns the schema's field names, sorted.
func (s *Schema) Names() []string {
	var out []string
	for _, f := range s.Fields {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}
