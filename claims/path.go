package claims

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/jmespath/go-jmespath"
)

// Path is a compiled JMESPath expression (engine github.com/jmespath/go-jmespath)
// evaluated against claim sets. Obtain one from [CompilePath]; the zero
// Path and a nil *Path are not usable. A Path is immutable and safe for
// concurrent use by multiple goroutines.
//
// A Path only reads the claims it is given, even when the expression uses
// sort_by, which sorts its argument in place in this engine: such a Path
// evaluates a private deep copy of the claims with a freshly compiled
// expression, at the cost of allocations.
type Path struct {
	expr   string
	jp     *jmespath.JMESPath
	sortBy bool // expression calls sort_by: copy the input, compile per call
}

// MaxExprLen is the longest JMESPath expression [CompilePath] accepts, in
// bytes. It bounds the work done at configuration time; real attribute paths
// are far shorter.
const MaxExprLen = 16 << 10

// CompilePath compiles expr once. An empty expression, one longer than
// [MaxExprLen], a syntax error, a call to a function this engine does not
// have (such as lower() or split() from jmespath-community) and a call with
// the wrong number of arguments are errors that show the expression; with
// this engine the latter two would otherwise fail on every evaluation.
// Syntax errors wrap the engine's jmespath.SyntaxError.
func CompilePath(expr string) (*Path, error) {
	p, err := compilePath(expr)
	if err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	return p, nil
}

// compilePath is CompilePath without the package prefix, for errors that
// [NewMapper] prefixes with the field name.
func compilePath(expr string) (p *Path, err error) {
	// The engine's lexer panics on some input (an identifier followed by
	// U+0080 indexes past a table): report it as a compile error.
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("invalid JMESPath expression %s: parser failed: %v", quoteLimit(expr, maxExprShown), r)
		}
	}()
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("empty JMESPath expression")
	}
	if len(expr) > MaxExprLen {
		return nil, fmt.Errorf("JMESPath expression %s is %d bytes long, more than %d", quoteLimit(expr, 32), len(expr), MaxExprLen)
	}
	ast, err := jmespath.NewParser().Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid JMESPath expression %s: %w", quoteLimit(expr, maxExprShown), err)
	}
	sortBy, err := checkFunctions(ast)
	if err != nil {
		return nil, fmt.Errorf("invalid JMESPath expression %s: %w", quoteLimit(expr, maxExprShown), err)
	}
	jp, err := jmespath.Compile(expr) // the same parser again: the tree above is not usable for searching
	if err != nil {
		return nil, fmt.Errorf("invalid JMESPath expression %s: %w", quoteLimit(expr, maxExprShown), err)
	}
	return &Path{expr: expr, jp: jp, sortBy: sortBy}, nil
}

// Expr returns the expression p was compiled from.
func (p *Path) Expr() string { return p.expr }

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
	jp, data := p.jp, any(c)
	if p.sortBy {
		if jp, err = jmespath.Compile(p.expr); err != nil {
			return nil, newError(ErrPath, "", fmt.Sprintf("%s: %s", quoteLimit(p.expr, maxExprShown), quote(err.Error())))
		}
		data = deepCopy(data)
	}
	v, err = jp.Search(data)
	if err != nil {
		// Engine messages may embed claim values: quote and truncate them.
		return nil, newError(ErrPath, "", fmt.Sprintf("%s: %s", quoteLimit(p.expr, maxExprShown), quote(err.Error())))
	}
	return v, nil
}

// deepCopy copies the containers of a JSON-typed value.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

// arity is the number of arguments each function of go-jmespath v0.4.0
// accepts; max < 0 means variadic.
var arity = map[string]struct{ min, max int }{
	"abs": {1, 1}, "avg": {1, 1}, "ceil": {1, 1}, "contains": {2, 2},
	"ends_with": {2, 2}, "floor": {1, 1}, "join": {2, 2}, "keys": {1, 1},
	"length": {1, 1}, "map": {2, 2}, "max": {1, 1}, "max_by": {2, 2},
	"merge": {1, -1}, "min": {1, 1}, "min_by": {2, 2}, "not_null": {1, -1},
	"reverse": {1, 1}, "sort": {1, 1}, "sort_by": {2, 2}, "starts_with": {2, 2},
	"sum": {1, 1}, "to_array": {1, 1}, "to_number": {1, 1}, "to_string": {1, 1},
	"type": {1, 1}, "values": {1, 1},
}

// checkFunctions walks the engine's syntax tree and checks the name and
// argument count of every function call. It reports whether sort_by is
// called.
//
// The engine exports the tree type but not its fields, so the walk reads
// them with reflection (read-only access to unexported fields is allowed).
// The field names are those of go-jmespath v0.4.0; should they change, the
// walk finds no calls and the checks are skipped, which the tests detect.
// The walk is iterative and linear in the size of the tree.
func checkFunctions(ast jmespath.ASTNode) (sortBy bool, err error) {
	stack := []reflect.Value{reflect.ValueOf(ast)}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		kind, value, children := n.FieldByName("nodeType"), n.FieldByName("value"), n.FieldByName("children")
		if !kind.IsValid() || !value.IsValid() || !children.IsValid() || children.Kind() != reflect.Slice {
			return false, nil
		}
		if kind.CanInt() && kind.Int() == int64(jmespath.ASTFunctionExpression) {
			name := ""
			if value.Kind() == reflect.Interface && value.Elem().Kind() == reflect.String {
				name = value.Elem().String()
			}
			if err := checkArity(name, children.Len()); err != nil {
				return false, err
			}
			if name == "sort_by" {
				sortBy = true
			}
		}
		for i := range children.Len() {
			stack = append(stack, children.Index(i))
		}
	}
	return sortBy, nil
}

func checkArity(name string, args int) error {
	a, ok := arity[name]
	switch {
	case !ok:
		return fmt.Errorf("unknown function %s() (not provided by github.com/jmespath/go-jmespath)", name)
	case a.min == a.max && args != a.min:
		return fmt.Errorf("function %s() takes %d argument(s), got %d", name, a.min, args)
	case args < a.min:
		return fmt.Errorf("function %s() needs at least %d argument(s), got %d", name, a.min, args)
	}
	return nil
}
