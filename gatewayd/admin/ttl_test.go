package admin_test

import (
	"context"
	"testing"
	"time"
)

func TestTTLCredentialsExpireAndShowRemainingTime(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.json("POST", "/consumers", `{"username":"alice"}`).status(201)
		created := a.json("POST", "/consumers/alice/test-cred", `{"key":"k1","ttl":10}`).status(201).obj()
		if created["ttl"] != 10.0 {
			t.Fatalf("ttl on create = %v, want 10", created["ttl"])
		}
		if _, leaked := created["_expires_at"]; leaked {
			t.Fatal("internal expiry leaked into the response")
		}
		a.clock.advance(4 * time.Second)
		if got := a.get("/test-creds/k1").status(200).obj()["ttl"]; got != 6.0 {
			t.Fatalf("ttl after 4s = %v, want 6", got)
		}
		// PATCH without ttl keeps the expiry.
		a.json("PATCH", "/test-creds/k1", `{"tags":["x"]}`).status(200)
		if got := a.get("/test-creds/k1").status(200).obj()["ttl"]; got != 6.0 {
			t.Fatalf("ttl after PATCH = %v, want 6", got)
		}
		a.clock.advance(6 * time.Second)
		a.get("/test-creds/k1").message(404, "Not found")
		if data := a.get("/consumers/alice/test-cred").status(200).obj()["data"].([]any); len(data) != 0 {
			t.Fatalf("expired credential listed: %v", data)
		}
		// Purging frees the unique key for reuse.
		a.json("POST", "/consumers/alice/test-cred", `{"key":"k1"}`).status(409)
		if n, err := a.server.PurgeExpired(context.Background()); err != nil || n != 1 {
			t.Fatalf("purge = %d, %v", n, err)
		}
		got := a.json("POST", "/consumers/alice/test-cred", `{"key":"k1"}`).status(201).obj()
		if _, has := got["ttl"]; has {
			t.Fatalf("credential without ttl shows ttl: %v", got)
		}
	})
}

func TestTTLOptionRejectsInvalidValues(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.json("POST", "/consumers", `{"username":"bob"}`).status(201)
		a.json("POST", "/consumers/bob/test-cred", `{"key":"k","ttl":-1}`).expect(400,
			`{"code":11,"name":"invalid options","message":"invalid option (ttl: must be an integer between 0 and 100000000)","fields":{"ttl":"must be an integer between 0 and 100000000"}}`)
		a.form("POST", "/consumers/bob/test-cred", "key=k2&ttl=30").status(201)
		a.json("POST", "/services", `{"name":"s","host":"example.com","ttl":5}`).status(400)
	})
}
