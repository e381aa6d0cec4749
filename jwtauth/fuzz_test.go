package jwtauth_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha512"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// fuzzRSA returns a 2048-bit RSA key derived from seed. Fuzzing runs the
// target in several worker processes; deriving the keys (instead of
// generating them at random) keeps the valid seed tokens valid in every
// worker, so mutations start from tokens that reach the claims checks.
func fuzzRSA(seed, kid string) *jwttest.Key {
	e := big.NewInt(65537)
	prime := func(label string) *big.Int {
		h1 := sha512.Sum512([]byte(seed + "/" + label + "/1"))
		h2 := sha512.Sum512([]byte(seed + "/" + label + "/2"))
		p := new(big.Int).SetBytes(append(h1[:], h2[:]...)) // 1024 bits
		p.SetBit(p, 1023, 1)
		p.SetBit(p, 1022, 1)
		p.SetBit(p, 0, 1)
		one, two := big.NewInt(1), big.NewInt(2)
		for {
			pm1 := new(big.Int).Sub(p, one)
			if p.ProbablyPrime(32) && new(big.Int).GCD(nil, nil, e, pm1).Cmp(one) == 0 {
				return p
			}
			p.Add(p, two)
		}
	}
	p, q := prime("p"), prime("q")
	one := big.NewInt(1)
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	priv := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 65537},
		D:         new(big.Int).ModInverse(e, phi),
		Primes:    []*big.Int{p, q},
	}
	if err := priv.Validate(); err != nil {
		panic(err)
	}
	priv.Precompute()
	return &jwttest.Key{Alg: "RS256", KID: kid, Private: priv, Public: &priv.PublicKey}
}

// fuzzEC returns an ECDSA key for alg whose scalar is derived from seed.
func fuzzEC(seed, alg, kid string) *jwttest.Key {
	curves := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}
	c := curves[alg]
	size := (c.Params().BitSize + 7) / 8
	h1 := sha512.Sum512([]byte(seed + "/1"))
	h2 := sha512.Sum512([]byte(seed + "/2"))
	d := append(h1[:], h2[:]...)[:size]
	d[0] = 0 // below the order of every curve (P-521's order starts with 0x01)
	priv, err := ecdsa.ParseRawPrivateKey(c, d)
	if err != nil {
		panic(err)
	}
	return &jwttest.Key{Alg: alg, KID: kid, Private: priv, Public: &priv.PublicKey}
}

// fuzzKeys is the fixed key set of FuzzVerify: every key type, one kid
// each, in one JWKS.
type fuzzKeys struct {
	rsa, es256, es384, es512, ed, hmac *jwttest.Key
}

func newFuzzKeys() *fuzzKeys {
	return &fuzzKeys{
		rsa:   fuzzRSA("fuzz-rsa", "rsa"),
		es256: fuzzEC("fuzz-es256", "ES256", "es256"),
		es384: fuzzEC("fuzz-es384", "ES384", "es384"),
		es512: fuzzEC("fuzz-es512", "ES512", "es512"),
		ed:    jwttest.Ed25519(0x42, "ed"),
		hmac:  jwttest.HMAC("HS256", bytes.Repeat([]byte("fuzz-hmac-secret"), 4), "hmac"), // 64 bytes: every HS alg
	}
}

// signers returns a key for every algorithm of the default list.
func (k *fuzzKeys) signers() []*jwttest.Key {
	return []*jwttest.Key{
		k.ed,
		k.hmac, k.hmac.WithAlg("HS384"), k.hmac.WithAlg("HS512"),
		k.rsa, k.rsa.WithAlg("RS384"), k.rsa.WithAlg("RS512"),
		k.es256, k.es384, k.es512,
		k.rsa.WithAlg("PS256"), k.rsa.WithAlg("PS384"), k.rsa.WithAlg("PS512"),
	}
}

func FuzzVerify(f *testing.F) {
	ks := newFuzzKeys()
	v, err := jwtauth.New(jwtauth.Config{
		JWKSetValue:   jwttest.Base64(jwttest.JWKS(ks.rsa, ks.es256, ks.es384, ks.es512, ks.ed, ks.hmac)),
		UsernameClaim: "sub",
		Now:           jwttest.Clock(),
		// The verified-token cache stays on (default size).
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = v.Close() })

	valid, others := fuzzSeeds(ks)
	for _, tok := range valid {
		// Every algorithm's token must verify against the fixed set, or the
		// target would only ever see refusals.
		if id, err := v.Verify(context.Background(), tok); err != nil || id.Subject != "alice" {
			f.Fatalf("valid seed refused: %v", err)
		}
		f.Add(tok)
	}
	for _, s := range others {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, token string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		id, err := v.Verify(ctx, token)
		if err != nil {
			if id != nil {
				t.Fatalf("Verify returned an Identity with error %v", err)
			}
			if m := atkMatched(err); len(m) != 1 {
				t.Fatalf("error %q matches %d sentinels %v, want exactly one", err, len(m), m)
			}
			if _, ok := err.(*jwtauth.ValidationError); !ok {
				t.Fatalf("error %T is not a *ValidationError", err)
			}
			return
		}
		if id == nil || id.Subject == "" {
			t.Fatalf("Verify succeeded with identity %+v", id)
		}
	})
}

// fuzzSeeds returns a valid token of every algorithm, and the published RFC
// vectors with inputs in the shape of the attack catalog's entries.
func fuzzSeeds(ks *fuzzKeys) (valid, seeds []string) {
	for _, vec := range jwttest.Vectors() {
		seeds = append(seeds, vec.Token)
	}
	claims := jwttest.Default()
	for _, k := range ks.signers() {
		valid = append(valid, k.Sign(claims))
	}

	tok := ks.rsa.Sign(claims)
	parts := strings.Split(tok, ".")
	h, p, s := parts[0], parts[1], parts[2]
	b64 := func(s string) string { return jwttest.B64([]byte(s)) }
	claimsJSON := `{"sub":"alice","iat":` + strconv.FormatInt(jwttest.Unix(-time.Minute), 10) +
		`,"exp":` + strconv.FormatInt(jwttest.Unix(time.Hour), 10) + `}`
	signRaw := func(hdr, payload string) string { return ks.rsa.SignRaw("RS256", []byte(hdr), []byte(payload)) }
	with := func(kv map[string]any) string { return ks.rsa.Sign(claimsWith(kv)) }
	pad := func(seg string) string {
		for len(seg)%4 != 0 {
			seg += "="
		}
		return seg
	}
	seeds = append(seeds,
		// ATK-01, ATK-02
		"", h+"."+p, tok+".x", "."+p+"."+s, h+".."+s, h+"."+p+".", `"`+tok+`"`,
		h+"%2E"+p+"."+s, h+"+."+p+"."+s, h+"."+p+"/."+s, h+" ."+p+"."+s,
		pad(h)+"."+pad(p)+"."+pad(s), h+"===."+p+"."+s, h[:4]+"="+h[4:]+"."+p+"."+s,
		b64(`{"alg":"RSA-OAEP","enc":"A256GCM"}`)+".a.b.c.d",
		// ATK-03
		signRaw(`[]`, claimsJSON), signRaw(`null`, claimsJSON), signRaw(`{"alg":"RS256","kid":"rsa"}x`, claimsJSON),
		signRaw(`{"alg":"RS256","kid":"rsa"}`, `[]`), signRaw(`{"alg":"RS256","kid":"rsa"}`, `"alice"`),
		signRaw(`{"alg":"RS256","kid":"rsa"}`, `{"sub":"a"}{"sub":"b"}`),
		// ATK-04, ATK-05, ATK-32, ATK-33
		signRaw(`{"alg":"rs256","kid":"rsa"}`, claimsJSON), signRaw(`{"alg":256,"kid":"rsa"}`, claimsJSON),
		signRaw(`{"kid":"rsa"}`, claimsJSON), ks.es256.WithKID("rsa").Sign(claims), ks.rsa.WithKID("ed").Sign(claims),
		b64(`{"alg":"none"}`)+"."+p+".", b64(`{"alg":"nOnE","kid":"rsa"}`)+"."+p+"."+s,
		jwttest.HMAC("HS256", ks.rsa.PublicPEM(), "rsa").Sign(claims),
		// ATK-09 .. ATK-14
		with(map[string]any{"exp": jwttest.Unix(-61 * time.Second)}), with(map[string]any{"nbf": jwttest.Unix(61 * time.Second)}),
		with(map[string]any{"iat": jwttest.Unix(61 * time.Second)}), with(map[string]any{"sub": nil}),
		with(map[string]any{"sub": ""}), with(map[string]any{"exp": nil}), with(map[string]any{"exp": "1900000000"}),
		with(map[string]any{"sub": 123}), with(map[string]any{"aud": []any{"api", 1}}), with(map[string]any{"iss": 1}),
		with(map[string]any{"aud": []any{"other", "api"}}),
		// ATK-23, ATK-34, ATK-36, ATK-37
		strings.Join(strings.Split(ks.es256.Sign(claims), ".")[:2], ".")+"."+jwttest.B64(make([]byte, 64)),
		ks.rsa.Sign(claims, map[string]any{"jwk": ks.rsa.JWK(false)}),
		ks.rsa.WithKID("../../dev/null").Sign(claims), ks.rsa.WithKID("").Sign(claims),
		signRaw(`{"alg":"RS256","kid":["rsa"]}`, claimsJSON), signRaw(`{"alg":"RS256","kid":null}`, claimsJSON),
		signRaw(`{"alg":"RS256","kid":"rsa","crit":["exp"],"exp":1}`, claimsJSON),
		// ATK-44, ATK-45, ATK-31, ATK-100, ATK-101
		`{"protected":"`+h+`","payload":"`+p+`","signature":"`+s+`"}`,
		signRaw(`{"alg":"RS256","kid":"rsa","zip":"DEF"}`, "\x01\x02"),
		b64(`{"alg":"dir","enc":"A256GCM","zip":"DEF"}`)+"..a.b.c",
		signRaw(`{"alg":"RS256","kid":"rsa"}`, `{"sub":"alice","x":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`),
		signRaw(`{"alg":"RS256","kid":"rsa","alg":"none"}`, claimsJSON),
		signRaw(`{"alg":"RS256","kid":"rsa"}`, `{"sub":"alice","sub":"admin"}`),
		signRaw(`{"alg":"RS256","kid":"rsa"}`, `{"sub":"ali\ud800ce"}`),
		signRaw(`{"alg":"RS256","kid":"rsa"}`, `{"sub":"alice","exp":1e400}`),
		// ATK-29, ATK-46 (kept small: the cap decides on length alone)
		strings.Repeat("A", jwtauth.MaxTokenBytes+1), "a"+strings.Repeat(".", 1000), tok+strings.Repeat(".", 100),
		" "+tok, tok+"\n", "Bearer "+tok,
	)
	return valid, seeds
}
