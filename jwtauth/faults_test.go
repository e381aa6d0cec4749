package jwtauth_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// Fault injection for remote key sets, end to end: a jwtauth.Verifier
// fetching from a loopback IdP whose behaviour the test switches, with a
// clock the test moves, so TTL, rate limits, backoff and MaxStale are
// crossed without waiting for them. Network timeouts use the real clock and
// are kept short. Each scenario logs its figures as
// "requests tried / failed / IdP fetches".

// Short names for jwttest's fault server, which observability_test.go
// uses too.
type faultIdP struct{ *jwttest.FaultServer }

func newFaultIdP(h http.Handler) *faultIdP      { return &faultIdP{jwttest.NewFaultServer(h)} }
func (p *faultIdP) set(h http.Handler)          { p.Serve(h) }
func faultJWKS(ks ...*jwttest.Key) http.Handler { return jwttest.ServeJWKS("", ks...) }

var (
	faultStatus = jwttest.ServeStatus
	faultBody   = jwttest.ServeBody
)

// faultHTTP serves h over plain http on loopback.
func faultHTTP(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// faultHTTPS serves h over TLS on loopback and returns the PEM file of its
// certificate, for Config.TLSClientCA.
func faultHTTPS(t testing.TB, h http.Handler) (*httptest.Server, string) {
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "idp-ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	return srv, ca
}

// faultTokens signs n valid tokens with k, one subject each.
func faultTokens(k *jwttest.Key, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = k.Sign(map[string]any{
			"sub": fmt.Sprintf("user-%d", i),
			"iat": jwttest.Unix(-time.Minute),
			"exp": jwttest.Unix(48 * time.Hour), // outlives every clock jump below
		})
	}
	return out
}

// faultOnly reports whether err matches want and no other sentinel (the
// goroutine-safe form of requireOnly).
func faultOnly(err, want error) bool {
	if !errors.Is(err, want) {
		return false
	}
	for _, s := range allSentinels {
		if s != want && errors.Is(err, s) {
			return false
		}
	}
	return true
}

// faultWait polls cond every few milliseconds until it holds (background
// fetches finish on their own goroutine). Its one-minute limit is a
// watchdog against a hang, not a timing assertion.
func faultWait(t testing.TB, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			require.FailNow(t, "timed out waiting: "+what)
		case <-tick.C:
		}
	}
}

// faultFigures are what a scenario reports.
type faultFigures struct {
	tried, failed, fetches int64
	note                   string
}

func (f faultFigures) log(t *testing.T) {
	t.Helper()
	t.Logf("figures: requests tried %d / failed %d / IdP fetches %d%s", f.tried, f.failed, f.fetches, f.note)
}

func TestFaultInjection(t *testing.T) {
	t.Run("rotation_under_load", testFaultRotation)
	t.Run("rotation_first_use_race", testFaultRotationFirstUse)
	t.Run("outage_longer_than_ttl", testFaultOutage)
	t.Run("slow_drip_body", testFaultSlowDrip)
	t.Run("redirect_to_http", testFaultRedirectToHTTP)
	t.Run("random_kid_spray", testFaultRandomKids)
	t.Run("memory_bounds", testFaultMemory)
}

// testFaultRotation: the IdP serves {k1}, then {k1,k2} while still signing
// with k1, then signs with k2, then retires k1; 16 goroutines verify the
// current tokens throughout. A transition runs between verifications (a
// write lock), so every token verified is one the IdP's schedule makes
// valid at that moment.
func testFaultRotation(t *testing.T) {
	const (
		workers    = 16
		perWorker  = 200
		phaseLen   = workers * perWorker / 5
		ttl        = 10 * time.Minute
		minRefresh = 30 * time.Second
	)
	k1 := jwttest.EC("fault-rot-1", "ES256", "rot-k1")
	k2 := jwttest.EC("fault-rot-2", "ES256", "rot-k2")
	idp := jwttest.NewFaultServer(jwttest.ServeJWKS("", k1))
	srv, ca := faultHTTPS(t, idp)
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	v := newV(t, jwtauth.Config{
		JWKSetURL:          srv.URL + "/jwks",
		TLSClientCA:        ca,
		Algorithms:         []string{"ES256"},
		CacheTTL:           ttl,
		MinRefreshInterval: minRefresh,
		Now:                clk.Now,
	})
	tokens := map[*jwttest.Key][]string{k1: faultTokens(k1, 8), k2: faultTokens(k2, 8)}

	var (
		mu       sync.RWMutex // held for writing by a transition
		signer   = k1
		done     atomic.Int64
		failed   atomic.Int64
		firstErr atomic.Pointer[error]
	)
	transition := func(phase int64) {
		switch phase {
		case 1: // publish k2 before anyone signs with it
			idp.Serve(jwttest.ServeJWKS("", k1, k2))
			clk.Advance(minRefresh + time.Second)
		case 2: // start signing with k2: the verifier still holds {k1}
			clk.Advance(minRefresh + time.Second)
			signer = k2
		case 3: // retire k1
			idp.Serve(jwttest.ServeJWKS("", k2))
			clk.Advance(minRefresh + time.Second)
		case 4: // past the TTL: the verifier picks up {k2}
			clk.Advance(ttl + time.Second)
		}
	}
	ctx := t.Context() // no deadline: go test's timeout is the watchdog
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				mu.RLock()
				toks := tokens[signer]
				_, err := v.Verify(ctx, toks[(w+i)%len(toks)])
				mu.RUnlock()
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, &err)
				}
				if n := done.Add(1); n%phaseLen == 0 {
					mu.Lock()
					transition(n / phaseLen)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()

	fig := faultFigures{tried: done.Load(), failed: failed.Load(), fetches: int64(idp.Hits())}
	fig.log(t)
	if p := firstErr.Load(); p != nil {
		t.Errorf("first failure: %v", *p)
	}
	assert.Equal(t, int64(workers*perWorker), fig.tried)
	assert.Zero(t, fig.failed, "valid tokens refused during rotation")
	// The first use, the unknown kid k2 once it is signed with (after the
	// rate limit has passed), and the expiry of the TTL.
	assert.Equal(t, int64(3), fig.fetches)
	assert.Equal(t, []string{"rot-k2"}, v.Stats().Keys.KeyIDs)

	// Retired for good: a k1 token no longer verifies, and asking again
	// within MinRefreshInterval does not reach the IdP.
	for range 2 {
		_, err := verify(t, v, tokens[k1][0])
		requireOnly(t, err, jwtauth.ErrUnknownKey)
	}
	assert.LessOrEqual(t, int64(idp.Hits()), int64(4))
}

// testFaultRotationFirstUse hammers the moment a new kid is first used:
// round after round the IdP publishes a new key, the clock passes
// MinRefreshInterval and 16 goroutines verify the first tokens of that key
// at once. One of them triggers the refresh, the others wait for it; none
// may be refused. Before the fix (callers rate-limited right after a
// refresh now re-read the new set) plain go test refused a few such tokens
// in most runs; -race changes the scheduling enough to hide it.
func testFaultRotationFirstUse(t *testing.T) {
	const (
		rounds  = 250
		workers = 16
	)
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	prev := jwttest.Ed25519(0, "first-0")
	idp := jwttest.NewFaultServer(jwttest.ServeJWKS("", prev))
	srv := faultHTTP(t, idp)
	v := newV(t, jwtauth.Config{
		JWKSetURL:         srv.URL + "/jwks",
		InsecureAllowHTTP: true,
		Algorithms:        []string{"EdDSA"},
		TokenCacheSize:    -1,
		Now:               clk.Now,
	})
	ctx := t.Context() // no deadline: go test's timeout is the watchdog
	var tried, failed atomic.Int64
	var firstErr atomic.Pointer[error]
	for round := 1; round <= rounds && failed.Load() == 0; round++ {
		k := jwttest.Ed25519(byte(round), fmt.Sprintf("first-%d", round))
		idp.Serve(jwttest.ServeJWKS("", prev, k))
		clk.Advance(31 * time.Second) // past the default MinRefreshInterval
		tok := faultTokens(k, 1)[0]
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				<-start
				for range 2 {
					_, err := v.Verify(ctx, tok)
					tried.Add(1)
					if err != nil {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, &err)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		prev = k
	}
	faultFigures{tried: tried.Load(), failed: failed.Load(), fetches: int64(idp.Hits())}.log(t)
	if p := firstErr.Load(); p != nil {
		t.Errorf("valid token of a just-published key refused: %v", *p)
	}
}

// testFaultOutage: after one good fetch the IdP fails in every way for
// longer than the TTL. Within MaxStale past expiry every valid token still
// verifies; after it, ErrKeysUnavailable (503 with Retry-After through the
// middleware); once the IdP recovers, service resumes at the next fetch
// MinRefreshInterval allows.
func testFaultOutage(t *testing.T) {
	const (
		ttl        = 5 * time.Minute
		minRefresh = 30 * time.Second
		maxStale   = time.Hour
		step       = 5*time.Minute + time.Second // beyond any backoff (capped at 5m)
		perStep    = 20
	)
	k := jwttest.EC("fault-outage", "ES256", "outage-k")
	good := jwttest.ServeJWKS("", k)
	idp := jwttest.NewFaultServer(good)
	srv := faultHTTP(t, idp)
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	v := newV(t, jwtauth.Config{
		JWKSetURL:          srv.URL + "/jwks",
		InsecureAllowHTTP:  true,
		HTTPClient:         &http.Client{Timeout: 300 * time.Millisecond},
		Algorithms:         []string{"ES256"},
		CacheTTL:           ttl,
		MinRefreshInterval: minRefresh,
		MaxStale:           maxStale,
		Now:                clk.Now,
	})
	toks := faultTokens(k, 4)
	var fig faultFigures
	run := func(n int) {
		t.Helper()
		for i := range n {
			fig.tried++
			if _, err := verify(t, v, toks[i%len(toks)]); err != nil {
				fig.failed++
				t.Errorf("at %s: valid token refused: %v", clk.Now().Sub(jwttest.Epoch), err)
			}
		}
	}
	fetchErrors := func() uint64 { return v.Stats().Keys.FetchErrors }

	run(perStep) // the good fetch
	require.Equal(t, int64(1), int64(idp.Hits()))

	garbage := []struct {
		name string
		h    http.Handler
	}{
		{"500", jwttest.ServeStatus(http.StatusInternalServerError)},
		{"timeout", jwttest.ServeHang()},
		{"html", jwttest.ServeBody("text/html", []byte("<!doctype html><title>Maintenance</title><p>Back soon."), true)},
		{"keys not an array", jwttest.ServeBody("application/json", []byte(`{"keys":"x"}`), true)},
		{"2 MiB body", jwttest.ServeBody("application/json", append([]byte(`{"keys":[`), bytes.Repeat([]byte(" "), 2<<20)...), false)},
	}
	for _, g := range garbage {
		idp.Serve(g.h)
		clk.Advance(step) // the first step passes the TTL; each later one the backoff
		errs, hits := fetchErrors(), int64(idp.Hits())
		run(perStep)
		faultWait(t, g.name+" fetch to fail", func() bool { return fetchErrors() > errs })
		assert.Greater(t, int64(idp.Hits()), hits, "%s: the IdP was not asked", g.name)
		ks := v.Stats().Keys
		assert.Equal(t, []string{"outage-k"}, ks.KeyIDs, "%s: stale set still listed", g.name)
		t.Logf("%s: %s", g.name, ks.LastError)
	}
	require.Zero(t, fig.failed)

	// The last second of MaxStale still verifies (and retries in the
	// background, which fails).
	idp.Serve(jwttest.ServeStatus(http.StatusInternalServerError))
	clk.Set(jwttest.Epoch.Add(ttl + maxStale - time.Second))
	errs := fetchErrors()
	run(perStep)
	faultWait(t, "last retry within MaxStale to fail", func() bool { return fetchErrors() > errs })
	require.Zero(t, fig.failed, "valid tokens refused within MaxStale")
	within := fig

	// Past MaxStale: unavailable, fail closed.
	clk.Set(jwttest.Epoch.Add(ttl + maxStale + time.Second))
	refused := 0
	for i := range perStep {
		_, err := verify(t, v, toks[i%len(toks)])
		requireOnly(t, err, jwtauth.ErrKeysUnavailable)
		refused++
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+toks[0])
	w, id, _ := serve(v, r)
	refused++
	assert.Nil(t, id)
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	retry, err := strconv.Atoi(w.Header().Get("Retry-After"))
	require.NoError(t, err, "Retry-After %q", w.Header().Get("Retry-After"))
	assert.Positive(t, retry)
	assert.LessOrEqual(t, retry, int(minRefresh/time.Second), "the next fetch is at most MinRefreshInterval away")

	// The IdP recovers: not before the next fetch MinRefreshInterval allows,
	// then at once.
	idp.Serve(good)
	hits := int64(idp.Hits())
	_, err = verify(t, v, toks[0])
	requireOnly(t, err, jwtauth.ErrKeysUnavailable)
	refused++
	assert.Equal(t, hits, int64(idp.Hits()), "a fetch before MinRefreshInterval passed")
	clk.Advance(minRefresh)
	_, err = verify(t, v, toks[0])
	require.NoError(t, err, "service did not return once a fetch was allowed")
	assert.Equal(t, hits+1, int64(idp.Hits()))
	ks := v.Stats().Keys
	assert.Zero(t, ks.Failures)
	assert.Equal(t, clk.Now(), ks.LastFetch)

	within.fetches = int64(idp.Hits())
	within.note = fmt.Sprintf(" (within MaxStale; then %d refused past MaxStale as expected, 1 verified after recovery)", refused)
	within.log(t)
}

// testFaultSlowDrip: the IdP answers 200 and then drips one byte every
// 100 ms. The callers have no deadline: the fetch ends at the client
// timeout, with ErrKeysUnavailable; callers meanwhile share that one
// request, and the failure is not retried at once.
func testFaultSlowDrip(t *testing.T) {
	k := jwttest.EC("fault-drip", "ES256", "drip-k")
	idp := jwttest.NewFaultServer(jwttest.ServeDrip(100*time.Millisecond, 600))
	srv := faultHTTP(t, idp)
	v := newV(t, jwtauth.Config{
		JWKSetURL:         srv.URL + "/jwks",
		InsecureAllowHTTP: true,
		HTTPClient:        &http.Client{Timeout: 300 * time.Millisecond},
		Algorithms:        []string{"ES256"},
		Now:               jwttest.NewFakeClock(jwttest.Epoch).Now,
	})
	tok := faultTokens(k, 1)[0]
	ctx := t.Context() // no deadline: only the client's timeout can end the fetch

	const callers = 4
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { _, errs[i] = v.Verify(ctx, tok) })
	}
	wg.Wait()
	for _, err := range errs {
		requireOnly(t, err, jwtauth.ErrKeysUnavailable)
	}
	_, err := v.Verify(ctx, tok) // within MinRefreshInterval: no new request
	requireOnly(t, err, jwtauth.ErrKeysUnavailable)
	assert.Equal(t, int64(1), int64(idp.Hits()))
	faultFigures{tried: callers + 1, failed: callers + 1, fetches: int64(idp.Hits()),
		note: " (all refused as expected, ended by the client timeout)"}.log(t)
}

// testFaultRedirectToHTTP: an https JWKS URL that redirects to http is
// refused, and the http target never sees a request.
func testFaultRedirectToHTTP(t *testing.T) {
	k := jwttest.EC("fault-redirect", "ES256", "redir-k")
	plain := jwttest.NewFaultServer(jwttest.ServeJWKS("", k))
	target := faultHTTP(t, plain)
	redirect := jwttest.NewFaultServer(http.RedirectHandler(target.URL+"/jwks", http.StatusFound))
	srv, ca := faultHTTPS(t, redirect)
	v := newV(t, jwtauth.Config{
		JWKSetURL:   srv.URL + "/jwks",
		TLSClientCA: ca,
		Algorithms:  []string{"ES256"},
		Now:         jwttest.NewFakeClock(jwttest.Epoch).Now,
	})
	tok := faultTokens(k, 1)[0]
	_, err := verify(t, v, tok)
	requireOnly(t, err, jwtauth.ErrKeysUnavailable)

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	w, id, _ := serve(v, r)
	assert.Nil(t, id)
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)

	assert.Equal(t, int64(1), int64(redirect.Hits()))
	assert.Zero(t, int64(plain.Hits()), "the http target was contacted")
	assert.Contains(t, v.Stats().Keys.LastError, "redirect")
	faultFigures{tried: 2, failed: 2, fetches: int64(redirect.Hits()),
		note: fmt.Sprintf(" (all refused as expected; http target hit %d times)", int64(plain.Hits()))}.log(t)
}

// testFaultRandomKids: 10 000 tokens validly signed by an attacker's key,
// each with a kid of its own. Every one is ErrUnknownKey, and the IdP sees
// one refresh per MinRefreshInterval, not one per token.
func testFaultRandomKids(t *testing.T) {
	const (
		workers    = 4
		perWorker  = 2500
		minRefresh = 30 * time.Second
	)
	k := jwttest.EC("fault-kids", "ES256", "kids-k")
	attacker := jwttest.EC("fault-kids-attacker", "ES256", "")
	idp := jwttest.NewFaultServer(jwttest.ServeJWKS("", k))
	srv := faultHTTP(t, idp)
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	v := newV(t, jwtauth.Config{
		JWKSetURL:          srv.URL + "/jwks",
		InsecureAllowHTTP:  true,
		Algorithms:         []string{"ES256"},
		MinRefreshInterval: minRefresh,
		Now:                clk.Now,
	})
	_, err := verify(t, v, faultTokens(k, 1)[0]) // warm: fetch 1
	require.NoError(t, err)

	claims := jwttest.Default()
	ctx := t.Context() // no deadline: go test's timeout is the watchdog
	var tried, wrong atomic.Int64
	var firstWrong atomic.Pointer[error]
	spray := func(seed uint64, n int) {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		for range n {
			tok := attacker.WithKID(fmt.Sprintf("%016x", rng.Uint64())).Sign(claims)
			_, err := v.Verify(ctx, tok)
			tried.Add(1)
			if !faultOnly(err, jwtauth.ErrUnknownKey) {
				wrong.Add(1)
				firstWrong.CompareAndSwap(nil, &err)
			}
		}
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { spray(uint64(w), perWorker) })
	}
	wg.Wait()
	fixed := int64(idp.Hits())
	assert.LessOrEqual(t, fixed, int64(2), "fetches with the clock fixed")

	clk.Advance(minRefresh + time.Second)
	spray(99, 100)
	after := int64(idp.Hits())
	assert.Equal(t, fixed+1, after, "one more fetch past MinRefreshInterval")

	fig := faultFigures{tried: tried.Load(), failed: tried.Load() - wrong.Load(), fetches: after,
		note: fmt.Sprintf(" (all refused with ErrUnknownKey as expected; %d fetches with the clock fixed)", fixed)}
	fig.log(t)
	if p := firstWrong.Load(); p != nil {
		t.Errorf("%d tokens not refused with ErrUnknownKey alone; first: %v", wrong.Load(), *p)
	}
	assert.Equal(t, int64(workers*perWorker+100), tried.Load())
	assert.Zero(t, wrong.Load())
}

// testFaultMemory: a 1 MiB token is refused by the size check, before any
// decoding, and a JWKS body at the 1 MiB cap (jwks.Options.MaxBodyBytes
// default, which jwtauth does not change) is used while one byte more is
// refused as too large (the fetch stops reading at the cap).
func testFaultMemory(t *testing.T) {
	const maxBody = 1 << 20
	k := jwttest.EC("fault-mem", "ES256", "mem-k")

	t.Run("1MiB_token", func(t *testing.T) {
		v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), Algorithms: []string{"ES256"}})
		c := jwttest.Default()
		c["pad"] = strings.Repeat("x", 3<<18) // 768 KiB, 1 MiB once in base64
		tok := k.Sign(c)
		require.Greater(t, len(tok), 1<<20)
		_, err := v.Verify(t.Context(), tok)
		requireOnly(t, err, jwtauth.ErrMalformed)
		ve, ok := errors.AsType[*jwtauth.ValidationError](err)
		require.True(t, ok)
		assert.Equal(t, fmt.Sprintf("token is %d bytes, over the %d-byte cap", len(tok), jwtauth.MaxTokenBytes), ve.Detail)
		faultFigures{tried: 1, failed: 1, note: " (refused with ErrMalformed by the size cap, as expected)"}.log(t)
	})

	jwks := jwttest.JWKS(k)
	pad := func(n int) []byte { return append(bytes.Clone(jwks), bytes.Repeat([]byte(" "), n-len(jwks))...) }
	for _, tc := range []struct {
		name   string
		body   []byte
		length bool
		ok     bool
	}{
		{"JWKS_at_cap_with_length", pad(maxBody), true, true},
		{"JWKS_at_cap_chunked", pad(maxBody), false, true},
		{"JWKS_over_cap_with_length", pad(maxBody + 1), true, false},
		{"JWKS_over_cap_chunked", pad(maxBody + 1), false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const minRefresh = 30 * time.Second
			idp := jwttest.NewFaultServer(jwttest.ServeBody("application/json", tc.body, tc.length))
			srv := faultHTTP(t, idp)
			clk := jwttest.NewFakeClock(jwttest.Epoch)
			v := newV(t, jwtauth.Config{
				JWKSetURL:          srv.URL + "/jwks",
				InsecureAllowHTTP:  true,
				Algorithms:         []string{"ES256"},
				CacheTTL:           minRefresh,
				MinRefreshInterval: minRefresh,
				MaxStale:           -1, // every attempt below fetches
				Now:                clk.Now,
			})
			tok := faultTokens(k, 1)[0]
			const attempts = 4
			var fails int64
			for range attempts + 1 {
				clk.Advance(minRefresh + time.Second)
				_, err := verify(t, v, tok)
				if tc.ok {
					assert.NoError(t, err)
				} else if assert.Error(t, err) {
					requireOnly(t, err, jwtauth.ErrKeysUnavailable)
				}
				if err != nil {
					fails++
				}
			}
			assert.Equal(t, int64(attempts+1), int64(idp.Hits()), "one fetch per attempt")
			if !tc.ok {
				assert.Contains(t, v.Stats().Keys.LastError, "too large")
			}
			faultFigures{tried: attempts + 1, failed: fails, fetches: int64(idp.Hits())}.log(t)
		})
	}
}

// Rotation and fetch bounds, inside testing/synctest bubbles: time.Now is
// the bubble's clock (Config.Now is time.Now), time.Sleep moves it at once,
// and the key server is a jwttest.FaultServer answering in memory. Each
// scenario logs its figures.

const rotURL = "https://idp.test/jwks"

// bubbleV returns a Verifier on srv with the bubble's clock, default
// MinRefreshInterval (30 s) unless set.
func bubbleV(t *testing.T, srv *jwttest.FaultServer, cfg jwtauth.Config) *jwtauth.Verifier {
	t.Helper()
	if cfg.JWKSetURL == "" {
		cfg.JWKSetURL = rotURL
	}
	cfg.HTTPClient = srv.Client()
	cfg.Now = time.Now
	if cfg.Algorithms == nil {
		cfg.Algorithms = []string{"EdDSA"}
	}
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// bubbleToken signs a token valid for two days from the bubble's now.
func bubbleToken(k *jwttest.Key, sub string) string {
	now := time.Now()
	return k.Sign(map[string]any{"sub": sub, "iat": now.Add(-time.Minute).Unix(), "exp": now.Add(48 * time.Hour).Unix()})
}

// TestFaultRotation_newKid: a provider starts signing with a new kid 1 s
// after jwtauth's last fetch (a TTL-driven one). Unknown kids have a
// refresh budget of their own, so the first token of the new key already
// verifies: 0 refused, 1 extra fetch, with 16 callers at once.
func TestFaultRotation_newKid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k1 := jwttest.Ed25519(41, "new-1")
		k2 := jwttest.Ed25519(42, "new-2")
		srv := jwttest.NewFaultServer(jwttest.ServeJWKS("", k1))
		v := bubbleV(t, srv, jwtauth.Config{})
		_, err := v.Verify(t.Context(), bubbleToken(k1, "warm"))
		require.NoError(t, err)
		require.Equal(t, 1, srv.Hits())

		time.Sleep(time.Second)
		srv.Serve(jwttest.ServeJWKS("", k1, k2))
		var refused atomic.Int64
		var wg sync.WaitGroup
		const callers, each = 16, 20
		for c := range callers {
			wg.Go(func() {
				for i := range each {
					if _, err := v.Verify(t.Context(), bubbleToken(k2, fmt.Sprintf("u%d-%d", c, i))); err != nil {
						refused.Add(1)
						t.Errorf("refused: %v", err)
					}
					time.Sleep(100 * time.Millisecond)
				}
			})
		}
		wg.Wait()
		faultFigures{tried: callers * each, failed: refused.Load(), fetches: int64(srv.Hits()),
			note: " (new kid 1 s after the last fetch)"}.log(t)
		assert.Zero(t, refused.Load())
		assert.Equal(t, 2, srv.Hits(), "one extra fetch")
	})
}

// TestFaultRotation_sameKid: the provider replaces the key under the same
// kid 1 s after the last fetch. Tokens of the new key are refused with
// ErrSignature until the cached set is older than MinRefreshInterval; then
// one refresh brings the new key and none is refused after it. A spray of
// tampered signatures under the known kid then costs at most one fetch per
// interval, and each is refused with ErrSignature.
func TestFaultRotation_sameKid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const minRefresh = 30 * time.Second
		old := jwttest.Ed25519(51, "key1")
		cur := jwttest.Ed25519(52, "key1")
		srv := jwttest.NewFaultServer(jwttest.ServeJWKS("", old))
		v := bubbleV(t, srv, jwtauth.Config{})
		_, err := v.Verify(t.Context(), bubbleToken(old, "warm"))
		require.NoError(t, err)

		time.Sleep(time.Second)
		srv.Serve(jwttest.ServeJWKS("", cur))
		var before, after, tried int
		for i := range 120 { // one token every 0.5 s for a minute
			tried++
			_, err := v.Verify(t.Context(), bubbleToken(cur, fmt.Sprintf("u%d", i)))
			switch {
			case err == nil:
			case srv.Hits() == 1:
				requireOnly(t, err, jwtauth.ErrSignature)
				before++
			default:
				after++
				t.Errorf("refused after the refresh: %v", err)
			}
			time.Sleep(500 * time.Millisecond)
		}
		assert.Equal(t, 2, srv.Hits(), "one refresh")
		assert.Zero(t, after)
		// Refused only while the set was younger than MinRefreshInterval.
		assert.LessOrEqual(t, before, int((minRefresh-time.Second)/(500*time.Millisecond))+1)
		faultFigures{tried: int64(tried), failed: int64(before + after), fetches: int64(srv.Hits()),
			note: fmt.Sprintf(" (key replaced under the same kid 1 s after the last fetch; %d refused before the first refresh, %d after; first accepted %v after the switch)",
				before, after, time.Duration(before)*500*time.Millisecond)}.log(t)

		// Tampered signatures under the known kid, 5 intervals long.
		attacker := jwttest.Ed25519(53, "key1")
		base := srv.Hits()
		var perInterval []int
		for range 5 {
			at := srv.Hits()
			for i := range 300 {
				_, err := v.Verify(t.Context(), bubbleToken(attacker, fmt.Sprintf("x%d", i)))
				requireOnly(t, err, jwtauth.ErrSignature)
				time.Sleep(minRefresh / 300)
			}
			perInterval = append(perInterval, srv.Hits()-at)
		}
		for i, n := range perInterval {
			assert.LessOrEqual(t, n, 1, "interval %d", i)
		}
		faultFigures{tried: 1500, failed: 1500, fetches: int64(srv.Hits() - base),
			note: fmt.Sprintf(" (tampered-signature spray over 5 intervals, all ErrSignature as expected; fetches per interval %v)", perInterval)}.log(t)
		_, err = v.Verify(t.Context(), bubbleToken(cur, "still-ok"))
		require.NoError(t, err)
	})
}

// TestFaultRotation_randomKids: 10 000 tokens with random kids over five
// MinRefreshIntervals, a quarter of them re-sending earlier kids. Whole-set
// mode (CacheTTL at the floor, so TTL fetches happen too): at most one TTL
// fetch and one unknown-kid fetch per interval. {{kid}} mode: at most 8
// fetches per interval, every answer ErrUnknownKey or ErrKeysUnavailable
// (never a pass), a known kid keeps verifying from the cache, and a
// genuine new kid is never refused as unknown without a fetch: it gets 503
// with Retry-After until a fetch is allowed.
func TestFaultRotation_randomKids(t *testing.T) {
	const (
		minRefresh = 30 * time.Second
		intervals  = 5
		total      = 10000
		perStep    = total / intervals
	)
	spray := func(t *testing.T, v *jwtauth.Verifier, srv *jwttest.FaultServer, attacker *jwttest.Key, allowed ...error) []int {
		rng := rand.New(rand.NewPCG(1, 2))
		var sent []string
		var perInterval []int
		for range intervals {
			at := srv.Hits()
			for i := range perStep {
				kid := fmt.Sprintf("%016x", rng.Uint64())
				if len(sent) > 0 && i%4 == 3 {
					kid = sent[rng.IntN(len(sent))] // re-sent
				} else {
					sent = append(sent, kid)
				}
				_, err := v.Verify(t.Context(), bubbleToken(attacker.WithKID(kid), "x"))
				ok := slices.ContainsFunc(allowed, func(want error) bool { return faultOnly(err, want) })
				require.True(t, ok, "kid %s: %v", kid, err)
				time.Sleep(minRefresh / perStep)
			}
			perInterval = append(perInterval, srv.Hits()-at)
		}
		return perInterval
	}

	t.Run("whole_set", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			k := jwttest.Ed25519(62, "real")
			srv := jwttest.NewFaultServer(jwttest.ServeJWKS("", k))
			v := bubbleV(t, srv, jwtauth.Config{CacheTTL: minRefresh, MinRefreshInterval: minRefresh})
			_, err := v.Verify(t.Context(), bubbleToken(k, "warm"))
			require.NoError(t, err)
			per := spray(t, v, srv, jwttest.Ed25519(61, ""), jwtauth.ErrUnknownKey)
			for i, n := range per {
				assert.LessOrEqual(t, n, 2, "interval %d", i)
			}
			faultFigures{tried: total, failed: total, fetches: int64(srv.Hits()),
				note: fmt.Sprintf(" (whole set, CacheTTL 30s; all ErrUnknownKey as expected; fetches per interval %v)", per)}.log(t)
		})
	})

	t.Run("kid_url", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			known := jwttest.EC("rot-kid-known", "ES256", "known")
			fresh := jwttest.EC("rot-kid-fresh", "ES256", "fresh")
			var publishFresh atomic.Bool
			srv := jwttest.NewFaultServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch kid := strings.TrimPrefix(r.URL.Path, "/keys/"); {
				case kid == "known":
					_, _ = w.Write(known.PublicPEM())
				case kid == "fresh" && publishFresh.Load():
					_, _ = w.Write(fresh.PublicPEM())
				default:
					http.NotFound(w, r)
				}
			}))
			v := bubbleV(t, srv, jwtauth.Config{JWKSetURL: "https://idp.test/keys/{{kid}}", Algorithms: []string{"ES256"}})
			knownTok := bubbleToken(known, "known-user")
			_, err := v.Verify(t.Context(), knownTok)
			require.NoError(t, err)

			// The spray, with a known-kid token and a new genuine kid sent
			// alongside from another goroutine.
			publishFresh.Store(true)
			freshTok := bubbleToken(fresh, "fresh-user")
			var knownFail, fresh401, fresh503, freshOK atomic.Int64
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				time.Sleep(5 * time.Second) // the spray has spent the budget
				for {
					if _, err := v.Verify(t.Context(), knownTok); err != nil {
						knownFail.Add(1)
					}
					_, err := v.Verify(t.Context(), freshTok)
					wait := time.Second
					switch {
					case err == nil:
						freshOK.Add(1)
					case errors.Is(err, jwtauth.ErrKeysUnavailable):
						fresh503.Add(1)
						r := httptest.NewRequest(http.MethodGet, "/", nil)
						r.Header.Set("Authorization", "Bearer "+freshTok)
						w, _, _ := serve(v, r)
						ra, _ := strconv.Atoi(w.Header().Get("Retry-After"))
						if w.Code != http.StatusServiceUnavailable || ra < 1 || ra > 30 {
							t.Errorf("new kid refused with %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
						}
						wait = time.Duration(ra) * time.Second // a client that honours it
					default:
						fresh401.Add(1)
						t.Errorf("new genuine kid: %v", err)
					}
					select {
					case <-stop:
						return
					case <-time.After(wait):
					}
				}
			}()
			stopOnce := sync.OnceFunc(func() { close(stop); <-done })
			defer stopOnce()
			per := spray(t, v, srv, jwttest.EC("rot-kid-attacker", "ES256", ""), jwtauth.ErrUnknownKey, jwtauth.ErrKeysUnavailable)
			stopOnce()
			for i, n := range per {
				assert.LessOrEqual(t, n, 8, "interval %d", i)
			}
			assert.Zero(t, knownFail.Load(), "a cached kid was refused during the spray")
			assert.Zero(t, fresh401.Load(), "a genuine new kid got a definitive refusal")
			faultFigures{tried: total, failed: total, fetches: int64(srv.Hits()),
				note: fmt.Sprintf(" ({{kid}} URL; all refused as expected; fetches per interval %v; genuine new kid: %d accepted, %d answered 503 with Retry-After, 0 refused as unknown)",
					per, freshOK.Load(), fresh503.Load())}.log(t)
		})
	})
}

// TestFaultNoCache: CacheTTL negative (Grafana's cache_ttl = 0): each
// verification makes exactly one fetch, repeated tokens included (the
// token cache stays valid since the keys did not change), concurrent
// verifications share one, and nothing is fetched in the background.
func TestFaultNoCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := jwttest.Ed25519(71, "nc")
		srv := jwttest.NewFaultServer(jwttest.ServeJWKS("no-store", k))
		v := bubbleV(t, srv, jwtauth.Config{CacheTTL: -1})
		tok := bubbleToken(k, "same")
		const n = 10
		for i := range n {
			_, err := v.Verify(t.Context(), tok)
			require.NoError(t, err)
			_, err = v.Verify(t.Context(), bubbleToken(k, fmt.Sprintf("u%d", i)))
			require.NoError(t, err)
			time.Sleep(time.Minute)
		}
		assert.Equal(t, 2*n, srv.Hits(), "one fetch per verification")
		time.Sleep(time.Hour)
		synctest.Wait()
		assert.Equal(t, 2*n, srv.Hits(), "no background fetch")

		release := srv.Hold()
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Go(func() {
				_, err := v.Verify(t.Context(), bubbleToken(k, fmt.Sprintf("c%d", i)))
				assert.NoError(t, err)
			})
		}
		synctest.Wait()
		release()
		wg.Wait()
		assert.Equal(t, 2*n+1, srv.Hits(), "concurrent verifications share a fetch")
		faultFigures{tried: 2*n + 32, fetches: int64(srv.Hits()),
			note: fmt.Sprintf(" (CacheTTL -1: %d sequential verifications made %d fetches, 32 concurrent made 1)", 2*n, 2*n)}.log(t)
	})
}
