package sqlstore

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

var decodeCases = []string{
	`{}`,
	` { "id" : "a" , "n" : null } `,
	`{"id":"x","port":80,"neg":-17,"zero":0,"f":1.5,"e":1e3,"E":-2.5E-7,"big":12345678901234567890,"max":9007199254740993}`,
	`{"b":true,"c":false,"arr":[],"obj":{},"nested":{"a":[1,[2,{"x":null}]],"b":{"c":{"d":"e"}}}}`,
	`{"s":"quote \" backslash \\ slash \/ controls \b\f\n\r\t"}`,
	`{"u":"\u00e9\u4e2d\ud83d\ude00 and raw é中😀"}`,
	`{"lone high":"\ud800","lone low":"\udc00x","bad pair":"\ud800\u0041","rev pair":"\udc00\ud800"}`,
	`{"dup":1,"dup":2}`,
	`{"k\u0065y":"escaped key","key":"plain key"}`,
	`{"negzero":-0,"negzerof":-0.0}`,
	`{"huge":1e400}`,
	"{\"bad utf8\":\"\xff\xfe\"}",
	`{"unterminated":"abc`,
	`{"trailing":1} x`,
	`{"leading zero":01}`,
	`{"ctrl":"a` + "\x01" + `b"}`,
	`[1,2]`,
	`{"bad escape":"\x"}`,
	`{"bad hex":"\u12g4"}`,
	`{"missing colon" 1}`,
	`{"a":1,}`,
	`{"a":tru}`,
	`{"a":.5}`,
	`{"a":1.}`,
	`{"a":1e}`,
}

// decodeBoth decodes with docDecoder and encoding/json.
func decodeBoth(t *testing.T, in string) {
	t.Helper()
	want := store.Doc(nil)
	wantErr := json.Unmarshal([]byte(in), &want)
	for name, dec := range map[string]*docDecoder{"interning": newDocDecoder(), "single": {}} {
		got, err := dec.decode([]byte(in))
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%s %q: error %v, encoding/json error %v", name, in, err, wantErr)
		}
		if err != nil {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s %q:\n got %#v\nwant %#v", name, in, got, want)
		}
		// DeepEqual treats -0 and 0 alike; the sign must survive too.
		for k, v := range want {
			if f, ok := v.(float64); ok && math.Signbit(f) != math.Signbit(got[k].(float64)) {
				t.Fatalf("%s %q: sign of %s differs", name, in, k)
			}
		}
	}
}

func TestDocDecoderMatchesEncodingJSON(t *testing.T) {
	for _, in := range decodeCases {
		decodeBoth(t, in)
	}
	// And on what the store actually writes.
	for _, doc := range []store.Doc{
		service("s1", "svc", "a", "b"),
		route("r1", "n", "s1"),
		plugin("p1", "rate-limiting", "r1", "s1", "c1"),
		{"id": "x", "weird": "<&>\u2028\u2029\x00\x1f", "f": 0.1, "tiny": 5e-324, "large": 1.7976931348623157e308},
	} {
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		decodeBoth(t, string(b))
	}
}

func FuzzDocDecoderMatchesEncodingJSON(f *testing.F) {
	for _, in := range decodeCases {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) { decodeBoth(t, in) })
}

func BenchmarkDecode(b *testing.B) {
	doc := route("r00000001", "r00000001", "svc", "bench", "t1")
	doc["hosts"] = strs("example.com", "example.org")
	doc["methods"] = strs("GET", "POST")
	raw, _ := json.Marshal(doc)
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			var d store.Doc
			if err := json.Unmarshal(raw, &d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("docDecoder", func(b *testing.B) {
		dec := newDocDecoder()
		for b.Loop() {
			if _, err := dec.decode(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
