package sqlstore

import (
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

func waitNotified(t testing.TB, ch <-chan struct{}, within time.Duration) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatalf("subscription closed instead of notifying")
		}
	case <-time.After(within):
		t.Fatalf("no notification within %v", within)
	}
}

func assertQuiet(t testing.TB, ch <-chan struct{}, during time.Duration) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("unexpected notification")
	case <-time.After(during):
	}
}

func TestSubscribersAreNotifiedAfterCommitAndNotificationsCoalesce(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		cfg.PollInterval = -1 // only the commit path may notify here
		s := openStore(t, cfg)
		ch, cancel := s.Subscribe()
		defer cancel()

		insert(t, s, item{"services", service("s1", "a")})
		waitNotified(t, ch, 5*time.Second)

		// Three commits nobody reads in between: one pending value, never a
		// blocked writer.
		insert(t, s, item{"services", service("s2", "b")})
		insert(t, s, item{"services", service("s3", "c")})
		insert(t, s, item{"services", service("s4", "d")})
		waitNotified(t, ch, 5*time.Second)
		// Our own NOTIFY echo (postgres) must not produce another one.
		assertQuiet(t, ch, 300*time.Millisecond)

		// A transaction that changed nothing or rolled back is not news.
		_ = write(t, s, func(w store.Writer) error { return w.Delete(t.Context(), "services", "nope") })
		assertQuiet(t, ch, 300*time.Millisecond)
	})
}

func TestCancelAndCloseEndSubscriptions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := newStore(t, b)
		ch1, cancel1 := s.Subscribe()
		ch2, _ := s.Subscribe()
		cancel1()
		cancel1() // idempotent
		if _, ok := <-ch1; ok {
			t.Fatalf("cancelled subscription still open")
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		select {
		case _, ok := <-ch2:
			if ok {
				t.Fatalf("subscription open after Close")
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Close did not end the subscription")
		}
		if ch, _ := s.Subscribe(); ch != nil {
			if _, ok := <-ch; ok {
				t.Fatalf("Subscribe after Close returned an open channel")
			}
		}
	})
}

func TestSecondStoreOnSameDatabaseIsNotifiedOfWrites(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		if b.name == "postgres" {
			cfg.PollInterval = -1 // prove LISTEN/NOTIFY alone delivers
		} else {
			cfg.PollInterval = 50 * time.Millisecond // SQLite has only polling
		}
		first := openStore(t, cfg)
		second := openStore(t, cfg)
		ch, cancel := second.Subscribe()
		defer cancel()
		time.Sleep(100 * time.Millisecond) // let the listener connect

		insert(t, first, item{"services", service("s1", "a")})
		waitNotified(t, ch, 5*time.Second)
		mustGet(t, second, "services", "s1")
	})
}

func TestPollingNoticesCommitsWhoseNotificationWasLost(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		cfg.PollInterval = 50 * time.Millisecond
		s := openStore(t, cfg)
		ch, cancel := s.Subscribe()
		defer cancel()
		time.Sleep(100 * time.Millisecond)

		// Another writer bumps the revision without any NOTIFY.
		db, err := Connect(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.write.ExecContext(t.Context(), "UPDATE revision SET rev = rev + 1 WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		waitNotified(t, ch, 5*time.Second)
	})
}
