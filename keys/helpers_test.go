package keys_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/algs"
	"github.com/jwtgate/jwtgate/keys"
)

// verifyCompact checks the signature of a compact JWS with pub, using the
// standard library directly (not go-jose and not jwtgate), as RFC 7518 §3
// defines each algorithm.
func verifyCompact(t testing.TB, alg string, pub any, token string) bool {
	t.Helper()
	i := strings.LastIndexByte(token, '.')
	require.Positive(t, i, "token has no signature part")
	input, sig64 := token[:i], token[i+1:]
	sig, err := base64.RawURLEncoding.DecodeString(sig64)
	require.NoError(t, err)
	return verifySig(alg, pub, []byte(input), sig)
}

func verifySig(alg string, pub any, input, sig []byte) bool {
	if alg == "EdDSA" {
		p, ok := pub.(ed25519.PublicKey)
		return ok && ed25519.Verify(p, input, sig)
	}
	var h crypto.Hash
	var newHash func() hash.Hash
	switch alg[2:] {
	case "256":
		h, newHash = crypto.SHA256, sha256.New
	case "384":
		h, newHash = crypto.SHA384, sha512.New384
	case "512":
		h, newHash = crypto.SHA512, sha512.New
	default:
		return false
	}
	if alg[:2] == "HS" {
		secret, ok := pub.([]byte)
		if !ok {
			return false
		}
		m := hmac.New(newHash, secret)
		m.Write(input)
		return hmac.Equal(m.Sum(nil), sig)
	}
	hh := newHash()
	hh.Write(input)
	digest := hh.Sum(nil)
	switch alg[:2] {
	case "RS":
		p, ok := pub.(*rsa.PublicKey)
		return ok && rsa.VerifyPKCS1v15(p, h, digest, sig) == nil
	case "PS":
		p, ok := pub.(*rsa.PublicKey)
		return ok && rsa.VerifyPSS(p, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	case "ES":
		p, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return false
		}
		size := (p.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return false
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(p, digest, r, s)
	}
	return false
}

// b64 is unpadded base64url.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// with returns a copy of the JWK object jwk with members set (a nil value
// deletes the member).
func with(jwk map[string]any, members map[string]any) map[string]any {
	out := make(map[string]any, len(jwk)+len(members))
	for k, v := range jwk {
		out[k] = v
	}
	for k, v := range members {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// mustJSON marshals v.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// skippedByKID returns the Skipped entries of s, keyed by kid.
func skippedByKID(s *keys.Set) map[string]keys.Skipped {
	m := map[string]keys.Skipped{}
	for _, sk := range s.Skipped() {
		m[sk.KeyID] = sk
	}
	return m
}

// requireUsable asserts the invariant every successful parse must hold: a
// non-empty set whose keys each verify at least one algorithm.
func requireUsable(t testing.TB, s *keys.Set) {
	t.Helper()
	require.NotNil(t, s)
	require.Positive(t, s.Len())
	for _, k := range s.Keys() {
		require.NotEmpty(t, verifiable(s, k.ID), "key %q (%T) verifies no algorithm", k.ID, k.Public)
	}
}

// verifiable lists the algorithms for which s has a key with kid.
func verifiable(s *keys.Set, kid string) []string {
	var out []string
	for _, alg := range algs.Names() {
		if ks, err := s.KeysFor(context.Background(), kid, alg); err == nil && len(ks) > 0 {
			out = append(out, alg)
		}
	}
	return out
}
