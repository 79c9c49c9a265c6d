// Command assemble lays out the Ansible collection gatewayd.toolkit (see
// package collection); `make collection` runs it.
//
//	go run ./ansible-modules/collection/assemble -out bin -arch amd64
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/collection"
)

func main() {
	out := flag.String("out", "bin", "directory receiving ansible_collections/gatewayd/toolkit")
	arch := flag.String("arch", "amd64", "GOARCH of the module binaries: amd64 or arm64")
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	mods, err := collection.Assemble(collection.Options{Root: *root, Out: *out, GOARCH: *arch})
	if err != nil {
		fmt.Fprintln(os.Stderr, "assemble:", err)
		os.Exit(1)
	}
	var total int64
	for _, m := range mods {
		fmt.Printf("%-22s %6.1f MB\n", m.Name, float64(m.Size)/(1<<20))
		total += m.Size
	}
	fmt.Printf("%d modules (linux/%s), %.1f MB, in %s\n", len(mods), *arch, float64(total)/(1<<20), collection.Dir(*out))
}
