package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtgate/jwtgate/internal/algs"
)

// Bounds on the work ParseJWKS does. Remote documents are already capped
// (far lower) by their fetcher; these bound files and inline values too.
const (
	// maxJWKSBytes is the largest JWK Set document ParseJWKS reads.
	maxJWKSBytes = 4 << 20
	// maxJWKSKeys is how many elements of "keys" ParseJWKS considers; later
	// ones are skipped together, with one Skipped entry.
	maxJWKSKeys = 1000
	// maxReasons is how many skip reasons the "no usable key" error lists.
	maxReasons = 4
)

// Coordinate sizes of the supported curves, in octets (RFC 7518 §6.2.1.2).
var ecCoordSize = map[string]int{"P-256": 32, "P-384": 48, "P-521": 66}

// JWK members that hold private key material (RFC 7518 §6.2.2, §6.3.2,
// RFC 8037 §2) or, for go-jose's AKP keys, the private seed.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "priv"}

// X.509 members (RFC 7517 §4.6 to §4.9), meaningless on a symmetric key.
var x509Members = []string{"x5c", "x5u", "x5t", "x5t#S256"}

// ParseJWKS parses a JSON Web Key Set ({"keys":[...]}, RFC 7517 §5) and
// returns a Set of the usable verification keys, in document order, each
// keeping its JWK's "kid" (compared exactly), "alg" and "use".
//
// As RFC 7517 §5 recommends, a JWK that cannot be used is left out instead of
// failing the set; [Set.Skipped] lists each one with the reason. A JWK is
// skipped when it:
//
//   - is not a JSON object, is not valid UTF-8, repeats a member name
//     (RFC 7517 §4), or has a "kid", "kty", "use", "alg" or "crv" that is not
//     a string;
//   - has a "kty" other than RSA, EC, OKP or oct, or a curve other than
//     P-256, P-384, P-521 (EC) and Ed25519 (OKP), such as X25519, Ed448 or
//     secp256k1;
//   - holds private key material ("d", "p", "q", "dp", "dq", "qi", "oth"),
//     even if otherwise valid;
//   - has a "use" other than "sig" (for example "enc"), or a "key_ops" that is
//     not an array of distinct strings including "verify" or "sign"
//     (RFC 7517 §4.2, §4.3);
//   - has an "alg" that is not a JWS algorithm jwtgate verifies (EdDSA,
//     HS*, RS*, ES*, PS*) or that its key cannot verify (see [Key]), or no
//     "alg" and a key that verifies no
//     algorithm at all (an HMAC secret shorter than 32 bytes, RFC 7518 §3.2);
//   - encodes a member in anything but unpadded base64url without line
//     breaks and with zero trailing bits (RFC 7515 §2);
//   - is an RSA key whose modulus has fewer than 2048 bits (RFC 7518 §3.3)
//     or more than 4096, or whose exponent is even, below 3 or not below
//     2^31;
//   - is an EC key whose "x" or "y" is not exactly the curve's coordinate
//     size (RFC 7518 §6.2.1.2: 32 octets for P-256), or whose point is not on
//     the curve (including (0,0));
//   - is an Ed25519 key that is not 32 bytes, not a canonical point
//     (RFC 8032 §5.1.3), or a small-order point;
//   - is an "oct" key that is empty or carries X.509 members ("x5c", ...);
//   - is rejected by go-jose (for example an "x5c" whose certificate does not
//     hold the same key).
//
// "x5c" certificates are only compared with the key; their validity and
// chain are not checked, and "x5u" is never fetched.
//
// Two departures from the RFCs are tolerated on purpose, because go-jose
// (and so Grafana) accepts them and they carry no security meaning: an RSA
// "n" or "e" with leading zero octets (RFC 7518 §2 asks for the minimal
// form; Java's BigInteger adds one), and a "key_ops" that lists "sign" but
// not "verify" (a signing key published under the private operation's
// name). Such keys are loaded, and [Set.Warnings] says so.
//
// ParseJWKS fails with an error wrapping [ErrInvalidKey] when data is not a
// JSON object, is larger than 4 MiB, has no "keys" array, or has no usable
// key; the message then lists the first skip reasons. At most 1000 keys are
// considered. It never panics, whatever the input.
func ParseJWKS(data []byte) (*Set, error) {
	if len(data) > maxJWKSBytes {
		return nil, fmt.Errorf("%w: JWKS document of %d bytes exceeds the %d-byte limit", ErrInvalidKey, len(data), maxJWKSBytes)
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("%w: JWKS is not valid JSON", ErrInvalidKey)
	}
	doc, err := jsonObject(data)
	if err != nil {
		return nil, fmt.Errorf("%w: JWKS: %w", ErrInvalidKey, err)
	}
	rawKeys, ok := doc["keys"]
	if !ok {
		return nil, fmt.Errorf(`%w: JWKS has no "keys" member (RFC 7517 §5)`, ErrInvalidKey)
	}
	var elems []json.RawMessage
	if !startsWith(rawKeys, '[') || json.Unmarshal(rawKeys, &elems) != nil {
		return nil, fmt.Errorf(`%w: JWKS "keys" is not an array (RFC 7517 §5)`, ErrInvalidKey)
	}

	var ks []Key
	var skipped []Skipped
	var warnings []string
	for i, raw := range elems {
		if i == maxJWKSKeys {
			skipped = append(skipped, Skipped{
				Index:  i,
				Reason: fmt.Sprintf("the set has %d keys; only the first %d are considered", len(elems), maxJWKSKeys),
			})
			break
		}
		k, skip, lenient := parseJWK(raw)
		if skip != nil {
			skip.Index = i
			skipped = append(skipped, *skip)
			continue
		}
		for _, l := range lenient {
			l.Index = i
			warnings = append(warnings, l.String())
		}
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		return nil, noUsableKey(len(elems), skipped)
	}
	s, err := newSet(ks, skipped)
	if err != nil {
		return nil, err
	}
	s.warnings = warnings
	return s, nil
}

// noUsableKey builds the error for a set without a usable key.
func noUsableKey(n int, skipped []Skipped) error {
	if n == 0 {
		return fmt.Errorf(`%w: JWKS "keys" is empty`, ErrInvalidKey)
	}
	var b strings.Builder
	for i, s := range skipped {
		if i == maxReasons {
			fmt.Fprintf(&b, "; and %d more", len(skipped)-maxReasons)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(s.String())
	}
	return fmt.Errorf("%w: JWKS has no usable key (%d skipped: %s)", ErrInvalidKey, len(skipped), b.String())
}

// String describes the skipped key in one line: its position, kid and kty
// (quoted and shortened) and the reason.
func (s Skipped) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "keys[%d]", s.Index)
	if s.KeyID != "" {
		fmt.Fprintf(&b, " kid %q", clip(s.KeyID))
	}
	if s.Type != "" {
		fmt.Fprintf(&b, " kty %q", clip(s.Type))
	}
	b.WriteString(": ")
	b.WriteString(s.Reason)
	return b.String()
}

// skipf returns a Skipped for the key with the given members.
func skipf(m map[string]json.RawMessage, format string, args ...any) *Skipped {
	s := &Skipped{Reason: fmt.Sprintf(format, args...)}
	if m != nil {
		s.KeyID, _, _ = stringMember(m, "kid")
		s.Type, _, _ = stringMember(m, "kty")
	}
	return s
}

// parseJWK turns one element of "keys" into a Key, or says why it is skipped.
// The raw members are checked first, strictly, against the RFCs; go-jose then
// parses the key, and the result must agree with what was read here. The
// third result describes the formalities tolerated in a loaded key (see
// ParseJWKS), in the shape of a Skipped so that they print the same way.
func parseJWK(raw json.RawMessage) (Key, *Skipped, []*Skipped) {
	if !utf8.Valid(raw) {
		return Key{}, skipf(nil, "JWK is not valid UTF-8 (RFC 8259 §8.1)"), nil
	}
	if !startsWith(raw, '{') {
		return Key{}, skipf(nil, "JWK is not a JSON object"), nil
	}
	m, err := jsonObject(raw)
	if err != nil {
		return Key{}, skipf(nil, "%v", err), nil
	}
	var f struct{ kid, kty, use, alg, crv string }
	var has struct{ use, alg bool }
	for _, mem := range []struct {
		name    string
		dst     *string
		present *bool
	}{
		{"kid", &f.kid, nil}, {"kty", &f.kty, nil}, {"use", &f.use, &has.use},
		{"alg", &f.alg, &has.alg}, {"crv", &f.crv, nil},
	} {
		v, ok, err := stringMember(m, mem.name)
		if err != nil {
			return Key{}, skipf(m, "%v", err), nil
		}
		*mem.dst = v
		if mem.present != nil {
			*mem.present = ok
		}
	}
	if f.kty == "" {
		return Key{}, skipf(m, `JWK has no "kty" (RFC 7517 §4.1)`), nil
	}
	for _, name := range privateMembers {
		if _, ok := m[name]; ok {
			return Key{}, skipf(m, "JWK holds private key material (member %q); publish only the public key", name), nil
		}
	}
	if f.use != "" && f.use != "sig" {
		return Key{}, skipf(m, `"use" is %q; only signature keys ("sig") are loaded (RFC 7517 §4.2)`, clip(f.use)), nil
	}
	var lenient []*Skipped
	reason, note := checkKeyOps(m)
	if reason != "" {
		return Key{}, skipf(m, "%s", reason), nil
	}
	if note != "" {
		lenient = append(lenient, skipf(m, "%s", note))
	}
	if has.alg && algs.Index(f.alg) < 0 {
		return Key{}, skipf(m, `"alg" %q is not a JWS algorithm this package verifies`, clip(f.alg)), nil
	}
	reason, note = checkMaterial(m, f.kty, f.crv)
	if reason != "" {
		return Key{}, skipf(m, "%s", reason), nil
	}
	if note != "" {
		lenient = append(lenient, skipf(m, "%s", note))
	}

	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return Key{}, skipf(m, "go-jose rejects the key: %s", strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")), nil
	}
	if jwk.KeyID != f.kid || jwk.Algorithm != f.alg || jwk.Use != f.use {
		return Key{}, skipf(m, "go-jose reads the key's kid, alg or use differently"), nil
	}
	pub := jwk.Key
	switch pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey, []byte:
	default:
		return Key{}, skipf(m, "go-jose parsed the key as %T, not a public verification key", pub), nil
	}
	if err := checkPublic(pub); err != nil {
		return Key{}, skipf(m, "%v", err), nil
	}
	k := Key{ID: f.kid, Algorithm: f.alg, Use: f.use, Public: pub}
	if !slices.ContainsFunc(algs.Names(), func(alg string) bool { return canVerify(k, alg) }) {
		if has.alg {
			return Key{}, skipf(m, `"alg" %q cannot be used with this %s key`, f.alg, f.kty), nil
		}
		if b, ok := pub.([]byte); ok {
			return Key{}, skipf(m, "HMAC secret has %d bytes; HS256 needs at least 32 (RFC 7518 §3.2)", len(b)), nil
		}
		return Key{}, skipf(m, "key cannot verify any supported algorithm"), nil
	}
	return k, nil, lenient
}

// checkKeyOps applies RFC 7517 §4.3 to "key_ops": when present it must be an
// array of distinct strings, and it must allow "verify". A list with "sign"
// but not "verify" is accepted with a note: publishing a signing key under
// the private operation's name is a common slip with no security meaning,
// and go-jose ignores key_ops altogether.
func checkKeyOps(m map[string]json.RawMessage) (reason, note string) {
	raw, ok := m["key_ops"]
	if !ok {
		return "", ""
	}
	var ops []string
	if !startsWith(raw, '[') || json.Unmarshal(raw, &ops) != nil {
		return `"key_ops" is not an array of strings (RFC 7517 §4.3)`, ""
	}
	for i, op := range ops {
		if slices.Contains(ops[:i], op) {
			return fmt.Sprintf(`"key_ops" repeats %q (RFC 7517 §4.3)`, clip(op)), ""
		}
	}
	switch {
	case slices.Contains(ops, "verify"):
		return "", ""
	case slices.Contains(ops, "sign"):
		return "", `"key_ops" lists "sign" but not "verify" (RFC 7517 §4.3); accepted as a verification key, as go-jose does`
	}
	return `"key_ops" includes neither "verify" nor "sign" (RFC 7517 §4.3)`, ""
}

// checkMaterial checks the key members of each key type in their raw form,
// where go-jose is lenient: base64url must be strict and EC coordinates
// exactly the curve size. An RSA "n" or "e" with leading zero octets (a
// Java BigInteger habit) is accepted with a note, as go-jose accepts it:
// RFC 7518 §2 asks for the minimal form, but the value is the same.
func checkMaterial(m map[string]json.RawMessage, kty, crv string) (reason, note string) {
	switch kty {
	case "RSA":
		var padded []string
		for _, name := range []string{"n", "e"} {
			b, reason := b64Member(m, name)
			if reason != "" {
				return reason, ""
			}
			if b[0] == 0 {
				padded = append(padded, strconv.Quote(name))
				b = bytes.TrimLeft(b, "\x00")
			}
			if len(b) == 0 {
				return fmt.Sprintf("RSA %q is zero", name), ""
			}
			if name == "e" && len(b) > 4 {
				return fmt.Sprintf("RSA public exponent has %d octets; it must be below 2^31", len(b)), ""
			}
			if n := (len(b)-1)*8 + bits.Len8(b[0]); name == "n" && n > jose.MaxRSAModulusBits {
				return fmt.Sprintf("RSA modulus has %d bits; go-jose accepts at most %d", n, jose.MaxRSAModulusBits), ""
			}
		}
		switch len(padded) {
		case 1:
			note = fmt.Sprintf("RSA %s has leading zero octets (RFC 7518 §2 asks for the minimal form); accepted, as go-jose does", padded[0])
		case 2:
			note = `RSA "n" and "e" have leading zero octets (RFC 7518 §2 asks for the minimal form); accepted, as go-jose does`
		}
		return "", note
	case "EC":
		size, ok := ecCoordSize[crv]
		if !ok {
			if crv == "" {
				return `EC key has no "crv" (RFC 7518 §6.2.1.1)`, ""
			}
			return fmt.Sprintf("EC curve %q is not supported; use P-256, P-384 or P-521", clip(crv)), ""
		}
		for _, name := range []string{"x", "y"} {
			b, reason := b64Member(m, name)
			if reason != "" {
				return reason, ""
			}
			if len(b) != size {
				return fmt.Sprintf("EC %q has %d octets; crv %s needs exactly %d (RFC 7518 §6.2.1.2)", name, len(b), crv, size), ""
			}
		}
	case "OKP":
		if crv != "Ed25519" {
			if crv == "" {
				return `OKP key has no "crv" (RFC 8037 §2)`, ""
			}
			return fmt.Sprintf("OKP curve %q is not supported; only Ed25519 signs (RFC 8037 §3.1)", clip(crv)), ""
		}
		b, reason := b64Member(m, "x")
		if reason != "" {
			return reason, ""
		}
		if err := checkEd25519(b); err != nil {
			return err.Error(), ""
		}
	case "oct":
		for _, name := range x509Members {
			if _, ok := m[name]; ok {
				return fmt.Sprintf("symmetric (oct) key carries X.509 member %q", name), ""
			}
		}
		if _, reason := b64Member(m, "k"); reason != "" {
			return reason, ""
		}
	default:
		return fmt.Sprintf("kty %q is not supported; use RSA, EC, OKP (Ed25519) or oct", clip(kty)), ""
	}
	return "", ""
}

// strictB64 is unpadded base64url that also rejects non-zero trailing bits.
var strictB64 = base64.RawURLEncoding.Strict()

// b64Member decodes the required member name as strict base64url
// (RFC 7515 §2: no padding, no line breaks or other characters). The second
// result is the reason to skip the key, or "".
func b64Member(m map[string]json.RawMessage, name string) ([]byte, string) {
	s, ok, err := stringMember(m, name)
	if err != nil {
		return nil, err.Error()
	}
	if !ok || s == "" {
		return nil, fmt.Sprintf("member %q is missing or empty", name)
	}
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Sprintf("member %q contains a line break; base64url allows none (RFC 7515 §2)", name)
	}
	b, err := strictB64.DecodeString(s)
	if err != nil {
		return nil, fmt.Sprintf("member %q is not unpadded base64url (RFC 7515 §2)", name)
	}
	return b, ""
}

// stringMember returns member name as a string. It is an error for the
// member to be present with another JSON type (null included).
func stringMember(m map[string]json.RawMessage, name string) (string, bool, error) {
	raw, ok := m[name]
	if !ok {
		return "", false, nil
	}
	var s string
	if !startsWith(raw, '"') || json.Unmarshal(raw, &s) != nil {
		return "", true, fmt.Errorf("member %q is not a string", name)
	}
	return s, true, nil
}

// jsonObject splits one JSON object into its members, keeping the exact
// (case-sensitive, unescaped) member names. A repeated name is an error:
// RFC 7517 §4 lets a parser reject such a JWK, which avoids any doubt about
// which of the values go-jose would use.
func jsonObject(data []byte) (map[string]json.RawMessage, error) {
	if !startsWith(data, '{') {
		return nil, errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // '{'
		return nil, errors.New("not a JSON object")
	}
	m := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("invalid JSON object")
		}
		name, ok := tok.(string)
		if !ok {
			return nil, errors.New("invalid JSON object")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("invalid JSON object")
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("member %q appears twice (RFC 7517 §4)", clip(name))
		}
		m[name] = v
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, errors.New("invalid JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return m, nil
}

// startsWith reports whether the first non-space byte of raw is c.
func startsWith(raw []byte, c byte) bool {
	t := bytes.TrimLeft(raw, " \t\r\n")
	return len(t) > 0 && t[0] == c
}
