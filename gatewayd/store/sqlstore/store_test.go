package sqlstore

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

func TestInsertedEntityCanBeReadBack(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		want := service("s1", "svc", "a", "b")
		insert(t, s, item{"services", want})

		assertDoc(t, mustGet(t, s, "services", "s1"), want)
		byName, err := s.GetByField(t.Context(), "services", "name", "svc")
		if err != nil {
			t.Fatalf("GetByField: %v", err)
		}
		assertDoc(t, byName, want)
		if _, err := s.GetByField(t.Context(), "services", "name", "other"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetByField of a missing name: want ErrNotFound, got %v", err)
		}
		assertMissing(t, s, "services", "nope")
	})
}

func TestInsertOfExistingIDReturnsPrimaryKeyErrorAndKeepsTransactionUsable(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s, item{"services", service("s1", "svc")})

		err := write(t, s, func(w store.Writer) error {
			err := w.Insert(t.Context(), "services", service("s1", "other"))
			var pk *store.PrimaryKeyError
			if !errors.As(err, &pk) || pk.Entity != "services" || pk.ID != "s1" {
				t.Errorf("want PrimaryKeyError{services s1}, got %#v", err)
			}
			// Nothing was written, so the transaction can go on.
			return w.Insert(t.Context(), "services", service("s2", "other"))
		})
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		assertDoc(t, mustGet(t, s, "services", "s1"), service("s1", "svc"))
		mustGet(t, s, "services", "s2")
	})
}

func TestUpsertInsertsThenReplacesAndFreesOldUniqueValues(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		upsert := func(doc store.Doc) error {
			return write(t, s, func(w store.Writer) error { return w.Upsert(t.Context(), "services", doc) })
		}
		if err := upsert(service("s1", "old", "t1")); err != nil {
			t.Fatalf("Upsert (insert): %v", err)
		}
		if err := upsert(service("s1", "new", "t2")); err != nil {
			t.Fatalf("Upsert (replace): %v", err)
		}
		assertDoc(t, mustGet(t, s, "services", "s1"), service("s1", "new", "t2"))
		if _, err := s.GetByField(t.Context(), "services", "name", "old"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old name still indexed: %v", err)
		}
		// The old name and tag are free again.
		insert(t, s, item{"services", service("s2", "old")})
		page, err := s.List(t.Context(), "services", store.ListQuery{Tags: []string{"t1"}})
		if err != nil || len(page.Data) != 0 {
			t.Fatalf("old tag still indexed: %v %v", ids(page.Data), err)
		}
	})
}

func TestUpdateReplacesExistingEntityAndReportsMissingOnes(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s, item{"services", service("s1", "svc")})

		err := write(t, s, func(w store.Writer) error { return w.Update(t.Context(), "services", service("missing", "x")) })
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Update of a missing entity: want ErrNotFound, got %v", err)
		}
		assertMissing(t, s, "services", "missing")

		updated := service("s1", "renamed")
		updated["port"] = float64(8080)
		if err := write(t, s, func(w store.Writer) error { return w.Update(t.Context(), "services", updated) }); err != nil {
			t.Fatalf("Update: %v", err)
		}
		assertDoc(t, mustGet(t, s, "services", "s1"), updated)
		if _, err := s.GetByField(t.Context(), "services", "name", "renamed"); err != nil {
			t.Fatalf("new name not indexed: %v", err)
		}
	})
}

func TestDeleteOfMissingEntityIsNotAnError(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		rev := mustRevision(t, s)
		if err := write(t, s, func(w store.Writer) error { return w.Delete(t.Context(), "services", "nope") }); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if got := mustRevision(t, s); got != rev {
			t.Fatalf("a delete that changed nothing bumped the revision from %d to %d", rev, got)
		}
	})
}

func TestDeleteRemovesEntityAndItsIndexRows(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s, item{"services", service("s1", "svc", "t")})
		if err := write(t, s, func(w store.Writer) error { return w.Delete(t.Context(), "services", "s1") }); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		assertMissing(t, s, "services", "s1")
		rows, _, err := s.ListTags(t.Context(), "", 0, "")
		if err != nil || len(rows) != 0 {
			t.Fatalf("tags left behind: %v %v", rows, err)
		}
		insert(t, s, item{"services", service("s2", "svc")}) // name is free again
	})
}

func TestUniqueFieldConflictReturnsUniqueError(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s,
			item{"services", service("s1", "svc")},
			item{"consumers", consumer("c1", "alice", "ext-1")},
		)
		for _, tc := range []struct {
			entity string
			doc    store.Doc
			fields map[string]any
		}{
			{"services", service("s2", "svc"), map[string]any{"name": "svc"}},
			{"consumers", consumer("c2", "alice", "ext-2"), map[string]any{"username": "alice"}},
			{"consumers", consumer("c2", "bob", "ext-1"), map[string]any{"custom_id": "ext-1"}},
		} {
			err := write(t, s, func(w store.Writer) error { return w.Insert(t.Context(), tc.entity, tc.doc) })
			var ue *store.UniqueError
			if !errors.As(err, &ue) {
				t.Fatalf("insert %v: want UniqueError, got %v", tc.doc, err)
			}
			if ue.Entity != tc.entity || !reflect.DeepEqual(ue.Fields, tc.fields) {
				t.Errorf("got UniqueError{%s %v}, want {%s %v}", ue.Entity, ue.Fields, tc.entity, tc.fields)
			}
		}
		// Null is not a value: any number of unnamed services may exist.
		insert(t, s, item{"services", service("n1", "")}, item{"services", service("n2", "")})
	})
}

func TestCacheKeyConflictReportsAllMembers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s,
			item{"services", service("s1", "svc")},
			item{"routes", route("r1", "r1", "s1")},
			item{"routes", route("r2", "r2", "s1")},
			item{"plugins", plugin("p1", "rate-limiting", "r1", "", "")},
			item{"upstreams", upstream("u1", "up", "")},
			item{"targets", target("t1", "u1", "10.0.0.1:80")},
		)
		err := write(t, s, func(w store.Writer) error {
			return w.Insert(t.Context(), "plugins", plugin("p2", "rate-limiting", "r1", "", ""))
		})
		var ue *store.UniqueError
		if !errors.As(err, &ue) {
			t.Fatalf("duplicate plugin: want UniqueError, got %v", err)
		}
		wantFields := map[string]any{"name": "rate-limiting", "route": map[string]any{"id": "r1"}, "service": nil, "consumer": nil}
		if ue.Entity != "plugins" || !reflect.DeepEqual(ue.Fields, wantFields) {
			t.Fatalf("got UniqueError{%s %v}, want fields %v", ue.Entity, ue.Fields, wantFields)
		}

		// Any differing member, null included, makes a different key.
		insert(t, s,
			item{"plugins", plugin("p3", "rate-limiting", "r2", "", "")},
			item{"plugins", plugin("p4", "rate-limiting", "r1", "s1", "")},
			item{"plugins", plugin("p5", "rate-limiting", "", "", "")},
			item{"targets", target("t2", "u1", "10.0.0.2:80")},
		)
		err = write(t, s, func(w store.Writer) error {
			return w.Insert(t.Context(), "targets", target("t3", "u1", "10.0.0.1:80"))
		})
		if !errors.As(err, &ue) || !reflect.DeepEqual(ue.Fields, map[string]any{"upstream": map[string]any{"id": "u1"}, "target": "10.0.0.1:80"}) {
			t.Fatalf("duplicate target: want UniqueError on upstream+target, got %v", err)
		}
	})
}

func TestWriteReferencingMissingEntityReturnsForeignKeyError(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		before, rev := snapshot(t, s)
		for _, op := range []string{"insert", "upsert"} {
			err := write(t, s, func(w store.Writer) error {
				if op == "insert" {
					return w.Insert(t.Context(), "routes", route("r1", "r1", "ghost"))
				}
				return w.Upsert(t.Context(), "routes", route("r1", "r1", "ghost"))
			})
			var fk *store.ForeignKeyError
			if !errors.As(err, &fk) {
				t.Fatalf("%s: want ForeignKeyError, got %v", op, err)
			}
			want := store.ForeignKeyError{Entity: "routes", Field: "service", RefEntity: "services", RefID: "ghost"}
			if *fk != want {
				t.Fatalf("%s: got %+v, want %+v", op, *fk, want)
			}
		}
		assertUnchanged(t, s, before, rev)
	})
}

func TestDeleteOfReferencedParentIsRestricted(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s,
			item{"services", service("s1", "svc")},
			item{"routes", route("r1", "r1", "s1")},
			item{"plugins", plugin("p1", "cors", "", "s1", "")},
		)
		before, rev := snapshot(t, s)
		err := write(t, s, func(w store.Writer) error { return w.Delete(t.Context(), "services", "s1") })
		var re *store.RestrictError
		if !errors.As(err, &re) {
			t.Fatalf("want RestrictError, got %v", err)
		}
		if re.Parent != "services" || re.Child != "routes" {
			t.Fatalf("got RestrictError{%s %s}, want {services routes}", re.Parent, re.Child)
		}
		// The cascading plugin was not deleted either.
		assertUnchanged(t, s, before, rev)

		// Once the route is gone, the service goes with its plugins.
		err = write(t, s, func(w store.Writer) error {
			if err := w.Delete(t.Context(), "routes", "r1"); err != nil {
				return err
			}
			return w.Delete(t.Context(), "services", "s1")
		})
		if err != nil {
			t.Fatalf("Delete after removing the route: %v", err)
		}
		assertMissing(t, s, "services", "s1")
		assertMissing(t, s, "plugins", "p1")
	})
}

func TestRestrictedDeleteLeavesTransactionUsable(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s, item{"services", service("s1", "svc")}, item{"routes", route("r1", "r1", "s1")})
		err := write(t, s, func(w store.Writer) error {
			var re *store.RestrictError
			if err := w.Delete(t.Context(), "services", "s1"); !errors.As(err, &re) {
				return fmt.Errorf("want RestrictError, got %v", err)
			}
			return w.Insert(t.Context(), "services", service("s2", "svc2"))
		})
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		mustGet(t, s, "services", "s2")
	})
}

func TestDeleteCascadesThroughSeveralLevels(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s,
			item{"certificates", certificate("cert")},
			item{"upstreams", upstream("u1", "up1", "cert")},
			item{"upstreams", upstream("u2", "up2", "")},
			item{"targets", target("t1", "u1", "a:1")},
			item{"targets", target("t2", "u1", "b:1")},
			item{"targets", target("t3", "u2", "a:1")},
			item{"services", service("s1", "svc")},
			item{"routes", route("r1", "r1", "s1")},
			item{"consumers", consumer("c1", "alice", "")},
			// Reachable twice (via the route and the consumer): deleted once.
			item{"plugins", plugin("p1", "acl", "r1", "", "c1")},
			item{"plugins", plugin("p2", "acl", "", "s1", "")},
		)
		err := write(t, s, func(w store.Writer) error {
			if err := w.Delete(t.Context(), "certificates", "cert"); err != nil {
				return err
			}
			if err := w.Delete(t.Context(), "consumers", "c1"); err != nil {
				return err
			}
			return w.Delete(t.Context(), "routes", "r1")
		})
		if err != nil {
			t.Fatalf("Delete: %v", err)
		}
		for _, k := range []rowKey{{"certificates", "cert"}, {"upstreams", "u1"}, {"targets", "t1"}, {"targets", "t2"},
			{"consumers", "c1"}, {"plugins", "p1"}, {"routes", "r1"}} {
			assertMissing(t, s, k.entity, k.id)
		}
		for _, k := range []rowKey{{"upstreams", "u2"}, {"targets", "t3"}, {"services", "s1"}, {"plugins", "p2"}} {
			mustGet(t, s, k.entity, k.id)
		}
		// The cache keys of the deleted targets are free again.
		insert(t, s, item{"upstreams", upstream("u3", "up1", "")}, item{"targets", target("t4", "u3", "a:1")})
	})
}

func TestDeleteSetsNullReferencesInSurvivingEntities(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		svc := service("s1", "svc")
		svc["client_certificate"] = ref("cert")
		insert(t, s, item{"certificates", certificate("cert")}, item{"services", svc})

		if err := write(t, s, func(w store.Writer) error { return w.Delete(t.Context(), "certificates", "cert") }); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		assertDoc(t, mustGet(t, s, "services", "s1"), service("s1", "svc"))
		// No reference is left to trip over: the certificate id can be reused.
		insert(t, s, item{"certificates", certificate("cert")})
		page, err := s.List(t.Context(), "services", store.ListQuery{ForeignField: "client_certificate", ForeignID: "cert"})
		if err != nil || len(page.Data) != 0 {
			t.Fatalf("reference survived set-null: %v %v", ids(page.Data), err)
		}
	})
}

func TestFailedWriteLeavesStoreUnchanged(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s, item{"services", service("s1", "svc")}, item{"routes", route("r1", "r1", "s1")})
		before, rev := snapshot(t, s)

		errBoom := errors.New("boom")
		cases := map[string]func(w store.Writer) error{
			"fn returns an error": func(w store.Writer) error {
				if err := w.Insert(t.Context(), "services", service("s2", "svc2")); err != nil {
					return err
				}
				if err := w.Delete(t.Context(), "routes", "r1"); err != nil {
					return err
				}
				return errBoom
			},
			"fn ignores a unique violation": func(w store.Writer) error {
				_ = w.Insert(t.Context(), "services", service("s3", "svc3"))
				_ = w.Insert(t.Context(), "services", service("s4", "svc")) // conflicts
				return nil
			},
			"constraint fails after other writes": func(w store.Writer) error {
				if err := w.Upsert(t.Context(), "services", service("s1", "renamed")); err != nil {
					return err
				}
				return w.Insert(t.Context(), "routes", route("r2", "r1", "s1")) // route name taken
			},
		}
		for name, fn := range cases {
			t.Run(name, func(t *testing.T) {
				if err := write(t, s, fn); err == nil {
					t.Fatalf("Write succeeded")
				}
				assertUnchanged(t, s, before, rev)
			})
		}
	})
}

func TestWriterIsUnusableAfterWriteReturns(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		var leaked store.Writer
		if err := write(t, s, func(w store.Writer) error { leaked = w; return nil }); err != nil {
			t.Fatal(err)
		}
		if err := leaked.Insert(t.Context(), "services", service("s1", "svc")); err == nil {
			t.Fatalf("Insert through a finished writer succeeded")
		}
		assertMissing(t, s, "services", "s1")
	})
}

func TestWriteSeesItsOwnChanges(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		err := write(t, s, func(w store.Writer) error {
			if err := w.Insert(t.Context(), "services", service("s1", "svc")); err != nil {
				return err
			}
			if _, err := w.GetByField(t.Context(), "services", "name", "svc"); err != nil {
				return err
			}
			page, err := w.List(t.Context(), "services", store.ListQuery{})
			if err != nil {
				return err
			}
			if len(page.Data) != 1 {
				return fmt.Errorf("List inside the transaction: got %d services", len(page.Data))
			}
			// Other readers do not see it before commit.
			if _, err := s.Get(t.Context(), "services", "s1"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("uncommitted entity visible outside: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestListPagesInIDOrderWithURLSafeOffsets(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		var items []item
		var want []string
		for i := 0; i < 25; i++ {
			// "~~~" and "???" encode to "fn5-" and "Pz8_": the URL alphabet.
			id := fmt.Sprintf("svc~~~???-%02d", i)
			want = append(want, id)
			items = append(items, item{"services", service(id, "")})
		}
		insert(t, s, items...)

		var got []string
		offset := ""
		pages := 0
		for {
			page, err := s.List(t.Context(), "services", store.ListQuery{Size: 10, Offset: offset})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			pages++
			got = append(got, ids(page.Data)...)
			if page.Offset == "" {
				break
			}
			// The token survives a trip through a query string.
			q, err := url.ParseQuery(url.Values{"offset": {page.Offset}}.Encode())
			if err != nil {
				t.Fatal(err)
			}
			if q.Get("offset") != page.Offset || url.QueryEscape(page.Offset) != page.Offset {
				t.Fatalf("offset %q needs escaping", page.Offset)
			}
			offset = q.Get("offset")
		}
		if pages != 3 || !slices.Equal(got, want) {
			t.Fatalf("got %d pages with ids %q, want 3 pages with %q", pages, got, want)
		}
	})
}

func TestListSizeZeroMeansOneHundred(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		var items []item
		for i := 0; i < 150; i++ {
			items = append(items, item{"consumers", consumer(fmt.Sprintf("c%03d", i), "", "")})
		}
		insert(t, s, items...)
		page, err := s.List(t.Context(), "consumers", store.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Data) != 100 || page.Offset == "" {
			t.Fatalf("got %d docs, offset %q; want 100 and a next page", len(page.Data), page.Offset)
		}
		page, err = s.List(t.Context(), "consumers", store.ListQuery{Offset: page.Offset})
		if err != nil || len(page.Data) != 50 || page.Offset != "" {
			t.Fatalf("second page: %d docs, offset %q, err %v", len(page.Data), page.Offset, err)
		}
	})
}

func TestListRejectsOffsetThatIsNotBase64(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		_, err := s.List(t.Context(), "services", store.ListQuery{Offset: "%%%not base64!"})
		var oe *store.OffsetError
		if !errors.As(err, &oe) || oe.Offset != "%%%not base64!" || oe.Reason != "bad base64 encoding" {
			t.Fatalf("want OffsetError{bad base64 encoding}, got %v", err)
		}
		_, _, err = s.ListTags(t.Context(), "", 10, "***")
		if !errors.As(err, &oe) {
			t.Fatalf("ListTags: want OffsetError, got %v", err)
		}
	})
}

func TestListFiltersByTags(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s,
			item{"services", service("s1", "", "red", "blue")},
			item{"services", service("s2", "", "red")},
			item{"services", service("s3", "", "blue", "green")},
			item{"services", service("s4", "")},
			item{"routes", route("r1", "", "", "red", "blue")}, // other entity: never listed
		)
		for _, tc := range []struct {
			tags []string
			or   bool
			want []string
		}{
			{[]string{"red"}, false, []string{"s1", "s2"}},
			{[]string{"red", "blue"}, false, []string{"s1"}},
			{[]string{"red", "blue"}, true, []string{"s1", "s2", "s3"}},
			{[]string{"green", "red"}, true, []string{"s1", "s2", "s3"}},
			{[]string{"red", "green"}, false, nil},
			{[]string{"nope"}, true, nil},
		} {
			page, err := s.List(t.Context(), "services", store.ListQuery{Tags: tc.tags, TagsOr: tc.or})
			if err != nil {
				t.Fatalf("List %v: %v", tc.tags, err)
			}
			if got := ids(page.Data); !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("tags %v or=%v: got %v, want %v", tc.tags, tc.or, got, tc.want)
			}
		}
		// Tag filters page like everything else.
		page, err := s.List(t.Context(), "services", store.ListQuery{Tags: []string{"red", "blue"}, TagsOr: true, Size: 2})
		if err != nil || !slices.Equal(ids(page.Data), []string{"s1", "s2"}) || page.Offset == "" {
			t.Fatalf("first page: %v %q %v", ids(page.Data), page.Offset, err)
		}
		page, err = s.List(t.Context(), "services", store.ListQuery{Tags: []string{"red", "blue"}, TagsOr: true, Size: 2, Offset: page.Offset})
		if err != nil || !slices.Equal(ids(page.Data), []string{"s3"}) || page.Offset != "" {
			t.Fatalf("second page: %v %q %v", ids(page.Data), page.Offset, err)
		}
	})
}

func TestListByForeignFieldReturnsOnlyChildrenOfThatParent(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s,
			item{"services", service("s1", "a")},
			item{"services", service("s2", "b")},
			item{"routes", route("r3", "", "s1", "x")},
			item{"routes", route("r1", "", "s1")},
			item{"routes", route("r2", "", "s2", "x")},
			item{"routes", route("r4", "", "s1", "x")},
			item{"routes", route("r5", "", "")},
		)
		q := store.ListQuery{ForeignField: "service", ForeignID: "s1", Size: 2}
		page, err := s.List(t.Context(), "routes", q)
		if err != nil || !slices.Equal(ids(page.Data), []string{"r1", "r3"}) || page.Offset == "" {
			t.Fatalf("first page: %v %q %v", ids(page.Data), page.Offset, err)
		}
		q.Offset = page.Offset
		page, err = s.List(t.Context(), "routes", q)
		if err != nil || !slices.Equal(ids(page.Data), []string{"r4"}) || page.Offset != "" {
			t.Fatalf("second page: %v %q %v", ids(page.Data), page.Offset, err)
		}
		page, err = s.List(t.Context(), "routes", store.ListQuery{ForeignField: "service", ForeignID: "s1", Tags: []string{"x"}})
		if err != nil || !slices.Equal(ids(page.Data), []string{"r3", "r4"}) {
			t.Fatalf("with tag filter: %v %v", ids(page.Data), err)
		}
		if _, err := s.List(t.Context(), "routes", store.ListQuery{ForeignField: "name", ForeignID: "x"}); err == nil {
			t.Fatalf("listing by a field that is not a foreign key succeeded")
		}
	})
}

func TestListTagsOrdersByTagEntityIDAndPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		insert(t, s,
			item{"services", service("s2", "", "b", "a")},
			item{"services", service("s1", "", "a", "a")}, // duplicate tag counted once
			item{"consumers", consumer("c1", "alice", "")},
			item{"routes", route("r1", "", "s1", "a")},
		)
		want := []store.TagRow{
			{EntityName: "routes", EntityID: "r1", Tag: "a"},
			{EntityName: "services", EntityID: "s1", Tag: "a"},
			{EntityName: "services", EntityID: "s2", Tag: "a"},
			{EntityName: "services", EntityID: "s2", Tag: "b"},
		}
		var got []store.TagRow
		offset := ""
		for {
			rows, next, err := s.ListTags(t.Context(), "", 3, offset)
			if err != nil {
				t.Fatalf("ListTags: %v", err)
			}
			got = append(got, rows...)
			if next == "" {
				break
			}
			offset = next
		}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}

		rows, next, err := s.ListTags(t.Context(), "a", 2, "")
		if err != nil || !slices.Equal(rows, want[:2]) || next == "" {
			t.Fatalf("tag a, first page: %v %q %v", rows, next, err)
		}
		rows, next, err = s.ListTags(t.Context(), "a", 2, next)
		if err != nil || !slices.Equal(rows, want[2:3]) || next != "" {
			t.Fatalf("tag a, second page: %v %q %v", rows, next, err)
		}
	})
}

func TestReadAllReturnsEveryDocAndTheRevisionOfOneSnapshot(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		base := mustRevision(t, s)

		// Each write adds a service and a route referencing it, so every
		// consistent snapshot has as many of each as writes since base.
		const writes = 40
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < writes; i++ {
				err := s.Write(t.Context(), func(w store.Writer) error {
					if err := w.Insert(t.Context(), "services", service(fmt.Sprintf("s%03d", i), "")); err != nil {
						return err
					}
					return w.Insert(t.Context(), "routes", route(fmt.Sprintf("r%03d", i), "", fmt.Sprintf("s%03d", i)))
				})
				if err != nil {
					t.Errorf("write %d: %v", i, err)
					return
				}
			}
		}()
		check := func() (done bool) {
			all, rev, err := s.ReadAll(t.Context(), []string{"services", "routes", "plugins"})
			if err != nil {
				t.Fatalf("ReadAll: %v", err)
			}
			n := int(rev - base)
			if len(all["services"]) != n || len(all["routes"]) != n || all["plugins"] == nil || len(all["plugins"]) != 0 {
				t.Fatalf("inconsistent snapshot at revision %d: %d services, %d routes, plugins %v",
					rev, len(all["services"]), len(all["routes"]), all["plugins"])
			}
			if !slices.IsSorted(ids(all["services"])) {
				t.Fatalf("ReadAll not ordered by id")
			}
			return n == writes
		}
		for !check() {
		}
		wg.Wait()
		if _, _, err := s.ReadAll(t.Context(), []string{"nope"}); err == nil {
			t.Fatalf("ReadAll of an unknown entity succeeded")
		}
	})
}

func TestRevisionBumpsOncePerCommittedWrite(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		rev := mustRevision(t, s)
		insert(t, s, item{"services", service("s1", "a")}, item{"services", service("s2", "b")})
		if got := mustRevision(t, s); got != rev+1 {
			t.Fatalf("after one write of two entities: revision %d, want %d", got, rev+1)
		}
		_ = write(t, s, func(w store.Writer) error { return errors.New("abort") })
		_ = write(t, s, func(w store.Writer) error { _, err := w.Get(t.Context(), "services", "s1"); return err })
		if got := mustRevision(t, s); got != rev+1 {
			t.Fatalf("failed and read-only writes moved the revision to %d", got)
		}
	})
}
