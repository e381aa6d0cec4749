package keys

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
)

// Limits on RSA public keys, the same for every source (PEM, JWKS, NewSet).
// Below minRSABits, RFC 7518 §3.3 and §3.5 forbid the key for RS* and PS*.
// maxRSABits is go-jose's default limit for JWKs (jose.MaxRSAModulusBits):
// larger keys are far beyond what issuers use, and each forged token would
// cost the verifier more CPU (about 13 ms at 16384 bits). RFC 8017 §3.1
// only asks for an odd exponent of at least 3; crypto/rsa verifies with
// exponents below 2^31, so that is the upper bound.
const (
	minRSABits     = 2048
	maxRSABits     = 4096
	maxRSAExponent = 1<<31 - 1
)

// checkPublic reports why pub cannot be a verification key, or nil. It is
// the one gate every key passes, whatever its source: ParsePEM, ParseJWKS
// and NewSet all call it. The error text is a plain sentence without the
// package prefix, so that it can serve as a [Skipped] reason.
func checkPublic(pub any) error {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return checkRSA(p)
	case *ecdsa.PublicKey:
		return checkEC(p)
	case ed25519.PublicKey:
		return checkEd25519(p)
	case []byte:
		if len(p) == 0 {
			return errors.New("HMAC secret is empty")
		}
		return nil
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey, *ecdh.PrivateKey:
		return fmt.Errorf("%s is a private key; configure the corresponding public key", typeName(pub))
	case *ecdh.PublicKey:
		return fmt.Errorf("%s is a key-agreement key and cannot verify signatures", typeName(pub))
	case nil:
		return errors.New("no key")
	}
	return fmt.Errorf("unsupported key type %T", pub)
}

func checkRSA(p *rsa.PublicKey) error {
	if p == nil || p.N == nil || p.N.Sign() <= 0 {
		return errors.New("RSA key has no modulus")
	}
	if bits := p.N.BitLen(); bits < minRSABits {
		return fmt.Errorf("RSA modulus has %d bits; at least %d are required (RFC 7518 §3.3)", bits, minRSABits)
	} else if bits > maxRSABits {
		return fmt.Errorf("RSA modulus has %d bits; at most %d are accepted", bits, maxRSABits)
	}
	if p.N.Bit(0) == 0 {
		return errors.New("RSA modulus is even")
	}
	if p.E < 3 || p.E > maxRSAExponent || p.E%2 == 0 {
		return fmt.Errorf("RSA public exponent %d is invalid; it must be odd, at least 3 and below 2^31", p.E)
	}
	return nil
}

func checkEC(p *ecdsa.PublicKey) error {
	if p == nil || p.X == nil || p.Y == nil {
		return errors.New("EC key has no point")
	}
	switch p.Curve {
	case elliptic.P256(), elliptic.P384(), elliptic.P521():
	default:
		name := "unknown"
		if p.Curve != nil && p.Curve.Params() != nil {
			name = p.Curve.Params().Name
		}
		return fmt.Errorf("EC curve %s is not supported; use P-256, P-384 or P-521", name)
	}
	// Bytes encodes the point and rejects it unless it is a valid point of
	// the curve: coordinates in range, on the curve, not the point at
	// infinity (0,0).
	if _, err := p.Bytes(); err != nil {
		return fmt.Errorf("EC point is not on curve %s", p.Curve.Params().Name)
	}
	return nil
}

// typeName names a key type for error messages.
func typeName(pub any) string {
	switch p := pub.(type) {
	case *rsa.PrivateKey:
		return "an RSA private key"
	case *ecdsa.PrivateKey:
		return "an EC private key"
	case ed25519.PrivateKey:
		return "an Ed25519 private key"
	case *ecdh.PrivateKey:
		return "an ECDH private key"
	case *ecdh.PublicKey:
		if p.Curve() == ecdh.X25519() {
			return "an X25519 public key"
		}
		return "an ECDH public key"
	}
	return fmt.Sprintf("%T", pub)
}

// Ed25519 public keys are checked with the curve arithmetic of RFC 8032,
// once, when a key is loaded.
var (
	edP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19)) // 2^255 - 19
	// edD is the curve constant d = -121665/121666 mod p.
	edD = func() *big.Int {
		num := new(big.Int).Neg(big.NewInt(121665))
		den := new(big.Int).ModInverse(big.NewInt(121666), edP)
		d := num.Mul(num, den)
		return d.Mod(d, edP)
	}()
)

// checkEd25519 rejects an Ed25519 public key whose 32 bytes are not the
// canonical encoding of a curve point (RFC 8032 §5.1.3: decoding fails when
// y >= p, when x^2 has no square root, and when x = 0 with the sign bit set;
// §5.1.7 then makes every signature invalid), and one whose point has small
// order (8P is the neutral element). A small-order key is a valid encoding
// that signs nothing: signatures can be forged for it without any secret.
func checkEd25519(p ed25519.PublicKey) error {
	if len(p) != ed25519.PublicKeySize {
		return fmt.Errorf("Ed25519 public key has %d bytes; exactly %d are required (RFC 8037 §2)", len(p), ed25519.PublicKeySize)
	}
	y, ok := edDecodeY(p)
	if !ok {
		return errors.New("Ed25519 public key is not a canonical curve point (RFC 8032 §5.1.3)")
	}
	if edSmallOrder(y) {
		return errors.New("Ed25519 public key is a small-order point")
	}
	return nil
}

// edDecodeY checks that b is a canonical point encoding (RFC 8032 §5.1.3)
// and returns its y. The curve is -x^2 + y^2 = 1 + d x^2 y^2, so
// x^2 = u/v with u = y^2 - 1 and v = d y^2 + 1; a point exists when u/v, or
// equivalently u*v, is a square modulo p. x itself is not needed.
func edDecodeY(b []byte) (*big.Int, bool) {
	be := make([]byte, 32)
	for i := range 32 {
		be[31-i] = b[i] // little-endian to big-endian
	}
	sign := be[0] >> 7
	be[0] &= 0x7f
	y := new(big.Int).SetBytes(be)
	if y.Cmp(edP) >= 0 {
		return nil, false
	}
	yy := edMul(y, y)
	u := new(big.Int).Sub(yy, big.NewInt(1))
	u.Mod(u, edP)
	if u.Sign() == 0 {
		// y = ±1, so x = 0, whose sign bit must be clear.
		return y, sign == 0
	}
	v := new(big.Int).Add(edMul(edD, yy), big.NewInt(1))
	v.Mod(v, edP)
	return y, big.Jacobi(edMul(u, v), edP) == 1
}

// edSmallOrder reports whether the point with ordinate y has order dividing
// 8. Doubling on this curve gives y(2P) = (y^2 + x^2) / (2 + x^2 - y^2), and
// x^2 follows from y, so three doublings are done on y alone, as a fraction
// n/m to avoid inversions. The neutral element is the only point with y = 1.
// Denominators never vanish: the doubling law is complete because d is not
// a square modulo p.
func edSmallOrder(y *big.Int) bool {
	n, m := new(big.Int).Set(y), big.NewInt(1)
	for range 3 {
		nn, mm := edMul(n, n), edMul(m, m)
		u := new(big.Int).Sub(nn, mm)             // (y^2 - 1) m^2
		v := new(big.Int).Add(edMul(edD, nn), mm) // (d y^2 + 1) m^2
		// y' = (y^2 + x^2) / (2 + x^2 - y^2), with x^2 = u/v; scaled by v m^2.
		num := new(big.Int).Add(edMul(nn, v), edMul(u, mm))
		den := new(big.Int).Sub(new(big.Int).Add(edMul(big.NewInt(2), edMul(mm, v)), edMul(u, mm)), edMul(nn, v))
		n, m = num.Mod(num, edP), den.Mod(den, edP)
	}
	return m.Sign() != 0 && n.Cmp(m) == 0
}

// edMul returns a*b mod p.
func edMul(a, b *big.Int) *big.Int {
	r := new(big.Int).Mul(a, b)
	return r.Mod(r, edP)
}
