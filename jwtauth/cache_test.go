package jwtauth_test

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// A spray of 100 000 unique valid tokens keeps the cache at its bound and
// the heap bounded (a generous bound on live heap, not a timing).
func TestTokenCacheBoundedUnderSpray(t *testing.T) {
	k := jwttest.HMAC("HS256", []byte(strings.Repeat("s", 32)), "h")
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), TokenCacheSize: 1000})
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	// Prebuilt header and claims template keep signing cheap.
	hdr := []byte(`{"alg":"HS256","kid":"h"}`)
	prefix := `{"sub":"alice","exp":` + strconv.FormatInt(jwttest.Unix(time.Hour), 10) + `,"jti":"`
	before := heap()
	const n = 100_000
	for i := range n {
		tok := k.SignRaw("HS256", hdr, []byte(prefix+strconv.Itoa(i)+`","pad":"`+strings.Repeat("x", 200)+`"}`))
		if _, err := v.Verify(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	after := heap()
	s := v.Stats()
	assert.LessOrEqual(t, s.TokenCacheSize, 1000, "entries stay within the bound")
	assert.Equal(t, uint64(n), s.Verified)
	growth := int64(after) - int64(before)
	// 1000 entries of ~0.5 KiB token + claims: a few MiB at most; 100 000
	// unbounded entries would be well over 50 MiB.
	assert.Less(t, growth, int64(16<<20), "heap grew by %d bytes", growth)
	t.Logf("heap growth after %d unique tokens: %d KiB; cache entries %d", n, growth>>10, s.TokenCacheSize)
}

func TestTokenCacheSkipsLargeTokens(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
	c := jwttest.Default()
	c["blob"] = strings.Repeat("b", 9<<10)
	tok := k.Sign(c)
	require.Greater(t, len(tok), 8<<10)
	for range 2 {
		_, err := verify(t, v, tok)
		require.NoError(t, err)
	}
	assert.Zero(t, v.Stats().TokenCacheHits)
	assert.Zero(t, v.Stats().TokenCacheSize)
}
