package claims

// Role is a Grafana organization role, the result of role mapping
// (role_attribute_path, org_mapping) that package jwtauth reports as
// jwtauth.Role. Role strings are case-sensitive: "admin" is not a role. The
// zero value "" means no role and is not valid.
type Role string

// The valid roles, lowest first.
const (
	RoleNone   Role = "None"
	RoleViewer Role = "Viewer"
	RoleEditor Role = "Editor"
	RoleAdmin  Role = "Admin"
)

// IsValid reports whether r is exactly one of [RoleNone], [RoleViewer],
// [RoleEditor] or [RoleAdmin]. The empty role and "GrafanaAdmin" are not
// valid org roles.
func (r Role) IsValid() bool {
	return r.rank() > 0
}

// rank orders the valid roles None < Viewer < Editor < Admin; an invalid
// role ranks 0, below all of them.
func (r Role) rank() int {
	switch r {
	case RoleNone:
		return 1
	case RoleViewer:
		return 2
	case RoleEditor:
		return 3
	case RoleAdmin:
		return 4
	}
	return 0
}
