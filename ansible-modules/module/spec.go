package module

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
)

// Type is an option type, named as in Ansible's argument_spec.
type Type string

// The option types AnsibleModule knows, with its coercion rules (see
// coerce.go).
const (
	Str   Type = "str"
	Int   Type = "int"
	Bool  Type = "bool"
	Float Type = "float"
	List  Type = "list"
	Dict  Type = "dict"
	Path  Type = "path"
	Raw   Type = "raw"
)

// Option declares one module option.
type Option struct {
	// Type defaults to Str.
	Type Type
	// Elements is the type of a List's elements (default: left as given).
	Elements Type
	Required bool
	// Default is used when the task does not set the option (or sets it
	// to null). It is not type-checked: declare it in its final type.
	Default any
	// Choices restrict the value; for a list every element.
	Choices []any
	// Aliases are other names the task may use for the option.
	Aliases []string
	// NoLog marks a secret: its value is masked in everything the module
	// prints, including invocation.module_args.
	NoLog bool
	// EnvFallback names environment variables (first set wins) read when
	// the task does not set the option — AnsibleModule's env_fallback.
	EnvFallback []string
}

// RequiredIf makes Requirements mandatory when option Key equals Value:
// all of them, or at least one with AnyOf.
type RequiredIf struct {
	Key          string
	Value        any
	Requirements []string
	AnyOf        bool
}

// Spec is a module's argument specification.
type Spec struct {
	Options map[string]Option
	// MutuallyExclusive: at most one option of each group may be set.
	MutuallyExclusive [][]string
	// RequiredTogether: all options of a group or none.
	RequiredTogether [][]string
	// RequiredOneOf: at least one option of each group.
	RequiredOneOf [][]string
	RequiredIf    []RequiredIf
	// SupportsCheckMode: without it the module reports skipped in check
	// mode, as AnsibleModule does, instead of running.
	SupportsCheckMode bool
}

// validate turns the raw task arguments into typed parameters. It returns
// the parameters (defaults applied), the names the task set, and every
// problem found, worded as AnsibleModule words them.
func (s Spec) validate(module string, raw map[string]any) (params map[string]any, given map[string]bool, errs []string) {
	params = map[string]any{}
	given = map[string]bool{}
	canonical := s.aliasIndex()
	var unsupported []string
	for key, v := range raw {
		name, ok := canonical[key]
		if !ok {
			unsupported = append(unsupported, key)
			continue
		}
		if v == nil {
			continue // null is "not set", as for Python modules
		}
		if given[name] && key != name {
			errs = append(errs, fmt.Sprintf("option %s and its alias %s are both set", name, key))
			continue
		}
		params[name], given[name] = v, true
	}
	if len(unsupported) > 0 {
		sort.Strings(unsupported)
		errs = append(errs, fmt.Sprintf("Unsupported parameters for (%s) module: %s. Supported parameters include: %s.",
			module, strings.Join(unsupported, ", "), strings.Join(s.names(), ", ")))
	}
	errs = append(errs, s.checkGroups("parameters are mutually exclusive: ", "|", s.MutuallyExclusive, given,
		func(n int, g []string) bool { return n > 1 })...)
	s.applyFallbacks(params, given)
	errs = append(errs, s.checkRequired(given)...)
	errs = append(errs, s.coerceAll(params)...)
	for name, o := range s.Options {
		if !given[name] && o.Default != nil {
			params[name] = o.Default
		} else if !given[name] {
			params[name] = nil
		}
	}
	errs = append(errs, s.checkGroups("parameters are required together: ", ", ", s.RequiredTogether, given,
		func(n int, g []string) bool { return n > 0 && n < len(g) })...)
	errs = append(errs, s.checkGroups("one of the following is required: ", ", ", s.RequiredOneOf, given,
		func(n int, g []string) bool { return n == 0 })...)
	errs = append(errs, s.checkRequiredIf(params, given)...)
	return params, given, errs
}

// aliasIndex maps every accepted name (options and aliases) to its option.
func (s Spec) aliasIndex() map[string]string {
	idx := map[string]string{}
	for name, o := range s.Options {
		idx[name] = name
		for _, a := range o.Aliases {
			idx[a] = name
		}
	}
	return idx
}

// names lists options and aliases, sorted, for "Supported parameters".
func (s Spec) names() []string {
	var out []string
	for name, o := range s.Options {
		out = append(out, name)
		for _, a := range o.Aliases {
			out = append(out, fmt.Sprintf("%s (%s)", a, name))
		}
	}
	sort.Strings(out)
	return out
}

func (s Spec) applyFallbacks(params map[string]any, given map[string]bool) {
	for name, o := range s.Options {
		if given[name] {
			continue
		}
		for _, env := range o.EnvFallback {
			if v, ok := os.LookupEnv(env); ok {
				params[name], given[name] = v, true
				break
			}
		}
	}
}

func (s Spec) checkRequired(given map[string]bool) []string {
	var missing []string
	for name, o := range s.Options {
		if o.Required && !given[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return []string{"missing required arguments: " + strings.Join(missing, ", ")}
}

// checkGroups reports each group for which bad(count of set options) holds.
func (s Spec) checkGroups(prefix, sep string, groups [][]string, given map[string]bool, bad func(int, []string) bool) []string {
	var errs []string
	for _, g := range groups {
		n := 0
		for _, name := range g {
			if given[name] {
				n++
			}
		}
		if bad(n, g) {
			errs = append(errs, prefix+strings.Join(g, sep))
		}
	}
	return errs
}

func (s Spec) checkRequiredIf(params map[string]any, given map[string]bool) []string {
	var errs []string
	for _, r := range s.RequiredIf {
		if fmt.Sprint(params[r.Key]) != fmt.Sprint(r.Value) {
			continue
		}
		var missing []string
		for _, name := range r.Requirements {
			if !given[name] {
				missing = append(missing, name)
			}
		}
		if len(missing) == 0 || (r.AnyOf && len(missing) < len(r.Requirements)) {
			continue
		}
		which := "all"
		if r.AnyOf {
			which = "any"
		}
		errs = append(errs, fmt.Sprintf("%s is %v but %s of the following are missing: %s",
			r.Key, r.Value, which, strings.Join(missing, ", ")))
	}
	return errs
}

// coerceAll converts every set option to its type and checks choices.
func (s Spec) coerceAll(params map[string]any) []string {
	var errs []string
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		o := s.Options[name]
		v, err := coerce(o.Type, params[name])
		if err != nil {
			errs = append(errs, fmt.Sprintf("argument '%s' is of type %s and we were unable to convert to %s: %v",
				name, typeName(params[name]), typeOrStr(o.Type), err))
			continue
		}
		if l, ok := v.([]any); ok && o.Elements != "" {
			if l, err = coerceElements(o.Elements, l); err != nil {
				errs = append(errs, fmt.Sprintf("Elements value for option '%s' is of type %s and we were unable to convert to %s: %v",
					name, typeName(params[name]), o.Elements, err))
				continue
			}
			v = l
		}
		params[name] = v
		if err := checkChoices(name, v, o.Choices); err != "" {
			errs = append(errs, err)
		}
	}
	return errs
}

func coerceElements(t Type, l []any) ([]any, error) {
	out := make([]any, len(l))
	for i, el := range l {
		c, err := coerce(t, el)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

func checkChoices(name string, v any, choices []any) string {
	if len(choices) == 0 {
		return ""
	}
	in := func(x any) bool {
		return slices.ContainsFunc(choices, func(c any) bool { return fmt.Sprint(c) == fmt.Sprint(x) })
	}
	list := make([]string, len(choices))
	for i, c := range choices {
		list[i] = fmt.Sprint(c)
	}
	if l, ok := v.([]any); ok {
		for _, el := range l {
			if !in(el) {
				return fmt.Sprintf("value of %s must be one or more of: %s. Got no match for: %v", name, strings.Join(list, ", "), el)
			}
		}
		return ""
	}
	if !in(v) {
		return fmt.Sprintf("value of %s must be one of: %s, got: %v", name, strings.Join(list, ", "), v)
	}
	return ""
}

func typeOrStr(t Type) Type {
	if t == "" {
		return Str
	}
	return t
}
