package schema

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func doc(t testing.TB, s string) Doc {
	t.Helper()
	var d Doc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// Field validators and their messages (kong/db/schema/init.lua
// validation_errors).
func TestValidateField(t *testing.T) {
	gt := 0.0
	three := 3
	cases := []struct {
		name  string
		field *Field
		value string
		want  string // JSON of the error, "" when valid
	}{
		{"string", &Field{Kind: String}, `5`, `"expected a string"`},
		{"empty string", &Field{Kind: String}, `""`, `"length must be at least 1"`},
		{"integer", &Field{Kind: Integer}, `1.5`, `"expected an integer"`},
		{"integer ok", &Field{Kind: Integer}, `7`, ``},
		{"number", &Field{Kind: Number}, `"7"`, `"expected a number"`},
		{"boolean", &Field{Kind: Boolean}, `"true"`, `"expected a boolean"`},
		{"array", &Field{Kind: Array}, `{}`, `"expected an array"`},
		{"set", &Field{Kind: Set}, `"a"`, `"expected a set"`},
		{"map", &Field{Kind: Map}, `[]`, `"expected a map"`},
		{"record", &Field{Kind: Record}, `"x"`, `"expected a record"`},
		{"foreign", &Field{Kind: Foreign}, `"x"`, `"expected a record"`},
		{"foreign no id", &Field{Kind: Foreign}, `{}`, `{"id":"missing primary key"}`},
		{"foreign bad id", &Field{Kind: Foreign}, `{"id":"x"}`, `{"id":"expected a valid UUID"}`},
		{"foreign extra", &Field{Kind: Foreign}, `{"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","x":1}`, ``},
		{"foreign null id", &Field{Kind: Foreign}, `{"id":null}`, `{"id":"required field missing"}`},
		{"foreign id type", &Field{Kind: Foreign}, `{"id":5}`, `{"id":"expected a string"}`},
		{"path: starts_with before match_none", Path("p"), `"a//b"`, `"should start with: /"`},
		{"uuid before the implicit len_min", ID(), `""`, `"expected a valid UUID"`},
		{"one_of before between", &Field{Kind: Integer, OneOf: Nums(1, 2), Between: &Range{5, 6}}, `3`, `"expected one of: 1, 2"`},
		{"between", &Field{Kind: Integer, Between: &Range{0, 10}}, `11`, `"value should be between 0 and 10"`},
		{"gt", &Field{Kind: Number, Gt: &gt}, `0`, `"value must be greater than 0"`},
		{"eq null", &Field{Kind: JSON, EqNull: true}, `1`, `"value must be null"`},
		{"eq null err", &Field{Kind: JSON, EqNull: true, Err: "custom"}, `1`, `"custom"`},
		{"len_min", &Field{Kind: Set, LenMin: 1}, `[]`, `"length must be at least 1"`},
		{"len_max", &Field{Kind: String, LenMax: 2}, `"abc"`, `"length must be at most 2"`},
		{"len_eq", &Field{Kind: Array, LenEq: &three}, `[1]`, `"length must be 3"`},
		{"one_of", &Field{Kind: String, OneOf: Strings("a", "b")}, `"c"`, `"expected one of: a, b"`},
		{"one_of numbers", &Field{Kind: Integer, OneOf: Nums(301, 302)}, `303`, `"expected one of: 301, 302"`},
		{"starts_with", &Field{Kind: String, StartsWith: "/"}, `"x"`, `"should start with: /"`},
		{"uuid", &Field{Kind: String, UUID: true}, `"nope"`, `"expected a valid UUID"`},
		{"elements", &Field{Kind: Array, Elements: &Field{Kind: Integer}}, `[1,"x",2,"y"]`, `[null,"expected an integer",null,"expected an integer"]`},
		{"null element", &Field{Kind: Array, Elements: &Field{Kind: String}}, `["a",null]`, `[null,"required field missing"]`},
		{"map value", &Field{Kind: Map, Keys: &Field{Kind: String}, Values: &Field{Kind: Integer}}, `{"b":1,"a":"x"}`, `"expected an integer"`},
		{"record fields", &Field{Kind: Record, Fields: []*Field{{Name: "a", Kind: Integer, Required: true}}}, `{"b":1}`,
			`{"a":"required field missing","b":"unknown field"}`},
		{"record checks", &Field{Kind: Record, Fields: []*Field{{Name: "a", Kind: String}, {Name: "b", Kind: String}},
			RecordChecks: []Check{AtLeastOneOf{"a", "b"}}}, `{}`, `{"@entity":["at least one of these fields must be non-empty: 'a', 'b'"]}`},
		{"custom", &Field{Kind: String, Custom: func(v any) string { return "bad " + v.(string) }}, `"x"`, `"bad x"`},
		{"tag", Tags(), `["ok","a/b"]`, "[null,\"invalid tag 'a/b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences\"]"},
		{"utf8 name", UTF8Name("name"), `"ok-ñ.~_"`, ``},
		{"utf8 name bad", UTF8Name("name"), `"a b"`, `"invalid value 'a b': the only accepted ascii characters are alphanumerics or ., -, _, and ~"`},
		{"host port", Host("host"), `"a.test:80"`, `"must not have a port"`},
		{"host bad", Host("host"), `"a_b c"`, `"invalid value: a_b c"`},
		{"host ipv6", Host("host"), `"::1"`, ``},
		{"host optional port", HostWithOptionalPort("h"), `"a.test:99999"`, `"invalid port number"`},
		{"host optional port name", HostWithOptionalPort("h"), `"a test"`, `"invalid hostname: a test"`},
		{"wildcard host", WildcardHost("n"), `"*.a.*"`, `"only one wildcard must be specified"`},
		{"wildcard middle", WildcardHost("n"), `"a.*.b"`, `"wildcard must be leftmost or rightmost character"`},
		{"wildcard ip", WildcardHost("n"), `"10.0.0.1"`, `"must not be an IP"`},
		{"wildcard ok", WildcardHost("n"), `"*.a.test"`, ``},
		{"path empty segment", Path("p"), `"/a//b"`, `"must not have empty segments"`},
		{"path rfc3986", Path("p"), `"/a b"`, `"invalid path: '/a b' (characters outside of the reserved list of RFC 3986 found)"`},
		{"path percent", Path("p"), `"/a%2"`, `"invalid url-encoded value: '%2'"`},
		{"path percent 2", Path("p"), `"/some%2Gwords"`, `"invalid url-encoded value: '%2G'"`},
		{"ip or cidr", IPOrCIDR("ip"), `"10.0.0.0/33"`, `"invalid ip or cidr range: '10.0.0.0/33'"`},
		{"header name", HeaderName("h"), `"a b"`, `"bad header name 'a b', allowed characters are A-Z, a-z, 0-9, '_', and '-'"`},
		{"port", Port("port"), `65536`, `"value should be between 0 and 65535"`},
		{"timeout", Timeout("t"), `0`, `"value should be between 1 and 2147483646"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(c.value), &v); err != nil {
				t.Fatal(err)
			}
			got := ValidateField(c.field, v, nil)
			switch {
			case c.want == "" && got != nil:
				t.Fatalf("unexpected error %s", asJSON(got))
			case c.want != "" && asJSON(got) != c.want:
				t.Fatalf("got %s, want %s", asJSON(got), c.want)
			}
		})
	}
}

func TestParseHostPort(t *testing.T) {
	cases := []struct {
		in, host string
		port     int
		typ, err string
	}{
		{"a.test", "a.test", -1, "name", ""},
		{"a.test:80", "a.test", 80, "name", ""},
		{"10.0.0.1:8000", "10.0.0.1", 8000, "ipv4", ""},
		{"::1", "::1", -1, "ipv6", ""},
		{"[::1]:81", "::1", 81, "ipv6", ""},
		{"a.test:x", "", -1, "", "invalid port number"},
		{"a.test:70000", "", -1, "", "invalid port number"},
		{"300.0.0.1", "", -1, "", "invalid ipv4 address: 300.0.0.1"},
		{"a b", "", -1, "", "invalid hostname: a b"},
		{"[::1", "", -1, "", "invalid ipv6 address: [::1"},
	}
	for _, c := range cases {
		hp, err := ParseHostPort(c.in)
		if err != c.err {
			t.Errorf("%s: err %q, want %q", c.in, err, c.err)
			continue
		}
		if err == "" && (hp.Host != c.host || hp.Port != c.port || hp.Type != c.typ) {
			t.Errorf("%s: got %+v", c.in, hp)
		}
	}
}

// Entity checks and when Kong runs them.
func TestChecks(t *testing.T) {
	fields := []*Field{
		{Name: "a", Kind: String}, {Name: "b", Kind: String}, {Name: "n", Kind: Integer},
		{Name: "set", Kind: Set, Elements: &Field{Kind: String}},
	}
	run := func(checks []Check, in string) string {
		errs := Errors{}
		validateRecord(fields, checks, doc(t, in), nil, errs)
		if errs.Empty() {
			return ""
		}
		return errs.Message()
	}
	cases := []struct {
		checks []Check
		in     string
		want   string
	}{
		{[]Check{AtLeastOneOf{"a", "b"}}, `{"a":null}`, "schema violation (at least one of these fields must be non-empty: 'a', 'b')"},
		// at_least_one_of runs even when a field it reads is invalid
		{[]Check{AtLeastOneOf{"a", "b"}}, `{"a":""}`,
			"2 schema violations (at least one of these fields must be non-empty: 'a', 'b'; a: length must be at least 1)"},
		{[]Check{OnlyOneOf{"a", "b"}}, `{"a":"x","b":"y"}`, "schema violation (exactly one of these fields must be non-empty: 'a', 'b')"},
		{[]Check{MutuallyRequired{"a", "b"}}, `{"a":"x"}`, "schema violation (all or none of these fields must be set: 'a', 'b')"},
		// mutually_required does not run when a field it reads is invalid
		{[]Check{MutuallyRequired{"a", "n"}}, `{"a":"x","n":"y"}`, "schema violation (n: expected an integer)"},
		{[]Check{Distinct{"a", "b"}}, `{"a":"x","b":"x"}`, "schema violation (values of these fields must be distinct: 'a', 'b')"},
		{[]Check{&Conditional{IfField: "a", If: &Field{Kind: String, OneOf: Strings("x")}, ThenField: "n", Then: &Field{Kind: JSON, EqNull: true}}},
			`{"a":"x","n":1}`, "2 schema violations (failed conditional validation given value of field 'a'; n: value must be null)"},
		{[]Check{&Conditional{IfField: "a", If: &Field{Kind: String, OneOf: Strings("x")}, ThenField: "n", Then: &Field{Kind: JSON, EqNull: true}}},
			`{"a":"y","n":1}`, ""},
		{[]Check{&Conditional{IfField: "a", If: &Field{Kind: String}, ThenField: "set", Then: &Field{Kind: Set, LenEq: new(int)}, ThenErr: "no sets"}},
			`{"a":"y","set":["q"]}`, "2 schema violations (no sets; set: length must be 0)"},
		{[]Check{&MutuallyExclusiveSets{Field: "set", Groups: [][]string{{"a", "b"}, {"c"}, {"d"}}}},
			`{"set":["a","d"]}`, "schema violation (these sets are mutually exclusive: ('a', 'b'), ('d'))"},
		// custom checks are skipped when a field they read is invalid
		{[]Check{&CustomCheck{Reads: []string{"n"}, Fn: func(d Doc, e Errors) { e.AddEntity("custom") }}},
			`{"n":"x"}`, "schema violation (n: expected an integer)"},
		{[]Check{&CustomCheck{Reads: []string{"n"}, RunWithInvalidFields: true, Fn: func(d Doc, e Errors) { e.AddEntity("custom") }}},
			`{"n":"x"}`, "2 schema violations (custom; n: expected an integer)"},
	}
	for i, c := range cases {
		if got := run(c.checks, c.in); got != c.want {
			t.Errorf("case %d: got %q, want %q", i, got, c.want)
		}
	}
}

func testEntity() *Entity {
	return &Entity{
		Name: "things",
		Fields: []*Field{
			ID(), CreatedAt(), UpdatedAt(),
			UTF8Name("name"),
			{Name: "size", Kind: Integer, Default: 5.0},
			{Name: "opts", Kind: Record, Fields: []*Field{
				{Name: "x", Kind: Integer, Default: 1.0},
				{Name: "list", Kind: Array, Elements: &Field{Kind: String}, Default: Strings("d")},
			}},
			{Name: "labels", Kind: Set, Elements: &Field{Kind: String}},
			Tags(),
			{Name: "target", Kind: String, Required: true},
		},
		Shorthands: []Shorthand{{Field: &Field{Name: "both", Kind: String}, Expand: func(v any, d Doc) {
			d["name"] = v
			d["target"] = v
		}}},
	}
}

func TestPrepare(t *testing.T) {
	e := testEntity()
	now := time.Unix(1700000000, 0)
	// insert: id, timestamps, defaults, records materialized, sets deduped
	got, errs := e.Prepare(doc(t, `{"target":"t","labels":["a","b","a"]}`), nil, Insert, now)
	if !errs.Empty() {
		t.Fatal(errs.Message())
	}
	if !IsUUID(got["id"].(string)) {
		t.Fatalf("id %v", got["id"])
	}
	delete(got, "id")
	want := `{"created_at":1700000000,"labels":["a","b"],"name":null,"opts":{"list":["d"],"x":1},"size":5,"tags":null,"target":"t","updated_at":1700000000}`
	if asJSON(got) != want {
		t.Fatalf("insert:\n got %s\nwant %s", asJSON(got), want)
	}
	// shorthand expansion
	got, errs = e.Prepare(doc(t, `{"both":"b"}`), nil, Insert, now)
	if !errs.Empty() || got["name"] != "b" || got["target"] != "b" {
		t.Fatalf("shorthand: %v %v", got, errs)
	}
	// a shorthand of the wrong type
	_, errs = e.Prepare(doc(t, `{"both":1,"target":"t"}`), nil, Insert, now)
	if errs.Message() != "schema violation (both: expected a string)" {
		t.Fatal(errs.Message())
	}
	// upsert: created_at reset unless given; explicit null record stays null
	stored := doc(t, `{"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","created_at":1,"updated_at":1,"name":"n","size":9,"opts":{"x":2,"list":[]},"target":"t"}`)
	later := now.Add(time.Minute)
	got, errs = e.Prepare(doc(t, `{"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","target":"u","opts":null}`), stored, Upsert, later)
	if !errs.Empty() {
		t.Fatal(errs.Message())
	}
	if got["created_at"] != 1700000060.0 || got["size"] != 5.0 || got["opts"] != nil || got["name"] != nil {
		t.Fatalf("upsert: %s", asJSON(got))
	}
	got, _ = e.Prepare(doc(t, `{"target":"u","created_at":3}`), stored, Upsert, later)
	if got["created_at"] != 3.0 {
		t.Fatalf("upsert with created_at: %s", asJSON(got))
	}
	// update: records merge, arrays replace, null clears, created_at kept
	got, errs = e.Prepare(doc(t, `{"opts":{"list":["z"]},"name":null,"size":1}`), stored, Update, later)
	if !errs.Empty() {
		t.Fatal(errs.Message())
	}
	want = `{"created_at":1,"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","name":null,"opts":{"list":["z"],"x":2},"size":1,"target":"t","updated_at":1700000060}`
	if asJSON(got) != want {
		t.Fatalf("update:\n got %s\nwant %s", asJSON(got), want)
	}
	if stored["name"] != "n" {
		t.Fatal("Prepare modified the stored document")
	}
	// validation errors of every level at once
	_, errs = e.Prepare(doc(t, `{"size":"x","opts":{"x":"y","z":1},"extra":true,"tags":["a,b"]}`), nil, Insert, now)
	want = "6 schema violations (extra: unknown field; opts.x: expected an integer; opts.z: unknown field; size: expected an integer; " +
		"tags.1: invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences; target: required field missing)"
	if errs.Message() != want {
		t.Fatalf("got  %s\nwant %s", errs.Message(), want)
	}
}

func TestDescribe(t *testing.T) {
	d := (&Entity{Name: "x", Fields: []*Field{
		ID(),
		{Name: "n", Kind: Integer, Default: 3.0, Between: &Range{1, 5}, Required: true},
		{Name: "s", Kind: Set, Elements: &Field{Kind: String, OneOf: Strings("a")}},
		{Name: "f", Kind: Foreign, Reference: "others", OnDelete: "cascade"},
	}, Checks: []Check{AtLeastOneOf{"n"}}}).Describe()
	got := asJSON(d)
	for _, want := range []string{
		`"entity_checks":[{"at_least_one_of":["n"]}]`,
		`{"n":{"between":[1,5],"default":3,"required":true,"type":"integer"}}`,
		`{"s":{"elements":{"one_of":["a"],"type":"string"},"type":"set"}}`,
		`{"f":{"on_delete":"cascade","reference":"others","type":"foreign"}}`,
		`"uuid":true`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Describe lacks %s:\n%s", want, got)
		}
	}
}

func TestIsUUIDAndDedupe(t *testing.T) {
	for s, want := range map[string]bool{
		"6ba7b810-9dad-11d1-80b4-00c04fd430c8": true,
		"6BA7B810-9DAD-11D1-80B4-00C04FD430C8": true,
		"6ba7b810-9dad-11d1-80b4-00c04fd430c":  false,
		"6ba7b810x9dad-11d1-80b4-00c04fd430c8": false,
		"6ba7b810-9dad-11d1-80b4-00c04fd430cg": false,
	} {
		if IsUUID(s) != want {
			t.Errorf("IsUUID(%s) != %v", s, want)
		}
	}
	d := doc(t, `{"s":["a","b","a",{"x":1},{"x":1}],"r":{"s":["c","c"]}}`)
	DedupeSets(d, []*Field{{Name: "s", Kind: Set}, {Name: "r", Kind: Record, Fields: []*Field{{Name: "s", Kind: Set}}}})
	if got := asJSON(d); got != `{"r":{"s":["c"]},"s":["a","b",{"x":1}]}` {
		t.Fatal(got)
	}
}
