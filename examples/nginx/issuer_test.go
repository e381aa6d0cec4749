package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// These tests run the auth_request endpoint against a jwtauthtest issuer,
// the way a service's own tests would: keys found by OIDC discovery over
// TLS, tokens signed at the current time. The other tests of this package
// use the examples' fixed-clock fixtures (examples/internal/exampletest),
// which give ini files with inline keys for run.

// newIssuerAuthServer returns an auth server trusting iss, mapping
// preferred_username, email and role (strictly: no role, 403).
func newIssuerAuthServer(t *testing.T, iss *jwtauthtest.Issuer) *authServer {
	t.Helper()
	cfg := iss.Config()
	cfg.UsernameClaim = "preferred_username"
	cfg.EmailClaim = "email"
	cfg.RoleAttributePath = "role"
	cfg.RoleAttributeStrict = true
	a, err := newAuthServer(cfg, false, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	return a
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

func TestIssuerAuth(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	a := newIssuerAuthServer(t, iss)
	alice := map[string]any{"sub": "sub-alice", "preferred_username": "alice", "email": "alice@example.test", "role": "Viewer"}

	rec := auth(t, a, bearer(iss.Sign(alice)))
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assert.Equal(t, map[string]string{
		"X-Auth-User":  "alice",
		"X-Auth-Email": "alice@example.test",
		"X-Auth-Role":  "Viewer",
	}, authHeaders(rec.Header()))

	expired := map[string]any{"exp": time.Now().Add(-time.Hour).Unix(), "iat": time.Now().Add(-2 * time.Hour).Unix()}
	noRole := map[string]any{"sub": "sub-bob", "preferred_username": "bob"}
	other := jwtauthtest.NewIssuer(t) // another provider, same kid
	for _, tc := range []struct {
		name   string
		tok    string
		status int
		auth   string
	}{
		{"expired", iss.Sign(expired), http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"no role, strict", iss.Sign(noRole), http.StatusForbidden, `Bearer error="insufficient_scope"`},
		{"another provider's key", other.Sign(map[string]any{"sub": "mallory", "iss": iss.URL(), "role": "Admin"}), http.StatusUnauthorized, `Bearer error="invalid_token"`},
	} {
		rec := auth(t, a, bearer(tc.tok))
		assert.Equal(t, tc.status, rec.Code, tc.name)
		assert.Equal(t, tc.auth, rec.Header().Get("WWW-Authenticate"), tc.name)
		assert.Empty(t, authHeaders(rec.Header()), tc.name)
	}

	// After the provider rotates its key, tokens of the new kid verify at
	// once, with one more key set fetch. (The other provider's token
	// already cost one: a signature failing with a known kid refreshes the
	// set, once per MinRefreshInterval, which iss.Config sets to 1 ns.)
	fetches := iss.Fetches()
	iss.Rotate()
	rec = auth(t, a, bearer(iss.Sign(alice)))
	assert.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assert.Equal(t, fetches+1, iss.Fetches())
}
