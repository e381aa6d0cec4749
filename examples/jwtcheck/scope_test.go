package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
)

// jwtcheck shows the token's typ header and, for a valid token, the
// scopes it grants.
func TestTypeAndScopes(t *testing.T) {
	f := setup(t)
	for _, tc := range []struct {
		name  string
		typ   any
		scope any
		want  []string
		not   []string
	}{
		{"typed, scope string", "at+jwt", "read write", []string{`typ        "at+jwt"`, "scopes     read write"}, nil},
		{"no typ, no scope", nil, nil, nil, []string{"typ ", "scopes"}},
		{"empty scope", "JWT", "", []string{`typ        "JWT"`, "scopes     (none)"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := f.key.Sign(claims(func(c jwttest.Claims) {
				if tc.scope != nil {
					c["scope"] = tc.scope
				}
			}), map[string]any{"typ": tc.typ})
			r := check(t, "", "-config", f.ini, "-now", epoch, "-token", tok)
			require.Equal(t, 0, r.code, r.stdout+r.stderr)
			for _, w := range tc.want {
				assert.Contains(t, r.stdout, w)
			}
			for _, n := range tc.not {
				assert.NotContains(t, r.stdout, n)
			}
		})
	}
	tok := f.key.Sign(claims(func(c jwttest.Claims) { c["scp"] = []any{"mcp:tools", "read"} }))
	r := check(t, "", "-config", f.ini, "-now", epoch, "-token", tok)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "scopes     mcp:tools read")
}
