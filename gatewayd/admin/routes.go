package admin

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// handlerFunc serves one method of one admin path. It returns the status and
// the JSON body to send (nil body for 204), or an apiError.
type handlerFunc func(rc *reqCtx) (int, any, *apiError)

// route is one admin path template with its methods, like Kong's
// generated endpoints ("/services/{services}/routes").
type route struct {
	template string
	segs     []string // "" marks a placeholder
	methods  map[string]handlerFunc
}

type table struct {
	routes []*route
	byTmpl map[string]*route
}

func newTable() *table { return &table{byTmpl: map[string]*route{}} }

// handle registers a method on a template; later registrations for the same
// template and method replace earlier ones (custom endpoints override
// generated CRUD, as Kong's route overrides do).
func (t *table) handle(template, method string, h handlerFunc) {
	r := t.byTmpl[template]
	if r == nil {
		r = &route{template: template, methods: map[string]handlerFunc{}}
		for _, s := range strings.Split(strings.Trim(template, "/"), "/") {
			if strings.HasPrefix(s, "{") {
				s = ""
			}
			r.segs = append(r.segs, s)
		}
		if template == "/" {
			r.segs = nil
		}
		t.byTmpl[template] = r
		t.routes = append(t.routes, r)
	}
	r.methods[method] = h
}

// remove drops a template entirely (Kong disables some generated paths).
func (t *table) remove(template string) {
	if _, ok := t.byTmpl[template]; !ok {
		return
	}
	delete(t.byTmpl, template)
	for i, r := range t.routes {
		if r.template == template {
			t.routes = append(t.routes[:i], t.routes[i+1:]...)
			return
		}
	}
}

// match finds the route for a path, preferring static segments over
// placeholders, and returns the decoded placeholder values.
func (t *table) match(escapedPath string) (*route, []string) {
	p := trimSlash(escapedPath)
	var segs []string
	if p != "/" {
		for _, s := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
			u, err := url.PathUnescape(s)
			if err != nil {
				u = s
			}
			segs = append(segs, u)
		}
	}
	var best *route
	bestScore := -1
	var bestParams []string
	for _, r := range t.routes {
		if len(r.segs) != len(segs) {
			continue
		}
		score := 0
		var params []string
		ok := true
		for i, s := range r.segs {
			switch {
			case s == "":
				if segs[i] == "" {
					ok = false
				}
				params = append(params, segs[i])
			case s == segs[i]:
				score++
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok && score > bestScore {
			best, bestScore, bestParams = r, score, params
		}
	}
	return best, bestParams
}

// allowed lists the methods of a route for OPTIONS/405, with HEAD and
// OPTIONS added as Kong does.
func (r *route) allowed() []string {
	set := map[string]bool{http.MethodOptions: true}
	for m := range r.methods {
		set[m] = true
		if m == http.MethodGet {
			set[http.MethodHead] = true
		}
	}
	out := make([]string, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// templates lists every path template, sorted, for GET /endpoints.
func (t *table) templates() []string {
	out := make([]string, 0, len(t.routes))
	for _, r := range t.routes {
		out = append(out, r.template)
	}
	sort.Strings(out)
	return out
}
