package jwtauth_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// FuzzParseINI feeds any document and environment to ParseINI and
// ParseINIAll: they must not panic, must fail only with ErrInvalidConfig or
// ErrDisabled (never both), and must agree on [auth.jwt]. What they load
// goes to New and NewMulti (without files), whose ini-aware errors must
// wrap ErrInvalidConfig.
func FuzzParseINI(f *testing.F) {
	for _, name := range []string{"pomerium-grafana-1.ini", "pomerium-grafana-2.ini", "pomerium-grafana-1-rendered.ini"} {
		b, err := os.ReadFile(filepath.Join("testdata", "ini", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
	}
	for _, s := range []struct{ ini, env string }{
		{"[auth.jwt]\nenabled = true\nheader_name = X\n", "GF_AUTH_JWT_CACHE_TTL=5m"},
		{"[auth.jwt]\nenabled = true\nexpect_claims = {\"iss\": \"a\", \"aud\": [\"b\"]}\norg_mapping = \"a b:1:Editor\" c:2\n", ""},
		{"[auth.jwt]\nenabled = true\nalgorithms = [\"RS256\", \"EdDSA\"]\nleeway = 0\ncache_ttl = 0s\n", ""},
		{"[auth.jwt]\nenabled = true\nkey_value = TUlJQg==\nkey_id = k1\n[users]\nauto_assign_org_role = Viewer\nauto_assign_org_id = 2\n", "GF_USERS_AUTO_ASSIGN_ORG_ROLE=Admin"},
		{"[auth.jwt]\nenabled = true\n[auth.jwt.k8s]\nenabled = true\njwk_set_url = https://k\n", "GF_AUTH_JWT_CI_ENABLED=true\nGF_AUTH_JWT_CI_KEY_FILE=/x"},
		{"[auth.jwt]\nenabled = true\nexpect_claims = `{\"a\": \"#;\"}`\nheader_name = \"\"\"X\n\"\"\"\nurl_login = yes \\\n", ""},
		{"[auth.jwt]\nenabled = ${ON}\nheader_name = $__env{H}\n", "ON=true\nH=X-A"},
		{"[Auth.JWT]\nenabeld = true\n", "GF_AUTH_JWT_expected_claims={}"},
		{"\ufeff[auth.jwt]\r\nenabled: true\r\njust words\r\n", ""},
		{"[auth.jwt\n", ""},
	} {
		f.Add([]byte(s.ini), s.env)
	}
	f.Fuzz(func(t *testing.T, data []byte, envText string) {
		for _, s := range []string{string(data), strings.ToLower(envText)} {
			if strings.Contains(s, "$__file") || strings.Contains(s, "dpop_nonce_key_file") {
				t.Skip("$__file and dpop_nonce_key_file read host files")
			}
		}
		env := strings.Split(envText, "\n")
		check := func(err error) {
			t.Helper()
			if err == nil {
				return
			}
			inv, dis := errors.Is(err, jwtauth.ErrInvalidConfig), errors.Is(err, jwtauth.ErrDisabled)
			if inv == dis {
				t.Fatalf("error matches ErrInvalidConfig=%v ErrDisabled=%v: %v", inv, dis, err)
			}
		}
		cfg, err := jwtauth.ParseINI(data, env)
		check(err)
		cfgs, errAll := jwtauth.ParseINIAll(data, env)
		check(errAll)
		if errAll == nil {
			if len(cfgs) == 0 {
				t.Fatal("ParseINIAll returned no Config and no error")
			}
			if err != nil {
				t.Fatalf("ParseINI failed (%v) where ParseINIAll succeeded", err)
			}
			if !reflect.DeepEqual(cfg, cfgs[0]) {
				t.Fatalf("ParseINI and ParseINIAll disagree on [auth.jwt]:\n%+v\n%+v", cfg, cfgs[0])
			}
		}
		if err == nil && errAll != nil && !errors.Is(errAll, jwtauth.ErrInvalidConfig) {
			t.Fatalf("ParseINIAll: %v where ParseINI succeeded", errAll)
		}
		if err == nil && !readsFiles(cfg) {
			checkNew(t, func() (*jwtauth.Verifier, error) { return jwtauth.New(cfg) })
		}
		if errAll == nil && !slices.ContainsFunc(cfgs, readsFiles) {
			checkNew(t, func() (*jwtauth.Verifier, error) { return jwtauth.NewMulti(cfgs...) })
		}
	})
}

// readsFiles reports whether New would read a file for c.
func readsFiles(c jwtauth.Config) bool {
	return c.KeyFile != "" || c.JWKSetFile != "" || c.JWKSetBearerTokenFile != "" ||
		c.TLSClientCA != "" || c.TLSClientCert != "" || c.TLSClientKey != ""
}

func checkNew(t *testing.T, build func() (*jwtauth.Verifier, error)) {
	t.Helper()
	v, err := build()
	if err != nil {
		if !errors.Is(err, jwtauth.ErrInvalidConfig) {
			t.Fatalf("New: %v does not wrap ErrInvalidConfig", err)
		}
		return
	}
	v.Close()
}
