package jwtauth_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// The v1 Config fields have ini keys and GF_AUTH_JWT_* overrides.
func TestParseINI_v1Keys(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef!")
	cfg, err := jwtauth.ParseINI([]byte(`[auth.jwt]
enabled = true
jwk_set_url = https://idp.example.com/jwks
token_types = at+jwt, "application/jwt"
resource_metadata_url = https://api.example.com/.well-known/oauth-protected-resource
dpop = required
dpop_proof_max_age = 2m
dpop_algorithms = ES256 EdDSA
dpop_nonce_key = `+base64.StdEncoding.EncodeToString(key)+`
public_url = https://api.example.com
cert_bound_tokens = true
client_cert_header = X-Client-Cert
`), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"at+jwt", "application/jwt"}, cfg.TokenTypes)
	assert.Equal(t, "https://api.example.com/.well-known/oauth-protected-resource", cfg.ResourceMetadataURL)
	assert.Equal(t, jwtauth.DPoPRequired, cfg.DPoP)
	assert.Equal(t, 2*time.Minute, cfg.DPoPProofMaxAge)
	assert.Equal(t, []string{"ES256", "EdDSA"}, cfg.DPoPAlgorithms)
	assert.Equal(t, key, cfg.DPoPNonceKey)
	assert.Equal(t, "https://api.example.com", cfg.PublicURL)
	assert.True(t, cfg.CertBoundTokens)
	assert.Equal(t, "X-Client-Cert", cfg.ClientCertHeader)

	t.Run("environment overrides", func(t *testing.T) {
		cfg, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\ndpop = required\n"), []string{
			"GF_AUTH_JWT_DPOP=allowed",
			"GF_AUTH_JWT_TOKEN_TYPES=[\"at+jwt\"]",
			"GF_AUTH_JWT_DPOP_ALGORITHMS=PS256",
			"GF_AUTH_JWT_DPOP_NONCE_KEY=" + base64.RawURLEncoding.EncodeToString(key),
			"GF_AUTH_JWT_CERT_BOUND_TOKENS=yes",
			"GF_AUTH_JWT_PUBLIC_URL=https://edge.example",
		})
		require.NoError(t, err)
		assert.Equal(t, jwtauth.DPoPAllowed, cfg.DPoP)
		assert.Equal(t, []string{"at+jwt"}, cfg.TokenTypes)
		assert.Equal(t, []string{"PS256"}, cfg.DPoPAlgorithms)
		assert.Equal(t, key, cfg.DPoPNonceKey)
		assert.True(t, cfg.CertBoundTokens)
		assert.Equal(t, "https://edge.example", cfg.PublicURL)
	})
	t.Run("dpop off and unset", func(t *testing.T) {
		for _, v := range []string{"dpop = off\n", ""} {
			cfg, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\n"+v), nil)
			require.NoError(t, err)
			assert.Equal(t, jwtauth.DPoPOff, cfg.DPoP)
		}
	})
	t.Run("nonce key from a file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nonce.key")
		require.NoError(t, os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600))
		cfg, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\ndpop_nonce_key_file = "+path+"\n"), nil)
		require.NoError(t, err)
		assert.Equal(t, key, cfg.DPoPNonceKey)

		cfg, err = jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\n"), []string{"GF_AUTH_JWT_DPOP_NONCE_KEY_FILE=" + path})
		require.NoError(t, err)
		assert.Equal(t, key, cfg.DPoPNonceKey)
	})
}

func TestParseINI_v1KeyErrors(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("only sixteen byt"))
	dir := t.TempDir()
	shortFile := filepath.Join(dir, "short.key")
	require.NoError(t, os.WriteFile(shortFile, []byte(short), 0o600))
	bigFile := filepath.Join(dir, "big.key")
	require.NoError(t, os.WriteFile(bigFile, make([]byte, 1<<20+1), 0o600))
	long := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	for _, tc := range []struct{ name, line, want string }{
		{"dpop mode", "dpop = true", `line 3: [auth.jwt] dpop: "true" is not a DPoP mode (use off, allowed or required)`},
		{"dpop mode case", "dpop = Required", `line 3: [auth.jwt] dpop: "Required" is not a DPoP mode; modes are lower case: did you mean required?`},
		{"proof age unit", "dpop_proof_max_age = 300", `line 3: [auth.jwt] dpop_proof_max_age: "300" has no unit; for seconds write "300s" (or "5m")`},
		{"proof age zero", "dpop_proof_max_age = 0", `line 3: [auth.jwt] dpop_proof_max_age: must be positive (omit the key for the default)`},
		{"dpop HS256", "dpop_algorithms = ES256, HS256", `line 3: [auth.jwt] dpop_algorithms: "HS256" is symmetric; a DPoP proof is signed with the client's own key pair`},
		{"dpop none", "dpop_algorithms = none", `line 3: [auth.jwt] dpop_algorithms: "none" is never allowed`},
		{"dpop unknown", "dpop_algorithms = es256", `line 3: [auth.jwt] dpop_algorithms: unknown algorithm "es256"; names are case-sensitive: did you mean ES256?`},
		{"nonce key short", "dpop_nonce_key = " + short, `line 3: [auth.jwt] dpop_nonce_key: the key is 16 bytes; it must be at least 32 (for example: openssl rand -base64 32)`},
		{"nonce key not base64", "dpop_nonce_key = not*base64*at*all*not*base64*at*all*", `line 3: [auth.jwt] dpop_nonce_key: the key must be base64-encoded (for example: openssl rand -base64 32)`},
		{"nonce key file short", "dpop_nonce_key_file = " + shortFile, `line 3: [auth.jwt] dpop_nonce_key_file: ` + shortFile + `: the key is 16 bytes; it must be at least 32 (for example: openssl rand -base64 32)`},
		{"nonce key file too big", "dpop_nonce_key_file = " + bigFile, `line 3: [auth.jwt] dpop_nonce_key_file: ` + bigFile + ` is larger than 1 MiB`},
		{"nonce key twice", "dpop_nonce_key = " + long + "\ndpop_nonce_key_file = " + shortFile, `line 4: [auth.jwt] dpop_nonce_key_file: set only one of dpop_nonce_key and dpop_nonce_key_file`},
		{"cert bound bool", "cert_bound_tokens = sure", `line 3: [auth.jwt] cert_bound_tokens: "sure" is not a boolean (use true or false)`},
		{"token types quote", `token_types = "at+jwt`, `line 3: [auth.jwt] token_types: unterminated quote at offset 0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\n"+tc.line+"\n"), nil)
			require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
			assert.EqualError(t, err, "jwtauth: invalid config: "+tc.want)
			assert.NotContains(t, err.Error(), strings.TrimSuffix(short, "="), "the key never appears in an error")
		})
	}
}

// Some keys end with another key (dpop_algorithms, algorithms), so an
// environment name may read two ways; it is refused only when both
// readings name a section that exists.
func TestParseINIAll_envNameReadings(t *testing.T) {
	base := "[auth.jwt]\nenabled = true\nkey_file = /a.pem\n[auth.jwt.x]\nenabled = true\nkey_file = /x.pem\n"
	cfgs, err := jwtauth.ParseINIAll([]byte(base), []string{"GF_AUTH_JWT_X_DPOP_ALGORITHMS=ES256"})
	require.NoError(t, err)
	assert.Equal(t, []string{"ES256"}, cfgs[1].DPoPAlgorithms)
	assert.Nil(t, cfgs[1].Algorithms)

	withXDPoP := base + "[auth.jwt.x_dpop]\nenabled = true\nkey_file = /xd.pem\n"
	_, err = jwtauth.ParseINIAll([]byte(withXDPoP), []string{"GF_AUTH_JWT_X_DPOP_ALGORITHMS=ES256"})
	assert.EqualError(t, err, "jwtauth: invalid config: env GF_AUTH_JWT_X_DPOP_ALGORITHMS: could set [auth.jwt.x_dpop] algorithms or [auth.jwt.x] dpop_algorithms; rename the section")

	_, err = jwtauth.ParseINIAll([]byte(base+"[auth.jwt.dpop]\nenabled = false\n"), []string{"GF_AUTH_JWT_DPOP_ALGORITHMS=ES256"})
	assert.EqualError(t, err, "jwtauth: invalid config: env GF_AUTH_JWT_DPOP_ALGORITHMS: could set [auth.jwt] dpop_algorithms or [auth.jwt.dpop] algorithms; rename the section")

	cfgs, err = jwtauth.ParseINIAll([]byte(base), []string{"GF_AUTH_JWT_DPOP_ALGORITHMS=ES256"})
	require.NoError(t, err)
	assert.Equal(t, []string{"ES256"}, cfgs[0].DPoPAlgorithms, "[auth.jwt] when no [auth.jwt.dpop] exists")
}
