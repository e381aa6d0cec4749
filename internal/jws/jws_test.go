package jws_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jws"
	"github.com/jwtgate/jwtgate/internal/jwttest"
)

func signers() []*jwttest.Key {
	return []*jwttest.Key{
		jwttest.RSA("jws", 2048, "r").WithAlg("RS256"),
		jwttest.RSA("jws", 2048, "r").WithAlg("RS384"),
		jwttest.RSA("jws", 2048, "r").WithAlg("RS512"),
		jwttest.RSA("jws", 2048, "r").WithAlg("PS256"),
		jwttest.RSA("jws", 2048, "r").WithAlg("PS384"),
		jwttest.RSA("jws", 2048, "r").WithAlg("PS512"),
		jwttest.EC("jws", "ES256", "e"),
		jwttest.EC("jws", "ES384", "e"),
		jwttest.EC("jws", "ES512", "e"),
		jwttest.Ed25519(7, "d"),
		jwttest.HMAC("HS256", []byte(strings.Repeat("k", 32)), "h"),
		jwttest.HMAC("HS384", []byte(strings.Repeat("k", 48)), "h"),
		jwttest.HMAC("HS512", []byte(strings.Repeat("k", 64)), "h"),
	}
}

func TestParseAndVerifyEveryAlg(t *testing.T) {
	for _, k := range signers() {
		t.Run(k.Alg, func(t *testing.T) {
			tok := k.Sign(jwttest.Default())
			p, err := jws.Parse(tok)
			require.NoError(t, err)
			assert.Equal(t, k.Alg, p.Alg)
			assert.Equal(t, k.KID, p.KID)
			assert.True(t, p.HasKID)
			assert.True(t, jws.Verify(k.Alg, k.Public, p.SigningInput(), p.Sig))

			bad := append([]byte(nil), p.Sig...)
			bad[len(bad)/2] ^= 1
			assert.False(t, jws.Verify(k.Alg, k.Public, p.SigningInput(), bad), "flipped bit")
			assert.False(t, jws.Verify(k.Alg, k.Public, p.SigningInput()+"x", p.Sig), "other input")
		})
	}
}

// ParseSig decodes the signature into the caller's buffer when it fits
// and into a fresh one when it does not; either way it is the signature
// Parse returns, and the Token itself carries none.
func TestParseSigBuffer(t *testing.T) {
	k := jwttest.RSA("jws", 2048, "r") // 256-byte signature
	tok := k.Sign(jwttest.Default())
	want, err := jws.Parse(tok)
	require.NoError(t, err)
	require.Len(t, want.Sig, 256)

	for _, size := range []int{512, 256, 255, 0} {
		buf := make([]byte, size)
		p, sig, err := jws.ParseSig(tok, buf)
		require.NoError(t, err, "buffer of %d", size)
		assert.Nil(t, p.Sig, "buffer of %d", size)
		assert.Equal(t, want.Sig, sig, "buffer of %d", size)
		assert.Equal(t, size >= 256, size > 0 && &buf[0] == &sig[0], "buffer of %d used only when it fits", size)
		assert.True(t, jws.Verify(k.Alg, k.Public, p.SigningInput(), sig))
	}
}

// TestPublishedVectors verifies every RFC 7515/7520/8037 example with its
// published key (parsed here with go-jose, independently of package keys).
func TestPublishedVectors(t *testing.T) {
	vs := jwttest.Vectors()
	require.Len(t, vs, 9)
	for _, v := range vs {
		t.Run(v.File, func(t *testing.T) {
			var jwk jose.JSONWebKey
			require.NoError(t, json.Unmarshal(v.Key, &jwk))
			p, err := jws.Parse(v.Token)
			require.NoError(t, err)
			assert.Equal(t, v.Alg, p.Alg)
			assert.Equal(t, v.Payload, p.Payload)
			assert.True(t, jws.Verify(v.Alg, jwk.Key, p.SigningInput(), p.Sig))
			bad := append([]byte(nil), p.Sig...)
			bad[0] ^= 0x80
			assert.False(t, jws.Verify(v.Alg, jwk.Key, p.SigningInput(), bad))
		})
	}
}

func TestParseRejects(t *testing.T) {
	k := jwttest.RSA("jws", 2048, "r")
	tok := k.Sign(jwttest.Default())
	h, rest, _ := strings.Cut(tok, ".")
	p, s, _ := strings.Cut(rest, ".")
	huge := strings.Repeat("A", jws.MaxTokenBytes+1)
	for name, in := range map[string]string{
		"two parts":        h + "." + p,
		"four parts":       tok + ".x",
		"empty header":     "." + p + "." + s,
		"empty payload":    h + ".." + s,
		"empty signature":  h + "." + p + ".",
		"five parts (JWE)": "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aGVsbG8.d29ybGQ.dGFn",
		"plus":             h + "+." + p + "." + s,
		"slash":            h + "." + p + "/." + s,
		"bang":             h + "." + p + "." + s + "!",
		"tilde":            "~" + tok,
		"space":            h + " ." + p + "." + s,
		"tab":              h + "." + p + "\t." + s,
		"newline":          h + "." + p + ".\n" + s,
		"percent dot":      h + "%2E" + p + "." + s,
		"quoted":           `"` + tok + `"`,
		"= inside":         h[:4] + "=" + h[4:] + "." + p + "." + s,
		"three =":          h + "===." + p + "." + s,
		"bad pad len":      h + "=." + p + "." + s + "=",
		"json":             `{"payload":"` + p + `","protected":"` + h + `","signature":"` + s + `"}`,
		"over cap":         huge,
		"empty":            "",
		"dots only":        "..",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := jws.Parse(in)
			require.ErrorIs(t, err, jws.ErrMalformed)
		})
	}
}

func TestPaddedSegments(t *testing.T) {
	k := jwttest.RSA("jws", 2048, "r")
	tok := k.Sign(jwttest.Default())
	parts := strings.Split(tok, ".")
	for i := range parts {
		for len(parts[i])%4 != 0 {
			parts[i] += "="
		}
	}
	padded := strings.Join(parts, ".")
	require.NotEqual(t, tok, padded, "the fixture must need padding")
	p, err := jws.Parse(padded)
	require.NoError(t, err)
	// Signed over the unpadded text: the as-received input fails, the
	// unpadded one verifies.
	assert.False(t, jws.Verify("RS256", k.Public, p.SigningInput(), p.Sig))
	un, ok := p.UnpaddedSigningInput()
	require.True(t, ok)
	assert.True(t, jws.Verify("RS256", k.Public, un, p.Sig))

	// Signed over the padded text (AWS ALB): the as-received input verifies.
	input := parts[0] + "." + parts[1]
	alb := input + "." + jwttest.B64(k.SignInput("RS256", []byte(input)))
	p, err = jws.Parse(alb)
	require.NoError(t, err)
	assert.True(t, jws.Verify("RS256", k.Public, p.SigningInput(), p.Sig))
}

func TestHeaderRules(t *testing.T) {
	k := jwttest.RSA("jws", 2048, "r")
	payload := []byte(`{"sub":"a"}`)
	for name, tc := range map[string]struct {
		header string
		want   error
	}{
		"crit":          {`{"alg":"RS256","crit":["exp"],"exp":1}`, jws.ErrMalformed},
		"zip":           {`{"alg":"RS256","zip":"DEF"}`, jws.ErrMalformed},
		"b64":           {`{"alg":"RS256","b64":false,"crit":["b64"]}`, jws.ErrMalformed},
		"enc":           {`{"alg":"RS256","enc":"A128GCM"}`, jws.ErrMalformed},
		"alg number":    {`{"alg":256}`, jws.ErrMalformed},
		"alg array":     {`{"alg":["RS256"]}`, jws.ErrMalformed},
		"kid object":    {`{"alg":"RS256","kid":{}}`, jws.ErrMalformed},
		"kid null":      {`{"alg":"RS256","kid":null}`, jws.ErrMalformed},
		"duplicate alg": {`{"alg":"none","alg":"RS256"}`, jws.ErrMalformed},
		"array":         {`[]`, jws.ErrMalformed},
		"string":        {`"RS256"`, jws.ErrMalformed},
		"null":          {`null`, jws.ErrMalformed},
		"trailing":      {`{"alg":"RS256","kid":"good"}x`, jws.ErrMalformed},
		"deep":          {`{"alg":"RS256","x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, jws.ErrMalformed},
		"no alg":        {`{"kid":"good"}`, jws.ErrNoAlg},
		"ignored jwk":   {`{"alg":"RS256","jwk":{"kty":"oct","k":"AAAA"},"jku":"https://evil","x5u":"https://evil"}`, nil},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := jws.Parse(k.SignRaw("RS256", []byte(tc.header), payload))
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
		})
	}
}

// TestECDSASignatureEdges covers RFC 7518 §3.4 encoding and the
// CVE-2022-21449 class: zero, out-of-range and wrongly sized signatures.
func TestECDSASignatureEdges(t *testing.T) {
	for _, alg := range []string{"ES256", "ES384", "ES512"} {
		k := jwttest.EC("jws", alg, "e")
		pub := k.Public.(*ecdsa.PublicKey)
		size := (pub.Curve.Params().BitSize + 7) / 8
		n := pub.Curve.Params().N
		input := "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0"
		good := k.SignInput(alg, []byte(input))
		require.True(t, jws.Verify(alg, pub, input, good))
		ff := make([]byte, 2*size)
		for i := range ff {
			ff[i] = 0xff
		}
		der := func() []byte { // ASN.1 form of the genuine signature
			r := new(big.Int).SetBytes(good[:size])
			s := new(big.Int).SetBytes(good[size:])
			sig, err := asn1Sig(r, s)
			require.NoError(t, err)
			return sig
		}()
		for name, sig := range map[string][]byte{
			"zeros":     make([]byte, 2*size),
			"r=s=n":     jwttest.ECSignature(n, n, size),
			"r=0 s=1":   jwttest.ECSignature(big.NewInt(0), big.NewInt(1), size),
			"all 0xff":  ff,
			"DER":       der,
			"one short": good[:len(good)-1],
			"one long":  append(append([]byte(nil), good...), 0),
		} {
			t.Run(alg+"/"+name, func(t *testing.T) {
				assert.False(t, jws.Verify(alg, pub, input, sig))
			})
		}
	}
	// A P-384 key never verifies an ES256 signature (curve bound to alg).
	k := jwttest.EC("jws", "ES384", "e")
	sig := k.SignInput("ES384", []byte("x"))
	assert.False(t, jws.Verify("ES256", k.Public, "x", sig))
	_ = elliptic.P256
}

// TestPSSSaltLength: RFC 7518 §3.5 fixes the salt to the hash size; other
// salt lengths are refused (go-jose accepts any, see the differential fuzz).
func TestPSSSaltLength(t *testing.T) {
	k := jwttest.RSA("jws", 2048, "r")
	priv := k.Private.(*rsa.PrivateKey)
	input := "eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJhIn0"
	for _, salt := range []int{0, 20, rsa.PSSSaltLengthAuto} {
		sig := signPSS(t, priv, input, salt)
		assert.False(t, jws.Verify("PS256", &priv.PublicKey, input, sig), "salt %d", salt)
	}
	assert.True(t, jws.Verify("PS256", &priv.PublicKey, input, signPSS(t, priv, input, 32)))
}

func TestKeyTypeMismatch(t *testing.T) {
	r := jwttest.RSA("jws", 2048, "r")
	e := jwttest.EC("jws", "ES256", "e")
	d := jwttest.Ed25519(1, "d")
	in := "a.b"
	rsig := r.SignInput("RS256", []byte(in))
	assert.False(t, jws.Verify("RS256", e.Public, in, rsig))
	assert.False(t, jws.Verify("ES256", r.Public, in, rsig))
	assert.False(t, jws.Verify("EdDSA", r.Public, in, rsig))
	assert.False(t, jws.Verify("HS256", r.Public, in, rsig))
	assert.False(t, jws.Verify("EdDSA", d.Public, in, rsig[:10]))
	assert.False(t, jws.Verify("none", d.Public, in, nil))
	assert.False(t, jws.Verify("RS1024", r.Public, in, rsig))
}

// TestReasons: every refusal says why as a Reason (and, for a header
// member, which one), so that callers switch on it instead of on text.
func TestReasons(t *testing.T) {
	k := jwttest.RSA("jws", 2048, "r")
	payload := []byte(`{"sub":"a"}`)
	signed := func(header string) string { return k.SignRaw("RS256", []byte(header), payload) }
	unsigned := func(header string) string {
		return jwttest.B64([]byte(header)) + "." + jwttest.B64(payload) + "."
	}
	tok := signed(`{"alg":"RS256"}`)
	h, rest, _ := strings.Cut(tok, ".")
	p, s, _ := strings.Cut(rest, ".")
	for name, tc := range map[string]struct {
		tok    string
		reason jws.Reason
		member string
		is     error
	}{
		"over cap":             {strings.Repeat("A", jws.MaxTokenBytes+1), jws.TooLong, "", jws.ErrMalformed},
		"two parts":            {h + "." + p, jws.NotCompact, "", jws.ErrMalformed},
		"empty header":         {"." + p + "." + s, jws.BadHeader, "", jws.ErrMalformed},
		"header base64":        {"!" + h + "." + p + "." + s, jws.BadHeader, "", jws.ErrMalformed},
		"header not JSON":      {signed(`{"alg":"RS256"`), jws.BadHeader, "", jws.ErrMalformed},
		"duplicate member":     {signed(`{"alg":"RS256","alg":"RS256"}`), jws.BadHeader, "", jws.ErrMalformed},
		"empty payload":        {h + ".." + s, jws.BadPayload, "", jws.ErrMalformed},
		"payload base64":       {h + "." + p + "!." + s, jws.BadPayload, "", jws.ErrMalformed},
		"signature base64":     {h + "." + p + "." + s + "!", jws.BadSignature, "", jws.ErrMalformed},
		"signature cut off":    {h + "." + p + ".", jws.BadSignature, "", jws.ErrMalformed},
		"alg not a string":     {signed(`{"alg":1}`), jws.BadMember, "alg", jws.ErrMalformed},
		"kid not a string":     {signed(`{"alg":"RS256","kid":[]}`), jws.BadMember, "kid", jws.ErrMalformed},
		"crit":                 {signed(`{"alg":"RS256","crit":["x"]}`), jws.Unsupported, "crit", jws.ErrMalformed},
		"enc":                  {signed(`{"alg":"RS256","enc":"A128GCM"}`), jws.Unsupported, "enc", jws.ErrMalformed},
		"no alg":               {signed(`{"kid":"r"}`), jws.NoAlg, "", jws.ErrNoAlg},
		"alg none":             {unsigned(`{"alg":"none"}`), jws.Unsecured, "", jws.ErrUnsecured},
		"alg NoNe":             {unsigned(`{"alg":"NoNe"}`), jws.Unsecured, "", jws.ErrUnsecured},
		"unknown alg unsigned": {unsigned(`{"alg":"RS1024"}`), jws.Unsecured, "", jws.ErrUnsecured},
		"rs256 unsigned":       {unsigned(`{"alg":"rs256"}`), jws.Unsecured, "", jws.ErrUnsecured},
		"EdDSA cut off":        {unsigned(`{"alg":"EdDSA"}`), jws.BadSignature, "", jws.ErrMalformed},
		"PS512 cut off":        {unsigned(`{"alg":"PS512"}`), jws.BadSignature, "", jws.ErrMalformed},
		"no alg unsigned":      {unsigned(`{"typ":"JWT"}`), jws.Unsecured, "", jws.ErrUnsecured},
		"crit unsigned":        {unsigned(`{"alg":"none","crit":["x"]}`), jws.Unsupported, "crit", jws.ErrMalformed},
		"bad header unsigned":  {unsigned(`{"alg":"none"`), jws.BadHeader, "", jws.ErrMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := jws.Parse(tc.tok)
			require.ErrorIs(t, err, tc.is)
			var e *jws.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.reason, e.Reason)
			assert.Equal(t, tc.member, e.Member)
			assert.NotEmpty(t, e.Detail)
		})
	}
}
