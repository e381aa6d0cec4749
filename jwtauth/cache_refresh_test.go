package jwtauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// A refetch of an unchanged key set builds new key objects; the cached
// tokens of keys whose material is unchanged stay cached, and those of a
// key replaced under the same kid do not.
func TestTokenCacheKeptAcrossRefresh(t *testing.T) {
	for _, tc := range []struct {
		name      string
		key, next *jwttest.Key
	}{
		{"RS256", jwttest.RSA("good", 2048, "k"), jwttest.RSA("other", 2048, "k")},
		{"ES256", jwttest.EC("ec", "ES256", "k"), jwttest.EC("ec2", "ES256", "k")},
		{"EdDSA", jwttest.Ed25519(1, "k"), jwttest.Ed25519(2, "k")},
		{"HS256", jwttest.HMAC("HS256", []byte(strings.Repeat("a", 32)), "k"), jwttest.HMAC("HS256", []byte(strings.Repeat("b", 32)), "k")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body atomic.Pointer[[]byte]
			set := func(k *jwttest.Key) { b := jwttest.JWKS(k); body.Store(&b) }
			set(tc.key)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(*body.Load())
			}))
			t.Cleanup(srv.Close)
			v := newV(t, jwtauth.Config{JWKSetURL: srv.URL, InsecureAllowHTTP: true, Now: jwttest.Clock()})
			tok := tc.key.Sign(jwttest.Default())

			for range 2 {
				_, err := verify(t, v, tok)
				require.NoError(t, err)
			}
			require.Equal(t, uint64(1), v.Stats().TokenCacheHits)

			require.NoError(t, v.Refresh(t.Context())) // same keys, new objects
			for range 2 {
				_, err := verify(t, v, tok)
				require.NoError(t, err)
			}
			s := v.Stats()
			assert.Equal(t, uint64(3), s.TokenCacheHits, "entry dropped by a refetch of unchanged keys")
			assert.Equal(t, 1, s.TokenCacheSize)
			assert.GreaterOrEqual(t, s.Keys.Fetches, uint64(2))

			set(tc.next) // same kid, another key
			require.NoError(t, v.Refresh(t.Context()))
			_, err := verify(t, v, tok)
			requireOnly(t, err, jwtauth.ErrSignature)
			assert.Equal(t, uint64(3), v.Stats().TokenCacheHits)
		})
	}
}
