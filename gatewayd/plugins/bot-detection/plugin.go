// Package botdetection implements Kong's bot-detection plugin
// (kong/plugins/bot-detection): requests whose User-Agent matches a deny
// rule or Kong's built-in bot list are refused with 403, unless an allow
// rule matches first.
package botdetection

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        "bot-detection",
		Priority:    2500,
		Description: "Block requests from bots and custom clients by User-Agent.",
		NoConsumer:  true,
		Config:      configFields(),
		New:         New,
	})
}

// Decisions, as Kong's MATCH_* values: above matchAllow means refused.
const (
	matchEmpty uint8 = iota
	matchAllow
	matchDeny
	matchBot
)

// cacheSize bounds the per-config User-Agent decision cache (Kong's
// UA_CACHE_SIZE lrucache slots).
const cacheSize = 10000

var (
	botsOnce sync.Once
	bots     []*regexp.Regexp
)

func compiledBots() []*regexp.Regexp {
	botsOnce.Do(func() {
		bots = make([]*regexp.Regexp, len(botRules))
		for i, r := range botRules {
			bots[i] = regexp.MustCompile(r)
		}
	})
	return bots
}

// Detector is one compiled bot-detection configuration.
type Detector struct {
	allow, deny []*regexp.Regexp
	bots        []*regexp.Regexp
	cache       *uaCache
}

// New compiles the allow and deny rules once.
func New(env *plugin.Env) (any, error) {
	d := &Detector{bots: compiledBots(), cache: newUACache(cacheSize)}
	var err error
	if d.allow, err = compileAll(env.Config["allow"]); err != nil {
		return nil, err
	}
	if d.deny, err = compileAll(env.Config["deny"]); err != nil {
		return nil, err
	}
	return d, nil
}

func compileAll(v any) ([]*regexp.Regexp, error) {
	list, _ := v.([]any)
	out := make([]*regexp.Regexp, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("invalid regex %q: %w", s, err)
		}
		out = append(out, re)
	}
	return out, nil
}

// Access refuses denied and bot User-Agents; a request without
// User-Agent passes. (Kong answers 400 "Only one User-Agent header
// allowed" to several User-Agent headers; the HTTP engine keeps only the
// last one, so that case cannot be told apart here.)
func (d *Detector) Access(c *plugin.Context) {
	ua := c.Header("User-Agent")
	if ua == nil {
		return
	}
	match, ok := d.cache.get(ua)
	if !ok {
		match = d.examine(strings.TrimSpace(string(ua)))
		d.cache.set(string(ua), match)
	}
	if match > matchAllow {
		c.Error(403, "Forbidden")
	}
}

func (d *Detector) examine(ua string) uint8 {
	for _, re := range d.allow {
		if re.MatchString(ua) {
			return matchAllow
		}
	}
	for _, re := range d.deny {
		if re.MatchString(ua) {
			return matchDeny
		}
	}
	for _, re := range d.bots {
		if re.MatchString(ua) {
			return matchBot
		}
	}
	return matchEmpty
}

// uaCache is a bounded two-generation cache of decisions by User-Agent:
// entries of the current generation survive one rotation, so recently
// used agents stay cached (an approximate LRU) and memory stays bounded.
type uaCache struct {
	mu        sync.Mutex
	max       int
	cur, prev map[string]uint8
}

func newUACache(max int) *uaCache {
	return &uaCache{max: max, cur: map[string]uint8{}}
}

func (u *uaCache) get(ua []byte) (uint8, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if m, ok := u.cur[string(ua)]; ok {
		return m, true
	}
	if m, ok := u.prev[string(ua)]; ok {
		u.put(string(ua), m)
		return m, true
	}
	return 0, false
}

func (u *uaCache) set(ua string, m uint8) {
	u.mu.Lock()
	u.put(ua, m)
	u.mu.Unlock()
}

func (u *uaCache) put(ua string, m uint8) {
	if len(u.cur) >= u.max/2 {
		u.prev, u.cur = u.cur, make(map[string]uint8, u.max/2)
	}
	u.cur[ua] = m
}

// len reports how many agents are cached (tests).
func (u *uaCache) len() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.cur) + len(u.prev)
}
