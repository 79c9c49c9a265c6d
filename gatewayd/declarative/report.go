package declarative

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// WriteText writes the changes as a human-readable diff: "+" creates with
// the fields they set, "~" updates with each changed field as
// "old -> new", "-" deletes. Secrets show as [masked].
func (r *Result) WriteText(w io.Writer) error {
	for _, c := range r.Changes {
		if _, err := fmt.Fprintln(w, c.String()); err != nil {
			return err
		}
		for _, f := range c.Fields {
			line := f.String()
			if c.Action == Create {
				v := renderValue(f.Desired)
				if f.Secret {
					v = api.Masked
				}
				line = f.Path + ": " + v
			}
			if _, err := fmt.Fprintln(w, "    "+line); err != nil {
				return err
			}
		}
	}
	return nil
}

func renderValue(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// ResetOptions control Reset.
type ResetOptions struct {
	Registry *schema.Registry
	// SelectTags limits the reset to entities carrying all of them.
	SelectTags  []string
	Parallelism int
	DryRun      bool
	Progress    func(Progress)
}

// Reset deletes every entity of the node (within the select tags),
// children first: a sync of an empty file.
func Reset(ctx context.Context, c *api.Client, opts ResetOptions) (*Result, error) {
	f := &File{FormatVersion: CurrentFormat, Transform: true, SelectTags: opts.SelectTags}
	return Sync(ctx, c, f, SyncOptions{Registry: opts.Registry, Parallelism: opts.Parallelism, DryRun: opts.DryRun,
		Progress: opts.Progress})
}
