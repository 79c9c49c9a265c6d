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
	std    *regexp.Regexp // same expression, for inputs too large to backtrack
	prog   *syntax.Prog
	prefix string // literal text every match starts with, used to index the route
}

// compilePathRegex compiles the part of a "~" path after the tilde. The
// pattern must be valid on its own (so "a)(b" is rejected although it would
// compile once wrapped) and is then wrapped as ^(?:re): Kong prefixes "^",
// which leaves the later branches of a top-level alternation unanchored;
// wrapping anchors every branch, as the traditional router did.
func compilePathRegex(re string) (*pathRegex, error) {
	if _, err := regexp.Compile(re); err != nil {
		return nil, err
	}
	anchored := "^(?:" + re + ")"
	std, err := regexp.Compile(anchored)
	if err != nil {
		return nil, err
	}
	parsed, err := syntax.Parse(anchored, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prefix, _ := literalPrefix(parsed)
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, err
	}
	return &pathRegex{std: std, prog: prog, prefix: prefix}, nil
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

const (
	// Inputs whose (instruction, position) state space fits these words
	// are matched with scratch space on the stack: 16384 states, e.g. a
	// 40-instruction regex against a 400-byte path.
	stackVisitedWords = 512
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
	states := len(p.prog.Inst) * (len(path) + 1)
	if states <= stackVisitedWords*32 {
		var visited [stackVisitedWords]uint32
		var jobs [stackJobs]job
		end, ok, overflow := p.backtrack(path, visited[:(states+31)/32], jobs[:])
		if !overflow {
			return end, ok
		}
	}
	if states <= maxBacktrackStates {
		sc := scratchPool.Get().(*scratch)
		defer scratchPool.Put(sc)
		words := (states + 31) / 32
		if cap(sc.visited) < words {
			sc.visited = make([]uint32, words)
		}
		for {
			if len(sc.jobs) < stackJobs {
				sc.jobs = make([]job, stackJobs)
			}
			end, ok, overflow := p.backtrack(path, sc.visited[:words], sc.jobs)
			if !overflow {
				return end, ok
			}
			sc.jobs = make([]job, 2*len(sc.jobs))
		}
	}
	loc := p.std.FindIndex(path)
	if loc == nil {
		return 0, false
	}
	return loc[1], true
}

// backtrack explores the program depth-first in priority order, so the
// first match found is the leftmost-first one. Each (pc, pos) state is
// explored at most once: a state reached again can only fail again. It
// reports overflow when more pending alternatives than len(jobs) are needed.
func (p *pathRegex) backtrack(in []byte, visited []uint32, jobs []job) (end int, matched, overflow bool) {
	clear(visited)
	width := len(in) + 1
	jobs[0] = job{pc: uint32(p.prog.Start)}
	n := 1
	for n > 0 {
		n--
		pc, pos := jobs[n].pc, int(jobs[n].pos)
	thread:
		for {
			state := int(pc)*width + pos
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
				if w == 0 || !matchRune(inst, r) {
					break thread
				}
				pos += w
				pc = inst.Out
			}
		}
	}
	return 0, false, false
}

func matchRune(inst *syntax.Inst, r rune) bool {
	switch inst.Op {
	case syntax.InstRune1:
		return r == inst.Rune[0]
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
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
