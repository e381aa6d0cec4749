package jwtauth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// clientCert is a self-signed client certificate (RFC 8705 §2.2 allows
// self-signed ones) and its cnf thumbprint.
type clientCert struct {
	tls  tls.Certificate
	pem  []byte
	x5t  string // base64url(SHA-256(DER))
	leaf *x509.Certificate
}

func newClientCert(t testing.TB, cn string) clientCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	tmpl.Subject.CommonName = cn
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	sum := sha256.Sum256(der)
	return clientCert{
		tls:  tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		pem:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		x5t:  base64.RawURLEncoding.EncodeToString(sum[:]),
		leaf: leaf,
	}
}

func certBoundToken(c clientCert) string {
	return rsaGood().Sign(claimsWith(map[string]any{"cnf": map[string]any{"x5t#S256": c.x5t}}))
}

// TestATK220CertBoundTLS (ATK-220): a certificate-bound token over a real
// loopback TLS connection passes with its certificate and is refused
// without one or with another.
func TestATK220CertBoundTLS(t *testing.T) {
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(rsaGood()), CertBoundTokens: true})
	srv := httptest.NewUnstartedServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwtauth.FromContext(r.Context())
		w.Header().Set("X-Sub", id.Subject)
		w.WriteHeader(http.StatusNoContent)
	})))
	srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	mine, theirs := newClientCert(t, "client"), newClientCert(t, "attacker")
	tok := certBoundToken(mine)
	call := func(cert *clientCert, token string) *http.Response {
		t.Helper()
		tr := srv.Client().Transport.(*http.Transport).Clone()
		if cert != nil {
			tr.TLSClientConfig.Certificates = []tls.Certificate{cert.tls}
		}
		t.Cleanup(tr.CloseIdleConnections)
		c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		req, err := http.NewRequest("GET", srv.URL+"/", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := c.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}

	resp := call(&mine, tok)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Equal(t, "alice", resp.Header.Get("X-Sub"))

	resp = call(nil, tok)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Equal(t, `Bearer error="invalid_token"`, resp.Header.Get("WWW-Authenticate"))

	resp = call(&theirs, tok)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// A token without x5t#S256 is a bearer token, with or without a cert.
	plain := rsaGood().Sign(jwttest.Default())
	require.Equal(t, http.StatusNoContent, call(nil, plain).StatusCode)
	require.Equal(t, http.StatusNoContent, call(&theirs, plain).StatusCode)
	require.EqualValues(t, 2, v.Stats().Refused["ErrCertBinding"])
}

// TestATK220CertBoundErrors: the sentinel and what is refused, directly.
func TestATK220CertBoundErrors(t *testing.T) {
	mine, theirs := newClientCert(t, "client"), newClientCert(t, "attacker")
	tok := certBoundToken(mine)
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(rsaGood()), CertBoundTokens: true})
	req := func(cert *clientCert) *http.Request {
		r := httptest.NewRequest("GET", "https://api.example.com/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		if cert != nil {
			r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert.leaf}}
		}
		return r
	}
	_, err := v.VerifyRequest(req(&mine))
	require.NoError(t, err)
	_, err = v.VerifyRequest(req(nil))
	requireReason(t, err, jwtauth.ErrCertBinding, "cnf")
	_, err = v.VerifyRequest(req(&theirs))
	requireReason(t, err, jwtauth.ErrCertBinding, "cnf")
	_, err = verify(t, v, tok) // no request, no certificate: fail closed
	requireReason(t, err, jwtauth.ErrCertBinding, "cnf")

	// The header is not read without ClientCertHeader.
	r := req(nil)
	r.Header.Set("X-Client-Cert", url.PathEscape(string(mine.pem)))
	_, err = v.VerifyRequest(r)
	requireReason(t, err, jwtauth.ErrCertBinding, "cnf")

	// Without CertBoundTokens the binding is not enforced (RFC 8705 §3
	// leaves it to servers that support it).
	off := newV(t, jwtauth.Config{JWKSetValue: jwksValue(rsaGood())})
	id, err := off.VerifyRequest(req(nil))
	require.NoError(t, err)
	require.Equal(t, map[string]any{"x5t#S256": mine.x5t}, id.Confirmation)

	bad := rsaGood().Sign(claimsWith(map[string]any{"cnf": map[string]any{"x5t#S256": 7}}))
	r = req(&mine)
	r.Header.Set("Authorization", "Bearer "+bad)
	_, err = v.VerifyRequest(r)
	requireReason(t, err, jwtauth.ErrMalformed, "cnf")
}

// TestATK221CertBoundClientCertHeader (ATK-221): behind a TLS-terminating proxy
// the certificate comes from ClientCertHeader as nginx's
// $ssl_client_escaped_cert writes it, and only from there.
func TestATK221CertBoundClientCertHeader(t *testing.T) {
	mine, theirs := newClientCert(t, "client"), newClientCert(t, "attacker")
	tok := certBoundToken(mine)
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(rsaGood()), CertBoundTokens: true, ClientCertHeader: "X-Client-Cert"})
	req := func(header ...string) *http.Request {
		r := httptest.NewRequest("GET", "http://auth.internal/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		for _, h := range header {
			r.Header.Add("X-Client-Cert", h)
		}
		return r
	}
	// nginx escapes the PEM as a URI component: newlines, spaces, '+',
	// '/' and '=' percent-encoded.
	escaped := url.QueryEscape(string(mine.pem))
	escaped = strings.ReplaceAll(escaped, "+", "%20")
	_, err := v.VerifyRequest(req(escaped))
	require.NoError(t, err)
	_, err = v.VerifyRequest(req(url.PathEscape(string(mine.pem))))
	require.NoError(t, err, "a literal '+' of the base64 stays a '+'")

	for _, tc := range []struct {
		name  string
		r     *http.Request
		claim string
	}{
		{"no header", req(), "cnf"},
		{"empty header", req(""), "cnf"},
		{"another certificate", req(url.PathEscape(string(theirs.pem))), "cnf"},
		{"header repeated", req(escaped, escaped), "X-Client-Cert"},
		{"not PEM", req("garbage"), "X-Client-Cert"},
		{"bad escape", req("%zz"), "X-Client-Cert"},
		{"a private key PEM", req(url.PathEscape(string(privatePEM(t, rsaGood())))), "X-Client-Cert"},
		{"the proxy's own TLS peer certificate", func() *http.Request {
			r := req()
			r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{mine.leaf}}
			return r
		}(), "cnf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.VerifyRequest(tc.r)
			requireReason(t, err, jwtauth.ErrCertBinding, tc.claim)
		})
	}
}
