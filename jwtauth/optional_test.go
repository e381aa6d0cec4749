package jwtauth_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// optionalRoute serves "hello <login>" or "hello anonymous" behind
// OptionalMiddleware, and the same handler behind Middleware.
func optionalRoute(t *testing.T, cfg jwtauth.Config) (v *jwtauth.Verifier, optional, strict http.Handler, logs *bytes.Buffer) {
	t.Helper()
	logs = &bytes.Buffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.UsernameClaim = "preferred_username"
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := jwtauth.FromContext(r.Context()); ok {
			_, _ = w.Write([]byte("hello " + id.Login))
			return
		}
		_, _ = w.Write([]byte("hello anonymous"))
	})
	return v, v.OptionalMiddleware(next), v.Middleware(next), logs
}

func serveWith(h http.Handler, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/page", nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestOptionalMiddlewareNoToken(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v, optional, _, logs := optionalRoute(t, iss.Config())

	for _, hdr := range [][]string{nil, {"Authorization", ""}} {
		w := serveWith(optional, hdr...)
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "hello anonymous", w.Body.String())
		assert.Empty(t, w.Header().Get("WWW-Authenticate"))
	}
	s := v.Stats()
	assert.Equal(t, uint64(2), s.Anonymous)
	assert.Empty(t, s.Refused, "an anonymous request is not a refusal")
	assert.Zero(t, s.Verified)
	assert.Empty(t, logs.String(), "an anonymous request is not logged")
	assert.Zero(t, iss.Fetches(), "no key is fetched for an anonymous request")
}

func TestOptionalMiddlewareGoodToken(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v, optional, _, _ := optionalRoute(t, iss.Config())
	w := serveWith(optional, "Authorization", "Bearer "+iss.Sign(map[string]any{"sub": "u-1", "preferred_username": "jdoe"}))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "hello jdoe", w.Body.String())
	s := v.Stats()
	assert.Equal(t, uint64(1), s.Verified)
	assert.Zero(t, s.Anonymous)
}

// A token that fails is refused as Middleware refuses it, byte for byte.
func TestOptionalMiddlewareBadToken(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	good := iss.Sign(map[string]any{"sub": "u-1", "preferred_username": "jdoe"})
	cases := []struct {
		name   string
		header []string
		want   error
	}{
		{"forged signature", []string{"Authorization", "Bearer " + good[:len(good)-6] + "AAAAAA"}, jwtauth.ErrSignature},
		{"expired", []string{"Authorization", "Bearer " + iss.Sign(map[string]any{"sub": "u-1", "exp": time.Now().Add(-time.Hour).Unix()})}, jwtauth.ErrExpired},
		{"not a JWS", []string{"Authorization", "Bearer nope"}, jwtauth.ErrMalformed},
		{"empty bearer", []string{"Authorization", "Bearer "}, jwtauth.ErrMalformed},
		{"repeated header", []string{"Authorization", "Bearer " + good, "Authorization", "Bearer x"}, jwtauth.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, optional, strict, _ := optionalRoute(t, iss.Config())
			got := serveWith(optional, tc.header...)
			want := serveWith(strict, tc.header...)
			assert.Equal(t, http.StatusUnauthorized, got.Code)
			assert.NotContains(t, got.Body.String(), "hello", "next must not run")
			assert.Equal(t, want.Code, got.Code)
			assert.Equal(t, want.Header(), got.Header())
			assert.Equal(t, want.Body.String(), got.Body.String())
			assert.Equal(t, `Bearer error="invalid_token"`, got.Header().Get("WWW-Authenticate"))

			s := v.Stats()
			assert.Zero(t, s.Anonymous, "a bad token is never downgraded to anonymous")
			assert.Equal(t, uint64(2), s.Refused[jwtauth.ReasonName(tc.want)], "both routes count a refusal")
		})
	}
}

func TestOptionalMiddlewareNilPanics(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v, _, _, _ := optionalRoute(t, iss.Config())
	assert.PanicsWithValue(t, "jwtauth: OptionalMiddleware called with a nil handler", func() { v.OptionalMiddleware(nil) })
}
