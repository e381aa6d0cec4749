package jwks_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/keys"
)

// writeFile writes data to a new file in t's temp dir and returns its path.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// selfSigned returns a PEM certificate and PEM private key.
func selfSigned(t testing.TB) (certPEM, keyPEM []byte) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "jwtgate test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IsCA:         true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// TestNewRemote_config covers ATK-15 and every configuration error: each
// names the field, in jwtauth.Config terms, and NewRemote does no I/O.
func TestNewRemote_config(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	ca := writeFile(t, "ca.pem", certPEM)
	noCerts := writeFile(t, "nocerts.pem", []byte("not a certificate\n"))
	certFile := writeFile(t, "client.pem", certPEM)
	keyFile := writeFile(t, "client.key", keyPEM)
	token := writeFile(t, "token", []byte("fake_token_string\n"))
	blank := writeFile(t, "blank", []byte(" \n\t\n"))
	empty := writeFile(t, "empty", nil)
	missing := filepath.Join(t.TempDir(), "missing")
	client := &http.Client{}

	for _, tc := range []struct {
		name string
		o    jwks.Options
		want string // error prefix after "jwks: " (the Options field); "" means success
	}{
		{"https", jwks.Options{URL: "https://idp.example/jwks"}, ""},
		{"http refused", jwks.Options{URL: "http://idp.example/jwks"}, "URL: must be https"},
		{"http with InsecureAllowHTTP", jwks.Options{URL: "http://idp.example/jwks", InsecureAllowHTTP: true}, ""},
		{"file", jwks.Options{URL: "file:///etc/passwd"}, "URL: must be https"},
		{"file even with InsecureAllowHTTP", jwks.Options{URL: "file:///etc/passwd", InsecureAllowHTTP: true}, "URL: must be https"},
		{"ftp", jwks.Options{URL: "ftp://idp.example/jwks"}, "URL: must be https"},
		{"gopher", jwks.Options{URL: "gopher://idp.example/jwks"}, "URL: must be https"},
		{"no host", jwks.Options{URL: "https:///jwks"}, "URL: must have a host"},
		{"port only", jwks.Options{URL: "https://:443/jwks"}, "URL: must have a host"},
		{"relative", jwks.Options{URL: "/jwks"}, "URL: must be https"},
		{"unparsable", jwks.Options{URL: "https://idp.example/%zz"}, "URL: invalid URL"},
		{"none", jwks.Options{}, "URL: a JWKS URL or an OIDC Issuer is required"},
		{"both", jwks.Options{URL: "https://a/jwks", Issuer: "https://a"}, "Issuer: cannot be combined with URL"},
		{"issuer", jwks.Options{Issuer: "https://idp.example/realms/x"}, ""},
		{"issuer http", jwks.Options{Issuer: "http://idp.example"}, "Issuer: must be https"},
		{"issuer query", jwks.Options{Issuer: "https://idp.example/?x=1"}, "Issuer: must not have a query"},
		{"kid template", jwks.Options{URL: "https://keys.example/{{kid}}"}, ""},
		{"kid template in query", jwks.Options{URL: "https://keys.example/key?kid={{kid}}"}, ""},
		{"kid in host", jwks.Options{URL: "https://{{kid}}.example/key"}, "URL: {{kid}} may only appear in the path or query"},
		{"kid as host", jwks.Options{URL: "https://{{kid}}/key"}, "URL: {{kid}} may only appear"},
		{"kid in userinfo", jwks.Options{URL: "https://{{kid}}@keys.example/key"}, "URL: {{kid}} may only appear"},
		{"negative MinRefreshInterval", jwks.Options{URL: testURL, MinRefreshInterval: -1}, "MinRefreshInterval: must not be negative"},
		{"negative MaxBodyBytes", jwks.Options{URL: testURL, MaxBodyBytes: -1}, "MaxBodyBytes: must not be negative"},
		{"negative MaxKeyIDs", jwks.Options{URL: testURL, MaxKeyIDs: -1}, "MaxKeyIDs: must not be negative"},
		{"negative CacheTTL and MaxStale", jwks.Options{URL: testURL, CacheTTL: -1, MaxStale: -1}, ""},
		{"CA", jwks.Options{URL: testURL, TLSClientCA: ca}, ""},
		{"CA missing", jwks.Options{URL: testURL, TLSClientCA: missing}, "TLSClientCA: "},
		{"CA without certificate", jwks.Options{URL: testURL, TLSClientCA: noCerts}, "TLSClientCA: no PEM certificate"},
		{"client cert", jwks.Options{URL: testURL, TLSClientCert: certFile, TLSClientKey: keyFile}, ""},
		{"client cert without key", jwks.Options{URL: testURL, TLSClientCert: certFile}, "TLSClientKey: required with TLSClientCert"},
		{"client key without cert", jwks.Options{URL: testURL, TLSClientKey: keyFile}, "TLSClientCert: required with TLSClientKey"},
		{"client cert unloadable", jwks.Options{URL: testURL, TLSClientCert: keyFile, TLSClientKey: certFile}, "TLSClientCert: "},
		{"skip verify", jwks.Options{URL: testURL, TLSSkipVerifyInsecure: true}, ""},
		{"HTTPClient", jwks.Options{URL: testURL, HTTPClient: client}, ""},
		{"HTTPClient with TLS fields", jwks.Options{URL: testURL, HTTPClient: client, TLSClientCA: ca, TLSSkipVerifyInsecure: true},
			"HTTPClient: cannot be combined with TLSClientCA, TLSSkipVerifyInsecure"},
		{"bearer token", jwks.Options{URL: testURL, BearerTokenFile: token}, ""},
		{"bearer token whitespace only", jwks.Options{URL: testURL, BearerTokenFile: blank}, "BearerTokenFile: "},
		{"bearer token empty", jwks.Options{URL: testURL, BearerTokenFile: empty}, "BearerTokenFile: "},
		{"bearer token missing", jwks.Options{URL: testURL, BearerTokenFile: missing}, "BearerTokenFile: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := jwks.NewRemote(tc.o)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("NewRemote: %v", err)
				}
				if err := r.Close(); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				r.Close()
				t.Fatalf("NewRemote succeeded, want %q", tc.want)
			}
			if !strings.HasPrefix(err.Error(), "jwks: "+tc.want) {
				t.Fatalf("NewRemote: %q, want prefix %q", err, "jwks: "+tc.want)
			}
			var named interface{ Option() string }
			if field, _, _ := strings.Cut(tc.want, ":"); !errors.As(err, &named) || named.Option() != field {
				t.Errorf("Option() does not name %s", field)
			}
		})
	}
}

// TestNewRemote_noIO: New and Close send nothing; the first KeysFor fetches.
func TestNewRemote_noIO(t *testing.T) {
	p := newIDP(jwttest.JWKS(key1), "")
	r := newRemote(t, p, jwks.Options{})
	wantCount(t, p, 0)
	mustFind(t, r, "k1")
	wantCount(t, p, 1)
	if h := r.Health(); h.Issuer != "" || h.Source != "URL" {
		t.Errorf("Health = %+v", h)
	}
}

// TestGrafana_caching mirrors Grafana's TestIntegrationCachingJWKHTTPResponse.
func TestGrafana_caching(t *testing.T) {
	t.Run("caches the jwk response", func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{Now: jwttest.Clock()})
		for range 5 {
			mustFind(t, r, "k1")
		}
		wantCount(t, p, 1)
	})
	t.Run("respects TTL setting while cached", func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{Now: jwttest.Clock()})
		mustFind(t, r, "k1")
		p.serve(200, jwttest.JWKS(key1, key2), "")
		// Known kids are answered from the cache. Unlike Grafana, which
		// never refreshes before the TTL, an unknown kid refreshes once
		// (see TestUnknownKid for the rate limit).
		mustFind(t, r, "k1")
		wantCount(t, p, 1)
		mustFind(t, r, "k2")
		wantCount(t, p, 2)
	})
	t.Run("does not cache the response when TTL is zero", func(t *testing.T) {
		p := newIDP(jwttest.JWKS(key1), "max-age=3600")
		r := newRemote(t, p, jwks.Options{Now: jwttest.Clock(), CacheTTL: -1})
		mustFind(t, r, "k1")
		mustFind(t, r, "k1")
		wantCount(t, p, 2)
	})
}

// TestGrafana_verifyUsingJWKSetURL mirrors the sign/verify scenarios of
// TestIntegrationVerifyUsingJWKSetURL, at the key-lookup level, over a
// real TLS server whose CA is given as TLSClientCA.
func TestGrafana_verifyUsingJWKSetURL(t *testing.T) {
	rsa0 := jwttest.RSA("grafana", 2048, "key0")
	ts := newTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write(jwttest.JWKS(rsa0, key1))
	})
	r := tlsRemote(t, ts, jwks.Options{})
	for _, kid := range []string{"key0"} {
		ks, err := r.KeysFor(t.Context(), kid, "RS256")
		if err != nil || len(ks) != 1 {
			t.Fatalf("KeysFor(%s) = %v, %v", kid, ks, err)
		}
	}
	mustFind(t, r, "k1")
	wantErr(t, r, "unknown", keys.ErrUnknownKey)
}

// TestBearerToken mirrors TestIntegrationAuthorizationHeaderJWKHTTPSClient
// and checks the token is re-read on every fetch and never logged.
func TestBearerToken(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"fake_token_string", "Bearer fake_token_string"},
		{"  fake_token_string\n", "Bearer fake_token_string"},
		{"Bearer fake_token_string", "Bearer fake_token_string"},
	} {
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{BearerTokenFile: writeFile(t, "token", []byte(tc.file)), CacheTTL: -1})
		mustFind(t, r, "k1")
		if got := p.last().Header.Get("Authorization"); got != tc.want {
			t.Errorf("file %q: Authorization = %q, want %q", tc.file, got, tc.want)
		}
	}

	t.Run("re-read on every fetch", func(t *testing.T) {
		var logs logBuffer
		path := writeFile(t, "token", []byte("first-token"))
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(t, p, jwks.Options{BearerTokenFile: path, CacheTTL: -1,
			Logger: slogDebug(&logs)})
		mustFind(t, r, "k1")
		if err := os.WriteFile(path, []byte("second-token"), 0o600); err != nil {
			t.Fatal(err)
		}
		mustFind(t, r, "k1")
		if got := p.last().Header.Get("Authorization"); got != "Bearer second-token" {
			t.Errorf("Authorization = %q", got)
		}
		// Emptied later: the fetch fails (stale set served), no request sent.
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		mustFind(t, r, "k1")
		wantCount(t, p, 2)
		if h := r.Health(); !strings.Contains(h.LastError, "jwks: BearerTokenFile: ") {
			t.Errorf("LastError = %q", h.LastError)
		}
		if s := logs.String(); strings.Contains(s, "first-token") || strings.Contains(s, "second-token") {
			t.Errorf("a bearer token was logged:\n%s", s)
		}
	})
}

// TestRetryAfter covers the hint jwtauth turns into a Retry-After header.
func TestRetryAfter(t *testing.T) {
	if _, ok := jwks.RetryAfter(nil); ok {
		t.Error("RetryAfter(nil) ok")
	}
	if _, ok := jwks.RetryAfter(errors.New("x")); ok {
		t.Error("RetryAfter(other) ok")
	}
	p := newIDP(nil, "")
	p.serve(503, nil, "")
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	r := newRemote(t, p, jwks.Options{Now: clk.Now})
	err := wantErr(t, r, "k1", jwks.ErrUnavailable)
	if d, ok := jwks.RetryAfter(err); !ok || d != 30*time.Second {
		t.Errorf("RetryAfter = %v, %v; want 30s", d, ok)
	}
	clk.Advance(10*time.Second + time.Millisecond)
	err = wantErr(t, r, "k1", jwks.ErrUnavailable)
	if d, ok := jwks.RetryAfter(err); !ok || d != 20*time.Second {
		t.Errorf("RetryAfter = %v, %v; want 20s (rounded up)", d, ok)
	}
	wantCount(t, p, 1)
}

// TestLogging: key-set changes (info), skipped keys (info the first time,
// debug when unchanged), failures (warn), fetches (debug).
func TestLogging(t *testing.T) {
	var logs logBuffer
	foo := map[string]any{"kty": "foo", "kid": "odd"}
	p := newIDP(jwttest.JWKSOf(key1.JWK(false), foo), "")
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	r := newRemote(t, p, jwks.Options{Now: clk.Now, Logger: slogDebug(&logs)})
	mustFind(t, r, "k1")
	if h := r.Health(); len(h.Skipped) != 1 || h.Skipped[0].KeyID != "odd" || h.Skipped[0].Type != "foo" {
		t.Errorf("Skipped = %+v", h.Skipped)
	}
	for _, want := range []string{
		`level=DEBUG msg="jwks: fetched" url=https://idp.test/jwks keys=1`,
		`level=INFO msg="jwks: key set changed" url=https://idp.test/jwks added=[k1] removed=[]`,
		`level=INFO msg="jwks: keys skipped"`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}

	clk.Advance(time.Minute)
	if err := r.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), `level=INFO msg="jwks: keys skipped"`); n != 1 {
		t.Errorf("unchanged skipped keys logged at info %d times", n)
	}
	if n := strings.Count(logs.String(), `level=DEBUG msg="jwks: keys skipped"`); n != 1 {
		t.Errorf("skipped keys not logged once per fetch")
	}

	p.serve(200, jwttest.JWKS(key2), "")
	if err := r.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if want := `added=[k2] removed=[k1]`; !strings.Contains(logs.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, logs.String())
	}

	p.serve(500, nil, "")
	if err := r.Refresh(t.Context()); !errors.Is(err, jwks.ErrUnavailable) {
		t.Fatalf("Refresh = %v", err)
	}
	if want := `level=WARN msg="jwks: fetch failed"`; !strings.Contains(logs.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, logs.String())
	}
	mustFind(t, r, "k2") // a failed Refresh keeps the set
}

// TestRetryAfter_method: the hint is also found through a RetryAfter()
// method, which is how jwtauth looks for it.
func TestRetryAfter_method(t *testing.T) {
	p := newIDP(nil, "")
	p.serve(500, nil, "")
	r := newRemote(t, p, jwks.Options{Now: jwttest.NewFakeClock(jwttest.Epoch).Now})
	err := wantErr(t, r, "k1", jwks.ErrUnavailable)
	var ra interface{ RetryAfter() time.Duration }
	if !errors.As(err, &ra) || ra.RetryAfter() != 30*time.Second {
		t.Fatalf("RetryAfter method on %v", err)
	}
}
