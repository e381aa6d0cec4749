package jwtauth_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// fromXToken reads the X-Token header.
func fromXToken(r *http.Request) (string, error) {
	if tok := r.Header.Get("X-Token"); tok != "" {
		return tok, nil
	}
	return "", fmt.Errorf("no X-Token: %w", jwtauth.ErrNoToken)
}

func extractorVerifier(t *testing.T, cfg jwtauth.Config) *jwtauth.Verifier {
	t.Helper()
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return v
}

func TestTokenExtractorReplacesLookup(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	good := iss.Sign(map[string]any{"sub": "u-1"})
	cfg := iss.Config()
	cfg.TokenExtractor = fromXToken
	cfg.CookieName = "session"
	v := extractorVerifier(t, cfg)

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Token", good)
	id, err := v.VerifyRequest(r)
	require.NoError(t, err)
	assert.Equal(t, "u-1", id.Subject)

	// The header and cookie lookups are replaced, not a fallback.
	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+good)
	r.AddCookie(&http.Cookie{Name: "session", Value: good})
	_, err = v.VerifyRequest(r)
	requireOnly(t, err, jwtauth.ErrNoToken)
}

func TestTokenExtractorErrors(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	secret := errors.New("backend said: token abc.def.ghi unusable")
	cases := []struct {
		name string
		fn   func(*http.Request) (string, error)
		want error
	}{
		{"no token", func(*http.Request) (string, error) { return "", jwtauth.ErrNoToken }, jwtauth.ErrNoToken},
		{"wrapped no token", fromXToken, jwtauth.ErrNoToken},
		{"empty token", func(*http.Request) (string, error) { return "", nil }, jwtauth.ErrNoToken},
		{"other error", func(*http.Request) (string, error) { return "", secret }, jwtauth.ErrMalformed},
		{"sentinel", func(*http.Request) (string, error) { return "", fmt.Errorf("x: %w", jwtauth.ErrMalformed) }, jwtauth.ErrMalformed},
		{"config sentinel", func(*http.Request) (string, error) { return "", jwtauth.ErrInvalidConfig }, jwtauth.ErrMalformed},
		{"bad token", func(*http.Request) (string, error) { return "not-a-jws", nil }, jwtauth.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := iss.Config()
			cfg.TokenExtractor = tc.fn
			v := extractorVerifier(t, cfg)
			_, err := v.VerifyRequest(httptest.NewRequest(http.MethodGet, "/", nil))
			requireOnly(t, err, tc.want)

			w := httptest.NewRecorder()
			v.Middleware(http.NotFoundHandler()).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			assert.Equal(t, http.StatusUnauthorized, w.Code)
			assert.NotContains(t, w.Body.String(), "abc.def")
			assert.NotContains(t, w.Header().Get("WWW-Authenticate"), "abc.def")

			// Only a missing token is anonymous under OptionalMiddleware.
			w = httptest.NewRecorder()
			v.OptionalMiddleware(http.NotFoundHandler()).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			if tc.want == jwtauth.ErrNoToken {
				assert.Equal(t, http.StatusNotFound, w.Code, "reached next")
				assert.Equal(t, uint64(1), v.Stats().Anonymous)
			} else {
				assert.Equal(t, http.StatusUnauthorized, w.Code)
				assert.Zero(t, v.Stats().Anonymous)
			}
		})
	}
}

// With URLLogin, auth_token leaves the URL whatever the extractor read.
func TestTokenExtractorURLLoginStrips(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	good := iss.Sign(map[string]any{"sub": "u-1"})
	for _, urlLogin := range []bool{true, false} {
		t.Run(fmt.Sprint("URLLogin=", urlLogin), func(t *testing.T) {
			cfg := iss.Config()
			cfg.URLLogin = urlLogin
			var sawQuery string
			cfg.TokenExtractor = func(r *http.Request) (string, error) {
				sawQuery = r.URL.RawQuery
				return fromXToken(r)
			}
			v := extractorVerifier(t, cfg)
			var nextURL, nextURI string
			h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				nextURL, nextURI = r.URL.String(), r.RequestURI
			}))
			for _, withToken := range []bool{true, false} {
				nextURL, nextURI = "", ""
				r := httptest.NewRequest(http.MethodGet, "/p?a=1&auth_token="+good+"&b=2", nil)
				if withToken {
					r.Header.Set("X-Token", good)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				assert.Equal(t, "a=1&auth_token="+good+"&b=2", sawQuery, "the extractor sees the request as it came")
				if !withToken {
					assert.Equal(t, http.StatusUnauthorized, w.Code, "auth_token is not read when an extractor is set")
					assert.Equal(t, urlLogin, !strings.Contains(r.URL.RawQuery, "auth_token"), "stripped whatever the outcome")
					continue
				}
				require.Equal(t, http.StatusOK, w.Code)
				if urlLogin {
					assert.Equal(t, "/p?a=1&b=2", nextURL)
					assert.Equal(t, "/p?a=1&b=2", nextURI)
				} else {
					assert.Contains(t, nextURL, "auth_token=")
				}
			}
		})
	}
}

func TestTokenExtractorNewMulti(t *testing.T) {
	a, b := jwtauthtest.NewIssuer(t), jwtauthtest.NewIssuer(t)
	ca, cb := a.Config(), b.Config()
	cb.TokenExtractor = fromXToken
	_, err := jwtauth.NewMulti(ca, cb)
	require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "TokenExtractor")

	ca.TokenExtractor, cb.TokenExtractor = fromXToken, nil
	v, err := jwtauth.NewMulti(ca, cb)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Token", b.Sign(map[string]any{"sub": "u-2"}))
	id, err := v.VerifyRequest(r)
	require.NoError(t, err)
	assert.Equal(t, b.URL(), id.Issuer)
}
