// Package jwtauthtest runs a test identity provider for the tests of
// services that use jwtauth, in the spirit of net/http/httptest: an
// [Issuer] serves OpenID Connect discovery and a JSON Web Key Set over TLS
// and signs tokens with its current key.
//
// It is for tests only: its keys are generated per Issuer and never
// protected, and its methods stop the test (t.Fatal) on any error. It is
// not for use outside tests.
package jwtauthtest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// jwksPath is where an Issuer serves its key set; discovery points to it.
const jwksPath = "/jwks"

// Issuer is a running test identity provider: an httptest TLS server
// serving <URL>/.well-known/openid-configuration and the key set it names,
// and the RS256 keys that sign tokens. Create one with [NewIssuer]; the
// zero value is not usable. Its methods are safe for concurrent use.
// It is not for use outside tests.
type Issuer struct {
	t       testing.TB
	srv     *httptest.Server
	client  *http.Client
	fetches atomic.Int64

	mu   sync.Mutex
	keys []signingKey // every published key; the last one is current
}

type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

// NewIssuer starts a test identity provider with one RS256 key (kid
// "jwtauthtest-1"). Its server is closed by t.Cleanup, so a Verifier
// closed earlier with t.Cleanup (registered later) shuts down first. It
// calls t.Fatal if the key cannot be generated. It is not for use outside
// tests.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	i := &Issuer{t: t}
	i.srv = httptest.NewUnstartedServer(http.HandlerFunc(i.serve))
	i.srv.StartTLS()
	t.Cleanup(i.srv.Close)
	i.client = i.srv.Client()
	i.client.Timeout = 10 * time.Second
	i.addKey()
	return i
}

// URL returns the issuer URL ("https://127.0.0.1:<port>"), which is also
// the "iss" of the tokens it signs. Discovery is at
// URL()+"/.well-known/openid-configuration".
func (i *Issuer) URL() string { return i.srv.URL }

// Client returns an HTTP client that trusts the issuer's TLS certificate,
// with a 10 s timeout. It is the same client on every call.
func (i *Issuer) Client() *http.Client { return i.client }

// Config returns a jwtauth.Config that trusts this issuer: OIDCIssuerURL
// URL(), HTTPClient Client(), ExpectClaims {"iss": URL()}. It also sets
// MinRefreshInterval to 1ns, so that a token signed after [Issuer.Rotate]
// is verified at once rather than after the default 30 s rate limit on
// unknown kids. Add identity mapping fields (UsernameClaim, ...) to the
// result as needed; the returned value shares nothing with the Issuer.
func (i *Issuer) Config() jwtauth.Config {
	return jwtauth.Config{
		OIDCIssuerURL:      i.URL(),
		HTTPClient:         i.Client(),
		ExpectClaims:       map[string]any{"iss": i.URL()},
		MinRefreshInterval: time.Nanosecond,
	}
}

// Sign returns a compact JWS of claims signed with the current key (alg
// RS256, the key's kid, typ "JWT"). It sets "iss" to URL(), "iat" to now
// and "exp" to now plus one hour, each unless claims has that key; a key
// present with a nil value is left out of the token (for example
// "exp": nil signs a token without exp). claims is not modified. Sign
// calls t.Fatal if claims cannot be encoded as JSON, so call it from the
// test's goroutine.
func (i *Issuer) Sign(claims map[string]any) string {
	i.t.Helper()
	return i.SignWith(nil, claims)
}

// SignWith is [Issuer.Sign] with extra protected header parameters:
// header's entries are added to the token's header, replacing "typ" or
// "kid" when it names them, and a nil value leaves that parameter out
// (for example {"typ": "at+jwt"} for an RFC 9068 access token, or
// {"kid": nil} for a token without kid). Setting "alg" is refused with
// t.Fatal, as is anything that cannot be encoded as JSON. header and
// claims are not modified.
func (i *Issuer) SignWith(header, claims map[string]any) string {
	i.t.Helper()
	if _, ok := header["alg"]; ok {
		i.t.Fatal("jwtauthtest: SignWith cannot set the alg header; the issuer signs with RS256")
	}
	i.mu.Lock()
	k := i.keys[len(i.keys)-1]
	i.mu.Unlock()

	h := map[string]any{"typ": "JWT", "kid": k.kid}
	maps.Copy(h, header)
	opts := &jose.SignerOptions{}
	for name, val := range h {
		if val != nil {
			opts.WithHeader(jose.HeaderKey(name), val)
		}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k.priv}, opts)
	if err != nil {
		i.t.Fatalf("jwtauthtest: %v", err)
	}

	now := time.Now()
	c := map[string]any{"iss": i.URL(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	maps.Copy(c, claims)
	maps.DeleteFunc(c, func(_ string, v any) bool { return v == nil })
	payload, err := json.Marshal(c)
	if err != nil {
		i.t.Fatalf("jwtauthtest: claims: %v", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		i.t.Fatalf("jwtauthtest: %v", err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		i.t.Fatalf("jwtauthtest: %v", err)
	}
	return token
}

// Rotate makes a new RS256 key, with a new kid ("jwtauthtest-2", ...), the
// current one: Sign uses it from now on. Earlier keys stay in the
// published key set, so tokens they signed still verify. It calls t.Fatal
// if the key cannot be generated.
func (i *Issuer) Rotate() {
	i.t.Helper()
	i.addKey()
}

// Fetches returns how many key set (JWKS) requests the issuer has served;
// discovery requests are not counted.
func (i *Issuer) Fetches() int { return int(i.fetches.Load()) }

func (i *Issuer) addKey() {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		i.t.Fatalf("jwtauthtest: generating an RSA key: %v", err)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys = append(i.keys, signingKey{kid: fmt.Sprintf("jwtauthtest-%d", len(i.keys)+1), priv: priv})
}

func (i *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var doc any
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		doc = map[string]any{
			"issuer":                                i.URL(),
			"jwks_uri":                              i.URL() + jwksPath,
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"subject_types_supported":               []string{"public"},
			"response_types_supported":              []string{"id_token"},
		}
	case jwksPath:
		i.fetches.Add(1)
		set := jose.JSONWebKeySet{}
		i.mu.Lock()
		for _, k := range i.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: "RS256", Use: "sig"})
		}
		i.mu.Unlock()
		doc = set
	default:
		http.NotFound(w, r)
		return
	}
	body, err := json.Marshal(doc)
	if err != nil {
		http.Error(w, "cannot encode", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
