package mapper_test

import (
	"encoding/json"
	"fmt"

	"github.com/jwtgate/jwtgate/internal/mapper"
)

// A Keycloak access token, as the verifier decodes its payload.
const keycloakPayload = `{
	"exp": 1795431600, "iat": 1795428000,
	"iss": "https://sso.example.com/realms/acme", "aud": "grafana",
	"sub": "f7a3c2de-1b2c-4d5e-8f90-123456789abc", "azp": "grafana",
	"preferred_username": "jdoe", "email": "jdoe@example.com", "name": "Jane Doe",
	"realm_access": {"roles": ["editor", "offline_access", "uma_authorization"]},
	"resource_access": {"grafana": {"roles": ["admin"]}},
	"groups": ["/ops", "/ops/oncall"]
}`

func ExampleMapper_Map() {
	var c map[string]any
	if err := json.Unmarshal([]byte(keycloakPayload), &c); err != nil {
		panic(err)
	}
	m, err := mapper.New(mapper.Config{
		UsernameClaim: "preferred_username",
		EmailClaim:    "email",
		RoleAttributePath: "contains(resource_access.grafana.roles[*], 'admin') && 'Admin'" +
			" || contains(realm_access.roles[*], 'editor') && 'Editor' || 'Viewer'",
		GroupsAttributePath: "groups",
		OrgAttributePath:    "groups",
		OrgMapping:          []string{"/ops:Operations:Editor", "*:1:Viewer"},
	})
	if err != nil {
		panic(err)
	}
	id, err := m.Map(c)
	if err != nil {
		panic(err)
	}
	fmt.Println("login:", id.Login)
	fmt.Println("email:", id.Email)
	fmt.Println("name:", id.Name)
	fmt.Println("role:", id.Role)
	fmt.Println("groups:", id.Groups)
	fmt.Println("org roles:", id.OrgRoles)
	// Output:
	// login: jdoe
	// email: jdoe@example.com
	// name: Jane Doe
	// role: Admin
	// groups: [/ops /ops/oncall]
	// org roles: map[1:Admin Operations:Admin]
}
