package plugintest

import (
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// AddStored validates input like Add, then stores the document together
// with the input's "_"-prefixed members, which are not schema fields but
// bookkeeping the Admin API keeps in stored documents (a TTL entity's
// "_expires_at"). Plugin tests use it to replay what the store holds, e.g.
// a key-auth credential created with a ttl.
func (h *Harness) AddStored(entityName string, input schema.Doc) schema.Doc {
	h.t.Helper()
	plain := schema.Doc{}
	extra := schema.Doc{}
	for k, v := range input {
		if strings.HasPrefix(k, "_") {
			extra[k] = v
		} else {
			plain[k] = v
		}
	}
	doc := h.Add(entityName, plain)
	for k, v := range clone(extra) {
		doc[k] = v
	}
	return doc
}
