package declarative

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Validate checks a file offline with the local schemas: every entity,
// uniqueness and references. References to entities the file does not
// hold are allowed (a sync finds them on the node) and returned, so the
// caller can mention them.
func Validate(f *File, reg *schema.Registry) (external []string, err error) {
	var mu sync.Mutex
	_, err = f.Resolve(reg, ResolveOptions{External: func(kind, key string) (string, bool) {
		mu.Lock()
		external = append(external, fmt.Sprintf("%s %q", singular(kind), key))
		mu.Unlock()
		return GenerateID(kind, "external:"+key), true
	}})
	sort.Strings(external)
	return dedupeStrings(external), err
}

// ValidateOnline asks a node to validate every entity of the file with
// its own schemas (POST /schemas/{entity}/validate, as `deck gateway
// validate` does), without creating anything, and checks that references
// to entities outside the file exist on it. Nothing is written.
func ValidateOnline(ctx context.Context, c *api.Client, f *File, reg *schema.Registry, parallelism int) error {
	if parallelism <= 0 {
		parallelism = DefaultParallelism
	}
	node := &nodeState{c: c, external: map[string]api.Entity{}}
	var missing Errors
	var mu sync.Mutex
	r, err := f.Resolve(reg, ResolveOptions{External: func(kind, key string) (string, bool) {
		k, _ := api.KindByName(kind)
		ext, lerr := node.lookup(ctx, k, key)
		if lerr != nil || ext == nil {
			return "", false
		}
		id, _ := ext["id"].(string)
		return id, true
	}})
	if err != nil {
		var errs Errors
		if errors.As(err, &errs) {
			missing = append(missing, errs...)
		} else {
			return err
		}
	}
	if r == nil {
		return missing.errorsOrNil()
	}
	var errs Errors
	err = forEach(ctx, parallelism, len(f.Entities), func(i int) error {
		e := f.Entities[i]
		body := onlineBody(r, e, f.SelectTags)
		verr := c.Validate(ctx, e.Kind, body)
		var apiErr *api.Error
		if errors.As(verr, &apiErr) && apiErr.Status == 400 {
			mu.Lock()
			defer mu.Unlock()
			if fields := apiErr.FieldErrors(); len(fields) > 0 {
				for _, fe := range fields {
					errs = append(errs, entityError(e, fe[0], fe[1]))
				}
			} else {
				errs = append(errs, entityError(e, "", apiErr.Message))
			}
			return nil
		}
		if verr != nil {
			return fmt.Errorf("validating %s: %w", e.Path, verr)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return append(missing, errs...).errorsOrNil()
}

// onlineBody is an entity as the node's validate endpoint takes it:
// fields as written, references as ids, select tags added.
func onlineBody(r *Resolved, e *Entity, tags []string) map[string]any {
	body := schema.CloneValue(r.Inputs[e]).(map[string]any)
	if len(tags) > 0 {
		list, _ := body["tags"].([]any)
		for _, t := range tags {
			list = append(list, t)
		}
		body["tags"] = list
	}
	return body
}
