package mapr

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// listWithQuirks is shaped like `maprcli license list -json` as MapR's
// documentation shows it: an OK envelope, unknown per-feature fields, a raw
// line break inside the license string (the docs warn the output may not
// parse strictly), a numeric 19-digit id, and a backslash escape JSON lacks.
const listWithQuirks = `WARNING: maprcli picked up JAVA_TOOL_OPTIONS
{
	"timestamp":1764000000123,
	"timeofday":"2026-11-24 04:00:00.123 GMT+0000 PM",
	"status":"OK",
	"total":3,
	"data":[
		{
			"id":"Qm9ndXNCYXNlTGljZW5zZUlkMDE=",
			"description":"Base client access",
			"clientnodes":"10",
			"isAdditioanlFeature":true,
			"deletable":false,
			"grace":"false",
			"license":"version: \"4.0\"\nissuer: \"MapR Technologies,
			 Inc.\"\nlicType: AdditionalFeaturesBase\n"
		},
		{
			"id":5119043355327235351,
			"description":"M7 Enterprise",
			"deletable":true,
			"license":"-----BEGIN SIGNED MESSAGE-----\nclusterid: \"5119043355327235351\"\npath: C:\data\n"
		},
		{
			"id":"noTextEntry=",
			"description":"feature without text"
		}
	]
}
`

func TestParseLicensesToleratesMapRsDocumentedQuirks(t *testing.T) {
	lics, err := ParseLicenses([]byte(listWithQuirks))
	if err != nil {
		t.Fatal(err)
	}
	if len(lics) != 3 {
		t.Fatalf("got %d licenses", len(lics))
	}
	if lics[0].ID != "Qm9ndXNCYXNlTGljZW5zZUlkMDE=" || lics[0].Deletable || lics[0].Grace {
		t.Errorf("entry 0: %+v", lics[0])
	}
	if !strings.Contains(lics[0].Text, "Technologies,\n") {
		t.Errorf("raw newline lost: %q", lics[0].Text)
	}
	if lics[1].ID != "5119043355327235351" {
		t.Errorf("numeric id became %q (precision lost?)", lics[1].ID)
	}
	if !strings.Contains(lics[1].Text, `C:\data`) || !lics[1].Deletable {
		t.Errorf("entry 1: %+v", lics[1])
	}
	if !lics[2].Deletable || lics[2].Text != "" {
		t.Errorf("absent deletable must default to true: %+v", lics[2])
	}
}

func TestParseLicensesSurfacesMaprcliErrorStatus(t *testing.T) {
	out := `{"timestamp":1764000000123,"timeofday":"2026-11-24 04:00:00.123 GMT+0000 PM","status":"ERROR",` +
		`"errors":[{"id":10009,"desc":"Couldn't connect to the CLDB service"}]}`
	_, err := ParseLicenses([]byte(out))
	var me *MaprcliError
	if !errors.As(err, &me) || me.Errors[0].ID != "10009" || !me.Contains("cldb service") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "Couldn't connect to the CLDB service (error 10009)") {
		t.Errorf("message %q", err)
	}
}

func TestParseEnvelopeRejectsWhatIsNotMaprcliJSON(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"text table":     "id description\nabc base\n",
		"no status":      `{"data":[]}`,
		"truncated":      `{"status":"OK","data":[{"id":"x"`,
		"data not array": `{"status":"OK","data":{"id":1}}`,
	} {
		if _, err := ParseEnvelope([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRepairJSONLeavesValidJSONAlone(t *testing.T) {
	for _, in := range []string{`{"a":"b\n\"c\\d\u00e9"}`, `{"n":1,"s":"tab\there"}`, `{}`} {
		if got := string(repairJSON([]byte(in))); got != in {
			t.Errorf("repairJSON(%s) = %s", in, got)
		}
	}
}

func TestRepairJSONEscapesControlCharactersAndBadEscapes(t *testing.T) {
	got := repairJSON([]byte("{\"s\":\"a\nb\tc\x01 \\q \\u12\"}"))
	var v map[string]string
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if v["s"] != "a\nb\tc\x01 \\q \\u12" {
		t.Errorf("decoded %q", v["s"])
	}
}

func FuzzParseEnvelope(f *testing.F) {
	f.Add(listWithQuirks)
	f.Add(`{"status":"ERROR","errors":[{"id":"22","desc":"bad"}]}`)
	f.Add(`{"status":"OK","total":0,"data":[]}`)
	f.Add("{\"status\":\"OK\",\"x\":\"\\")
	f.Fuzz(func(t *testing.T, in string) {
		env, err := ParseEnvelope([]byte(in))
		if err == nil && env.Status == "" {
			t.Fatal("accepted an envelope without status")
		}
		if json.Valid([]byte(in)) && string(repairJSON([]byte(in))) != in {
			t.Fatalf("repairJSON changed valid JSON %q", in)
		}
		_, _ = ParseLicenses([]byte(in))
	})
}

func FuzzRepairJSONMakesStringsDecodable(f *testing.F) {
	f.Add("plain")
	f.Add("line\nbreak \\x \\u00")
	f.Add("\x00\x1f\\")
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsRune(s, '"') {
			return // a quote would end the string; not what this property is about
		}
		in := `{"status":"OK","s":"` + s + `"}`
		if trailing := len(s) - len(strings.TrimRight(s, `\`)); trailing%2 == 1 {
			return // an odd trailing backslash escapes the closing quote
		}
		out := repairJSON([]byte(in))
		if !json.Valid(out) && validUTF8(s) {
			t.Fatalf("repairJSON(%q) = %q is not valid JSON", in, out)
		}
	})
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
