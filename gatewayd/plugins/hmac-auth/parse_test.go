package hmacauth

import (
	"strings"
	"testing"
	"time"
)

func TestParseAuthorization(t *testing.T) {
	cases := []struct {
		name, in                string
		ok                      bool
		user, alg, headers, sig string
	}{
		{"canonical", `hmac username="bob", algorithm="hmac-sha256", headers="date request-line", signature="c2ln"`,
			true, "bob", "hmac-sha256", "date request-line", "c2ln"},
		{"capitalized scheme, no spaces", `Hmac username="bob",algorithm="hmac-sha1",headers="date",signature="x"`,
			true, "bob", "hmac-sha1", "date", "x"},
		{"no space before username", `hmacusername="bob", algorithm="a", headers="h", signature="s"`,
			true, "bob", "a", "h", "s"},
		{"unanchored: text before the scheme", `Signature hmac username="bob", algorithm="a", headers="h", signature="s"`,
			true, "bob", "a", "h", "s"},
		{"greedy: separators inside a value go to the earlier capture",
			`hmac username="a", algorithm="x", algorithm="b", headers="h", signature="s"`,
			true, `a", algorithm="x`, "b", "h", "s"},
		{"greedy signature runs to the last quote", `hmac username="u", algorithm="a", headers="h", signature="s" extra="y"`,
			true, "u", "a", "h", `s" extra="y`},
		{"tabs after commas", "hmac username=\"u\",\talgorithm=\"a\",\theaders=\"h\",\tsignature=\"s\"",
			true, "u", "a", "h", "s"},
		{"wrong order", `hmac username="u", headers="h", algorithm="a", signature="s"`, false, "", "", "", ""},
		{"missing signature", `hmac username="u", algorithm="a", headers="h"`, false, "", "", "", ""},
		{"empty value", `hmac username="", algorithm="a", headers="h", signature="s"`, false, "", "", "", ""},
		{"other scheme", `Basic dXNlcjpwYXNz`, false, "", "", "", ""},
		{"space before =", `hmac username ="u", algorithm="a", headers="h", signature="s"`, false, "", "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := parseAuthorization([]byte(tc.in))
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			got := [4]string{string(p.username), string(p.algorithm), string(p.headers), string(p.signature)}
			want := [4]string{tc.user, tc.alg, tc.headers, tc.sig}
			if got != want {
				t.Fatalf("got %q\nwant %q", got, want)
			}
		})
	}
}

func TestParseAuthorizationIsLinear(t *testing.T) {
	// Many separator look-alikes and no signature: a naive backtracking
	// matcher would take cubic time.
	in := `hmac username="` + strings.Repeat(`", algorithm="", headers="`, 20000)
	start := time.Now()
	if _, ok := parseAuthorization([]byte(in)); ok {
		t.Fatal("matched without a signature")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestSplitSpaceLikePenlight(t *testing.T) {
	cases := map[string][]string{
		"date":              {"date"},
		"date request-line": {"date", "request-line"},
		"a  b":              {"a", "", "b"},
		"a ":                {"a", ""},
		" a":                {"", "a"},
		" ":                 {""},
		"  ":                {"", "", ""},
	}
	for in, want := range cases {
		got := splitSpace(nil, []byte(in))
		var gs []string
		for _, g := range got {
			gs = append(gs, string(g))
		}
		if strings.Join(gs, "|") != strings.Join(want, "|") || len(gs) != len(want) {
			t.Errorf("split(%q) = %q, want %q", in, gs, want)
		}
	}
}

func TestDecodeBase64LikeNginx(t *testing.T) {
	cases := []struct {
		in, out string
		ok      bool
	}{
		{"c2lnbg==", "sign", true},
		{"c2lnbg", "sign", true},
		{"c2lnbg=garbage", "sign", true},
		{"c2lnb", "", false},
		{"c2-n", "", false},
		{"", "", true},
	}
	for _, tc := range cases {
		out, ok := decodeBase64([]byte(tc.in))
		if ok != tc.ok || string(out) != tc.out {
			t.Errorf("decode(%q) = %q, %v", tc.in, out, ok)
		}
	}
}
