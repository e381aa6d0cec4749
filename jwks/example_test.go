package jwks_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/keys"
)

// A Remote fetches the JWKS on the first lookup and answers later ones from
// its cache.
func ExampleNewRemote() {
	key := jwttest.Ed25519(7, "2026-11")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=600")
		w.Write(jwttest.JWKSOf(key.JWK(true)))
	}))
	defer srv.Close()

	remote, err := jwks.NewRemote(jwks.Options{
		URL:               srv.URL + "/jwks",
		InsecureAllowHTTP: true, // httptest serves plain http; use https in production
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer remote.Close()

	ks, err := remote.KeysFor(context.Background(), "2026-11", "EdDSA")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range ks {
		fmt.Printf("kid=%s alg=%s type=%T\n", k.ID, k.Algorithm, k.Public)
	}

	// An unknown kid refreshes the set once (at most once per
	// MinRefreshInterval), then is refused.
	_, err = remote.KeysFor(context.Background(), "someone-else", "EdDSA")
	fmt.Println(errors.Is(err, keys.ErrUnknownKey))

	h := remote.Health()
	fmt.Println(h.KeyIDs, h.TTL, h.Fetches)
	// Output:
	// kid=2026-11 alg=EdDSA type=ed25519.PublicKey
	// true
	// [2026-11] 10m0s 2
}

// NewRemote rejects a plain-http URL unless InsecureAllowHTTP is set; the
// message names the Options field.
func ExampleNewRemote_https() {
	_, err := jwks.NewRemote(jwks.Options{URL: "http://idp.example/jwks"})
	fmt.Println(err)
	// Output:
	// jwks: URL: must be https (http needs InsecureAllowHTTP)
}

// RetryAfter gives the Retry-After of a 503 when no key set is available.
func ExampleRetryAfter() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	remote, _ := jwks.NewRemote(jwks.Options{URL: srv.URL, InsecureAllowHTTP: true, Now: jwttest.Clock()})
	defer remote.Close()

	_, err := remote.KeysFor(context.Background(), "k1", "EdDSA")
	d, ok := jwks.RetryAfter(err)
	fmt.Println(errors.Is(err, jwks.ErrUnavailable), d, ok)
	// Output:
	// true 30s true
}

// A provider replaces the key under the same kid. After a signature fails
// with every key KeysFor returned, KeysAfterFailure refreshes the set once,
// when it is older than MinRefreshInterval (30 s), and returns the new key.
func ExampleRemote_KeysAfterFailure() {
	old, cur := jwttest.Ed25519(8, "main"), jwttest.Ed25519(9, "main")
	idp := jwttest.NewFaultServer(jwttest.ServeJWKS("", old))
	srv := httptest.NewServer(idp)
	defer srv.Close()
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	remote, err := jwks.NewRemote(jwks.Options{URL: srv.URL + "/jwks", InsecureAllowHTTP: true, Now: clk.Now})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer remote.Close()
	ctx := context.Background()

	failed, _ := remote.KeysFor(ctx, "main", "EdDSA") // the old key
	idp.Serve(jwttest.ServeJWKS("", cur))
	fmt.Println(len(remote.KeysAfterFailure(ctx, "main", "EdDSA", failed))) // the set is 0 s old
	clk.Advance(31 * time.Second)
	ks := remote.KeysAfterFailure(ctx, "main", "EdDSA", failed)
	fmt.Println(len(ks), cur.Public.(ed25519.PublicKey).Equal(ks[0].Public))
	fmt.Println(remote.Health().Fetches)
	// Output:
	// 0
	// 1 true
	// 2
}
