package jwtauth_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// TokenCacheSize is the cache's exact bound, below the shard count too.
func TestTokenCacheSizeHonoured(t *testing.T) {
	k := jwttest.HMAC("HS256", []byte(strings.Repeat("s", 32)), "h")
	hdr := []byte(`{"alg":"HS256","kid":"h"}`)
	exp := strconv.FormatInt(jwttest.Unix(time.Hour), 10)
	tok := func(i int) string {
		return k.SignRaw("HS256", hdr, []byte(`{"sub":"alice","exp":`+exp+`,"jti":"`+strconv.Itoa(i)+`"}`))
	}
	for _, size := range []int{1, 2, 3, 15, 16, 17, 20, 100} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), TokenCacheSize: size, Now: jwttest.Clock()})
			// Enough distinct tokens to fill every shard many times over.
			for i := range 20*size + 50 {
				_, err := verify(t, v, tok(i))
				require.NoError(t, err)
			}
			assert.Equal(t, size, v.Stats().TokenCacheSize)

			// The cache still works at that size: the last token hits.
			last := tok(-1)
			for range 2 {
				_, err := verify(t, v, last)
				require.NoError(t, err)
			}
			assert.Equal(t, uint64(1), v.Stats().TokenCacheHits)
			assert.Equal(t, size, v.Stats().TokenCacheSize)
		})
	}
}
