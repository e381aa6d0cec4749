package mapper

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/jwtgate/jwtgate/claims"
)

func TestHighest(t *testing.T) {
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
		assert.Equal(t, tc.want, highest(tc.in...), "%v", tc.in)
	}
}
