package jwks

// White-box tests of pure helpers: TTL from Cache-Control, TLS settings,
// the bearer token, backoff, the kid charset, the redirect rule.

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCacheTTL mirrors Grafana's TestGetCacheExpiration (cache_ttl 10m) and
// adds the cases where jwtgate differs: the floor, no-cache/no-store alone,
// case, quotes, overflow, and caching off.
func TestCacheTTL(t *testing.T) {
	const ttl, floor = 10 * time.Minute, 30 * time.Second
	for _, tc := range []struct {
		name string
		cc   []string
		ttl  time.Duration
		want time.Duration
	}{
		{"no header", nil, ttl, 10 * time.Minute},
		{"max-age=300", []string{"max-age=300"}, ttl, 5 * time.Minute},
		{"max-age=7200", []string{"max-age=7200"}, ttl, 10 * time.Minute},
		{"max-age=invalid", []string{"max-age=invalid"}, ttl, 10 * time.Minute},
		{"max-age=300, no-cache", []string{"max-age=300, no-cache"}, ttl, 5 * time.Minute},
		// Grafana: TTL 0, which its cache stores for 24h.
		{"max-age=0", []string{"max-age=0"}, ttl, floor},
		{"no-cache", []string{"no-cache"}, ttl, floor},
		{"no-store", []string{"private, no-store"}, ttl, floor},
		{"below the floor", []string{"max-age=5"}, ttl, floor},
		{"upper case", []string{"Max-Age=60"}, ttl, time.Minute},
		{"quoted", []string{`max-age="120"`}, ttl, 2 * time.Minute},
		{"spaces", []string{" public ,  max-age=240 "}, ttl, 4 * time.Minute},
		{"negative", []string{"max-age=-5"}, ttl, 10 * time.Minute},
		{"overflow", []string{"max-age=99999999999999999999999"}, ttl, 10 * time.Minute},
		{"first max-age counts", []string{"max-age=60", "max-age=30"}, ttl, time.Minute},
		{"s-maxage ignored", []string{"s-maxage=60"}, ttl, 10 * time.Minute},
		{"caching off", []string{"max-age=300"}, -1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tc.cc {
				h.Add("Cache-Control", v)
			}
			if got := cacheTTL(h, tc.ttl, floor); got != tc.want {
				t.Errorf("cacheTTL(%q) = %v, want %v", tc.cc, got, tc.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}
	for i, w := range want {
		if got := backoff(i+1, 30*time.Second); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := backoff(1000, 30*time.Second); got != maxBackoff {
		t.Errorf("backoff(1000) = %v", got)
	}
	if got := backoff(3, 10*time.Minute); got != 10*time.Minute {
		t.Errorf("backoff with a long floor = %v", got)
	}
}

// TestTLSConfig mirrors Grafana's TestIntegrationCustomRootCAJWKHTTPSClient.
func TestTLSConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg, err := tlsConfig(&Options{})
	if err != nil || cfg.RootCAs != nil || cfg.MinVersion < 0x0303 || cfg.InsecureSkipVerify {
		t.Fatalf("empty CA: %+v, %v", cfg, err)
	}
	cfg, err = tlsConfig(&Options{TLSClientCA: write("ca.pem", selfSignedPEM(t)), TLSSkipVerifyInsecure: true})
	if err != nil || cfg.RootCAs == nil || !cfg.InsecureSkipVerify {
		t.Fatalf("CA: %+v, %v", cfg, err)
	}
	if _, err := tlsConfig(&Options{TLSClientCA: filepath.Join(dir, "missing.pem")}); err == nil {
		t.Error("missing CA file accepted")
	}
	if _, err := tlsConfig(&Options{TLSClientCA: write("nocert.pem", "hello\n")}); err == nil {
		t.Error("CA file without certificate accepted")
	}
}

// TestBearerTokenFile mirrors Grafana's getBearerToken cases.
func TestBearerTokenFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content, want string
		ok                  bool
	}{
		{"plain", "fake_token_string", "Bearer fake_token_string", true},
		{"trimmed", "\n fake_token_string \n", "Bearer fake_token_string", true},
		{"prefixed", "Bearer fake_token_string", "Bearer fake_token_string", true},
		{"prefixed lower case", "bearer fake_token_string", "bearer fake_token_string", true},
		{"whitespace only", " \t\n", "", false},
		{"empty", "", "", false},
		{"two lines", "a\nb", "", false},
	} {
		p := filepath.Join(dir, tc.name)
		if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := bearerToken(p)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s: %q, %v", tc.name, got, err)
		}
		if err != nil && strings.Contains(err.Error(), "fake_token") {
			t.Errorf("%s: error holds the token: %v", tc.name, err)
		}
	}
	if _, err := bearerToken(""); err == nil {
		t.Error(`bearerToken("") succeeded`)
	}
	if _, err := bearerToken(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestValidKID(t *testing.T) {
	for kid, want := range map[string]bool{
		"abc":                                  true,
		"5e8b3a1c-9d2f-4b7a-a1e3-0c4d5f6a7b8c": true,
		"a.b_c-D9":                             true,
		strings.Repeat("x", 128):               true,
		strings.Repeat("x", 129):               false,
		"":                                     false,
		".":                                    false,
		"..":                                   false,
		"a..b":                                 false,
		"a/b":                                  false,
		"a%2fb":                                false,
		"a?b":                                  false,
		"a\\b":                                 false,
		"é":                                    false,
	} {
		if got := validKID(kid); got != want {
			t.Errorf("validKID(%q) = %v", kid, got)
		}
	}
}

func TestRedirectPolicy(t *testing.T) {
	req := func(raw string) *http.Request {
		u, _ := url.Parse(raw)
		return &http.Request{URL: u}
	}
	via := func(n int) []*http.Request { return make([]*http.Request, n) }
	strict, lax := redirectPolicy(false), redirectPolicy(true)
	for _, tc := range []struct {
		check func(*http.Request, []*http.Request) error
		url   string
		hops  int
		ok    bool
	}{
		{strict, "https://a/", 1, true},
		{strict, "https://a/", 3, true},
		{strict, "https://a/", 4, false},
		{strict, "http://a/", 1, false},
		{lax, "http://a/", 1, true},
		{lax, "ftp://a/", 1, false},
	} {
		if err := tc.check(req(tc.url), via(tc.hops)); (err == nil) != tc.ok {
			t.Errorf("%s after %d: %v", tc.url, tc.hops, err)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://idp.test/jwks":                "https://idp.test/jwks",
		"https://u:p@idp.test/jwks?key=secret": "https://u:xxxxx@idp.test/jwks",
		"https://keys.test/{{kid}}?x={{kid}}":  "https://keys.test/{{kid}}",
		"":                                     "",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// selfSignedPEM returns a self-signed certificate, PEM encoded.
func selfSignedPEM(t *testing.T) string {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "jwtgate test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
