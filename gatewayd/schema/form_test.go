package schema

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func decode(t *testing.T, raw string, mapKeys bool) Doc {
	t.Helper()
	values, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := DecodeForm(values, mapKeys)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Kong's argument syntax (kong/api/arguments_decoder.lua).
func TestDecodeForm(t *testing.T) {
	cases := []struct {
		raw     string
		mapKeys bool
		want    string
	}{
		{"name=svc", true, `{"name":"svc"}`},
		{"paths=/a&paths=/b", true, `{"paths":["/a","/b"]}`},
		{"paths[]=/a&paths[]=/b", true, `{"paths":["/a","/b"]}`},
		{"paths[2]=/b&paths[1]=/a", true, `{"paths":["/a","/b"]}`},
		{"paths[1]=/a&paths[3]=/c", true, `{"paths":["/a","/c"]}`},
		{"paths[10]=/j&paths[9]=/i", true, `{"paths":["/i","/j"]}`},
		{"config.minute=5&config.policy=local", true, `{"config":{"minute":"5","policy":"local"}}`},
		{"config.key_names[1]=apikey&config.key_names[2]=x", true, `{"config":{"key_names":["apikey","x"]}}`},
		{"config.key_names[]=apikey", true, `{"config":{"key_names":["apikey"]}}`},
		{"service.id=abc", true, `{"service":{"id":"abc"}}`},
		{"a.b.c=1", true, `{"a":{"b":{"c":"1"}}}`},
		{"a..b=1", true, `{"a":{"b":"1"}}`},
		{".a=1&b.=2", true, `{".a":"1","b.":"2"}`},
		{"headers[x-foo]=bar", true, `{"headers":{"x-foo":"bar"}}`},
		{"headers[x-foo]=bar", false, `{"headers[x-foo]":"bar"}`},
		{"headers.x-foo=a&headers.x-foo=b", true, `{"headers":{"x-foo":["a","b"]}}`},
		{"sources[1].ip=10.0.0.1&sources[1].port=80", true, `{"sources":[{"ip":"10.0.0.1","port":"80"}]}`},
		{"name=", true, `{"name":""}`},
		{"broken[=1", true, `{"broken[":"1"}`},
		{"", true, `{}`},
	}
	for _, c := range cases {
		if got := asJSON(decode(t, c.raw, c.mapKeys)); got != c.want {
			t.Errorf("DecodeForm(%q, %v) = %s, want %s", c.raw, c.mapKeys, got, c.want)
		}
	}
}

func TestDecodeFormTooManyArguments(t *testing.T) {
	values := url.Values{"tags": make([]string, MaxFormArgs)}
	if _, err := DecodeForm(values, true); err != nil {
		t.Fatalf("%d arguments must be accepted: %v", MaxFormArgs, err)
	}
	values["one"] = []string{"more"}
	if _, err := DecodeForm(values, true); err != ErrTooManyArgs || err.Error() != "Too many arguments" {
		t.Fatalf("got %v", err)
	}
}

// Schema-driven inference (kong/api/arguments.lua infer_value).
func TestInfer(t *testing.T) {
	gt0 := 0.0
	fields := []*Field{
		{Name: "port", Kind: Integer},
		{Name: "ratio", Kind: Number},
		{Name: "enabled", Kind: Boolean},
		{Name: "name", Kind: String},
		{Name: "methods", Kind: Set, Elements: &Field{Kind: String}},
		{Name: "codes", Kind: Array, Elements: &Field{Kind: Integer}},
		{Name: "headers", Kind: Map, Keys: &Field{Kind: String}, Values: &Field{Kind: Array, Elements: &Field{Kind: String}}},
		{Name: "config", Kind: Record, Fields: []*Field{{Name: "minute", Kind: Number, Gt: &gt0}, {Name: "on", Kind: Boolean}}},
		{Name: "service", Kind: Foreign},
	}
	cases := []struct{ in, want string }{
		{`{"port":"8080","ratio":" 0.5 ","enabled":"true","name":"42"}`, `{"enabled":true,"name":"42","port":8080,"ratio":0.5}`},
		{`{"enabled":"false"}`, `{"enabled":false}`},
		{`{"enabled":"yes","port":"eighty"}`, `{"enabled":"yes","port":"eighty"}`},
		{`{"port":"","name":"","methods":""}`, `{"methods":null,"name":null,"port":null}`},
		{`{"methods":"GET"}`, `{"methods":["GET"]}`},
		{`{"codes":["200","x"]}`, `{"codes":[200,"x"]}`},
		{`{"codes":"404"}`, `{"codes":[404]}`},
		{`{"headers":{"x-a":"1","x-b":["2","3"]}}`, `{"headers":{"x-a":["1"],"x-b":["2","3"]}}`},
		{`{"config":{"minute":"5","on":"true","other":"7"}}`, `{"config":{"minute":5,"on":true,"other":"7"}}`},
		{`{"service":{"id":""}}`, `{"service":{"id":null}}`},
		{`{"unknown":"5"}`, `{"unknown":"5"}`},
	}
	for _, c := range cases {
		var doc Doc
		if err := json.Unmarshal([]byte(c.in), &doc); err != nil {
			t.Fatal(err)
		}
		Infer(doc, fields)
		if got := asJSON(doc); got != c.want {
			t.Errorf("Infer(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

// Dynamic records are inferred with the schema the document names.
func TestInferDynamicRecord(t *testing.T) {
	sub := &Field{Kind: Record, Fields: []*Field{{Name: "n", Kind: Integer}}}
	fields := []*Field{
		{Name: "name", Kind: String},
		{Name: "config", Kind: Record, Dynamic: func(parent Doc) *Field {
			if parent["name"] == "known" {
				return sub
			}
			return nil
		}},
	}
	doc := decode(t, "name=known&config.n=3", true)
	Infer(doc, fields)
	if got := asJSON(doc); got != `{"config":{"n":3},"name":"known"}` {
		t.Fatalf("got %s", got)
	}
	doc = decode(t, "name=other&config.n=3", true)
	Infer(doc, fields)
	if got := asJSON(doc); got != `{"config":{"n":"3"},"name":"other"}` {
		t.Fatalf("got %s", got)
	}
}

func TestDecodeFormDeterministic(t *testing.T) {
	raw := "b=2&a[2]=y&a[1]=x&c.d=1&c.e[]=2&c.e[]=3&z=1&z=2"
	first := asJSON(decode(t, raw, true))
	for i := 0; i < 20; i++ {
		if got := asJSON(decode(t, raw, true)); got != first {
			t.Fatalf("nondeterministic: %s vs %s", got, first)
		}
	}
	if !reflect.DeepEqual(decode(t, raw, true)["a"], []any{"x", "y"}) {
		t.Fatal("indexed order")
	}
	if !strings.Contains(first, `"z":["1","2"]`) {
		t.Fatal(first)
	}
}
