package declarative

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Formats accepted by Encode.
const (
	FormatYAML = "yaml"
	FormatJSON = "json"
)

// Encode renders a configuration document as YAML or JSON with a stable
// order: "_format_version" first, then the other underscore keys, then
// every key sorted. Multi-line strings (PEM certificates) use YAML block
// literals so they stay readable.
func Encode(doc map[string]any, format string) ([]byte, error) {
	switch format {
	case FormatJSON:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(doc); err != nil {
			return nil, fmt.Errorf("encoding JSON: %w", err)
		}
		return buf.Bytes(), nil
	case FormatYAML, "":
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(yamlNode(doc)); err != nil {
			return nil, fmt.Errorf("encoding YAML: %w", err)
		}
		if err := enc.Close(); err != nil {
			return nil, fmt.Errorf("encoding YAML: %w", err)
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("unknown format %q (want yaml or json)", format)
}

// yamlNode builds the node tree of a JSON value with ordered keys.
func yamlNode(v any) *yaml.Node {
	switch t := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range orderedKeys(t) {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, yamlNode(t[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, x := range t {
			n.Content = append(n.Content, yamlNode(x))
		}
		return n
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}
		if strings.Contains(t, "\n") {
			n.Style = yaml.LiteralStyle
		}
		return n
	case float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: numberTag(t), Value: formatFloat(t)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	var n yaml.Node
	_ = n.Encode(v)
	return &n
}

func numberTag(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return "!!int"
	}
	return "!!float"
}

func formatFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// orderedKeys sorts keys, underscore keys first with _format_version
// leading (that is how every Kong and decK file starts).
func orderedKeys(m map[string]any) []string {
	keys := sortedKeys(m)
	rank := func(k string) int {
		switch {
		case k == "_format_version":
			return 0
		case strings.HasPrefix(k, "_"):
			return 1
		}
		return 2
	}
	sort.SliceStable(keys, func(i, j int) bool { return rank(keys[i]) < rank(keys[j]) })
	return keys
}
