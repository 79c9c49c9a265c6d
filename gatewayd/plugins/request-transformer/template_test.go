package requesttransformer

import "testing"

func TestTemplateCompileErrors(t *testing.T) {
	cases := map[string]string{
		"$()":            `[string "TMP"]:1: unexpected symbol near ')'`,
		"$(a b)":         `[string "TMP"]:1: ')' expected near 'b'`,
		"$(a.)":          `[string "TMP"]:1: <name> expected near '<eof>'`,
		"$(a[1)":         `[string "TMP"]:1: ']' expected near '<eof>'`,
		`$("open)`:       `[string "TMP"]:1: unfinished string near '"open'`,
		"$(function)":    `[string "TMP"]:1: unexpected symbol near 'function'`,
		"x $(1 +) y":     `[string "TMP"]:1: unexpected symbol near '<eof>'`,
		"$(a:upper)":     `[string "TMP"]:1: function arguments expected near '<eof>'`,
		`$("\q")`:        `[string "TMP"]:1: invalid escape sequence near '"\q'`,
		"$(headers @ 1)": `[string "TMP"]:1: unexpected symbol near '@'`,
	}
	for src, want := range cases {
		tp := compileTemplate(src)
		if tp.err == nil || tp.err.Error() != want {
			t.Errorf("%s: error %v, want %s", src, tp.err, want)
		}
	}
}

func TestTemplateEvaluation(t *testing.T) {
	cases := map[string]string{
		"plain":                        "plain",
		"$(nil)":                       "",
		"$(false)":                     "",
		"$(true)":                      "true",
		"$(not nil)":                   "true",
		`$('single' .. "double")`:      "singledouble",
		`$("a\tb\65")`:                 "a\tbA",
		"$(1 .. 2)":                    "12",
		"$(2 ^ 10)":                    "1024",
		"$(7 % 3)":                     "1",
		"$(-3 + 1)":                    "-2",
		"$(#'four')":                   "4",
		"$(1 / 3)":                     "0.33333333333333",
		"$(1 < 2 and 'lt' or 'ge')":    "lt",
		"$('b' >= 'a')":                "true",
		"$(tostring(1 == '1'))":        "false",
		"$(tonumber('0x10'))":          "16",
		"$(tostring(12))":              "12",
		"$(string.upper('x'))":         "X",
		"$(('Abc'):lower())":           "abc",
		"$(('abc'):len())":             "3",
		"$(type(nil))":                 "nil",
		"$(type(string))":              "table",
		"$(type(type))":                "function",
		"$(unknown)":                   "",
		"$(('abc').nothing)":           "",
		"$((1))$((2))":                 "12",
		"$(uri_captures[1] or 'none')": "none",
	}
	for src, want := range cases {
		tp := compileTemplate(src)
		got, err := tp.render(&tenv{})
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", src, got, err, want)
		}
	}
}

func TestTemplateRuntimeErrors(t *testing.T) {
	cases := map[string]string{
		"$(nothing.x)":      "attempt to index a nil value",
		"$((true).x)":       "attempt to index a boolean value",
		"$('a' .. nil)":     "attempt to concatenate a nil value",
		"$(nothing())":      "attempt to call a nil value",
		"$(1 + {})":         `[string "TMP"]:1: unexpected symbol near '{'`,
		"$('x' + 1)":        "attempt to perform arithmetic on a string value",
		"$(1 < 'a')":        "attempt to compare number with string",
		"$(#nil)":           "attempt to get length of a nil value",
		"$(string.upper())": "bad argument #1 to 'upper' (string expected, got no value)",
	}
	for src, want := range cases {
		tp := compileTemplate(src)
		_, err := tp.render(&tenv{})
		if err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %s", src, err, want)
		}
	}
}

func TestSplitEntry(t *testing.T) {
	cases := []struct {
		in, name, value string
		ok              bool
	}{
		{"a", "a", "", true},
		{"a:b", "a", "b", true},
		{"a::b:c", "a", "b:c", true},
		{"a:", "a", "", true},
		{":b", "", "", false},
		{"", "", "", false},
	}
	for _, tc := range cases {
		n, v, ok := splitEntry(tc.in)
		if n != tc.name || v != tc.value || ok != tc.ok {
			t.Errorf("%q: %q %q %v", tc.in, n, v, ok)
		}
	}
}
