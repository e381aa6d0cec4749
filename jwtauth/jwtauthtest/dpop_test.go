package jwtauthtest_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

func signer() *jwttest.Key { return jwttest.RSA("kit", 2048, "kit") }

func kitVerifier(t *testing.T, cfg jwtauth.Config) *jwtauth.Verifier {
	cfg.JWKSetValue = jwttest.Base64(jwttest.JWKS(signer()))
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return v
}

func TestDPoPKey(t *testing.T) {
	v := kitVerifier(t, jwtauth.Config{DPoP: jwtauth.DPoPRequired})
	k := jwtauthtest.NewDPoPKey(t)
	claims := jwttest.Default()
	claims["exp"] = jwttest.Unix(0) + 1<<30 // the real clock: far ahead
	delete(claims, "iat")
	bound := k.Bind(claims)
	require.NotContains(t, claims, "cnf", "Bind copies")
	tok := signer().Sign(bound)

	r := httptest.NewRequest("POST", "https://api.example.com/things?x=1", nil)
	k.Authorize(r, tok)
	id, err := v.VerifyRequest(r)
	require.NoError(t, err)
	require.Equal(t, k.Thumbprint(), id.Confirmation["jkt"])

	// Replayed, or for another key: refused.
	_, err = v.VerifyRequest(r)
	require.ErrorIs(t, err, jwtauth.ErrDPoP)
	other := jwtauthtest.NewDPoPKey(t)
	other.Authorize(r, tok)
	_, err = v.VerifyRequest(r)
	require.ErrorIs(t, err, jwtauth.ErrDPoP)

	// A broken proof, built with ProofWith.
	r.Header.Set("DPoP", k.ProofWith(map[string]any{"jti": "x", "htm": "GET", "htu": "https://api.example.com/things", "iat": 0}))
	_, err = v.VerifyRequest(r)
	require.ErrorIs(t, err, jwtauth.ErrDPoP)
}

func TestDPoPKeyNonce(t *testing.T) {
	v := kitVerifier(t, jwtauth.Config{DPoP: jwtauth.DPoPAllowed, DPoPNonceKey: []byte("0123456789abcdef0123456789abcdef")})
	k := jwtauthtest.NewDPoPKey(t)
	c := jwttest.Default()
	c["exp"] = jwttest.Unix(0) + 1<<30
	delete(c, "iat")
	tok := signer().Sign(k.Bind(c))
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	r := httptest.NewRequest("GET", "https://api.example.com/", nil)
	k.Authorize(r, tok)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusUnauthorized, w.Code)
	k.Nonce = w.Header().Get("DPoP-Nonce")
	require.NotEmpty(t, k.Nonce)
	k.Authorize(r, tok)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code)
}

func TestClientCert(t *testing.T) {
	c := jwtauthtest.NewClientCert(t, "client")
	claims := jwttest.Default()
	claims["exp"] = jwttest.Unix(0) + 1<<30
	delete(claims, "iat")
	tok := signer().Sign(c.Bind(claims))

	v := kitVerifier(t, jwtauth.Config{CertBoundTokens: true})
	r := httptest.NewRequest("GET", "https://api.example.com/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	_, err := v.VerifyRequest(r)
	require.True(t, errors.Is(err, jwtauth.ErrCertBinding))
	r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{c.Leaf}}
	_, err = v.VerifyRequest(r)
	require.NoError(t, err)

	proxied := kitVerifier(t, jwtauth.Config{CertBoundTokens: true, ClientCertHeader: "X-Client-Cert"})
	r = httptest.NewRequest("GET", "http://backend/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	r.Header.Set("X-Client-Cert", c.EscapedPEM())
	_, err = proxied.VerifyRequest(r)
	require.NoError(t, err)
}
