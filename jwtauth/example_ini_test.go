package jwtauth_test

import (
	"errors"
	"fmt"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// A grafana.ini [auth.jwt] section, with inline comments, loads unchanged;
// GF_AUTH_JWT_* variables override it.
func ExampleParseINI() {
	ini := []byte(`
[auth.jwt]
enabled = true ;enables authentication by JWT
header_name = X-Pomerium-Jwt-Assertion ;the header that carries the JWT
email_claim = email
jwk_set_url = https://auth.example.com/.well-known/pomerium/jwks.json
cache_ttl = 60m ;cache the key set for an hour
expect_claims = {"aud": "grafana.example.com"}

[users]
auto_assign_org_role = Editor
`)
	env := []string{"GF_AUTH_JWT_CACHE_TTL=10m"}

	cfg, err := jwtauth.ParseINI(ini, env)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.HeaderName)
	fmt.Println(cfg.JWKSetURL)
	fmt.Println(cfg.CacheTTL)
	fmt.Println(cfg.ExpectClaims["aud"])
	fmt.Println(cfg.AutoAssignOrgRole)
	// Output:
	// X-Pomerium-Jwt-Assertion
	// https://auth.example.com/.well-known/pomerium/jwks.json
	// 10m0s
	// grafana.example.com
	// Editor
}

// A misspelt key is an error that names the line and suggests the key,
// where Grafana would ignore it.
func ExampleParseINI_unknownKey() {
	ini := []byte(`[auth.jwt]
enabled = true
jwk_set_url = https://idp.example.com/jwks.json
expected_claims = {"iss": "https://idp.example.com"}
`)
	_, err := jwtauth.ParseINI(ini, nil)
	fmt.Println(errors.Is(err, jwtauth.ErrInvalidConfig))
	fmt.Println(err)
	// Output:
	// true
	// jwtauth: invalid config: line 4: [auth.jwt] expected_claims: unknown key (did you mean expect_claims?)
}

// A duration without a unit is an error too (Grafana would silently use
// the default).
func ExampleParseINI_badDuration() {
	_, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\ncache_ttl = 3600\n"), nil)
	fmt.Println(err)
	// Output:
	// jwtauth: invalid config: line 3: [auth.jwt] cache_ttl: "3600" has no unit; for seconds write "3600s" (or "1h")
}

// When [auth.jwt] is disabled or absent, ParseINI returns ErrDisabled so
// the caller can leave the middleware out.
func ExampleParseINI_disabled() {
	_, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = false\n"), nil)
	if errors.Is(err, jwtauth.ErrDisabled) {
		fmt.Println("JWT authentication is off")
	}
	// Output:
	// JWT authentication is off
}

// Extra [auth.jwt.<name>] sections are more issuers, for NewMulti.
func ExampleParseINIAll() {
	ini := []byte(`
[auth.jwt]
enabled = true
jwk_set_url = https://idp.example.com/jwks.json
expect_claims = {"iss": "https://idp.example.com"}

[auth.jwt.k8s]
enabled = true
jwk_set_url = https://kubernetes.default.svc/openid/v1/jwks
jwk_set_bearer_token_file = /var/run/secrets/kubernetes.io/serviceaccount/token
expect_claims = {"iss": "https://kubernetes.default.svc"}
`)
	env := []string{"GF_AUTH_JWT_K8S_CACHE_TTL=5m"}

	cfgs, err := jwtauth.ParseINIAll(ini, env)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range cfgs {
		fmt.Println(c.ExpectClaims["iss"], c.CacheTTL)
	}
	// Output:
	// https://idp.example.com 0s
	// https://kubernetes.default.svc 5m0s
}
