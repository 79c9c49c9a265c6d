package requesttransformer

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

// Templates are Kong's pl.template values: literal text with $(expr)
// placeholders whose expression is Lua evaluated in a read-only sandbox
// exposing headers, query_params, uri_captures and shared. gatewayd parses
// a Lua expression subset once per config: literals, names, field and
// index access, method and function calls, and the or/and/not,
// comparison, concatenation and arithmetic operators. Evaluation errors
// (indexing nil, concatenating nil, calling an unknown function) fail the
// request with 500, as Kong does.

// template is one compiled value.
type template struct {
	src    string
	static bool // no placeholders: src is the value
	parts  []tpart
	// err is set when the template does not compile; rendering fails
	// with it (Kong asserts at render time for fields it does not
	// validate, such as header values and replace.uri).
	err error
}

type tpart struct {
	lit  string
	expr expr // nil for literal text
}

// compileTemplate splits src on $(...) placeholders with balanced
// parentheses (Lua's %b()); a "$(" without its ")" is literal text.
func compileTemplate(src string) *template {
	t := &template{src: src}
	lit := 0
	for i := 0; i+1 < len(src); i++ {
		if src[i] != '$' || src[i+1] != '(' {
			continue
		}
		end := balanced(src, i+1)
		if end < 0 {
			continue
		}
		if lit < i {
			t.parts = append(t.parts, tpart{lit: src[lit:i]})
		}
		e, err := parseExpr(src[i+2 : end])
		if err != nil && t.err == nil {
			t.err = err
		}
		t.parts = append(t.parts, tpart{expr: e})
		lit = end + 1
		i = end
	}
	if len(t.parts) == 0 {
		t.static = true
		return t
	}
	if lit < len(src) {
		t.parts = append(t.parts, tpart{lit: src[lit:]})
	}
	return t
}

// balanced returns the index of the ")" closing the "(" at open, or -1.
func balanced(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// render evaluates the template; each placeholder renders as Lua's
// tostring(expr or ”).
func (t *template) render(env *tenv) (string, error) {
	if t.err != nil {
		return "", t.err
	}
	if t.static {
		return t.src, nil
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.expr == nil {
			b.WriteString(p.lit)
			continue
		}
		v, err := p.expr.eval(env)
		if err != nil {
			return "", err
		}
		if v.truthy() {
			b.WriteString(v.String())
		}
	}
	return b.String(), nil
}

// ---- values ----------------------------------------------------------------

type kind uint8

const (
	kNil kind = iota
	kBool
	kNum
	kStr
	kTable
	kFunc
)

var kindNames = [...]string{"nil", "boolean", "number", "string", "table", "function"}

// value is a Lua value.
type value struct {
	k  kind
	b  bool
	n  float64
	s  string
	t  table
	fn func(env *tenv, args []value) (value, error)
}

var nilValue = value{}

func str(s string) value     { return value{k: kStr, s: s} }
func num(n float64) value    { return value{k: kNum, n: n} }
func boolean(b bool) value   { return value{k: kBool, b: b} }
func tbl(t table) value      { return value{k: kTable, t: t} }
func (v value) truthy() bool { return v.k != kNil && !(v.k == kBool && !v.b) }

// String is Lua's tostring; a table of header or query values renders its
// values joined with ", " (Lua would print its address).
func (v value) String() string {
	switch v.k {
	case kBool:
		return strconv.FormatBool(v.b)
	case kNum:
		return formatNumber(v.n)
	case kStr:
		return v.s
	case kTable:
		if l, ok := v.t.(listTable); ok {
			return strings.Join(l, ", ")
		}
		return "table"
	case kFunc:
		return "function: builtin"
	}
	return "nil"
}

// formatNumber prints like Lua's %.14g.
func formatNumber(n float64) string {
	if n == math.Trunc(n) && math.Abs(n) < 1e15 {
		return strconv.FormatInt(int64(n), 10)
	}
	return strconv.FormatFloat(n, 'g', 14, 64)
}

// table is a Lua table the sandbox can read.
type table interface {
	index(env *tenv, key value) value
}

// tenv is the sandbox of one request.
type tenv struct {
	c *plugin.Context
}

// headersTable is kong.request.get_headers(): case-insensitive, "_" in a
// missing name also tried as "-", repeated headers as a list.
type headersTable struct{}

func (headersTable) index(env *tenv, key value) value {
	if key.k != kStr {
		return nilValue
	}
	if v := headerValue(env.c, key.s); v.k != kNil {
		return v
	}
	if strings.Contains(key.s, "_") {
		return headerValue(env.c, strings.ReplaceAll(key.s, "_", "-"))
	}
	return nilValue
}

func headerValue(c *plugin.Context, name string) value {
	first := c.Header(name)
	if first == nil {
		return nilValue
	}
	all := c.HeaderValues(name)
	if len(all) <= 1 {
		return str(string(first))
	}
	l := make(listTable, len(all))
	for i, v := range all {
		l[i] = string(v)
	}
	return tbl(l)
}

// queryTable is kong.request.get_query(): repeated arguments as a list.
type queryTable struct{}

func (queryTable) index(env *tenv, key value) value {
	if key.k != kStr || !env.c.HasQuery(key.s) {
		return nilValue
	}
	all := env.c.QueryValues(key.s)
	if len(all) <= 1 {
		return str(string(env.c.Query(key.s)))
	}
	l := make(listTable, len(all))
	for i, v := range all {
		l[i] = string(v)
	}
	return tbl(l)
}

// sharedTable is kong.ctx.shared.
type sharedTable struct{}

func (sharedTable) index(env *tenv, key value) value {
	if key.k != kStr {
		return nilValue
	}
	return fromGo(env.c.Get(key.s))
}

// emptyTable stands for uri_captures, which gatewayd routes do not expose
// to plugins: every capture is nil.
type emptyTable struct{}

func (emptyTable) index(*tenv, value) value { return nilValue }

// listTable is a Lua sequence of strings (1-based).
type listTable []string

func (l listTable) index(_ *tenv, key value) value {
	if key.k != kNum || key.n != math.Trunc(key.n) || key.n < 1 || int(key.n) > len(l) {
		return nilValue
	}
	return str(l[int(key.n)-1])
}

// goTable exposes a Go map or slice stored in kong.ctx.shared.
type goTable struct{ v any }

func (g goTable) index(_ *tenv, key value) value {
	switch t := g.v.(type) {
	case map[string]any:
		if key.k == kStr {
			return fromGo(t[key.s])
		}
	case []any:
		if key.k == kNum && key.n == math.Trunc(key.n) && key.n >= 1 && int(key.n) <= len(t) {
			return fromGo(t[int(key.n)-1])
		}
	case []string:
		return listTable(t).index(nil, key)
	}
	return nilValue
}

func fromGo(v any) value {
	switch t := v.(type) {
	case nil:
		return nilValue
	case string:
		return str(t)
	case []byte:
		return str(string(t))
	case bool:
		return boolean(t)
	case float64:
		return num(t)
	case float32:
		return num(float64(t))
	case int:
		return num(float64(t))
	case int64:
		return num(float64(t))
	case uint64:
		return num(float64(t))
	case map[string]any, []any, []string:
		return tbl(goTable{t})
	case fmt.Stringer:
		return str(t.String())
	}
	return str(fmt.Sprint(v))
}

// stringLib is the part of Lua's string library the sandbox offers; it
// also serves method calls on strings (s:lower()).
type stringLib struct{}

func (stringLib) index(_ *tenv, key value) value {
	if key.k != kStr {
		return nilValue
	}
	switch key.s {
	case "lower":
		return value{k: kFunc, fn: strFunc("lower", strings.ToLower)}
	case "upper":
		return value{k: kFunc, fn: strFunc("upper", strings.ToUpper)}
	case "len":
		return value{k: kFunc, fn: func(_ *tenv, args []value) (value, error) {
			s, err := strArg("len", args)
			return num(float64(len(s))), err
		}}
	}
	return nilValue
}

func strFunc(name string, f func(string) string) func(*tenv, []value) (value, error) {
	return func(_ *tenv, args []value) (value, error) {
		s, err := strArg(name, args)
		return str(f(s)), err
	}
}

func strArg(name string, args []value) (string, error) {
	if len(args) == 0 || args[0].k != kStr && args[0].k != kNum {
		got := "no value"
		if len(args) > 0 {
			got = kindNames[args[0].k]
		}
		return "", fmt.Errorf("bad argument #1 to '%s' (string expected, got %s)", name, got)
	}
	return args[0].String(), nil
}

var builtins = map[string]value{
	"type": {k: kFunc, fn: func(_ *tenv, args []value) (value, error) {
		if len(args) == 0 {
			return nilValue, errors.New("bad argument #1 to 'type' (value expected)")
		}
		return str(kindNames[args[0].k]), nil
	}},
	"tostring": {k: kFunc, fn: func(_ *tenv, args []value) (value, error) {
		if len(args) == 0 {
			return nilValue, errors.New("bad argument #1 to 'tostring' (value expected)")
		}
		return str(args[0].String()), nil
	}},
	"tonumber": {k: kFunc, fn: func(_ *tenv, args []value) (value, error) {
		if len(args) == 0 {
			return nilValue, errors.New("bad argument #1 to 'tonumber' (value expected)")
		}
		if n, ok := toNumber(args[0]); ok {
			return num(n), nil
		}
		return nilValue, nil
	}},
	"string": tbl(stringLib{}),
}

// global resolves a name in the sandbox.
func global(name string) value {
	switch name {
	case "headers":
		return tbl(headersTable{})
	case "query_params":
		return tbl(queryTable{})
	case "uri_captures":
		return tbl(emptyTable{})
	case "shared":
		return tbl(sharedTable{})
	}
	return builtins[name]
}

func toNumber(v value) (float64, bool) {
	switch v.k {
	case kNum:
		return v.n, true
	case kStr:
		s := strings.TrimSpace(v.s)
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return n, true
		}
		if n, err := strconv.ParseInt(s, 0, 64); err == nil {
			return float64(n), true
		}
	}
	return 0, false
}

// ---- expressions -----------------------------------------------------------

type expr interface {
	eval(env *tenv) (value, error)
}

type (
	litExpr   struct{ v value }
	nameExpr  struct{ name string }
	indexExpr struct{ obj, key expr }
	callExpr  struct {
		fn   expr
		args []expr
		// self is set for method calls (obj:name(args)).
		self expr
		name string
	}
	notExpr struct{ x expr }
	negExpr struct{ x expr }
	lenExpr struct{ x expr }
	binExpr struct {
		op   string
		l, r expr
	}
)

func (e litExpr) eval(*tenv) (value, error)  { return e.v, nil }
func (e nameExpr) eval(*tenv) (value, error) { return global(e.name), nil }

func (e indexExpr) eval(env *tenv) (value, error) {
	obj, err := e.obj.eval(env)
	if err != nil {
		return nilValue, err
	}
	key, err := e.key.eval(env)
	if err != nil {
		return nilValue, err
	}
	return index(env, obj, key)
}

func index(env *tenv, obj, key value) (value, error) {
	switch obj.k {
	case kTable:
		return obj.t.index(env, key), nil
	case kStr:
		return stringLib{}.index(env, key), nil
	}
	return nilValue, fmt.Errorf("attempt to index a %s value", kindNames[obj.k])
}

func (e callExpr) eval(env *tenv) (value, error) {
	var fn value
	var args []value
	if e.self != nil {
		obj, err := e.self.eval(env)
		if err != nil {
			return nilValue, err
		}
		if fn, err = index(env, obj, str(e.name)); err != nil {
			return nilValue, err
		}
		args = append(args, obj)
	} else {
		var err error
		if fn, err = e.fn.eval(env); err != nil {
			return nilValue, err
		}
	}
	for _, a := range e.args {
		v, err := a.eval(env)
		if err != nil {
			return nilValue, err
		}
		args = append(args, v)
	}
	if fn.k != kFunc {
		return nilValue, fmt.Errorf("attempt to call a %s value", kindNames[fn.k])
	}
	return fn.fn(env, args)
}

func (e notExpr) eval(env *tenv) (value, error) {
	v, err := e.x.eval(env)
	return boolean(!v.truthy()), err
}

func (e negExpr) eval(env *tenv) (value, error) {
	v, err := e.x.eval(env)
	if err != nil {
		return nilValue, err
	}
	n, ok := toNumber(v)
	if !ok {
		return nilValue, fmt.Errorf("attempt to perform arithmetic on a %s value", kindNames[v.k])
	}
	return num(-n), nil
}

func (e lenExpr) eval(env *tenv) (value, error) {
	v, err := e.x.eval(env)
	if err != nil {
		return nilValue, err
	}
	switch v.k {
	case kStr:
		return num(float64(len(v.s))), nil
	case kTable:
		if l, ok := v.t.(listTable); ok {
			return num(float64(len(l))), nil
		}
		return num(0), nil
	}
	return nilValue, fmt.Errorf("attempt to get length of a %s value", kindNames[v.k])
}

func (e binExpr) eval(env *tenv) (value, error) {
	l, err := e.l.eval(env)
	if err != nil {
		return nilValue, err
	}
	switch e.op {
	case "or":
		if l.truthy() {
			return l, nil
		}
		return e.r.eval(env)
	case "and":
		if !l.truthy() {
			return l, nil
		}
		return e.r.eval(env)
	}
	r, err := e.r.eval(env)
	if err != nil {
		return nilValue, err
	}
	switch e.op {
	case "==":
		return boolean(equal(l, r)), nil
	case "~=":
		return boolean(!equal(l, r)), nil
	case "..":
		for _, v := range []value{l, r} {
			if v.k != kStr && v.k != kNum {
				return nilValue, fmt.Errorf("attempt to concatenate a %s value", kindNames[v.k])
			}
		}
		return str(l.String() + r.String()), nil
	case "<", "<=", ">", ">=":
		return compare(e.op, l, r)
	}
	a, ok1 := toNumber(l)
	b, ok2 := toNumber(r)
	if !ok1 || !ok2 {
		bad := l
		if ok1 {
			bad = r
		}
		return nilValue, fmt.Errorf("attempt to perform arithmetic on a %s value", kindNames[bad.k])
	}
	switch e.op {
	case "+":
		return num(a + b), nil
	case "-":
		return num(a - b), nil
	case "*":
		return num(a * b), nil
	case "/":
		return num(a / b), nil
	case "%":
		return num(a - math.Floor(a/b)*b), nil
	case "^":
		return num(math.Pow(a, b)), nil
	}
	return nilValue, fmt.Errorf("unsupported operator %s", e.op)
}

func equal(a, b value) bool {
	if a.k != b.k {
		return false
	}
	switch a.k {
	case kNil:
		return true
	case kBool:
		return a.b == b.b
	case kNum:
		return a.n == b.n
	case kStr:
		return a.s == b.s
	}
	return false
}

func compare(op string, l, r value) (value, error) {
	var c int
	switch {
	case l.k == kNum && r.k == kNum:
		switch {
		case l.n < r.n:
			c = -1
		case l.n > r.n:
			c = 1
		}
	case l.k == kStr && r.k == kStr:
		c = strings.Compare(l.s, r.s)
	default:
		return nilValue, fmt.Errorf("attempt to compare %s with %s", kindNames[l.k], kindNames[r.k])
	}
	switch op {
	case "<":
		return boolean(c < 0), nil
	case "<=":
		return boolean(c <= 0), nil
	case ">":
		return boolean(c > 0), nil
	}
	return boolean(c >= 0), nil
}

// ---- parser ------------------------------------------------------------------

type tokKind uint8

const (
	tEOF tokKind = iota
	tName
	tString
	tNumber
	tSymbol
)

type token struct {
	k   tokKind
	s   string // name, symbol, decoded string
	n   float64
	raw string // as written, for messages
}

// syntaxError mimics the messages of Lua's loader on the code pl.template
// generates.
func syntaxError(format string, args ...any) error {
	return fmt.Errorf(`[string "TMP"]:1: `+format, args...)
}

type lexer struct {
	src string
	pos int
}

var luaKeywords = map[string]bool{
	"and": true, "break": true, "do": true, "else": true, "elseif": true, "end": true, "false": true,
	"for": true, "function": true, "if": true, "in": true, "local": true, "nil": true, "not": true,
	"or": true, "repeat": true, "return": true, "then": true, "true": true, "until": true, "while": true,
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && strings.IndexByte(" \t\r\n\f\v", l.src[l.pos]) >= 0 {
		l.pos++
	}
	if l.pos >= len(l.src) {
		return token{k: tEOF, raw: "<eof>"}, nil
	}
	start := l.pos
	c := l.src[l.pos]
	switch {
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		for l.pos < len(l.src) && (isAlnum(l.src[l.pos]) || l.src[l.pos] == '_') {
			l.pos++
		}
		s := l.src[start:l.pos]
		if luaKeywords[s] {
			return token{k: tSymbol, s: s, raw: s}, nil
		}
		return token{k: tName, s: s, raw: s}, nil
	case c >= '0' && c <= '9' || c == '.' && l.pos+1 < len(l.src) && l.src[l.pos+1] >= '0' && l.src[l.pos+1] <= '9':
		for l.pos < len(l.src) && (isAlnum(l.src[l.pos]) || l.src[l.pos] == '.' ||
			(l.src[l.pos] == '+' || l.src[l.pos] == '-') && (l.src[l.pos-1] == 'e' || l.src[l.pos-1] == 'E')) {
			l.pos++
		}
		raw := l.src[start:l.pos]
		n, ok := toNumber(str(raw))
		if !ok {
			return token{}, syntaxError("malformed number near '%s'", raw)
		}
		return token{k: tNumber, n: n, raw: raw}, nil
	case c == '"' || c == '\'':
		return l.quoted(c)
	case c == '[' && l.pos+1 < len(l.src) && (l.src[l.pos+1] == '[' || l.src[l.pos+1] == '='):
		return token{}, syntaxError("long strings are not supported near '%s'", l.src[start:])
	}
	for _, sym := range []string{"...", "..", "==", "~=", "<=", ">="} {
		if strings.HasPrefix(l.src[l.pos:], sym) {
			l.pos += len(sym)
			return token{k: tSymbol, s: sym, raw: sym}, nil
		}
	}
	l.pos++
	s := string(c)
	if strings.IndexByte(".()[]{}:,;+-*/%^#<>=", c) < 0 {
		return token{}, syntaxError("unexpected symbol near '%s'", s)
	}
	return token{k: tSymbol, s: s, raw: s}, nil
}

func (l *lexer) quoted(q byte) (token, error) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == q:
			l.pos++
			return token{k: tString, s: b.String(), raw: l.src[start:l.pos]}, nil
		case c == '\n':
			return token{}, syntaxError("unfinished string near '%s'", l.src[start:l.pos])
		case c == '\\' && l.pos+1 < len(l.src):
			l.pos++
			e := l.src[l.pos]
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'v':
				b.WriteByte('\v')
			case '\\', '"', '\'', '\n':
				b.WriteByte(e)
			default:
				if e >= '0' && e <= '9' {
					n := 0
					for k := 0; k < 3 && l.pos < len(l.src) && l.src[l.pos] >= '0' && l.src[l.pos] <= '9'; k++ {
						n = n*10 + int(l.src[l.pos]-'0')
						l.pos++
					}
					if n > 255 {
						return token{}, syntaxError("escape sequence too large near '%s'", l.src[start:l.pos])
					}
					b.WriteByte(byte(n))
					continue
				}
				return token{}, syntaxError("invalid escape sequence near '%s'", l.src[start:l.pos+1])
			}
			l.pos++
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return token{}, syntaxError("unfinished string near '%s'", l.src[start:])
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

type parser struct {
	lex lexer
	tok token
}

// parseExpr parses one placeholder's Lua expression.
func parseExpr(src string) (expr, error) {
	p := &parser{lex: lexer{src: src}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.k == tEOF {
		return nil, syntaxError("unexpected symbol near ')'")
	}
	e, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.tok.k != tEOF {
		return nil, syntaxError("')' expected near '%s'", p.tok.raw)
	}
	return e, nil
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	p.tok = t
	return err
}

func (p *parser) isSym(s string) bool { return p.tok.k == tSymbol && p.tok.s == s }

func (p *parser) expect(s string) error {
	if !p.isSym(s) {
		return syntaxError("'%s' expected near '%s'", s, p.tok.raw)
	}
	return p.advance()
}

// Binary operator priorities (left, right) from Lua 5.1's lparser.c.
var binPriority = map[string][2]int{
	"or": {1, 1}, "and": {2, 2},
	"<": {3, 3}, ">": {3, 3}, "<=": {3, 3}, ">=": {3, 3}, "~=": {3, 3}, "==": {3, 3},
	"..": {5, 4}, "+": {6, 6}, "-": {6, 6}, "*": {7, 7}, "/": {7, 7}, "%": {7, 7}, "^": {10, 9},
}

const unaryPriority = 8

// expr parses a subexpression whose binary operators bind tighter than
// limit (Lua's subexpr).
func (p *parser) expr(limit int) (expr, error) {
	var left expr
	var err error
	if p.tok.k == tSymbol && (p.tok.s == "not" || p.tok.s == "-" || p.tok.s == "#") {
		op := p.tok.s
		if err = p.advance(); err != nil {
			return nil, err
		}
		x, err := p.expr(unaryPriority)
		if err != nil {
			return nil, err
		}
		switch op {
		case "not":
			left = notExpr{x}
		case "-":
			left = negExpr{x}
		default:
			left = lenExpr{x}
		}
	} else if left, err = p.simple(); err != nil {
		return nil, err
	}
	for p.tok.k == tSymbol {
		prio, ok := binPriority[p.tok.s]
		if !ok || prio[0] <= limit {
			break
		}
		op := p.tok.s
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.expr(prio[1])
		if err != nil {
			return nil, err
		}
		left = binExpr{op: op, l: left, r: right}
	}
	return left, nil
}

func (p *parser) simple() (expr, error) {
	t := p.tok
	switch {
	case t.k == tNumber:
		return litExpr{num(t.n)}, p.advance()
	case t.k == tString:
		return litExpr{str(t.s)}, p.advance()
	case t.k == tSymbol && t.s == "nil":
		return litExpr{nilValue}, p.advance()
	case t.k == tSymbol && t.s == "true":
		return litExpr{boolean(true)}, p.advance()
	case t.k == tSymbol && t.s == "false":
		return litExpr{boolean(false)}, p.advance()
	}
	return p.suffixed()
}

func (p *parser) suffixed() (expr, error) {
	var e expr
	switch {
	case p.tok.k == tName:
		e = nameExpr{p.tok.s}
		if err := p.advance(); err != nil {
			return nil, err
		}
	case p.isSym("("):
		if err := p.advance(); err != nil {
			return nil, err
		}
		inner, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		e = inner
	default:
		return nil, syntaxError("unexpected symbol near '%s'", p.tok.raw)
	}
	for {
		switch {
		case p.isSym("."):
			if err := p.advance(); err != nil {
				return nil, err
			}
			if p.tok.k != tName {
				return nil, syntaxError("<name> expected near '%s'", p.tok.raw)
			}
			e = indexExpr{obj: e, key: litExpr{str(p.tok.s)}}
			if err := p.advance(); err != nil {
				return nil, err
			}
		case p.isSym("["):
			if err := p.advance(); err != nil {
				return nil, err
			}
			k, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			e = indexExpr{obj: e, key: k}
		case p.isSym(":"):
			if err := p.advance(); err != nil {
				return nil, err
			}
			if p.tok.k != tName {
				return nil, syntaxError("<name> expected near '%s'", p.tok.raw)
			}
			name := p.tok.s
			if err := p.advance(); err != nil {
				return nil, err
			}
			args, err := p.args()
			if err != nil {
				return nil, err
			}
			e = callExpr{self: e, name: name, args: args}
		case p.isSym("("):
			args, err := p.args()
			if err != nil {
				return nil, err
			}
			e = callExpr{fn: e, args: args}
		default:
			return e, nil
		}
	}
}

func (p *parser) args() ([]expr, error) {
	if !p.isSym("(") {
		return nil, syntaxError("function arguments expected near '%s'", p.tok.raw)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var args []expr
	if p.isSym(")") {
		return nil, p.advance()
	}
	for {
		a, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		if !p.isSym(",") {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	return args, p.expect(")")
}
