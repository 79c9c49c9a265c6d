package main

import (
	"bufio"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// confHeader starts every file the module writes, so that an operator who
// edits it by hand knows the next run will overwrite the edit.
const confHeader = "# gatewayd.conf written by the gatewayd.toolkit.gatewayd_install Ansible module;\n" +
	"# hand edits are overwritten on the next run. Keys: `gatewayd check` documents them.\n"

var confKey = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// secretKey matches gatewayd.conf keys whose values a diff must not show.
var secretKey = regexp.MustCompile(`password|token|secret|_key$`)

// renderConf formats keys as gatewayd.conf (kong.conf syntax): one
// `key = value` per line, sorted, "#" escaped (it starts a comment).
func renderConf(kv map[string]string) (string, error) {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(confHeader)
	for _, k := range keys {
		v := kv[k]
		if !confKey.MatchString(k) {
			return "", fmt.Errorf("config key %q: want lower-case letters, digits and _", k)
		}
		if strings.ContainsAny(v, "\r\n") {
			return "", fmt.Errorf("config key %s: the value contains a line break", k)
		}
		fmt.Fprintf(&b, "%s = %s\n", k, strings.ReplaceAll(v, "#", `\#`))
	}
	return b.String(), nil
}

// parseConf reads `key = value` lines back (comments and blanks skipped,
// "\#" unescaped): enough to read what renderConf wrote, or a hand-made
// file's prefix.
func parseConf(text string) map[string]string {
	kv := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if i := unescapedHash(v); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		kv[strings.TrimSpace(k)] = strings.ReplaceAll(v, `\#`, "#")
	}
	return kv
}

func unescapedHash(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] != '\\') {
			return i
		}
	}
	return -1
}

// confValue renders an option value the way gatewayd.conf spells it:
// booleans as on/off, lists comma-separated.
func confValue(v any) string {
	switch t := v.(type) {
	case bool:
		if t {
			return "on"
		}
		return "off"
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = confValue(x)
		}
		return strings.Join(parts, ", ")
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// confView is the configuration as a diff shows it: secret values masked
// (with a hint when they change), so --diff never prints a token.
func confView(kv, other map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range kv {
		switch {
		case !secretKey.MatchString(k):
			out[k] = v
		case other != nil && other[k] != v:
			out[k] = api.Masked + " (changed)"
		default:
			out[k] = api.Masked
		}
	}
	return out
}

// listenURL turns the first address of a *_listen value into a URL a
// client on the same host can use: a wildcard host becomes loopback.
func listenURL(listen, fallback string) string {
	first := strings.TrimSpace(strings.Split(listen, ",")[0])
	if first == "" || first == "off" {
		first = fallback
	}
	fields := strings.Fields(first)
	addr := fields[0]
	scheme := "http"
	for _, f := range fields[1:] {
		if f == "ssl" {
			scheme = "https"
		}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	switch host {
	case "", "0.0.0.0", "*":
		host = "127.0.0.1"
	case "::", "[::]":
		host = "::1"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
