// Package grafanaini reads the [auth.jwt] sections of a grafana.ini-style
// document, with Grafana's GF_AUTH_JWT_* environment overrides, into
// [Settings]. It checks syntax and types only, and reports every problem as
// an [*Error] naming the line (or variable), the section and the key.
//
// jwtauth's LoadINI, ParseINI, LoadINIAll and ParseINIAll forward here and
// document the keys and value rules for users.
package grafanaini

import (
	"time"

	"github.com/jwtgate/jwtgate/claims"
)

// Settings holds the values of one [auth.jwt] section. Each field has the
// name and meaning of the jwtauth.Config field it fills; the zero value of
// a field means the key was not set. Durations and sizes that the ini
// spells "0" for "none" are negative here, as Config wants them.
type Settings struct {
	HeaderName            string
	URLLogin              bool
	CookieName            string
	KeyFile               string
	KeyValue              string
	KeyID                 string
	JWKSetFile            string
	JWKSetValue           string
	JWKSetURL             string
	JWKSetBearerTokenFile string
	CacheTTL              time.Duration
	TLSClientCA           string
	TLSClientCert         string
	TLSClientKey          string
	TLSSkipVerifyInsecure bool
	InsecureAllowHTTP     bool
	OIDCIssuerURL         string
	MinRefreshInterval    time.Duration
	MaxStale              time.Duration
	TokenCacheSize        int
	Algorithms            []string
	ExpectClaims          map[string]any
	Leeway                time.Duration
	RequireExp            bool

	UsernameClaim           string
	EmailClaim              string
	UsernameAttributePath   string
	EmailAttributePath      string
	RoleAttributePath       string
	RoleAttributeStrict     bool
	AllowAssignGrafanaAdmin bool
	SkipOrgRoleSync         bool
	GroupsAttributePath     string
	OrgAttributePath        string
	OrgMapping              []string
	AutoSignUp              bool
	AutoAssignOrgRole       claims.Role
	DefaultOrg              string

	TokenTypes          []string
	ResourceMetadataURL string
	DPoP                string // "" (unset), DPoPOff, DPoPAllowed or DPoPRequired
	DPoPProofMaxAge     time.Duration
	DPoPAlgorithms      []string
	DPoPNonceKey        []byte // decoded; at least 32 bytes
	PublicURL           string
	CertBoundTokens     bool
	ClientCertHeader    string
}

// Section is one enabled [auth.jwt] or [auth.jwt.<name>] section. The zero
// Section sets nothing.
type Section struct {
	Name     string // "auth.jwt" or "auth.jwt.<name>"
	Line     int    // line of its header; 0 when only the environment defines it
	Settings Settings
	// Origins maps the name of each Settings field that was set to where
	// its value came from.
	Origins map[string]Origin
}

// Origin is where a Settings field's value was set; the zero Origin is
// unknown.
type Origin struct {
	Section string // the section holding the key ("users" for the [users] defaults)
	Key     string // the ini key
	Loc            // its line, or the environment variable
}

// Parse returns the [auth.jwt] section of data, with overrides from env (a
// list of "NAME=value" strings as os.Environ returns). file names the
// document in errors ("" for none). It returns [ErrDisabled] when the
// section is not enabled, and an [*Error] for anything malformed.
func Parse(data []byte, env []string, file string) (Section, error) {
	secs, err := parse(data, env, file, false)
	if err != nil {
		return Section{}, err
	}
	return secs[0], nil
}

// ParseAll is Parse for [auth.jwt] followed by every enabled extra
// [auth.jwt.<name>] section, in file order, then those defined only by the
// environment, by name.
func ParseAll(data []byte, env []string, file string) ([]Section, error) {
	return parse(data, env, file, true)
}

// KeyNames returns the keys of an [auth.jwt] section, in documentation
// order, in a new slice.
func KeyNames() []string { return append([]string(nil), iniKeyNames...) }

// KeyOf returns the key that sets the Settings field named field, and
// false when no key sets it.
func KeyOf(field string) (string, bool) {
	for _, k := range iniKeys {
		if k.field == field {
			return k.name, true
		}
	}
	return "", false
}
