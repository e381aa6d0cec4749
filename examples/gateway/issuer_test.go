package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// These tests run the gateway against a jwtauthtest issuer, the way a
// service's own tests would: keys found by OIDC discovery over TLS, tokens
// signed at the current time. The other tests of this package use the
// examples' fixed-clock fixtures (examples/internal/exampletest), which
// they need for exact cookie lifetimes and ini files with inline keys.

func TestIssuerTokenForwarded(t *testing.T) {
	e := newIssuerEnv(t)
	tok := e.iss.Sign(map[string]any{"sub": "sub-alice", "preferred_username": "alice", "email": "alice@example.test"})
	require.Equal(t, http.StatusOK, e.get(t, "Bearer "+tok))

	got := e.up.Last(t)
	assert.Equal(t, "alice", got.Header.Get("X-Webauth-User"))
	assert.Equal(t, "alice@example.test", got.Header.Get("X-Webauth-Email"))
	assert.Empty(t, got.Header.Values("Authorization"), "the token header is not forwarded")
}

// A provider that rotates its key: tokens of the new kid verify at once
// (one more key set fetch), and those the old key signed still do while
// the provider publishes it.
func TestIssuerKeyRotation(t *testing.T) {
	e := newIssuerEnv(t)
	claims := map[string]any{"sub": "sub-alice", "preferred_username": "alice"}
	before := e.iss.Sign(claims)
	require.Equal(t, http.StatusOK, e.get(t, "Bearer "+before))
	require.Equal(t, 1, e.iss.Fetches())

	e.iss.Rotate()
	after := e.iss.Sign(claims)
	require.NotEqual(t, before, after)
	assert.Equal(t, http.StatusOK, e.get(t, "Bearer "+after))
	assert.Equal(t, http.StatusOK, e.get(t, "Bearer "+before))
	assert.Equal(t, 2, e.iss.Fetches(), "one fetch for the new kid")
	assert.Equal(t, 3, e.up.Count())
}

// A token from another provider, whose key has the trusted key's kid, is
// refused on its signature, before any claim is read, whatever iss it
// claims; it never reaches the upstream.
func TestIssuerOtherProviderRefused(t *testing.T) {
	e := newIssuerEnv(t)
	other := jwtauthtest.NewIssuer(t) // its key has the same kid, jwtauthtest-1
	for name, tok := range map[string]string{
		"its own iss":     other.Sign(map[string]any{"sub": "mallory", "preferred_username": "admin"}),
		"the trusted iss": other.Sign(map[string]any{"sub": "mallory", "preferred_username": "admin", "iss": e.iss.URL()}),
	} {
		assert.Equal(t, http.StatusUnauthorized, e.get(t, "Bearer "+tok), name)
	}
	assert.Zero(t, e.up.Count(), "no refused request reaches the upstream")
	assert.Equal(t, map[string]uint64{"ErrSignature": 2}, e.gw.v.Stats().Refused)
}
