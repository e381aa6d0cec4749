package jws_test

import (
	"strings"
	"testing"

	"github.com/jwtgate/jwtgate/internal/jws"
	"github.com/jwtgate/jwtgate/internal/jwttest"
)

// benchToken is an HS256 token with a Keycloak-shaped payload (as in
// jwtauth's benchmarks), and its key.
func benchToken() (string, *jwttest.Key) {
	k := jwttest.HMAC("HS256", []byte(strings.Repeat("s", 32)), "bench-hs")
	return k.Sign(map[string]any{
		"exp": 1900000000, "iat": 1899996400, "nbf": 1899996400,
		"jti": "0b1e5c1e-7f2a-4d8e-9c3b-5a6f7e8d9c0b", "iss": "https://sso.example.com/realms/acme",
		"aud": []string{"grafana", "account"}, "sub": "6b1d3f2e-8a4c-4e5f-9b7a-1c2d3e4f5a6b",
		"typ": "Bearer", "azp": "grafana", "scope": "openid email profile", "email_verified": true,
		"name": "Jane Doe", "preferred_username": "jdoe", "email": "jane.doe@example.com",
		"realm_access": map[string]any{"roles": []string{"default-roles-acme", "offline_access", "grafana-editor"}},
		"groups":       []string{"/engineering", "/engineering/platform"},
	}), k
}

// BenchmarkParseSig: splitting and decoding a token, as jwtauth does.
func BenchmarkParseSig(b *testing.B) {
	tok, _ := benchToken()
	b.ReportAllocs()
	for b.Loop() {
		var sigBuf [512]byte
		if _, _, err := jws.ParseSig(tok, sigBuf[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyHS256: the HMAC check over the signing input.
func BenchmarkVerifyHS256(b *testing.B) {
	tok, k := benchToken()
	p, err := jws.Parse(tok)
	if err != nil {
		b.Fatal(err)
	}
	in := p.SigningInput()
	b.ReportAllocs()
	for b.Loop() {
		if !jws.Verify("HS256", k.Public, in, p.Sig) {
			b.Fatal("does not verify")
		}
	}
}
