package keyeq_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"math/big"
	"testing"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/internal/keyeq"
)

func TestEqual(t *testing.T) {
	r1 := jwttest.RSA("keyeq-1", 2048, "").Public.(*rsa.PublicKey)
	r2 := jwttest.RSA("keyeq-2", 2048, "").Public.(*rsa.PublicKey)
	rCopy := &rsa.PublicKey{N: new(big.Int).Set(r1.N), E: r1.E}
	e1 := jwttest.EC("keyeq-1", "ES256", "").Public.(*ecdsa.PublicKey)
	eCopy := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).Set(e1.X), Y: new(big.Int).Set(e1.Y)}
	d1 := jwttest.Ed25519(1, "").Public.(ed25519.PublicKey)
	d2 := jwttest.Ed25519(2, "").Public.(ed25519.PublicKey)
	for _, tc := range []struct {
		name string
		a, b any
		want bool
	}{
		{"same RSA object", r1, r1, true},
		{"RSA copy", r1, rCopy, true},
		{"other RSA key", r1, r2, false},
		{"EC copy", e1, eCopy, true},
		{"Ed25519 copy", d1, append(ed25519.PublicKey(nil), d1...), true},
		{"other Ed25519 key", d1, d2, false},
		{"oct copy", []byte("secret-secret-secret-secret-32by"), []byte("secret-secret-secret-secret-32by"), true},
		{"oct differs", []byte("a"), []byte("b"), false},
		{"Ed25519 bytes as oct", d1, []byte(d1), false},
		{"different types", r1, e1, false},
		{"unknown type", "x", "x", false},
	} {
		if got := keyeq.Equal(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: Equal = %v, want %v", tc.name, got, tc.want)
		}
	}
}
