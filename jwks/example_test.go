package jwks_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
	"github.com/jwtgate/jwtgate/keys"
)

// t stands in for the *testing.T a real test passes to
// jwtauthtest.NewIssuer.
var t = &jwttest.ExampleTB{}

func TestMain(m *testing.M) {
	code := m.Run()
	t.RunCleanups()
	os.Exit(code)
}

// A Remote discovers the JWKS of an OpenID Connect issuer, fetches it on
// the first lookup and answers later ones from its cache. In a test, a
// jwtauthtest issuer is the identity provider.
func ExampleNewRemote() {
	iss := jwtauthtest.NewIssuer(t) // in a test: jwtauthtest.NewIssuer(t)

	remote, err := jwks.NewRemote(jwks.Options{
		Issuer:     iss.URL(),
		HTTPClient: iss.Client(), // trusts the issuer's test certificate
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer remote.Close()

	ks, err := remote.KeysFor(context.Background(), "jwtauthtest-1", "RS256")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range ks {
		fmt.Printf("kid=%s alg=%s type=%T\n", k.ID, k.Algorithm, k.Public)
	}

	// An unknown kid refreshes the set, at most once per
	// MinRefreshInterval (30 s), then is refused; another unknown kid
	// within the interval is refused without a request.
	for _, kid := range []string{"someone-else", "another-one"} {
		_, err = remote.KeysFor(context.Background(), kid, "RS256")
		fmt.Println(errors.Is(err, keys.ErrUnknownKey), iss.Fetches())
	}
	fmt.Println(remote.Health().KeyIDs)
	// Output:
	// kid=jwtauthtest-1 alg=RS256 type=*rsa.PublicKey
	// true 2
	// true 2
	// [jwtauthtest-1]
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
	remote, _ := jwks.NewRemote(jwks.Options{URL: srv.URL, InsecureAllowHTTP: true})
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
	// The provider serves one Ed25519 key under kid "main"; set replaces it.
	var current atomic.Value
	set := func(pub ed25519.PublicKey) {
		current.Store(fmt.Sprintf(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"main","x":%q}]}`,
			base64.RawURLEncoding.EncodeToString(pub)))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, current.Load().(string))
	}))
	defer srv.Close()
	oldKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	newKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	set(oldKey)

	// A clock the example moves forward.
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }

	remote, err := jwks.NewRemote(jwks.Options{URL: srv.URL + "/jwks", InsecureAllowHTTP: true, Now: clock})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer remote.Close()
	ctx := context.Background()

	failed, _ := remote.KeysFor(ctx, "main", "EdDSA") // the old key
	set(newKey)
	fmt.Println(len(remote.KeysAfterFailure(ctx, "main", "EdDSA", failed))) // the set is 0 s old
	now.Add(int64(31 * time.Second))
	ks := remote.KeysAfterFailure(ctx, "main", "EdDSA", failed)
	fmt.Println(len(ks), newKey.Equal(ks[0].Public))
	fmt.Println(remote.Health().Fetches)
	// Output:
	// 0
	// 1 true
	// 2
}
