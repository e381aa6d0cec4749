// Package mapper turns a verified claim set into an identity the way
// Grafana's JWT client does: login, email, name, groups, role, server admin
// flag and org roles, from the [auth.jwt] keys its Config mirrors. It is the
// identity mapping of package jwtauth; failures are *claims.Error values
// wrapping the claims sentinels.
package mapper

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/jwtgate/jwtgate/claims"
	"github.com/jwtgate/jwtgate/internal/detail"
)

// Config configures a [Mapper]. Each field mirrors the [auth.jwt] key
// named in its comment; the zero value of each field is its default.
type Config struct {
	// UsernameClaim names a top-level claim holding the login
	// (username_claim). A value that is not a string gives an empty login.
	UsernameClaim string
	// EmailClaim names a top-level claim holding the email (email_claim),
	// read like UsernameClaim. The format is not checked.
	EmailClaim string
	// UsernameAttributePath is a JMESPath expression for the login, used
	// only when UsernameClaim is "" (username_attribute_path).
	UsernameAttributePath string
	// EmailAttributePath is a JMESPath expression for the email, used only
	// when EmailClaim is "" (email_attribute_path).
	EmailAttributePath string
	// RoleAttributePath is a JMESPath expression for the role string
	// (role_attribute_path): "None", "Viewer", "Editor", "Admin" or
	// "GrafanaAdmin". Evaluation errors and other results give no role.
	RoleAttributePath string
	// GroupsAttributePath is a JMESPath expression for the groups
	// (groups_attribute_path); string elements of an array result are kept.
	GroupsAttributePath string
	// OrgAttributePath is a JMESPath expression for the external org names
	// that OrgMapping entries match (org_attribute_path).
	OrgAttributePath string
	// RoleAttributeStrict makes [Mapper.Map] fail with ErrNoRole when no
	// org role results, and makes invalid OrgMapping entries a New
	// error (role_attribute_strict).
	RoleAttributeStrict bool
	// AllowAssignGrafanaAdmin sets Identity.IsGrafanaAdmin on every mapped
	// identity: true for the role string "GrafanaAdmin", false otherwise, so
	// that a caller syncing users demotes former admins
	// (allow_assign_grafana_admin).
	AllowAssignGrafanaAdmin bool
	// SkipOrgRoleSync skips role, admin and org mapping: Identity.Role is
	// "", IsGrafanaAdmin and OrgRoles are nil (skip_org_role_sync). Groups
	// are still mapped.
	SkipOrgRoleSync bool
	// OrgMapping holds "external:org[:Role]" entries (org_mapping). A
	// backslash escapes a colon ("\:"). external is an org name from
	// OrgAttributePath, or "*" for every user (even one without orgs); org
	// is a Grafana org ID or name, kept as written, or "*" for all orgs; a
	// missing or invalid role means Viewer unless RoleAttributeStrict, where
	// it is an error.
	OrgMapping []string
	// AutoAssignOrgRole is the role given in DefaultOrg when neither the
	// role path nor OrgMapping gives one (auto_assign_org_role); "" means
	// Viewer. Any other invalid value is a New error.
	AutoAssignOrgRole claims.Role
	// DefaultOrg is the org key used when no OrgMapping entry matches; ""
	// means "1", Grafana's main org.
	DefaultOrg string
	// Logger receives warnings about skipped OrgMapping entries and debug
	// messages about role evaluation; nil discards them.
	Logger *slog.Logger
}

// Mapper turns a verified claim set into an [Identity], following the
// rules of Grafana's JWT client. A Mapper is immutable and safe for
// concurrent use by multiple goroutines.
type Mapper struct {
	cfg                                 Config
	username, email, role, groups, orgs *claims.Path
	mapping                             []orgMapping
	autoRole                            claims.Role
	defaultOrg                          string
	hasLoginSource                      bool
	log                                 *slog.Logger
}

// Identity is what a claim set says about its bearer, as [Mapper.Map]
// returns it. Its slices and map are fresh on every call and belong to the
// caller.
type Identity struct {
	Login string // from UsernameClaim or UsernameAttributePath; "sub" when no login or email source is configured
	Email string // from EmailClaim or EmailAttributePath
	Name  string // the "name" claim when it is a non-empty string
	// Role is the valid role from RoleAttributePath ("GrafanaAdmin" gives
	// claims.RoleAdmin), or "" when there is none.
	Role claims.Role
	// IsGrafanaAdmin is nil unless AllowAssignGrafanaAdmin; then it is set
	// on every identity (a fresh pointer, safe to modify).
	IsGrafanaAdmin *bool
	Groups         []string // from GroupsAttributePath; nil when it is not configured
	// OrgRoles maps org keys (a DefaultOrg, an org ID or name from
	// OrgMapping, or "*") to roles; nil with SkipOrgRoleSync.
	OrgRoles map[string]claims.Role
}

// New validates cfg and compiles every attribute path once. Errors
// begin with the Config field name, for example
// `RoleAttributePath: invalid JMESPath expression "foo[": …`. An invalid
// OrgMapping entry is an error (naming its index) when RoleAttributeStrict
// is set; otherwise it is logged at warn level and skipped. New copies
// what it keeps of cfg.
func New(cfg Config) (*Mapper, error) {
	m := &Mapper{
		cfg:        cfg,
		autoRole:   cfg.AutoAssignOrgRole,
		defaultOrg: cfg.DefaultOrg,
		log:        cfg.Logger,
	}
	m.cfg.OrgMapping = nil // parsed below; the Mapper keeps no reference to the caller's slice
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.autoRole == "" {
		m.autoRole = claims.RoleViewer
	}
	if !m.autoRole.IsValid() {
		return nil, fmt.Errorf("AutoAssignOrgRole: invalid role %q (want None, Viewer, Editor or Admin)", cfg.AutoAssignOrgRole)
	}
	if m.defaultOrg == "" {
		m.defaultOrg = "1"
	}
	for _, p := range []struct {
		field, expr string
		dst         **claims.Path
	}{
		{"UsernameAttributePath", cfg.UsernameAttributePath, &m.username},
		{"EmailAttributePath", cfg.EmailAttributePath, &m.email},
		{"RoleAttributePath", cfg.RoleAttributePath, &m.role},
		{"GroupsAttributePath", cfg.GroupsAttributePath, &m.groups},
		{"OrgAttributePath", cfg.OrgAttributePath, &m.orgs},
	} {
		if p.expr == "" {
			continue
		}
		path, err := claims.CompilePath(p.expr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.field, err)
		}
		*p.dst = path
	}
	m.hasLoginSource = cfg.UsernameClaim != "" || cfg.UsernameAttributePath != "" ||
		cfg.EmailClaim != "" || cfg.EmailAttributePath != ""

	for i, entry := range cfg.OrgMapping {
		om, warn, err := parseOrgMapping(entry, cfg.RoleAttributeStrict)
		if err != nil {
			if cfg.RoleAttributeStrict {
				return nil, fmt.Errorf("OrgMapping[%d] %q: %w", i, entry, err)
			}
			m.log.Warn("claims: skipping invalid OrgMapping entry", "index", i, "entry", entry, "reason", err.Error())
			continue
		}
		if warn != "" {
			m.log.Warn("claims: OrgMapping entry role replaced", "index", i, "entry", entry, "reason", warn)
		}
		m.mapping = append(m.mapping, om)
	}
	return m, nil
}

// Map derives an Identity from the verified claim set c (JSON-typed, as
// decoded from the token), in Grafana's order:
//
//  1. Login from UsernameClaim, else UsernameAttributePath; Email likewise;
//     Name from "name"; Groups from GroupsAttributePath.
//  2. Unless SkipOrgRoleSync: Role from RoleAttributePath, IsGrafanaAdmin
//     when AllowAssignGrafanaAdmin, external orgs from OrgAttributePath, and
//     OrgRoles. With no OrgMapping entry matching, OrgRoles is {DefaultOrg:
//     Role} when Role is valid, else {DefaultOrg: AutoAssignOrgRole} (empty
//     under RoleAttributeStrict). Otherwise the "*" entries and the entries
//     matching an external org are merged by highest role, and a valid Role
//     raises each of them to at least Role.
//  3. RoleAttributeStrict and no OrgRoles: ErrNoRole.
//  4. When no username or email source is configured, Login is the "sub"
//     claim (Grafana would reject every token); otherwise an empty Login and
//     Email is ErrMissing with Claim "login".
//
// A run-time error in the username, email, groups or org path is an
// *[claims.Error] wrapping ErrPath; in the role path it only means "no role".
// Every error is a *[claims.Error] wrapping one sentinel of package claims.
func (m *Mapper) Map(c map[string]any) (Identity, error) {
	var id Identity
	var err error
	if m.cfg.UsernameClaim != "" {
		id.Login, _ = c[m.cfg.UsernameClaim].(string)
	} else if m.username != nil {
		if id.Login, err = m.username.String(c); err != nil {
			return Identity{}, pathError("UsernameAttributePath", err)
		}
	}
	if m.cfg.EmailClaim != "" {
		id.Email, _ = c[m.cfg.EmailClaim].(string)
	} else if m.email != nil {
		if id.Email, err = m.email.String(c); err != nil {
			return Identity{}, pathError("EmailAttributePath", err)
		}
	}
	id.Name, _ = c["name"].(string)
	if m.groups != nil {
		if id.Groups, err = m.groups.Strings(c); err != nil {
			return Identity{}, pathError("GroupsAttributePath", err)
		}
	}

	if !m.cfg.SkipOrgRoleSync {
		role, raw, admin := m.mapRole(c)
		id.Role = role
		if m.cfg.AllowAssignGrafanaAdmin {
			isAdmin := admin // a fresh pointer per identity; admin itself stays on the stack
			id.IsGrafanaAdmin = &isAdmin
		}
		var external []string
		if m.orgs != nil {
			if external, err = m.orgs.Strings(c); err != nil {
				return Identity{}, pathError("OrgAttributePath", err)
			}
		}
		id.OrgRoles = m.orgRoles(external, role)
		if m.cfg.RoleAttributeStrict && len(id.OrgRoles) == 0 {
			detail := "no role from RoleAttributePath and no matching OrgMapping entry"
			if raw != "" {
				detail = fmt.Sprintf("role %s is not valid and no OrgMapping entry matches", quote(raw))
			}
			return Identity{}, newError(claims.ErrNoRole, "", detail)
		}
	}

	if !m.hasLoginSource {
		id.Login, _ = c["sub"].(string)
	} else if id.Login == "" && id.Email == "" {
		return Identity{}, newError(claims.ErrMissing, "login", "no login or email in the claims")
	}
	return id, nil
}

// mapRole evaluates RoleAttributePath. It returns the valid role (or ""),
// the raw role string and whether it was "GrafanaAdmin".
func (m *Mapper) mapRole(c map[string]any) (role claims.Role, raw string, admin bool) {
	if m.role == nil {
		return "", "", false
	}
	raw, err := m.role.String(c)
	if err != nil {
		m.log.Debug("claims: RoleAttributePath failed; no role", "error", err.Error())
		return "", "", false
	}
	if raw == roleGrafanaAdmin {
		return claims.RoleAdmin, raw, true
	}
	if r := claims.Role(raw); r.IsValid() {
		return r, raw, false
	}
	if raw != "" && m.log.Enabled(context.Background(), slog.LevelDebug) {
		m.log.Debug("claims: RoleAttributePath gave an invalid role; no role", "role", quote(raw))
	}
	return "", raw, false
}

// orgRoles applies OrgMapping to the external orgs and the role.
func (m *Mapper) orgRoles(external []string, role claims.Role) map[string]claims.Role {
	var out map[string]claims.Role
	for _, e := range m.mapping {
		if e.external != "*" && !slices.Contains(external, e.external) {
			continue
		}
		if out == nil {
			out = make(map[string]claims.Role, len(m.mapping))
		}
		out[e.org] = highest(out[e.org], e.role)
	}
	if out == nil {
		switch {
		case role.IsValid():
			return map[string]claims.Role{m.defaultOrg: role}
		case m.cfg.RoleAttributeStrict:
			return map[string]claims.Role{}
		default:
			return map[string]claims.Role{m.defaultOrg: m.autoRole}
		}
	}
	if role.IsValid() {
		for org, r := range out {
			out[org] = highest(r, role)
		}
	}
	return out
}

// pathError names the configuration field of a failed attribute path.
func pathError(field string, err error) error {
	if e, ok := err.(*claims.Error); ok {
		return newError(e.Err, e.Claim, field+" "+e.Detail)
	}
	return newError(claims.ErrPath, "", field+": "+quote(err.Error()))
}

// roleGrafanaAdmin is the role string that a role_attribute_path may return
// to make the user a server administrator. It is not an org role: it maps to
// claims.RoleAdmin plus the admin flag.
const roleGrafanaAdmin = "GrafanaAdmin"

// newError builds the *claims.Error every failure of Map returns.
func newError(sentinel error, claim, detail string) *claims.Error {
	return &claims.Error{Err: sentinel, Claim: claim, Detail: detail}
}

// quote renders token-derived text for an error detail or log, as
// package claims does.
func quote(s string) string { return detail.Quote(s, 64) }

// highest returns the highest valid role among roles, in the order
// None < Viewer < Editor < Admin, or "" when none is valid.
func highest(roles ...claims.Role) claims.Role {
	var best claims.Role
	for _, r := range roles {
		switch {
		case !r.IsValid():
		case !best.IsValid() || best == claims.RoleNone || r.AtLeast(best):
			best = r
		}
	}
	return best
}
