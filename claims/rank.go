package claims

// AtLeast reports whether r grants at least min, in the order
// Viewer < Editor < Admin. None, "" and any string that is not a role
// rank below Viewer and never satisfy a min; a min other than Viewer,
// Editor or Admin is satisfied by no role (fail closed).
func (r Role) AtLeast(min Role) bool {
	return min.rank() >= RoleViewer.rank() && r.rank() >= min.rank()
}
