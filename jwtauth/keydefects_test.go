package jwtauth_test

import (
	"crypto/rsa"
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	var logs strings.Builder
	v := newV(t, jwtauth.Config{
		JWKSetValue: jwttest.Base64(jwttest.JWKSOf(padded, signOnly)),
		Logger:      slog.New(slog.NewTextHandler(&logs, nil)),
	})
	for _, k := range []*jwttest.Key{r, ed} {
		id, err := verify(t, v, k.Sign(jwttest.Default()))
		require.NoError(t, err, k.KID)
		assert.Equal(t, "alice", id.Subject)
	}
	// The leniency is said once, in the log when the keys load, and in
	// Stats, for each key.
	assert.Equal(t, 1, strings.Count(logs.String(), `level=INFO msg="jwt: keys loaded leniently" source=JWKSetValue`), logs.String())
	w := v.Stats().Keys.Warnings
	require.Len(t, w, 2)
	assert.Contains(t, w[0], strconv.Quote(r.KID))
	assert.Contains(t, w[1], `"sign"`)
}
