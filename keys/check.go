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

// Limits on RSA public keys. Below minRSABits, RFC 7518 §3.3 and §3.5 forbid
// the key for RS* and PS*. Above maxRSABits, the key is far larger than any
// issuer uses and only makes every verification slower.
const (
	minRSABits = 2048
	maxRSABits = 16384
	// maxRSAExponent is the largest public exponent crypto/rsa verifies with.
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
		return fmt.Errorf("RSA modulus has %d bits; at most %d are supported", bits, maxRSABits)
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
// done once when a key is loaded. math/big is slow but plenty for that.
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
	x, y, ok := edDecode(p)
	if !ok {
		return errors.New("Ed25519 public key is not a canonical curve point (RFC 8032 §5.1.3)")
	}
	for range 3 {
		x, y = edAdd(x, y, x, y)
	}
	if x.Sign() == 0 && y.Cmp(big.NewInt(1)) == 0 {
		return errors.New("Ed25519 public key is a small-order point")
	}
	return nil
}

// edDecode decodes a point as RFC 8032 §5.1.3 describes. The sign of x does
// not matter to the order check, but a zero x with the sign bit set is a
// non-canonical encoding and fails.
func edDecode(b []byte) (x, y *big.Int, ok bool) {
	le := make([]byte, 32)
	for i := range 32 {
		le[31-i] = b[i] // little-endian to big-endian
	}
	sign := le[0] >> 7
	le[0] &= 0x7f
	y = new(big.Int).SetBytes(le)
	if y.Cmp(edP) >= 0 {
		return nil, nil, false
	}
	yy := new(big.Int).Mul(y, y)
	yy.Mod(yy, edP)
	u := new(big.Int).Sub(yy, big.NewInt(1)) // y^2 - 1
	u.Mod(u, edP)
	v := new(big.Int).Mul(edD, yy) // d y^2 + 1
	v.Add(v, big.NewInt(1))
	v.Mod(v, edP)
	vInv := new(big.Int).ModInverse(v, edP)
	if vInv == nil {
		return nil, nil, false
	}
	xx := u.Mul(u, vInv)
	xx.Mod(xx, edP)
	x = new(big.Int).ModSqrt(xx, edP)
	if x == nil {
		return nil, nil, false
	}
	if x.Sign() == 0 && sign == 1 {
		return nil, nil, false
	}
	if uint8(x.Bit(0)) != sign {
		x.Sub(edP, x)
	}
	return x, y, true
}

// edAdd adds two points of the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2
// with the complete addition law (no exceptional cases, since d is not a
// square modulo p).
func edAdd(x1, y1, x2, y2 *big.Int) (x3, y3 *big.Int) {
	mul := func(a, b *big.Int) *big.Int {
		r := new(big.Int).Mul(a, b)
		return r.Mod(r, edP)
	}
	t := mul(edD, mul(mul(x1, x2), mul(y1, y2)))
	xn := new(big.Int).Add(mul(x1, y2), mul(y1, x2))
	yn := new(big.Int).Add(mul(y1, y2), mul(x1, x2))
	xd := new(big.Int).Add(big.NewInt(1), t)
	yd := new(big.Int).Sub(big.NewInt(1), t)
	xd.Mod(xd, edP)
	yd.Mod(yd, edP)
	x3 = mul(xn, new(big.Int).ModInverse(xd, edP))
	y3 = mul(yn, new(big.Int).ModInverse(yd, edP))
	return x3, y3
}
