package jwtauth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// A cookie named CookieName more than once, in one Cookie header or in
// several, is refused: which copy comes first depends on cookie paths, which
// a sibling domain can choose (RFC 6265 §4.2.2, §8.6).
func TestRepeatedTokenCookie(t *testing.T) {
	k := rsaGood()
	tok := k.Sign(jwttest.Default())
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), CookieName: "jwt", Now: jwttest.Clock()})
	for name, headers := range map[string][]string{
		"one header":          {"jwt=" + tok + "; jwt=" + tok},
		"one header, other":   {"jwt=" + tok + "; jwt=garbage"},
		"two headers":         {"jwt=" + tok, "jwt=garbage"},
		"spaced name":         {"jwt=" + tok + "; jwt =garbage"},
		"empty then valid":    {"jwt=; jwt=" + tok},
		"among other cookies": {"a=1; jwt=garbage", "b=2; jwt=" + tok},
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header["Cookie"] = headers
			rec, id, next := serve(v, r)
			assert.Nil(t, id)
			assert.Nil(t, next, "next ran")
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			_, err := v.VerifyRequest(r)
			requireOnly(t, err, jwtauth.ErrMalformed)
			assert.Contains(t, err.Error(), "jwt cookie is repeated")
			assert.NotContains(t, err.Error(), tok)
		})
	}
	t.Run("once among others is served", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["Cookie"] = []string{"a=1; jwt=" + tok, "jwtx=2"}
		id, err := v.VerifyRequest(r)
		require.NoError(t, err)
		assert.Equal(t, "alice", id.Subject)
	})
	t.Run("the header still wins", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		r.Header["Cookie"] = []string{"jwt=garbage; jwt=garbage"}
		id, err := v.VerifyRequest(r)
		require.NoError(t, err)
		assert.Equal(t, "alice", id.Subject)
	})
}

// An auth_token joined to another pair by ';' is ignored by net/url but
// split out by other parsers: it never reaches next, through r.URL or
// r.RequestURI, and it is refused when the query is the token source.
func TestQuerySemicolonToken(t *testing.T) {
	k := rsaGood()
	tok := k.Sign(jwttest.Default())
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), URLLogin: true, Now: jwttest.Clock()})
	for _, tc := range []struct {
		query, kept string
	}{
		{"a=1;auth_token=" + tok, "a=1"},
		{"auth_token=" + tok + ";a=1", "a=1"},
		{"a=1;auth_token=" + tok + ";b=2&c=3", "a=1;b=2&c=3"},
		{"c=3&a=1;auth%5Ftoken=" + tok, "c=3&a=1"},
		{"x=1&;auth_token=" + tok, "x=1&"},
		{"a=1;auth_token=" + tok + "&auth_token=" + tok, "a=1"},
	} {
		t.Run(tc.query[:min(len(tc.query), 24)], func(t *testing.T) {
			// Without a header the query is the source: refused.
			r := httptest.NewRequest(http.MethodGet, "/p?"+tc.query, nil)
			rec, _, next := serve(v, r)
			assert.Nil(t, next, "next ran")
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Equal(t, `Bearer error="invalid_token"`, rec.Header().Get("WWW-Authenticate"))
			r = httptest.NewRequest(http.MethodGet, "/p?"+tc.query, nil)
			_, err := v.VerifyRequest(r)
			requireOnly(t, err, jwtauth.ErrMalformed)
			assert.Equal(t, tc.kept, r.URL.RawQuery)

			// With a header the header is used, and next never sees the
			// query token.
			r = httptest.NewRequest(http.MethodGet, "/p?"+tc.query, nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			rec, id, next := serve(v, r)
			require.NotNil(t, next, "next did not run: %d %s", rec.Code, rec.Body)
			require.NotNil(t, id)
			assert.Equal(t, tc.kept, next.URL.RawQuery)
			assert.Equal(t, "/p?"+tc.kept, next.RequestURI)
			assert.NotContains(t, next.URL.String(), tok)
			assert.NotContains(t, next.RequestURI, tok)
		})
	}
	t.Run("no auth_token piece: untouched", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/p?a=1;b=2", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		_, _, next := serve(v, r)
		require.NotNil(t, next)
		assert.Equal(t, "a=1;b=2", next.URL.RawQuery)
		assert.Equal(t, "/p?a=1;b=2", next.RequestURI)
	})
}
