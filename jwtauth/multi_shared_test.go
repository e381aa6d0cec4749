package jwtauth_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// multiINI is two issuers as LoadINIAll returns them.
func multiINI(t testing.TB, a, b *jwttest.Key) []jwtauth.Config {
	t.Helper()
	ini := fmt.Sprintf(`
[auth.jwt]
enabled = true
jwk_set_value = %s
expect_claims = {"iss": %q}

[auth.jwt.k8s]
enabled = true
jwk_set_value = %s
expect_claims = {"iss": %q}
`, jwksValue(a), issA, jwksValue(b), issB)
	cfgs, err := jwtauth.ParseINIAll([]byte(ini), nil)
	require.NoError(t, err)
	require.Len(t, cfgs, 2)
	return cfgs
}

// Setting the same Now, Logger and ErrorHandler on every config in a loop,
// as a user of LoadINIAll does, is accepted, and so are shared fields
// spelled differently but meaning the same.
func TestNewMultiSameValuesOnEveryConfig(t *testing.T) {
	a := jwttest.RSA("issA", 2048, "a-1")
	b := jwttest.EC("issB", "ES256", "b-1")
	cfgs := multiINI(t, a, b)
	clock := jwttest.Clock()
	log := slog.New(slog.DiscardHandler)
	for i := range cfgs {
		cfgs[i].Now = clock
		cfgs[i].Logger = log
		cfgs[i].ErrorHandler = jwtauth.DefaultErrorHandler
	}
	cfgs[1].HeaderName = "authorization" // config 0 leaves it at its default
	cfgs[1].TokenCacheSize = 4096        // config 0's 0 means 4096
	v, err := jwtauth.NewMulti(cfgs...)
	require.NoError(t, err)
	defer v.Close()
	_, err = verify(t, v, b.Sign(map[string]any{"iss": issB, "sub": "sa", "exp": jwttest.Unix(time.Hour)}))
	require.NoError(t, err)

	cfgs[1].HeaderName = "X-Token"
	_, err = jwtauth.NewMulti(cfgs...)
	requireOnly(t, err, jwtauth.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "config 1: HeaderName differs from config 0")
}

// Each config's clock decides its own tokens' times; a config without one
// uses config 0's.
func TestNewMultiPerConfigClock(t *testing.T) {
	a := jwttest.RSA("issA", 2048, "a-1")
	b := jwttest.EC("issB", "ES256", "b-1")
	cfgs := multiINI(t, a, b)
	cfgs[0].Now = jwttest.Clock()
	cfgs[1].Now = func() time.Time { return jwttest.Epoch.Add(2 * time.Hour) }
	v, err := jwtauth.NewMulti(cfgs...)
	require.NoError(t, err)
	defer v.Close()

	exp := jwttest.Unix(time.Hour)
	_, err = verify(t, v, a.Sign(map[string]any{"iss": issA, "sub": "u", "exp": exp}))
	require.NoError(t, err)
	_, err = verify(t, v, b.Sign(map[string]any{"iss": issB, "sub": "sa", "exp": exp}))
	requireOnly(t, err, jwtauth.ErrExpired)

	cfgs[1].Now = nil // config 0's clock
	v2, err := jwtauth.NewMulti(cfgs...)
	require.NoError(t, err)
	defer v2.Close()
	_, err = verify(t, v2, b.Sign(map[string]any{"iss": issB, "sub": "sa", "exp": exp}))
	require.NoError(t, err)
}

// A config's ErrorHandler and Logger handle the refusals of the tokens
// routed to its issuer; refusals before routing go to config 0's.
func TestNewMultiPerConfigHandlerAndLogger(t *testing.T) {
	a := jwttest.RSA("issA", 2048, "a-1")
	b := jwttest.EC("issB", "ES256", "b-1")
	cfgs := multiINI(t, a, b)
	var logA, logB bytes.Buffer
	cfgs[0].Now = jwttest.Clock()
	cfgs[0].Logger = slog.New(slog.NewTextHandler(&logA, nil))
	cfgs[1].Logger = slog.New(slog.NewTextHandler(&logB, nil))
	cfgs[1].ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		http.Error(w, "issuer b refused", http.StatusTeapot)
	}
	v, err := jwtauth.NewMulti(cfgs...)
	require.NoError(t, err)
	defer v.Close()

	run := func(token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		rec, _, _ := serve(v, r)
		return rec
	}

	// Routed to b, refused (expired): b's handler and logger.
	rec := run(b.Sign(map[string]any{"iss": issB, "sub": "sa", "exp": jwttest.Unix(-time.Hour)}))
	assert.Equal(t, http.StatusTeapot, rec.Code)
	assert.Equal(t, "issuer b refused\n", rec.Body.String())
	assert.Contains(t, logB.String(), "reason=ErrExpired")
	assert.NotContains(t, logA.String(), "ErrExpired")

	// Routed to a, refused: config 0's (default) handler and logger.
	rec = run(a.Sign(map[string]any{"iss": issA, "sub": "u", "exp": jwttest.Unix(-time.Hour)}))
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, `Bearer error="invalid_token"`, rec.Header().Get("WWW-Authenticate"))
	assert.Contains(t, logA.String(), "reason=ErrExpired")

	// Refused before routing (unknown issuer): config 0's.
	logA.Reset()
	logB.Reset()
	rec = run(b.Sign(map[string]any{"iss": "https://other.example", "sub": "x"}))
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Contains(t, logA.String(), "reason=ErrClaimMismatch")
	assert.Empty(t, logB.String())
}
