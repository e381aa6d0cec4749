package keys_test

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/keys"
)

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pkixPEM(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	return pemOf("PUBLIC KEY", der)
}

// certPEM returns a CERTIFICATE for pub, signed by the good RSA key, valid
// only between notBefore and notAfter.
func certPEM(t *testing.T, pub any, notBefore, notAfter time.Time) []byte {
	t.Helper()
	signer := jwttest.RSA("good", 2048, "good").Private.(*rsa.PrivateKey)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "jwt signer"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer)
	require.NoError(t, err)
	return pemOf("CERTIFICATE", der)
}

// oddModulus returns 2^(bits-1)+1: an odd number of exactly bits bits. It
// is no real RSA modulus, but parsing only looks at its size and parity.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func oddModulus(bits int) *big.Int {
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	return n.Add(n, big.NewInt(1))
}

func TestParsePEM_accepted(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	rsaPub := good.Public.(*rsa.PublicKey)
	p256 := jwttest.EC("ec", "ES256", "ec")
	p384 := jwttest.EC("ec", "ES384", "ec")
	p521 := jwttest.EC("ec", "ES512", "ec")
	ed := jwttest.Ed25519(7, "ed")
	now := time.Now()

	for _, tc := range []struct {
		name string
		pem  []byte
		pub  any
		algs []string // some algorithms the key must verify
		not  string   // an algorithm it must not verify
	}{
		{"PKIX RSA 2048", good.PublicPEM(), rsaPub, []string{"RS256", "RS384", "RS512", "PS256", "PS512"}, "ES256"},
		{"PKIX EC P-256", p256.PublicPEM(), p256.Public, []string{"ES256"}, "ES384"},
		{"PKIX EC P-384", p384.PublicPEM(), p384.Public, []string{"ES384"}, "ES256"},
		{"PKIX EC P-521", p521.PublicPEM(), p521.Public, []string{"ES512"}, "ES256"},
		{"PKIX Ed25519", ed.PublicPEM(), ed.Public, []string{"EdDSA"}, "HS256"},
		{"PKCS#1 RSA", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(rsaPub)), rsaPub, []string{"RS256", "PS384"}, "HS256"},
		{"RSA exponent 3", pkixPEM(t, &rsa.PublicKey{N: rsaPub.N, E: 3}), &rsa.PublicKey{N: rsaPub.N, E: 3}, []string{"RS256"}, "EdDSA"},
		{"CERTIFICATE RSA", certPEM(t, rsaPub, now.Add(-time.Hour), now.Add(time.Hour)), rsaPub, []string{"RS256"}, "ES256"},
		{"CERTIFICATE EC P-256", certPEM(t, p256.Public, now.Add(-time.Hour), now.Add(time.Hour)), p256.Public, []string{"ES256"}, "RS256"},
		{"CERTIFICATE Ed25519", certPEM(t, ed.Public, now.Add(-time.Hour), now.Add(time.Hour)), ed.Public, []string{"EdDSA"}, "RS256"},
		// Validity dates are not checked: the certificate only carries the key.
		{"expired CERTIFICATE", certPEM(t, rsaPub, now.Add(-48*time.Hour), now.Add(-24*time.Hour)), rsaPub, []string{"RS256"}, "ES256"},
		{"not yet valid CERTIFICATE", certPEM(t, rsaPub, now.Add(24*time.Hour), now.Add(48*time.Hour)), rsaPub, []string{"RS256"}, "ES256"},
		{"text before the block", append([]byte("issuer: example\n\n"), good.PublicPEM()...), rsaPub, []string{"RS256"}, "ES256"},
		{"later public blocks ignored", append(good.PublicPEM(), p256.PublicPEM()...), rsaPub, []string{"RS256"}, "ES256"},
		{"trailing text ignored", append(good.PublicPEM(), "trailing junk\n-----BEGIN"...), rsaPub, []string{"RS256"}, "ES256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := keys.ParsePEM(tc.pem, "kid-1")
			require.NoError(t, err)
			requireUsable(t, set)
			require.Equal(t, 1, set.Len())
			k := set.Keys()[0]
			assert.Equal(t, "kid-1", k.ID)
			assert.Empty(t, k.Algorithm, "a PEM key carries no alg")
			assert.Empty(t, k.Use)
			assert.Empty(t, set.Skipped())
			assert.True(t, k.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.pub), "parsed key differs")
			for _, alg := range tc.algs {
				got, err := set.KeysFor(t.Context(), "kid-1", alg)
				require.NoError(t, err, alg)
				assert.Len(t, got, 1)
			}
			_, err = set.KeysFor(t.Context(), "kid-1", tc.not)
			require.ErrorIs(t, err, keys.ErrAlgorithm)
			_, err = set.KeysFor(t.Context(), "", tc.algs[0])
			require.ErrorIs(t, err, keys.ErrUnknownKey, "a token without kid must not match a PEM key with key_id")
		})
	}
}

func TestParsePEM_emptyKID(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	set, err := keys.ParsePEM(good.PublicPEM(), "")
	require.NoError(t, err)
	got, err := set.KeysFor(t.Context(), "", "RS256")
	require.NoError(t, err)
	require.Len(t, got, 1)
	// Grafana parity: without key_id, a token that carries any kid fails.
	_, err = set.KeysFor(t.Context(), "good", "RS256")
	require.ErrorIs(t, err, keys.ErrUnknownKey)
}

func TestParsePEM_rejected(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	rsaPub := good.Public.(*rsa.PublicKey)
	rsaPriv := good.Private.(*rsa.PrivateKey)
	ecPriv := jwttest.EC("ec", "ES256", "ec").Private.(*ecdsa.PrivateKey)
	edPriv := jwttest.Ed25519(7, "ed").Private.(ed25519.PrivateKey)
	weak := jwttest.RSA("weak", 1024, "weak")
	now := time.Now()

	pkcs8, err := x509.MarshalPKCS8PrivateKey(rsaPriv)
	require.NoError(t, err)
	pkcs8EC, err := x509.MarshalPKCS8PrivateKey(ecPriv)
	require.NoError(t, err)
	pkcs8Ed, err := x509.MarshalPKCS8PrivateKey(edPriv)
	require.NoError(t, err)
	sec1, err := x509.MarshalECPrivateKey(ecPriv)
	require.NoError(t, err)
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	x25519, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)
	legacyEncrypted := pem.EncodeToMemory(&pem.Block{
		Type:    "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00112233445566778899AABBCCDDEEFF"},
		Bytes:   []byte("ciphertext"),
	})

	for _, tc := range []struct {
		name string
		pem  []byte
		msg  string // expected in the error text
	}{
		// Private keys, whatever their encoding.
		{"PKCS#8 RSA private key", pemOf("PRIVATE KEY", pkcs8), "configure the corresponding public key"},
		{"PKCS#8 EC private key", pemOf("PRIVATE KEY", pkcs8EC), "private key"},
		{"PKCS#8 Ed25519 private key", pemOf("PRIVATE KEY", pkcs8Ed), "private key"},
		{"PKCS#1 RSA private key", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaPriv)), `"RSA PRIVATE KEY"`},
		{"SEC 1 EC private key", pemOf("EC PRIVATE KEY", sec1), `"EC PRIVATE KEY"`},
		{"PKCS#8 encrypted private key", pemOf("ENCRYPTED PRIVATE KEY", []byte("opaque")), `"ENCRYPTED PRIVATE KEY"`},
		{"legacy encrypted PEM", legacyEncrypted, "private key"},
		{"OpenSSH private key", pemOf("OPENSSH PRIVATE KEY", []byte("openssh-key-v1")), `"OPENSSH PRIVATE KEY"`},
		{"PGP private key", pemOf("PGP PRIVATE KEY BLOCK", []byte("x")), "private key"},
		{"DSA private key", pemOf("DSA PRIVATE KEY", []byte("x")), "private key"},
		{"public key followed by private key", append(good.PublicPEM(), pemOf("PRIVATE KEY", pkcs8)...), "private key"},
		{"EC parameters then EC private key", append(pemOf("EC PARAMETERS", []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}), pemOf("EC PRIVATE KEY", sec1)...), "private key"},

		// Weak or malformed RSA.
		{"PKIX RSA 1024", weak.PublicPEM(), "1024 bits"},
		{"PKIX RSA 512", pkixPEM(t, &rsa.PublicKey{N: oddModulus(512), E: 65537}), "512 bits"},
		{"PKCS#1 RSA 1024", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(weak.Public.(*rsa.PublicKey))), "1024 bits"},
		{"CERTIFICATE with 1024-bit key", certPEM(t, weak.Public, now.Add(-time.Hour), now.Add(time.Hour)), "1024 bits"},
		{"RSA 2047 bits", pkixPEM(t, &rsa.PublicKey{N: oddModulus(2047), E: 65537}), "2047 bits"},
		{"RSA 4097 bits", pkixPEM(t, &rsa.PublicKey{N: oddModulus(4097), E: 65537}), "4097 bits; at most 4096"},
		{"RSA 16384 bits", pkixPEM(t, &rsa.PublicKey{N: oddModulus(16384), E: 65537}), "16384 bits; at most 4096"},
		{"PKCS#1 RSA 16384 bits, exponent 2^31-1", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsa.PublicKey{N: oddModulus(16384), E: 1<<31 - 1})), "16384 bits; at most 4096"},
		{"RSA 4160 bits (openssl)", readTestdata(t, "rsa4160-public.pem"), "4160 bits; at most 4096"},
		{"RSA 8192 bits (openssl)", readTestdata(t, "rsa8192-public.pem"), "8192 bits; at most 4096"},
		{"PKCS#1 RSA 8192 bits (openssl)", readTestdata(t, "rsa8192-pkcs1-public.pem"), "8192 bits; at most 4096"},
		{"RSA even modulus", pkixPEM(t, &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 2048), E: 65537}), "even"},
		{"RSA exponent 1", pkixPEM(t, &rsa.PublicKey{N: rsaPub.N, E: 1}), "exponent"},
		{"RSA exponent 2", pkixPEM(t, &rsa.PublicKey{N: rsaPub.N, E: 2}), "exponent"},
		{"RSA even exponent 65536", pkixPEM(t, &rsa.PublicKey{N: rsaPub.N, E: 65536}), "exponent"},
		{"RSA exponent 2^31+1", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsa.PublicKey{N: rsaPub.N, E: 1<<31 + 1})), "exponent"},

		// Other key types and curves.
		{"EC P-224", pkixPEM(t, &p224.PublicKey), "P-224"},
		{"EC secp256k1", pemOf("PUBLIC KEY", secp256k1SPKI(t)), "unsupported elliptic curve"},
		{"X25519", pkixPEM(t, x25519.PublicKey()), "X25519"},
		{"Ed25519 identity point", pkixPEM(t, ed25519.PublicKey(edBytes(t, "0100000000000000000000000000000000000000000000000000000000000000"))), "small-order"},
		{"Ed25519 order-2 point", pkixPEM(t, ed25519.PublicKey(edBytes(t, "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))), "small-order"},
		{"Ed25519 order-4 point", pkixPEM(t, ed25519.PublicKey(make([]byte, 32))), "small-order"},
		{"Ed25519 order-8 point", pkixPEM(t, ed25519.PublicKey(edBytes(t, "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"))), "small-order"},
		{"Ed25519 y = p (non-canonical)", pkixPEM(t, ed25519.PublicKey(edBytes(t, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))), "canonical"},
		{"Ed25519 y = 2 (not a point)", pkixPEM(t, ed25519.PublicKey(edBytes(t, "0200000000000000000000000000000000000000000000000000000000000000"))), "canonical"},

		// Not a usable PEM at all.
		{"empty", nil, "no PEM block"},
		{"whitespace", []byte(" \n\t"), "no PEM block"},
		{"garbage", []byte("not a key"), "no PEM block"},
		{"raw DER", x509.MarshalPKCS1PublicKey(rsaPub), "no PEM block"},
		{"JSON", jwttest.JWKS(good), "ParseJWKS"},
		{"bad base64 in block", []byte("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n"), "no PEM block"},
		{"garbage DER", pemOf("PUBLIC KEY", []byte("garbage")), `"PUBLIC KEY"`},
		{"empty DER", pemOf("PUBLIC KEY", nil), `"PUBLIC KEY"`},
		{"PKCS#1 DER under PUBLIC KEY", pemOf("PUBLIC KEY", x509.MarshalPKCS1PublicKey(rsaPub)), `"PUBLIC KEY"`},
		{"garbage certificate", pemOf("CERTIFICATE", []byte("garbage")), `"CERTIFICATE"`},
		{"DER with trailing data", pemOf("PUBLIC KEY", append(mustPKIX(t, rsaPub), 0)), "trailing data"},
		{"headers on a public key", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: map[string]string{"Comment": "x"}, Bytes: mustPKIX(t, rsaPub)}), "headers"},
		{"unknown type", pemOf("CERTIFICATE REQUEST", []byte("x")), `"CERTIFICATE REQUEST"`},
		{"CRL", pemOf("X509 CRL", []byte("x")), `"X509 CRL"`},
		{"lower-case type", pemOf("public key", mustPKIX(t, rsaPub)), `"public key"`},
		{"SSH public key type", pemOf("SSH2 PUBLIC KEY", []byte("x")), `"SSH2 PUBLIC KEY"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := keys.ParsePEM(tc.pem, "kid")
			require.ErrorIs(t, err, keys.ErrInvalidKey)
			require.NotErrorIs(t, err, keys.ErrUnknownKey)
			require.NotErrorIs(t, err, keys.ErrAlgorithm)
			require.Nil(t, set)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func mustPKIX(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	return der
}

func edBytes(t *testing.T, h string) []byte {
	t.Helper()
	b, err := hex.DecodeString(h)
	require.NoError(t, err)
	require.Len(t, b, 32)
	return b
}

// secp256k1SPKI builds a SubjectPublicKeyInfo for a point on secp256k1
// (its generator), a curve crypto/x509 does not know.
func secp256k1SPKI(t *testing.T) []byte {
	t.Helper()
	gx, _ := new(big.Int).SetString("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798", 16)
	gy, _ := new(big.Int).SetString("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8", 16)
	point := make([]byte, 65)
	point[0] = 4
	gx.FillBytes(point[1:33])
	gy.FillBytes(point[33:])
	params, err := asn1.Marshal(asn1.ObjectIdentifier{1, 3, 132, 0, 10})
	require.NoError(t, err)
	der, err := asn1.Marshal(struct {
		Algo      pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}{
		Algo: pkix.AlgorithmIdentifier{
			Algorithm:  asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1},
			Parameters: asn1.RawValue{FullBytes: params},
		},
		PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)},
	})
	require.NoError(t, err)
	return der
}
