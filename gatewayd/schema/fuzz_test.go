package schema

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"
)

// FuzzDecodeForm feeds arbitrary url-encoded bodies through Kong's form
// decoding, schema inference, validation and error rendering: none may
// panic, the decoded document must be JSON, and decoding is deterministic.
func FuzzDecodeForm(f *testing.F) {
	for _, seed := range []string{
		"name=svc&url=http://x.test/",
		"paths[]=/a&paths[]=/b&methods=GET",
		"paths[2]=/b&paths[1]=/a&strip_path=false&regex_priority=5",
		"config.key_names[1]=apikey&config.minute=5&service.id=6ba7b810-9dad-11d1-80b4-00c04fd430c8",
		"headers[x-foo]=bar&headers.x-bar=1&headers.x-bar=2",
		"sources[1].ip=10.0.0.1&sources[1].port=80&protocols=tcp",
		"a..b=1&.c=2&d.=3&e[=4&f]=5&[1]=6&g[0]=7&h[99999999999999999999]=8",
		"tags=&name=&port=x&enabled=maybe&hosts=*.a.*",
		"a=1&a.b=2&a[1]=3&a[]=4",
	} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	entity := fuzzEntity()
	now := time.Unix(1700000000, 0)
	f.Fuzz(func(t *testing.T, raw string, mapKeys bool) {
		values, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		d1, err := DecodeForm(values, mapKeys)
		if err != nil {
			if err != ErrTooManyArgs {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		j1, err := json.Marshal(d1)
		if err != nil {
			t.Fatalf("decoded form is not JSON: %v", err)
		}
		d2, _ := DecodeForm(values, mapKeys)
		if j2, _ := json.Marshal(d2); string(j1) != string(j2) {
			t.Fatalf("nondeterministic decoding:\n%s\n%s", j1, j2)
		}
		Infer(d1, entity.Fields)
		if _, err := json.Marshal(d1); err != nil {
			t.Fatalf("inferred form is not JSON: %v", err)
		}
		out, errs := entity.Prepare(d1, nil, Insert, now)
		if errs.Empty() {
			if _, err := json.Marshal(out); err != nil {
				t.Fatalf("prepared document is not JSON: %v", err)
			}
			return
		}
		_ = errs.Message()
		if _, err := json.Marshal(map[string]any(errs)); err != nil {
			t.Fatalf("errors are not JSON: %v", err)
		}
	})
}

// fuzzEntity exercises every kind of field and check.
func fuzzEntity() *Entity {
	gt := 0.0
	return &Entity{
		Name: "fuzz",
		Fields: []*Field{
			ID(), CreatedAt(), UpdatedAt(), UTF8Name("name"), Tags(),
			Host("host"), Port("port"), Path("path"),
			{Name: "enabled", Kind: Boolean, Default: true},
			{Name: "strip_path", Kind: Boolean},
			{Name: "regex_priority", Kind: Integer},
			{Name: "protocols", Kind: Set, Elements: &Field{Kind: String, OneOf: Strings("http", "https", "tcp")}},
			{Name: "methods", Kind: Set, Elements: &Field{Kind: String}},
			{Name: "hosts", Kind: Array, Elements: HostWithOptionalPort("")},
			{Name: "paths", Kind: Array, Elements: &Field{Kind: String, StartsWith: "/"}},
			{Name: "headers", Kind: Map, Keys: HeaderName(""), Values: &Field{Kind: Array, Elements: &Field{Kind: String}}},
			{Name: "sources", Kind: Set, Elements: &Field{Kind: Record,
				Fields:       []*Field{IPOrCIDR("ip"), Port("port")},
				RecordChecks: []Check{AtLeastOneOf{"ip", "port"}}}},
			{Name: "service", Kind: Foreign, Reference: "services"},
			{Name: "config", Kind: Record, Fields: []*Field{
				{Name: "key_names", Kind: Array, Elements: HeaderName(""), Default: Strings("apikey")},
				{Name: "minute", Kind: Number, Gt: &gt},
			}},
			{Name: "snis", Kind: Set, Elements: WildcardHost("")},
		},
		Checks: []Check{
			AtLeastOneOf{"methods", "hosts", "paths"},
			Distinct{"name", "host"},
			MutuallyRequired{"strip_path", "regex_priority"},
			&MutuallyExclusiveSets{Field: "protocols", Groups: [][]string{{"http", "https"}, {"tcp"}}},
			&Conditional{IfField: "enabled", If: &Field{Kind: Boolean, OneOf: []any{false}},
				ThenField: "path", Then: &Field{Kind: JSON, EqNull: true}},
			AtLeastOneOf{"config.minute", "config.key_names"},
		},
		Shorthands: []Shorthand{{Field: &Field{Name: "url", Kind: String}, Expand: func(v any, d Doc) {
			d["host"] = v
		}}},
	}
}
