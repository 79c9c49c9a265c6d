// Package module is the framework for gatewayd's Ansible binary modules.
//
// Ansible runs a binary module with one argument, the path of a JSON file
// holding the task's options plus internal `_ansible_*` keys, and reads one
// JSON object from its stdout. Python modules get argument validation,
// check mode, diff mode and no_log masking from AnsibleModule; a Go module
// gets nothing, so this package provides the same behaviour:
//
//   - an argument Spec: types (str, int, bool, float, list, dict, path,
//     raw) with element types, required, choices, defaults, aliases,
//     environment fallbacks, mutually_exclusive, required_together,
//     required_one_of, required_if and no_log, with AnsibleModule's type
//     coercion and error messages;
//   - `_ansible_check_mode` (Module.CheckMode: predict, never write) and
//     `_ansible_diff` (Module.Diff: return diff {before, after});
//   - no_log values masked everywhere in the result — msg, diff, return
//     values and invocation.module_args — including where they occur
//     inside longer strings (an error message quoting a URL with a token);
//   - exactly one JSON object on stdout with `changed`, `failed`, `msg`
//     and `invocation`.
//
// A module main is:
//
//	func main() {
//		m := module.New(spec)           // exits with failed=true on bad args
//		...
//		m.Exit(module.Result{"changed": true})
//	}
package module
