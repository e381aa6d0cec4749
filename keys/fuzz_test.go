package keys_test

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"math/big"
	"testing"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/keys"
)

// fuzzKeys are the test keys whose encodings seed both fuzz targets.
func fuzzKeys() []*jwttest.Key {
	return []*jwttest.Key{
		jwttest.RSA("good", 2048, "good"),
		jwttest.RSA("weak", 1024, "weak"),
		jwttest.EC("ec", "ES256", "p256"),
		jwttest.EC("ec", "ES384", "p384"),
		jwttest.EC("ec", "ES512", "p521"),
		jwttest.Ed25519(1, "ed"),
	}
}

// checkParsed asserts what every parse must guarantee: an error wraps
// ErrInvalidKey and comes without a set; a set is non-empty, each key
// verifies some algorithm, and KeysFor finds each key under its kid.
func checkParsed(t *testing.T, set *keys.Set, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, keys.ErrInvalidKey) {
			t.Fatalf("error does not wrap ErrInvalidKey: %v", err)
		}
		if set != nil {
			t.Fatal("a set returned with an error")
		}
		return
	}
	if set == nil || set.Len() == 0 {
		t.Fatal("no error but no key")
	}
	for _, k := range set.Keys() {
		if len(verifiable(set, k.ID)) == 0 {
			t.Fatalf("key %q (%T) verifies no algorithm", k.ID, k.Public)
		}
	}
}

func FuzzParsePEM(f *testing.F) {
	for _, k := range fuzzKeys() {
		f.Add(k.PublicPEM(), k.KID)
	}
	for _, v := range jwttest.Vectors() {
		set, err := keys.ParseJWKS(v.JWKS())
		if err != nil {
			f.Fatal(err)
		}
		if pub := set.Keys()[0].Public; pub != nil {
			if der, err := x509.MarshalPKIXPublicKey(pub); err == nil {
				f.Add(pemOf("PUBLIC KEY", der), "")
			}
		}
	}
	good := jwttest.RSA("good", 2048, "good")
	pub := good.Public.(*rsa.PublicKey)
	f.Add(pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(pub)), "k")
	f.Add(pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(good.Private.(*rsa.PrivateKey))), "k")
	if der, err := x509.MarshalECPrivateKey(jwttest.EC("ec", "ES256", "").Private.(*ecdsa.PrivateKey)); err == nil {
		f.Add(pemOf("EC PRIVATE KEY", der), "")
	}
	if der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: oddModulus(512), E: 65537}); err == nil {
		f.Add(pemOf("PUBLIC KEY", der), "")
	}
	if der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: pub.N, E: 65536}); err == nil {
		f.Add(pemOf("PUBLIC KEY", der), "")
	}
	f.Add(append(good.PublicPEM(), pemOf("PRIVATE KEY", []byte("x"))...), "")
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "")
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\n"), "")
	f.Add([]byte(""), "")
	f.Add([]byte("{}"), "")

	f.Fuzz(func(t *testing.T, data []byte, kid string) {
		set, err := keys.ParsePEM(data, kid)
		checkParsed(t, set, err)
		if err == nil && (set.Len() != 1 || set.Keys()[0].ID != kid || set.Keys()[0].Algorithm != "") {
			t.Fatalf("ParsePEM must return exactly one key with ID %q and no alg", kid)
		}
	})
}

func FuzzParseJWKS(f *testing.F) {
	for _, v := range jwttest.Vectors() {
		f.Add(v.JWKS())
	}
	ks := fuzzKeys()
	f.Add(jwttest.JWKS(ks...))
	for _, k := range ks {
		f.Add(jwttest.JWKSOf(k.JWK(true)))
	}
	f.Add(jwttest.JWKSOf(jwttest.HMAC("HS256", hmac32, "hs").JWK(true)))

	// ATK-22 inputs: invalid P-256 points and coordinate sizes.
	x, y := ecXY(jwttest.EC("ec", "ES256", "ec"))
	x384, y384 := ecXY(jwttest.EC("ec", "ES384", "ec"))
	yPlus1 := new(big.Int).Add(new(big.Int).SetBytes(y), big.NewInt(1)).FillBytes(make([]byte, 32))
	zero := make([]byte, 32)
	for _, c := range [][2][]byte{{x, yPlus1}, {zero, zero}, {x[1:], y}, {x, append([]byte{0}, y...)}, {x384, y384}} {
		f.Add(jwttest.JWKSOf(ks[0].JWK(false), ecJWK("bad", c[0], c[1])))
	}
	good := ks[0].JWK(false)
	f.Add(jwttest.JWKSOf(with(good, map[string]any{"use": "enc"}), with(good, map[string]any{"key_ops": []string{"sign"}})))
	f.Add(jwttest.JWKSOf(with(good, map[string]any{"d": "AQAB"}), with(good, map[string]any{"alg": "none"})))
	f.Add(jwttest.JWKSOf(map[string]any{"kty": "oct", "k": ""}, map[string]any{"kty": "OKP", "crv": "X25519", "x": b64(zero)}))
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"keys":null}`, `{"keys":"x"}`, `{"keys":[]}`, `{"keys":[{"kty":"foo"}]}`,
		`{"keys":[{"kty":"RSA","n":"AA","e":"AQAB"}]}`, `{"keys":[{}],"keys":[]}`, `{"keys":[[[[[]]]]]}`,
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := keys.ParseJWKS(data)
		checkParsed(t, set, err)
	})
}
