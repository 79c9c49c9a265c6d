package sqlstore

import (
	"encoding/base64"
	"encoding/json"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// pageSize applies the documented default and bound. Validation with a
// user-facing message belongs to the API layer; here we only stay safe.
func pageSize(n int) int {
	switch {
	case n <= 0:
		return defaultPageSize
	case n > maxPageSize:
		return maxPageSize
	}
	return n
}

// encodeOffset makes an offset token: URL-safe base64 without padding, so
// it needs no escaping in a query string.
func encodeOffset(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// decodeOffset reverses encodeOffset. It also accepts padded and standard
// alphabet tokens, since clients and proxies rewrite them in those forms.
func decodeOffset(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if b, err := enc.DecodeString(token); err == nil && len(b) > 0 {
			return string(b), nil
		}
	}
	return "", &store.OffsetError{Offset: token, Reason: "bad base64 encoding"}
}

// tagCursor is the position in the (tag, entity, id) order of ListTags.
type tagCursor struct {
	Tag, Entity, ID string
}

func encodeTagOffset(c tagCursor) string {
	b, _ := json.Marshal([3]string{c.Tag, c.Entity, c.ID}) // cannot fail for strings
	return encodeOffset(string(b))
}

func decodeTagOffset(token string) (tagCursor, bool, error) {
	raw, err := decodeOffset(token)
	if err != nil || raw == "" {
		return tagCursor{}, false, err
	}
	var parts [3]string
	if err := json.Unmarshal([]byte(raw), &parts); err != nil {
		return tagCursor{}, false, &store.OffsetError{Offset: token, Reason: "malformed offset"}
	}
	return tagCursor{Tag: parts[0], Entity: parts[1], ID: parts[2]}, true, nil
}
