package sqlstore

import (
	"context"
	"fmt"
)

// DeleteAll removes every entity of the given types, with their index
// rows, inside the current transaction. It is how a DB-less configuration
// load (POST /config) replaces everything at once: deleting entity by
// entity would plan restrict/cascade for each one and cost tens of
// thousands of statements on a large configuration.
//
// References into the deleted types from types not listed are refused by
// the database (refs keeps a foreign key to entities); the transaction is
// then doomed, as with any database error.
func (w *writer) DeleteAll(ctx context.Context, entities []string) error {
	if err := w.usable(); err != nil {
		return err
	}
	for _, e := range entities {
		if _, err := w.s.metas.get(e); err != nil {
			return fmt.Errorf("delete all: %w", err)
		}
	}
	r := w.s.d.rebind
	// Index rows first: refs of the deleted entities would otherwise
	// still point at the rows we remove next.
	for _, q := range []string{`DELETE FROM refs WHERE entity = ?`, `DELETE FROM tags WHERE entity = ?`,
		`DELETE FROM unique_keys WHERE entity = ?`} {
		for _, e := range entities {
			if _, err := w.exec(ctx, r(q), e); err != nil {
				return w.fail(wrapErr("delete all "+e, err))
			}
		}
	}
	for _, e := range entities {
		if _, err := w.exec(ctx, r(`DELETE FROM entities WHERE entity = ?`), e); err != nil {
			return w.fail(wrapErr("delete all "+e, err))
		}
	}
	w.dirty = true
	return nil
}
