package admin

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// TTLKey is where a TTL entity's expiry (Unix seconds) is stored in its
// document. It is not a schema field: the API shows the remaining "ttl"
// instead, as Kong's DAO does for key-auth credentials.
const TTLKey = "_expires_at"

const maxTTL = 100000000

// ttlOption reads Kong's `ttl` option from a TTL entity's input and returns
// the expiry to store (nil for none). A PATCH without ttl keeps the
// current expiry; a PUT replaces it like every other field.
func (rc *reqCtx) ttlOption(e *schema.Entity, in, existing schema.Doc, op schema.Op) (any, *apiError) {
	if !e.TTL {
		return nil, nil
	}
	v, given := in["ttl"]
	delete(in, "ttl")
	if !given {
		if op == schema.Update && existing != nil {
			return existing[TTLKey], nil
		}
		return nil, nil
	}
	if v == nil {
		return nil, nil
	}
	n, ok := v.(float64)
	if s, isStr := v.(string); isStr {
		f, err := strconv.ParseFloat(s, 64)
		n, ok = f, err == nil
	}
	if !ok || n != math.Trunc(n) || n < 0 || n > maxTTL {
		msg := "must be an integer between 0 and " + strconv.Itoa(maxTTL)
		return nil, dbError(http.StatusBadRequest, codeInvalidOptions, "invalid options",
			"invalid option (ttl: "+msg+")", map[string]any{"ttl": msg})
	}
	if n == 0 {
		return nil, nil
	}
	return float64(rc.s.opts.Now().Unix()) + n, nil
}

// withoutTTL returns doc without its stored expiry, for schema validation.
func withoutTTL(doc schema.Doc) schema.Doc {
	if doc == nil {
		return nil
	}
	if _, ok := doc[TTLKey]; !ok {
		return doc
	}
	out := make(schema.Doc, len(doc))
	for k, v := range doc {
		if k != TTLKey {
			out[k] = v
		}
	}
	return out
}

// expired reports whether a TTL entity's document has outlived its ttl.
func expired(doc schema.Doc, now time.Time) bool {
	exp, ok := doc[TTLKey].(float64)
	return ok && exp <= float64(now.Unix())
}

// remainingTTL is the "ttl" shown for a document with an expiry.
func remainingTTL(doc schema.Doc, now time.Time) (any, bool) {
	exp, ok := doc[TTLKey].(float64)
	if !ok {
		return nil, false
	}
	left := exp - float64(now.Unix())
	if left < 0 {
		left = 0
	}
	return left, true
}

// PurgeExpired deletes TTL entities whose ttl has passed, so their unique
// keys can be reused. gatewayd runs it periodically; reads already hide
// expired entities.
func (s *Server) PurgeExpired(ctx context.Context) (int, error) {
	now := s.opts.Now()
	n := 0
	for _, e := range s.opts.Registry.All() {
		if !e.TTL {
			continue
		}
		var ids []string
		offset := ""
		for {
			page, err := s.opts.Store.List(ctx, e.Name, store.ListQuery{Size: 1000, Offset: offset})
			if err != nil {
				return n, err
			}
			for _, d := range page.Data {
				if expired(d, now) {
					ids = append(ids, d["id"].(string))
				}
			}
			if page.Offset == "" {
				break
			}
			offset = page.Offset
		}
		if len(ids) == 0 {
			continue
		}
		err := s.opts.Store.Write(ctx, func(w store.Writer) error {
			for _, id := range ids {
				if err := w.Delete(ctx, e.Name, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(ids)
	}
	return n, nil
}
