package botdetection

import (
	"strconv"
	"testing"
)

func TestBuiltInRulesCompile(t *testing.T) {
	if got := len(compiledBots()); got != len(botRules) || got != 12 {
		t.Fatalf("%d bot rules compiled", got)
	}
}

func TestUACacheIsBounded(t *testing.T) {
	c := newUACache(100)
	for i := 0; i < 10000; i++ {
		c.set("agent-"+strconv.Itoa(i), matchBot)
	}
	if n := c.len(); n > 100 {
		t.Fatalf("cache holds %d agents, bound is 100", n)
	}
	// Recent agents are still cached.
	if m, ok := c.get([]byte("agent-9999")); !ok || m != matchBot {
		t.Fatalf("most recent agent evicted")
	}
	if _, ok := c.get([]byte("agent-0")); ok {
		t.Fatalf("oldest agent still cached")
	}
}

func TestUACacheKeepsRecentlyUsedAgents(t *testing.T) {
	c := newUACache(10)
	c.set("hot", matchDeny)
	for i := 0; i < 20; i++ {
		if _, ok := c.get([]byte("hot")); !ok {
			t.Fatalf("hot agent evicted after %d inserts", i)
		}
		c.set("cold-"+strconv.Itoa(i), matchEmpty)
	}
}
