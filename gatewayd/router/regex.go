package router

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode/utf8"
)

// pathRegex is a compiled regex route path. Matching is anchored at the
// start of the path only, and the router needs where the match ends (regex
// routes strip the whole match). The standard library only reports match
// positions through allocating calls, so matchEnd runs its own bit-state
// backtracker over the program regexp/syntax compiles — the same algorithm
// and program Go's regexp uses for small inputs, hence the same
// leftmost-first result — with scratch space on the stack.
type pathRegex struct {
	prog   *syntax.Prog
	prefix string // literal text every match starts with, used to index the route

	// The radix tree only hands a path to matchEnd when it starts with
	// prefix, so the instructions that can only consume that prefix are
	// skipped: matching starts at startPC with startPos bytes consumed.
	startPC  uint32
	startPos int

	// ascii[pc] is the set of ASCII characters instruction pc accepts,
	// sparing the generic rune-class lookup for the common case.
	ascii []asciiSet

	// std is the same expression for the standard library, compiled on
	// first use: only inputs too large to backtrack need it, and compiling
	// it for every route would double New's cost.
	std func() *regexp.Regexp
}

// asciiSet is a bitmap of the 128 ASCII characters.
type asciiSet [2]uint64

func (s *asciiSet) has(c rune) bool { return s[c>>6]&(1<<(c&63)) != 0 }

// compilePathRegex compiles the part of a "~" path after the tilde. The
// pattern must be valid on its own (so "a)(b" is rejected although it would
// compile once wrapped) and is then wrapped as ^(?:re): Kong prefixes "^",
// which leaves the later branches of a top-level alternation unanchored;
// wrapping anchors every branch, as the traditional router did.
func compilePathRegex(re string) (*pathRegex, error) {
	// Parsing is where regexp.Compile reports syntax errors, with the same
	// messages, at a fraction of the cost of a full compile.
	if _, err := syntax.Parse(re, syntax.Perl); err != nil {
		return nil, err
	}
	anchored := "^(?:" + re + ")"
	parsed, err := syntax.Parse(anchored, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prefix, _ := literalPrefix(parsed)
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, err
	}
	p := &pathRegex{
		prog:   prog,
		prefix: prefix,
		ascii:  asciiSets(prog),
		std:    sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(anchored) }),
	}
	p.startPC, p.startPos = p.skipPrefix()
	return p, nil
}

// literalPrefix returns the literal text every match of re starts with, and
// whether that text is all re can match. Case-folded literals and U+FFFD
// (which also matches invalid UTF-8 bytes) end the prefix.
func literalPrefix(re *syntax.Regexp) (string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginText:
		return "", true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return "", false
		}
		var b strings.Builder
		for _, r := range re.Rune {
			if r == utf8.RuneError {
				return b.String(), false
			}
			b.WriteRune(r)
		}
		return b.String(), true
	case syntax.OpCapture:
		return literalPrefix(re.Sub[0])
	case syntax.OpConcat:
		var b strings.Builder
		for _, sub := range re.Sub {
			p, complete := literalPrefix(sub)
			b.WriteString(p)
			if !complete {
				return b.String(), false
			}
		}
		return b.String(), true
	}
	return "", false
}

// skipPrefix follows the program from its start for as long as it has a
// single possible path that consumes characters of the literal prefix. No
// alternative is passed over, so starting a match from the returned state
// finds exactly the matches starting from the beginning would, for every
// input that starts with the prefix.
func (p *pathRegex) skipPrefix() (uint32, int) {
	pc, pos := uint32(p.prog.Start), 0
	for {
		inst := &p.prog.Inst[pc]
		switch inst.Op {
		case syntax.InstNop, syntax.InstCapture:
			pc = inst.Out
			continue
		case syntax.InstEmptyWidth:
			// At position 0 only ^ and \A are known to hold.
			if pos == 0 && syntax.EmptyOp(inst.Arg)&^(syntax.EmptyBeginText|syntax.EmptyBeginLine) == 0 {
				pc = inst.Out
				continue
			}
		case syntax.InstRune1, syntax.InstRune:
			if pos < len(p.prefix) {
				r, w := utf8.DecodeRuneInString(p.prefix[pos:])
				if p.matchRune(pc, inst, r) {
					pc, pos = inst.Out, pos+w
					continue
				}
			}
		}
		return pc, pos
	}
}

// asciiSets precomputes, for each rune-class instruction, the ASCII
// characters it accepts.
func asciiSets(prog *syntax.Prog) []asciiSet {
	sets := make([]asciiSet, len(prog.Inst))
	for pc := range prog.Inst {
		inst := &prog.Inst[pc]
		if inst.Op != syntax.InstRune {
			continue
		}
		for c := rune(0); c < utf8.RuneSelf; c++ {
			if inst.MatchRune(c) {
				sets[pc][c>>6] |= 1 << (c & 63)
			}
		}
	}
	return sets
}

const (
	// Inputs whose (instruction, position) state space fits in these words
	// are matched with scratch space on the stack: up to 8192 states, e.g.
	// a 40-instruction regex against the 200 bytes after its literal
	// prefix. Stack arrays are zeroed on every call, so the common small
	// case gets its own, smaller frame.
	smallVisitedWords = 32
	smallJobs         = 16
	stackVisitedWords = 256
	stackJobs         = 64
	// Beyond this many states, like Go's regexp, stop backtracking.
	maxBacktrackStates = 256 * 1024
)

// job is a pending backtracking alternative: resume at instruction pc with
// the input at pos.
type job struct {
	pc  uint32
	pos int32
}

// scratch is heap scratch space for inputs too large for the stack.
type scratch struct {
	visited []uint32
	jobs    []job
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// matchEnd reports whether the regex matches at the start of path and where
// the (leftmost-first) match ends. It does not allocate except for paths
// beyond maxBacktrackStates, which fall back to the standard library.
func (p *pathRegex) matchEnd(path []byte) (int, bool) {
	// Paths reach here through the radix tree and so already start with
	// the prefix; checking again keeps the prefix skipping safe for any
	// caller.
	if !hasPrefixString(path, p.prefix) {
		return 0, false
	}
	states := len(p.prog.Inst) * (len(path) - p.startPos + 1)
	if states <= smallVisitedWords*32 {
		if end, ok, overflow := p.matchEndSmall(path, states); !overflow {
			return end, ok
		}
	} else if states <= stackVisitedWords*32 {
		if end, ok, overflow := p.matchEndStack(path, states); !overflow {
			return end, ok
		}
	}
	if states <= maxBacktrackStates {
		return p.matchEndPooled(path, states)
	}
	loc := p.std().FindIndex(path)
	if loc == nil {
		return 0, false
	}
	return loc[1], true
}

// matchEndSmall and matchEndStack backtrack with scratch space on the
// stack. They are separate functions so that the common small case only
// pays for zeroing a small frame.
func (p *pathRegex) matchEndSmall(path []byte, states int) (int, bool, bool) {
	var visited [smallVisitedWords]uint32
	var jobs [smallJobs]job
	return p.backtrack(path, visited[:(states+31)/32], jobs[:])
}

func (p *pathRegex) matchEndStack(path []byte, states int) (int, bool, bool) {
	var visited [stackVisitedWords]uint32
	var jobs [stackJobs]job
	return p.backtrack(path, visited[:(states+31)/32], jobs[:])
}

// matchEndPooled backtracks with scratch space from a pool, growing the job
// stack until it suffices.
func (p *pathRegex) matchEndPooled(path []byte, states int) (int, bool) {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	words := (states + 31) / 32
	if cap(sc.visited) < words {
		sc.visited = make([]uint32, words)
	}
	if len(sc.jobs) < stackJobs {
		sc.jobs = make([]job, stackJobs)
	}
	for {
		end, ok, overflow := p.backtrack(path, sc.visited[:words], sc.jobs)
		if !overflow {
			return end, ok
		}
		sc.jobs = make([]job, 2*len(sc.jobs))
	}
}

// backtrack explores the program depth-first in priority order, so the
// first match found is the leftmost-first one. Each (pc, pos) state is
// explored at most once: a state reached again can only fail again. It
// reports overflow when more pending alternatives than len(jobs) are needed.
func (p *pathRegex) backtrack(in []byte, visited []uint32, jobs []job) (end int, matched, overflow bool) {
	clear(visited)
	base := p.startPos
	width := uint(len(in) - base + 1)
	jobs[0] = job{pc: p.startPC, pos: int32(base)}
	n := 1
	for n > 0 {
		n--
		pc, pos := jobs[n].pc, int(jobs[n].pos)
	thread:
		for {
			state := uint(pc)*width + uint(pos-base)
			if visited[state/32]&(1<<(state%32)) != 0 {
				break
			}
			visited[state/32] |= 1 << (state % 32)

			inst := &p.prog.Inst[pc]
			switch inst.Op {
			case syntax.InstMatch:
				return pos, true, false
			case syntax.InstFail:
				break thread
			case syntax.InstAlt, syntax.InstAltMatch:
				if n == len(jobs) {
					return 0, false, true
				}
				jobs[n] = job{pc: inst.Arg, pos: int32(pos)}
				n++
				pc = inst.Out
			case syntax.InstNop, syntax.InstCapture:
				pc = inst.Out
			case syntax.InstEmptyWidth:
				if syntax.EmptyOp(inst.Arg)&^emptyContext(in, pos) != 0 {
					break thread
				}
				pc = inst.Out
			default: // rune instructions consume one character
				r, w := step(in, pos)
				if w == 0 || !p.matchRune(pc, inst, r) {
					break thread
				}
				pos += w
				pc = inst.Out
			}
		}
	}
	return 0, false, false
}

func (p *pathRegex) matchRune(pc uint32, inst *syntax.Inst, r rune) bool {
	switch inst.Op {
	case syntax.InstRune1:
		return r == inst.Rune[0]
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	}
	if 0 <= r && r < utf8.RuneSelf {
		return p.ascii[pc].has(r)
	}
	return inst.MatchRune(r)
}

// step decodes the character at pos the way Go's regexp does: invalid UTF-8
// bytes read as U+FFFD of width 1; width 0 means end of input.
func step(in []byte, pos int) (rune, int) {
	if pos >= len(in) {
		return -1, 0
	}
	if c := in[pos]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRune(in[pos:])
}

// emptyContext returns the zero-width assertions (^, $, \b, ...) that hold
// at pos.
func emptyContext(in []byte, pos int) syntax.EmptyOp {
	r1, r2 := rune(-1), rune(-1)
	if pos > 0 {
		r1, _ = utf8.DecodeLastRune(in[:pos])
	}
	if pos < len(in) {
		r2, _ = utf8.DecodeRune(in[pos:])
	}
	return syntax.EmptyOpContext(r1, r2)
}
