package redis_test

import (
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/acctest/redis"
)

func TestStartServesCommandsAndStops(t *testing.T) {
	s := redis.Start(t)
	if got, err := s.Do("SET", "k", "v"); err != nil || got != "+OK" {
		t.Fatalf("SET = %q, %v", got, err)
	}
	if got, err := s.Do("GET", "k"); err != nil || got != "$1" {
		t.Fatalf("GET = %q, %v", got, err)
	}
	s.Stop()
	if _, err := s.Do("PING"); err == nil {
		t.Fatal("server still answers after Stop")
	}
}
