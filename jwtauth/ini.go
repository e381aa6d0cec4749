package jwtauth

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"

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
//
// The Config remembers, in an unexported field, which lines set its
// fields, so that New names ini keys and lines in its errors. Set the
// fields with no ini form (Logger, HTTPClient, ...) freely; compare two
// Configs field by field rather than with reflect.DeepEqual.
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
// the [users] defaults. It must say whether it is enabled: enabled = false
// skips it (its key names are still checked), and a section without
// enabled is an error naming it, so an issuer written into the file is
// never dropped silently.
//
// Environment overrides of an extra section are GF_AUTH_JWT_<NAME>_<KEY>,
// NAME being the section name upper-cased with "-" and "." turned into "_"
// (Grafana's rule for any section): GF_AUTH_JWT_K8S_JWK_SET_URL sets
// jwk_set_url of [auth.jwt.k8s]. Such variables alone define a section
// (named in lower case) when the file has none; that section needs
// GF_AUTH_JWT_<NAME>_ENABLED. A variable that could set keys of two
// sections (GF_AUTH_JWT_X_DPOP_ALGORITHMS with both [auth.jwt.x] and
// [auth.jwt.x_dpop]) is an error.
//
// It returns an error wrapping [ErrDisabled] when [auth.jwt] is disabled and
// no extra section is enabled, and one wrapping [ErrInvalidConfig] when
// [auth.jwt] is disabled while an extra section is enabled, when two
// sections have the same environment name, or for any error [ParseINI]
// reports in any section. [NewMulti] names the sections of such Configs in
// its errors.
func ParseINIAll(data []byte, env []string) ([]Config, error) {
	return parseINI(data, env, "", true)
}

// ParseINI returns the Config described by the [auth.jwt] section of a
// grafana.ini-style document, with environment overrides taken from env
// (a list of "NAME=value" strings as [os.Environ] returns). It reads no
// environment of its own; files are read only for "$__file{...}" values
// and dpop_nonce_key_file. The keys, their Config fields and defaults are
// listed under "Configuration files" in the package documentation.
//
// Values follow grafana.ini (gopkg.in/ini.v1) syntax, with these rules:
//
//   - A ";" or "#" after a space or tab starts an inline comment; elsewhere
//     both are part of the value. A value in backquotes or triple double
//     quotes is taken as is. Surrounding quotes are removed.
//   - An empty value means the key is unset (its default applies).
//   - "$__env{NAME}" and "${NAME}" expand from env, "$__file{path}" to the
//     file's trimmed content (regular files up to 1 MiB).
//   - Booleans: true/false, 1/0, t/f, yes/no, y/n, on/off.
//   - Durations need a unit ("90s", "60m"). For cache_ttl, leeway and
//     max_stale (and token_cache_size) "0" means none: the Config gets a
//     negative value.
//   - Lists (org_mapping, algorithms, token_types, dpop_algorithms) are
//     split on commas and white space, "quoted items" kept whole, or are a
//     JSON array of strings.
//   - expect_claims is a JSON object. key_value and jwk_set_value stay
//     base64 text (checked to decode); dpop_nonce_key is base64 decoded
//     into DPoPNonceKey and must give at least 32 bytes. dpop is off,
//     allowed or required. No key material appears in an error.
//
// GF_AUTH_JWT_<KEY> (the key upper-cased) overrides [auth.jwt], and
// GF_USERS_AUTO_ASSIGN_ORG, _ORG_ID and _ORG_ROLE override [users]. A
// variable with an empty value is ignored; one that names no key is an
// error.
//
// ParseINI returns an error wrapping [ErrDisabled] when enabled is false or
// missing, and one wrapping [ErrInvalidConfig] for bad syntax, unknown keys
// (with a suggestion: "expected_claims": did you mean expect_claims?),
// malformed values, and [auth.jwt] keys written before any section in a
// document without [auth.jwt]. The message names the line ("line 7", or
// "file:7" from LoadINI) or the environment variable, the section and the
// key. ParseINI checks syntax and types only; [New] checks the rest, and
// for a Config from ParseINI or LoadINI its errors name the ini key, the
// section and the line in the same way.
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
		cfgs[i].ini = &iniSource{file: name, sec: s, loaded: configFromINI(s.Settings)}
	}
	return cfgs, nil
}

// configFromINI copies every field of s into a new Config, which shares
// no slice or map with s.
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
		Algorithms:              slices.Clone(s.Algorithms),
		ExpectClaims:            maps.Clone(s.ExpectClaims),
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
		OrgMapping:              slices.Clone(s.OrgMapping),
		AutoSignUp:              s.AutoSignUp,
		AutoAssignOrgRole:       s.AutoAssignOrgRole,
		DefaultOrg:              s.DefaultOrg,
		TokenTypes:              slices.Clone(s.TokenTypes),
		ResourceMetadataURL:     s.ResourceMetadataURL,
		DPoP:                    dpopModeFromINI(s.DPoP),
		DPoPProofMaxAge:         s.DPoPProofMaxAge,
		DPoPAlgorithms:          slices.Clone(s.DPoPAlgorithms),
		DPoPNonceKey:            slices.Clone(s.DPoPNonceKey),
		PublicURL:               s.PublicURL,
		CertBoundTokens:         s.CertBoundTokens,
		ClientCertHeader:        s.ClientCertHeader,
	}
}

func dpopModeFromINI(m string) DPoPMode {
	switch m {
	case grafanaini.DPoPAllowed:
		return DPoPAllowed
	case grafanaini.DPoPRequired:
		return DPoPRequired
	}
	return DPoPOff
}
