package jwtauth_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// A snippet pasted without its [auth.jwt] header is reported, naming the
// first key's line, rather than read as "not enabled" (which would let a
// caller run without authentication).
func TestParseINI_keysOutsideSection(t *testing.T) {
	data := []byte("; from the guide\nenabled = true\njwk_set_url = https://idp.example.com/jwks\n")
	for name, parse := range map[string]func() error{
		"ParseINI":    func() error { _, err := jwtauth.ParseINI(data, nil); return err },
		"ParseINIAll": func() error { _, err := jwtauth.ParseINIAll(data, nil); return err },
	} {
		err := parse()
		require.ErrorIs(t, err, jwtauth.ErrInvalidConfig, name)
		assert.NotErrorIs(t, err, jwtauth.ErrDisabled, name)
		assert.EqualError(t, err, `jwtauth: invalid config: line 2: [auth.jwt] keys outside any section, and the file has no [auth.jwt]: add the line "[auth.jwt]" above them`, name)
	}

	t.Run("from a file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "grafana.ini")
		require.NoError(t, os.WriteFile(path, data, 0o600))
		_, err := jwtauth.LoadINI(path)
		assert.EqualError(t, err, "jwtauth: invalid config: "+path+`:2: [auth.jwt] keys outside any section, and the file has no [auth.jwt]: add the line "[auth.jwt]" above them`)
	})
	t.Run("a full grafana.ini keeps its top-level keys", func(t *testing.T) {
		_, err := jwtauth.ParseINI([]byte("app_mode = production\ninstance_name = x\n[server]\nhttp_port = 3000\n"), nil)
		require.ErrorIs(t, err, jwtauth.ErrDisabled)
		cfg, err := jwtauth.ParseINI([]byte("app_mode = production\nenabled = true\n[auth.jwt]\nenabled = true\nkey_file = /k.pem\n"), nil)
		require.NoError(t, err)
		assert.Equal(t, "/k.pem", cfg.KeyFile)
	})
}

// An extra issuer section must say whether it is enabled: without the key
// it would be skipped silently, leaving the issuer the user configured
// unused.
func TestParseINIAll_extraSectionWithoutEnabled(t *testing.T) {
	base := "[auth.jwt]\nenabled = true\njwk_set_url = https://a.example/jwks\n"
	_, err := jwtauth.ParseINIAll([]byte(base+"\n[auth.jwt.k8s]\njwk_set_url = https://k8s.example/jwks\n"), nil)
	require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
	assert.EqualError(t, err, `jwtauth: invalid config: line 5: [auth.jwt.k8s]: no "enabled" key; an extra issuer is used only with enabled = true (write enabled = false to keep it off)`)

	_, err = jwtauth.ParseINIAll([]byte(base), []string{"GF_AUTH_JWT_CI_JWK_SET_URL=https://ci.example/jwks"})
	assert.EqualError(t, err, `jwtauth: invalid config: [auth.jwt.ci]: GF_AUTH_JWT_CI_ENABLED is not set; an extra issuer is used only when it is true (set it to false to keep it off)`)

	t.Run("explicitly off is skipped", func(t *testing.T) {
		cfgs, err := jwtauth.ParseINIAll([]byte(base+"[auth.jwt.k8s]\nenabled = false\njwk_set_url = https://k8s.example/jwks\n"), nil)
		require.NoError(t, err)
		assert.Len(t, cfgs, 1)
	})
	t.Run("enabled from the environment", func(t *testing.T) {
		cfgs, err := jwtauth.ParseINIAll([]byte(base+"[auth.jwt.k8s]\njwk_set_url = https://k8s.example/jwks\n"), []string{"GF_AUTH_JWT_K8S_ENABLED=true"})
		require.NoError(t, err)
		assert.Len(t, cfgs, 2)
	})
	t.Run("ParseINI does not read extra sections", func(t *testing.T) {
		_, err := jwtauth.ParseINI([]byte(base+"[auth.jwt.k8s]\njwk_set_url = https://k8s.example/jwks\n"), nil)
		require.NoError(t, err)
	})
}

// Documents ini.v1 refuses are reported with the line and a description,
// never with the offending text (it may be key material).
func TestParseINI_syntaxErrors(t *testing.T) {
	const secret = "c2VjcmV0LWtleS1tYXRlcmlhbA"
	for _, tc := range []struct{ name, ini, want string }{
		{"no delimiter", "[auth.jwt]\nenabled = true\n" + secret + "\n", `line 3: expected "key = value", a [section] or a comment`},
		{"no key name", "[auth.jwt]\n= " + secret + "\n", `line 2: a key name is missing before "="`},
		{"unclosed section", "[auth.jwt]\nenabled = true\n[users\n", `line 3: section header without "]"`},
		{"empty section name", "[auth.jwt]\nenabled = true\n[]\n", `line 3: empty section name "[]"`},
		{"unclosed quoted key", "[auth.jwt]\n\"key_value = " + secret + "\n", `line 2: a quoted key name is never closed`},
		{"unclosed multi-line value", "[auth.jwt]\nenabled = true\nkey_value = \"\"\"" + secret + "\n" + secret + "\n", "line 3: a value opened with \"\"\" or ` is never closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jwtauth.ParseINI([]byte(tc.ini), nil)
			require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
			assert.EqualError(t, err, "jwtauth: invalid config: "+tc.want)
			assert.NotContains(t, err.Error(), secret)
		})
	}
}
