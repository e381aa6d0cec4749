package jwtauth_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// A cache hit re-checks that the verifying key is still in the key set;
// that must recognise every key type, the byte-slice ones (HMAC secrets,
// Ed25519 public keys) as well as the pointer ones.
func TestTokenCacheHitForEveryKeyType(t *testing.T) {
	for _, k := range []*jwttest.Key{
		jwttest.RSA("cachekey", 2048, "r"),
		jwttest.EC("cachekey", "ES256", "e"),
		jwttest.Ed25519(3, "d"),
		jwttest.HMAC("HS256", []byte(strings.Repeat("c", 32)), "h"),
	} {
		t.Run(k.Alg, func(t *testing.T) {
			v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), Algorithms: []string{k.Alg}, TokenCacheSize: 10})
			tok := k.Sign(jwttest.Default())
			for range 2 {
				_, err := v.Verify(t.Context(), tok)
				require.NoError(t, err)
			}
			assert.Equal(t, uint64(1), v.Stats().TokenCacheHits)
		})
	}
}
