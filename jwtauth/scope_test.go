package jwtauth_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

func TestScopes(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
	for _, tc := range []struct {
		name   string
		claims map[string]any
		want   []string
	}{
		{"neither claim", nil, nil},
		{"scope string", map[string]any{"scope": "read write"}, []string{"read", "write"}},
		{"scope string, extra spaces", map[string]any{"scope": " read  write "}, []string{"read", "write"}},
		{"scope array", map[string]any{"scope": []any{"read", "write"}}, []string{"read", "write"}},
		{"scp array (Okta)", map[string]any{"scp": []any{"read", "write"}}, []string{"read", "write"}},
		{"scp string (Entra)", map[string]any{"scp": "read write"}, []string{"read", "write"}},
		{"empty scope", map[string]any{"scope": ""}, []string{}},
		{"empty scp array", map[string]any{"scp": []any{}}, []string{}},
		{"scope wins over scp", map[string]any{"scope": "read", "scp": []any{"admin"}}, []string{"read"}},
		{"scope is case-sensitive", map[string]any{"scope": "Read"}, []string{"Read"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := verify(t, v, k.Sign(claimsWith(tc.claims)))
			require.NoError(t, err)
			assert.Equal(t, tc.want, id.Scopes)
			if tc.want != nil {
				assert.NotNil(t, id.Scopes, "a present claim gives a non-nil slice")
			}
		})
	}
}

func TestScopesWrongType(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
	for _, tc := range []struct {
		name   string
		claims map[string]any
		claim  string
	}{
		{"scope number", map[string]any{"scope": 1}, "scope"},
		{"scope object", map[string]any{"scope": map[string]any{"read": true}}, "scope"},
		{"scope bool", map[string]any{"scope": true}, "scope"},
		{"scope array with a number", map[string]any{"scope": []any{"read", 2}}, "scope"},
		{"scp number", map[string]any{"scp": 1}, "scp"},
		{"scp array with an object", map[string]any{"scp": []any{map[string]any{}}}, "scp"},
		{"scp wrong while scope is fine", map[string]any{"scope": "read", "scp": 3}, "scp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verify(t, v, k.Sign(claimsWith(tc.claims)))
			requireOnly(t, err, jwtauth.ErrMalformed)
			ve, ok := errors.AsType[*jwtauth.ValidationError](err)
			require.True(t, ok)
			assert.Equal(t, tc.claim, ve.Claim)
		})
	}
	// JSON null is not a string or an array either.
	_, err := verify(t, v, k.SignRaw(k.Alg, []byte(`{"alg":"RS256","kid":"good"}`),
		[]byte(fmt.Sprintf(`{"sub":"alice","exp":%d,"scope":null}`, jwttest.Unix(time.Hour)))))
	requireOnly(t, err, jwtauth.ErrMalformed)
}

// Scopes come back right from the verified-token cache, and a caller
// changing them changes neither the cache nor the next caller's copy.
func TestScopesFromCache(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
	tok := k.Sign(claimsWith(map[string]any{"scope": "read write"}))
	id1, err := verify(t, v, tok)
	require.NoError(t, err)
	id1.Scopes[0] = "admin"
	id2, err := verify(t, v, tok)
	require.NoError(t, err)
	assert.Equal(t, []string{"read", "write"}, id2.Scopes)
	id2.Scopes[1] = "admin"
	id3, err := verify(t, v, tok)
	require.NoError(t, err)
	assert.Equal(t, []string{"read", "write"}, id3.Scopes)
	assert.EqualValues(t, 2, v.Stats().TokenCacheHits)

	empty := k.Sign(claimsWith(map[string]any{"scope": ""}))
	for range 2 {
		id, err := verify(t, v, empty)
		require.NoError(t, err)
		assert.Equal(t, []string{}, id.Scopes)
	}
}

// The JMESPath role mapping still reads scope as the raw claim.
func TestScopesRoleMappingUnchanged(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{
		JWKSetValue:       jwksValue(k),
		RoleAttributePath: "contains(scope, 'admin') && 'Admin' || 'Viewer'",
	})
	id, err := verify(t, v, k.Sign(claimsWith(map[string]any{"scope": "read admin"})))
	require.NoError(t, err)
	assert.Equal(t, jwtauth.RoleAdmin, id.Role)
	assert.Equal(t, []string{"read", "admin"}, id.Scopes)
	assert.Equal(t, "read admin", id.Claims["scope"])

	id, err = verify(t, v, k.Sign(claimsWith(map[string]any{"scope": "read"})))
	require.NoError(t, err)
	assert.Equal(t, jwtauth.RoleViewer, id.Role)
}

func scopeRequest(t *testing.T, v *jwtauth.Verifier, h http.Handler, token string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/api", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	v.Middleware(h).ServeHTTP(w, r)
	return w
}

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
}

func TestRequireScope(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
	h := v.RequireScope("read", "write")(okHandler())
	for _, tc := range []struct {
		name   string
		claims map[string]any
		status int
	}{
		{"both granted", map[string]any{"scope": "write read other"}, http.StatusNoContent},
		{"both granted in scp", map[string]any{"scp": []any{"read", "write"}}, http.StatusNoContent},
		{"one missing", map[string]any{"scope": "read"}, http.StatusForbidden},
		{"case differs", map[string]any{"scope": "read WRITE"}, http.StatusForbidden},
		{"prefix of a scope", map[string]any{"scope": "read writer"}, http.StatusForbidden},
		{"granted only in ignored scp", map[string]any{"scope": "read", "scp": []any{"write"}}, http.StatusForbidden},
		{"no scope claim", nil, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := scopeRequest(t, v, h, k.Sign(claimsWith(tc.claims)))
			assert.Equal(t, tc.status, w.Code)
		})
	}
}

// The 403 answer, headers and body, byte for byte.
func TestRequireScopeChallenge(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
	h := v.RequireScope("mcp:tools", "read")(okHandler())
	w := scopeRequest(t, v, h, k.Sign(claimsWith(map[string]any{"scope": "read"})))
	require.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, http.Header{
		"Www-Authenticate":       {`Bearer error="insufficient_scope", scope="mcp:tools read"`},
		"Cache-Control":          {"no-store"},
		"Content-Type":           {"application/json; charset=utf-8"},
		"X-Content-Type-Options": {"nosniff"},
	}, w.Header())
	assert.Equal(t, `{"message":"Insufficient scope","messageId":"jwt.insufficient_scope"}`+"\n", w.Body.String())
	assert.EqualValues(t, 1, v.Stats().Refused["ErrInsufficientScope"])
}

// A custom ErrorHandler gets ErrInsufficientScope, and SetErrorHeaders
// gives it the same challenge.
func TestRequireScopeErrorHandler(t *testing.T) {
	k := rsaGood()
	var got error
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		jwtauth.SetErrorHeaders(w.Header(), err)
		w.WriteHeader(jwtauth.StatusCode(err))
	}})
	w := scopeRequest(t, v, v.RequireScope("write")(okHandler()), k.Sign(jwttest.Default()))
	requireOnly(t, got, jwtauth.ErrInsufficientScope)
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, `Bearer error="insufficient_scope", scope="write"`, w.Header().Get("WWW-Authenticate"))
}

// Without Middleware before it, RequireScope refuses with ErrNoToken.
func TestRequireScopeWithoutIdentity(t *testing.T) {
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(rsaGood())})
	called := false
	h := v.RequireScope("read")(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.False(t, called)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, "Bearer", w.Header().Get("WWW-Authenticate"))

	// An Identity put in the context by other means is honoured.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r = r.WithContext(jwtauth.NewContext(r.Context(), &jwtauth.Identity{Subject: "svc", Scopes: []string{"read"}}))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.True(t, called)
}

func TestRequireScopePanics(t *testing.T) {
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(rsaGood())})
	for _, scopes := range [][]string{nil, {""}, {"a b"}, {`a"b`}, {`a\b`}, {"é"}, {"a\n"}} {
		assert.Panics(t, func() { v.RequireScope(scopes...) }, "%q", scopes)
	}
	assert.Panics(t, func() { v.RequireScope("read")(nil) })
	assert.NotPanics(t, func() { v.RequireScope("read", "mcp:tools", "https://api.example/x!#$")(okHandler()) })
}
