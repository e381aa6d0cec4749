package jwks_test

import (
	"bytes"
	"encoding/json"
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

const issuer = "https://idp.test/realms/acme"

// oidcIDP serves a discovery document and JWKS documents by path; each can
// be changed while the test runs. Paths not set answer 404.
type oidcIDP struct {
	*idp
	mu    sync.Mutex
	paths map[string][]byte
	auth  map[string]string // path -> Authorization last received
}

func newOIDC(doc map[string]any, jwksPaths map[string][]byte) *oidcIDP {
	o := &oidcIDP{idp: newIDP(nil, ""), paths: map[string][]byte{}, auth: map[string]string{}}
	o.status = 404
	o.byPath = map[string]func(*http.Request) *http.Response{}
	o.setDoc(doc)
	for p, b := range jwksPaths {
		o.set(p, b)
	}
	return o
}

func (o *oidcIDP) setDoc(doc map[string]any) {
	b, _ := json.Marshal(doc)
	o.set("/realms/acme/.well-known/openid-configuration", b)
}

func (o *oidcIDP) set(path string, body []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if body == nil {
		delete(o.paths, path)
		return
	}
	o.paths[path] = body
	o.byPath[path] = func(r *http.Request) *http.Response {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.auth[r.URL.Host+r.URL.Path] = r.Header.Get("Authorization")
		b, ok := o.paths[path]
		if !ok {
			return &http.Response{StatusCode: 404, Header: http.Header{}, Body: http.NoBody}
		}
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(b))}
	}
}

func (o *oidcIDP) authOf(hostPath string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.auth[hostPath]
}

func doc(iss, jwksURI string) map[string]any {
	return map[string]any{"issuer": iss, "jwks_uri": jwksURI, "id_token_signing_alg_values_supported": []string{"EdDSA"}}
}

func TestDiscovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newOIDC(doc(issuer, issuer+"/certs"), map[string][]byte{"/realms/acme/certs": jwttest.JWKS(key1)})
		r := newRemote(t, o.idp, jwks.Options{Issuer: issuer, CacheTTL: 10 * time.Minute,
			BearerTokenFile: writeFile(t, "token", []byte("sa-token"))})
		if h := r.Health(); h.Issuer != issuer || h.Source != "Issuer" {
			t.Errorf("Health = %+v", h)
		}
		if h := r.Health(); h.URL != "" {
			t.Errorf("URL before discovery = %q", h.URL)
		}
		mustFind(t, r, "k1")
		wantCount(t, o.idp, 2)
		if h := r.Health(); h.URL != issuer+"/certs" || h.Issuer != issuer {
			t.Errorf("Health = %+v", h)
		}
		if a := o.authOf("idp.test/realms/acme/certs"); a != "Bearer sa-token" {
			t.Errorf("Authorization to the same-host jwks_uri = %q", a)
		}

		// jwks_uri moves and the old URL dies: an unknown-kid refresh fails
		// on it, discovery is read again and the new URL is used at once.
		o.setDoc(doc(issuer, issuer+"/certs2"))
		o.set("/realms/acme/certs", nil)
		o.set("/realms/acme/certs2", jwttest.JWKS(key1, key2))
		time.Sleep(30 * time.Second)
		mustFind(t, r, "k2")
		wantCount(t, o.idp, 5) // certs (404), discovery, certs2
		if h := r.Health(); h.URL != issuer+"/certs2" || h.Failures != 0 {
			t.Errorf("Health = %+v", h)
		}

		// A TTL-driven refresh reads discovery again: a jwks_uri on another
		// host is followed, and gets no bearer token.
		o.setDoc(doc(issuer, "https://keys.other.test/realms/acme/certs3"))
		o.set("/realms/acme/certs3", jwttest.JWKS(key3))
		time.Sleep(9 * time.Minute)
		mustFind(t, r, "k2") // refresh-ahead in the background
		synctest.Wait()
		mustFind(t, r, "k3")
		wantCount(t, o.idp, 7)
		if a := o.authOf("keys.other.test/realms/acme/certs3"); a != "" {
			t.Errorf("bearer token sent to another host: %q", a)
		}
	})
}

func TestDiscovery_bad(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  any
		want string
	}{
		{"issuer mismatch", doc("https://evil.test/realms/acme", issuer+"/certs"), "does not equal"},
		{"issuer trailing slash", doc(issuer+"/", issuer+"/certs"), "does not equal"},
		{"no issuer", map[string]any{"jwks_uri": issuer + "/certs"}, "no issuer"},
		{"no jwks_uri", map[string]any{"issuer": issuer}, "no jwks_uri"},
		{"http jwks_uri", doc(issuer, "http://idp.test/certs"), "must be https"},
		{"file jwks_uri", doc(issuer, "file:///etc/passwd"), "must be https"},
		{"templated jwks_uri", doc(issuer, issuer+"/{{kid}}"), "must not contain"},
		{"not JSON", "<html>", "invalid discovery document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newOIDC(nil, map[string][]byte{"/realms/acme/certs": jwttest.JWKS(key1)})
			b, _ := json.Marshal(tc.doc)
			if s, ok := tc.doc.(string); ok {
				b = []byte(s)
			}
			o.set("/realms/acme/.well-known/openid-configuration", b)
			r := newRemote(t, o.idp, jwks.Options{Issuer: issuer})
			err := wantErr(t, r, "k1", jwks.ErrUnavailable)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			wantCount(t, o.idp, 1)
		})
	}
}

// TestDiscovery_insecureHTTP: with InsecureAllowHTTP, http issuers and
// jwks_uri values work.
func TestDiscovery_insecureHTTP(t *testing.T) {
	const iss = "http://idp.test/realms/acme"
	o := newOIDC(doc(iss, iss+"/certs"), map[string][]byte{"/realms/acme/certs": jwttest.JWKS(key1)})
	r := newRemote(t, o.idp, jwks.Options{Issuer: iss, InsecureAllowHTTP: true})
	mustFind(t, r, "k1")
	wantErr(t, r, "nope", keys.ErrUnknownKey)
}
