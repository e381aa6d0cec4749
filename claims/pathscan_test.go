package claims

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/jmespath/go-jmespath"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCompilePath_functionTable checks the arity table against the engine
// through its exported API: every listed function is known to the engine,
// and one argument too few or too many fails there as "incorrect number of
// args" or "Invalid arity.". If a new engine version changes its functions,
// this test fails instead of the check quietly going wrong.
func TestCompilePath_functionTable(t *testing.T) {
	args := func(n int) string { return strings.TrimSuffix(strings.Repeat("@, ", n), ", ") }
	arityErr := func(err error) bool {
		return err != nil && (strings.Contains(err.Error(), "incorrect number of args") || strings.Contains(err.Error(), "Invalid arity"))
	}
	search := func(expr string) (err error) {
		defer func() {
			if recover() != nil {
				err = nil // the function ran (merge(null) panics): name and arity passed
			}
		}()
		_, err = jmespath.Search(expr, nil)
		return err
	}
	for name, a := range arity {
		err := search(name + "(" + args(a.min) + ")")
		if err != nil {
			assert.NotContains(t, err.Error(), "unknown function", name)
			assert.False(t, arityErr(err), "%s with %d arguments: %v", name, a.min, err)
		}
		if a.min > 0 {
			err = search(name + "(" + args(a.min-1) + ")")
			assert.True(t, arityErr(err), "%s with %d arguments: %v", name, a.min-1, err)
		}
		if a.max >= 0 {
			err = search(name + "(" + args(a.max+1) + ")")
			assert.True(t, arityErr(err), "%s with %d arguments: %v", name, a.max+1, err)
		}
	}
	for _, name := range []string{"lower", "upper", "split", "trim", "items", "group_by"} {
		err := search(name + "(@)")
		require.ErrorContains(t, err, "unknown function", name)
		_, known := arity[name]
		assert.False(t, known, name)
	}
}

func TestScanCalls(t *testing.T) {
	for _, tc := range []struct {
		expr  string
		calls []call
		spans []string // first arguments of sort_by calls
	}{
		{"a.b", nil, nil},
		{"length(a)", []call{{"length", 1}}, nil},
		{"f()", []call{{"f", 0}}, nil},
		{"f(a,)", []call{{"f", 1}}, nil},
		{"f(a b)", []call{{"f", 2}}, nil},
		{"f(a &b)", []call{{"f", 2}}, nil},
		{"f(a.b c[0] 'x')", []call{{"f", 3}}, nil},
		{"f(a || b c)", []call{{"f", 2}}, nil},
		{"f(a[*] @)", []call{{"f", 2}}, nil},
		{"f(!a, a[?b == `1`].c)", []call{{"f", 2}}, nil},
		{"f(g(a, b), [c, d], {k: e, l: f})", []call{{"f", 3}, {"g", 2}}, nil},
		{"f ( a )", []call{{"f", 1}}, nil},
		{"'abs'(a)", []call{{"", 1}}, nil},
		{"(abs)(a)", []call{{"", 1}}, nil},
		{"`\"f(a)\"` || 'g(\\'x\\', y)' || \"h(\\\"\"", nil, nil},
		{"'it\\'s f(x)' || g(y)", []call{{"g", 1}}, nil},
		{"sort_by(a, &b)", []call{{"sort_by", 2}}, []string{"a"}},
		{"sort_by( a[?x] | [0] , &b)", []call{{"sort_by", 2}}, []string{"a[?x] | [0]"}},
		{"sort_by(sort_by(a, &x), &y)", []call{{"sort_by", 2}, {"sort_by", 2}}, []string{"a", "sort_by(a, &x)"}},
		{"sort_by(a &b)", []call{{"sort_by", 2}}, []string{"a"}},
		{"sort_by(a)", []call{{"sort_by", 1}}, nil},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			calls, spans := scanCalls(tc.expr)
			assert.Equal(t, tc.calls, calls)
			var got []string
			for _, s := range spans {
				got = append(got, tc.expr[s[0]:s[1]])
			}
			slices.Sort(got)
			assert.Equal(t, tc.spans, got)
		})
	}
}

// TestCompilePath_sortByAsEngine checks that the copied first argument of
// sort_by changes no result and no failure: each expression gives what the
// engine gives on a private copy of the claims.
func TestCompilePath_sortByAsEngine(t *testing.T) {
	const doc = `{"objs":[{"v":2,"n":"b"},{"v":1,"n":"a"},{"v":3,"n":"c"}],"nums":[3,1,2],
		"mixed":[{"v":1},null,{"v":"x"}],"one":[null],"s":"str","nested":{"l":[{"v":2},{"v":1}]}}`
	for _, expr := range []string{
		"sort_by(objs, &v)[*].n",
		"sort_by(objs, &n)[0].v",
		"sort_by(nums, &@)",
		"sort_by(sort_by(objs, &n), &v)[*].n",
		"sort_by(objs &v)[*].n",
		"sort_by(nested.l, &v)",
		"objs[?v > `1`] | sort_by(@, &v)[*].n",
		"sort_by([objs[2], objs[0]], &v)[*].n",
		"sort_by(`[{\"v\":2},{\"v\":1}]`, &v)",
		"sort_by(mixed, &v)",
		"sort_by(one, &v)",
		"sort_by(s, &@)",
		"sort_by(missing, &@)",
		"length(sort_by(objs, &v))",
	} {
		t.Run(expr, func(t *testing.T) {
			var c, private map[string]any
			require.NoError(t, json.Unmarshal([]byte(doc), &c))
			require.NoError(t, json.Unmarshal([]byte(doc), &private))
			want, wantErr := jmespath.Search(expr, private)
			p, err := CompilePath(expr)
			require.NoError(t, err)
			got, gotErr := p.search(c)
			assert.Equal(t, want, got)
			assert.Equal(t, wantErr != nil, gotErr != nil, "engine: %v, Path: %v", wantErr, gotErr)
			var after map[string]any
			require.NoError(t, json.Unmarshal([]byte(doc), &after))
			assert.Equal(t, after, c, "the claims are unchanged")
		})
	}
}
