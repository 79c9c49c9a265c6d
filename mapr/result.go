package mapr

import "fmt"

// Result is what an Ensure operation did, shaped for the thin wrappers on top:
// Changed maps to Ansible's changed and Terraform's "needs apply", Before and
// After to Ansible's diff, Messages to what a human should read.
type Result[S any] struct {
	Changed bool
	Before  S
	After   S
	// Messages explain each decision ("license already installed", "would
	// run configure.sh ...") in order.
	Messages []string
}

func (r *Result[S]) logf(format string, args ...any) {
	r.Messages = append(r.Messages, fmt.Sprintf(format, args...))
}
