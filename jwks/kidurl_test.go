package jwks_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/keys"
)

const kidURL = "https://public-keys.auth.elb.test/{{kid}}"

// albIDP serves PEM keys by path ("/<kid>"), 404 for anything else.
func albIDP(pems map[string][]byte) *idp {
	p := newIDP(nil, "")
	p.byPath = map[string]func(*http.Request) *http.Response{}
	for kid, body := range pems {
		p.byPath["/"+kid] = func(*http.Request) *http.Response {
			return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{},
				Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
		}
	}
	p.status = 404
	return p
}

func TestKidURL(t *testing.T) {
	alb := jwttest.EC("alb", "ES256", "")
	kid := "5e8b3a1c-9d2f-4b7a-a1e3-0c4d5f6a7b8c"
	synctest.Test(t, func(t *testing.T) {
		p := albIDP(map[string][]byte{
			kid:     alb.PublicPEM(),
			"jwks":  jwttest.JWKS(key1.WithKID("jwks")),
			"other": jwttest.JWKS(key2), // a JWKS without the asked kid
		})
		r := newRemote(t, p, jwks.Options{URL: kidURL})

		ks, err := r.KeysFor(context.Background(), kid, "ES256")
		if err != nil || len(ks) != 1 || ks[0].ID != kid {
			t.Fatalf("KeysFor = %v, %v", ks, err)
		}
		if got := p.last().URL.String(); got != "https://public-keys.auth.elb.test/"+kid {
			t.Errorf("fetched %s", got)
		}
		mustFind(t, r, "jwks")
		wantErr(t, r, "other", keys.ErrUnknownKey)
		_, err = r.KeysFor(context.Background(), kid, "EdDSA")
		wantIs(t, err, keys.ErrAlgorithm)
		wantCount(t, p, 3)

		// Cached per kid with the TTL; a missing kid (404) is remembered for
		// the TTL too (and at least an hour).
		wantErr(t, r, "missing", keys.ErrUnknownKey)
		wantErr(t, r, "missing", keys.ErrUnknownKey)
		mustFind(t, r, "jwks")
		wantCount(t, p, 4)
		time.Sleep(30 * time.Second)
		wantErr(t, r, "missing", keys.ErrUnknownKey)
		wantCount(t, p, 4)
		time.Sleep(time.Hour)
		wantErr(t, r, "missing", keys.ErrUnknownKey)
		wantCount(t, p, 5)

		h := r.Health()
		if h.URL != kidURL || strings.Join(h.KeyIDs, ",") != kid+",jwks" {
			t.Errorf("Health = %+v", h)
		}
	})
}

// TestKidURL_invalid: a kid outside the strict charset is never put in a
// URL.
func TestKidURL_invalid(t *testing.T) {
	p := albIDP(nil)
	r := newRemote(t, p, jwks.Options{URL: kidURL})
	for _, kid := range []string{
		"", ".", "..", "../etc/passwd", "a/b", "a..b", "%2e%2e", "a?b", "a#b", "a b", "a\x00b",
		"kid\u00e9", "a+b", "a:b", "a@b", "{{kid}}", strings.Repeat("a", 129),
	} {
		wantErr(t, r, kid, keys.ErrUnknownKey)
	}
	wantCount(t, p, 0)
	mustFindErr(t, r, strings.Repeat("a", 128)) // longest allowed: fetched (404)
	wantCount(t, p, 1)
}

func mustFindErr(t *testing.T, r *jwks.Remote, kid string) {
	t.Helper()
	wantErr(t, r, kid, keys.ErrUnknownKey)
}

func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

// TestKidURL_limits: per-kid single-flight, server errors as
// ErrUnavailable, a bounded budget for new kids under a spray, and a bounded
// number of cached kids.
func TestKidURL_limits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pems := map[string][]byte{}
		for i := range 8 {
			pems[fmt.Sprintf("kid%d", i)] = jwttest.Ed25519(byte(10+i), "").PublicPEM()
		}
		pems["boom"] = nil
		p := albIDP(pems)
		p.byPath["/boom"] = func(*http.Request) *http.Response {
			return &http.Response{StatusCode: 500, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}
		}
		r := newRemote(t, p, jwks.Options{URL: kidURL, MaxKeyIDs: 3})

		release := p.hold()
		var wg sync.WaitGroup
		for range 100 {
			wg.Go(func() { mustFind(t, r, "kid0") })
		}
		synctest.Wait()
		release()
		wg.Wait()
		wantCount(t, p, 1)

		wantErr(t, r, "boom", jwks.ErrUnavailable)
		wantCount(t, p, 2)

		// Every fetch counts against 8 per MinRefreshInterval: kid1 and
		// kid2 pass, the spray's first 4 kids are fetched (404), and the
		// rest are asked to come back (ErrUnavailable with a retry hint)
		// without requests, whether sent once or again.
		mustFind(t, r, "kid1")
		mustFind(t, r, "kid2")
		spray := func() (unknown, later int) {
			for i := range 1000 {
				_, err := r.KeysFor(context.Background(), fmt.Sprintf("spray%d", i), "EdDSA")
				switch d, ok := jwks.RetryAfter(err); {
				case errors.Is(err, keys.ErrUnknownKey):
					unknown++
				case errors.Is(err, jwks.ErrUnavailable) && ok && d > 0 && d <= 30*time.Second:
					later++
				default:
					t.Fatalf("spray%d: %v", i, err)
				}
			}
			return unknown, later
		}
		if unknown, later := spray(); unknown != 4 || later != 996 {
			t.Errorf("spray: %d unknown, %d retry later", unknown, later)
		}
		wantCount(t, p, 8)
		time.Sleep(30 * time.Second)
		spray()
		if n := p.count(); n > 16 {
			t.Errorf("%d requests in two intervals, want at most 16", n)
		}

		// At most MaxKeyIDs kids are cached; evicted ones are fetched again.
		time.Sleep(30 * time.Second)
		for _, kid := range []string{"kid3", "kid4", "kid5"} {
			mustFind(t, r, kid)
		}
		if h := r.Health(); len(h.KeyIDs) > 3 {
			t.Errorf("%d kids cached, MaxKeyIDs 3", len(h.KeyIDs))
		}
		time.Sleep(30 * time.Second)
		n := p.count()
		for _, kid := range []string{"kid0", "kid1", "kid2"} {
			mustFind(t, r, kid) // fetched again if evicted
		}
		if got := p.count() - n; got < 1 {
			t.Errorf("%d refetches of evicted kids", got)
		}

		// Refresh fetches every cached kid again.
		n = p.count()
		if err := r.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := p.count() - n; got < 1 || got > 3 {
			t.Errorf("Refresh made %d requests", got)
		}
	})
}

// TestKidURL_keyReplaced: a key replaced under the same kid of a {{kid}}
// URL is fetched again by KeysAfterFailure once the kid's entry is older
// than MinRefreshInterval.
func TestKidURL_keyReplaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		oldKey, newKey := jwttest.Ed25519(31, ""), jwttest.Ed25519(32, "")
		p := albIDP(map[string][]byte{"a": oldKey.PublicPEM()})
		r := newRemote(t, p, jwks.Options{URL: kidURL})
		failed, err := r.KeysFor(ctx, "a", "EdDSA")
		if err != nil {
			t.Fatal(err)
		}
		p.mu.Lock()
		body := newKey.PublicPEM()
		p.byPath["/a"] = func(*http.Request) *http.Response {
			return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
		}
		p.mu.Unlock()
		if ks := r.KeysAfterFailure(ctx, "a", "EdDSA", failed); ks != nil {
			t.Fatalf("kid fetched 0 s ago: got %v", ks)
		}
		if ks := r.KeysAfterFailure(ctx, "unseen", "EdDSA", failed); ks != nil {
			t.Fatalf("unseen kid: got %v", ks)
		}
		wantCount(t, p, 1)
		time.Sleep(30 * time.Second)
		ks := r.KeysAfterFailure(ctx, "a", "EdDSA", failed)
		if len(ks) != 1 || !newKey.Public.(ed25519.PublicKey).Equal(ks[0].Public) {
			t.Fatalf("got %v, want the new key", ks)
		}
		wantCount(t, p, 2)
	})
}
