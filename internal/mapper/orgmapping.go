package mapper

import (
	"fmt"
	"strings"

	"github.com/jwtgate/jwtgate/claims"
)

// orgMapping is one parsed org_mapping entry.
type orgMapping struct {
	external string      // external org name from OrgAttributePath, or "*" for everyone
	org      string      // Grafana org as written: numeric ID, name, or "*" for all orgs
	role     claims.Role // always valid
}

// parseOrgMapping parses one "external:org[:Role]" entry. A backslash
// before a colon escapes it; any other backslash is kept. A missing or
// invalid role is an error in strict mode and Viewer otherwise (warn then
// says why the role was replaced, or is empty).
func parseOrgMapping(entry string, strict bool) (m orgMapping, warn string, err error) {
	parts := splitOrgMapping(entry)
	if len(parts) < 2 || len(parts) > 3 {
		return orgMapping{}, "", fmt.Errorf("has %d part(s), want external:org or external:org:role", len(parts))
	}
	m.external, m.org = parts[0], parts[1]
	if m.external == "" {
		return orgMapping{}, "", fmt.Errorf("empty external org")
	}
	if m.org == "" {
		return orgMapping{}, "", fmt.Errorf("empty org")
	}
	m.role = claims.RoleViewer
	switch {
	case len(parts) == 2 && strict:
		return orgMapping{}, "", fmt.Errorf("no role (required with RoleAttributeStrict)")
	case len(parts) == 3 && claims.Role(parts[2]).IsValid():
		m.role = claims.Role(parts[2])
	case len(parts) == 3 && strict:
		return orgMapping{}, "", fmt.Errorf("invalid role %q (want None, Viewer, Editor or Admin)", parts[2])
	case len(parts) == 3:
		warn = fmt.Sprintf("invalid role %q replaced by Viewer", parts[2])
	}
	return m, warn, nil
}

// splitOrgMapping splits entry on colons that are not escaped by a
// backslash, unescaping "\:".
func splitOrgMapping(entry string) []string {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(entry); i++ {
		switch {
		case entry[i] == '\\' && i+1 < len(entry) && entry[i+1] == ':':
			cur.WriteByte(':')
			i++
		case entry[i] == ':':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(entry[i])
		}
	}
	return append(parts, cur.String())
}
