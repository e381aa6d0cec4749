package claims

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jmespath/go-jmespath"
)

// Path is a compiled JMESPath expression (engine github.com/jmespath/go-jmespath)
// evaluated against claim sets. Obtain one from [CompilePath]; the zero
// Path and a nil *Path are not usable. A Path is immutable and safe for
// concurrent use by multiple goroutines, and it only reads the claims it is
// given (see [CompilePath] for sort_by).
type Path struct {
	expr string // as configured, for error details
	jp   *jmespath.JMESPath
}

// maxExprLen is the longest JMESPath expression CompilePath accepts, in
// bytes. It bounds the work done at configuration time; real attribute paths
// are far shorter.
const maxExprLen = 16 << 10

// CompilePath compiles expr once. It fails, with an error that shows the
// expression, on an empty expression, one longer than 16 KiB, a syntax
// error (wrapping the engine's jmespath.SyntaxError), a call to a function
// this engine does not have (such as lower() or split() from
// jmespath-community), a call with the wrong number of arguments, and a call
// whose function is not named by a plain identifier ('abs'(x), (abs)(x)).
//
// The engine itself reports unknown functions and wrong argument counts
// only while evaluating, and only for calls the evaluation reaches
// ("false && lower(x)" never fails), so a mistyped role path would silently
// give no role on every request. CompilePath therefore finds every call with
// a small scan of the expression text and checks it against the functions
// of go-jmespath v0.4.0, the version this module requires.
//
// The engine's sort_by sorts its first argument in place, which would
// reorder the caller's claims (or a literal inside the compiled
// expression) and race with concurrent readers. CompilePath therefore
// compiles sort_by(a, &k) as sort_by(map(&@, a), &k): map copies the one
// array being sorted, with the same elements, order and type errors.
func CompilePath(expr string) (*Path, error) {
	p, err := compilePath(expr)
	if err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	return p, nil
}

func compilePath(expr string) (p *Path, err error) {
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("empty JMESPath expression")
	}
	if len(expr) > maxExprLen {
		return nil, fmt.Errorf("JMESPath expression %s is %d bytes long, more than %d", quoteLimit(expr, 32), len(expr), maxExprLen)
	}
	shown := quoteLimit(expr, maxExprShown)
	calls, copyAt := scanCalls(expr)
	text := expr
	if len(copyAt) > 0 {
		text = insertCopies(expr, copyAt)
	}
	jp, err := compile(text)
	if err != nil && text != expr {
		// Report the error against the text the user wrote.
		_, err = compile(expr)
		if err == nil {
			err = errors.New("sort_by could not be compiled with a copied argument")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("invalid JMESPath expression %s: %w", shown, err)
	}
	for _, c := range calls {
		if err := c.check(); err != nil {
			return nil, fmt.Errorf("invalid JMESPath expression %s: %w", shown, err)
		}
	}
	return &Path{expr: expr, jp: jp}, nil
}

// compile runs the engine's parser. Its lexer panics on some input (an
// identifier followed by U+0080 indexes past a table): that is reported as
// an error.
func compile(text string) (jp *jmespath.JMESPath, err error) {
	defer func() {
		if r := recover(); r != nil {
			jp, err = nil, fmt.Errorf("parser failed: %v", r)
		}
	}()
	return jmespath.Compile(text)
}

// String evaluates p against c and returns the result when it is a string.
// Any other result (number, array, null, …) gives "" and a nil error, as in
// Grafana. An evaluation error, including a panic inside the engine, gives
// an *[Error] wrapping [ErrPath].
func (p *Path) String(c map[string]any) (string, error) {
	v, err := p.search(c)
	if err != nil {
		return "", err
	}
	s, _ := v.(string)
	return s, nil
}

// Strings evaluates p against c and returns the string elements of an array
// result, in order; other elements are dropped. A result that is not an
// array gives nil and a nil error, as in Grafana; an array without strings
// gives an empty, non-nil slice. An evaluation error, including a panic
// inside the engine, gives an *[Error] wrapping [ErrPath].
func (p *Path) Strings(c map[string]any) ([]string, error) {
	v, err := p.search(c)
	if err != nil {
		return nil, err
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, nil
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// search runs the expression. The engine walks claim values with type
// assertions and, for values that are not JSON-typed, reflection; some
// inputs make it panic (for example contains() on arrays of arrays), so a
// panic is turned into ErrPath.
func (p *Path) search(c map[string]any) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, newError(ErrPath, "", fmt.Sprintf("%s: evaluation failed: %s",
				quoteLimit(p.expr, maxExprShown), quote(fmt.Sprint(r))))
		}
	}()
	v, err = p.jp.Search(c)
	if err != nil {
		// Engine messages may embed claim values: quote and truncate them.
		return nil, newError(ErrPath, "", fmt.Sprintf("%s: %s", quoteLimit(p.expr, maxExprShown), quote(err.Error())))
	}
	return v, nil
}
