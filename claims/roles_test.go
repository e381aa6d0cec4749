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
