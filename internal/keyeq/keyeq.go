// Package keyeq compares the public keys that package keys holds, by
// content: jwks uses it to tell a key replaced under the same kid from the
// one that failed, and jwtauth to keep cached tokens across a refetch of
// unchanged keys.
package keyeq

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
)

// Equal reports whether a and b, two keys.Key.Public values
// (*rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey or []byte), hold
// the same key. The same object answers without comparing numbers; values
// of other types are never equal.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case *rsa.PublicKey:
		y, ok := b.(*rsa.PublicKey)
		return ok && (x == y || x.Equal(y))
	case *ecdsa.PublicKey:
		y, ok := b.(*ecdsa.PublicKey)
		return ok && (x == y || x.Equal(y))
	case ed25519.PublicKey:
		y, ok := b.(ed25519.PublicKey)
		return ok && bytes.Equal(x, y)
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	}
	return false
}
