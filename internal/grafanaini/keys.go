package grafanaini

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/internal/smallfile"
)

// iniKey describes one key of [auth.jwt].
type iniKey struct {
	name  string
	field string // the Settings field it sets; "" for none
	ext   bool   // jwtgate extension
	// apply parses v (non-empty, expanded) into c. Its error text is the
	// detail after "[section] key: ".
	apply func(c *Settings, v string) error
}

func iniSetString(f func(c *Settings) *string) func(*Settings, string) error {
	return func(c *Settings, v string) error { *f(c) = v; return nil }
}

func iniSetBool(f func(c *Settings) *bool) func(*Settings, string) error {
	return func(c *Settings, v string) error {
		b, err := iniBool(v)
		*f(c) = b
		return err
	}
}

// iniSetDuration parses a duration; zeroOff maps an explicit zero to a
// negative value ("none"), otherwise zero is an error.
func iniSetDuration(f func(c *Settings) *time.Duration, zeroOff bool) func(*Settings, string) error {
	return func(c *Settings, v string) error {
		d, err := iniDuration(v)
		if err != nil {
			return err
		}
		if d == 0 {
			if !zeroOff {
				return errors.New("must be positive (omit the key for the default)")
			}
			d = -1
		}
		*f(c) = d
		return nil
	}
}

// iniSetBase64 keeps the text and checks that it decodes.
func iniSetBase64(f func(c *Settings) *string, what string) func(*Settings, string) error {
	return func(c *Settings, v string) error {
		if err := iniBase64(v, what); err != nil {
			return err
		}
		*f(c) = v
		return nil
	}
}

// iniKeys lists every key of [auth.jwt] in documentation order. The
// auto_assign_* keys and enabled are handled by section.
var iniKeys = []iniKey{
	{name: "enabled"},
	{name: "header_name", field: "HeaderName", apply: iniSetString(func(c *Settings) *string { return &c.HeaderName })},
	{name: "url_login", field: "URLLogin", apply: iniSetBool(func(c *Settings) *bool { return &c.URLLogin })},
	{name: "cookie_name", field: "CookieName", ext: true, apply: iniSetString(func(c *Settings) *string { return &c.CookieName })},
	{name: "key_file", field: "KeyFile", apply: iniSetString(func(c *Settings) *string { return &c.KeyFile })},
	{name: "key_value", field: "KeyValue", apply: iniSetBase64(func(c *Settings) *string { return &c.KeyValue }, "PEM")},
	{name: "key_id", field: "KeyID", apply: iniSetString(func(c *Settings) *string { return &c.KeyID })},
	{name: "jwk_set_file", field: "JWKSetFile", apply: iniSetString(func(c *Settings) *string { return &c.JWKSetFile })},
	{name: "jwk_set_value", field: "JWKSetValue", apply: iniSetBase64(func(c *Settings) *string { return &c.JWKSetValue }, "JWKS")},
	{name: "jwk_set_url", field: "JWKSetURL", apply: iniSetString(func(c *Settings) *string { return &c.JWKSetURL })},
	{name: "jwk_set_bearer_token_file", field: "JWKSetBearerTokenFile", apply: iniSetString(func(c *Settings) *string { return &c.JWKSetBearerTokenFile })},
	{name: "oidc_issuer_url", field: "OIDCIssuerURL", ext: true, apply: iniSetString(func(c *Settings) *string { return &c.OIDCIssuerURL })},
	{name: "cache_ttl", field: "CacheTTL", apply: iniSetDuration(func(c *Settings) *time.Duration { return &c.CacheTTL }, true)},
	{name: "tls_client_ca", field: "TLSClientCA", apply: iniSetString(func(c *Settings) *string { return &c.TLSClientCA })},
	{name: "tls_client_cert", field: "TLSClientCert", ext: true, apply: iniSetString(func(c *Settings) *string { return &c.TLSClientCert })},
	{name: "tls_client_key", field: "TLSClientKey", ext: true, apply: iniSetString(func(c *Settings) *string { return &c.TLSClientKey })},
	{name: "tls_skip_verify_insecure", field: "TLSSkipVerifyInsecure", apply: iniSetBool(func(c *Settings) *bool { return &c.TLSSkipVerifyInsecure })},
	{name: "insecure_allow_http", field: "InsecureAllowHTTP", ext: true, apply: iniSetBool(func(c *Settings) *bool { return &c.InsecureAllowHTTP })},
	{name: "min_refresh_interval", field: "MinRefreshInterval", ext: true, apply: iniSetDuration(func(c *Settings) *time.Duration { return &c.MinRefreshInterval }, false)},
	{name: "max_stale", field: "MaxStale", ext: true, apply: iniSetDuration(func(c *Settings) *time.Duration { return &c.MaxStale }, true)},
	{name: "token_cache_size", field: "TokenCacheSize", ext: true, apply: func(c *Settings, v string) error {
		n, err := iniInt(v)
		if err != nil {
			return err
		}
		if n == 0 {
			n = -1
		}
		c.TokenCacheSize = n
		return nil
	}},
	{name: "algorithms", field: "Algorithms", ext: true, apply: func(c *Settings, v string) error {
		algs, err := iniList(v)
		if err != nil {
			return err
		}
		for _, a := range algs {
			if err := iniAlgorithm(a); err != nil {
				return err
			}
		}
		if len(algs) > 0 {
			c.Algorithms = algs
		}
		return nil
	}},
	{name: "expect_claims", field: "ExpectClaims", apply: func(c *Settings, v string) error {
		m, err := iniExpectClaims(v)
		if len(m) > 0 {
			c.ExpectClaims = m
		}
		return err
	}},
	{name: "leeway", field: "Leeway", ext: true, apply: iniSetDuration(func(c *Settings) *time.Duration { return &c.Leeway }, true)},
	{name: "require_exp", field: "RequireExp", ext: true, apply: iniSetBool(func(c *Settings) *bool { return &c.RequireExp })},
	{name: "username_claim", field: "UsernameClaim", apply: iniSetString(func(c *Settings) *string { return &c.UsernameClaim })},
	{name: "email_claim", field: "EmailClaim", apply: iniSetString(func(c *Settings) *string { return &c.EmailClaim })},
	{name: "username_attribute_path", field: "UsernameAttributePath", apply: iniSetString(func(c *Settings) *string { return &c.UsernameAttributePath })},
	{name: "email_attribute_path", field: "EmailAttributePath", apply: iniSetString(func(c *Settings) *string { return &c.EmailAttributePath })},
	{name: "role_attribute_path", field: "RoleAttributePath", apply: iniSetString(func(c *Settings) *string { return &c.RoleAttributePath })},
	{name: "role_attribute_strict", field: "RoleAttributeStrict", apply: iniSetBool(func(c *Settings) *bool { return &c.RoleAttributeStrict })},
	{name: "allow_assign_grafana_admin", field: "AllowAssignGrafanaAdmin", apply: iniSetBool(func(c *Settings) *bool { return &c.AllowAssignGrafanaAdmin })},
	{name: "skip_org_role_sync", field: "SkipOrgRoleSync", apply: iniSetBool(func(c *Settings) *bool { return &c.SkipOrgRoleSync })},
	{name: "groups_attribute_path", field: "GroupsAttributePath", apply: iniSetString(func(c *Settings) *string { return &c.GroupsAttributePath })},
	{name: "org_attribute_path", field: "OrgAttributePath", apply: iniSetString(func(c *Settings) *string { return &c.OrgAttributePath })},
	{name: "org_mapping", field: "OrgMapping", apply: func(c *Settings, v string) error {
		l, err := iniList(v)
		if len(l) > 0 {
			c.OrgMapping = l
		}
		return err
	}},
	{name: "auto_sign_up", field: "AutoSignUp", apply: iniSetBool(func(c *Settings) *bool { return &c.AutoSignUp })},
	{name: "auto_assign_org_role", field: "AutoAssignOrgRole"}, // with [users]: see orgDefaults
	{name: "auto_assign_org"},
	{name: "auto_assign_org_id"},
	{name: "default_org", field: "DefaultOrg", ext: true, apply: iniSetString(func(c *Settings) *string { return &c.DefaultOrg })},
	{name: "token_types", field: "TokenTypes", ext: true, apply: func(c *Settings, v string) error {
		l, err := iniList(v)
		if len(l) > 0 {
			c.TokenTypes = l
		}
		return err
	}},
	{name: "resource_metadata_url", field: "ResourceMetadataURL", ext: true, apply: iniSetString(func(c *Settings) *string { return &c.ResourceMetadataURL })},
	{name: "dpop", field: "DPoP", ext: true, apply: func(c *Settings, v string) (err error) {
		c.DPoP, err = iniDPoPMode(v)
		return err
	}},
	{name: "dpop_proof_max_age", field: "DPoPProofMaxAge", ext: true, apply: iniSetDuration(func(c *Settings) *time.Duration { return &c.DPoPProofMaxAge }, false)},
	{name: "dpop_algorithms", field: "DPoPAlgorithms", ext: true, apply: func(c *Settings, v string) error {
		algs, err := iniList(v)
		if err != nil {
			return err
		}
		for _, a := range algs {
			if err := iniDPoPAlgorithm(a); err != nil {
				return err
			}
		}
		if len(algs) > 0 {
			c.DPoPAlgorithms = algs
		}
		return nil
	}},
	// dpop_nonce_key_file comes after dpop_nonce_key, so that it sees it.
	{name: "dpop_nonce_key", field: "DPoPNonceKey", ext: true, apply: func(c *Settings, v string) (err error) {
		c.DPoPNonceKey, err = iniNonceKey(v)
		return err
	}},
	{name: "dpop_nonce_key_file", field: "DPoPNonceKey", ext: true, apply: func(c *Settings, v string) error {
		if c.DPoPNonceKey != nil {
			return errors.New("set only one of dpop_nonce_key and dpop_nonce_key_file")
		}
		b, err := smallfile.Read(v)
		if err != nil {
			return err
		}
		if c.DPoPNonceKey, err = iniNonceKey(strings.TrimSpace(string(b))); err != nil {
			return fmt.Errorf("%s: %w", v, err)
		}
		return nil
	}},
	{name: "public_url", field: "PublicURL", ext: true, apply: iniSetString(func(c *Settings) *string { return &c.PublicURL })},
	{name: "cert_bound_tokens", field: "CertBoundTokens", ext: true, apply: iniSetBool(func(c *Settings) *bool { return &c.CertBoundTokens })},
	{name: "client_cert_header", field: "ClientCertHeader", ext: true, apply: iniSetString(func(c *Settings) *string { return &c.ClientCertHeader })},
	{name: "enable_login_token", apply: func(_ *Settings, v string) error { _, err := iniBool(v); return err }},
	{name: "signout_redirect_url", apply: func(*Settings, string) error { return nil }},
}

// iniUsersKeys are the [users] keys jwtgate reads; the others are Grafana's.
var iniUsersKeys = []string{"auto_assign_org", "auto_assign_org_id", "auto_assign_org_role"}

// iniAliases maps common wrong names to the right key, beyond what edit
// distance finds.
var iniAliases = map[string]string{
	"expected_claims":   "expect_claims",
	"jwks_url":          "jwk_set_url",
	"jwks_uri":          "jwk_set_url",
	"jwk_url":           "jwk_set_url",
	"jwks_file":         "jwk_set_file",
	"jwk_file":          "jwk_set_file",
	"issuer":            "oidc_issuer_url",
	"issuer_url":        "oidc_issuer_url",
	"allowed_algs":      "algorithms",
	"algs":              "algorithms",
	"clock_skew":        "leeway",
	"header":            "header_name",
	"cookie":            "cookie_name",
	"public_key_file":   "key_file",
	"bearer_token_file": "jwk_set_bearer_token_file",
}

func lookupINIKey(name string) (iniKey, bool) {
	for _, k := range iniKeys {
		if k.name == name {
			return k, true
		}
	}
	return iniKey{}, false
}

// suggestINIKey returns " (did you mean k?)" for the nearest known key, or "".
func suggestINIKey(name string) string {
	if k, ok := nearestINIKey(name); ok {
		return " (did you mean " + k + "?)"
	}
	return ""
}

// nearestINIKey finds the key name meant by a wrong one: an alias, the
// same letters without "_" (CacheTTL), or the nearest by edit distance when
// close enough.
func nearestINIKey(name string) (string, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	if a, ok := iniAliases[n]; ok {
		return a, true
	}
	flat := strings.NewReplacer("_", "", "-", "", " ", "").Replace(n)
	best, bestD := "", 1<<30
	for _, k := range iniKeys {
		if strings.ReplaceAll(k.name, "_", "") == flat {
			return k.name, true
		}
		if dist := iniLevenshtein(n, k.name); dist < bestD {
			best, bestD = k.name, dist
		}
	}
	if bestD <= 2 || bestD*3 <= len(best) {
		return best, true
	}
	return "", false
}

func iniLevenshtein(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
