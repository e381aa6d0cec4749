package jwtauth_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// After LoadINI or ParseINI, New reports problems in the file's terms: the
// line (or variable), the section and the ini key, as the loader does.
func TestNew_iniErrors(t *testing.T) {
	for _, tc := range []struct {
		name, ini string
		env       []string
		want      string
	}{
		{"two key sources", "jwk_set_url = https://idp.example.com/jwks\nkey_file = /etc/k.pem\n", nil,
			`line 3: [auth.jwt] jwk_set_url: several key sources (key_file, jwk_set_url): set only one`},
		{"no key source", "header_name = X-Token\n", nil,
			`line 1: [auth.jwt]: no key source: set one of key_file, key_value, jwk_set_file, jwk_set_value, jwk_set_url, oidc_issuer_url or Keys`},
		{"key_id with a JWKS", "jwk_set_url = https://idp.example.com/jwks\nkey_id = k1\n", nil,
			`line 4: [auth.jwt] key_id: used only with key_file or key_value; a JWKS carries its own kids`},
		{"remote-only key", "key_file = /etc/k.pem\ntls_client_ca = /etc/ca.pem\n", nil,
			`line 4: [auth.jwt] tls_client_ca: applies only to jwk_set_url or oidc_issuer_url, not to key_file`},
		{"unreadable key file", "key_file = /nonexistent/k.pem\n", nil,
			`line 3: [auth.jwt] key_file: open /nonexistent/k.pem: no such file or directory`},
		{"header name", "header_name = X Token\njwk_set_url = https://idp.example.com/jwks\n", nil,
			`line 3: [auth.jwt] header_name: "X Token" is not a valid header name`},
		{"key set URL (checked by jwks)", "jwk_set_url = http://idp.example.com/jwks\n", nil,
			`line 3: [auth.jwt] jwk_set_url: must be https (http needs InsecureAllowHTTP)`},
		{"bearer token file (checked by jwks)", "jwk_set_url = https://idp.example.com/jwks\njwk_set_bearer_token_file = /nonexistent/t\n", nil,
			`line 4: [auth.jwt] jwk_set_bearer_token_file: open /nonexistent/t: no such file or directory`},
		{"from the environment", "jwk_set_url = https://idp.example.com/jwks\n", []string{"GF_AUTH_JWT_KEY_ID=k1"},
			`env GF_AUTH_JWT_KEY_ID: [auth.jwt] key_id: used only with key_file or key_value; a JWKS carries its own kids`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\n"+tc.ini), tc.env)
			require.NoError(t, err)
			_, err = jwtauth.New(cfg)
			require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
			assert.EqualError(t, err, "jwtauth: invalid config: "+tc.want)
		})
	}

	t.Run("LoadINI names the file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "grafana.ini")
		require.NoError(t, os.WriteFile(path, []byte("[server]\nhttp_port = 3000\n\n[auth.jwt]\nenabled = true\nkey_value = TUlJQg==\n"), 0o600))
		cfg, err := jwtauth.LoadINI(path)
		require.NoError(t, err)
		cfg.Logger = slog.New(slog.DiscardHandler) // fields with no ini form keep the ini terms
		_, err = jwtauth.New(cfg)
		require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
		assert.Regexp(t, `^jwtauth: invalid config: `+regexpQuote(path)+`:6: \[auth.jwt\] key_value: `, err.Error())
	})
	t.Run("a field changed in Go is reported in Go terms", func(t *testing.T) {
		cfg, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\nkey_file = /etc/k.pem\nkey_id = k1\n"), nil)
		require.NoError(t, err)
		cfg.KeyFile, cfg.JWKSetURL = "", "https://idp.example.com/jwks"
		_, err = jwtauth.New(cfg)
		assert.EqualError(t, err, "jwtauth: invalid config: KeyID: used only with KeyFile or KeyValue; a JWKS carries its own kids")
	})
	t.Run("a Config written in Go", func(t *testing.T) {
		_, err := jwtauth.New(jwtauth.Config{JWKSetURL: "https://idp.example.com/jwks", KeyFile: "/etc/k.pem"})
		assert.EqualError(t, err, "jwtauth: invalid config: several key sources (KeyFile, JWKSetURL): set only one")
	})
}

// NewMulti names the section of a Config from LoadINIAll or ParseINIAll,
// where it names "config i" for Configs written in Go.
func TestNewMulti_iniErrors(t *testing.T) {
	head := "[auth.jwt]\nenabled = true\njwk_set_url = https://a.example/jwks\nexpect_claims = {\"iss\": \"https://a.example\"}\n\n"
	for _, tc := range []struct{ name, ini, want string }{
		{"no pinned issuer", "[auth.jwt.k8s]\nenabled = true\njwk_set_url = https://k8s.example/jwks\n",
			`line 6: [auth.jwt.k8s]: no pinned issuer: set oidc_issuer_url or expect_claims["iss"]`},
		{"same issuer twice", "[auth.jwt.b]\nenabled = true\njwk_set_url = https://b.example/jwks\nexpect_claims = {\"iss\": \"https://a.example\"}\n",
			`line 6: [auth.jwt.b]: issuer "https://a.example" is configured twice`},
		{"bad key in the second section", "[auth.jwt.b]\nenabled = true\noidc_issuer_url = https://b.example\nkey_id = k1\n",
			`line 9: [auth.jwt.b] key_id: used only with key_file or key_value; a JWKS carries its own kids`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfgs, err := jwtauth.ParseINIAll([]byte(head+tc.ini), nil)
			require.NoError(t, err)
			_, err = jwtauth.NewMulti(cfgs...)
			require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
			assert.EqualError(t, err, "jwtauth: invalid config: "+tc.want)
		})
	}
	t.Run("Configs written in Go", func(t *testing.T) {
		_, err := jwtauth.NewMulti(
			jwtauth.Config{JWKSetURL: "https://a.example/jwks", OIDCIssuerURL: "", ExpectClaims: map[string]any{"iss": "https://a.example"}},
			jwtauth.Config{JWKSetURL: "https://k8s.example/jwks"},
		)
		assert.EqualError(t, err, `jwtauth: invalid config: config 1: no pinned issuer: set OIDCIssuerURL or ExpectClaims["iss"]`)
	})
}

func regexpQuote(s string) string { return regexp.QuoteMeta(s) }

// The v1 fields' checks in New speak in ini terms too, and a section using
// all of them builds a Verifier.
func TestNew_iniErrorsV1(t *testing.T) {
	src := "[auth.jwt]\nenabled = true\njwk_set_url = https://idp.example.com/jwks\n"
	for _, tc := range []struct{ name, ini, want string }{
		{"resource metadata over http", "resource_metadata_url = http://api.example.com/md\n",
			`line 4: [auth.jwt] resource_metadata_url: "http://api.example.com/md" must be https (http needs InsecureAllowHTTP)`},
		{"DPoP setting with DPoP off", "dpop_algorithms = ES256\n",
			`line 4: [auth.jwt] dpop_algorithms: set, but dpop is off`},
		{"proof max age", "dpop = allowed\ndpop_proof_max_age = 500ms\n",
			`line 5: [auth.jwt] dpop_proof_max_age: 500ms is below 1s (unset, it is 5m)`},
		{"cert header without binding", "client_cert_header = X-Client-Cert\n",
			`line 4: [auth.jwt] client_cert_header: set, but cert_bound_tokens is false`},
		{"token type", "token_types = [\"at jwt\"]\n",
			`line 4: [auth.jwt] token_types: "at jwt" is not a media type such as "at+jwt"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := jwtauth.ParseINI([]byte(src+tc.ini), nil)
			require.NoError(t, err)
			_, err = jwtauth.New(cfg)
			require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
			assert.EqualError(t, err, "jwtauth: invalid config: "+tc.want)
		})
	}

	multi := src + "expect_claims = {\"iss\": \"https://idp.example.com\"}\nresource_metadata_url = https://api.example.com/md\n\n[auth.jwt.b]\nenabled = true\noidc_issuer_url = https://b.example\n"
	for _, tc := range []struct{ name, ini, want string }{
		{"DPoP on a later section", "dpop = required\n",
			`line 7: [auth.jwt.b]: dpop, dpop_proof_max_age, dpop_algorithms, dpop_nonce_key, public_url, cert_bound_tokens and client_cert_header apply to the whole Verifier: set them on [auth.jwt] only`},
		{"resource metadata differs", "resource_metadata_url = https://other.example/md\n",
			`line 10: [auth.jwt.b] resource_metadata_url: differs from [auth.jwt]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfgs, err := jwtauth.ParseINIAll([]byte(multi+tc.ini), nil)
			require.NoError(t, err)
			_, err = jwtauth.NewMulti(cfgs...)
			require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
			assert.EqualError(t, err, "jwtauth: invalid config: "+tc.want)
		})
	}

	t.Run("all v1 keys", func(t *testing.T) {
		cfg, err := jwtauth.ParseINI([]byte(src+`token_types = at+jwt
resource_metadata_url = https://api.example.com/.well-known/oauth-protected-resource
dpop = allowed
dpop_proof_max_age = 2m
dpop_algorithms = ES256, EdDSA
dpop_nonce_key = MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=
public_url = https://api.example.com
cert_bound_tokens = true
client_cert_header = X-Client-Cert
`), nil)
		require.NoError(t, err)
		v, err := jwtauth.New(cfg)
		require.NoError(t, err)
		require.NoError(t, v.Close())
	})
}
