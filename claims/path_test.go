package claims_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/jmespath/go-jmespath"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/claims"
)

func mustPath(t testing.TB, expr string) *claims.Path {
	t.Helper()
	p, err := claims.CompilePath(expr)
	require.NoError(t, err)
	return p
}

func TestCompilePath_errors(t *testing.T) {
	for _, tc := range []struct {
		expr, want string
	}{
		{"", "claims: empty JMESPath expression"},
		{"  ", "claims: empty JMESPath expression"},
		{"foo[", `claims: invalid JMESPath expression "foo[": `},
		{"a.b.", `claims: invalid JMESPath expression "a.b.": `},
		{"'unterminated", `claims: invalid JMESPath expression "'unterminated": `},
		// Functions of jmespath-community and other engines fail at
		// compile time instead of on every evaluation.
		{"lower(email)", `claims: invalid JMESPath expression "lower(email)": unknown function lower()`},
		{"split(groups, ',')", `unknown function split()`},
		{"let $x = a in $x", `claims: invalid JMESPath expression`},
		{"length(a, b)", `function length() takes 1 argument(s), got 2`},
		{"contains(a)", `function contains() takes 2 argument(s), got 1`},
		{"A\u0080", `claims: invalid JMESPath expression "A\u0080": parser failed: runtime error: index out of range`},
		{"not_null()", `function not_null() needs at least 1 argument(s), got 0`},
		{"a || to_string(length(b, c))", `function length() takes 1 argument(s), got 2`},
		// The engine would call length() for these; they are refused.
		{"'length'(a)", `a function must be named by an identifier`},
		{"(length)(a)", `a function must be named by an identifier`},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			p, err := claims.CompilePath(tc.expr)
			require.Error(t, err)
			assert.Nil(t, p)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestCompilePath_allFunctions pins the function table to the engine: each
// function compiles with its arity and runs without "unknown function".
func TestCompilePath_allFunctions(t *testing.T) {
	c := decode(t, `{"n":-1.5,"a":[3,1,2],"s":["b","a"],"o":{"k":"v"},"str":"abc","objs":[{"v":2},{"v":1}]}`)
	for expr, want := range map[string]any{
		"abs(n)":                "",
		"avg(a)":                "",
		"ceil(n)":               "",
		"contains(s, 'a')":      "",
		"ends_with(str, 'c')":   "",
		"floor(n)":              "",
		"join(',', s)":          "b,a",
		"keys(o)":               "",
		"length(str)":           "",
		"map(&v, objs)":         "",
		"max(a)":                "",
		"max_by(objs, &v)":      "",
		"merge(o, o)":           "",
		"min(s)":                "a",
		"min_by(objs, &v)":      "",
		"not_null(x, str)":      "abc",
		"reverse(str)":          "cba",
		"sort(s) | [0]":         "a",
		"sort_by(objs, &v)":     "",
		"starts_with(str, 'a')": "",
		"sum(a)":                "",
		"to_array(str) | [0]":   "abc",
		"to_number('12')":       "",
		"to_string(n)":          "-1.5",
		"type(o)":               "object",
		"values(o) | [0]":       "v",
	} {
		t.Run(expr, func(t *testing.T) {
			got, err := mustPath(t, expr).String(c)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestPath_String(t *testing.T) {
	c := decode(t, `{"name":"Jane","n":3,"emails":["a@x","b@x","c@x"],"info":{"roles":["admin"]},"t":true}`)
	for expr, want := range map[string]string{
		"name":       "Jane",
		"emails[2]":  "c@x",
		"emails[-1]": "c@x",
		"emails[9]":  "",
		"n":          "", // a number is not a string
		"t":          "",
		"emails":     "",
		"missing":    "",
		"info.roles": "",
		"contains(info.roles[*], 'admin') && 'Admin' || 'Viewer'": "Admin",
		"`\"lit\"`": "lit",
	} {
		t.Run(expr, func(t *testing.T) {
			got, err := mustPath(t, expr).String(c)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestPath_Strings(t *testing.T) {
	c := decode(t, `{"groups":["a",1,"b",null,["c"],{"d":1}],"one":"x","empty":[],"nums":[1,2]}`)
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{"groups", []string{"a", "b"}},
		{"groups[]", []string{"a", "b", "c"}},
		{"one", nil},
		{"missing", nil},
		{"empty", []string{}},
		{"nums", []string{}},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			got, err := mustPath(t, tc.expr).Strings(c)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestPath_runtimeErrors(t *testing.T) {
	c := decode(t, `{"n":1,"a":[[1],[2]],"s":"x","big":"`+strings.Repeat("Z", 500)+`"}`)
	for _, expr := range []string{
		"abs(s)",         // wrong argument type
		"sort_by(a, &@)", // sort_by on arrays
		"avg(s)",
		"to_string(abs(big))", // error text embeds the claim value
		"contains(a, a[0])",   // the engine compares slices with == and panics
		"a[1::9223372036854775807]",
	} {
		t.Run(expr, func(t *testing.T) {
			p := mustPath(t, expr)
			_, err := p.String(c)
			ce := requireOnly(t, err, claims.ErrPath)
			assert.Contains(t, ce.Detail, expr)
			assert.NotContains(t, ce.Error(), strings.Repeat("Z", 100), "claim values are truncated")
			_, err = p.Strings(c)
			requireOnly(t, err, claims.ErrPath)
		})
	}
}

// TestPath_sortByDoesNotMutateClaims guards against the engine's in-place
// sort_by, which would reorder the caller's claims and race on shared data.
func TestPath_sortByDoesNotMutateClaims(t *testing.T) {
	const doc = `{"groups":[{"n":"c","p":3},{"n":"a","p":1},{"n":"b","p":2}]}`
	c := decode(t, doc)
	p := mustPath(t, "sort_by(groups, &p)[*].n")
	lit := mustPath(t, "sort_by(`[{\"p\":2,\"n\":\"y\"},{\"p\":1,\"n\":\"x\"}]`, &p)[*].n")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				got, err := p.Strings(c)
				assert.NoError(t, err)
				assert.Equal(t, []string{"a", "b", "c"}, got)
				got, err = lit.Strings(c)
				assert.NoError(t, err)
				assert.Equal(t, []string{"x", "y"}, got)
			}
		})
	}
	wg.Wait()
	after, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, doc, string(after))
}

func TestPath_concurrentUse(t *testing.T) {
	p := mustPath(t, "contains(groups[*], 'admin') && 'Admin' || 'Viewer'")
	admin := decode(t, `{"groups":["admin"]}`)
	viewer := decode(t, `{"groups":["dev"]}`)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c, want := admin, "Admin"
			if i%2 == 1 {
				c, want = viewer, "Viewer"
			}
			for range 100 {
				got, err := p.String(c)
				assert.NoError(t, err)
				assert.Equal(t, want, got)
			}
		})
	}
	wg.Wait()
}

func TestCompilePath_limitsAndSyntaxError(t *testing.T) {
	const maxExprLen = 16 << 10 // documented on CompilePath
	_, err := claims.CompilePath("a" + strings.Repeat(".a", maxExprLen/2))
	require.ErrorContains(t, err, "bytes long, more than 16384")
	p, err := claims.CompilePath("a" + strings.Repeat(".a", maxExprLen/2-1))
	require.NoError(t, err)
	require.NotNil(t, p)

	_, err = claims.CompilePath("foo[")
	var se jmespath.SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "foo[", se.Expression)
}

// TestCompilePath_functionScan checks the scan for function calls against
// text that only looks like a call.
func TestCompilePath_functionScan(t *testing.T) {
	c := decode(t, `{"a":"x","b":"y","c":[{"a":"p","b":"q"}],"lower":"L","s":"it's"}`)
	for expr, want := range map[string]string{
		`'lower(x)'`:                             "lower(x)",
		`'it\'s lower(x), split(y)'`:             "it's lower(x), split(y)",
		"`\"lower(x)\"`":                         "lower(x)",
		"`\"a\\`b\"` || 'z'":                     "a`b", // an escaped backtick inside a JSON literal
		`"lower"`:                                "L",
		`join(',', [a, b])`:                      "x,y",
		`join(', ', map(&join('-', [a, b]), c))`: "p-q",
		`length (a) == ` + "`1`" + ` && 'one' || 'many'`: "one",
		`{k: join('(', [a, b])}.k`:                       "x(y",
		`not_null(missing, [a, b][1])`:                   "y",
	} {
		t.Run(expr, func(t *testing.T) {
			got, err := mustPath(t, expr).String(c)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
	for expr, want := range map[string]string{
		`'x' || lower(a)`:       "unknown function lower()",
		`join(',', [a, b], a)`:  "function join() takes 2 argument(s), got 3",
		`map(&length(a, b), c)`: "function length() takes 1 argument(s), got 2",
		`[a, upper (b)]`:        "unknown function upper()",
		// The engine accepts arguments without commas between them.
		`sort(""A)`:                       "function sort() takes 1 argument(s), got 2",
		`join(',' a)`:                     "", // two arguments: valid
		`"q" || starts_with('a(b', a, b)`: "function starts_with() takes 2 argument(s), got 3",
	} {
		t.Run(expr, func(t *testing.T) {
			_, err := claims.CompilePath(expr)
			if want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, want)
		})
	}
}
