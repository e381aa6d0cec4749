package jwtauth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/ini.v1"

	"github.com/jwtgate/jwtgate/internal/algs"
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

const (
	iniMainSection  = "auth.jwt"
	iniUsersSection = "users"
	iniEnvMain      = "GF_AUTH_JWT_"
	iniEnvUsers     = "GF_USERS_"
)

// iniKey describes one key of [auth.jwt].
type iniKey struct {
	name string
	ext  bool // jwtgate extension
	// apply parses v (non-empty, expanded) into c. Its error text is the
	// detail after "[section] key: ".
	apply func(c *Config, v string) error
}

func iniSetString(f func(c *Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *f(c) = v; return nil }
}

func iniSetBool(f func(c *Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := iniBool(v)
		*f(c) = b
		return err
	}
}

// iniSetDuration parses a duration; zeroOff maps an explicit zero to a
// negative value ("none"), otherwise zero is an error.
func iniSetDuration(f func(c *Config) *time.Duration, zeroOff bool) func(*Config, string) error {
	return func(c *Config, v string) error {
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
func iniSetBase64(f func(c *Config) *string, what string) func(*Config, string) error {
	return func(c *Config, v string) error {
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
	{name: "header_name", apply: iniSetString(func(c *Config) *string { return &c.HeaderName })},
	{name: "url_login", apply: iniSetBool(func(c *Config) *bool { return &c.URLLogin })},
	{name: "cookie_name", ext: true, apply: iniSetString(func(c *Config) *string { return &c.CookieName })},
	{name: "key_file", apply: iniSetString(func(c *Config) *string { return &c.KeyFile })},
	{name: "key_value", apply: iniSetBase64(func(c *Config) *string { return &c.KeyValue }, "PEM")},
	{name: "key_id", apply: iniSetString(func(c *Config) *string { return &c.KeyID })},
	{name: "jwk_set_file", apply: iniSetString(func(c *Config) *string { return &c.JWKSetFile })},
	{name: "jwk_set_value", apply: iniSetBase64(func(c *Config) *string { return &c.JWKSetValue }, "JWKS")},
	{name: "jwk_set_url", apply: iniSetString(func(c *Config) *string { return &c.JWKSetURL })},
	{name: "jwk_set_bearer_token_file", apply: iniSetString(func(c *Config) *string { return &c.JWKSetBearerTokenFile })},
	{name: "oidc_issuer_url", ext: true, apply: iniSetString(func(c *Config) *string { return &c.OIDCIssuerURL })},
	{name: "cache_ttl", apply: iniSetDuration(func(c *Config) *time.Duration { return &c.CacheTTL }, true)},
	{name: "tls_client_ca", apply: iniSetString(func(c *Config) *string { return &c.TLSClientCA })},
	{name: "tls_client_cert", ext: true, apply: iniSetString(func(c *Config) *string { return &c.TLSClientCert })},
	{name: "tls_client_key", ext: true, apply: iniSetString(func(c *Config) *string { return &c.TLSClientKey })},
	{name: "tls_skip_verify_insecure", apply: iniSetBool(func(c *Config) *bool { return &c.TLSSkipVerifyInsecure })},
	{name: "insecure_allow_http", ext: true, apply: iniSetBool(func(c *Config) *bool { return &c.InsecureAllowHTTP })},
	{name: "min_refresh_interval", ext: true, apply: iniSetDuration(func(c *Config) *time.Duration { return &c.MinRefreshInterval }, false)},
	{name: "max_stale", ext: true, apply: iniSetDuration(func(c *Config) *time.Duration { return &c.MaxStale }, true)},
	{name: "token_cache_size", ext: true, apply: func(c *Config, v string) error {
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
	{name: "algorithms", ext: true, apply: func(c *Config, v string) error {
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
	{name: "expect_claims", apply: func(c *Config, v string) error {
		m, err := iniExpectClaims(v)
		if len(m) > 0 {
			c.ExpectClaims = m
		}
		return err
	}},
	{name: "leeway", ext: true, apply: iniSetDuration(func(c *Config) *time.Duration { return &c.Leeway }, true)},
	{name: "require_exp", ext: true, apply: iniSetBool(func(c *Config) *bool { return &c.RequireExp })},
	{name: "username_claim", apply: iniSetString(func(c *Config) *string { return &c.UsernameClaim })},
	{name: "email_claim", apply: iniSetString(func(c *Config) *string { return &c.EmailClaim })},
	{name: "username_attribute_path", apply: iniSetString(func(c *Config) *string { return &c.UsernameAttributePath })},
	{name: "email_attribute_path", apply: iniSetString(func(c *Config) *string { return &c.EmailAttributePath })},
	{name: "role_attribute_path", apply: iniSetString(func(c *Config) *string { return &c.RoleAttributePath })},
	{name: "role_attribute_strict", apply: iniSetBool(func(c *Config) *bool { return &c.RoleAttributeStrict })},
	{name: "allow_assign_grafana_admin", apply: iniSetBool(func(c *Config) *bool { return &c.AllowAssignGrafanaAdmin })},
	{name: "skip_org_role_sync", apply: iniSetBool(func(c *Config) *bool { return &c.SkipOrgRoleSync })},
	{name: "groups_attribute_path", apply: iniSetString(func(c *Config) *string { return &c.GroupsAttributePath })},
	{name: "org_attribute_path", apply: iniSetString(func(c *Config) *string { return &c.OrgAttributePath })},
	{name: "org_mapping", apply: func(c *Config, v string) error {
		l, err := iniList(v)
		if len(l) > 0 {
			c.OrgMapping = l
		}
		return err
	}},
	{name: "auto_sign_up", apply: iniSetBool(func(c *Config) *bool { return &c.AutoSignUp })},
	{name: "auto_assign_org_role"},
	{name: "auto_assign_org"},
	{name: "auto_assign_org_id"},
	{name: "default_org", ext: true, apply: iniSetString(func(c *Config) *string { return &c.DefaultOrg })},
	{name: "enable_login_token", apply: func(_ *Config, v string) error { _, err := iniBool(v); return err }},
	{name: "signout_redirect_url", apply: func(*Config, string) error { return nil }},
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

// iniLoc is where a value came from.
type iniLoc struct {
	line int    // 1-based line in the document; 0 when unknown
	env  string // environment variable name when the value came from env
}

// iniVal is one raw value with its origin.
type iniVal struct {
	v   string
	loc iniLoc
}

// iniDoc is a parsed document plus what error messages need.
type iniDoc struct {
	file  *ini.File
	name  string                        // file name for messages; "" from ParseINI
	lines map[string]map[string]iniLine // section -> key -> where it was last set
	heads map[string]int                // section -> line of its first header
	env   map[string]string             // non-empty GF_AUTH_JWT_* / GF_USERS_* variables
	vars  []string                      // the whole env list, for ${NAME} expansions
	users *iniUsers                     // [users] values, read on first use
}

// iniLine records the last line setting a key and whether its raw value
// was wrapped in backquotes or triple quotes (taken as is).
type iniLine struct {
	n      int
	quoted bool
}

func (d *iniDoc) where(l iniLoc) string {
	switch {
	case l.env != "":
		return "env " + l.env + ": "
	case l.line > 0 && d.name != "":
		return fmt.Sprintf("%s:%d: ", d.name, l.line)
	case l.line > 0:
		return fmt.Sprintf("line %d: ", l.line)
	case d.name != "":
		return d.name + ": "
	}
	return ""
}

func (d *iniDoc) errorf(l iniLoc, section, key, format string, args ...any) error {
	subject := ""
	if section != "" {
		subject = "[" + section + "]"
		if key != "" {
			subject += " " + key
		}
		subject += ": "
	}
	return fmt.Errorf("%w: %s%s%s", ErrInvalidConfig, d.where(l), subject, fmt.Sprintf(format, args...))
}

func parseINI(data []byte, env []string, name string, all bool) (cfgs []Config, err error) {
	d := &iniDoc{name: name, env: iniEnv(env), vars: env}
	if err := d.load(data); err != nil {
		return nil, err
	}
	if err := d.checkSectionNames(); err != nil {
		return nil, err
	}
	extras, err := d.extraSections()
	if err != nil {
		return nil, err
	}
	main, enabled, err := d.section(iniMainSection, iniEnvMain)
	if err != nil {
		return nil, err
	}
	if !all {
		if !enabled {
			return nil, ErrDisabled
		}
		return []Config{main}, nil
	}
	cfgs = []Config{main}
	for _, x := range extras {
		c, on, err := d.section(x.section, x.envPrefix)
		if err != nil {
			return nil, err
		}
		if !on {
			continue
		}
		if !enabled {
			return nil, d.errorf(iniLoc{line: d.sectionLine(x.section)}, x.section, "", "enabled while [auth.jwt] is disabled; enable [auth.jwt] (the first issuer) or disable this section")
		}
		cfgs = append(cfgs, c)
	}
	if !enabled {
		return nil, ErrDisabled
	}
	return cfgs, nil
}

// iniEnv keeps the non-empty variables jwtgate reads. Later duplicates win.
func iniEnv(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !(strings.HasPrefix(k, iniEnvMain) || strings.HasPrefix(k, iniEnvUsers)) {
			continue
		}
		if strings.TrimSpace(v) == "" {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return m
}

// load parses data with ini.v1 and records key lines.
func (d *iniDoc) load(data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %snot valid ini syntax", ErrInvalidConfig, d.where(iniLoc{}))
		}
	}()
	f, err := ini.LoadSources(ini.LoadOptions{
		// Inline comments are removed by iniValue, which requires white
		// space before ";" or "#" (ini.v1 would cut at any of them).
		IgnoreInlineComment: true,
		// Quotes are removed by iniValue, so that list items can be quoted.
		PreserveSurroundedQuote: true,
	}, data)
	if err != nil {
		return d.iniSyntaxError(data, err)
	}
	d.file = f
	d.lines, d.heads = scanINILines(data)
	return nil
}

// iniSyntaxError turns an ini.v1 parse error into a message with a line
// number that never repeats the offending text (it may be key material).
func (d *iniDoc) iniSyntaxError(data []byte, err error) error {
	var text, msg string
	var dnf ini.ErrDelimiterNotFound
	var ekn ini.ErrEmptyKeyName
	e := err.Error()
	switch {
	case errors.As(err, &dnf):
		text, msg = dnf.Line, "expected \"key = value\", a [section] or a comment"
	case errors.As(err, &ekn):
		text, msg = ekn.Line, "a key name is missing before \"=\""
	case strings.HasPrefix(e, "unclosed section: "):
		text, msg = strings.TrimPrefix(e, "unclosed section: "), "section header without \"]\""
	case strings.HasPrefix(e, "missing closing key quote from "):
		msg = "a value opened with \"\"\" or ` is never closed"
	case strings.HasPrefix(e, "missing closing key quote: "):
		text, msg = strings.TrimPrefix(e, "missing closing key quote: "), "a quoted key name is never closed"
	case strings.Contains(e, "empty section name"):
		msg = "empty section name \"[]\""
	default:
		msg = "not valid ini syntax"
	}
	line := 0
	if text = strings.TrimSpace(text); text != "" {
		for i, l := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(l) == text {
				line = i + 1
				break
			}
		}
	}
	return fmt.Errorf("%w: %s%s", ErrInvalidConfig, d.where(iniLoc{line: line}), msg)
}

// scanINILines finds, for each section and key, the last line that sets
// it, and the line of each section header. It follows ini.v1's line rules
// closely enough for messages: section headers, "key = value" and
// "key: value", multi-line quoted values and backslash continuations.
func scanINILines(data []byte) (map[string]map[string]iniLine, map[string]int) {
	out := map[string]map[string]iniLine{}
	heads := map[string]int{}
	section := ini.DefaultSection
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if i == 0 {
			t = strings.TrimSpace(strings.TrimPrefix(t, "\ufeff"))
		}
		if t == "" || t[0] == '#' || t[0] == ';' {
			continue
		}
		if t[0] == '[' {
			if j := strings.LastIndexByte(t, ']'); j > 0 {
				section = t[1:j]
				if _, seen := heads[section]; !seen {
					heads[section] = i + 1
				}
			}
			continue
		}
		j := strings.IndexAny(t, "=:")
		if j <= 0 {
			continue
		}
		start := i
		key := strings.Trim(strings.TrimSpace(t[:j]), "\"`")
		rest := strings.TrimSpace(t[j+1:])
		quoted := false
		for _, q := range []string{`"""`, "`"} {
			if strings.HasPrefix(rest, q) && len(rest) > len(q) {
				quoted = true
				if !strings.Contains(rest[len(q):], q) {
					for i+1 < len(lines) && !strings.Contains(lines[i+1], q) {
						i++
					}
					i++
				}
				break
			}
		}
		if !quoted {
			for strings.HasSuffix(rest, `\`) && i+1 < len(lines) {
				i++
				rest = strings.TrimSpace(lines[i])
			}
		}
		if out[section] == nil {
			out[section] = map[string]iniLine{}
		}
		out[section][key] = iniLine{n: start + 1, quoted: quoted}
	}
	return out, heads
}

// checkSectionNames reports sections that look like [auth.jwt] but are not
// matched because of case or spacing (Grafana would silently ignore them).
func (d *iniDoc) checkSectionNames() error {
	for _, s := range d.file.Sections() {
		n := s.Name()
		if n == iniMainSection || n == iniUsersSection || strings.HasPrefix(n, iniMainSection+".") {
			continue
		}
		norm := strings.ToLower(strings.TrimSpace(n))
		if norm == iniMainSection || strings.HasPrefix(norm, iniMainSection+".") || norm == iniUsersSection {
			want := norm
			if rest, ok := strings.CutPrefix(norm, iniMainSection+"."); ok {
				want = iniMainSection + "." + rest
			}
			return d.errorf(iniLoc{line: d.sectionLine(n)}, n, "", "section names are case-sensitive and cannot contain spaces; did you mean [%s]?", want)
		}
	}
	return nil
}

func (d *iniDoc) sectionLine(name string) int { return d.heads[name] }

type iniExtra struct {
	section   string // "auth.jwt.<name>"
	envPrefix string // "GF_AUTH_JWT_<NAME>_"
}

var (
	iniSectionName  = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	iniPlausibleKey = regexp.MustCompile(`^[A-Za-z0-9_.\- ]{1,48}$`)
)

// iniEnvName is Grafana's environment form of a section name.
func iniEnvName(section string) string {
	return strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(section))
}

// extraSections lists the [auth.jwt.<name>] sections of the file, then the
// ones only the environment names, and checks every GF_AUTH_JWT_ variable.
func (d *iniDoc) extraSections() ([]iniExtra, error) {
	var out []iniExtra
	byEnv := map[string]string{}
	for _, s := range d.file.Sections() {
		rest, ok := strings.CutPrefix(s.Name(), iniMainSection+".")
		if !ok {
			continue
		}
		loc := iniLoc{line: d.sectionLine(s.Name())}
		if !iniSectionName.MatchString(rest) {
			return nil, d.errorf(loc, s.Name(), "", "an extra issuer section is [auth.jwt.<name>], the name made of letters, digits, \"_\" and \"-\"")
		}
		e := iniEnvName(rest)
		if other, dup := byEnv[e]; dup {
			return nil, d.errorf(loc, s.Name(), "", "its environment prefix GF_AUTH_JWT_%s_ is also that of [%s]; rename one", e, other)
		}
		byEnv[e] = s.Name()
		out = append(out, iniExtra{section: s.Name(), envPrefix: iniEnvMain + e + "_"})
	}
	var names []string
	for k := range d.env {
		if strings.HasPrefix(k, iniEnvMain) {
			names = append(names, k)
		}
	}
	slices.Sort(names) // report the same variable first every time
	var envOnly []string
	for _, k := range names {
		rest := strings.TrimPrefix(k, iniEnvMain)
		if _, ok := lookupINIKey(strings.ToLower(rest)); ok {
			if rest == strings.ToUpper(rest) {
				continue // [auth.jwt] key
			}
			return nil, d.errorf(iniLoc{env: k}, "", "", "environment names are upper case: use %s%s", iniEnvMain, strings.ToUpper(rest))
		}
		name, _, ok := splitEnvExtra(rest)
		if !ok {
			hint := ""
			if near, found := nearestINIKey(rest); found {
				hint = " (did you mean " + iniEnvMain + strings.ToUpper(near) + "?)"
			}
			return nil, d.errorf(iniLoc{env: k}, "", "", "names no [auth.jwt] key%s", hint)
		}
		if _, known := byEnv[name]; !known && !slices.Contains(envOnly, name) {
			envOnly = append(envOnly, name)
		}
	}
	for _, name := range envOnly {
		out = append(out, iniExtra{section: iniMainSection + "." + strings.ToLower(name), envPrefix: iniEnvMain + name + "_"})
	}
	return out, nil
}

// splitEnvExtra splits "<NAME>_<KEY>" of GF_AUTH_JWT_<NAME>_<KEY>. No key
// is a "_"-suffix of another (a test checks it), so the split is
// unambiguous.
func splitEnvExtra(rest string) (name, key string, ok bool) {
	for _, k := range iniKeys {
		if n, found := strings.CutSuffix(rest, "_"+strings.ToUpper(k.name)); found && n != "" && n == strings.ToUpper(n) && iniSectionName.MatchString(n) {
			return n, k.name, true
		}
	}
	return "", "", false
}

// iniUsers holds the auto_assign_* values of [users] (file and
// GF_USERS_* separately), expanded, empty ones dropped.
type iniUsers struct{ file, env map[string]iniVal }

// readUsers reads [users] once, when the first enabled section needs it, so a
// disabled configuration does not expand $__file in [users].
func (d *iniDoc) readUsers() (iniUsers, error) {
	if d.users != nil {
		return *d.users, nil
	}
	u := iniUsers{file: map[string]iniVal{}, env: map[string]iniVal{}}
	if s, err := d.file.GetSection(iniUsersSection); err == nil {
		for _, k := range s.Keys() {
			if slices.Contains(iniUsersKeys, k.Name()) {
				v, loc := d.fileValue(iniUsersSection, k)
				u.file[k.Name()] = iniVal{v: v, loc: loc}
			}
		}
	}
	for _, k := range iniUsersKeys {
		e := iniEnvUsers + strings.ToUpper(k)
		if v, ok := d.env[e]; ok {
			u.env[k] = iniVal{v: v, loc: iniLoc{env: e}}
		}
	}
	for _, m := range []map[string]iniVal{u.file, u.env} {
		if err := d.expandAll(m, iniUsersSection, iniUsersKeys); err != nil {
			return iniUsers{}, err
		}
	}
	d.users = &u
	return u, nil
}

// expandAll expands the values of m in the order of names, trims them and
// drops the empty ones.
func (d *iniDoc) expandAll(m map[string]iniVal, section string, names []string) error {
	for _, k := range names {
		v, ok := m[k]
		if !ok {
			continue
		}
		x, err := iniExpand(v.v, d.vars)
		if err != nil {
			return d.errorf(v.loc, section, k, "%v", err)
		}
		if v.v = strings.TrimSpace(x); v.v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return nil
}

// fileValue returns the value of k after inline-comment and quote removal.
func (d *iniDoc) fileValue(section string, k *ini.Key) (string, iniLoc) {
	l := d.lines[section][k.Name()]
	loc := iniLoc{line: l.n}
	if l.quoted {
		return k.Value(), loc
	}
	return iniValue(k.Value(), iniListKey(k.Name())), loc
}

func iniListKey(name string) bool { return name == "org_mapping" || name == "algorithms" }

// iniValue drops an inline comment (";" or "#" after a space or tab) and,
// unless keepQuotes, one pair of surrounding quotes.
func iniValue(v string, keepQuotes bool) string {
	// ini.v1 has already trimmed the space after "=", so a value that
	// starts with ";" or "#" is all comment (Pomerium's "jwk_set_url = ;URL").
	for i := 0; i < len(v); i++ {
		if (v[i] == ';' || v[i] == '#') && (i == 0 || v[i-1] == ' ' || v[i-1] == '\t') {
			v = v[:i]
			break
		}
	}
	v = strings.TrimSpace(v)
	if !keepQuotes && len(v) >= 2 {
		if q := v[0]; (q == '"' || q == '\'') && v[len(v)-1] == q && strings.IndexByte(v[1:], q) == len(v)-2 {
			v = v[1 : len(v)-1]
		}
	}
	return v
}

var iniKeyNames = func() []string {
	out := make([]string, len(iniKeys))
	for i, k := range iniKeys {
		out[i] = k.name
	}
	return out
}()

// section builds the Config of one section. A missing section is an empty
// one (the environment may still define it). enabled reports the section's
// "enabled"; when false the Config is zero and values are not checked, but
// key names are.
func (d *iniDoc) section(name, envPrefix string) (cfg Config, enabled bool, err error) {
	vals := map[string]iniVal{}
	if s, err := d.file.GetSection(name); err == nil {
		for _, k := range s.Keys() {
			loc := iniLoc{line: d.lines[name][k.Name()].n}
			if _, ok := lookupINIKey(k.Name()); !ok {
				if !iniPlausibleKey.MatchString(k.Name()) {
					// Likely a pasted value (base64 with "=" padding):
					// do not repeat it.
					return Config{}, false, d.errorf(loc, name, "", "not a key: the text before \"=\" or \":\" is not a key name")
				}
				return Config{}, false, d.errorf(loc, name, k.Name(), "unknown key%s", suggestINIKey(k.Name()))
			}
			v, loc := d.fileValue(name, k)
			vals[k.Name()] = iniVal{v: v, loc: loc}
		}
	}
	envVals := map[string]iniVal{}
	for _, k := range iniKeyNames {
		e := envPrefix + strings.ToUpper(k)
		if v, ok := d.env[e]; ok {
			envVals[k] = iniVal{v: v, loc: iniLoc{env: e}}
		}
	}
	// "enabled" first: the other values are expanded and checked only in
	// an enabled section.
	for _, m := range []map[string]iniVal{vals, envVals} {
		if err := d.expandAll(m, name, iniKeyNames[:1]); err != nil {
			return Config{}, false, err
		}
	}
	if v, ok := pickINI(envVals["enabled"], vals["enabled"]); ok {
		if enabled, err = iniBool(v.v); err != nil {
			return Config{}, false, d.errorf(v.loc, name, "enabled", "%v", err)
		}
	}
	if !enabled {
		return Config{}, false, nil
	}
	for _, m := range []map[string]iniVal{vals, envVals} {
		if err := d.expandAll(m, name, iniKeyNames[1:]); err != nil {
			return Config{}, false, err
		}
	}
	users, err := d.readUsers()
	if err != nil {
		return Config{}, false, err
	}

	var c Config
	for _, k := range iniKeys {
		v, ok := pickINI(envVals[k.name], vals[k.name])
		if !ok || k.apply == nil {
			continue
		}
		if err := k.apply(&c, v.v); err != nil {
			return Config{}, false, d.errorf(v.loc, name, k.name, "%v", err)
		}
	}

	// auto_assign_*: GF_AUTH_JWT_, GF_USERS_, [auth.jwt], [users].
	org := func(key string) (iniVal, string, bool) {
		if v, ok := pickINI(envVals[key]); ok {
			return v, name, true
		}
		if v, ok := pickINI(users.env[key]); ok {
			return v, iniUsersSection, true
		}
		if v, ok := pickINI(vals[key]); ok {
			return v, name, true
		}
		if v, ok := pickINI(users.file[key]); ok {
			return v, iniUsersSection, true
		}
		return iniVal{}, "", false
	}
	if v, sec, ok := org("auto_assign_org_role"); ok {
		if err := iniRole(v.v); err != nil {
			return Config{}, false, d.errorf(v.loc, sec, "auto_assign_org_role", "%v", err)
		}
		c.AutoAssignOrgRole = Role(v.v)
	}
	assign := true // Grafana's default
	if v, sec, ok := org("auto_assign_org"); ok {
		if assign, err = iniBool(v.v); err != nil {
			return Config{}, false, d.errorf(v.loc, sec, "auto_assign_org", "%v", err)
		}
	}
	id := 1
	if v, sec, ok := org("auto_assign_org_id"); ok {
		if id, err = iniInt(v.v); err == nil && id < 1 {
			err = errors.New("must be an org id of 1 or more")
		}
		if err != nil {
			return Config{}, false, d.errorf(v.loc, sec, "auto_assign_org_id", "%v", err)
		}
	}
	// Grafana's default org: auto_assign_org_id when auto_assign_org is
	// on, else 1 (Config's "" default). default_org wins.
	if c.DefaultOrg == "" && assign && id != 1 {
		c.DefaultOrg = strconv.Itoa(id)
	}
	return c, true, nil
}

// pickINI returns the first value that is set.
func pickINI(vs ...iniVal) (iniVal, bool) {
	for _, v := range vs {
		if v.v != "" {
			return v, true
		}
	}
	return iniVal{}, false
}

// iniExpandRE matches Grafana's expansions: ${NAME}, $__env{NAME},
// $__file{path} and any other $__name{...}.
var iniExpandRE = regexp.MustCompile(`\$(|__\w+)\{([^}]+)\}`)

func iniExpand(v string, vars []string) (string, error) {
	if !strings.Contains(v, "$") {
		return v, nil
	}
	var err error
	out := iniExpandRE.ReplaceAllStringFunc(v, func(m string) string {
		if err != nil {
			return m
		}
		sub := iniExpandRE.FindStringSubmatch(m)
		switch sub[1] {
		case "", "__env":
			return iniLookupEnv(vars, sub[2])
		case "__file":
			var s string
			s, err = iniReadFile(sub[2])
			return s
		default:
			err = fmt.Errorf("unsupported expansion %s{...} (only $__env, ${...} and $__file are)", "$"+sub[1])
			return m
		}
	})
	return out, err
}

// iniLookupEnv returns the last value of name in vars, or "".
func iniLookupEnv(vars []string, name string) string {
	for i := len(vars) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(vars[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}

func iniReadFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("$__file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("$__file{%s}: not a regular file", path)
	}
	b, err := readLimited(path)
	if err != nil {
		return "", fmt.Errorf("$__file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// iniBool accepts the spellings of ini.v1's Key.Bool.
func iniBool(v string) (bool, error) {
	switch v {
	case "1", "t", "T", "true", "TRUE", "True", "YES", "yes", "Yes", "y", "ON", "on", "On":
		return true, nil
	case "0", "f", "F", "false", "FALSE", "False", "NO", "no", "No", "n", "OFF", "off", "Off":
		return false, nil
	}
	return false, fmt.Errorf("%s is not a boolean (use true or false)", iniQuote(v))
}

func iniDuration(v string) (time.Duration, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n == 0 {
			return 0, nil
		}
		alt := ""
		switch {
		case n%3600 == 0:
			alt = fmt.Sprintf(" (or %q)", strconv.FormatInt(n/3600, 10)+"h")
		case n%60 == 0:
			alt = fmt.Sprintf(" (or %q)", strconv.FormatInt(n/60, 10)+"m")
		}
		return 0, fmt.Errorf("%s has no unit; for seconds write %q%s", iniQuote(v), v+"s", alt)
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s is not a duration (examples: 90s, 60m, 1h30m)", iniQuote(v))
	}
	if d < 0 {
		return 0, fmt.Errorf("%s is negative", iniQuote(v))
	}
	return d, nil
}

func iniInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s is not an integer", iniQuote(v))
	}
	if n < 0 {
		return 0, fmt.Errorf("%s is negative", iniQuote(v))
	}
	return n, nil
}

func iniRole(v string) error {
	switch Role(v) {
	case RoleNone, RoleViewer, RoleEditor, RoleAdmin:
		return nil
	}
	for _, r := range []Role{RoleNone, RoleViewer, RoleEditor, RoleAdmin} {
		if strings.EqualFold(v, string(r)) {
			return fmt.Errorf("%s is not a role; roles are case-sensitive: did you mean %s?", iniQuote(v), r)
		}
	}
	return fmt.Errorf("%s is not a role (use None, Viewer, Editor or Admin)", iniQuote(v))
}

func iniAlgorithm(a string) error {
	if algs.Index(a) >= 0 {
		return nil
	}
	if strings.EqualFold(a, "none") {
		return errors.New(`"none" is never allowed`)
	}
	for _, k := range algs.Names() {
		if strings.EqualFold(a, k) {
			return fmt.Errorf("unknown algorithm %s; names are case-sensitive: did you mean %s?", iniQuote(a), k)
		}
	}
	return fmt.Errorf("unknown algorithm %s (known: %s)", iniQuote(a), strings.Join(algs.Names(), ", "))
}

func iniExpectClaims(v string) (map[string]any, error) {
	if !strings.HasPrefix(v, "{") {
		return nil, errors.New(`must be a JSON object, like {"iss": "https://issuer.example"}`)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("invalid JSON at offset %d: %v", se.Offset, err)
		}
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	// Decode again keeping numbers as json.Number, so that expect_claims
	// compares integers beyond 2^53 by every digit.
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	m = nil
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	for _, c := range []string{"iss", "sub"} {
		if x, ok := m[c]; ok {
			if _, isStr := x.(string); !isStr {
				return nil, fmt.Errorf("%q must be a string, not %s", c, iniJSONType(x))
			}
		}
	}
	if x, ok := m["aud"]; ok {
		switch a := x.(type) {
		case string:
		case []any:
			for _, e := range a {
				if _, isStr := e.(string); !isStr {
					return nil, fmt.Errorf(`"aud" must be a string or an array of strings; it holds %s`, iniJSONType(e))
				}
			}
		default:
			return nil, fmt.Errorf(`"aud" must be a string or an array of strings, not %s`, iniJSONType(x))
		}
	}
	return m, nil
}

func iniJSONType(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", x)
}

// iniList splits a list value like Grafana's util.SplitString: a JSON array
// of strings when it starts with "[", otherwise items separated by commas
// or white space, with "double-quoted items" kept whole. Unlike Grafana, a
// bad JSON array or an unterminated quote is an error.
func iniList(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "[") {
		var raw []any
		if err := json.Unmarshal([]byte(v), &raw); err != nil {
			return nil, fmt.Errorf("a list starting with [ must be a JSON array of strings: %v", err)
		}
		out := make([]string, 0, len(raw))
		for _, e := range raw {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("a JSON list holds strings only, not %s", iniJSONType(e))
			}
			if s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	var out []string
	for i := 0; i < len(v); {
		switch c := v[i]; {
		case c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			i++
		case c == '"':
			j := strings.IndexByte(v[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unterminated quote at offset %d", i)
			}
			if j > 0 {
				out = append(out, v[i+1:i+1+j])
			}
			i += j + 2
		default:
			j := i
			for j < len(v) && !strings.ContainsRune(",\" \t\n\r\v\f", rune(v[j])) {
				j++
			}
			out = append(out, v[i:j])
			i = j
		}
	}
	return out, nil
}

// iniBase64 checks that v decodes as base64 (standard or URL alphabet,
// padded or not; New decides what it accepts). The value itself is never
// put in the error.
func iniBase64(v, what string) error {
	hint := ""
	switch {
	case strings.Contains(v, "-----BEGIN"):
		hint = " (this looks like raw PEM: base64-encode the whole PEM, or use key_file)"
	case strings.HasPrefix(v, "{"):
		hint = " (this looks like raw JSON: base64-encode the JWKS, or use jwk_set_file)"
	default:
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if _, err := enc.DecodeString(v); err == nil {
				return nil
			}
		}
	}
	return fmt.Errorf("the %s must be base64-encoded (standard alphabet)%s", what, hint)
}

// iniQuote quotes a value for an error message, truncated.
func iniQuote(v string) string {
	const max = 40
	if len(v) > max {
		return strconv.Quote(v[:max]) + "..."
	}
	return strconv.Quote(v)
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
