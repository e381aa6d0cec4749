package jwtauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// A Config written in Go and the same settings written as ini must give the
// same Config and decide every token the same way.
func TestINIRoundTrip(t *testing.T) {
	rsa := jwttest.RSA("ini-rt", 2048, "rsa-1")
	ed := jwttest.Ed25519(7, "ed-1")
	hs := jwttest.HMAC("HS256", []byte("0123456789abcdef0123456789abcdef"), "hs-1")
	other := jwttest.Ed25519(8, "ed-1") // same kid, different key
	es := jwttest.EC("ini-rt", "ES256", "es-1")

	dir := t.TempDir()
	jwksFile := filepath.Join(dir, "jwks.json")
	require.NoError(t, os.WriteFile(jwksFile, jwttest.JWKS(ed, hs), 0o600))

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwttest.JWKS(es))
	}))
	t.Cleanup(srv.Close)

	pemValue := jwttest.Base64(rsa.PublicPEM())
	iss := "https://idp.example.com"

	scenarios := []struct {
		name string
		ini  string
		env  []string
		goc  jwtauth.Config
	}{
		{
			name: "PEM value, kid, strict claims",
			ini: `[auth.jwt]
enabled = true
header_name = X-JWT-Assertion ; Pomerium-style comment
key_value = ` + pemValue + `
key_id = rsa-1
algorithms = RS256
expect_claims = {"iss": "` + iss + `", "aud": ["grafana", "api"]}
leeway = 0
require_exp = true
username_claim = preferred_username
email_claim = email
role_attribute_path = role
role_attribute_strict = true
allow_assign_grafana_admin = true
[users]
auto_assign_org_role = Editor
`,
			goc: jwtauth.Config{
				HeaderName:              "X-JWT-Assertion",
				KeyValue:                pemValue,
				KeyID:                   "rsa-1",
				Algorithms:              []string{"RS256"},
				ExpectClaims:            map[string]any{"iss": iss, "aud": []any{"grafana", "api"}},
				Leeway:                  -1,
				RequireExp:              true,
				UsernameClaim:           "preferred_username",
				EmailClaim:              "email",
				RoleAttributePath:       "role",
				RoleAttributeStrict:     true,
				AllowAssignGrafanaAdmin: true,
				AutoAssignOrgRole:       jwtauth.RoleEditor,
			},
		},
		{
			name: "JWKS file, paths, org mapping, env overrides",
			ini: `[auth.jwt]
enabled = true
jwk_set_file = ` + jwksFile + `
leeway = 2m
username_attribute_path = user.login
email_attribute_path = user.emails[0]
groups_attribute_path = groups
org_attribute_path = orgs
org_mapping = "ops team:1:Admin" dev:2:Editor, *:3
skip_org_role_sync = false
auto_sign_up = true
`,
			env: []string{"GF_AUTH_JWT_ALGORITHMS=EdDSA HS256", "GF_USERS_AUTO_ASSIGN_ORG_ID=4", "GF_AUTH_JWT_TOKEN_CACHE_SIZE=0"},
			goc: jwtauth.Config{
				JWKSetFile:            jwksFile,
				Algorithms:            []string{"EdDSA", "HS256"},
				Leeway:                2 * time.Minute,
				UsernameAttributePath: "user.login",
				EmailAttributePath:    "user.emails[0]",
				GroupsAttributePath:   "groups",
				OrgAttributePath:      "orgs",
				OrgMapping:            []string{"ops team:1:Admin", "dev:2:Editor", "*:3"},
				AutoSignUp:            true,
				DefaultOrg:            "4",
				TokenCacheSize:        -1,
			},
		},
		{
			name: "JWKS value",
			ini:  "[auth.jwt]\nenabled = true\njwk_set_value = " + jwttest.Base64(jwttest.JWKS(ed)) + "\nexpect_claims = {\"sub\": \"alice\"}\n",
			goc: jwtauth.Config{
				JWKSetValue:  jwttest.Base64(jwttest.JWKS(ed)),
				ExpectClaims: map[string]any{"sub": "alice"},
			},
		},
		{
			name: "JWKS URL over http, no caching",
			ini:  "[auth.jwt]\nenabled = true\njwk_set_url = " + srv.URL + "/jwks ; local test server\ninsecure_allow_http = true\ncache_ttl = 0\nmax_stale = 0\nmin_refresh_interval = 1s\n",
			goc: jwtauth.Config{
				JWKSetURL:          srv.URL + "/jwks",
				InsecureAllowHTTP:  true,
				CacheTTL:           -1,
				MaxStale:           -1,
				MinRefreshInterval: time.Second,
			},
		},
	}

	base := func() jwttest.Claims {
		return jwttest.Claims{
			"sub": "alice", "iss": iss, "aud": "grafana", "iat": jwttest.Unix(-time.Minute), "exp": jwttest.Unix(time.Hour),
			"preferred_username": "alice", "email": "alice@example.com", "name": "Alice", "role": "GrafanaAdmin",
			"user":   map[string]any{"login": "alice", "emails": []any{"a@example.com"}},
			"groups": []any{"g1", "g2"}, "orgs": []any{"ops team", "dev"},
		}
	}
	with := func(mod func(c jwttest.Claims)) jwttest.Claims { c := base(); mod(c); return c }
	tokens := map[string]string{}
	for _, k := range []*jwttest.Key{rsa, ed, hs, es} {
		tokens["valid "+k.Alg] = k.Sign(base())
		tokens["expired "+k.Alg] = k.Sign(with(func(c jwttest.Claims) { c["exp"] = jwttest.Unix(-90 * time.Second) }))
		tokens["no exp "+k.Alg] = k.Sign(with(func(c jwttest.Claims) { delete(c, "exp") }))
		tokens["wrong iss "+k.Alg] = k.Sign(with(func(c jwttest.Claims) { c["iss"] = "https://evil.example" }))
		tokens["other aud "+k.Alg] = k.Sign(with(func(c jwttest.Claims) { c["aud"] = "other" }))
		tokens["nbf future "+k.Alg] = k.Sign(with(func(c jwttest.Claims) { c["nbf"] = jwttest.Unix(90 * time.Second) }))
		tokens["no role "+k.Alg] = k.Sign(with(func(c jwttest.Claims) { delete(c, "role") }))
		tokens["sub bob "+k.Alg] = k.Sign(with(func(c jwttest.Claims) { c["sub"] = "bob" }))
		tokens["unknown kid "+k.Alg] = k.WithKID("nope").Sign(base())
		tokens["no kid "+k.Alg] = k.WithKID("").Sign(base())
	}
	tokens["forged with other key"] = other.Sign(base())
	tokens["alg none"] = jwttest.B64([]byte(`{"alg":"none"}`)) + "." + jwttest.B64([]byte(`{"sub":"alice"}`)) + "."
	tokens["HS384 with the HMAC key"] = hs.WithAlg("HS384").Sign(base())
	tokens["garbage"] = "not.a.token"

	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			fromINI, err := jwtauth.ParseINI([]byte(sc.ini), sc.env)
			require.NoError(t, err)
			require.Equal(t, sc.goc, jwtauth.WithoutSource(fromINI), "the ini gives the Go Config")

			vGo := iniRoundTripVerifier(t, sc.goc)
			vINI := iniRoundTripVerifier(t, fromINI)
			accepted := 0
			for name, tok := range tokens {
				idGo, errGo := vGo.Verify(context.Background(), tok)
				idINI, errINI := vINI.Verify(context.Background(), tok)
				assert.Equal(t, jwtauth.ReasonName(errGo), jwtauth.ReasonName(errINI), "%s: Go %v, ini %v", name, errGo, errINI)
				assert.Equal(t, idGo, idINI, name)
				if errGo == nil {
					accepted++
				}
			}
			assert.Positive(t, accepted, "some token is accepted")
			assert.Less(t, accepted, len(tokens), "some token is refused")
		})
	}
}

func iniRoundTripVerifier(t *testing.T, cfg jwtauth.Config) *jwtauth.Verifier {
	t.Helper()
	cfg.Now = jwttest.Clock()
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return v
}
