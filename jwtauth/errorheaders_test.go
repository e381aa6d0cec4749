package jwtauth_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// customHandler restyles the body only, as SetErrorHeaders intends.
func customHandler(w http.ResponseWriter, r *http.Request, err error) {
	jwtauth.SetErrorHeaders(w.Header(), err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(jwtauth.StatusCode(err))
	fmt.Fprintln(w, "denied:", jwtauth.ReasonName(err))
}

// bodyHeaders describe the body, which is the custom handler's business.
var bodyHeaders = []string{"Content-Type", "Content-Length", "X-Content-Type-Options"}

// sameHeaders asserts that the custom handler's headers, body headers
// aside, are byte for byte DefaultErrorHandler's for err.
func sameHeaders(t *testing.T, err error) http.Header {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	def, cus := httptest.NewRecorder(), httptest.NewRecorder()
	jwtauth.DefaultErrorHandler(def, r, err)
	customHandler(cus, r, err)
	require.Equal(t, def.Code, cus.Code)
	dh, ch := def.Result().Header, cus.Result().Header
	for _, h := range bodyHeaders {
		dh.Del(h)
		ch.Del(h)
	}
	require.Equal(t, dh, ch, "err %v", err)
	require.NotEmpty(t, dh, "every error sets at least Cache-Control")
	return dh
}

func TestSetErrorHeadersEverySentinel(t *testing.T) {
	sentinels := slices.Concat(allSentinels, []error{jwtauth.ErrInsufficientScope, jwtauth.ErrDPoP, jwtauth.ErrCertBinding})
	for _, s := range sentinels {
		t.Run(jwtauth.ReasonName(s), func(t *testing.T) {
			for _, err := range []error{s, &jwtauth.ValidationError{Reason: s, Detail: "d"}, fmt.Errorf("wrapped: %w", s)} {
				h := sameHeaders(t, err)
				assert.Equal(t, "no-store", h.Get("Cache-Control"))
			}
		})
	}
}

// Errors as a Verifier returns them, through Middleware with each handler.
func TestSetErrorHeadersFromVerifier(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	t.Cleanup(down.Close)

	strict := iss.Config()
	strict.RoleAttributePath = "role"
	strict.RoleAttributeStrict = true
	unavailable := jwtauth.Config{JWKSetURL: down.URL, InsecureAllowHTTP: true}
	good := iss.Sign(map[string]any{"sub": "u-1", "role": "Viewer"})

	cases := []struct {
		name   string
		cfg    jwtauth.Config
		auth   string
		status int
		want   http.Header
	}{
		{"no token", iss.Config(), "", 401, http.Header{"Www-Authenticate": {"Bearer"}}},
		{"malformed", iss.Config(), "Bearer x", 401, http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}},
		{"expired", iss.Config(), "Bearer " + iss.Sign(map[string]any{"sub": "u-1", "exp": time.Now().Add(-time.Hour).Unix()}), 401,
			http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}},
		{"no role", strict, "Bearer " + iss.Sign(map[string]any{"sub": "u-1"}), 403,
			http.Header{"Www-Authenticate": {`Bearer error="insufficient_scope"`}}},
		{"keys unavailable", unavailable, "Bearer " + good, 503, http.Header{"Retry-After": {"30"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got [2]*httptest.ResponseRecorder
			for i, handler := range []func(http.ResponseWriter, *http.Request, error){nil, customHandler} {
				cfg := tc.cfg
				cfg.ErrorHandler = handler
				v, err := jwtauth.New(cfg)
				require.NoError(t, err)
				t.Cleanup(func() { _ = v.Close() })
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				if tc.auth != "" {
					r.Header.Set("Authorization", tc.auth)
				}
				got[i] = httptest.NewRecorder()
				v.Middleware(http.NotFoundHandler()).ServeHTTP(got[i], r)
			}
			def, cus := got[0].Result().Header, got[1].Result().Header
			assert.Equal(t, "application/json; charset=utf-8", def.Get("Content-Type"))
			assert.Equal(t, "text/plain; charset=utf-8", cus.Get("Content-Type"))
			for _, h := range bodyHeaders {
				def.Del(h)
				cus.Del(h)
			}
			assert.Equal(t, tc.status, got[0].Code)
			assert.Equal(t, got[0].Code, got[1].Code)
			assert.Equal(t, def, cus)
			tc.want.Set("Cache-Control", "no-store")
			assert.Equal(t, tc.want, def)
		})
	}
}
