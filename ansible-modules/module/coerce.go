package module

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// coerce converts a value decoded from the args file to an option type
// following AnsibleModule's check_type_* rules: templated values often
// arrive as strings ("8001", "yes", "a,b"), so strings convert to the
// declared type.
func coerce(t Type, v any) (any, error) {
	v = plain(v)
	switch typeOrStr(t) {
	case Str:
		return toStr(v)
	case Int:
		return toInt(v)
	case Bool:
		return toBool(v)
	case Float:
		return toFloat(v)
	case List:
		return toList(v)
	case Dict:
		return toDict(v)
	case Path:
		s, err := toStr(v)
		if err != nil {
			return nil, err
		}
		return expandPath(s.(string)), nil
	case Raw:
		return v, nil
	}
	return nil, fmt.Errorf("unknown option type %q", t)
}

// plain turns json.Number (the decoder keeps numbers exact) into int for
// integral values and float64 otherwise, recursively.
func plain(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return int(i)
		}
		f, _ := t.Float64()
		return f
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = plain(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = plain(x)
		}
		return out
	}
	return v
}

func toStr(v any) (any, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case bool:
		// Python's str(True); AnsibleModule converts and warns.
		if t {
			return "True", nil
		}
		return "False", nil
	case int:
		return strconv.Itoa(t), nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	}
	return nil, fmt.Errorf("%s cannot be converted to a string", typeName(v))
}

func toInt(v any) (any, error) {
	switch t := v.(type) {
	case int:
		return t, nil
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int(t), nil
		}
		return nil, fmt.Errorf("%v is not an integer", t)
	case string:
		i, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil {
			return nil, fmt.Errorf("invalid literal for int(): %q", t)
		}
		return i, nil
	}
	return nil, fmt.Errorf("%s cannot be converted to an int", typeName(v))
}

func toFloat(v any) (any, error) {
	switch t := v.(type) {
	case int:
		return float64(t), nil
	case float64:
		return t, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil {
			return nil, fmt.Errorf("could not convert string to float: %q", t)
		}
		return f, nil
	}
	return nil, fmt.Errorf("%s cannot be converted to a float", typeName(v))
}

// toBool accepts what Ansible's boolean() accepts.
func toBool(v any) (any, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case int:
		if t == 0 || t == 1 {
			return t == 1, nil
		}
	case float64:
		if t == 0 || t == 1 {
			return t == 1, nil
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "y", "yes", "on", "1", "true", "t":
			return true, nil
		case "n", "no", "off", "0", "false", "f":
			return false, nil
		}
	}
	return nil, fmt.Errorf("the value %v is not a valid boolean. Valid booleans include: 'yes', 'no', 'true', 'false', 'on', 'off', '1', '0'", v)
}

// toList accepts a list, a comma-separated string or a scalar.
func toList(v any) (any, error) {
	switch t := v.(type) {
	case []any:
		return t, nil
	case string:
		if t == "" {
			return []any{}, nil
		}
		parts := strings.Split(t, ",")
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	case int, float64, bool:
		s, _ := toStr(t)
		return []any{s}, nil
	}
	return nil, fmt.Errorf("%s cannot be converted to a list", typeName(v))
}

// toDict accepts a mapping, a JSON object string, or "k1=v1, k2=v2" /
// "k1=v1 k2=v2" as Ansible's check_type_dict does.
func toDict(v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		return t, nil
	case string:
		s := strings.TrimSpace(t)
		if strings.HasPrefix(s, "{") {
			d := json.NewDecoder(strings.NewReader(s))
			d.UseNumber()
			var m map[string]any
			if err := d.Decode(&m); err != nil {
				return nil, fmt.Errorf("not a JSON object: %v", err)
			}
			return plain(m), nil
		}
		return keyValues(s)
	}
	return nil, fmt.Errorf("%s cannot be converted to a dict", typeName(v))
}

func keyValues(s string) (any, error) {
	sep := " "
	if strings.Contains(s, ",") {
		sep = ","
	}
	out := map[string]any{}
	for _, field := range strings.Split(s, sep) {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		k, val, ok := strings.Cut(field, "=")
		if !ok {
			return nil, errors.New("dictionary requested, could not parse JSON or key=value")
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(val)
	}
	return out, nil
}

// expandPath expands ~ and environment variables, as Ansible's "path" type.
func expandPath(s string) string {
	s = os.ExpandEnv(s)
	if s == "~" || strings.HasPrefix(s, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			s = filepath.Join(home, s[1:])
		}
	}
	return s
}

// typeName names a decoded JSON value's type as Ansible users know them.
func typeName(v any) string {
	switch plain(v).(type) {
	case nil:
		return "null"
	case string:
		return "str"
	case bool:
		return "bool"
	case int:
		return "int"
	case float64:
		return "float"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}
