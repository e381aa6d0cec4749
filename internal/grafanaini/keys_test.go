package grafanaini

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// GF_AUTH_JWT_<NAME>_<KEY> is split by key suffix; that is unambiguous
// only while no key ends with "_" + another key.
func TestINIKeysNoSuffixClash(t *testing.T) {
	for _, a := range iniKeys {
		for _, b := range iniKeys {
			if a.name != b.name && strings.HasSuffix(a.name, "_"+b.name) {
				t.Errorf("key %s ends with _%s: GF_AUTH_JWT_ names would be ambiguous", a.name, b.name)
			}
		}
	}
	if iniKeyNames[0] != "enabled" {
		t.Error(`section() expands iniKeyNames[:1] as "enabled"`)
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
