package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// docDecoder decodes stored documents into store.Doc exactly as
// encoding/json would (float64 numbers, []any arrays, map[string]any
// objects), about twice as fast: loading the whole configuration is
// dominated by decoding, and the documents are our own json.Marshal output,
// so a decoder specialised for that shape pays off. Object keys are
// interned, since every document of a type repeats the same ones. Anything
// unusual (invalid UTF-8, malformed input) is handed to encoding/json,
// which stays the reference for results and errors.
//
// A docDecoder is not safe for concurrent use.
type docDecoder struct {
	keys map[string]string
	buf  []byte // scratch for strings with escapes
}

// newDocDecoder returns a decoder that interns keys across documents.
func newDocDecoder() *docDecoder { return &docDecoder{keys: make(map[string]string, 64)} }

// decodeDoc decodes one document; there is nothing to share keys with.
func decodeDoc(raw []byte) (store.Doc, error) {
	doc, err := (&docDecoder{}).decode(raw)
	if err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	return doc, nil
}

// errFallback means "let encoding/json decide".
var errFallback = errors.New("fallback")

func (d *docDecoder) decode(raw []byte) (store.Doc, error) {
	p := parser{d: d, b: raw}
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == '{' {
		doc, err := p.object()
		if err == nil {
			p.skipSpace()
			if p.i == len(p.b) {
				return doc, nil
			}
		}
	}
	var doc store.Doc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	return doc, nil
}

type parser struct {
	d *docDecoder
	b []byte
	i int
}

func (p *parser) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() (any, error) {
	p.skipSpace()
	if p.i >= len(p.b) {
		return nil, errFallback
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str(false)
		return s, err
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, errFallback
}

func (p *parser) literal(lit string) error {
	if len(p.b)-p.i < len(lit) || string(p.b[p.i:p.i+len(lit)]) != lit {
		return errFallback
	}
	p.i += len(lit)
	return nil
}

func (p *parser) object() (map[string]any, error) {
	p.i++ // '{'
	m := make(map[string]any, 8)
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, errFallback
		}
		key, err := p.str(true)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, errFallback
		}
		p.i++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		m[key] = v
		p.skipSpace()
		if p.i >= len(p.b) {
			return nil, errFallback
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return m, nil
		default:
			return nil, errFallback
		}
	}
}

func (p *parser) array() ([]any, error) {
	p.i++        // '['
	a := []any{} // encoding/json gives an empty, non-nil slice for []
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return a, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.skipSpace()
		if p.i >= len(p.b) {
			return nil, errFallback
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return a, nil
		default:
			return nil, errFallback
		}
	}
}

// str parses a string starting at the opening quote; keys are interned.
func (p *parser) str(intern bool) (string, error) {
	p.i++ // '"'
	start := p.i
	ascii := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !ascii && !utf8.Valid(s) {
				return "", errFallback // encoding/json substitutes U+FFFD; let it
			}
			if intern && p.d.keys != nil {
				if k, ok := p.d.keys[string(s)]; ok { // no allocation for the lookup
					return k, nil
				}
				k := string(s)
				p.d.keys[k] = k
				return k, nil
			}
			return string(s), nil
		case c == '\\':
			return p.escapedStr(start, intern)
		case c < 0x20:
			return "", errFallback
		case c >= 0x80:
			ascii = false
		}
		p.i++
	}
	return "", errFallback
}

// escapedStr finishes a string that contains escapes, from its start.
func (p *parser) escapedStr(start int, intern bool) (string, error) {
	buf := append(p.d.buf[:0], p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			p.d.buf = buf
			if !utf8.Valid(buf) {
				return "", errFallback
			}
			if intern && p.d.keys != nil {
				if k, ok := p.d.keys[string(buf)]; ok {
					return k, nil
				}
				k := string(buf)
				p.d.keys[k] = k
				return k, nil
			}
			return string(buf), nil
		case c < 0x20:
			return "", errFallback
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		// Escape sequence.
		if p.i+1 >= len(p.b) {
			return "", errFallback
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", errFallback
			}
			if utf16.IsSurrogate(r) {
				// A valid pair combines; anything else becomes U+FFFD, as
				// in encoding/json.
				r2 := rune(utf8.RuneError)
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if lo, ok := p.hex4(); ok {
						if dec := utf16.DecodeRune(r, lo); dec != utf8.RuneError {
							r2 = dec
						} else {
							p.i = save // not a pair: the second escape stands alone
						}
					} else {
						return "", errFallback
					}
				}
				r = r2
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", errFallback
		}
	}
	return "", errFallback
}

func (p *parser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// number parses a JSON number to float64. Small integers, the common case
// (ports, weights, timeouts), skip strconv.
func (p *parser) number() (any, error) {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	intStart := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	digits := p.i - intStart
	if digits == 0 || (digits > 1 && p.b[intStart] == '0') {
		return nil, errFallback // not valid JSON
	}
	simple := true
	if p.i < len(p.b) && p.b[p.i] == '.' {
		simple = false
		p.i++
		fracStart := p.i
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
		}
		if p.i == fracStart {
			return nil, errFallback
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		simple = false
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		expStart := p.i
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
		}
		if p.i == expStart {
			return nil, errFallback
		}
	}
	if simple && digits <= 15 { // exactly representable in a float64
		var n int64
		for _, c := range p.b[intStart:p.i] {
			n = n*10 + int64(c-'0')
		}
		if start != intStart {
			if n == 0 {
				return nil, errFallback // -0: let encoding/json produce it
			}
			n = -n
		}
		return float64(n), nil
	}
	f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
	if err != nil {
		return nil, errFallback // out of range: encoding/json reports it
	}
	return f, nil
}
