package claims_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/claims"
)

// A Keycloak access token, as the verifier decodes its payload.
const keycloakPayload = `{
	"exp": 1795431600, "iat": 1795428000,
	"iss": "https://sso.example.com/realms/acme", "aud": "grafana",
	"sub": "f7a3c2de-1b2c-4d5e-8f90-123456789abc", "azp": "grafana",
	"preferred_username": "jdoe", "email": "jdoe@example.com", "name": "Jane Doe",
	"realm_access": {"roles": ["editor", "offline_access", "uma_authorization"]},
	"resource_access": {"grafana": {"roles": ["admin"]}},
	"groups": ["/ops", "/ops/oncall"]
}`

func ExampleParseExpected() {
	// expect_claims as it appears in grafana.ini.
	var raw map[string]any
	err := json.Unmarshal([]byte(`{"iss":"https://sso.example.com/realms/acme","aud":["grafana","api"],"tenant":"acme"}`), &raw)
	if err != nil {
		panic(err)
	}
	expected, err := claims.ParseExpected(raw)
	if err != nil {
		panic(err)
	}
	v := claims.Validator{
		Expected: expected,
		Now:      func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) },
	}

	var c map[string]any
	if err := json.Unmarshal([]byte(keycloakPayload), &c); err != nil {
		panic(err)
	}
	err = v.Validate(c)
	fmt.Println(errors.Is(err, claims.ErrMissing))
	fmt.Println(err)

	c["tenant"] = "acme"
	fmt.Println(v.Validate(c))
	// Output:
	// true
	// claims: claim missing (tenant): "tenant" is absent, expected "acme"
	// <nil>
}

// Numbers in expect_claims are compared by every digit: decode them with
// UseNumber, and give ValidatePayload the payload the claims came from.
func ExampleValidator_ValidatePayload() {
	dec := json.NewDecoder(strings.NewReader(`{"tenant_id": 9007199254740993}`))
	dec.UseNumber()
	var expect map[string]any
	if err := dec.Decode(&expect); err != nil {
		panic(err)
	}
	e, err := claims.ParseExpected(expect)
	if err != nil {
		panic(err)
	}
	v := claims.Validator{Expected: e, Now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }}

	for _, payload := range []string{`{"tenant_id": 9007199254740992}`, `{"tenant_id": 9007199254740993}`} {
		var c map[string]any // both numbers decode to the same float64
		if err := json.Unmarshal([]byte(payload), &c); err != nil {
			panic(err)
		}
		fmt.Println(v.ValidatePayload(c, payload))
	}
	// Output:
	// claims: claim mismatch (tenant_id): "tenant_id" is 9007199254740992 (number), expected 9007199254740993 (number)
	// <nil>
}

func ExampleValidator_Validate_expired() {
	v := claims.Validator{
		Now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) },
	}
	exp := time.Date(2026, 11, 23, 9, 56, 48, 0, time.UTC)
	err := v.Validate(map[string]any{"sub": "jdoe", "exp": float64(exp.Unix())})
	fmt.Println(errors.Is(err, claims.ErrExpired))
	if ce, ok := errors.AsType[*claims.Error](err); ok {
		fmt.Println(ce.Claim)
		fmt.Println(ce.Detail)
	}
	// Output:
	// true
	// exp
	// exp 2026-11-23T09:56:48Z is 3m12s in the past (leeway 1m0s)
}

func ExampleCompilePath() {
	p, err := claims.CompilePath("realm_access.roles[?starts_with(@, 'uma_') == `false`]")
	if err != nil {
		panic(err)
	}
	var c map[string]any
	if err := json.Unmarshal([]byte(keycloakPayload), &c); err != nil {
		panic(err)
	}
	roles, err := p.Strings(c)
	fmt.Println(roles, err)

	_, err = claims.CompilePath("lower(email)")
	fmt.Println(err)
	// Output:
	// [editor offline_access] <nil>
	// claims: invalid JMESPath expression "lower(email)": unknown function lower() (not provided by github.com/jmespath/go-jmespath)
}
