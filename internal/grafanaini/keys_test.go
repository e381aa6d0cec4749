package grafanaini

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"
)

// Key names are snake_case, and "enabled" comes first (section() expands
// iniKeyNames[:1] as "enabled").
func TestINIKeyNames(t *testing.T) {
	if iniKeyNames[0] != "enabled" {
		t.Error(`enabled() expands iniKeyNames[:1] as "enabled"`)
	}
	valid := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for _, k := range iniKeys {
		if !valid.MatchString(k.name) {
			t.Errorf("key %q is not snake_case", k.name)
		}
	}
}

func TestINIValue(t *testing.T) {
	for in, want := range map[string]string{
		"a ; c":         "a",
		"a\t# c":        "a",
		"a;b":           "a;b",
		"a#b":           "a#b",
		";all comment":  "",
		"# all comment": "",
		`"q"`:           "q",
		`'q'`:           "q",
		`"a" "b"`:       `"a" "b"`,
		`"`:             `"`,
		"  x  ":         "x",
	} {
		if got := iniValue(in, false); got != want {
			t.Errorf("iniValue(%q) = %q, want %q", in, got, want)
		}
	}
	if got := iniValue(`"a b" c ; d`, true); got != `"a b" c` {
		t.Errorf("list value: %q", got)
	}
}

func TestSuggestINIKey(t *testing.T) {
	for in, want := range map[string]string{
		"expected_claims": "expect_claims",
		"jwks_url":        "jwk_set_url",
		"cache-ttl":       "cache_ttl",
		"HeaderName":      "header_name",
		"email_clam":      "email_claim",
		"enable":          "enabled",
	} {
		if got := suggestINIKey(in); got != " (did you mean "+want+"?)" {
			t.Errorf("suggestINIKey(%q) = %q, want %s", in, got, want)
		}
	}
	if got := suggestINIKey("completely_unrelated_setting"); got != "" {
		t.Errorf("unrelated name got a suggestion: %q", got)
	}
}

// The keys not marked ext are exactly Grafana's: spec §1, the [users]
// auto_assign_* keys, and two sample.ini keys with no effect on JWT auth.
func TestINIKeysExtensions(t *testing.T) {
	grafana := []string{
		"enabled", "header_name", "url_login", "username_claim", "email_claim", "username_attribute_path",
		"email_attribute_path", "expect_claims", "jwk_set_url", "jwk_set_bearer_token_file", "cache_ttl",
		"key_file", "key_value", "key_id", "jwk_set_file", "jwk_set_value", "auto_sign_up", "role_attribute_path",
		"role_attribute_strict", "allow_assign_grafana_admin", "skip_org_role_sync", "groups_attribute_path",
		"org_attribute_path", "org_mapping", "tls_client_ca", "tls_skip_verify_insecure",
		"auto_assign_org_role", "auto_assign_org", "auto_assign_org_id",
		"enable_login_token", "signout_redirect_url",
	}
	for _, k := range iniKeys {
		if k.ext == slices.Contains(grafana, k.name) {
			t.Errorf("key %s: ext = %v", k.name, k.ext)
		}
	}
	for _, g := range grafana {
		if _, ok := lookupINIKey(g); !ok {
			t.Errorf("Grafana key %s is not accepted", g)
		}
	}
}

// Each key sets exactly the Settings field it names, which is what the
// Origins of a Section (and so New's ini-aware errors) rely on.
func TestINIKeysSetTheirField(t *testing.T) {
	nonce := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	nonceFile := filepath.Join(t.TempDir(), "nonce")
	if err := os.WriteFile(nonceFile, []byte(nonce+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sample := map[string]string{
		"key_value": "TUlJQg==", "jwk_set_value": "e30=", "algorithms": "RS256", "expect_claims": `{"iss": "a"}`,
		"org_mapping": "a:1", "token_types": "at+jwt", "dpop": "allowed", "dpop_algorithms": "ES256",
		"dpop_nonce_key": nonce, "dpop_nonce_key_file": nonceFile,
	}
	for _, k := range iniKeys {
		if k.apply == nil || k.field == "" {
			continue
		}
		var s Settings
		f, ok := reflect.TypeFor[Settings]().FieldByName(k.field)
		if !ok {
			t.Errorf("key %s: no Settings field %s", k.name, k.field)
			continue
		}
		v, ok := sample[k.name]
		if !ok {
			switch f.Type {
			case reflect.TypeFor[bool]():
				v = "true"
			case reflect.TypeFor[time.Duration]():
				v = "5m"
			case reflect.TypeFor[int]():
				v = "5"
			default:
				v = "x"
			}
		}
		if err := k.apply(&s, v); err != nil {
			t.Errorf("key %s = %s: %v", k.name, v, err)
			continue
		}
		sv := reflect.ValueOf(s)
		for i := range sv.NumField() {
			name := sv.Type().Field(i).Name
			if set := !sv.Field(i).IsZero(); set != (name == k.field) {
				t.Errorf("key %s: Settings.%s set = %v", k.name, name, set)
			}
		}
	}
}
