package declarative

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// EnvPrefixes are the only environment variables a configuration may read
// with ${{ env "NAME" }}: decK's DECK_ and our GATEWAYD_. Anything else
// (PATH, AWS_SECRET_ACCESS_KEY, ...) is refused so a file cannot pull
// unrelated secrets of the machine it is applied from.
var EnvPrefixes = []string{"DECK_", "GATEWAYD_"}

// envRef is decK's substitution syntax, ${{ env "NAME" }}.
var envRef = regexp.MustCompile(`\$\{\{\s*env\s+"([^"]*)"\s*\}\}`)

// converter turns yaml.v3 nodes into JSON values (string, float64, bool,
// []any, map[string]any, nil), substituting environment references and
// remembering which values came from the environment.
type converter struct {
	file string
	env  func(string) (string, bool)
	errs Errors
	// secrets are the dotted paths (relative to the value being converted)
	// whose value was substituted from the environment.
	secrets []string
	// masked are the substituted values themselves, so output can hide them.
	masked map[string]bool
	// budget bounds how many nodes conversion may produce: YAML aliases
	// can expand a small document exponentially ("billion laughs"), and
	// POST /config takes documents from the network.
	budget int
}

// nodeBudget allows a document to expand to this many nodes per input
// byte (plus a floor): far above any real configuration, far below a
// memory exhaustion.
func nodeBudget(size int) int { return 4*size + 100_000 }

func (c *converter) fail(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	c.errs = append(c.errs, Error{File: c.file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// value converts n; path is the dotted location used to record secrets.
func (c *converter) value(n *yaml.Node, path string) any {
	if c.budget--; c.budget < 0 {
		if c.budget == -1 {
			c.fail(n, "document too large once YAML aliases are expanded")
		}
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return c.value(n.Content[0], path)
	case yaml.AliasNode:
		return c.value(n.Alias, path)
	case yaml.ScalarNode:
		return c.scalar(n, path)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			out = append(out, c.value(item, joinPath(path, strconv.Itoa(i))))
		}
		return out
	case yaml.MappingNode:
		out := map[string]any{}
		for _, kv := range mappingPairs(n) {
			k, ok := c.key(kv[0])
			if !ok {
				continue
			}
			if _, dup := out[k]; dup {
				c.fail(kv[0], "duplicate key %q", k)
				continue
			}
			out[k] = c.value(kv[1], joinPath(path, k))
		}
		return out
	}
	c.fail(n, "unsupported YAML node")
	return nil
}

// key reads a mapping key, which must be a scalar.
func (c *converter) key(n *yaml.Node) (string, bool) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		c.fail(n, "mapping keys must be strings")
		return "", false
	}
	return n.Value, true
}

// mappingPairs lists the key/value pairs of a mapping with YAML merge keys
// ("<<: *defaults") expanded; explicit keys win over merged ones.
func mappingPairs(n *yaml.Node) [][2]*yaml.Node {
	var own, merged [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			for _, src := range mergeSources(v) {
				merged = append(merged, mappingPairs(src)...)
			}
			continue
		}
		own = append(own, [2]*yaml.Node{k, v})
		seen[k.Value] = true
	}
	for _, kv := range merged {
		if !seen[kv[0].Value] {
			seen[kv[0].Value] = true
			own = append(own, kv)
		}
	}
	return own
}

func mergeSources(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{v}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, x := range v.Content {
			out = append(out, mergeSources(x)...)
		}
		return out
	}
	return nil
}

// scalar converts a scalar, substituting ${{ env "NAME" }} references.
// A plain (unquoted) scalar that was entirely a reference is typed from the
// substituted text, as if the value had been written in its place, so
// `port: ${{ env "DECK_PORT" }}` gives a number.
func (c *converter) scalar(n *yaml.Node, path string) any {
	if n.Tag != "!!binary" && strings.Contains(n.Value, "${{") {
		sub, ok := c.substitute(n)
		if !ok {
			return nil
		}
		c.secrets = append(c.secrets, path)
		if n.Style == 0 {
			probe := &yaml.Node{Kind: yaml.ScalarNode, Value: sub}
			return c.decodeScalar(probe, n)
		}
		return sub
	}
	return c.decodeScalar(n, n)
}

func (c *converter) decodeScalar(n, at *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			c.fail(at, "invalid boolean %q", n.Value)
			return nil
		}
		return b
	case "!!int", "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			c.fail(at, "invalid number %q", n.Value)
			return nil
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			c.fail(at, "invalid number %q: JSON has no infinities or NaN", n.Value)
			return nil
		}
		return f
	}
	// Strings, and timestamps kept as written (JSON has no dates).
	return n.Value
}

// substitute replaces every env reference in a scalar. Names outside
// EnvPrefixes, unset variables, other template expressions and a nil env
// (substitution disabled, e.g. POST /config) are errors naming the line.
func (c *converter) substitute(n *yaml.Node) (string, bool) {
	if strings.Contains(envRef.ReplaceAllString(n.Value, ""), "${{") {
		c.fail(n, `unsupported template expression in %q: only ${{ env "NAME" }} is available`, n.Value)
		return "", false
	}
	ok := true
	out := envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
		name := envRef.FindStringSubmatch(ref)[1]
		val, good := c.lookupEnv(n, name)
		if !good {
			ok = false
			return ""
		}
		if val != "" {
			if c.masked == nil {
				c.masked = map[string]bool{}
			}
			c.masked[val] = true
		}
		return val
	})
	return out, ok
}

func (c *converter) lookupEnv(n *yaml.Node, name string) (string, bool) {
	if c.env == nil {
		c.fail(n, "environment variable %q: substitution is not available here; substitute before loading", name)
		return "", false
	}
	allowed := false
	for _, p := range EnvPrefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			allowed = true
		}
	}
	if !allowed {
		c.fail(n, "environment variable %q: only variables prefixed %s can be read", name, strings.Join(EnvPrefixes, " or "))
		return "", false
	}
	val, set := c.env(name)
	if !set {
		c.fail(n, "environment variable %q is not set", name)
		return "", false
	}
	return val, true
}

// lookupNode finds the node at a dotted path below n (mapping keys and
// sequence indexes), returning the deepest node found on the way.
func lookupNode(n *yaml.Node, path []string) *yaml.Node {
	cur := n
	for _, seg := range path {
		if cur.Kind == yaml.AliasNode {
			cur = cur.Alias
		}
		var next *yaml.Node
		switch cur.Kind {
		case yaml.MappingNode:
			for _, kv := range mappingPairs(cur) {
				if kv[0].Value == seg {
					next = kv[1]
					if next.Kind == yaml.ScalarNode || len(path) == 1 {
						// A scalar's key line is the value's line too; for
						// collections point at the key, where humans look.
						next = pickLine(kv[0], kv[1])
					}
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(cur.Content) {
				next = cur.Content[i]
			}
		}
		if next == nil {
			return cur
		}
		cur = next
	}
	return cur
}

func pickLine(k, v *yaml.Node) *yaml.Node {
	if v.Kind == yaml.ScalarNode {
		return v
	}
	// Collections: keep walking the value but report the key's line when
	// the path ends here.
	return &yaml.Node{Kind: v.Kind, Content: v.Content, Line: k.Line, Column: k.Column, Alias: v.Alias, Tag: v.Tag, Style: v.Style}
}
