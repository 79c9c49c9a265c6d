package sqlstore

import (
	"fmt"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// BenchmarkInsert measures one durable write transaction of one entity.
func BenchmarkInsert(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := newStore(b, be)
			insert(b, s, item{"services", service("svc", "svc")})
			i := 0
			for b.Loop() {
				id := fmt.Sprintf("r%08d", i)
				i++
				err := s.Write(b.Context(), func(w store.Writer) error {
					return w.Insert(b.Context(), "routes", route(id, id, "svc", "bench"))
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadAll measures loading 10k documents from one snapshot.
func BenchmarkReadAll(b *testing.B) {
	const n = 10000
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := newStore(b, be)
			err := s.Write(b.Context(), func(w store.Writer) error {
				if err := w.Insert(b.Context(), "services", service("svc", "svc")); err != nil {
					return err
				}
				for i := 0; i < n-1; i++ {
					id := fmt.Sprintf("r%08d", i)
					doc := route(id, id, "svc", "bench", "t"+fmt.Sprint(i%10))
					doc["hosts"] = strs("example.com", "example.org")
					doc["methods"] = strs("GET", "POST")
					doc["strip_path"] = true
					doc["regex_priority"] = float64(0)
					if err := w.Insert(b.Context(), "routes", doc); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				all, _, err := s.ReadAll(b.Context(), []string{"services", "routes"})
				if err != nil {
					b.Fatal(err)
				}
				if got := len(all["services"]) + len(all["routes"]); got != n {
					b.Fatalf("read %d docs, want %d", got, n)
				}
			}
		})
	}
}

// BenchmarkGet measures a single read by id.
func BenchmarkGet(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := newStore(b, be)
			insert(b, s, item{"services", service("svc", "svc")})
			for b.Loop() {
				if _, err := s.Get(b.Context(), "services", "svc"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
