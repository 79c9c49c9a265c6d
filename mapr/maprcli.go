package mapr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Envelope is the JSON maprcli prints with -json (and the REST API
// returns): {"timestamp", "timeofday", "status", "total", "data": [...]} on
// success, {"status": "ERROR", "errors": [{"id", "desc"}]} on failure.
// Unknown fields are ignored; Data items are kept raw for the caller.
type Envelope struct {
	Timestamp json.Number       `json:"timestamp"`
	TimeOfDay string            `json:"timeofday"`
	Status    string            `json:"status"`
	Total     json.Number       `json:"total"`
	Data      []json.RawMessage `json:"data"`
	Errors    []CLIMessage      `json:"errors"`
	Messages  []string          `json:"messages"`
}

// CLIMessage is one entry of an ERROR envelope. MapR's ids are numbers;
// they are kept as text.
type CLIMessage struct {
	ID   string
	Desc string
}

// UnmarshalJSON accepts the id as a number or a string.
func (m *CLIMessage) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	m.ID = rawText(raw["id"])
	m.Desc = rawText(raw["desc"])
	return nil
}

// MaprcliError is maprcli reporting failure: status ERROR with its messages,
// or a non-zero exit with its output.
type MaprcliError struct {
	Command  string
	ExitCode int
	Errors   []CLIMessage
	// Output is stderr (or stdout) text when there was no JSON envelope.
	Output string
}

func (e *MaprcliError) Error() string {
	var parts []string
	for _, m := range e.Errors {
		if m.ID != "" {
			parts = append(parts, fmt.Sprintf("%s (error %s)", m.Desc, m.ID))
		} else {
			parts = append(parts, m.Desc)
		}
	}
	if len(parts) == 0 && e.Output != "" {
		parts = append(parts, e.Output)
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("exited with status %d and no message", e.ExitCode))
	}
	return fmt.Sprintf("%s failed: %s", e.Command, strings.Join(parts, "; "))
}

// Contains reports whether any message mentions s (case-insensitive).
func (e *MaprcliError) Contains(s string) bool {
	s = strings.ToLower(s)
	for _, m := range e.Errors {
		if strings.Contains(strings.ToLower(m.Desc), s) {
			return true
		}
	}
	return strings.Contains(strings.ToLower(e.Output), s)
}

// ParseEnvelope reads maprcli -json output. It is deliberately forgiving of
// what maprcli is known to print: log or warning lines before the JSON, raw
// control characters inside strings (license texts) and backslash escapes
// JSON does not define — the documentation of `license list` warns that its
// output does not parse in strict JSON libraries. An ERROR status is
// returned as the envelope; callers turn it into a *MaprcliError.
func ParseEnvelope(out []byte) (*Envelope, error) {
	body := jsonStart(out)
	if body == nil {
		return nil, errors.New("no JSON object in maprcli output")
	}
	env, err := decodeEnvelope(body)
	if err != nil {
		repaired, rerr := decodeEnvelope(repairJSON(body))
		if rerr != nil {
			return nil, fmt.Errorf("parsing maprcli JSON: %w", err)
		}
		env = repaired
	}
	if env.Status == "" {
		return nil, errors.New("maprcli JSON has no status field")
	}
	return env, nil
}

func decodeEnvelope(b []byte) (*Envelope, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var env Envelope
	if err := dec.Decode(&env); err != nil {
		return nil, err
	}
	return &env, nil
}

// OK reports status OK (MapR spells it in capitals; compare loosely).
func (e *Envelope) OK() bool { return strings.EqualFold(e.Status, "OK") }

// jsonStart skips lines before the first one that starts a JSON object.
func jsonStart(out []byte) []byte {
	for rest := out; len(rest) > 0; {
		line := rest
		next := []byte(nil)
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, next = rest[:i], rest[i+1:]
		}
		if t := bytes.TrimLeft(line, " \t\r"); len(t) > 0 && t[0] == '{' {
			return rest[len(line)-len(t):]
		}
		rest = next
	}
	return nil
}

// repairJSON escapes, inside string literals only, the bytes strict JSON
// rejects: raw control characters and backslashes that start no valid
// escape. Valid JSON comes back unchanged.
func repairJSON(b []byte) []byte {
	out := make([]byte, 0, len(b)+16)
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !inString {
			inString = c == '"'
			out = append(out, c)
			continue
		}
		switch {
		case c == '"':
			inString = false
			out = append(out, c)
		case c == '\\':
			if i+1 < len(b) && validEscape(b[i+1:]) {
				out = append(out, c, b[i+1])
				i++
			} else {
				out = append(out, '\\', '\\')
			}
		case c < 0x20:
			out = append(out, controlEscape(c)...)
		default:
			out = append(out, c)
		}
	}
	return out
}

// validEscape reports whether b (the bytes after a backslash) starts a JSON
// escape sequence.
func validEscape(b []byte) bool {
	switch b[0] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	case 'u':
		if len(b) < 5 {
			return false
		}
		for _, h := range b[1:5] {
			if !strings.ContainsRune("0123456789abcdefABCDEF", rune(h)) {
				return false
			}
		}
		return true
	}
	return false
}

func controlEscape(c byte) string {
	switch c {
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	}
	return fmt.Sprintf(`\u%04x`, c)
}

// rawText renders a JSON scalar as text: strings unquoted, numbers as
// written (a 19-digit id must not pass through float64), absent as "".
func rawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return s
		}
	}
	return string(raw)
}

// rawBool reads true/false written as a JSON boolean or as a string; def
// when absent or unreadable.
func rawBool(raw json.RawMessage, def bool) bool {
	switch strings.ToLower(rawText(raw)) {
	case "true":
		return true
	case "false":
		return false
	}
	return def
}

// License is one entry of `maprcli license list -json`.
type License struct {
	// ID is MapR's identifier, as text ("88aEvYonv5HqJgaFrGfsKis5puQ=" in
	// the documentation; numeric ids are kept digit for digit).
	ID          string
	Description string
	// Text is the license itself (the "license" field).
	Text string
	// Deletable is false for licenses MapR will not remove (the base
	// license); true when the field is absent.
	Deletable bool
	Grace     bool
}

// ParseLicenses reads `maprcli license list -json` output.
func ParseLicenses(out []byte) ([]License, error) {
	env, err := ParseEnvelope(out)
	if err != nil {
		return nil, err
	}
	if !env.OK() {
		return nil, &MaprcliError{Command: "maprcli license list", Errors: env.Errors,
			Output: fmt.Sprintf("status %s", env.Status)}
	}
	return licensesOf(env)
}

func licensesOf(env *Envelope) ([]License, error) {
	licenses := make([]License, 0, len(env.Data))
	for i, item := range env.Data {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(item, &fields); err != nil {
			return nil, fmt.Errorf("license list entry %d: %w", i, err)
		}
		licenses = append(licenses, License{
			ID:          rawText(fields["id"]),
			Description: rawText(fields["description"]),
			Text:        rawText(fields["license"]),
			Deletable:   rawBool(fields["deletable"], true),
			Grace:       rawBool(fields["grace"], false),
		})
	}
	return licenses, nil
}
