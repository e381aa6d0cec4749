package jwtauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/keys"
)

var allSentinels = []error{
	jwtauth.ErrNoToken, jwtauth.ErrMalformed, jwtauth.ErrAlgorithm, jwtauth.ErrUnknownKey,
	jwtauth.ErrSignature, jwtauth.ErrKeysUnavailable, jwtauth.ErrExpired, jwtauth.ErrNotYetValid,
	jwtauth.ErrIssuedInFuture, jwtauth.ErrClaimMismatch, jwtauth.ErrMissingClaim, jwtauth.ErrNoRole,
	jwtauth.ErrAttributePath, jwtauth.ErrInvalidConfig, jwtauth.ErrDisabled,
}

// requireOnly asserts err matches want and no other sentinel.
func requireOnly(t testing.TB, err, want error) {
	t.Helper()
	require.ErrorIs(t, err, want)
	for _, s := range allSentinels {
		if s != want {
			require.NotErrorIs(t, err, s, "error %q also matches %v", err, s)
		}
	}
}

// claimsWith returns the default claims with kv applied (a nil value
// deletes the claim).
func claimsWith(kv map[string]any) jwttest.Claims {
	c := jwttest.Default()
	for k, v := range kv {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func rsaGood() *jwttest.Key { return jwttest.RSA("good", 2048, "good") }

// newV builds a Verifier with the fixed clock, closed with the test.
func newV(t testing.TB, cfg jwtauth.Config) *jwtauth.Verifier {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = jwttest.Clock()
	}
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return v
}

func jwksValue(ks ...*jwttest.Key) string { return jwttest.Base64(jwttest.JWKS(ks...)) }

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

func verify(t testing.TB, v *jwtauth.Verifier, tok string) (*jwtauth.Identity, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return v.Verify(ctx, tok)
}

// serve sends one request through v.Middleware and returns the recorder
// and the identity next saw (nil when next was not called).
func serve(v *jwtauth.Verifier, r *http.Request) (*httptest.ResponseRecorder, *jwtauth.Identity, *http.Request) {
	var seen *jwtauth.Identity
	var seenReq *http.Request
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = jwtauth.FromContext(r.Context())
		seenReq = r
		w.WriteHeader(http.StatusNoContent)
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w, seen, seenReq
}

// countingSource counts lookups, can fail on demand and can have its key
// set swapped between verifications.
type countingSource struct {
	set *keys.Set
	err error
	n   atomic.Int64
}

func (s *countingSource) KeysFor(ctx context.Context, kid, alg string) ([]keys.Key, error) {
	s.n.Add(1)
	if s.err != nil {
		return nil, s.err
	}
	return s.set.KeysFor(ctx, kid, alg)
}

type retryErr struct{ error }

func (retryErr) RetryAfter() time.Duration { return 42 * time.Second }

var errBoom = errors.New("boom")

type rsaPub = rsa.PublicKey

func privatePEM(t testing.TB, k *jwttest.Key) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func selfSignedCert(t testing.TB, k *jwttest.Key) []byte {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: jwttest.Epoch.Add(-time.Hour), NotAfter: jwttest.Epoch.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public, k.Private)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
