package jwtauth

import (
	"errors"
	"fmt"
	"os"

	"github.com/jwtgate/jwtgate/internal/grafanaini"
)

// LoadINI reads the [auth.jwt] section of the grafana.ini-style file at
// path, applies the GF_AUTH_JWT_* (and GF_USERS_*) overrides of the process
// environment ([os.Environ]), and returns the [Config] it describes. See
// [ParseINI] for the keys and value rules.
//
// It returns an error wrapping [ErrDisabled] when "enabled" is false or
// missing, and one wrapping [ErrInvalidConfig] when the file cannot be read
// (the [io/fs] error is wrapped too) or a value is malformed; that message
// names the file, line, section and key. Extra [auth.jwt.<name>] sections
// are ignored; use [LoadINIAll] for them. LoadINI does no network I/O and
// checks only what can be checked without it: pass the result to [New].
func LoadINI(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	cfgs, err := parseINI(data, os.Environ(), path, false)
	if err != nil {
		return Config{}, err
	}
	return cfgs[0], nil
}

// LoadINIAll is [LoadINI] for several issuers, the input of [NewMulti]:
// [auth.jwt] is the first Config, and each extra [auth.jwt.<name>] section
// that is enabled follows in file order (then sections known only from the
// environment, by name). See [ParseINIAll] for the rules.
func LoadINIAll(path string) ([]Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return parseINI(data, os.Environ(), path, true)
}

// ParseINIAll is [ParseINI] for several issuers (a jwtgate extension; Grafana
// has a single [auth.jwt]). [auth.jwt] is the first Config. Each extra
// section [auth.jwt.<name>], where name is made of letters, digits, "_" and
// "-", takes the same keys with the same rules and is another issuer. An
// extra section is independent: it inherits nothing from [auth.jwt] except
// the [users] defaults, and it has its own "enabled", also false by default;
// a disabled extra section is skipped (its key names are still checked).
//
// Environment overrides of an extra section are GF_AUTH_JWT_<NAME>_<KEY>,
// NAME being the section name upper-cased with "-" and "." turned into "_"
// (Grafana's rule for any section): GF_AUTH_JWT_K8S_JWK_SET_URL sets
// jwk_set_url of [auth.jwt.k8s]. Such variables alone define a section
// (named in lower case) when the file has none.
//
// It returns an error wrapping [ErrDisabled] when [auth.jwt] is disabled and
// no extra section is enabled, and one wrapping [ErrInvalidConfig] when
// [auth.jwt] is disabled while an extra section is enabled, when two
// sections have the same environment name, or for any error [ParseINI]
// reports in any section.
func ParseINIAll(data []byte, env []string) ([]Config, error) {
	return parseINI(data, env, "", true)
}

// ParseINI returns the Config described by the [auth.jwt] section of a
// grafana.ini-style document, with environment overrides taken from env
// (a list of "NAME=value" strings as [os.Environ] returns). It reads no
// environment of its own; files are read only for "$__file{...}" values.
//
// # Values
//
// Values follow grafana.ini (gopkg.in/ini.v1) syntax, with these rules:
//
//   - A ";" or "#" preceded by a space or tab starts an inline comment,
//     which is dropped. Elsewhere both are part of the value, so URL
//     fragments and "a;b" survive (Grafana cuts the value at any ";" or
//     "#"). A value wrapped in backquotes or triple double quotes is taken
//     as is, comments included. Whole-line comments start with ";" or "#".
//   - Surrounding double or single quotes are removed from single values.
//   - An empty value means the key is unset (its default applies).
//   - "$__env{NAME}" and "${NAME}" are replaced by the variable from env,
//     "$__file{path}" by the file's trimmed content (regular files up to
//     1 MiB), as in Grafana. Other "$__name{...}" expansions are errors.
//   - Booleans: true/false, 1/0, t/f, yes/no, y/n, on/off (the spellings
//     ini.v1 accepts).
//   - Durations are Go durations ("60m", "1h30m", "90s"). A bare number
//     other than "0" is an error, not seconds. For cache_ttl, leeway and
//     max_stale an explicit zero ("0", "0s") means "none": caching off, no
//     leeway, never serve a stale key set; the Config gets a negative
//     value. Negative durations are errors.
//   - Lists (org_mapping, algorithms) are split on commas and white space,
//     with "double-quoted items" kept whole, or are a JSON array of strings
//     when the value starts with "[".
//   - expect_claims is a JSON object; "iss" and "sub" must be strings and
//     "aud" a string or an array of strings.
//   - key_value and jwk_set_value stay the base64 text the Config expects;
//     ParseINI only checks that they decode. Their content never appears
//     in an error.
//   - Roles are None, Viewer, Editor or Admin, case-sensitive.
//
// # Keys
//
// Every key of Grafana's [auth.jwt] maps to the Config field of the same
// meaning; keys marked "ext" are jwtgate extensions, named after the field
// in snake_case:
//
//	enabled                     (no field: false or missing returns ErrDisabled)
//	header_name                 HeaderName
//	url_login                   URLLogin
//	cookie_name            ext  CookieName
//	key_file                    KeyFile
//	key_value                   KeyValue
//	key_id                      KeyID
//	jwk_set_file                JWKSetFile
//	jwk_set_value               JWKSetValue
//	jwk_set_url                 JWKSetURL
//	jwk_set_bearer_token_file   JWKSetBearerTokenFile
//	oidc_issuer_url        ext  OIDCIssuerURL
//	cache_ttl                   CacheTTL ("0" disables caching: negative)
//	tls_client_ca               TLSClientCA
//	tls_client_cert        ext  TLSClientCert
//	tls_client_key         ext  TLSClientKey
//	tls_skip_verify_insecure    TLSSkipVerifyInsecure
//	insecure_allow_http    ext  InsecureAllowHTTP
//	min_refresh_interval   ext  MinRefreshInterval (must be > 0 when set)
//	max_stale              ext  MaxStale ("0": never serve stale keys)
//	token_cache_size       ext  TokenCacheSize ("0" turns the cache off)
//	algorithms             ext  Algorithms (names checked as New does)
//	expect_claims               ExpectClaims ("{}" leaves it nil)
//	leeway                 ext  Leeway ("0": no leeway)
//	require_exp            ext  RequireExp
//	username_claim              UsernameClaim
//	email_claim                 EmailClaim
//	username_attribute_path     UsernameAttributePath
//	email_attribute_path        EmailAttributePath
//	role_attribute_path         RoleAttributePath
//	role_attribute_strict       RoleAttributeStrict
//	allow_assign_grafana_admin  AllowAssignGrafanaAdmin
//	skip_org_role_sync          SkipOrgRoleSync
//	groups_attribute_path       GroupsAttributePath
//	org_attribute_path          OrgAttributePath
//	org_mapping                 OrgMapping
//	auto_sign_up                AutoSignUp
//	auto_assign_org_role        AutoAssignOrgRole (also read from [users])
//	auto_assign_org             DefaultOrg, with auto_assign_org_id (also [users])
//	auto_assign_org_id          DefaultOrg: the org id when auto_assign_org is true
//	default_org            ext  DefaultOrg (wins over auto_assign_org_id)
//	enable_login_token          accepted and ignored (no effect in Grafana's JWT auth either)
//	signout_redirect_url        accepted and ignored (Grafana UI setting)
//
// Keys, HTTPClient, Now, ErrorHandler and Logger have no ini form.
//
// Any other key in [auth.jwt] is an error that suggests the nearest known
// key ("expected_claims": did you mean expect_claims?). [auth.jwt] is
// matched case-sensitively, as in Grafana; a section that differs only in
// case or spacing is reported. Other sections are ignored, except [users]
// (auto_assign_org, auto_assign_org_id, auto_assign_org_role) and the extra
// [auth.jwt.<name>] sections, which ParseINI skips (see [ParseINIAll]).
//
// # Environment
//
// GF_AUTH_JWT_<KEY> (the key upper-cased, e.g. GF_AUTH_JWT_EXPECT_CLAIMS)
// overrides the file's [auth.jwt] value, and GF_USERS_AUTO_ASSIGN_ORG,
// GF_USERS_AUTO_ASSIGN_ORG_ID and GF_USERS_AUTO_ASSIGN_ORG_ROLE override
// [users]. As in Grafana, a variable with an empty value is ignored: it
// neither sets nor unsets a key. Env values are taken literally (no comment
// or quote removal) apart from surrounding white space and expansions. A
// GF_AUTH_JWT_ variable that names no key is an error with a suggestion,
// so a misspelt override is not silently dropped.
//
// For auto_assign_org, auto_assign_org_id and auto_assign_org_role the
// precedence, highest first, is: GF_AUTH_JWT_<KEY>, GF_USERS_<KEY>, the
// [auth.jwt] key, the [users] key. An environment variable therefore beats
// any file, and [auth.jwt] beats [users].
//
// # Errors
//
// ParseINI returns an error wrapping [ErrDisabled] when enabled is false or
// missing (key names are still checked first, so a misspelt "enabled" is
// reported rather than read as disabled), and an error wrapping
// [ErrInvalidConfig] for unparsable ini syntax, unknown keys, and malformed
// booleans, durations, integers, JSON, lists, roles, algorithm names or
// base64 values. Where Grafana falls back to a default silently, ParseINI
// fails. The message names the line ("line 7", or "file:7" from LoadINI)
// or the environment variable, the section and the key.
//
// ParseINI checks syntax and types only; [New] checks the rest (exactly one
// key source, https, JMESPath expressions, files) and reports Config field
// names.
func ParseINI(data []byte, env []string) (Config, error) {
	cfgs, err := parseINI(data, env, "", false)
	if err != nil {
		return Config{}, err
	}
	return cfgs[0], nil
}

// parseINI forwards to grafanaini and turns its Settings into Configs and
// its errors into jwtauth's.
func parseINI(data []byte, env []string, name string, all bool) ([]Config, error) {
	var secs []grafanaini.Section
	var err error
	if all {
		secs, err = grafanaini.ParseAll(data, env, name)
	} else {
		var s grafanaini.Section
		s, err = grafanaini.Parse(data, env, name)
		secs = []grafanaini.Section{s}
	}
	switch {
	case errors.Is(err, grafanaini.ErrDisabled):
		return nil, ErrDisabled
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	cfgs := make([]Config, len(secs))
	for i, s := range secs {
		cfgs[i] = configFromINI(s.Settings)
	}
	return cfgs, nil
}

// configFromINI copies every field of s into a Config.
func configFromINI(s grafanaini.Settings) Config {
	return Config{
		HeaderName:              s.HeaderName,
		URLLogin:                s.URLLogin,
		CookieName:              s.CookieName,
		KeyFile:                 s.KeyFile,
		KeyValue:                s.KeyValue,
		KeyID:                   s.KeyID,
		JWKSetFile:              s.JWKSetFile,
		JWKSetValue:             s.JWKSetValue,
		JWKSetURL:               s.JWKSetURL,
		JWKSetBearerTokenFile:   s.JWKSetBearerTokenFile,
		CacheTTL:                s.CacheTTL,
		TLSClientCA:             s.TLSClientCA,
		TLSClientCert:           s.TLSClientCert,
		TLSClientKey:            s.TLSClientKey,
		TLSSkipVerifyInsecure:   s.TLSSkipVerifyInsecure,
		InsecureAllowHTTP:       s.InsecureAllowHTTP,
		OIDCIssuerURL:           s.OIDCIssuerURL,
		MinRefreshInterval:      s.MinRefreshInterval,
		MaxStale:                s.MaxStale,
		TokenCacheSize:          s.TokenCacheSize,
		Algorithms:              s.Algorithms,
		ExpectClaims:            s.ExpectClaims,
		Leeway:                  s.Leeway,
		RequireExp:              s.RequireExp,
		UsernameClaim:           s.UsernameClaim,
		EmailClaim:              s.EmailClaim,
		UsernameAttributePath:   s.UsernameAttributePath,
		EmailAttributePath:      s.EmailAttributePath,
		RoleAttributePath:       s.RoleAttributePath,
		RoleAttributeStrict:     s.RoleAttributeStrict,
		AllowAssignGrafanaAdmin: s.AllowAssignGrafanaAdmin,
		SkipOrgRoleSync:         s.SkipOrgRoleSync,
		GroupsAttributePath:     s.GroupsAttributePath,
		OrgAttributePath:        s.OrgAttributePath,
		OrgMapping:              s.OrgMapping,
		AutoSignUp:              s.AutoSignUp,
		AutoAssignOrgRole:       s.AutoAssignOrgRole,
		DefaultOrg:              s.DefaultOrg,
	}
}
