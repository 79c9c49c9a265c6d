// Package runtimetest holds test and benchmark support for configurations
// the runtime builds: the mixed route set every large-configuration
// benchmark uses (the runtime's snapshot and scale benchmarks, the proxy's
// pipeline benchmark, the side-by-side harness in acctest/bench), declared
// once so their numbers describe the same configuration.
package runtimetest

import "fmt"

// MixedRoute sets on route the matching fields of route i of the benchmark
// mix: a quarter each of prefix paths, regex paths, host + prefix, and
// header + prefix routes, none of which matches a plain "/bench" request
// with Host bench.local (the route under test). It returns route.
func MixedRoute(route map[string]any, i int) map[string]any {
	switch i % 4 {
	case 0:
		route["paths"] = []any{fmt.Sprintf("/bench/p%d", i)}
	case 1:
		route["paths"] = []any{fmt.Sprintf(`~/bench/r%d/\d+$`, i)}
	case 2:
		route["hosts"] = []any{fmt.Sprintf("h%d.bench.local", i)}
		route["paths"] = []any{"/bench"}
	default:
		route["headers"] = map[string]any{"x-tenant": []any{fmt.Sprintf("t%d", i)}}
		route["paths"] = []any{"/bench"}
	}
	return route
}
