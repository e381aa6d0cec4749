package keys

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// PEM block types ParsePEM accepts.
const (
	pemPublicKey    = "PUBLIC KEY"     // SubjectPublicKeyInfo (PKIX, RFC 5280 §4.1)
	pemRSAPublicKey = "RSA PUBLIC KEY" // PKCS #1 RSAPublicKey (RFC 8017 §A.1.1)
	pemCertificate  = "CERTIFICATE"    // X.509 certificate; only its public key is used
)

// ParsePEM parses one PEM-encoded public key, as read from Grafana's key_file
// or key_value, and returns a Set holding that single key with ID kid and no
// Algorithm (so it verifies every algorithm its type supports). kid may be
// empty: the key then matches only tokens without a "kid" header.
//
// The first PEM block is used. Text before it is ignored, as is every later
// block, with one exception: if any block in data holds a private key, the
// whole input is rejected, since a verifier must never be handed the signing
// secret. Accepted block types:
//
//   - "PUBLIC KEY" (PKIX SubjectPublicKeyInfo): RSA, ECDSA on P-256, P-384 or
//     P-521, or Ed25519.
//   - "RSA PUBLIC KEY" (PKCS #1).
//   - "CERTIFICATE": the certificate's public key is used as is. Validity
//     dates, key usage, the issuer and any chain are NOT checked; the
//     certificate is only a container for the key.
//
// ParsePEM fails with an error wrapping [ErrInvalidKey] when data holds no
// PEM block, when the block has headers (RFC 7468 §2) or an unknown type
// (named in the message), when any block is a private key ("PRIVATE KEY",
// "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH
// PRIVATE KEY" or any other type containing "PRIVATE"), or when the key is
// unusable: an RSA modulus under 2048 bits (RFC 7518 §3.3) or over 4096
// bits (the limit JWKS keys have), an even modulus, an RSA exponent that is
// even, below 3 or not below 2^31, another curve
// (P-224, secp256k1, ...), an X25519 or other key-agreement key, an EC point
// off its curve, or an Ed25519 key that is not a canonical point or has small
// order.
func ParsePEM(data []byte, kid string) (*Set, error) {
	block, rest := pem.Decode(data)
	if block == nil {
		hint := ""
		if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
			hint = " (the data looks like JSON; a JWK Set is read by ParseJWKS)"
		}
		return nil, fmt.Errorf("%w: no PEM block found; expected -----BEGIN PUBLIC KEY-----%s", ErrInvalidKey, hint)
	}
	if isPrivatePEM(block.Type) {
		return nil, privatePEMError(block.Type)
	}
	for b, r := pem.Decode(rest); b != nil; b, r = pem.Decode(r) {
		if isPrivatePEM(b.Type) {
			return nil, privatePEMError(b.Type)
		}
	}
	if len(block.Headers) > 0 {
		return nil, fmt.Errorf("%w: PEM block %q has headers, which public key and certificate blocks never carry (RFC 7468 §2)", ErrInvalidKey, block.Type)
	}

	var pub any
	switch block.Type {
	case pemPublicKey:
		p, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PEM block %q: %w", ErrInvalidKey, block.Type, err)
		}
		pub = p
	case pemRSAPublicKey:
		p, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PEM block %q: %w", ErrInvalidKey, block.Type, err)
		}
		pub = p
	case pemCertificate:
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PEM block %q: %w", ErrInvalidKey, block.Type, err)
		}
		pub = cert.PublicKey
	default:
		return nil, fmt.Errorf("%w: unknown PEM block type %q; expected %q, %q or %q",
			ErrInvalidKey, clip(block.Type), pemPublicKey, pemRSAPublicKey, pemCertificate)
	}
	if err := checkPublic(pub); err != nil {
		return nil, fmt.Errorf("%w: PEM block %q: %w", ErrInvalidKey, block.Type, err)
	}
	return newSet([]Key{{ID: kid, Public: pub}}, nil)
}

func isPrivatePEM(typ string) bool {
	return strings.Contains(strings.ToUpper(typ), "PRIVATE")
}

func privatePEMError(typ string) error {
	return fmt.Errorf("%w: PEM block %q holds a private key, which is never used for verification; configure the corresponding public key (a %q block) instead",
		ErrInvalidKey, clip(typ), pemPublicKey)
}

// clip shortens untrusted text for an error message.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
