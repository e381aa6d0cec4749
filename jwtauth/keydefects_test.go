package jwtauth_test

import (
	"crypto/rsa"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/keys"
)

// TestNew_oversizedPEMKey: an 8192-bit RSA key_file or key_value is refused
// when the Verifier is built, as an oversized JWKS key is skipped (issue 14).
func TestNew_oversizedPEMKey(t *testing.T) {
	pemData, err := os.ReadFile(filepath.Join("..", "keys", "testdata", "rsa8192-public.pem"))
	require.NoError(t, err)
	for name, cfg := range map[string]jwtauth.Config{
		"KeyValue": {KeyValue: base64.StdEncoding.EncodeToString(pemData)},
		"KeyFile":  {KeyFile: writeFile(t, "big.pem", pemData)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := jwtauth.New(cfg)
			require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
			require.ErrorIs(t, err, keys.ErrInvalidKey)
			assert.Contains(t, err.Error(), "8192 bits; at most 4096")
		})
	}
}

// TestVerify_lenientJWKs: tokens signed by keys Grafana accepts, published
// with a zero-padded RSA modulus or key_ops ["sign"], verify (issue 14).
func TestVerify_lenientJWKs(t *testing.T) {
	r := rsaGood()
	ed := jwttest.Ed25519(1, "ed")
	padded := r.JWK(false)
	padded["n"] = base64.RawURLEncoding.EncodeToString(append([]byte{0}, r.Public.(*rsa.PublicKey).N.Bytes()...))
	signOnly := ed.JWK(false)
	signOnly["key_ops"] = []string{"sign"}
	v := newV(t, jwtauth.Config{JWKSetValue: jwttest.Base64(jwttest.JWKSOf(padded, signOnly))})
	for _, k := range []*jwttest.Key{r, ed} {
		id, err := verify(t, v, k.Sign(jwttest.Default()))
		require.NoError(t, err, k.KID)
		assert.Equal(t, "alice", id.Subject)
	}
}
