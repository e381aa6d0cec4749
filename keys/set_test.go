package keys_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"math/big"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/keys"
)

func TestNewSet(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	ec := jwttest.EC("ec", "ES384", "ec")
	ed := jwttest.Ed25519(2, "ed")
	set, err := keys.NewSet(
		keys.Key{ID: "good", Public: good.Public},
		keys.Key{ID: "ec", Algorithm: "ES384", Public: ec.Public},
		keys.Key{ID: "ed", Public: ed.Public},
		keys.Key{ID: "hs", Use: "sig", Public: bytes.Repeat([]byte{1}, 48)},
	)
	require.NoError(t, err)
	requireUsable(t, set)
	assert.Equal(t, 4, set.Len())
	assert.Equal(t, []string{"good", "ec", "ed", "hs"}, set.KeyIDs())
	assert.Empty(t, set.Skipped())

	ks := set.Keys()
	ks[0].ID = "changed"
	assert.Equal(t, "good", set.Keys()[0].ID, "Keys returns a copy")

	got, err := set.KeysFor(t.Context(), "hs", "HS384")
	require.NoError(t, err)
	require.Len(t, got, 1)
	_, err = set.KeysFor(t.Context(), "hs", "HS512")
	require.ErrorIs(t, err, keys.ErrAlgorithm, "a 48-byte secret is too short for HS512")
}

func TestNewSet_rejects(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	weak := jwttest.RSA("weak", 1024, "weak")
	for _, tc := range []struct {
		name string
		keys []keys.Key
	}{
		{"no keys", nil},
		{"nil Public", []keys.Key{{ID: "a"}}},
		{"a string", []keys.Key{{ID: "a", Public: "secret"}}},
		{"RSA private key", []keys.Key{{ID: "a", Public: good.Private}}},
		{"Ed25519 private key", []keys.Key{{ID: "a", Public: jwttest.Ed25519(1, "").Private}}},
		{"typed nil RSA key", []keys.Key{{ID: "a", Public: (*rsa.PublicKey)(nil)}}},
		{"RSA key without modulus", []keys.Key{{ID: "a", Public: &rsa.PublicKey{E: 65537}}}},
		{"typed nil EC key", []keys.Key{{ID: "a", Public: (*ecdsa.PublicKey)(nil)}}},
		{"EC key without point", []keys.Key{{ID: "a", Public: &ecdsa.PublicKey{Curve: elliptic.P256()}}}},
		{"EC key without curve", []keys.Key{{ID: "a", Public: &ecdsa.PublicKey{X: big.NewInt(1), Y: big.NewInt(1)}}}},
		{"EC point off the curve", []keys.Key{{ID: "a", Public: &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)}}}},
		{"EC negative coordinate", []keys.Key{{ID: "a", Public: &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(-1), Y: big.NewInt(1)}}}},
		{"weak RSA", []keys.Key{{ID: "a", Public: weak.Public}}},
		{"one weak key among good ones", []keys.Key{{ID: "good", Public: good.Public}, {ID: "weak", Public: weak.Public}}},
		{"short Ed25519", []keys.Key{{ID: "a", Public: ed25519.PublicKey(make([]byte, 31))}}},
		{"small-order Ed25519", []keys.Key{{ID: "a", Public: ed25519.PublicKey(make([]byte, 32))}}},
		{"empty HMAC secret", []keys.Key{{ID: "a", Public: []byte{}}}},
		{"16-byte HMAC secret", []keys.Key{{ID: "a", Public: make([]byte, 16)}}},
		{"Algorithm the key cannot verify", []keys.Key{{ID: "a", Algorithm: "ES256", Public: good.Public}}},
		{"unknown Algorithm", []keys.Key{{ID: "a", Algorithm: "RS1024", Public: good.Public}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := keys.NewSet(tc.keys...)
			require.ErrorIs(t, err, keys.ErrInvalidKey)
			require.Nil(t, set)
		})
	}
}

func TestSet_nilAndZero(t *testing.T) {
	var nilSet *keys.Set
	_, err := nilSet.KeysFor(t.Context(), "", "RS256")
	require.ErrorIs(t, err, keys.ErrUnknownKey)
	assert.Zero(t, nilSet.Len())
	assert.Nil(t, nilSet.Keys())
	assert.Nil(t, nilSet.KeyIDs())
	assert.Nil(t, nilSet.Skipped())

	var zero keys.Set
	_, err = zero.KeysFor(t.Context(), "", "RS256")
	require.ErrorIs(t, err, keys.ErrUnknownKey)
	assert.Zero(t, zero.Len())
}

// TestKeysFor_algorithmsByKeyType pins which algorithms each key type
// verifies, as KeysFor applies it.
func TestKeysFor_algorithmsByKeyType(t *testing.T) {
	rsaKey := keys.Key{Public: jwttest.RSA("good", 2048, "").Public}
	p256 := keys.Key{Public: jwttest.EC("ec", "ES256", "").Public}
	p384 := keys.Key{Public: jwttest.EC("ec", "ES384", "").Public}
	p521 := keys.Key{Public: jwttest.EC("ec", "ES512", "").Public}
	ed := keys.Key{Public: jwttest.Ed25519(1, "").Public}
	hs := func(n int) keys.Key { return keys.Key{Public: make([]byte, n)} }

	verifies := map[string][]string{}
	for name, k := range map[string]keys.Key{
		"rsa": rsaKey, "p256": p256, "p384": p384, "p521": p521, "ed": ed,
		"hs31": hs(31), "hs32": hs(32), "hs48": hs(48), "hs64": hs(64),
		"rsa/RS256":  {Algorithm: "RS256", Public: rsaKey.Public},
		"p256/ES384": {Algorithm: "ES384", Public: p256.Public},
		"ed/short":   {Public: ed25519.PublicKey(make([]byte, 16))},
	} {
		k.ID = name
		s, err := keys.NewSet(k)
		if err != nil {
			require.ErrorIs(t, err, keys.ErrInvalidKey, name)
			continue
		}
		if got := verifiable(s, name); got != nil {
			verifies[name] = got
		}
		for _, alg := range []string{"none", "", "rs256"} {
			_, err := s.KeysFor(t.Context(), name, alg)
			require.ErrorIs(t, err, keys.ErrAlgorithm, alg)
		}
	}
	assert.Equal(t, map[string][]string{
		"rsa":       {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"},
		"p256":      {"ES256"},
		"p384":      {"ES384"},
		"p521":      {"ES512"},
		"ed":        {"EdDSA"},
		"hs32":      {"HS256"},
		"hs48":      {"HS256", "HS384"},
		"hs64":      {"HS256", "HS384", "HS512"},
		"rsa/RS256": {"RS256"},
	}, verifies)
}

func TestKeysFor_noAllocs(t *testing.T) {
	set, err := keys.ParseJWKS(jwttest.JWKS(
		jwttest.RSA("good", 2048, "good"),
		jwttest.EC("ec", "ES256", "ec"),
		jwttest.Ed25519(1, "ed"),
	))
	require.NoError(t, err)
	ctx := t.Context()
	for _, tc := range []struct{ kid, alg string }{
		{"good", "RS256"}, {"ec", "ES256"}, {"ed", "EdDSA"}, // hits
		{"good", "HS256"}, {"nope", "RS256"}, // misses
	} {
		allocs := testing.AllocsPerRun(100, func() {
			_, _ = set.KeysFor(ctx, tc.kid, tc.alg)
		})
		assert.Zero(t, allocs, "%s/%s", tc.kid, tc.alg)
	}
}

func TestKeysFor_concurrent(t *testing.T) {
	set, err := keys.ParseJWKS(jwttest.JWKS(jwttest.RSA("good", 2048, "good"), jwttest.Ed25519(1, "ed")))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				if ks, err := set.KeysFor(t.Context(), "ed", "EdDSA"); err != nil || len(ks) != 1 {
					t.Error("lookup failed")
					return
				}
				_ = set.Keys()
				_ = set.Skipped()
			}
		})
	}
	wg.Wait()
}

// TestKeysFor_ATK33 is attack ATK-33 at the key layer: an HS* token naming
// an RSA or EC key finds no key to try, so the public key can never be used
// as an HMAC secret.
func TestKeysFor_ATK33(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	ec := jwttest.EC("ec", "ES256", "good")
	pemSet, err := keys.ParsePEM(good.PublicPEM(), "good")
	require.NoError(t, err)
	ecPEMSet, err := keys.ParsePEM(ec.PublicPEM(), "good")
	require.NoError(t, err)
	jwksSet, err := keys.ParseJWKS(jwttest.JWKS(good, ec))
	require.NoError(t, err)
	for name, set := range map[string]*keys.Set{"PEM RSA": pemSet, "PEM EC": ecPEMSet, "JWKS": jwksSet} {
		for _, alg := range []string{"HS256", "HS384", "HS512"} {
			_, err := set.KeysFor(t.Context(), "good", alg)
			require.ErrorIs(t, err, keys.ErrAlgorithm, "%s %s", name, alg)
		}
	}
}

// TestNewSet_rsaLimits: keys built in code get the limits of PEM and JWKS
// keys (2048 to 4096 bits, exponent odd in [3, 2^31)).
func TestNewSet_rsaLimits(t *testing.T) {
	for _, pub := range []*rsa.PublicKey{
		{N: oddModulus(4097), E: 65537},
		{N: oddModulus(16384), E: 65537},
		{N: oddModulus(2047), E: 65537},
		{N: oddModulus(2048), E: 1<<31 + 1},
	} {
		_, err := keys.NewSet(keys.Key{ID: "k", Public: pub})
		require.ErrorIs(t, err, keys.ErrInvalidKey, "%d bits, e=%d", pub.N.BitLen(), pub.E)
	}
	for _, bits := range []int{2048, 4096} {
		_, err := keys.NewSet(keys.Key{ID: "k", Public: &rsa.PublicKey{N: oddModulus(bits), E: 65537}})
		require.NoError(t, err, bits)
	}
}
