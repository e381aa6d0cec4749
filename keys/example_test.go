package keys_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/jwtgate/jwtgate/keys"
)

// The public half of the Ed25519 key whose seed is 32 bytes of 0x01.
const publicPEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=
-----END PUBLIC KEY-----
`

func ExampleParsePEM() {
	set, err := keys.ParsePEM([]byte(publicPEM), "signer-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	ks, err := set.KeysFor(context.Background(), "signer-1", "EdDSA")
	fmt.Println(len(ks), err)

	// A private key is never accepted, whatever its encoding.
	_, err = keys.ParsePEM([]byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"), "signer-1")
	fmt.Println(errors.Is(err, keys.ErrInvalidKey))
	fmt.Println(err)
	// Output:
	// 1 <nil>
	// true
	// keys: invalid key: PEM block "EC PRIVATE KEY" holds a private key, which is never used for verification; configure the corresponding public key (a "PUBLIC KEY" block) instead
}

func ExampleParseJWKS() {
	jwks := `{"keys":[
	  {"kty":"OKP","crv":"Ed25519","kid":"2026-11","use":"sig","alg":"EdDSA",
	   "x":"iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w"},
	  {"kty":"OKP","crv":"Ed25519","kid":"enc-1","use":"enc",
	   "x":"gTl3Dqh9F19Wo1Rmw0x-zMuNipG07jeiXfYPW4_Js5Q"},
	  {"kty":"RSA","kid":"tiny","n":"AQAB","e":"AQAB"}
	]}`
	set, err := keys.ParseJWKS([]byte(jwks))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("usable:", set.KeyIDs())
	for _, s := range set.Skipped() {
		fmt.Println("skipped:", s)
	}
	_, err = set.KeysFor(context.Background(), "enc-1", "EdDSA")
	fmt.Println(errors.Is(err, keys.ErrUnknownKey))
	// Output:
	// usable: [2026-11]
	// skipped: keys[1] kid "enc-1" kty "OKP": "use" is "enc"; only signature keys ("sig") are loaded (RFC 7517 §4.2)
	// skipped: keys[2] kid "tiny" kty "RSA": RSA modulus has 17 bits; at least 2048 are required (RFC 7518 §3.3)
	// true
}

func ExampleSet_KeysFor() {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	set, err := keys.NewSet(
		keys.Key{ID: "ed", Public: priv.Public()},
		keys.Key{ID: "hmac", Algorithm: "HS256", Public: []byte("a shared secret of at least 32 bytes")},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range []struct{ kid, alg string }{
		{"ed", "EdDSA"},
		{"hmac", "HS256"},
		{"hmac", "HS512"}, // the key's Algorithm is HS256
		{"ed", "HS256"},   // alg confusion: an Ed25519 key never verifies HMAC
		{"missing", "EdDSA"},
		{"", "EdDSA"}, // a token without kid matches only keys without one
	} {
		ks, err := set.KeysFor(context.Background(), q.kid, q.alg)
		switch {
		case errors.Is(err, keys.ErrUnknownKey):
			fmt.Printf("kid %q, %s: unknown key\n", q.kid, q.alg)
		case errors.Is(err, keys.ErrAlgorithm):
			fmt.Printf("kid %q, %s: no key for this algorithm\n", q.kid, q.alg)
		default:
			fmt.Printf("kid %q, %s: %d key(s) to try, first a %T\n", q.kid, q.alg, len(ks), ks[0].Public)
		}
	}
	// Output:
	// kid "ed", EdDSA: 1 key(s) to try, first a ed25519.PublicKey
	// kid "hmac", HS256: 1 key(s) to try, first a []uint8
	// kid "hmac", HS512: no key for this algorithm
	// kid "ed", HS256: no key for this algorithm
	// kid "missing", EdDSA: unknown key
	// kid "", EdDSA: unknown key
}

// A signing key published with key_ops ["sign"] instead of ["verify"] is
// loaded, as go-jose loads it, and Warnings says so.
func ExampleSet_Warnings() {
	jwks := `{"keys":[
	  {"kty":"OKP","crv":"Ed25519","kid":"2026-11","key_ops":["sign"],
	   "x":"iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w"}
	]}`
	set, err := keys.ParseJWKS([]byte(jwks))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("usable:", set.KeyIDs())
	for _, w := range set.Warnings() {
		fmt.Println("warning:", w)
	}
	// Output:
	// usable: [2026-11]
	// warning: keys[0] kid "2026-11" kty "OKP": "key_ops" lists "sign" but not "verify" (RFC 7517 §4.3); accepted as a verification key, as go-jose does
}
