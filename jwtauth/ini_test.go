package jwtauth_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

const iniPomeriumJWKS = "https://auth.localhost.pomerium.io/.well-known/pomerium/jwks.json"

func iniFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "ini", name))
	require.NoError(t, err)
	return b
}

// The two [auth.jwt] snippets of Pomerium's Grafana guide, verbatim.
func TestParseINI_pomeriumGuide(t *testing.T) {
	t.Run("snippet 1, inline ; comments", func(t *testing.T) {
		cfg, err := jwtauth.ParseINI(iniFixture(t, "pomerium-grafana-1.ini"), nil)
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Equal(t, jwtauth.Config{
			HeaderName: "X-Pomerium-Jwt-Assertion",
			EmailClaim: "email",
			JWKSetURL:  iniPomeriumJWKS,
			CacheTTL:   60 * time.Minute,
		}, cfg)
	})
	t.Run("snippet 2, auto sign up and [users]", func(t *testing.T) {
		cfg, err := jwtauth.ParseINI(iniFixture(t, "pomerium-grafana-2.ini"), nil)
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Equal(t, jwtauth.Config{
			HeaderName:        "X-Pomerium-Jwt-Assertion",
			EmailClaim:        "email",
			JWKSetURL:         iniPomeriumJWKS,
			CacheTTL:          60 * time.Minute,
			UsernameClaim:     "sub",
			AutoSignUp:        true,
			AutoAssignOrgRole: jwtauth.RoleEditor,
		}, cfg)
	})
	t.Run("snippet 1 as rendered, empty jwk_set_url", func(t *testing.T) {
		data := iniFixture(t, "pomerium-grafana-1-rendered.ini")
		cfg, err := jwtauth.ParseINI(data, nil)
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Empty(t, cfg.JWKSetURL, "an empty value (all comment) is unset")

		// With a key source added, it is complete.
		data = append(data, "jwk_set_file = /etc/grafana/jwks.json\n"...)
		cfg, err = jwtauth.ParseINI(data, nil)
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Equal(t, jwtauth.Config{
			HeaderName: "X-Pomerium-Jwt-Assertion",
			EmailClaim: "email",
			JWKSetFile: "/etc/grafana/jwks.json",
			CacheTTL:   60 * time.Minute,
		}, cfg)
	})
	t.Run("environment only, as in the docker-compose variant", func(t *testing.T) {
		env := []string{
			"GF_AUTH_SIGNOUT_REDIRECT_URL=https://grafana.localhost.pomerium.io/.pomerium/sign_out",
			"GF_AUTH_JWT_ENABLED=true",
			"GF_AUTH_JWT_HEADER_NAME=X_POMERIUM_JWT_ASSERTION",
			"GF_AUTH_JWT_EMAIL_CLAIM=email",
			"GF_AUTH_JWT_JWK_SET_URL=https://grafana.localhost.pomerium.io/.well-known/pomerium/jwks.json",
			"GF_AUTH_JWT_CACHE_TTL=60m",
		}
		cfg, err := jwtauth.ParseINI(nil, env)
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Equal(t, jwtauth.Config{
			HeaderName: "X_POMERIUM_JWT_ASSERTION",
			EmailClaim: "email",
			JWKSetURL:  "https://grafana.localhost.pomerium.io/.well-known/pomerium/jwks.json",
			CacheTTL:   60 * time.Minute,
		}, cfg)
	})
}

// The [auth.jwt] settings shown in Grafana's JWT documentation page, one
// fragment each, with their inline "#" comments (comment wording ours).
func TestParseINI_grafanaDocs(t *testing.T) {
	const head = "[auth.jwt]\nenabled = true\n"
	const src = "jwk_set_file = /path/to/jwks.json\n"
	for _, tc := range []struct {
		name, ini string
		want      jwtauth.Config
	}{
		{
			"enable and header",
			"[auth.jwt]\n# off unless enabled\nenabled = true\n\n# where the token is\nheader_name = X-JWT-Assertion\n" + src,
			jwtauth.Config{HeaderName: "X-JWT-Assertion", JWKSetFile: "/path/to/jwks.json"},
		},
		{
			"login claims",
			head + src + "# [auth.jwt]\n# ...\nusername_claim = sub\nemail_claim = sub\n# auto_sign_up = true\n",
			jwtauth.Config{JWKSetFile: "/path/to/jwks.json", UsernameClaim: "sub", EmailClaim: "sub"},
		},
		{
			"attribute paths with inline # comments",
			head + src + "username_attribute_path = user.username # login is johndoe\nemail_attribute_path = user.emails[1] # the second address\n",
			jwtauth.Config{JWKSetFile: "/path/to/jwks.json", UsernameAttributePath: "user.username", EmailAttributePath: "user.emails[1]"},
		},
		{
			"url login",
			head + src + "url_login = true # read ?auth_token=\n",
			jwtauth.Config{JWKSetFile: "/path/to/jwks.json", URLLogin: true},
		},
		{
			"jwks url",
			head + "jwk_set_url = https://your-auth-provider.example.com/.well-known/jwks.json\n# jwk_set_bearer_token_file = /path/to/bearer_token\ncache_ttl = 60m\n# tls_client_ca = /path/to/ca.crt\n# tls_skip_verify_insecure = false\n",
			jwtauth.Config{JWKSetURL: "https://your-auth-provider.example.com/.well-known/jwks.json", CacheTTL: time.Hour},
		},
		{
			"caching disabled with 0s",
			head + "jwk_set_url = https://idp.example.com/jwks.json\ncache_ttl = 0s\n",
			jwtauth.Config{JWKSetURL: "https://idp.example.com/jwks.json", CacheTTL: -1},
		},
		{
			"jwks file",
			head + "jwk_set_file = /path/to/jwks.json\n",
			jwtauth.Config{JWKSetFile: "/path/to/jwks.json"},
		},
		{
			"PEM key file with kid",
			head + "key_file = /path/to/key.pem\nkey_id = my-key-id\n",
			jwtauth.Config{KeyFile: "/path/to/key.pem", KeyID: "my-key-id"},
		},
		{
			"expect_claims",
			head + src + "expect_claims = {\"iss\": \"https://your-token-issuer\", \"your-custom-claim\": \"foo\"}\n",
			jwtauth.Config{JWKSetFile: "/path/to/jwks.json", ExpectClaims: map[string]any{"iss": "https://your-token-issuer", "your-custom-claim": "foo"}},
		},
		{
			"role path, basic",
			head + src + "role_attribute_path = role\n",
			jwtauth.Config{JWKSetFile: "/path/to/jwks.json", RoleAttributePath: "role"},
		},
		{
			"role path, advanced (quotes and || kept)",
			head + src + "role_attribute_path = contains(info.roles[*], 'admin') && 'Admin' || contains(info.roles[*], 'editor') && 'Editor' || 'Viewer'\n",
			jwtauth.Config{JWKSetFile: "/path/to/jwks.json", RoleAttributePath: "contains(info.roles[*], 'admin') && 'Admin' || contains(info.roles[*], 'editor') && 'Editor' || 'Viewer'"},
		},
		{
			"org mapping",
			head + src + "org_attribute_path = info.orgs\norg_mapping = engineer:org_foo:Viewer admin:org_bar:Editor *:org_baz:Editor\n",
			jwtauth.Config{JWKSetFile: "/path/to/jwks.json", OrgAttributePath: "info.orgs", OrgMapping: []string{"engineer:org_foo:Viewer", "admin:org_bar:Editor", "*:org_baz:Editor"}},
		},
		{
			"grafana admin and skip org role sync",
			head + src + "allow_assign_grafana_admin = true\n\n[auth.jwt]\n# ...\nskip_org_role_sync = true\n",
			jwtauth.Config{JWKSetFile: "/path/to/jwks.json", AllowAssignGrafanaAdmin: true, SkipOrgRoleSync: true},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := jwtauth.ParseINI([]byte(tc.ini), nil)
			require.NoError(t, err)
			cfg = jwtauth.WithoutSource(cfg)
			assert.Equal(t, tc.want, cfg)
		})
	}
}

// Every key, including the extensions, in one file.
func TestParseINI_allKeys(t *testing.T) {
	data := `
[auth.jwt]
enabled = true
header_name = X-Token
url_login = yes
cookie_name = jwt
key_file =
jwk_set_url = https://idp.example.com/jwks#main
jwk_set_bearer_token_file = /var/run/secrets/token
oidc_issuer_url =
cache_ttl = 10m
tls_client_ca = /etc/ca.pem
tls_client_cert = /etc/client.pem
tls_client_key = /etc/client-key.pem
tls_skip_verify_insecure = off
insecure_allow_http = false
min_refresh_interval = 45s
max_stale = 2h
token_cache_size = 100
algorithms = RS256, ES256 EdDSA
expect_claims = {"iss": "https://idp.example.com", "aud": ["grafana", "api"], "tier": 2}
leeway = 30s
require_exp = true
username_claim = preferred_username
email_claim = email
username_attribute_path = user.login
email_attribute_path = user.mail
role_attribute_path = role
role_attribute_strict = true
allow_assign_grafana_admin = 1
skip_org_role_sync = f
groups_attribute_path = groups[]
org_attribute_path = orgs
org_mapping = ["ops:1:Admin", "dev:Engineering:Editor", "*:2"]
auto_sign_up = TRUE
auto_assign_org_role = None
auto_assign_org = true
auto_assign_org_id = 5
default_org =
enable_login_token = false
signout_redirect_url = https://grafana.example.com/logout
`
	cfg, err := jwtauth.ParseINI([]byte(data), nil)
	require.NoError(t, err)
	cfg = jwtauth.WithoutSource(cfg)
	assert.Equal(t, jwtauth.Config{
		HeaderName:              "X-Token",
		URLLogin:                true,
		CookieName:              "jwt",
		JWKSetURL:               "https://idp.example.com/jwks#main",
		JWKSetBearerTokenFile:   "/var/run/secrets/token",
		CacheTTL:                10 * time.Minute,
		TLSClientCA:             "/etc/ca.pem",
		TLSClientCert:           "/etc/client.pem",
		TLSClientKey:            "/etc/client-key.pem",
		MinRefreshInterval:      45 * time.Second,
		MaxStale:                2 * time.Hour,
		TokenCacheSize:          100,
		Algorithms:              []string{"RS256", "ES256", "EdDSA"},
		ExpectClaims:            map[string]any{"iss": "https://idp.example.com", "aud": []any{"grafana", "api"}, "tier": json.Number("2")},
		Leeway:                  30 * time.Second,
		RequireExp:              true,
		UsernameClaim:           "preferred_username",
		EmailClaim:              "email",
		UsernameAttributePath:   "user.login",
		EmailAttributePath:      "user.mail",
		RoleAttributePath:       "role",
		RoleAttributeStrict:     true,
		AllowAssignGrafanaAdmin: true,
		GroupsAttributePath:     "groups[]",
		OrgAttributePath:        "orgs",
		OrgMapping:              []string{"ops:1:Admin", "dev:Engineering:Editor", "*:2"},
		AutoSignUp:              true,
		AutoAssignOrgRole:       jwtauth.RoleNone,
		DefaultOrg:              "5",
	}, cfg)
}

func TestParseINI_values(t *testing.T) {
	parse := func(t *testing.T, body string, env ...string) jwtauth.Config {
		t.Helper()
		cfg, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\n"+body), env)
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		return cfg
	}
	t.Run("inline comments need white space before them", func(t *testing.T) {
		assert.Equal(t, "X-A", parse(t, "header_name = X-A\t; tab comment\n").HeaderName)
		assert.Equal(t, "X-A", parse(t, "header_name = X-A # hash comment\n").HeaderName)
		assert.Equal(t, "X-A;b", parse(t, "header_name = X-A;b\n").HeaderName)
		assert.Equal(t, "https://h/jwks#k1", parse(t, "jwk_set_url = https://h/jwks#k1 ; fragment kept\n").JWKSetURL)
	})
	t.Run("backquoted and triple-quoted values are literal", func(t *testing.T) {
		cfg := parse(t, "expect_claims = `{\"team\": \"a ;b #c\"}`\n")
		assert.Equal(t, map[string]any{"team": "a ;b #c"}, cfg.ExpectClaims)
		cfg = parse(t, "expect_claims = \"\"\"{\"team\":\n \"x #1\"}\"\"\"\nheader_name = H\n")
		assert.Equal(t, map[string]any{"team": "x #1"}, cfg.ExpectClaims)
		assert.Equal(t, "H", cfg.HeaderName)
	})
	t.Run("surrounding quotes are removed", func(t *testing.T) {
		assert.Equal(t, "X-A", parse(t, `header_name = "X-A" ; c`+"\n").HeaderName)
		assert.Equal(t, "sub", parse(t, "username_claim = 'sub'\n").UsernameClaim)
	})
	t.Run("base64 values keep + / =", func(t *testing.T) {
		v := jwttest.Base64(jwttest.Ed25519(3, "").PublicPEM())
		require.Contains(t, v, "=")
		assert.Equal(t, v, parse(t, "key_value = "+v+"\n").KeyValue)
		j := jwttest.Base64([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0?>>"}]}`))
		require.True(t, strings.ContainsAny(j, "+/"))
		assert.Equal(t, j, parse(t, "jwk_set_value = "+j+" ; inline\n").JWKSetValue)
	})
	t.Run("empty value is unset", func(t *testing.T) {
		assert.Equal(t, jwtauth.Config{}, parse(t, "header_name =\ncache_ttl = ; none\nexpect_claims = {}\norg_mapping = \"\"\n"))
	})
	t.Run("explicit zero means none", func(t *testing.T) {
		cfg := parse(t, "cache_ttl = 0\nleeway = 0s\nmax_stale = 0m\ntoken_cache_size = 0\n")
		assert.Negative(t, cfg.CacheTTL)
		assert.Negative(t, cfg.Leeway)
		assert.Negative(t, cfg.MaxStale)
		assert.Negative(t, cfg.TokenCacheSize)
	})
	t.Run("lists", func(t *testing.T) {
		assert.Equal(t, []string{"a b:1:Editor", "c:2", "d:3"}, parse(t, `org_mapping = "a b:1:Editor",c:2  d:3`+"\n").OrgMapping)
		assert.Equal(t, []string{"x\\:y:1"}, parse(t, `org_mapping = ["x\\:y:1"]`+"\n").OrgMapping)
		assert.Equal(t, []string{"RS256"}, parse(t, "algorithms = \"RS256\"\n").Algorithms)
	})
	t.Run("expansions", func(t *testing.T) {
		dir := t.TempDir()
		f := filepath.Join(dir, "aud")
		require.NoError(t, os.WriteFile(f, []byte("  grafana\n"), 0o600))
		cfg := parse(t, "header_name = $__env{HDR}\nusername_claim = ${CLAIM}\nexpect_claims = {\"aud\": \"$__file{"+f+"}\"}\n",
			"HDR=X-From-Env", "CLAIM=login")
		assert.Equal(t, "X-From-Env", cfg.HeaderName)
		assert.Equal(t, "login", cfg.UsernameClaim)
		assert.Equal(t, map[string]any{"aud": "grafana"}, cfg.ExpectClaims)
		assert.Empty(t, parse(t, "header_name = ${UNSET_VARIABLE}\n").HeaderName)
	})
	t.Run("default org", func(t *testing.T) {
		assert.Equal(t, "3", parse(t, "[users]\nauto_assign_org_id = 3\n").DefaultOrg)
		assert.Empty(t, parse(t, "[users]\nauto_assign_org = false\nauto_assign_org_id = 3\n").DefaultOrg, "Grafana uses org 1 then")
		assert.Empty(t, parse(t, "[users]\nauto_assign_org_id = 1\n").DefaultOrg, "1 is the default")
		assert.Equal(t, "ops", parse(t, "default_org = ops\n[users]\nauto_assign_org_id = 3\n").DefaultOrg)
		assert.Equal(t, "7", parse(t, "auto_assign_org_id = 7\n[users]\nauto_assign_org_id = 3\n").DefaultOrg)
	})
	t.Run("extra sections are independent of [auth.jwt]", func(t *testing.T) {
		// ini.v1 lets child sections inherit keys; ParseINIAll must not.
		cfgs, err := jwtauth.ParseINIAll([]byte("[auth.jwt]\nenabled = true\njwk_set_url = https://a/jwks\nheader_name = X-A\n[auth.jwt.b]\nenabled = true\nkey_file = /b.pem\n"), nil)
		require.NoError(t, err)
		cfgs = jwtauth.WithoutSources(cfgs)
		require.Len(t, cfgs, 2)
		assert.Equal(t, jwtauth.Config{KeyFile: "/b.pem"}, cfgs[1])
	})
}

func TestParseINI_environment(t *testing.T) {
	file := []byte(`[auth.jwt]
enabled = true
header_name = X-File
expect_claims = {"iss": "file"}
auto_assign_org_role = Editor
[users]
auto_assign_org_role = Admin
`)
	t.Run("GF_AUTH_JWT_ wins over the file", func(t *testing.T) {
		cfg, err := jwtauth.ParseINI(file, []string{"GF_AUTH_JWT_HEADER_NAME=X-Env", `GF_AUTH_JWT_EXPECT_CLAIMS={"iss": "env"}`})
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Equal(t, "X-Env", cfg.HeaderName)
		assert.Equal(t, map[string]any{"iss": "env"}, cfg.ExpectClaims)
	})
	t.Run("an empty variable is ignored", func(t *testing.T) {
		cfg, err := jwtauth.ParseINI(file, []string{"GF_AUTH_JWT_HEADER_NAME=", "GF_AUTH_JWT_NO_SUCH_KEY="})
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Equal(t, "X-File", cfg.HeaderName)
	})
	t.Run("the last duplicate wins", func(t *testing.T) {
		cfg, err := jwtauth.ParseINI(file, []string{"GF_AUTH_JWT_HEADER_NAME=X-1", "GF_AUTH_JWT_HEADER_NAME=X-2"})
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Equal(t, "X-2", cfg.HeaderName)
	})
	t.Run("env values are literal", func(t *testing.T) {
		cfg, err := jwtauth.ParseINI(file, []string{"GF_AUTH_JWT_JWK_SET_URL=https://h/jwks ;not a comment"})
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Equal(t, "https://h/jwks ;not a comment", cfg.JWKSetURL)
	})
	t.Run("enabled from the environment", func(t *testing.T) {
		_, err := jwtauth.ParseINI(file, []string{"GF_AUTH_JWT_ENABLED=false"})
		require.ErrorIs(t, err, jwtauth.ErrDisabled)
		cfg, err := jwtauth.ParseINI([]byte("[auth.jwt]\nheader_name = X\n"), []string{"GF_AUTH_JWT_ENABLED=true"})
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Equal(t, "X", cfg.HeaderName)
	})
	t.Run("auto_assign_org_role precedence", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			env  []string
			want jwtauth.Role
		}{
			{"[auth.jwt] beats [users]", nil, jwtauth.RoleEditor},
			{"GF_USERS_ beats both files", []string{"GF_USERS_AUTO_ASSIGN_ORG_ROLE=Viewer"}, jwtauth.RoleViewer},
			{"GF_AUTH_JWT_ beats GF_USERS_", []string{"GF_USERS_AUTO_ASSIGN_ORG_ROLE=Viewer", "GF_AUTH_JWT_AUTO_ASSIGN_ORG_ROLE=None"}, jwtauth.RoleNone},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cfg, err := jwtauth.ParseINI(file, tc.env)
				require.NoError(t, err)
				cfg = jwtauth.WithoutSource(cfg)
				assert.Equal(t, tc.want, cfg.AutoAssignOrgRole)
			})
		}
		cfg, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled=true\n[users]\nauto_assign_org_role = Admin\n"), nil)
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Equal(t, jwtauth.RoleAdmin, cfg.AutoAssignOrgRole, "[users] alone")
	})
	t.Run("unrelated variables are ignored", func(t *testing.T) {
		_, err := jwtauth.ParseINI(file, []string{"GF_USERS_ALLOW_SIGN_UP=false", "GF_AUTH_DISABLE_LOGIN_FORM=true", "PATH=/bin"})
		require.NoError(t, err)
	})
}

func TestParseINI_disabled(t *testing.T) {
	for name, data := range map[string]string{
		"no section":      "[server]\nhttp_port = 3000\n",
		"no enabled key":  "[auth.jwt]\nheader_name = X\n",
		"enabled false":   "[auth.jwt]\nenabled = false\njwk_set_url = https://x\n",
		"enabled empty":   "[auth.jwt]\nenabled =\n",
		"empty document":  "",
		"bad values skip": "[auth.jwt]\nenabled = false\ncache_ttl = soon\n",
		"no expansion":    "[auth.jwt]\nenabled = false\nkey_file = $__file{/no/such}\n[users]\nauto_assign_org_role = $__vault{x}\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := jwtauth.ParseINI([]byte(data), nil)
			require.ErrorIs(t, err, jwtauth.ErrDisabled)
			assert.NotErrorIs(t, err, jwtauth.ErrInvalidConfig)
		})
	}
}

// Each malformed value fails with ErrInvalidConfig, naming its key and
// where it came from.
func TestParseINI_errors(t *testing.T) {
	secret := jwttest.Base64([]byte("not a pem but secret-ish"))
	for _, tc := range []struct {
		name string
		ini  string
		env  []string
		want []string // substrings of the message
	}{
		{"bool", "url_login = maybe", nil, []string{"line 3", "[auth.jwt] url_login", `"maybe" is not a boolean`}},
		{"enabled bool", "", []string{"GF_AUTH_JWT_ENABLED=sure"}, []string{"env GF_AUTH_JWT_ENABLED", "[auth.jwt] enabled"}},
		{"duration without unit", "cache_ttl = 60", nil, []string{"line 3", "[auth.jwt] cache_ttl", `write "60s" (or "1m")`}},
		{"duration garbage", "leeway = a minute", nil, []string{"line 3", "[auth.jwt] leeway", "not a duration"}},
		{"negative duration", "max_stale = -5m", nil, []string{"[auth.jwt] max_stale", "negative"}},
		{"zero refresh floor", "min_refresh_interval = 0", nil, []string{"[auth.jwt] min_refresh_interval", "positive"}},
		{"int", "token_cache_size = lots", nil, []string{"line 3", "[auth.jwt] token_cache_size", "not an integer"}},
		{"negative int", "token_cache_size = -1", nil, []string{"[auth.jwt] token_cache_size", "negative"}},
		{"JSON not an object", `expect_claims = ["iss"]`, nil, []string{"line 3", "[auth.jwt] expect_claims", "JSON object"}},
		{"JSON syntax", `expect_claims = {"iss": }`, nil, []string{"line 3", "[auth.jwt] expect_claims", "invalid JSON"}},
		{"JSON null", `expect_claims = null`, nil, []string{"[auth.jwt] expect_claims", "JSON object"}},
		{"iss not a string", `expect_claims = {"iss": 1}`, nil, []string{"[auth.jwt] expect_claims", `"iss" must be a string`}},
		{"aud of numbers", `expect_claims = {"aud": [1]}`, nil, []string{"[auth.jwt] expect_claims", `"aud" must be a string or an array of strings`}},
		{"JSON from env", "", []string{"GF_AUTH_JWT_EXPECT_CLAIMS={bad"}, []string{"env GF_AUTH_JWT_EXPECT_CLAIMS", "[auth.jwt] expect_claims"}},
		{"role", "auto_assign_org_role = Superuser", nil, []string{"line 3", "[auth.jwt] auto_assign_org_role", "None, Viewer, Editor or Admin"}},
		{"role case", "[users]\nauto_assign_org_role = editor", nil, []string{"line 4", "[users] auto_assign_org_role", "did you mean Editor?"}},
		{"role from GF_USERS_", "", []string{"GF_USERS_AUTO_ASSIGN_ORG_ROLE=Root"}, []string{"env GF_USERS_AUTO_ASSIGN_ORG_ROLE", "[users] auto_assign_org_role"}},
		{"auto_assign_org", "[users]\nauto_assign_org = perhaps", nil, []string{"[users] auto_assign_org", "not a boolean"}},
		{"auto_assign_org_id", "auto_assign_org_id = 0", nil, []string{"[auth.jwt] auto_assign_org_id", "1 or more"}},
		{"algorithm case", "algorithms = rs256", nil, []string{"line 3", "[auth.jwt] algorithms", "did you mean RS256?"}},
		{"algorithm none", "algorithms = RS256, none", nil, []string{"[auth.jwt] algorithms", `"none" is never allowed`}},
		{"algorithm unknown", "algorithms = XS999", nil, []string{"[auth.jwt] algorithms", "unknown algorithm"}},
		{"list quote", `org_mapping = "a:1`, nil, []string{"[auth.jwt] org_mapping", "unterminated quote"}},
		{"list JSON", `org_mapping = ["a", 2]`, nil, []string{"[auth.jwt] org_mapping", "strings only"}},
		{"key_value not base64", "key_value = " + secret + "!!", nil, []string{"line 3", "[auth.jwt] key_value", "base64"}},
		{"key_value raw PEM", "key_value = -----BEGIN PUBLIC KEY-----", nil, []string{"[auth.jwt] key_value", "raw PEM"}},
		{"jwk_set_value raw JSON", `jwk_set_value = {"keys": []}`, nil, []string{"[auth.jwt] jwk_set_value", "raw JSON"}},
		{"unknown key", "expected_claims = {}", nil, []string{"line 3", "[auth.jwt] expected_claims", "unknown key", "did you mean expect_claims?"}},
		{"unknown key, CamelCase", "CacheTTL = 1m", nil, []string{"[auth.jwt] CacheTTL", "did you mean cache_ttl?"}},
		{"unknown key, alias", "jwks_url = https://x", nil, []string{"did you mean jwk_set_url?"}},
		{"misspelt enabled", "enabeld = true", nil, []string{"[auth.jwt] enabeld", "did you mean enabled?"}},
		{"unknown env", "", []string{"GF_AUTH_JWT_EXPECTED_CLAIMS={}"}, []string{"env GF_AUTH_JWT_EXPECTED_CLAIMS", "no [auth.jwt] key", "did you mean GF_AUTH_JWT_EXPECT_CLAIMS?"}},
		{"lower-case env", "", []string{"GF_AUTH_JWT_cache_ttl=1m"}, []string{"env GF_AUTH_JWT_cache_ttl", "GF_AUTH_JWT_CACHE_TTL"}},
		{"section case", "[Auth.JWT]\nenabled = true", nil, []string{"line 3", "[Auth.JWT]", "did you mean [auth.jwt]?"}},
		{"syntax", "just words", nil, []string{"line 3", `expected "key = value"`}},
		{"unclosed section", "[users", nil, []string{"line 3", `without "]"`}},
		{"unsupported expansion", "header_name = $__vault{secret/x}", nil, []string{"[auth.jwt] header_name", "unsupported expansion $__vault"}},
		{"missing $__file", "key_file = $__file{/no/such/file}", nil, []string{"[auth.jwt] key_file", "$__file"}},
		{"$__file not regular", "key_file = $__file{/}", nil, []string{"[auth.jwt] key_file", "not a regular file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\n"+tc.ini+"\n"), tc.env)
			require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), secret, "key material in an error")
		})
	}
}

func TestParseINIAll(t *testing.T) {
	data := []byte(`[auth.jwt]
enabled = true
header_name = Authorization
jwk_set_url = https://idp.example.com/jwks
expect_claims = {"iss": "https://idp.example.com"}

[auth.jwt.k8s]
enabled = true
jwk_set_url = https://kubernetes.default.svc/openid/v1/jwks
jwk_set_bearer_token_file = /var/run/secrets/kubernetes.io/serviceaccount/token
expect_claims = {"iss": "https://kubernetes.default.svc"}

[auth.jwt.old]
enabled = false
key_file = /old.pem

[auth.jwt.partner-b]
enabled = true
oidc_issuer_url = https://partner.example
`)
	cfgs, err := jwtauth.ParseINIAll(data, []string{
		"GF_AUTH_JWT_K8S_CACHE_TTL=5m",
		"GF_AUTH_JWT_PARTNER_B_ALGORITHMS=ES256",
		"GF_AUTH_JWT_CI_ENABLED=true",
		"GF_AUTH_JWT_CI_JWK_SET_URL=https://ci.example/jwks",
	})
	require.NoError(t, err)
	cfgs = jwtauth.WithoutSources(cfgs)
	assert.Equal(t, []jwtauth.Config{
		{HeaderName: "Authorization", JWKSetURL: "https://idp.example.com/jwks", ExpectClaims: map[string]any{"iss": "https://idp.example.com"}},
		{JWKSetURL: "https://kubernetes.default.svc/openid/v1/jwks", JWKSetBearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token", ExpectClaims: map[string]any{"iss": "https://kubernetes.default.svc"}, CacheTTL: 5 * time.Minute},
		{OIDCIssuerURL: "https://partner.example", Algorithms: []string{"ES256"}},
		{JWKSetURL: "https://ci.example/jwks"}, // from the environment only
	}, cfgs)

	t.Run("ParseINI ignores extra sections", func(t *testing.T) {
		cfg, err := jwtauth.ParseINI(data, nil)
		require.NoError(t, err)
		cfg = jwtauth.WithoutSource(cfg)
		assert.Equal(t, cfgs[0], cfg)
	})
	t.Run("[auth.jwt] disabled", func(t *testing.T) {
		_, err := jwtauth.ParseINIAll([]byte("[auth.jwt]\nenabled = false\n[auth.jwt.b]\nenabled = false\nkey_file = /b\n"), nil)
		require.ErrorIs(t, err, jwtauth.ErrDisabled)
		_, err = jwtauth.ParseINIAll([]byte("[auth.jwt]\nenabled = false\n[auth.jwt.b]\nenabled = true\nkey_file = /b\n"), nil)
		require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
		assert.Contains(t, err.Error(), "line 3: [auth.jwt.b]: enabled while [auth.jwt] is disabled")
	})
	for _, tc := range []struct {
		name, ini string
		want      []string
	}{
		{"unknown key in a disabled extra section", "[auth.jwt.b]\nenabled = false\nkey_fle = /b\n", []string{"line 5", "[auth.jwt.b] key_fle", "did you mean key_file?"}},
		{"bad value in an extra section", "[auth.jwt.b]\nenabled = true\ncache_ttl = 1\n", []string{"line 5", "[auth.jwt.b] cache_ttl"}},
		{"bad section name", "[auth.jwt.a b]\nenabled = true\n", []string{"line 3", "[auth.jwt.a b]", "letters, digits"}},
		{"same env name", "[auth.jwt.a-b]\n[auth.jwt.a_b]\n", []string{"line 4", "GF_AUTH_JWT_A_B_", "[auth.jwt.a-b]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jwtauth.ParseINIAll([]byte("[auth.jwt]\nenabled = true\n"+tc.ini), nil)
			require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestLoadINI(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "grafana.ini")
	require.NoError(t, os.WriteFile(path, iniFixture(t, "pomerium-grafana-2.ini"), 0o600))

	t.Setenv("GF_AUTH_JWT_CACHE_TTL", "5m")
	t.Setenv("GF_USERS_AUTO_ASSIGN_ORG_ROLE", "Viewer")
	cfg, err := jwtauth.LoadINI(path)
	require.NoError(t, err)
	assert.Equal(t, 5*time.Minute, cfg.CacheTTL, "process environment applied")
	assert.Equal(t, jwtauth.RoleViewer, cfg.AutoAssignOrgRole)
	assert.Equal(t, "X-Pomerium-Jwt-Assertion", cfg.HeaderName)

	cfgs, err := jwtauth.LoadINIAll(path)
	require.NoError(t, err)
	assert.Equal(t, []jwtauth.Config{cfg}, cfgs)

	t.Run("errors name the file and line", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.ini")
		require.NoError(t, os.WriteFile(bad, []byte("[auth.jwt]\nenabled = true\n\nleeway = 3600\n"), 0o600))
		_, err := jwtauth.LoadINI(bad)
		require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
		assert.Contains(t, err.Error(), bad+":4: [auth.jwt] leeway")
		_, err = jwtauth.LoadINIAll(bad)
		require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := jwtauth.LoadINI(filepath.Join(dir, "nope.ini"))
		require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
		require.ErrorIs(t, err, fs.ErrNotExist)
		_, err = jwtauth.LoadINIAll(filepath.Join(dir, "nope.ini"))
		require.ErrorIs(t, err, fs.ErrNotExist)
	})
	t.Run("disabled", func(t *testing.T) {
		off := filepath.Join(dir, "off.ini")
		require.NoError(t, os.WriteFile(off, []byte("[auth.jwt]\nenabled = false\n"), 0o600))
		_, err := jwtauth.LoadINI(off)
		require.True(t, errors.Is(err, jwtauth.ErrDisabled))
		_, err = jwtauth.LoadINIAll(off)
		require.True(t, errors.Is(err, jwtauth.ErrDisabled))
	})
}

func TestParseINI_noTokenOrKeyInErrors(t *testing.T) {
	// An HMAC JWKS pasted raw where base64 is expected: the error must not
	// repeat it.
	raw := string(jwttest.JWKS(jwttest.HMAC("HS256", []byte("0123456789abcdef0123456789abcdef"), "k")))
	for _, line := range []string{"jwk_set_value = " + raw, "jwk_set_value " + raw} {
		_, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\n"+line+"\n"), nil)
		require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
		assert.False(t, strings.Contains(err.Error(), "MDEy") || strings.Contains(err.Error(), raw), err.Error())
	}
}

func TestParseINI_pastedValueNotEchoed(t *testing.T) {
	pem := jwttest.Base64(jwttest.RSA("ini", 2048, "").PublicPEM())
	_, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\nkey_value =\n"+pem+"\n"), nil)
	require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "line 4: [auth.jwt]: not a key")
	assert.NotContains(t, err.Error(), pem[:20])
}
