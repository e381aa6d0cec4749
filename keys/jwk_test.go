package keys_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/keys"
)

// hmac32 is a 32-byte HMAC secret.
var hmac32 = []byte("0123456789abcdef0123456789abcdef")

func TestParseJWKS_vectors(t *testing.T) {
	for _, v := range jwttest.Vectors() {
		t.Run(v.File, func(t *testing.T) {
			set, err := keys.ParseJWKS(v.JWKS())
			require.NoError(t, err)
			requireUsable(t, set)
			require.Empty(t, set.Skipped())

			var jwk struct {
				Kid string `json:"kid"`
			}
			require.NoError(t, json.Unmarshal(v.Key, &jwk))
			got, err := set.KeysFor(t.Context(), jwk.Kid, v.Alg)
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, jwk.Kid, got[0].ID)
			assert.True(t, verifyCompact(t, v.Alg, got[0].Public, v.Token), "vector signature does not verify with the parsed key")

			// Flip one bit of the signature: it must no longer verify.
			i := strings.LastIndexByte(v.Token, '.')
			sig, err := base64.RawURLEncoding.DecodeString(v.Token[i+1:])
			require.NoError(t, err)
			sig[len(sig)/2] ^= 0x01
			assert.False(t, verifyCompact(t, v.Alg, got[0].Public, v.Token[:i+1]+b64(sig)))

			// The kid is opaque and exact: any other kid is unknown.
			_, err = set.KeysFor(t.Context(), jwk.Kid+"x", v.Alg)
			require.ErrorIs(t, err, keys.ErrUnknownKey)
		})
	}
}

func TestParseJWKS_keyTypes(t *testing.T) {
	for _, k := range []*jwttest.Key{
		jwttest.RSA("good", 2048, "rsa"),
		jwttest.RSA("big", 4096, "rsa4096"),
		jwttest.EC("ec", "ES256", "p256"),
		jwttest.EC("ec", "ES384", "p384"),
		jwttest.EC("ec", "ES512", "p521"),
		jwttest.Ed25519(3, "ed"),
		jwttest.HMAC("HS256", hmac32, "hs256"),
		jwttest.HMAC("HS512", bytes.Repeat([]byte{7}, 64), "hs512"),
	} {
		for _, withAlg := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/alg=%v", k.KID, withAlg), func(t *testing.T) {
				set, err := keys.ParseJWKS(jwttest.JWKSOf(k.JWK(withAlg)))
				require.NoError(t, err)
				requireUsable(t, set)
				got, err := set.KeysFor(t.Context(), k.KID, k.Alg)
				require.NoError(t, err)
				require.Len(t, got, 1)
				assert.Equal(t, "sig", got[0].Use)
				if withAlg {
					assert.Equal(t, k.Alg, got[0].Algorithm)
				} else {
					assert.Empty(t, got[0].Algorithm)
				}
				tok := k.Sign(jwttest.Default())
				assert.True(t, verifyCompact(t, k.Alg, got[0].Public, tok))
			})
		}
	}
}

func TestParseJWKS_skipsBadKeepsGood(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	ed := jwttest.Ed25519(1, "ed")
	weak := jwttest.RSA("weak", 1024, "weak")
	data := jwttest.JWKSOf(
		good.JWK(false),
		weak.JWK(false),
		with(ed.JWK(false), map[string]any{"kid": "enc", "use": "enc"}),
		map[string]any{"kid": "x25519", "kty": "OKP", "crv": "X25519", "x": b64(make([]byte, 32))},
		map[string]any{"kid": "foo", "kty": "foo"},
		"not an object",
		ed.JWK(true),
	)
	set, err := keys.ParseJWKS(data)
	require.NoError(t, err)
	requireUsable(t, set)
	assert.Equal(t, []string{"good", "ed"}, set.KeyIDs())

	sk := set.Skipped()
	require.Len(t, sk, 5)
	assert.Equal(t, []int{1, 2, 3, 4, 5}, []int{sk[0].Index, sk[1].Index, sk[2].Index, sk[3].Index, sk[4].Index})
	byKID := skippedByKID(set)
	assert.Contains(t, byKID["weak"].Reason, "1024 bits")
	assert.Equal(t, "RSA", byKID["weak"].Type)
	assert.Contains(t, byKID["enc"].Reason, `"use" is "enc"`)
	assert.Contains(t, byKID["x25519"].Reason, `"X25519"`)
	assert.Equal(t, "OKP", byKID["x25519"].Type)
	assert.Contains(t, byKID["foo"].Reason, `kty "foo"`)
	assert.Contains(t, sk[4].Reason, "not a JSON object")

	for _, kid := range []string{"weak", "enc", "x25519", "foo"} {
		_, err := set.KeysFor(t.Context(), kid, "RS256")
		require.ErrorIs(t, err, keys.ErrUnknownKey, kid)
	}
}

func TestParseJWKS_onlyBadKeys(t *testing.T) {
	weak := jwttest.RSA("weak", 1024, "weak")
	ed := jwttest.Ed25519(1, "ed")
	data := jwttest.JWKSOf(
		weak.JWK(false),
		with(ed.JWK(false), map[string]any{"use": "enc"}),
		with(ed.JWK(false), map[string]any{"kid": "a", "alg": "RS256"}),
		with(ed.JWK(false), map[string]any{"kid": "b", "key_ops": []string{"encrypt"}}),
		with(ed.JWK(false), map[string]any{"kid": strings.Repeat("k", 500), "alg": "none"}),
		map[string]any{"kty": "EC"},
	)
	set, err := keys.ParseJWKS(data)
	require.ErrorIs(t, err, keys.ErrInvalidKey)
	require.Nil(t, set)
	msg := err.Error()
	assert.Contains(t, msg, "no usable key (6 skipped")
	assert.Contains(t, msg, `keys[0] kid "weak" kty "RSA": RSA modulus has 1024 bits`)
	assert.Contains(t, msg, "and 2 more")
	assert.Less(t, len(msg), 1000, "the message is truncated")
	assert.NotContains(t, msg, strings.Repeat("k", 100), "untrusted kids are shortened")
}

func TestParseJWKS_documentErrors(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good").JWK(false)
	goodJSON := string(mustJSON(t, good))
	for _, tc := range []struct {
		name, doc, msg string
	}{
		{"empty", "", "not valid JSON"},
		{"not JSON", "<html>error</html>", "not valid JSON"},
		{"null", "null", "not a JSON object"},
		{"array", "[" + goodJSON + "]", "not a JSON object"},
		{"string", `"keys"`, "not a JSON object"},
		{"no keys member", `{"error":"x"}`, `no "keys"`},
		{"keys is a string", `{"keys":"x"}`, "not an array"},
		{"keys is null", `{"keys":null}`, "not an array"},
		{"keys is an object", `{"keys":{"0":` + goodJSON + `}}`, "not an array"},
		{"keys is empty", `{"keys":[]}`, "empty"},
		{"only an unknown kty", `{"keys":[{"kty":"foo"}]}`, "no usable key"},
		{"only nulls", `{"keys":[null,1,"x",[]]}`, "no usable key (4 skipped"},
		{"trailing data", `{"keys":[` + goodJSON + `]}x`, "not valid JSON"},
		{"two documents", `{"keys":[` + goodJSON + `]}{"keys":[]}`, "not valid JSON"},
		{"duplicate keys member", `{"keys":[` + goodJSON + `],"keys":[]}`, "appears twice"},
		{"case-different member", `{"Keys":[` + goodJSON + `]}`, `no "keys"`},
		{"deep nesting", `{"keys":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, "not valid JSON"},
		{"too large", `{"keys":[` + goodJSON + `],"pad":"` + strings.Repeat("a", 4<<20) + `"}`, "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := keys.ParseJWKS([]byte(tc.doc))
			require.ErrorIs(t, err, keys.ErrInvalidKey)
			require.NotErrorIs(t, err, keys.ErrUnknownKey)
			require.Nil(t, set)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestParseJWKS_otherMembersIgnored(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	jwk := with(good.JWK(true), map[string]any{
		"x5t#S256": nil, "ext": true, "iat": 1, "KID": "ignored", "nested": map[string]any{"d": "x"},
	})
	doc := map[string]any{"keys": []any{jwk}, "issuer": "https://idp.example"}
	set, err := keys.ParseJWKS(mustJSON(t, doc))
	require.NoError(t, err)
	assert.Equal(t, []string{"good"}, set.KeyIDs())
}

func TestParseJWKS_tooManyKeys(t *testing.T) {
	ed := jwttest.Ed25519(1, "")
	var jwks []any
	for i := range 1005 {
		jwks = append(jwks, with(ed.JWK(false), map[string]any{"kid": fmt.Sprint(i)}))
	}
	set, err := keys.ParseJWKS(jwttest.JWKSOf(jwks...))
	require.NoError(t, err)
	assert.Equal(t, 1000, set.Len())
	sk := set.Skipped()
	require.Len(t, sk, 1)
	assert.Equal(t, 1000, sk[0].Index)
	assert.Contains(t, sk[0].Reason, "only the first 1000")
	_, err = set.KeysFor(t.Context(), "1000", "EdDSA")
	require.ErrorIs(t, err, keys.ErrUnknownKey)
}

// TestParseJWKS_lookup covers how KeysFor matches the kid and alg of
// parsed keys.
func TestParseJWKS_lookup(t *testing.T) {
	rsa1 := jwttest.RSA("good", 2048, "dup")
	rsa2 := jwttest.RSA("other", 2048, "dup")
	ec := jwttest.EC("ec", "ES256", "dup")
	restricted := jwttest.RSA("good", 2048, "rs256-only")
	upper := jwttest.Ed25519(4, "Key")
	noKID := jwttest.Ed25519(5, "")
	withKID := jwttest.Ed25519(6, "a")
	hs := jwttest.HMAC("HS256", hmac32, "hs")
	set, err := keys.ParseJWKS(jwttest.JWKSOf(
		rsa1.JWK(false), ec.JWK(false), rsa2.JWK(false),
		restricted.JWK(true),
		upper.JWK(false), noKID.JWK(false), withKID.JWK(false), hs.JWK(false),
	))
	require.NoError(t, err)
	ctx := t.Context()

	t.Run("duplicate kids are all returned in document order", func(t *testing.T) {
		got, err := set.KeysFor(ctx, "dup", "RS256")
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.True(t, rsa1.Public.(*rsa.PublicKey).Equal(got[0].Public))
		assert.True(t, rsa2.Public.(*rsa.PublicKey).Equal(got[1].Public))
		got, err = set.KeysFor(ctx, "dup", "ES256")
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.True(t, ec.Public.(*ecdsa.PublicKey).Equal(got[0].Public))
	})
	t.Run("alg member restricts the key", func(t *testing.T) {
		got, err := set.KeysFor(ctx, "rs256-only", "RS256")
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, "RS256", got[0].Algorithm)
		for _, alg := range []string{"RS384", "RS512", "PS256"} {
			_, err = set.KeysFor(ctx, "rs256-only", alg)
			require.ErrorIs(t, err, keys.ErrAlgorithm, alg)
		}
	})
	t.Run("kid is case-sensitive", func(t *testing.T) {
		_, err := set.KeysFor(ctx, "key", "EdDSA")
		require.ErrorIs(t, err, keys.ErrUnknownKey)
		_, err = set.KeysFor(ctx, "KEY", "EdDSA")
		require.ErrorIs(t, err, keys.ErrUnknownKey)
		got, err := set.KeysFor(ctx, "Key", "EdDSA")
		require.NoError(t, err)
		require.Len(t, got, 1)
	})
	t.Run("token without kid matches only kid-less keys", func(t *testing.T) {
		got, err := set.KeysFor(ctx, "", "EdDSA")
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Empty(t, got[0].ID)
		assert.True(t, noKID.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(got[0].Public))
		_, err = set.KeysFor(ctx, "", "RS256")
		require.ErrorIs(t, err, keys.ErrAlgorithm)
	})
	t.Run("kid match with the wrong key type is ErrAlgorithm", func(t *testing.T) {
		for _, tc := range []struct{ kid, alg string }{
			{"dup", "HS256"}, {"dup", "EdDSA"}, {"dup", "ES384"}, {"hs", "RS256"}, {"a", "ES256"}, {"dup", "none"}, {"dup", ""},
		} {
			_, err := set.KeysFor(ctx, tc.kid, tc.alg)
			require.ErrorIs(t, err, keys.ErrAlgorithm, "%s/%s", tc.kid, tc.alg)
			require.NotErrorIs(t, err, keys.ErrUnknownKey)
		}
	})
	t.Run("unknown kid is ErrUnknownKey", func(t *testing.T) {
		for _, kid := range []string{"nope", "dup ", " dup", "dup\x00", "../dup", "hs\r\n"} {
			_, err := set.KeysFor(ctx, kid, "RS256")
			require.ErrorIs(t, err, keys.ErrUnknownKey, "%q", kid)
			require.NotErrorIs(t, err, keys.ErrAlgorithm)
		}
	})
}

// ecJWK returns the P-256 JWK of the "ec" test key with its coordinates
// replaced.
func ecJWK(kid string, x, y []byte) map[string]any {
	k := jwttest.EC("ec", "ES256", kid)
	return with(k.JWK(false), map[string]any{"x": b64(x), "y": b64(y)})
}

func ecXY(k *jwttest.Key) (x, y []byte) {
	pub := k.Public.(*ecdsa.PublicKey)
	size := (pub.Curve.Params().BitSize + 7) / 8
	return pub.X.FillBytes(make([]byte, size)), pub.Y.FillBytes(make([]byte, size))
}

// TestParseJWKS_ATK20 is attack ATK-20 at the key layer: a weak RSA key in
// a JWKS is skipped, so a token naming it finds no key.
func TestParseJWKS_ATK20(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	weak := jwttest.RSA("weak", 1024, "weak")

	set, err := keys.ParseJWKS(jwttest.JWKS(weak, good))
	require.NoError(t, err)
	_, err = set.KeysFor(t.Context(), "weak", "RS256")
	require.ErrorIs(t, err, keys.ErrUnknownKey)
	got, err := set.KeysFor(t.Context(), "good", "RS256")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Contains(t, skippedByKID(set)["weak"].Reason, "at least 2048")

	set, err = keys.ParseJWKS(jwttest.JWKS(weak))
	require.ErrorIs(t, err, keys.ErrInvalidKey)
	require.Nil(t, set)
	assert.Contains(t, err.Error(), "1024 bits")

	// The same with a 512-bit modulus written by hand.
	n512 := with(good.JWK(false), map[string]any{"kid": "tiny", "n": b64(oddModulus(512).Bytes())})
	_, err = keys.ParseJWKS(jwttest.JWKSOf(n512))
	require.ErrorIs(t, err, keys.ErrInvalidKey)
	assert.Contains(t, err.Error(), "512 bits")
}

// TestParseJWKS_ATK22 is attack ATK-22 at the key layer: P-256 keys whose
// point is invalid or whose coordinates have the wrong size are skipped.
func TestParseJWKS_ATK22(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	x, y := ecXY(jwttest.EC("ec", "ES256", "ec"))
	x384, y384 := ecXY(jwttest.EC("ec", "ES384", "ec"))
	yPlus1 := new(big.Int).Add(new(big.Int).SetBytes(y), big.NewInt(1)).FillBytes(make([]byte, 32))
	zero := make([]byte, 32)

	for _, tc := range []struct {
		name   string
		jwk    map[string]any
		reason string
	}{
		{"y incremented by 1", ecJWK("bad", x, yPlus1), "not on declared curve"},
		{"(0,0)", ecJWK("bad", zero, zero), "not on declared curve"},
		{"31-byte x", ecJWK("bad", x[1:], y), `"x" has 31 octets; crv P-256 needs exactly 32`},
		{"33-byte y", ecJWK("bad", x, append([]byte{0}, y...)), `"y" has 33 octets`},
		{"P-384 coordinates under P-256", ecJWK("bad", x384, y384), `"x" has 48 octets`},
		{"P-256 coordinates under P-384", with(ecJWK("bad", x, y), map[string]any{"crv": "P-384"}), `"x" has 32 octets; crv P-384 needs exactly 48`},
		{"no y", with(ecJWK("bad", x, y), map[string]any{"y": nil}), `"y" is missing`},
		{"no crv", with(ecJWK("bad", x, y), map[string]any{"crv": nil}), `no "crv"`},
		{"secp256k1", with(ecJWK("bad", x, y), map[string]any{"crv": "secp256k1"}), `"secp256k1" is not supported`},
		{"P-224", with(ecJWK("bad", x[:28], y[:28]), map[string]any{"crv": "P-224"}), `"P-224" is not supported`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := keys.ParseJWKS(jwttest.JWKSOf(good.JWK(false), tc.jwk))
			require.NoError(t, err)
			_, err = set.KeysFor(t.Context(), "bad", "ES256")
			require.ErrorIs(t, err, keys.ErrUnknownKey)
			assert.Contains(t, skippedByKID(set)["bad"].Reason, tc.reason)

			set, err = keys.ParseJWKS(jwttest.JWKSOf(tc.jwk))
			require.ErrorIs(t, err, keys.ErrInvalidKey)
			require.Nil(t, set)
		})
	}
}

// TestParseJWKS_strict lists JWKs that the JOSE RFCs (or safe verification)
// rule out, and that ParseJWKS therefore skips. Column jose records whether
// go-jose's JSONWebKey.UnmarshalJSON accepts the JWK without error: where it
// does, go-jose is lenient and this package's own checks are what catch it.
func TestParseJWKS_strict(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	rsaJWK := good.JWK(false)
	ed := jwttest.Ed25519(1, "x")
	edJWK := ed.JWK(false)
	hsJWK := jwttest.HMAC("HS256", hmac32, "x").JWK(false)
	weak := jwttest.RSA("weak", 1024, "x")
	privRSA, err := jose.JSONWebKey{Key: good.Private, KeyID: "x"}.MarshalJSON()
	require.NoError(t, err)
	privEd, err := jose.JSONWebKey{Key: ed.Private, KeyID: "x"}.MarshalJSON()
	require.NoError(t, err)
	x := edJWK["x"].(string)
	pub := good.Public.(*rsa.PublicKey)

	for _, tc := range []struct {
		name   string
		jwk    any // map or raw JSON text
		reason string
		jose   bool // go-jose accepts the JWK
	}{
		{"private RSA key (d, p, q, ...)", json.RawMessage(privRSA), "private key material", true},
		{"private Ed25519 key (d)", json.RawMessage(privEd), "private key material", true},
		{"public key with a null d", with(rsaJWK, map[string]any{"kid": "x", "d": json.RawMessage("null")}), `member "d"`, true},
		{"use enc", with(edJWK, map[string]any{"use": "enc"}), `"use" is "enc"`, true},
		{"use SIG (values are case-sensitive)", with(edJWK, map[string]any{"use": "SIG"}), `"use" is "SIG"`, true},
		{"key_ops for encryption", with(edJWK, map[string]any{"key_ops": []string{"encrypt", "wrapKey"}}), `neither "verify" nor "sign"`, true},
		{"key_ops empty", with(edJWK, map[string]any{"key_ops": []string{}}), `neither "verify" nor "sign"`, true},
		{"key_ops sign, but use enc", with(edJWK, map[string]any{"key_ops": []string{"sign"}, "use": "enc"}), `"use" is "enc"`, true},
		{"key_ops repeated", with(edJWK, map[string]any{"key_ops": []string{"verify", "verify"}}), `repeats "verify"`, true},
		{"key_ops not an array", with(edJWK, map[string]any{"key_ops": "verify"}), "not an array of strings", true},
		{"alg none", with(hsJWK, map[string]any{"alg": "none"}), `"alg" "none"`, true},
		{"alg empty", with(hsJWK, map[string]any{"alg": ""}), `"alg" ""`, true},
		{"alg of a JWE", with(rsaJWK, map[string]any{"kid": "x", "alg": "RSA-OAEP"}), `"alg" "RSA-OAEP"`, true},
		{"alg lower case", with(rsaJWK, map[string]any{"kid": "x", "alg": "rs256"}), `"alg" "rs256"`, true},
		{"alg of another key type", with(rsaJWK, map[string]any{"kid": "x", "alg": "ES256"}), `cannot be used with this RSA key`, true},
		{"HS512 on a 32-byte secret", with(hsJWK, map[string]any{"alg": "HS512"}), `cannot be used with this oct key`, true},
		{"kid null", with(edJWK, map[string]any{"kid": json.RawMessage("null")}), `"kid" is not a string`, true},
		{"kid not valid UTF-8", json.RawMessage(`{"kty":"OKP","crv":"Ed25519","x":"` + x + `","kid":"x` + "\xff" + `"}`), "UTF-8", true},
		{"empty oct key", with(hsJWK, map[string]any{"k": ""}), `"k" is missing or empty`, true},
		{"16-byte HMAC secret", with(hsJWK, map[string]any{"k": b64(hmac32[:16])}), "16 bytes; HS256 needs at least 32", true},
		{"oct key with an empty x5c", with(hsJWK, map[string]any{"x5c": []string{}}), `X.509 member "x5c"`, true},
		{"oct key with x5t", with(hsJWK, map[string]any{"x5t": b64(make([]byte, 20))}), `X.509 member "x5t"`, true},
		{"line break in base64url", with(edJWK, map[string]any{"x": x[:20] + "\n" + x[20:]}), "line break", true},
		{"padded base64url", with(hsJWK, map[string]any{"k": b64(hmac32) + "="}), "not unpadded base64url", false},
		{"standard base64 alphabet", with(rsaJWK, map[string]any{"kid": "x", "n": base64.RawStdEncoding.EncodeToString(append(pub.N.Bytes(), 0xfb, 0xff))}), "not unpadded base64url", false},
		{"non-zero trailing bits", with(hsJWK, map[string]any{"k": b64(hmac32)[:42] + "B"}), "not unpadded base64url", true},
		{"RSA n = 0", with(rsaJWK, map[string]any{"kid": "x", "n": "AA"}), `RSA "n" is zero`, true},
		{"RSA 1024 bits padded to 2048 with zero octets", with(weak.JWK(false), map[string]any{"kid": "x", "n": b64(append(make([]byte, 128), weak.Public.(*rsa.PublicKey).N.Bytes()...))}), "1024 bits", true},
		{"RSA 1024 bits", with(weak.JWK(false), nil), "1024 bits", true},
		{"RSA even exponent", with(rsaJWK, map[string]any{"kid": "x", "e": b64([]byte{1, 0, 0})}), "exponent 65536", true},
		{"RSA exponent 2", with(rsaJWK, map[string]any{"kid": "x", "e": "Ag"}), "exponent 2 ", true},
		{"RSA even modulus", with(rsaJWK, map[string]any{"kid": "x", "n": b64(new(big.Int).Add(pub.N, big.NewInt(1)).Bytes())}), "modulus is even", true},
		{"Ed25519 small-order point", with(edJWK, map[string]any{"x": b64(edBytes(t, "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"))}), "small-order", false},
		{"Ed25519 identity point", with(edJWK, map[string]any{"x": b64(edBytes(t, "0100000000000000000000000000000000000000000000000000000000000000"))}), "small-order", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, ok := tc.jwk.(json.RawMessage)
			if !ok {
				raw = mustJSON(t, tc.jwk)
			}
			var jk jose.JSONWebKey
			if err := jk.UnmarshalJSON(raw); tc.jose {
				require.NoError(t, err, "go-jose accepts this JWK")
			} else {
				require.Error(t, err, "go-jose rejects this JWK too")
			}

			data := jwttest.JWKSOf(good.JWK(false), json.RawMessage(raw))
			set, err := keys.ParseJWKS(data)
			require.NoError(t, err)
			assert.Equal(t, []string{"good"}, set.KeyIDs())
			sk := set.Skipped()
			require.Len(t, sk, 1)
			assert.Equal(t, 1, sk[0].Index)
			assert.Contains(t, sk[0].Reason, tc.reason)
			_, err = set.KeysFor(t.Context(), "x", "EdDSA")
			require.ErrorIs(t, err, keys.ErrUnknownKey)
		})
	}
}

func TestParseJWKS_duplicateMembers(t *testing.T) {
	good := string(mustJSON(t, jwttest.RSA("good", 2048, "good").JWK(false)))
	ed := jwttest.Ed25519(1, "")
	x := ed.JWK(false)["x"].(string)
	for _, raw := range []string{
		`{"kty":"OKP","crv":"Ed25519","x":"` + x + `","kid":"a","kid":"b"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"` + x + `","use":"enc","use":"sig"}`,
		// An escaped name is the same name.
		`{"kty":"OKP","crv":"Ed25519","x":"` + x + `","kid":"a","\u006bid":"b"}`,
	} {
		set, err := keys.ParseJWKS([]byte(`{"keys":[` + good + `,` + raw + `]}`))
		require.NoError(t, err)
		assert.Equal(t, []string{"good"}, set.KeyIDs())
		require.Len(t, set.Skipped(), 1)
		assert.Contains(t, set.Skipped()[0].Reason, "appears twice")
	}
}

func TestParseJWKS_x5c(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	other := jwttest.RSA("other", 2048, "other")
	now := jwttest.Epoch
	der := func(pub any) string {
		block := certPEM(t, pub, now.Add(-48*time.Hour), now.Add(-24*time.Hour)) // expired
		return base64.StdEncoding.EncodeToString(pemBytes(t, block))
	}
	matching := with(good.JWK(false), map[string]any{"x5c": []string{der(good.Public)}})
	mismatched := with(good.JWK(false), map[string]any{"kid": "mismatch", "x5c": []string{der(other.Public)}})
	garbage := with(good.JWK(false), map[string]any{"kid": "garbage", "x5c": []string{"AAAA"}})

	set, err := keys.ParseJWKS(jwttest.JWKSOf(matching, mismatched, garbage))
	require.NoError(t, err)
	assert.Equal(t, []string{"good"}, set.KeyIDs(), "an expired but matching x5c is accepted: certificates only carry the key")
	sk := skippedByKID(set)
	assert.Contains(t, sk["mismatch"].Reason, "do not match")
	assert.Contains(t, sk["garbage"].Reason, "x5c")
}

func pemBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	block, _ := pem.Decode(data)
	require.NotNil(t, block)
	return block.Bytes
}

func TestSkipped_String(t *testing.T) {
	s := keys.Skipped{KeyID: "a\r\nb", Type: "RSA", Reason: "why", Index: 3}
	assert.Equal(t, `keys[3] kid "a\r\nb" kty "RSA": why`, s.String())
	assert.Equal(t, "keys[0]: why", keys.Skipped{Reason: "why"}.String())
}

// TestParseJWKS_lenient: the two formalities go-jose accepts are accepted
// too, and reported once per key by Set.Warnings (issue 14).
func TestParseJWKS_lenient(t *testing.T) {
	good := jwttest.RSA("good", 2048, "good")
	pub := good.Public.(*rsa.PublicKey)
	ed := jwttest.Ed25519(1, "signing-ops")
	padded := with(good.JWK(false), map[string]any{"kid": "java", "n": b64(append([]byte{0}, pub.N.Bytes()...)), "e": "AAEAAQ"})
	signOps := with(ed.JWK(false), map[string]any{"key_ops": []string{"sign"}})
	for _, jwk := range []map[string]any{padded, signOps} {
		var jk jose.JSONWebKey
		require.NoError(t, jk.UnmarshalJSON(mustJSON(t, jwk)), "go-jose accepts the JWK")
	}

	paddedN := with(good.JWK(false), map[string]any{"kid": "n-only", "n": b64(append([]byte{0, 0}, pub.N.Bytes()...))})
	set, err := keys.ParseJWKS(jwttest.JWKSOf(good.JWK(false), padded, signOps, paddedN))
	require.NoError(t, err)
	assert.Equal(t, []string{"good", "java", "signing-ops", "n-only"}, set.KeyIDs())
	assert.Empty(t, set.Skipped())
	assert.Equal(t, []string{
		`keys[1] kid "java" kty "RSA": RSA "n" and "e" have leading zero octets (RFC 7518 §2 asks for the minimal form); accepted, as go-jose does`,
		`keys[2] kid "signing-ops" kty "OKP": "key_ops" lists "sign" but not "verify" (RFC 7517 §4.3); accepted as a verification key, as go-jose does`,
		`keys[3] kid "n-only" kty "RSA": RSA "n" has leading zero octets (RFC 7518 §2 asks for the minimal form); accepted, as go-jose does`,
	}, set.Warnings())

	// The padded key is the same key: it verifies the key's signatures.
	ks, err := set.KeysFor(t.Context(), "java", "RS256")
	require.NoError(t, err)
	require.Len(t, ks, 1)
	assert.Equal(t, 0, ks[0].Public.(*rsa.PublicKey).N.Cmp(pub.N))
	assert.Equal(t, 65537, ks[0].Public.(*rsa.PublicKey).E)
	tok := good.Sign(map[string]any{"sub": "a"})
	assert.True(t, verifyCompact(t, "RS256", ks[0].Public, tok))
	ks, err = set.KeysFor(t.Context(), "signing-ops", "EdDSA")
	require.NoError(t, err)
	assert.True(t, verifyCompact(t, "EdDSA", ks[0].Public, ed.Sign(map[string]any{"sub": "a"})))

	strict, err := keys.ParseJWKS(jwttest.JWKSOf(good.JWK(false)))
	require.NoError(t, err)
	assert.Empty(t, strict.Warnings(), "no leniency, no warning")
	var nilSet *keys.Set
	assert.Nil(t, nilSet.Warnings())
}
