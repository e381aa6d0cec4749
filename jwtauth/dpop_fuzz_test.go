package jwtauth

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzDPoPProof feeds arbitrary DPoP header values to the proof check, at
// the RFC 9449 Figure 13 request, time and binding: every outcome is
// acceptance or ErrDPoP, never a panic or another sentinel. Seeds: the
// RFC's proofs and broken variants of them.
func FuzzDPoPProof(f *testing.F) {
	for _, s := range []string{
		rfc9449Figure13,
		rfc9449Figure2,
		rfc9449Figure13[:len(rfc9449Figure13)-10],
		strings.Replace(rfc9449Figure13, ".", "..", 1),
		"e30.e30.",
		"",
		"a.b.c",
	} {
		f.Add(s)
	}
	at := time.Unix(rfc9449Figure13IAT, 0)
	f.Fuzz(func(t *testing.T, proof string) {
		s, err := newSender([]Config{{DPoP: DPoPAllowed}}, func() time.Time { return at }, []configErrors{{}})
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(rfc9449Figure13Method, rfc9449Figure13URL, nil)
		r.Header["Dpop"] = []string{proof}
		err = s.checkProof(r, rfc9449Figure13Token, rfc9449JKT)
		if err != nil && !errors.Is(err, ErrDPoP) {
			t.Fatalf("proof %q: %v does not match ErrDPoP", proof, err)
		}
		if err == nil {
			// Whatever was accepted (the RFC's proof, or an encoding of
			// it that base64url's spare bits allow) used up its jti: the
			// RFC's proof is now a replay.
			r.Header["Dpop"] = []string{rfc9449Figure13}
			err = s.checkProof(r, rfc9449Figure13Token, rfc9449JKT)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Claim != "jti" {
				t.Fatalf("after accepting %q, the RFC's proof gave %v, want a jti replay", proof, err)
			}
		}
	})
}

// FuzzNormalizeHTU checks that htu normalization is idempotent and never
// keeps a query, fragment or userinfo.
func FuzzNormalizeHTU(f *testing.F) {
	for _, s := range []string{
		"https://API.example.com:443/a%2fb?x#y", "http://[::1]:80", "https://h/%7e", "HTTP://h:8080",
		"https://u@h/", "https://h/%zz", "ftp://h/", "https://:443/", "https://h:44a3/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := normalizeHTU(s)
		if !ok {
			return
		}
		again, ok := normalizeHTU(n)
		if !ok || again != n {
			t.Fatalf("%q -> %q -> %q (%v): not idempotent", s, n, again, ok)
		}
		if strings.ContainsAny(n, "?#@") {
			t.Fatalf("%q -> %q keeps a query, fragment or userinfo", s, n)
		}
	})
}
