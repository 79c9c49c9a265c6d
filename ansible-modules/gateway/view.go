package gateway

import (
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// MaskedChanged is what a diff shows after a secret that changes: both
// sides stay hidden, but the user still sees that the secret will change.
const MaskedChanged = api.Masked + " (changed)"

// volatile fields change on every write; a diff without them shows only
// what the task changes.
var volatile = map[string]bool{"created_at": true, "updated_at": true}

// view renders an entity for a diff (full=false: without timestamps) or
// as a return value (full=true). Every sensitive value — marked by the
// node's schema or listed in Secrets — is replaced by "[masked]"; one
// whose path is in changed by MaskedChanged.
func (t Target) view(s *api.Schema, e api.Entity, changed map[string]bool, full bool) map[string]any {
	doc, _ := api.Normalize(e).(map[string]any)
	out := maskRecord("", doc, fieldsOf(s), changed, func(path string, f *api.Field) bool {
		return f != nil && f.Sensitive || contains(t.Secrets, path)
	})
	if !full {
		for k := range volatile {
			delete(out, k)
		}
	}
	return out
}

func maskRecord(prefix string, doc map[string]any, fields []*api.Field, changed map[string]bool, secret func(string, *api.Field) bool) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		f := fieldIn(fields, k)
		switch sub, isMap := v.(map[string]any); {
		case v != nil && secret(path, f):
			if changed[path] {
				out[k] = MaskedChanged
			} else {
				out[k] = api.Masked
			}
		case isMap && f != nil && f.Type == "record":
			out[k] = maskRecord(path, sub, f.Fields, changed, secret)
		default:
			out[k] = v
		}
	}
	return out
}

// MaskSensitive masks an entity's sensitive values for output (the schema
// may be nil; secrets lists top-level fields to mask regardless).
func MaskSensitive(s *api.Schema, e api.Entity, secrets []string) map[string]any {
	return Target{Secrets: secrets}.view(s, e, nil, true)
}
