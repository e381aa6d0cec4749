package claims_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/jwtgate/jwtgate/claims"
)

func TestRole_IsValid(t *testing.T) {
	for _, r := range []claims.Role{claims.RoleNone, claims.RoleViewer, claims.RoleEditor, claims.RoleAdmin} {
		assert.True(t, r.IsValid(), r)
	}
	for _, r := range []claims.Role{"", "admin", "ADMIN", "viewer", "GrafanaAdmin", "Admin ", " Admin", "Owner"} {
		assert.False(t, r.IsValid(), r)
	}
}

func TestHighestRole(t *testing.T) {
	for _, tc := range []struct {
		in   []claims.Role
		want claims.Role
	}{
		{nil, ""},
		{[]claims.Role{"", "bogus"}, ""},
		{[]claims.Role{claims.RoleNone}, claims.RoleNone},
		{[]claims.Role{claims.RoleNone, claims.RoleViewer}, claims.RoleViewer},
		{[]claims.Role{claims.RoleEditor, claims.RoleViewer, claims.RoleNone}, claims.RoleEditor},
		{[]claims.Role{claims.RoleViewer, claims.RoleAdmin, claims.RoleEditor}, claims.RoleAdmin},
		{[]claims.Role{"GrafanaAdmin", claims.RoleViewer}, claims.RoleViewer},
	} {
		assert.Equal(t, tc.want, claims.HighestRole(tc.in...), "%v", tc.in)
	}
}
