package claims

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// This file finds the function calls of a JMESPath expression by reading
// its text, so that [CompilePath] can check them before any evaluation. The
// engine's exported API cannot do that: jmespath.Compile accepts unknown
// functions and wrong argument counts, and Search reports them only for the
// calls an evaluation reaches.
//
// The scan follows the token rules of go-jmespath v0.4.0's lexer and the
// few parser rules that decide what is a call and how many arguments it
// has. It runs only on text the engine then compiles: for such text it
// finds every call; for text the engine refuses, its result does not matter.

// call is one function call of an expression.
type call struct {
	name string // "" when the callee is not a plain identifier
	args int
}

// arity is the number of arguments each function of go-jmespath v0.4.0
// accepts; max < 0 means variadic. TestCompilePath_functionTable checks it
// against the engine.
var arity = map[string]struct{ min, max int }{
	"abs": {1, 1}, "avg": {1, 1}, "ceil": {1, 1}, "contains": {2, 2},
	"ends_with": {2, 2}, "floor": {1, 1}, "join": {2, 2}, "keys": {1, 1},
	"length": {1, 1}, "map": {2, 2}, "max": {1, 1}, "max_by": {2, 2},
	"merge": {1, -1}, "min": {1, 1}, "min_by": {2, 2}, "not_null": {1, -1},
	"reverse": {1, 1}, "sort": {1, 1}, "sort_by": {2, 2}, "starts_with": {2, 2},
	"sum": {1, 1}, "to_array": {1, 1}, "to_number": {1, 1}, "to_string": {1, 1},
	"type": {1, 1}, "values": {1, 1},
}

// check reports an unknown function or a wrong number of arguments.
func (c call) check() error {
	if c.name == "" {
		return fmt.Errorf("a function must be named by an identifier, as in length(x)")
	}
	a, ok := arity[c.name]
	switch {
	case !ok:
		return fmt.Errorf("unknown function %s() (not provided by github.com/jmespath/go-jmespath)", c.name)
	case a.min == a.max && c.args != a.min:
		return fmt.Errorf("function %s() takes %d argument(s), got %d", c.name, a.min, c.args)
	case c.args < a.min:
		return fmt.Errorf("function %s() needs at least %d argument(s), got %d", c.name, a.min, c.args)
	}
	return nil
}

// token is one lexical token, reduced to what the scan needs.
type token struct {
	kind       byte // '(' '[' '{' ')' ']' '}' ',' 'i' (identifier), or 'x' (anything else)
	start, end int  // byte offsets in the expression
	// ends: an operand may end here (identifier, literal, '@', '*' or a
	// closing bracket). starts: the token begins a new operand and binds
	// nothing to its left (identifier, literal, '@', '&'). In the engine's
	// parser, a starts-token right after an ends-token begins the next
	// function argument even without a comma, and '(' right after an
	// ends-token is a call.
	ends, starts bool
}

// frame is an open bracket of any kind; call >= 0 for a call's parentheses.
type frame struct {
	call        int  // index into calls, or -1
	expectStart bool // the next token begins an argument (after '(' or ',')
	lastEnd     int  // end of the last token at this depth
	firstStart  int  // start of the first argument
	firstEnd    int  // end of the first argument, once a second one begins
}

// scanCalls returns every function call in expr, in order of their
// opening parentheses, and the [start, end) byte spans of the first
// argument of each two-argument sort_by call.
func scanCalls(expr string) (calls []call, sortSpans [][2]int) {
	stack := []frame{{call: -1}}
	var prev token
	for t := range tokens(expr) {
		top := &stack[len(stack)-1]
		switch t.kind {
		case ')', ']', '}':
			if len(stack) == 1 {
				break // unbalanced: the engine refuses the expression
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if f.call >= 0 && calls[f.call].name == "sort_by" && calls[f.call].args == 2 {
				sortSpans = append(sortSpans, [2]int{f.firstStart, f.firstEnd})
			}
			stack[len(stack)-1].lastEnd = t.end
			prev = t
			continue
		case ',':
			if top.call >= 0 {
				top.expectStart = true
			}
			prev = t
			continue
		}
		if top.call >= 0 {
			c := &calls[top.call]
			switch {
			case top.expectStart:
				top.expectStart = false
				c.args++
			case t.starts && prev.ends:
				c.args++
			}
			switch c.args {
			case 1:
				if top.firstStart == 0 {
					top.firstStart = t.start
				}
			case 2:
				if top.firstEnd == 0 {
					top.firstEnd = top.lastEnd
				}
			}
		}
		switch t.kind {
		case '(':
			f := frame{call: -1}
			if prev.ends {
				name := ""
				if prev.kind == 'i' {
					name = expr[prev.start:prev.end]
				}
				calls = append(calls, call{name: name})
				f = frame{call: len(calls) - 1, expectStart: true}
			}
			stack = append(stack, f)
		case '[', '{':
			stack = append(stack, frame{call: -1})
		default:
			top.lastEnd = t.end
		}
		prev = t
	}
	return calls, sortSpans
}

// tokens yields the tokens of expr under the lexical rules of go-jmespath
// v0.4.0: quoted identifiers and `JSON literals` end at the first unescaped
// delimiter, a backslash escaping any character; 'raw strings' end at the
// first quote not preceded by a backslash. Whitespace is skipped; any byte
// the scan has no use for is a one-byte 'x' token.
func tokens(expr string) func(yield func(token) bool) {
	return func(yield func(token) bool) {
		for i := 0; i < len(expr); {
			c := expr[i]
			t := token{kind: 'x', start: i, end: i + 1}
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				i++
				continue
			case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
				for t.end < len(expr) && isIdentByte(expr[t.end]) {
					t.end++
				}
				t.kind, t.ends, t.starts = 'i', true, true
			case c == '"' || c == '`':
				t.end = skipQuoted(expr, i+1, c)
				t.ends, t.starts = true, true
			case c == '\'':
				t.end = skipRaw(expr, i+1)
				t.ends, t.starts = true, true
			case c == '@':
				t.ends, t.starts = true, true
			case c == '*':
				t.ends = true
			case c == '&':
				if strings.HasPrefix(expr[i:], "&&") {
					t.end++
				} else {
					t.starts = true // an expression reference
				}
			case strings.IndexByte("([{,", c) >= 0:
				t.kind = c
			case strings.IndexByte(")]}", c) >= 0:
				t.kind, t.ends = c, true
			case c == '-' || '0' <= c && c <= '9':
				for t.end < len(expr) && '0' <= expr[t.end] && expr[t.end] <= '9' {
					t.end++
				}
			case strings.IndexByte("|<>!=", c) >= 0:
				if t.end < len(expr) && (expr[t.end] == '=' || c == '|' && expr[t.end] == '|') {
					t.end++
				}
			}
			if !yield(t) {
				return
			}
			i = t.end
		}
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// skipQuoted returns the offset after the delimiter that closes a quoted
// identifier or JSON literal whose content starts at i.
func skipQuoted(expr string, i int, delim byte) int {
	for i < len(expr) {
		switch expr[i] {
		case '\\':
			i += 2
			continue
		case delim:
			return i + 1
		}
		i++
	}
	return len(expr)
}

// skipRaw returns the offset after the quote that closes a raw string
// literal whose content starts at i. Only \' is an escape.
func skipRaw(expr string, i int) int {
	for i < len(expr) {
		switch {
		case expr[i] == '\\' && i+1 < len(expr) && expr[i+1] == '\'':
			i += 2
			continue
		case expr[i] == '\'':
			return i + 1
		}
		i++
	}
	return len(expr)
}

// insertCopies wraps each span of expr in map(&@, …), which evaluates to a
// fresh array holding the same elements.
func insertCopies(expr string, spans [][2]int) string {
	type insert struct {
		at   int
		text string
	}
	var ins []insert
	for _, s := range spans {
		ins = append(ins, insert{s[0], "map(&@, "}, insert{s[1], ")"})
	}
	// At one offset, close a span before opening the next.
	slices.SortStableFunc(ins, func(a, b insert) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		return cmp.Compare(len(a.text), len(b.text))
	})
	var b strings.Builder
	last := 0
	for _, in := range ins {
		b.WriteString(expr[last:in.at])
		b.WriteString(in.text)
		last = in.at
	}
	b.WriteString(expr[last:])
	return b.String()
}
