package jwks_test

// Time-driven cache behaviour, inside testing/synctest bubbles: time.Now is
// the bubble's fake clock (Options.Now is left nil), time.Sleep advances it
// instantly, the IdP is the in-memory idp transport, and every bubble checks
// that no goroutine outlives the test (so Close leaks nothing).

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jwtgate/jwtgate/internal/fetch"
	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/keys"
)

// TestCache_cacheControl: the TTL is min(CacheTTL, max-age), floored at
// MinRefreshInterval; Grafana caches max-age=0 for 24h instead.
func TestCache_cacheControl(t *testing.T) {
	t.Run("max-age below CacheTTL wins", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := newIDP(jwttest.JWKS(key1), "public, max-age=120")
			r := newRemote(t, p, jwks.Options{})
			mustFind(t, r, "k1")
			time.Sleep(90 * time.Second) // before refresh-ahead (96s)
			mustFind(t, r, "k1")
			wantCount(t, p, 1)
			time.Sleep(31 * time.Second) // 121s: expired
			mustFind(t, r, "k1")
			wantCount(t, p, 2)
			if h := r.Health(); h.TTL != 2*time.Minute || h.CacheTTL != time.Hour {
				t.Errorf("TTL %v, CacheTTL %v", h.TTL, h.CacheTTL)
			}
		})
	})
	t.Run("max-age above CacheTTL loses", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := newIDP(jwttest.JWKS(key1), "max-age=86400")
			r := newRemote(t, p, jwks.Options{CacheTTL: 10 * time.Minute})
			mustFind(t, r, "k1")
			if h := r.Health(); h.TTL != 10*time.Minute {
				t.Errorf("TTL %v", h.TTL)
			}
		})
	})
	for _, cc := range []string{"max-age=0", "no-cache", "no-store", "max-age=0, must-revalidate", "max-age=5"} {
		t.Run("floor "+cc, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newIDP(jwttest.JWKS(key1), cc)
				r := newRemote(t, p, jwks.Options{})
				for range 3 { // 0s, 10s, 20s
					mustFind(t, r, "k1")
					time.Sleep(10 * time.Second)
				}
				time.Sleep(5 * time.Second) // 35s: once past the floor
				mustFind(t, r, "k1")
				wantCount(t, p, 2)
				if h := r.Health(); h.TTL != 30*time.Second {
					t.Errorf("TTL %v, want the 30s floor", h.TTL)
				}
			})
		})
	}
}

// TestCache_errorsNeverCached: a non-2xx or garbage response never replaces
// the set; the last good set is served meanwhile and retried with backoff.
func TestCache_errorsNeverCached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "max-age=60")
		r := newRemote(t, p, jwks.Options{})
		mustFind(t, r, "k1")

		// Grafana caches a 500 whose body is JSON; jwtgate never does.
		p.serve(500, jwttest.JWKS(key2), "max-age=3600")
		time.Sleep(61 * time.Second)
		mustFind(t, r, "k1") // waits for the failed fetch, then served stale
		wantCount(t, p, 2)
		wantErr(t, r, "k2", keys.ErrUnknownKey)
		h := r.Health()
		if !h.Stale || !h.Usable || h.Failures != 1 || !strings.Contains(h.LastError, "500") {
			t.Fatalf("Health = %+v", h)
		}

		for i, bad := range []string{"<html>oops</html>", `{"keys":[]}`, `null`, `{"keys":[{"kty":"foo"}]}`} {
			p.serve(200, []byte(bad), "")
			time.Sleep(5 * time.Minute) // past any backoff
			mustFind(t, r, "k1")        // stale, at once; retry in background
			synctest.Wait()
			wantCount(t, p, 3+i)
			if h := r.Health(); h.Failures != 2+i {
				t.Fatalf("after %q: failures %d", bad, h.Failures)
			}
		}

		// Backoff: requests while failing do not each fetch.
		for range 100 {
			mustFind(t, r, "k1")
		}
		synctest.Wait()
		wantCount(t, p, 6)

		p.serve(200, jwttest.JWKS(key2), "")
		time.Sleep(5 * time.Minute)
		mustFind(t, r, "k1") // stale; the retry succeeds in the background
		synctest.Wait()
		mustFind(t, r, "k2")
		wantErr(t, r, "k1", keys.ErrUnknownKey)
		if h := r.Health(); h.Stale || h.Failures != 0 || h.LastError != "" || h.FetchErrors != 5 {
			t.Fatalf("Health = %+v", h)
		}
	})
}

// TestCache_coldErrors: with nothing cached, errors are ErrUnavailable with
// the cause, and retries are limited only by MinRefreshInterval.
func TestCache_coldErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(nil, "")
		p.serve(502, []byte("bad gateway"), "")
		r := newRemote(t, p, jwks.Options{})
		err := wantErr(t, r, "k1", jwks.ErrUnavailable)
		var se *fetch.StatusError
		if !errors.As(err, &se) || se.Code != 502 {
			t.Fatalf("cause of %v is not the 502", err)
		}
		p.serve(200, jwttest.JWKS(key1), "")
		time.Sleep(29 * time.Second)
		wantErr(t, r, "k1", jwks.ErrUnavailable) // not before the interval
		wantCount(t, p, 1)
		time.Sleep(time.Second)
		mustFind(t, r, "k1")
		wantCount(t, p, 2)
	})
}

func TestCache_sizeCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		body := jwttest.JWKS(key1)
		p := newIDP(append(body, make([]byte, 1024)...), "")
		r := newRemote(t, p, jwks.Options{MaxBodyBytes: int64(len(body) + 100)})
		wantErr(t, r, "k1", jwks.ErrUnavailable, fetch.ErrTooLarge)
		p.serve(200, body, "")
		time.Sleep(30 * time.Second)
		mustFind(t, r, "k1")
	})
}

// TestCache_singleFlight: 1000 concurrent cold lookups, then 1000 at expiry,
// each share one request.
func TestCache_singleFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{CacheTTL: 10 * time.Minute})
		for round := 1; round <= 2; round++ {
			release := p.hold()
			var wg sync.WaitGroup
			var failed atomic.Int64
			for range 1000 {
				wg.Go(func() {
					if _, err := r.KeysFor(context.Background(), "k1", "EdDSA"); err != nil {
						failed.Add(1)
					}
				})
			}
			synctest.Wait() // all 1000 wait on the one request
			wantCount(t, p, round)
			release()
			wg.Wait()
			if n := failed.Load(); n != 0 {
				t.Fatalf("round %d: %d lookups failed", round, n)
			}
			wantCount(t, p, round)
			time.Sleep(11 * time.Minute)
		}
	})
}

// TestCache_refreshAhead: past 80 % of the TTL one background refresh
// starts and callers are served at once from the current set.
func TestCache_refreshAhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{CacheTTL: 10 * time.Minute})
		mustFind(t, r, "k1")
		time.Sleep(7 * time.Minute)
		mustFind(t, r, "k1")
		wantCount(t, p, 1)

		time.Sleep(time.Minute + time.Second) // 8m1s: past 80 %
		release := p.hold()
		p.serve(200, jwttest.JWKS(key1, key2), "")
		start := time.Now()
		for range 10 {
			mustFind(t, r, "k1") // served while the refresh is held
		}
		if time.Since(start) != 0 {
			t.Fatal("a caller waited for the refresh")
		}
		synctest.Wait()
		wantCount(t, p, 2) // one refresh, not ten
		release()
		synctest.Wait()
		mustFind(t, r, "k2")
		if h := r.Health(); !h.LastFetch.Equal(time.Now()) || h.Fetches != 2 {
			t.Errorf("Health = %+v", h)
		}
		time.Sleep(7 * time.Minute) // 15m1s: the old expiry (10m) passed, the new one not
		mustFind(t, r, "k1")
		wantCount(t, p, 2)
	})
}

// TestUnknownKid: an unknown kid refreshes at most once per
// MinRefreshInterval from a budget of its own (a TTL fetch does not use it
// up), shared by concurrent callers; sprays of random kids cost at most one
// fetch per interval, and still-unknown kids are answered from memory.
func TestUnknownKid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{})
		mustFind(t, r, "k1")
		time.Sleep(time.Second)
		p.serve(200, jwttest.JWKS(key1, key2), "")
		mustFind(t, r, "k2") // 1 s after the first fetch: refreshed at once
		wantCount(t, p, 2)
		if cc := p.last().Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("refresh Cache-Control = %q", cc)
		}
		p.serve(200, jwttest.JWKS(key1, key2, key3), "")
		wantErr(t, r, "k3", keys.ErrUnknownKey) // the budget is spent for this interval
		wantCount(t, p, 2)
		time.Sleep(30 * time.Second)
		mustFind(t, r, "k3")
		wantCount(t, p, 3)

		spray := func() {
			var wg sync.WaitGroup
			for g := range 100 {
				wg.Go(func() {
					for i := range 100 {
						kid := fmt.Sprintf("spray-%d-%d", g, i)
						if _, err := r.KeysFor(context.Background(), kid, "EdDSA"); !errors.Is(err, keys.ErrUnknownKey) {
							t.Errorf("%s: %v", kid, err)
						}
					}
				})
			}
			wg.Wait()
		}
		for round := range 3 {
			time.Sleep(30 * time.Second)
			spray() // 10 000 random kids
			spray()
			wantCount(t, p, 4+round) // exactly one refresh per interval
		}
		mustFind(t, r, "k1")
		mustFind(t, r, "k2")

		// A kid found unknown by a refresh is answered from memory, even
		// while another refresh is in flight.
		time.Sleep(30 * time.Second)
		wantErr(t, r, "never-there", keys.ErrUnknownKey)
		wantCount(t, p, 7)
		release := p.hold()
		done := make(chan error, 1)
		go func() { done <- r.Refresh(context.Background()) }()
		synctest.Wait()
		wantErr(t, r, "never-there", keys.ErrUnknownKey)
		release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestRotation: the IdP adds a key and signs with it at once, keeps the old
// one for an overlap, then drops it. A token every 10 s of either kid in its
// validity window verifies, with zero failures.
func TestRotation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ks := []*jwttest.Key{key1, key2, key3}
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{})
		start := time.Now()
		failures := 0
		for tick := 0; tick < 3*360; tick++ { // 3 hours, one request each 10s
			at := time.Since(start)
			// Rotation n at n*60m+5m: publish key n and sign with it; the old
			// key stays published (and its tokens valid) for 20 minutes.
			cur := min(int((at-5*time.Minute)/time.Hour), len(ks)-1)
			if at < 5*time.Minute {
				cur = 0
			}
			rotated := at - (time.Duration(cur)*time.Hour + 5*time.Minute)
			published := []*jwttest.Key{ks[cur]}
			if cur > 0 && rotated < 20*time.Minute {
				published = append(published, ks[cur-1])
			}
			p.serve(200, jwttest.JWKS(published...), "")
			kids := []string{ks[cur].KID}
			if len(published) == 2 {
				kids = append(kids, ks[cur-1].KID)
			}
			for _, kid := range kids {
				if _, err := r.KeysFor(context.Background(), kid, "EdDSA"); err != nil {
					failures++
					t.Errorf("at %v, kid %s: %v", at, kid, err)
				}
			}
			time.Sleep(10 * time.Second)
		}
		if failures != 0 {
			t.Fatalf("%d failed lookups", failures)
		}
		t.Logf("%d fetches in 3 hours", p.count())
	})
}

// TestOutage: through an outage the last good set is served until MaxStale
// past its expiry, with backoff; then ErrUnavailable with the cause and a
// retry hint; service returns within MinRefreshInterval of the IdP.
func TestOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{CacheTTL: 10 * time.Minute}) // MaxStale 1h
		mustFind(t, r, "k1")
		refused := errors.New("connection refused")
		p.fail(refused)
		start := time.Now()
		for time.Since(start) < 70*time.Minute-10*time.Second {
			time.Sleep(10 * time.Second)
			mustFind(t, r, "k1")
			synctest.Wait()
		}
		// One retry after 8m (refresh-ahead), then every 30s, 1m, 2m, 4m,
		// and 5m: 16 fetches, not one per request (420).
		if n := p.count(); n < 10 || n > 20 {
			t.Errorf("%d fetches during the outage", n)
		}
		if h := r.Health(); !h.Stale || !h.Usable || h.Failures < 10 || !strings.Contains(h.LastError, "connection refused") {
			t.Errorf("Health = %+v", h)
		}

		time.Sleep(20 * time.Second) // 70m10s: beyond MaxStale
		err := wantErr(t, r, "k1", jwks.ErrUnavailable, refused)
		if d, ok := jwks.RetryAfter(err); !ok || d <= 0 || d > 30*time.Second {
			t.Errorf("RetryAfter = %v, %v", d, ok)
		}
		if h := r.Health(); h.Usable {
			t.Error("Health.Usable beyond MaxStale")
		}
		n := p.count()
		for range 100 {
			wantErr(t, r, "k1", jwks.ErrUnavailable)
		}
		wantCount(t, p, n) // nothing usable: retries only per interval

		p.serve(200, jwttest.JWKS(key1), "")
		time.Sleep(30 * time.Second)
		mustFind(t, r, "k1")
	})
}

// TestOutage_maxStaleNever: with MaxStale negative, an expired set is never
// served.
func TestOutage_maxStaleNever(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{CacheTTL: 10 * time.Minute, MaxStale: -1})
		mustFind(t, r, "k1")
		p.serve(503, nil, "")
		time.Sleep(9 * time.Minute)
		mustFind(t, r, "k1") // fresh; the refresh-ahead fails in the background
		synctest.Wait()
		time.Sleep(time.Minute + time.Second)
		wantErr(t, r, "k1", jwks.ErrUnavailable)
	})
}

// TestNoCache: CacheTTL < 0 fetches on every lookup, concurrent lookups
// sharing a request, and ignores the floor.
func TestNoCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "max-age=600")
		r := newRemote(t, p, jwks.Options{CacheTTL: -1})
		for i := 1; i <= 3; i++ {
			mustFind(t, r, "k1")
			wantCount(t, p, i)
			time.Sleep(time.Millisecond)
		}
		release := p.hold()
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() { mustFind(t, r, "k1") })
		}
		synctest.Wait()
		release()
		wg.Wait()
		wantCount(t, p, 4)
	})
}

// TestContextCancel: a caller whose ctx ends gets an error wrapping
// context.Canceled (or DeadlineExceeded); the shared fetch carries on for
// the others.
func TestContextCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "")
		release := p.hold()
		r := newRemote(t, p, jwks.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		errA, errB := make(chan error, 1), make(chan error, 1)
		go func() { _, err := r.KeysFor(ctx, "k1", "EdDSA"); errA <- err }()
		go func() { _, err := r.KeysFor(context.Background(), "k1", "EdDSA"); errB <- err }()
		synctest.Wait()
		cancel()
		err := <-errA
		if !errors.Is(err, context.Canceled) || !errors.Is(err, jwks.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
		if _, ok := jwks.RetryAfter(err); ok {
			t.Error("retry hint on a cancelled request")
		}
		release()
		if err := <-errB; err != nil {
			t.Fatalf("the other caller: %v", err)
		}
		wantCount(t, p, 1)

		dctx, dcancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer dcancel()
		p.hold() // never released: Close ends the fetch
		time.Sleep(time.Hour)
		start := time.Now()
		_, err = r.KeysFor(dctx, "k1", "EdDSA")
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 0 {
			// the deadline passed during the sleep: no wait at all
			t.Fatalf("err = %v after %v", err, time.Since(start))
		}
		ctx2, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel2()
		start = time.Now()
		err = r.Refresh(ctx2) // waits for the hung fetch until its deadline
		if d := time.Since(start); d != 2*time.Second || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Refresh = %v after %v, want DeadlineExceeded after 2s", err, d)
		}
	})
}

// TestClose: Close cancels in-flight fetches, waits for them, is
// idempotent, and leaves no goroutine (the bubble would report it).
func TestClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{CacheTTL: 10 * time.Minute})
		mustFind(t, r, "k1")
		p.hold() // never released
		time.Sleep(9 * time.Minute)
		mustFind(t, r, "k1") // starts a refresh-ahead that hangs
		cold, err := jwks.NewRemote(jwks.Options{URL: testURL, HTTPClient: &http.Client{Transport: p}})
		if err != nil {
			t.Fatal(err)
		}
		waiter := make(chan error, 1)
		go func() { _, err := cold.KeysFor(context.Background(), "k1", "EdDSA"); waiter <- err }()
		synctest.Wait()

		if err := cold.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-waiter; !errors.Is(err, jwks.ErrUnavailable) {
			t.Fatalf("waiter: %v", err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil { // idempotent
			t.Fatal(err)
		}
		n := p.count()
		mustFind(t, r, "k1") // the cached set still answers
		wantErr(t, cold, "k1", jwks.ErrUnavailable)
		if err := r.Refresh(context.Background()); !errors.Is(err, jwks.ErrUnavailable) {
			t.Errorf("Refresh after Close: %v", err)
		}
		wantCount(t, p, n) // no request after Close
	})
}

// TestKeysAfterFailure: a key replaced under the same kid is fetched once
// the set is older than MinRefreshInterval, from the budget unknown kids
// use, shared by concurrent callers; an unchanged key gives nil.
func TestKeysAfterFailure(t *testing.T) {
	replaced := key2.WithKID("k1")
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{})
		failed, err := r.KeysFor(ctx, "k1", "EdDSA")
		if err != nil {
			t.Fatal(err)
		}
		p.serve(200, jwttest.JWKS(replaced), "")
		time.Sleep(29 * time.Second)
		if ks := r.KeysAfterFailure(ctx, "k1", "EdDSA", failed); ks != nil {
			t.Fatalf("set younger than MinRefreshInterval: got %v", ks)
		}
		wantCount(t, p, 1)

		time.Sleep(time.Second)
		release := p.hold()
		got := make([][]keys.Key, 20)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i] = r.KeysAfterFailure(ctx, "k1", "EdDSA", failed) })
		}
		synctest.Wait()
		release()
		wg.Wait()
		wantCount(t, p, 2)
		for _, ks := range got {
			if len(ks) != 1 || !replaced.Public.(ed25519.PublicKey).Equal(ks[0].Public) {
				t.Fatalf("got %v, want the replaced key", ks)
			}
		}
		if cc := p.last().Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("Cache-Control = %q", cc)
		}

		// The budget is spent for this interval, for unknown kids too; and
		// keys that did not change give nil.
		wantErr(t, r, "k9", keys.ErrUnknownKey)
		time.Sleep(31 * time.Second)
		if ks := r.KeysAfterFailure(ctx, "k1", "EdDSA", got[0]); ks != nil {
			t.Fatalf("unchanged key: got %v", ks)
		}
		wantCount(t, p, 3)
		if ks := r.KeysAfterFailure(ctx, "k1", "EdDSA", got[0]); ks != nil {
			t.Fatalf("unchanged key: got %v", ks)
		}
		wantCount(t, p, 3)
	})
}
