package declarative

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// DefaultParallelism is decK's: at most 10 Admin API requests at once.
const DefaultParallelism = 10

// SyncOptions control Sync and Diff.
type SyncOptions struct {
	// Registry holds the schemas the file is validated with offline
	// (Registry([]string{"bundled"}) for gatewayd's own). Required.
	Registry *schema.Registry
	// NoDeletes applies the file without deleting what it lacks (decK's
	// `gateway apply`).
	NoDeletes bool
	// Parallelism bounds concurrent Admin API requests (default 10).
	Parallelism int
	// DryRun plans without writing (what Diff does).
	DryRun bool
	// Progress, when set, is called after each change is applied.
	Progress func(Progress)
}

// Progress reports one applied change.
type Progress struct {
	Done, Total int
	Change      *Change
	Err         error
}

// Result lists every change a sync made (or a diff would make).
type Result struct {
	Changes                   []*Change
	Created, Updated, Deleted int
	Unchanged                 int
	Duration                  time.Duration
	DryRun                    bool
}

// Changed reports whether there is anything to do (or anything was done).
func (r *Result) Changed() bool { return len(r.Changes) > 0 }

// Summary is the one-line report: "created 3, updated 1, deleted 0 in 1.2s".
func (r *Result) Summary() string {
	verb := map[bool][3]string{false: {"created", "updated", "deleted"}, true: {"to create", "to update", "to delete"}}[r.DryRun]
	return fmt.Sprintf("%s %d, %s %d, %s %d in %s", verb[0], r.Created, verb[1], r.Updated, verb[2], r.Deleted,
		r.Duration.Round(time.Millisecond))
}

func (r *Result) count() {
	r.Created, r.Updated, r.Deleted = 0, 0, 0
	for _, c := range r.Changes {
		switch c.Action {
		case Create:
			r.Created++
		case Update:
			r.Updated++
		case Delete:
			r.Deleted++
		}
	}
}

// Diff computes what Sync would change, without writing.
func Diff(ctx context.Context, c *api.Client, f *File, opts SyncOptions) (*Result, error) {
	opts.DryRun = true
	return Sync(ctx, c, f, opts)
}

// Sync makes the node equal to the file within the select-tag scope:
// entities are created and updated parents first and deleted children
// first, in parallel within each kind; entities without every select tag
// are never touched. Everything is validated before the first write:
// schemas offline, uniqueness and references across the file and the
// node, plugins unknown locally against the node's /schemas. When a write
// fails, the kinds after it are not started and the error lists what
// failed; Result still lists what was applied.
func Sync(ctx context.Context, c *api.Client, f *File, opts SyncOptions) (*Result, error) {
	start := time.Now()
	if opts.Registry == nil {
		return nil, errors.New("sync: a schema registry is required")
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = DefaultParallelism
	}
	unknown, err := validateOffline(f, opts.Registry)
	if err != nil {
		return nil, err
	}
	kinds := syncKinds(func(name string) bool { return opts.Registry.Get(name) != nil })
	node, err := readNode(ctx, c, kinds, f.SelectTags, opts.Parallelism)
	if err != nil {
		return nil, err
	}
	if err := validatePluginsOnline(ctx, c, f, unknown, opts.Parallelism); err != nil {
		return nil, err
	}
	p := newPlanner(ctx, opts.Registry, f, node, kinds, opts)
	if err := p.plan(); err != nil {
		return nil, err
	}
	if err := p.errs.errorsOrNil(); err != nil {
		return nil, err
	}
	res := &Result{Changes: ordered(p.changes), Unchanged: p.unchanged, DryRun: opts.DryRun}
	res.count()
	if opts.DryRun {
		res.Duration = time.Since(start)
		return res, nil
	}
	applied, err := apply(ctx, c, res.Changes, opts)
	res.Changes = applied
	res.count()
	res.Duration = time.Since(start)
	return res, err
}

// validateOffline validates the file with the local schemas, allowing
// references to entities outside it (the node may hold them). Plugins the
// local registry does not know (a Kong node's own) are returned to be
// validated by the node instead.
func validateOffline(f *File, reg *schema.Registry) ([]*Entity, error) {
	var unknown []*Entity
	known := f.Entities[:0:0]
	plugins := reg.Get("plugins")
	for _, e := range f.Entities {
		name, _ := e.Fields["name"].(string)
		if e.Kind == "plugins" && plugins != nil && name != "" && !pluginKnown(plugins, name) {
			unknown = append(unknown, e)
			continue
		}
		known = append(known, e)
	}
	sub := *f
	sub.Entities = known
	_, err := sub.Resolve(reg, ResolveOptions{External: func(kind, key string) (string, bool) {
		return GenerateID(kind, "external:"+key), true
	}})
	return unknown, err
}

// pluginKnown asks the plugins schema whether a name is loaded.
func pluginKnown(plugins *schema.Entity, name string) bool {
	f := plugins.Field("name")
	return f == nil || f.Custom == nil || f.Custom(name) == ""
}

// validatePluginsOnline validates plugins the local catalog lacks with the
// node's /schemas/plugins/validate, before anything is written.
func validatePluginsOnline(ctx context.Context, c *api.Client, f *File, plugins []*Entity, parallelism int) error {
	var mu sync.Mutex
	var errs Errors
	err := forEach(ctx, parallelism, len(plugins), func(i int) error {
		e := plugins[i]
		body := map[string]any{"name": e.Fields["name"]}
		for _, k := range []string{"config", "protocols", "enabled", "instance_name", "tags"} {
			if v, ok := e.Fields[k]; ok {
				body[k] = v
			}
		}
		err := c.Validate(ctx, "plugins", body)
		var apiErr *api.Error
		if errors.As(err, &apiErr) && apiErr.Status == 400 {
			mu.Lock()
			for _, fe := range apiErr.FieldErrors() {
				errs = append(errs, entityError(e, fe[0], fe[1]))
			}
			if len(apiErr.Fields) == 0 {
				errs = append(errs, entityError(e, "", apiErr.Message))
			}
			mu.Unlock()
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	return errs.errorsOrNil()
}

// apply executes the changes in order: each group of same-phase,
// same-kind changes runs in parallel, groups one after another. It stops
// after a group with failures: later groups depend on it.
func apply(ctx context.Context, c *api.Client, changes []*Change, opts SyncOptions) ([]*Change, error) {
	var done atomic.Int64
	total := len(changes)
	var applied []*Change
	for start := 0; start < len(changes); {
		end := start + 1
		for end < len(changes) && sameGroup(changes[start], changes[end]) {
			end++
		}
		group := changes[start:end]
		ok := make([]bool, len(group))
		var mu sync.Mutex
		var failures []error
		_ = forEach(ctx, opts.Parallelism, len(group), func(i int) error {
			ch := group[i]
			err := c.Do(ctx, ch.method, ch.path, bodyOf(ch), nil)
			if err != nil {
				err = fmt.Errorf("%s %s %s: %w", ch.Action, singular(ch.Kind), ch.Key, err)
				mu.Lock()
				failures = append(failures, err)
				mu.Unlock()
			} else {
				ok[i] = true
			}
			n := int(done.Add(1))
			if opts.Progress != nil {
				mu.Lock()
				opts.Progress(Progress{Done: n, Total: total, Change: ch, Err: err})
				mu.Unlock()
			}
			return nil
		})
		for i, ch := range group {
			if ok[i] {
				applied = append(applied, ch)
			}
		}
		if len(failures) > 0 {
			return applied, fmt.Errorf("sync stopped after %d of %d changes: %w", len(applied), total, errors.Join(failures...))
		}
		if err := ctx.Err(); err != nil {
			return applied, err
		}
		start = end
	}
	return applied, nil
}

func sameGroup(a, b *Change) bool {
	return a.Kind == b.Kind && (a.Action == Delete) == (b.Action == Delete) && a.pre == b.pre
}

func bodyOf(c *Change) any {
	if c.body == nil {
		return nil
	}
	return c.body
}
