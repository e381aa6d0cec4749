package keys

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"slices"

	"github.com/jwtgate/jwtgate/internal/algs"
)

// Key is one verification key.
//
// Public is one of *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey or
// []byte (an HMAC secret from a JWKS "oct" key). A key verifies only the
// algorithms of its type: RS256 to PS512 for RSA, ES256, ES384 or ES512 for
// ECDSA on P-256, P-384 or P-521, EdDSA for Ed25519, and HS256, HS384 and
// HS512 for a secret at least as long as the hash output (32, 48 and 64
// bytes, RFC 7518 §3.2). Algorithm, when not empty, restricts the key to
// that one JWS algorithm ("alg" of its JWK); empty (the default, and always
// the case for PEM keys) lets the key verify every algorithm its type
// supports. Use is the JWK "use" member ("sig" or empty; "enc" keys are
// never loaded). ID is the kid, compared exactly; "" means the key has none.
type Key struct {
	ID, Algorithm, Use string
	Public             any
}

// Source returns the keys that may verify a token with the given kid and
// alg. Implementations must be safe for concurrent use.
//
// KeysFor returns an error wrapping [ErrUnknownKey] when no key has the kid,
// and [ErrAlgorithm] when keys have the kid but none can verify alg. A
// remote source may also fail because its keys cannot be fetched.
type Source interface {
	KeysFor(ctx context.Context, kid, alg string) ([]Key, error)
}

// canVerify reports whether k can verify a signature made with alg: the key
// type must match the algorithm family (RSA for RS*/PS*, ECDSA on the
// algorithm's curve for ES*, Ed25519 for EdDSA, an HMAC secret at least as
// long as the hash output for HS*, as RFC 7518 §3.2 requires), and a key with
// an Algorithm verifies only that algorithm.
func canVerify(k Key, alg string) bool {
	if k.Algorithm != "" && k.Algorithm != alg {
		return false
	}
	switch pub := k.Public.(type) {
	case *rsa.PublicKey:
		switch alg {
		case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
			return true
		}
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return pub.Curve == elliptic.P256()
		case "ES384":
			return pub.Curve == elliptic.P384()
		case "ES512":
			return pub.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		return alg == "EdDSA" && len(pub) == ed25519.PublicKeySize
	case []byte:
		switch alg {
		case "HS256":
			return len(pub) >= 32
		case "HS384":
			return len(pub) >= 48
		case "HS512":
			return len(pub) >= 64
		}
	}
	return false
}

type kidAlg struct{ kid, alg string }

// Set is an immutable set of verification keys. It implements [Source].
// The zero value is an empty set. Build one with [NewSet], [ParsePEM] or
// [ParseJWKS].
type Set struct {
	keys     []Key
	byKID    map[string][]Key
	byKeyAl  map[kidAlg][]Key
	skipped  []Skipped
	warnings []string
}

// Skipped describes a JWK that [ParseJWKS] left out, and why. KeyID and
// Type come from the untrusted document: quote them before logging.
type Skipped struct {
	KeyID  string `json:"kid,omitempty"` // "kid" of the JWK, if it had one (a string)
	Type   string `json:"kty,omitempty"` // "kty" of the JWK, if it had one (a string)
	Reason string `json:"reason"`        // why it was skipped, one sentence
	Index  int    `json:"index"`         // position of the JWK in the "keys" array
}

// NewSet builds a Set from already parsed keys, in the given order. Each key
// passes the same checks as a parsed one: NewSet fails with [ErrInvalidKey]
// if no key is given, if a key's Public is not a supported public key (see
// [Key]) or is unusable (an RSA modulus under 2048 or over 4096 bits, an
// RSA exponent outside [3, 2^31), an EC point off its
// curve, a weak Ed25519 point, an empty HMAC secret), or if a key can verify
// none of the supported algorithms (for example an Algorithm its type cannot verify, or
// an HMAC secret shorter than 32 bytes).
func NewSet(ks ...Key) (*Set, error) {
	return newSet(ks, nil)
}

func newSet(ks []Key, skipped []Skipped) (*Set, error) {
	if len(ks) == 0 {
		return nil, fmt.Errorf("%w: no usable key", ErrInvalidKey)
	}
	s := &Set{
		keys:    slices.Clone(ks),
		byKID:   make(map[string][]Key, len(ks)),
		byKeyAl: make(map[kidAlg][]Key, len(ks)),
		skipped: slices.Clone(skipped),
	}
	for i, k := range s.keys {
		switch k.Public.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey, []byte:
		default:
			return nil, fmt.Errorf("%w: key %d (kid %q) has unsupported type %T", ErrInvalidKey, i, clip(k.ID), k.Public)
		}
		if err := checkPublic(k.Public); err != nil {
			return nil, fmt.Errorf("%w: key %d (kid %q): %w", ErrInvalidKey, i, clip(k.ID), err)
		}
		usable := false
		for i := range algs.Count {
			if alg := algs.Name(i); canVerify(k, alg) {
				ka := kidAlg{k.ID, alg}
				s.byKeyAl[ka] = append(s.byKeyAl[ka], k)
				usable = true
			}
		}
		if !usable {
			return nil, fmt.Errorf("%w: key %d (kid %q) can verify none of the supported algorithms", ErrInvalidKey, i, clip(k.ID))
		}
		s.byKID[k.ID] = append(s.byKID[k.ID], k)
	}
	return s, nil
}

// KeysFor returns the keys whose ID equals kid exactly (case-sensitive; a
// token without kid matches only keys without one) and that can verify alg
// (the key type must suit alg, see [Key]), in the order they were given. It fails with
// [ErrUnknownKey] when no key has the kid (always, for a nil or zero Set),
// and with [ErrAlgorithm] when keys have the kid but none can verify alg,
// including any alg jwtgate does not support. The returned slice is shared: do
// not modify it. ctx is unused; KeysFor does not allocate.
func (s *Set) KeysFor(_ context.Context, kid, alg string) ([]Key, error) {
	if s == nil {
		return nil, ErrUnknownKey
	}
	if ks, ok := s.byKeyAl[kidAlg{kid, alg}]; ok {
		return ks, nil
	}
	if _, ok := s.byKID[kid]; ok {
		return nil, ErrAlgorithm
	}
	return nil, ErrUnknownKey
}

// Keys returns a copy of every key in the set, in order; nil for a nil Set.
// The Public values themselves are shared, not copied.
func (s *Set) Keys() []Key {
	if s == nil {
		return nil
	}
	return slices.Clone(s.keys)
}

// KeyIDs returns the distinct key IDs in the set, in order of first
// appearance; nil for a nil Set. A key without kid appears as "".
func (s *Set) KeyIDs() []string {
	if s == nil {
		return nil
	}
	var ids []string
	seen := make(map[string]bool, len(s.keys))
	for _, k := range s.keys {
		if !seen[k.ID] {
			seen[k.ID] = true
			ids = append(ids, k.ID)
		}
	}
	return ids
}

// Len returns the number of keys in the set; 0 for a nil Set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.keys)
}

// Skipped returns a copy of the list of JWKs that [ParseJWKS] left out, each
// with the reason, in document order. It is empty for a set built by
// [NewSet] or [ParsePEM], for a nil Set, and when every JWK was usable.
func (s *Set) Skipped() []Skipped {
	if s == nil {
		return nil
	}
	return slices.Clone(s.skipped)
}

// Warnings returns one line for each departure from RFC 7517 or RFC 7518
// that [ParseJWKS] tolerated in a key it loaded, in document order: the
// key's position, kid and kty, then what was tolerated. Each is a deliberate
// leniency that matches go-jose (and so Grafana) and has no security
// meaning: an RSA "n" or "e" with a leading zero octet, and a "key_ops" that
// lists "sign" but not "verify". Keys with unsafe parameters are never
// loaded; see [Set.Skipped].
//
// Warnings returns a fresh slice. It is empty for a set built by [NewSet]
// or [ParsePEM], for a nil Set, and when no key needed leniency. kid and
// kty are quoted and shortened, so a line is safe to log.
func (s *Set) Warnings() []string {
	if s == nil {
		return nil
	}
	return slices.Clone(s.warnings)
}
