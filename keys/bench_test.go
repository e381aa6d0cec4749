package keys_test

import (
	"testing"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/keys"
)

func BenchmarkKeysFor(b *testing.B) {
	var ks []*jwttest.Key
	for i := range 8 {
		ks = append(ks, jwttest.Ed25519(byte(i+1), "ed-"+string(rune('a'+i))))
	}
	ks = append(ks, jwttest.RSA("good", 2048, "good"), jwttest.EC("ec", "ES256", "ec"))
	set, err := keys.ParseJWKS(jwttest.JWKS(ks...))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, kid, alg string }{
		{"result=hit", "good", "RS256"},
		{"result=wrong_alg", "good", "ES256"},
		{"result=unknown_kid", "nope", "RS256"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				_, _ = set.KeysFor(ctx, bc.kid, bc.alg)
			}
		})
	}
}

func BenchmarkParseJWKS(b *testing.B) {
	data := jwttest.JWKS(jwttest.RSA("good", 2048, "good"), jwttest.EC("ec", "ES256", "ec"), jwttest.Ed25519(1, "ed"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := keys.ParseJWKS(data); err != nil {
			b.Fatal(err)
		}
	}
}
