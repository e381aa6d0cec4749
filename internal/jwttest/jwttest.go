// Package jwttest builds keys, signed tokens and key sets for jwtgate's
// tests, examples and benchmarks. It is NOT suitable for use outside of
// tests: helpers fail the test (or panic, without a testing.TB) instead of
// returning errors, and keys are cached per process.
//
// Signing uses the standard library's crypto directly, never go-jose, so
// tests that verify with jwtgate (or go-jose) check against an independent
// implementation.
package jwttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"hash"
	"math/big"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Epoch is the fixed "now" of tests: 2026-11-23T12:00:00Z.
var Epoch = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// Clock returns a func that always answers Epoch.
func Clock() func() time.Time { return func() time.Time { return Epoch } }

// Unix returns Epoch plus d, as a JSON number of seconds.
func Unix(d time.Duration) int64 { return Epoch.Add(d).Unix() }

// Key is a signing key with its public half.
type Key struct {
	Alg     string // default alg used by Sign
	KID     string // kid put in the header by Sign ("" = none)
	Private any    // *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey, []byte
	Public  any    // *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey, []byte
}

var (
	mu    sync.Mutex
	cache = map[string]any{}
)

func cached(name string, gen func() any) any {
	mu.Lock()
	defer mu.Unlock()
	if v, ok := cache[name]; ok {
		return v
	}
	v := gen()
	cache[name] = v
	return v
}

// RSA returns an RSA key of the given size, generated once per process per
// (name, bits), for alg RS256 with kid.
func RSA(name string, bits int, kid string) *Key {
	priv := cached(fmt.Sprintf("rsa/%s/%d", name, bits), func() any {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			panic(err)
		}
		return k
	}).(*rsa.PrivateKey)
	return &Key{Alg: "RS256", KID: kid, Private: priv, Public: &priv.PublicKey}
}

// EC returns an ECDSA key for alg ES256, ES384 or ES512 (curve from alg),
// generated once per process per (name, alg).
func EC(name, alg, kid string) *Key {
	var c elliptic.Curve
	switch alg {
	case "ES256":
		c = elliptic.P256()
	case "ES384":
		c = elliptic.P384()
	case "ES512":
		c = elliptic.P521()
	default:
		panic("jwttest: EC alg " + alg)
	}
	priv := cached("ec/"+name+"/"+alg, func() any {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	}).(*ecdsa.PrivateKey)
	return &Key{Alg: alg, KID: kid, Private: priv, Public: &priv.PublicKey}
}

// Ed25519 returns an Ed25519 key derived from a fixed seed byte.
func Ed25519(seed byte, kid string) *Key {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	priv := ed25519.NewKeyFromSeed(s)
	return &Key{Alg: "EdDSA", KID: kid, Private: priv, Public: priv.Public().(ed25519.PublicKey)}
}

// HMAC returns a symmetric key for alg (HS256/384/512) with the secret.
func HMAC(alg string, secret []byte, kid string) *Key {
	return &Key{Alg: alg, KID: kid, Private: secret, Public: secret}
}

// WithKID returns a copy of k with another kid.
func (k *Key) WithKID(kid string) *Key { c := *k; c.KID = kid; return &c }

// WithAlg returns a copy of k that signs with another alg by default.
func (k *Key) WithAlg(alg string) *Key { c := *k; c.Alg = alg; return &c }

// Claims is a JWT claims set.
type Claims = map[string]any

// Default returns sub=alice, iat=now-60s, exp=now+1h.
func Default() Claims {
	return Claims{"sub": "alice", "iat": Unix(-time.Minute), "exp": Unix(time.Hour)}
}

// Sign returns a compact JWS of claims with header {"alg":k.Alg,"kid":k.KID}
// (kid omitted when empty). Extra header members are merged in; a nil value
// deletes a member.
func (k *Key) Sign(claims any, header ...map[string]any) string {
	h := map[string]any{"alg": k.Alg}
	if k.KID != "" {
		h["kid"] = k.KID
	}
	for _, extra := range header {
		for name, v := range extra {
			if v == nil {
				delete(h, name)
			} else {
				h[name] = v
			}
		}
	}
	hj, err := json.Marshal(h)
	if err != nil {
		panic(err)
	}
	var pj []byte
	switch c := claims.(type) {
	case []byte:
		pj = c
	case string:
		pj = []byte(c)
	default:
		if pj, err = json.Marshal(c); err != nil {
			panic(err)
		}
	}
	return k.SignRaw(k.Alg, hj, pj)
}

// SignRaw signs the exact header and payload bytes with alg and returns
// b64(header).b64(payload).b64(sig).
func (k *Key) SignRaw(alg string, header, payload []byte) string {
	input := B64(header) + "." + B64(payload)
	return input + "." + B64(k.SignInput(alg, []byte(input)))
}

// SignInput signs arbitrary signing input with alg using k.Private.
func (k *Key) SignInput(alg string, input []byte) []byte {
	sig, err := SignBytes(alg, k.Private, input)
	if err != nil {
		panic(err)
	}
	return sig
}

// HashFor returns the hash of an alg's family.
func HashFor(alg string) crypto.Hash {
	switch alg[len(alg)-3:] {
	case "256":
		return crypto.SHA256
	case "384":
		return crypto.SHA384
	case "512":
		return crypto.SHA512
	}
	return 0
}

func newHash(h crypto.Hash) func() hash.Hash {
	switch h {
	case crypto.SHA256:
		return sha256.New
	case crypto.SHA384:
		return sha512.New384
	default:
		return sha512.New
	}
}

// SignBytes signs input with alg and a private key (or HMAC secret), as the
// JWS RFCs specify: PKCS#1 v1.5, PSS with salt length = hash length, ECDSA
// r||s each padded to the curve size, Ed25519, HMAC.
func SignBytes(alg string, priv any, input []byte) ([]byte, error) {
	if alg == "EdDSA" {
		p, ok := priv.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("jwttest: EdDSA needs ed25519.PrivateKey, have %T", priv)
		}
		return ed25519.Sign(p, input), nil
	}
	if len(alg) != 5 {
		return nil, fmt.Errorf("jwttest: unknown alg %q", alg)
	}
	h := HashFor(alg)
	if h == 0 {
		return nil, fmt.Errorf("jwttest: unknown alg %q", alg)
	}
	if alg[:2] == "HS" {
		secret, ok := priv.([]byte)
		if !ok {
			return nil, fmt.Errorf("jwttest: HS needs []byte, have %T", priv)
		}
		m := hmac.New(newHash(h), secret)
		m.Write(input)
		return m.Sum(nil), nil
	}
	hh := newHash(h)()
	hh.Write(input)
	digest := hh.Sum(nil)
	switch alg[:2] {
	case "RS":
		p, ok := priv.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("jwttest: RS needs *rsa.PrivateKey, have %T", priv)
		}
		return rsa.SignPKCS1v15(rand.Reader, p, h, digest)
	case "PS":
		p, ok := priv.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("jwttest: PS needs *rsa.PrivateKey, have %T", priv)
		}
		return rsa.SignPSS(rand.Reader, p, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "ES":
		p, ok := priv.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("jwttest: ES needs *ecdsa.PrivateKey, have %T", priv)
		}
		r, s, err := ecdsa.Sign(rand.Reader, p, digest)
		if err != nil {
			return nil, err
		}
		size := (p.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("jwttest: unknown alg %q", alg)
}

// ECSignature builds a raw r||s ES signature of the given coordinate size.
func ECSignature(r, s *big.Int, size int) []byte {
	out := make([]byte, 2*size)
	r.FillBytes(out[:size])
	s.FillBytes(out[size:])
	return out
}

// B64 is unpadded base64url.
func B64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// JWK returns the public JWK of k as a JSON object (kid and, when withAlg,
// alg included; "use":"sig").
func (k *Key) JWK(withAlg bool) map[string]any {
	jwk := jose.JSONWebKey{Key: k.Public, KeyID: k.KID, Use: "sig"}
	if withAlg {
		jwk.Algorithm = k.Alg
	}
	b, err := jwk.MarshalJSON()
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	if k.KID == "" {
		delete(m, "kid")
	}
	return m
}

// JWKS returns {"keys":[...]} with the public JWK of each key (no alg).
func JWKS(ks ...*Key) []byte {
	return JWKSOf(func() []any {
		var out []any
		for _, k := range ks {
			out = append(out, k.JWK(false))
		}
		return out
	}()...)
}

// JWKSOf returns {"keys":[...]} of the given JWK objects, as they are.
func JWKSOf(jwks ...any) []byte {
	if jwks == nil {
		jwks = []any{}
	}
	b, err := json.Marshal(map[string]any{"keys": jwks})
	if err != nil {
		panic(err)
	}
	return b
}

// PublicPEM returns the "PUBLIC KEY" (PKIX) PEM of k's public key.
func (k *Key) PublicPEM() []byte {
	der, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Base64 is standard, padded base64 (the encoding of key_value and
// jwk_set_value).
func Base64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
