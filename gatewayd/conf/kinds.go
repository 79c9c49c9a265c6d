package conf

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// BufferSpec is an nginx "number size" pair such as large_client_header_buffers = 4 8k.
type BufferSpec struct {
	Count int
	Size  int // bytes
}

// Bytes is the total the buffers can hold: the effective limit on the
// request line plus headers.
func (b BufferSpec) Bytes() int { return b.Count * b.Size }

// cidrList is the parsed form of a KindCIDRList value; cidrDst is where
// its two halves land in a Config.
type cidrList struct {
	prefixes []netip.Prefix
	unix     bool
}

type cidrDst struct {
	prefixes *[]netip.Prefix
	unix     *bool
}

// parseValue turns a key's text into its typed value. The error message
// carries no location; the caller adds where the text came from.
func parseValue(k *key, raw string) (any, error) {
	if raw == "" && k.required {
		return nil, errors.New("must not be empty")
	}
	switch k.kind {
	case KindString:
		return raw, nil
	case KindPath:
		if strings.ContainsRune(raw, 0) {
			return nil, errors.New("invalid path: contains a NUL byte")
		}
		return raw, nil
	case KindBool:
		return parseBool(raw)
	case KindInt:
		return parseInt(k, raw)
	case KindSeconds:
		return parseDuration(k, raw, time.Second, "seconds", "60")
	case KindMilliseconds:
		return parseDuration(k, raw, time.Millisecond, "milliseconds", "5000")
	case KindSize:
		return parseSize(raw)
	case KindBuffers:
		return parseBuffers(raw)
	case KindList:
		return parseList(k, raw)
	case KindEnum:
		if !slices.Contains(k.choices, raw) {
			return nil, fmt.Errorf("invalid value %q (expected one of: %s)", raw, strings.Join(k.choices, ", "))
		}
		return raw, nil
	case KindListen:
		return ParseListeners(raw)
	case KindCIDRList:
		return parseCIDRList(raw)
	case KindAddrList:
		return parseAddrList(raw)
	case KindHostPort:
		return parseHostPort(raw)
	case KindPEM:
		if raw == "" {
			return "", nil
		}
		return raw, checkPEM(raw, k.secret)
	case KindPEMList:
		entries := splitList(raw)
		for _, e := range entries {
			if slices.Contains(k.choices, e) {
				continue
			}
			if err := checkPEM(e, k.secret); err != nil {
				return nil, err
			}
		}
		return entries, nil
	}
	panic(fmt.Sprintf("conf: key %s has unhandled kind %v", k.name, k.kind))
}

func parseBool(raw string) (bool, error) {
	switch strings.ToLower(raw) {
	case "on", "true":
		return true, nil
	case "off", "false":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean %q (expected on, off, true or false)", raw)
}

func parseInt(k *key, raw string) (int, error) {
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("invalid integer %q", raw)
	}
	if k.max > 0 && (n < k.min || n > k.max) {
		return 0, fmt.Errorf("must be between %d and %d, got %d", k.min, k.max, n)
	}
	if n < k.min {
		return 0, fmt.Errorf("must be %d or greater, got %d", k.min, n)
	}
	return n, nil
}

// parseDuration reads a bare number in the unit Kong uses for the key
// (fractions allowed, as Kong's numbers are Lua numbers) or, for
// convenience, a Go/nginx-style duration with a unit such as 500ms or 2m.
func parseDuration(k *key, raw string, unit time.Duration, unitName, example string) (time.Duration, error) {
	var d time.Duration
	if isDecimal(raw) {
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || f*float64(unit) >= math.MaxInt64 {
			return 0, fmt.Errorf("invalid duration %q: too large", raw)
		}
		d = time.Duration(f * float64(unit))
	} else {
		var err error
		if d, err = time.ParseDuration(raw); err != nil {
			return 0, fmt.Errorf("invalid duration %q (expected a number of %s, e.g. %s)", raw, unitName, example)
		}
	}
	switch {
	case d < 0:
		return 0, fmt.Errorf("must not be negative, got %q", raw)
	case d == 0 && k.positive:
		return 0, errors.New("must be greater than 0")
	}
	return d, nil
}

// isDecimal reports whether s is an unsigned decimal number such as 5 or 0.5
// (strconv.ParseFloat alone would also take "inf", "0x1p3" and "1e3").
func isDecimal(s string) bool {
	whole, frac, hasDot := strings.Cut(s, ".")
	if !hasDot {
		return isDigits(whole)
	}
	return (whole == "" || isDigits(whole)) && isDigits(frac)
}

// parseSize reads an nginx size: bytes with an optional k, m or g suffix
// (case-insensitive, powers of 1024).
func parseSize(raw string) (int64, error) {
	bad := fmt.Errorf("invalid size %q (expected bytes with an optional k, m or g suffix, e.g. 8k)", raw)
	num, mult := raw, int64(1)
	if n := len(raw); n > 0 {
		switch raw[n-1] {
		case 'k', 'K':
			num, mult = raw[:n-1], 1<<10
		case 'm', 'M':
			num, mult = raw[:n-1], 1<<20
		case 'g', 'G':
			num, mult = raw[:n-1], 1<<30
		}
	}
	if !isDigits(num) {
		return 0, bad
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || v > math.MaxInt64/mult {
		return 0, fmt.Errorf("invalid size %q: too large", raw)
	}
	return v * mult, nil
}

func formatSize(n int64) string {
	switch {
	case n == 0:
		return "0"
	case n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "g"
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "m"
	case n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "k"
	}
	return strconv.FormatInt(n, 10)
}

// maxHeaderBytes caps large_client_header_buffers: the product is allocated
// per connection in the worst case, so an absurd value is a typo.
const maxHeaderBytes = 64 << 20

func parseBuffers(raw string) (BufferSpec, error) {
	fields := strings.Fields(raw)
	if len(fields) != 2 {
		return BufferSpec{}, fmt.Errorf("invalid buffers %q (expected number and size, e.g. 4 8k)", raw)
	}
	count, err := strconv.Atoi(fields[0])
	if err != nil || count < 1 {
		return BufferSpec{}, fmt.Errorf("invalid buffer count %q (expected a positive integer)", fields[0])
	}
	size, err := parseSize(fields[1])
	if err != nil {
		return BufferSpec{}, err
	}
	if size < 1 {
		return BufferSpec{}, fmt.Errorf("invalid buffer size %q (must be greater than 0)", fields[1])
	}
	if size > maxHeaderBytes || int64(count)*size > maxHeaderBytes {
		return BufferSpec{}, fmt.Errorf("buffers %q total more than %s", raw, formatSize(maxHeaderBytes))
	}
	return BufferSpec{Count: count, Size: int(size)}, nil
}

// splitList splits a comma-separated value, trimming entries and dropping
// empty ones so that a trailing comma is harmless.
func splitList(raw string) []string {
	out := []string{}
	for _, e := range strings.Split(raw, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func parseList(k *key, raw string) ([]string, error) {
	entries := splitList(raw)
	for i, e := range entries {
		if k.allowOff && strings.EqualFold(e, "off") {
			if len(entries) > 1 {
				return nil, errors.New(`"off" cannot be combined with other entries`)
			}
			return []string{}, nil
		}
		if len(k.choices) == 0 {
			continue
		}
		j := slices.IndexFunc(k.choices, func(c string) bool { return strings.EqualFold(c, e) })
		if j < 0 {
			return nil, fmt.Errorf("invalid entry %q (expected %s)", e, strings.Join(k.choices, ", "))
		}
		// Header names are case-insensitive; store the canonical spelling.
		entries[i] = k.choices[j]
	}
	return entries, nil
}

func parseCIDRList(raw string) (cidrList, error) {
	out := cidrList{prefixes: []netip.Prefix{}}
	for _, e := range splitList(raw) {
		if e == "unix:" {
			out.unix = true
			continue
		}
		var p netip.Prefix
		var err error
		if strings.Contains(e, "/") {
			p, err = netip.ParsePrefix(e)
			p = p.Masked()
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(e); err == nil {
				a = a.WithZone("")
				p = netip.PrefixFrom(a, a.BitLen())
			}
		}
		if err != nil {
			return cidrList{}, fmt.Errorf("invalid entry %q (expected an IPv4 or IPv6 address, a CIDR block, or unix:)", e)
		}
		out.prefixes = append(out.prefixes, p)
	}
	return out, nil
}

func parseAddrList(raw string) ([]netip.AddrPort, error) {
	out := []netip.AddrPort{}
	for _, e := range splitList(raw) {
		ap, err := netip.ParseAddrPort(e)
		if err != nil {
			a, aerr := netip.ParseAddr(e)
			if aerr != nil {
				return nil, fmt.Errorf("invalid entry %q (expected an IPv4 or IPv6 address, optionally with :port)", e)
			}
			ap = netip.AddrPortFrom(a, 53)
		}
		if ap.Port() == 0 {
			return nil, fmt.Errorf("invalid entry %q: port must be 1-65535", e)
		}
		out = append(out, ap)
	}
	return out, nil
}

func parseHostPort(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	host, port, err := net.SplitHostPort(raw)
	if err != nil || host == "" {
		return "", fmt.Errorf("invalid address %q (expected host:port)", raw)
	}
	if _, err := parsePort(port); err != nil {
		return "", err
	}
	return raw, nil
}

// renderValue turns a typed value into what `GET /` shows under
// "configuration": JSON-friendly, in Kong's units and syntax.
func renderValue(k *key, v any) any {
	if k.secret && !isEmptyValue(v) {
		return RedactedValue
	}
	switch x := v.(type) {
	case time.Duration:
		unit := time.Second
		if k.kind == KindMilliseconds {
			unit = time.Millisecond
		}
		if x%unit == 0 {
			return int64(x / unit)
		}
		return float64(x) / float64(unit)
	case int64:
		return formatSize(x)
	case BufferSpec:
		return strconv.Itoa(x.Count) + " " + formatSize(int64(x.Size))
	case []string:
		return append([]string{}, x...)
	case []Listener:
		return stringsOf(x)
	case []netip.AddrPort:
		return stringsOf(x)
	case cidrList:
		out := stringsOf(x.prefixes)
		if x.unix {
			out = append(out, "unix:")
		}
		return out
	}
	return v
}

func stringsOf[T fmt.Stringer](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.String()
	}
	return out
}

func isEmptyValue(v any) bool {
	switch x := v.(type) {
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	}
	return false
}

// assign stores a parsed value into the Config field(s) a key binds to.
// A type mismatch is a bug in the key table, caught by the defaults test.
func assign(dst, v any) {
	switch d := dst.(type) {
	case *string:
		*d = v.(string)
	case *bool:
		*d = v.(bool)
	case *int:
		*d = v.(int)
	case *int64:
		*d = v.(int64)
	case *time.Duration:
		*d = v.(time.Duration)
	case *[]string:
		*d = v.([]string)
	case *[]Listener:
		*d = v.([]Listener)
	case *[]netip.AddrPort:
		*d = v.([]netip.AddrPort)
	case *BufferSpec:
		*d = v.(BufferSpec)
	case cidrDst:
		l := v.(cidrList)
		*d.prefixes, *d.unix = l.prefixes, l.unix
	default:
		panic(fmt.Sprintf("conf: unsupported binding %T", dst))
	}
}

// current reads back what assign stored, so that rendering reflects the
// Config as it is now (callers may adjust fields after Load).
func current(dst any) any {
	switch d := dst.(type) {
	case *string:
		return *d
	case *bool:
		return *d
	case *int:
		return *d
	case *int64:
		return *d
	case *time.Duration:
		return *d
	case *[]string:
		return *d
	case *[]Listener:
		return *d
	case *[]netip.AddrPort:
		return *d
	case *BufferSpec:
		return *d
	case cidrDst:
		return cidrList{*d.prefixes, *d.unix}
	}
	panic(fmt.Sprintf("conf: unsupported binding %T", dst))
}
