package claims

// Role is a Grafana organization role. Role strings are case-sensitive:
// "admin" is not a role.
type Role string

// The valid roles, lowest first.
const (
	RoleNone   Role = "None"
	RoleViewer Role = "Viewer"
	RoleEditor Role = "Editor"
	RoleAdmin  Role = "Admin"
)

// roleGrafanaAdmin is the role string that a role_attribute_path may return
// to make the user a server administrator. It is not an org role: it maps to
// [RoleAdmin] plus the admin flag.
const roleGrafanaAdmin = "GrafanaAdmin"

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

// HighestRole returns the highest valid role among roles, in the order
// None < Viewer < Editor < Admin. Invalid roles are ignored; when no role is
// valid (or none is given) it returns "".
func HighestRole(roles ...Role) Role {
	var best Role
	for _, r := range roles {
		if r.rank() > best.rank() {
			best = r
		}
	}
	return best
}
