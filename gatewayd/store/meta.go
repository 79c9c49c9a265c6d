package store

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// MetasFromSchemas derives the store's constraints from the entity schemas,
// so unique and foreign keys are declared once, in the schema.
func MetasFromSchemas(reg *schema.Registry) []Meta {
	var out []Meta
	for _, e := range reg.All() {
		m := Meta{Name: e.Name, Uniques: e.UniqueFields(), CacheKey: e.CacheKey}
		for _, f := range e.ForeignFields() {
			od := Restrict
			switch f.OnDelete {
			case "cascade":
				od = Cascade
			case "null":
				od = SetNull
			}
			m.Foreign = append(m.Foreign, ForeignKey{Field: f.Name, Entity: f.Reference, OnDelete: od})
		}
		out = append(out, m)
	}
	return out
}
