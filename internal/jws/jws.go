// Package jws splits and checks a compact JWS (RFC 7515 §7.1) and verifies
// its signature with the standard library's crypto, the way RFC 7518
// specifies each algorithm. It is jwtgate's hot path: one pass over the
// token, one allocation for the decoded header and payload (the signature
// can go into a caller's buffer), no reflection.
package jws

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"hash"
	"math/big"
	"strings"
	"unsafe"

	"github.com/jwtgate/jwtgate/internal/jsonx"
)

// MaxTokenBytes is the largest token accepted, checked before any decoding.
const MaxTokenBytes = 64 << 10

// Errors. Parse returns errors wrapping ErrMalformed (not a compact JWS,
// bad base64 or JSON, a header this package does not support), or
// ErrNoAlg (no "alg" member, which jwtauth reports as an algorithm error).
var (
	ErrMalformed = errors.New("jws: malformed")
	ErrNoAlg     = errors.New("jws: no alg header")
)

// Error is a parse failure with the part of the token concerned.
type Error struct {
	Err    error  // ErrMalformed or ErrNoAlg
	Part   string // "token", "header", "payload", "signature", or a header member name
	Detail string
}

func (e *Error) Error() string { return e.Err.Error() + ": " + e.Part + ": " + e.Detail }

// Unwrap returns ErrMalformed or ErrNoAlg.
func (e *Error) Unwrap() error { return e.Err }

func malformed(part, detail string) error {
	return &Error{Err: ErrMalformed, Part: part, Detail: detail}
}

// Token is a parsed compact JWS. Strings in it share memory with buffers
// the token owns; nothing in it may be modified.
type Token struct {
	Alg     string // "alg" header, verbatim
	KID     string // "kid" header, verbatim; "" when absent
	HasKID  bool   // the header has a kid member
	Typ     string // "typ" header, verbatim; "" when absent
	Payload []byte // decoded payload
	Sig     []byte // decoded signature (nil from ParseSig, which returns it apart)

	raw    string // the token as received
	dot2   int    // index of the second '.'
	padded bool   // the header or payload segment carried '=' padding
}

// SigningInput returns the signing input exactly as received:
// header "." payload, padding included if it was sent.
func (t *Token) SigningInput() string { return t.raw[:t.dot2] }

// UnpaddedSigningInput returns the signing input with '=' padding removed
// from both segments, and whether it differs from SigningInput.
func (t *Token) UnpaddedSigningInput() (string, bool) {
	if !t.padded {
		return "", false
	}
	in := t.raw[:t.dot2]
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		if in[i] != '=' {
			out = append(out, in[i])
		}
	}
	return string(out), true
}

var rawURL = base64.RawURLEncoding.Strict()

// segment checks one base64url segment: non-empty, optionally followed by
// the '=' padding that makes its length a multiple of 4 (as AWS ALB sends).
// It returns the segment without padding. The alphabet itself is checked by
// the strict decoder, except CR and LF, which encoding/base64 skips and
// which are refused here.
func segment(s, part string) (string, bool, error) {
	n := len(s)
	for n > 0 && s[n-1] == '=' {
		n--
	}
	pad := len(s) - n
	if pad > 0 && (pad > 2 || len(s)%4 != 0) {
		return "", false, malformed(part, "bad base64 padding")
	}
	if n == 0 {
		return "", false, malformed(part, "empty segment")
	}
	if n%4 == 1 || strings.IndexByte(s[:n], '\n') >= 0 || strings.IndexByte(s[:n], '\r') >= 0 {
		return "", false, malformed(part, "bad base64")
	}
	return s[:n], pad > 0, nil
}

// Parse splits tok into its three segments, decodes them and reads the
// protected header. It rejects: tokens over MaxTokenBytes, anything but
// exactly three non-empty base64url segments (JSON serialization and JWE
// included), a header that is not a JSON object with unique members, a
// non-string alg, kid or typ, and the members crit, zip, b64 and enc (jwtgate
// understands no critical extension, and compression and encryption
// parameters have no place in a JWS it accepts). jku, x5u, jwk, x5c and
// x5t are ignored: keys come only from configuration.
func Parse(tok string) (Token, error) {
	t, sig, err := ParseSig(tok, nil)
	t.Sig = sig
	return t, err
}

// ParseSig is Parse with the signature returned apart from the Token (whose
// Sig it leaves nil) and decoded into sigBuf when it fits, else into a
// fresh buffer. A caller that passes an array on its stack spares the hot
// path a heap allocation; sigBuf must then outlive every use of sig. (The
// signature is a separate result because escape analysis does not tell a
// struct's fields apart: inside the Token, the stack array would escape
// along with the payload.)
func ParseSig(tok string, sigBuf []byte) (t Token, sig []byte, err error) {
	if len(tok) > MaxTokenBytes {
		return Token{}, nil, malformed("token", "longer than 64 KiB")
	}
	dot1 := indexDot(tok, 0)
	if dot1 < 0 {
		return Token{}, nil, malformed("token", "not three segments")
	}
	dot2 := indexDot(tok, dot1+1)
	if dot2 < 0 || indexDot(tok, dot2+1) >= 0 {
		return Token{}, nil, malformed("token", "not three segments")
	}
	h, hp, err := segment(tok[:dot1], "header")
	if err != nil {
		return Token{}, nil, err
	}
	p, pp, err := segment(tok[dot1+1:dot2], "payload")
	if err != nil {
		return Token{}, nil, err
	}
	s, _, err := segment(tok[dot2+1:], "signature")
	if err != nil {
		return Token{}, nil, err
	}
	hl, pl, sl := rawURL.DecodedLen(len(h)), rawURL.DecodedLen(len(p)), rawURL.DecodedLen(len(s))
	buf := make([]byte, hl+pl)
	hn, err := rawURL.Decode(buf[:hl], unsafeBytes(h))
	if err != nil {
		return Token{}, nil, malformed("header", "bad base64")
	}
	pn, err := rawURL.Decode(buf[hl:], unsafeBytes(p))
	if err != nil {
		return Token{}, nil, malformed("payload", "bad base64")
	}
	if len(sigBuf) < sl {
		sigBuf = make([]byte, sl)
	}
	sn, err := rawURL.Decode(sigBuf[:sl], unsafeBytes(s))
	if err != nil {
		return Token{}, nil, malformed("signature", "bad base64")
	}
	t = Token{
		Payload: buf[hl : hl+pn : hl+pn],
		raw:     tok,
		dot2:    dot2,
		padded:  hp || pp,
	}
	if err := t.header(buf[:hn:hn]); err != nil {
		return Token{}, nil, err
	}
	return t, sigBuf[:sn:sn], nil
}

func indexDot(s string, from int) int {
	if i := strings.IndexByte(s[from:], '.'); i >= 0 {
		return from + i
	}
	return -1
}

func (t *Token) header(h []byte) error {
	d := jsonx.New(h)
	hasAlg := false
	err := d.Object(func(name string) error {
		switch name {
		case "alg", "kid":
			if d.Peek() != '"' {
				return malformed(name, "not a string")
			}
			v, err := d.String()
			if err != nil {
				return err
			}
			if name == "alg" {
				t.Alg, hasAlg = v, true
			} else {
				t.KID, t.HasKID = v, true
			}
			return nil
		case "typ":
			if d.Peek() != '"' {
				return malformed(name, "not a string")
			}
			v, err := d.String()
			t.Typ = v
			return err
		case "crit":
			return malformed(name, "critical extensions are not supported")
		case "zip":
			return malformed(name, "compressed payloads are not supported")
		case "b64":
			return malformed(name, "unencoded payloads are not supported")
		case "enc":
			return malformed(name, "encrypted tokens are not supported")
		}
		return d.Skip()
	})
	if err == nil {
		err = d.End()
	}
	if err != nil {
		var je *Error
		if errors.As(err, &je) {
			return err
		}
		return malformed("header", "invalid JSON")
	}
	if !hasAlg {
		return &Error{Err: ErrNoAlg, Part: "alg", Detail: "no alg member"}
	}
	return nil
}

func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// HashFor returns the hash of alg's family, or 0 for EdDSA and unknown names.
func HashFor(alg string) crypto.Hash {
	if len(alg) != 5 {
		return 0
	}
	switch alg[2:] {
	case "256":
		return crypto.SHA256
	case "384":
		return crypto.SHA384
	case "512":
		return crypto.SHA512
	}
	return 0
}

func newHash(h crypto.Hash) hash.Hash {
	switch h {
	case crypto.SHA256:
		return sha256.New()
	case crypto.SHA384:
		return sha512.New384()
	default:
		return sha512.New()
	}
}

// digest hashes input with h into dst (which must hold 64 bytes).
func digest(h crypto.Hash, input string, dst *[64]byte) []byte {
	b := unsafeBytes(input)
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(b)
		return append(dst[:0], d[:]...)
	case crypto.SHA384:
		d := sha512.Sum384(b)
		return append(dst[:0], d[:]...)
	default:
		d := sha512.Sum512(b)
		return append(dst[:0], d[:]...)
	}
}

// Verify reports whether sig is a valid alg signature of input under key.
// The key type must match alg (callers select keys with keys.CanVerify);
// a mismatch reports false. The checks are RFC 7518's:
//   - RS*: RSASSA-PKCS1-v1_5; the signature length must equal the modulus size.
//   - PS*: RSASSA-PSS with MGF1 of the same hash and a salt as long as the
//     hash output (§3.5), nothing else.
//   - ES*: exactly 2×the curve's byte size, R||S big-endian (§3.4); DER
//     is refused; R and S must lie in [1, n-1].
//   - EdDSA: Ed25519 (RFC 8037), 64-byte signatures.
//   - HS*: HMAC, compared in constant time, full length only.
func Verify(alg string, key any, input string, sig []byte) bool {
	if alg == "EdDSA" {
		pub, ok := key.(ed25519.PublicKey)
		return ok && len(pub) == ed25519.PublicKeySize && len(sig) == ed25519.SignatureSize &&
			ed25519.Verify(pub, unsafeBytes(input), sig)
	}
	h := HashFor(alg)
	if h == 0 {
		return false
	}
	switch alg[:2] {
	case "HS":
		secret, ok := key.([]byte)
		if !ok || len(sig) != h.Size() {
			return false
		}
		m := hmac.New(func() hash.Hash { return newHash(h) }, secret)
		m.Write(unsafeBytes(input))
		var sum [64]byte
		return hmac.Equal(m.Sum(sum[:0]), sig)
	case "RS":
		pub, ok := key.(*rsa.PublicKey)
		if !ok || len(sig) != pub.Size() {
			return false
		}
		var buf [64]byte
		return rsa.VerifyPKCS1v15(pub, h, digest(h, input, &buf), sig) == nil
	case "PS":
		pub, ok := key.(*rsa.PublicKey)
		if !ok || len(sig) != pub.Size() {
			return false
		}
		var buf [64]byte
		return rsa.VerifyPSS(pub, h, digest(h, input, &buf), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}) == nil
	case "ES":
		pub, ok := key.(*ecdsa.PublicKey)
		if !ok {
			return false
		}
		size := (pub.Curve.Params().BitSize + 7) / 8
		if size != ecSize(h) || len(sig) != 2*size {
			return false
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		var buf [64]byte
		return ecdsa.Verify(pub, digest(h, input, &buf), r, s)
	}
	return false
}

// ecSize is the coordinate size of the curve that goes with an ES* hash:
// P-256 with SHA-256, P-384 with SHA-384, P-521 with SHA-512.
func ecSize(h crypto.Hash) int {
	switch h {
	case crypto.SHA256:
		return 32
	case crypto.SHA384:
		return 48
	default:
		return 66
	}
}
