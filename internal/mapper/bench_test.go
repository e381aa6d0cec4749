package mapper_test

import (
	"testing"

	"github.com/jwtgate/jwtgate/internal/mapper"
)

const benchRolePath = "contains(realm_access.roles[*], 'admin') && 'Admin' || contains(realm_access.roles[*], 'editor') && 'Editor' || 'Viewer'"

func BenchmarkMap(b *testing.B) {
	c := decode(b, keycloakPayload)
	b.Run("claims_only", func(b *testing.B) {
		m := mustMapper(b, mapper.Config{UsernameClaim: "preferred_username", EmailClaim: "email"})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Map(c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("keycloak", func(b *testing.B) {
		m := mustMapper(b, mapper.Config{
			UsernameClaim: "preferred_username", EmailClaim: "email",
			RoleAttributePath: benchRolePath, GroupsAttributePath: "groups", OrgAttributePath: "groups",
			OrgMapping: []string{"/ops:Operations:Editor", "*:1:Viewer"}, AllowAssignGrafanaAdmin: true,
		})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Map(c); err != nil {
				b.Fatal(err)
			}
		}
	})
}
