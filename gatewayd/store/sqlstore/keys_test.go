package sqlstore

import (
	"errors"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

func pluginsMeta(t *testing.T) *entityMeta {
	t.Helper()
	ms, err := newMetaSet(testMetas)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ms.get("plugins")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCacheKeyDependsOnReferencedIDsAndNulls(t *testing.T) {
	m := pluginsMeta(t)
	key := func(doc store.Doc) string {
		e, err := m.encode(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range e.idx.uniques {
			if u.key == cacheKeyName {
				return u.value
			}
		}
		t.Fatalf("no cache key for %v", doc)
		return ""
	}
	a := key(plugin("p1", "cors", "r1", "", ""))
	if b := key(plugin("p2", "cors", "r1", "", "")); a != b {
		t.Errorf("same members, different ids: keys %q and %q differ", a, b)
	}
	withConfig := plugin("p3", "cors", "r1", "", "")
	withConfig["config"] = map[string]any{"origins": []any{"*"}}
	if b := key(withConfig); a != b {
		t.Errorf("non-member fields changed the key: %q vs %q", a, b)
	}
	for _, other := range []store.Doc{
		plugin("p", "cors", "", "r1", ""), // same id, other member
		plugin("p", "cors", "r1", "s1", ""),
		plugin("p", "acl", "r1", "", ""),
	} {
		if key(other) == a {
			t.Errorf("%v has the same key as the original", other)
		}
	}
}

func TestEncodeRejectsMalformedDocumentsBeforeTouchingTheDatabase(t *testing.T) {
	m := pluginsMeta(t)
	for name, doc := range map[string]store.Doc{
		"no id":         {"name": "cors"},
		"numeric id":    {"id": float64(1), "name": "cors"},
		"bad reference": {"id": "p", "name": "cors", "route": "r1"},
		"bad tags":      {"id": "p", "name": "cors", "tags": []any{float64(1)}},
	} {
		if _, err := m.encode(doc); err == nil {
			t.Errorf("%s: encode accepted %v", name, doc)
		}
	}
}

func TestTagsAreDeduplicatedInOrder(t *testing.T) {
	got, err := docTags([]any{"b", "a", "b", "c", "a"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"b", "a", "c"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestOffsetRoundTripsAndAcceptsPaddedForms(t *testing.T) {
	for _, key := range []string{"a", "ab", "abc", "0b1f6a7e-8c43-4b8a-9d2f-3f5e2c1d0a9b", "~~~???"} {
		tok := encodeOffset(key)
		got, err := decodeOffset(tok)
		if err != nil || got != key {
			t.Errorf("decode(encode(%q)) = %q, %v", key, got, err)
		}
	}
	// "ab" padded, standard alphabet: what a client may send back.
	if got, err := decodeOffset("YWI="); err != nil || got != "ab" {
		t.Errorf("padded token: %q, %v", got, err)
	}
	var oe *store.OffsetError
	if _, err := decodeOffset("not base64!"); !errors.As(err, &oe) || oe.Reason != "bad base64 encoding" {
		t.Errorf("invalid token: %v", err)
	}
	if _, _, err := decodeTagOffset(encodeOffset("not json")); !errors.As(err, &oe) {
		t.Errorf("tag offset that is base64 but not a cursor: %v", err)
	}
}

func TestRebindNumbersPlaceholdersForPostgres(t *testing.T) {
	q := "SELECT a FROM t WHERE x = ? AND y IN (?, ?)"
	if got := postgresDialect.rebind(q); got != "SELECT a FROM t WHERE x = $1 AND y IN ($2, $3)" {
		t.Errorf("postgres: %s", got)
	}
	if got := sqliteDialect.rebind(q); got != q {
		t.Errorf("sqlite: %s", got)
	}
}
