package requestsizelimiting

import (
	"math"
	"testing"
)

// Content-Length is read as Lua's tonumber reads it; anything else counts
// as no Content-Length.
func TestContentLengthParsesLikeLuaTonumber(t *testing.T) {
	for in, want := range map[string]float64{
		"0": 0, "12": 12, " 12 ": 12, "012": 12, "1e3": 1000, "1.5": 1.5, "0x10": 16, "-5": -5, "+7": 7,
		"123456789012345": 123456789012345, "1234567890123456": 1234567890123456, "1e999": math.Inf(1),
	} {
		if got, ok := luaNumber([]byte(in)); !ok || got != want {
			t.Errorf("luaNumber(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", " ", "abc", "12abc", "inf", "nan", "1_000", "0x", "0xZZ"} {
		if got, ok := luaNumber([]byte(in)); ok {
			t.Errorf("luaNumber(%q) = %v, want no number", in, got)
		}
	}
}
