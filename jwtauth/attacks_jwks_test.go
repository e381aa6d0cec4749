package jwtauth_test

import (
	"context"
	"crypto/rand"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// Attack catalog entries (see attacks_test.go) for JWKS fetching: transport, hostile
// responses and fetch storms.

func TestAttackJWKS(t *testing.T) {
	t.Run("ATK-15_non_https_jwks_url", testATK15)
	t.Run("ATK-17_hostile_jwks_responses", testATK17)
	t.Run("ATK-30_jwks_fetch_storms", testATK30)
}

// atkTLSServer starts an httptest TLS server, writes its certificate to a
// temporary PEM file for TLSClientCA, and counts requests.
func atkTLSServer(t testing.TB, h http.Handler) (srv *httptest.Server, caFile string, hits *atomic.Int64) {
	t.Helper()
	hits = new(atomic.Int64)
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	f, err := os.Create(caFile)
	require.NoError(t, err)
	require.NoError(t, pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	require.NoError(t, f.Close())
	return srv, caFile, hits
}

func atkJWKSHandler(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// ------------------------------------------- D. key material and JWKS fetching

func testATK15(t *testing.T) {
	for name, u := range map[string]string{
		"http":          "http://idp.example.com/jwks",
		"file":          "file:///etc/passwd",
		"ftp":           "ftp://idp.example.com/jwks",
		"gopher":        "gopher://idp.example.com/jwks",
		"https_no_host": "https:///jwks",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := atkConfig()
			cfg.JWKSetValue, cfg.JWKSetURL = "", u
			v, err := jwtauth.New(cfg)
			require.Nil(t, v)
			requireOnly(t, err, jwtauth.ErrInvalidConfig)
			require.ErrorContains(t, err, "JWKSetURL")
		})
	}
	t.Run("http_with_InsecureAllowHTTP", func(t *testing.T) {
		var hits atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			_, _ = w.Write(jwttest.JWKS(atkGood))
		}))
		defer srv.Close()
		cfg := atkConfig()
		cfg.JWKSetValue, cfg.JWKSetURL, cfg.InsecureAllowHTTP = "", srv.URL+"/jwks", true
		v, err := jwtauth.New(cfg)
		require.NoError(t, err)
		require.Zero(t, hits.Load(), "New did network I/O")
		require.NoError(t, v.Close())
		require.Zero(t, hits.Load(), "Close did network I/O")
	})
}

func testATK17(t *testing.T) {
	remote := func(t *testing.T, handler http.Handler) (*atkHarness, *atomic.Int64) {
		srv, ca, hits := atkTLSServer(t, handler)
		h := atkNewHarness(t, func(c *jwtauth.Config) {
			c.JWKSetValue, c.JWKSetURL, c.TLSClientCA = "", srv.URL+"/jwks", ca
		})
		return h, hits
	}

	t.Run("a_huge_body", func(t *testing.T) {
		const total = 64 << 20
		var written atomic.Int64
		h, hits := remote(t, jwttest.HugeJWKS(total, &written))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := h.verify(t, atkToken())
		runtime.ReadMemStats(&after)
		requireOnly(t, err, jwtauth.ErrKeysUnavailable)
		require.Equal(t, http.StatusServiceUnavailable, jwtauth.StatusCode(err))
		require.GreaterOrEqual(t, hits.Load(), int64(1))
		// The default body limit is 1 MiB; TLS buffers and the server's own
		// writes share the process, so the bound is generous but far below
		// the 64 MiB the server offers.
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("allocated %d bytes; the server wrote %d of %d bytes", alloc, written.Load(), total)
		require.Less(t, alloc, uint64(16<<20), "allocated %d bytes reading a hostile body", alloc)
		require.Less(t, written.Load(), int64(total), "the whole 64 MiB body was read")
		res := h.serve(t, atkBearer(atkToken()))
		requireOnly(t, res.err, jwtauth.ErrKeysUnavailable)
		atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrKeysUnavailable)
	})

	slow := func(t *testing.T, trickle bool) {
		done := make(chan struct{})
		var once sync.Once
		stalled := jwttest.StalledJWKS(trickle)
		srv, ca, hits := atkTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer once.Do(func() { close(done) })
			stalled(w, r)
		}))
		cfg := atkConfig()
		cfg.JWKSetValue, cfg.JWKSetURL, cfg.TLSClientCA = "", srv.URL+"/jwks", ca
		v, err := jwtauth.New(cfg)
		require.NoError(t, err)
		closed := false
		defer func() {
			if !closed {
				_ = v.Close()
			}
		}()

		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		result := make(chan error, 1)
		go func() {
			_, err := v.Verify(ctx, atkToken())
			result <- err
		}()
		// A generous watchdog instead of a timing assertion: the test fails
		// rather than hangs if Verify ignores its deadline.
		select {
		case err = <-result:
		case <-time.After(30 * time.Second):
			t.Fatal("Verify did not return after its 2 s deadline")
		}
		requireOnly(t, err, jwtauth.ErrKeysUnavailable)
		require.Equal(t, http.StatusServiceUnavailable, jwtauth.StatusCode(err))
		require.GreaterOrEqual(t, hits.Load(), int64(1))

		require.NoError(t, v.Close())
		closed = true
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the server never saw the connection closed after Close")
		}
	}
	t.Run("b_never_writes", func(t *testing.T) { slow(t, false) })
	t.Run("b_trickles_1_byte_per_second", func(t *testing.T) { slow(t, true) })

	ecKey := jwttest.EC("ec", "ES256", "good").JWK(false)
	ecKey["kty"] = "foo"
	for name, body := range map[string][]byte{
		"c_html":         []byte("<!doctype html><html><body><h1>Sign in</h1></body></html>"),
		"c_error_object": []byte(`{"error":"x"}`),
		"c_keys_string":  []byte(`{"keys":"x"}`),
		"c_keys_empty":   []byte(`{"keys":[]}`),
		"c_null":         []byte(`null`),
		"c_kty_foo":      jwttest.JWKSOf(ecKey),
	} {
		t.Run(name, func(t *testing.T) {
			h, hits := remote(t, atkJWKSHandler(body))
			err := h.refused(t, atkToken(), jwtauth.ErrKeysUnavailable)
			require.Equal(t, http.StatusServiceUnavailable, jwtauth.StatusCode(err))
			require.GreaterOrEqual(t, hits.Load(), int64(1))
		})
	}
}

// ---------------------------------------------------- F. resource exhaustion

func testATK30(t *testing.T) {
	body := jwttest.JWKS(atkGood)
	randomKID := func() string {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		return "k-" + jwttest.B64(b)
	}
	t.Run("a_spray_then_c_refresh", func(t *testing.T) {
		srv, ca, hits := atkTLSServer(t, atkJWKSHandler(body))
		clk := jwttest.NewFakeClock(jwttest.Epoch)
		h := atkNewHarness(t, func(c *jwtauth.Config) {
			c.JWKSetValue, c.JWKSetURL, c.TLSClientCA, c.Now = "", srv.URL+"/jwks", ca, clk.Now
		})
		h.served(t, atkToken(), "alice")
		toks := make([]string, 1000)
		for i := range toks {
			toks[i] = atkAttacker.WithKID(randomKID()).Sign(jwttest.Default())
		}
		for _, tok := range toks[:500] {
			_, err := h.verify(t, tok)
			requireOnly(t, err, jwtauth.ErrUnknownKey)
		}
		var wg sync.WaitGroup
		errs := make([]error, 500)
		for g := range 50 {
			wg.Go(func() {
				for i := g; i < 500; i += 50 {
					ctx, cancel := context.WithTimeout(context.Background(), atkTimeout)
					_, errs[i] = h.v.Verify(ctx, toks[500+i])
					cancel()
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			requireOnly(t, err, jwtauth.ErrUnknownKey)
		}
		t.Logf("%d fetches", hits.Load())
		require.LessOrEqual(t, hits.Load(), int64(2), "fetches after 1 valid and 1000 random-kid tokens")

		t.Run("c_after_MinRefreshInterval", func(t *testing.T) {
			before := hits.Load()
			clk.Advance(31 * time.Second) // default MinRefreshInterval is 30s
			_, err := h.verify(t, atkAttacker.WithKID(randomKID()).Sign(jwttest.Default()))
			requireOnly(t, err, jwtauth.ErrUnknownKey)
			require.LessOrEqual(t, hits.Load()-before, int64(1))
		})
	})
	t.Run("b_stampede", func(t *testing.T) {
		srv, ca, hits := atkTLSServer(t, atkJWKSHandler(body))
		h := atkNewHarness(t, func(c *jwtauth.Config) {
			c.JWKSetValue, c.JWKSetURL, c.TLSClientCA = "", srv.URL+"/jwks", ca
		})
		tok := atkToken()
		var wg sync.WaitGroup
		ids := make([]*jwtauth.Identity, 64)
		errs := make([]error, 64)
		start := make(chan struct{})
		for i := range 64 {
			wg.Go(func() {
				<-start
				ctx, cancel := context.WithTimeout(context.Background(), atkTimeout)
				defer cancel()
				ids[i], errs[i] = h.v.Verify(ctx, tok)
			})
		}
		close(start)
		wg.Wait()
		for i := range 64 {
			require.NoError(t, errs[i])
			require.Equal(t, "alice", ids[i].Subject)
		}
		require.Equal(t, int64(1), hits.Load())
	})
}
