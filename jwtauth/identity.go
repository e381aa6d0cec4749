package jwtauth

import (
	"context"
	"time"

	"github.com/jwtgate/jwtgate/claims"
)

// Role is a Grafana organization role. It is claims.Role, whose methods
// it has: IsValid, and AtLeast for role checks (see also
// [Verifier.RequireRole]).
type Role = claims.Role

// The valid roles. Role strings are case-sensitive.
const (
	RoleNone   Role = claims.RoleNone
	RoleViewer Role = claims.RoleViewer
	RoleEditor Role = claims.RoleEditor
	RoleAdmin  Role = claims.RoleAdmin
)

// Identity is what a verified token says about its bearer. Each call
// returns its own Identity, which the caller may modify, including the maps
// and slices nested in Claims: a token served from the verified-token cache
// gets a deep copy of the cached claims, which no caller can reach.
type Identity struct {
	Issuer         string          // "iss" when present
	Subject        string          // "sub" (required)
	Login          string          // from UsernameClaim / UsernameAttributePath; the subject when neither login nor email is configured
	Email          string          // from EmailClaim / EmailAttributePath
	Name           string          // "name" claim when it is a non-empty string
	Role           Role            // from RoleAttributePath; "" when none
	IsGrafanaAdmin *bool           // nil unless AllowAssignGrafanaAdmin
	Groups         []string        // from GroupsAttributePath
	OrgRoles       map[string]Role // org key ("1", an org name, or "*") -> role; nil with SkipOrgRoleSync
	AllowSignUp    bool            // Config.AutoSignUp
	ExpiresAt      time.Time       // zero when the token has no exp
	Claims         map[string]any  // all verified claims, JSON-typed (numbers float64)
	Scopes         []string        // granted scopes: "scope", else "scp"; each a space-delimited string or an array of strings; nil when neither
	Confirmation   map[string]any  // the verified "cnf" claim (RFC 7800); nil when absent

	// payload is the verified JSON payload Claims was parsed from, read
	// (never written) by DecodeClaims; "" for an Identity built by hand.
	payload string
}

type identityKey struct{}

// NewContext returns a copy of ctx that carries id.
func NewContext(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// FromContext returns the Identity stored by [Verifier.Middleware] (or
// [NewContext]), if any.
func FromContext(ctx context.Context) (*Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(*Identity)
	return id, ok && id != nil
}
