package sqlstore

import (
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

func TestDeleteAllEmptiesTypesAndFreesTheirKeysInOneTransaction(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s,
			item{"services", service("s1", "svc", "team-a")},
			item{"routes", route("r1", "r1", "s1")},
			item{"consumers", consumer("c1", "alice", "")},
			item{"plugins", plugin("p1", "acl", "r1", "", "c1")},
		)
		rev := mustRevision(t, s)
		all := []string{"plugins", "routes", "services", "consumers", "certificates", "upstreams", "targets"}
		err := write(t, s, func(w store.Writer) error {
			if err := w.(*writer).DeleteAll(t.Context(), all); err != nil {
				return err
			}
			// The same names and cache keys can be used again at once.
			if err := w.Insert(t.Context(), "services", service("s2", "svc")); err != nil {
				return err
			}
			return w.Insert(t.Context(), "routes", route("r2", "r1", "s2"))
		})
		if err != nil {
			t.Fatalf("DeleteAll then insert: %v", err)
		}
		for _, k := range []rowKey{{"services", "s1"}, {"routes", "r1"}, {"consumers", "c1"}, {"plugins", "p1"}} {
			assertMissing(t, s, k.entity, k.id)
		}
		mustGet(t, s, "routes", "r2")
		if got := mustRevision(t, s); got != rev+1 {
			t.Fatalf("revision %d, want %d (one transaction)", got, rev+1)
		}
		page, err := s.List(t.Context(), "services", store.ListQuery{Tags: []string{"team-a"}})
		if err != nil || len(page.Data) != 0 {
			t.Fatalf("tag index must be emptied: %v %v", page.Data, err)
		}
	})
}

func TestDeleteAllRefusesToOrphanReferencesFromTypesNotListed(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s, item{"services", service("s1", "svc")}, item{"routes", route("r1", "r1", "s1")})
		before, rev := snapshot(t, s)
		err := write(t, s, func(w store.Writer) error {
			return w.(*writer).DeleteAll(t.Context(), []string{"services"})
		})
		if err == nil {
			t.Fatal("deleting services while routes reference them must fail")
		}
		assertUnchanged(t, s, before, rev)
	})
}

func TestDeleteAllRejectsUnknownEntity(t *testing.T) {
	s := newStore(t, backends[0])
	err := write(t, s, func(w store.Writer) error { return w.(*writer).DeleteAll(t.Context(), []string{"nope"}) })
	if err == nil {
		t.Fatal("unknown entity accepted")
	}
}
