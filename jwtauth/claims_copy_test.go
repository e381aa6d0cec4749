package jwtauth_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

func nestedClaims() jwttest.Claims {
	c := jwttest.Default()
	c["name"] = "Alice"
	c["groups"] = []any{"a", "b"}
	c["realm_access"] = map[string]any{"roles": []any{"viewer", map[string]any{"org": "1"}}}
	return c
}

// asJSON is claims as a JSON decoder returns them (numbers float64).
func asJSON(t testing.TB, c jwttest.Claims) map[string]any {
	t.Helper()
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// mutate writes to every level of an Identity's claims.
func mutate(id *jwtauth.Identity) {
	c := id.Claims
	c["name"] = "Mallory"
	c["injected"] = true
	delete(c, "exp")
	c["groups"].([]any)[0] = "admins"
	ra := c["realm_access"].(map[string]any)
	ra["extra"] = 1.0
	roles := ra["roles"].([]any)
	roles[0] = "admin"
	roles[1].(map[string]any)["org"] = "2"
}

// A caller writing to Identity.Claims, at the top or nested, changes
// nothing that a later cache hit returns.
func TestClaimsWritesDoNotReachCache(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), Now: jwttest.Clock()})
	tok := k.Sign(nestedClaims())
	want := asJSON(t, nestedClaims())

	id, err := verify(t, v, tok) // miss: the caller's claims were decoded for it
	require.NoError(t, err)
	require.Equal(t, want, id.Claims)
	mutate(id)

	for i := range 3 { // hits
		id, err = verify(t, v, tok)
		require.NoError(t, err)
		require.Equal(t, want, id.Claims, "hit %d", i)
		mutate(id)
	}
	assert.Equal(t, uint64(3), v.Stats().TokenCacheHits)
}

// Concurrent writers to the claims of the same cached token each have
// their own copy (run with -race).
func TestClaimsConcurrentWriters(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), Now: jwttest.Clock()})
	tok := k.Sign(nestedClaims())
	want := asJSON(t, nestedClaims())
	_, err := verify(t, v, tok)
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 200 {
				id, err := v.Verify(t.Context(), tok)
				if err != nil {
					errs <- err
					return
				}
				mutate(id)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	id, err := verify(t, v, tok)
	require.NoError(t, err)
	assert.Equal(t, want, id.Claims)
}
