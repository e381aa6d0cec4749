package claims_test

import (
	"testing"
	"time"

	"github.com/jmespath/go-jmespath"

	"github.com/jwtgate/jwtgate/claims"
)

const benchRolePath = "contains(realm_access.roles[*], 'admin') && 'Admin' || contains(realm_access.roles[*], 'editor') && 'Editor' || 'Viewer'"

func BenchmarkAttributePath(b *testing.B) {
	c := decode(b, keycloakPayload)
	b.Run("compiled", func(b *testing.B) {
		p := mustPath(b, benchRolePath)
		b.ReportAllocs()
		for b.Loop() {
			if s, err := p.String(c); err != nil || s != "Editor" {
				b.Fatal(s, err)
			}
		}
	})
	b.Run("field", func(b *testing.B) {
		p := mustPath(b, "preferred_username")
		b.ReportAllocs()
		for b.Loop() {
			if s, err := p.String(c); err != nil || s != "jdoe" {
				b.Fatal(s, err)
			}
		}
	})
	// Parsing the expression on every call, for comparison.
	b.Run("uncompiled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if v, err := jmespath.Search(benchRolePath, c); err != nil || v != "Editor" {
				b.Fatal(v, err)
			}
		}
	})
	// sort_by sorts a copy of its first argument, not of the claims.
	b.Run("sort_by", func(b *testing.B) {
		p := mustPath(b, "sort_by(realm_access.roles[*].{r: @}, &r)[0].r")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.String(c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	c := decode(b, keycloakPayload)
	b.Run("registered", func(b *testing.B) {
		v := &claims.Validator{Now: func() time.Time { return time.Unix(1795430000, 0) }}
		b.ReportAllocs()
		for b.Loop() {
			if err := v.Validate(c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("expect_claims", func(b *testing.B) {
		e, err := claims.ParseExpected(decode(b, `{"iss":"https://sso.example.com/realms/acme","aud":["api","grafana"],
			"azp":"grafana","realm_access":{"roles":["editor","offline_access","uma_authorization"]}}`))
		if err != nil {
			b.Fatal(err)
		}
		v := &claims.Validator{Expected: e, RequireExp: true, Now: func() time.Time { return time.Unix(1795430000, 0) }}
		b.ReportAllocs()
		for b.Loop() {
			if err := v.Validate(c); err != nil {
				b.Fatal(err)
			}
		}
	})
}
