package mapper_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/claims"
	"github.com/jwtgate/jwtgate/internal/mapper"
)

func mustMapper(t testing.TB, cfg mapper.Config) *mapper.Mapper {
	t.Helper()
	m, err := mapper.New(cfg)
	require.NoError(t, err)
	return m
}

func ptr[T any](v T) *T { return &v }

// TestAuthenticateJWT mirrors the identity parts of Grafana's test of the
// same name (the fake verifier there hands these claims to the client).
func TestAuthenticateJWT(t *testing.T) {
	const token = `{"sub":"1234567890","email":"eai.doe@cor.com","preferred_username":"eai-doe",
		"name":"Eai Doe","roles":["Admin"],"groups":["foo","bar"],"orgs":["org1","org2"]}`

	t.Run("Valid Use case with group path", func(t *testing.T) {
		m := mustMapper(t, mapper.Config{
			UsernameClaim: "preferred_username", EmailClaim: "email",
			RoleAttributePath: "roles[0]", GroupsAttributePath: "groups[]",
			AllowAssignGrafanaAdmin: true, RoleAttributeStrict: true,
		})
		id, err := m.Map(decode(t, token))
		require.NoError(t, err)
		assert.Equal(t, mapper.Identity{
			Login: "eai-doe", Email: "eai.doe@cor.com", Name: "Eai Doe",
			Role: claims.RoleAdmin, IsGrafanaAdmin: ptr(false),
			Groups:   []string{"foo", "bar"},
			OrgRoles: map[string]claims.Role{"1": claims.RoleAdmin},
		}, id)
	})

	t.Run("Valid Use case without group path", func(t *testing.T) {
		m := mustMapper(t, mapper.Config{
			UsernameClaim: "preferred_username", EmailClaim: "email",
			RoleAttributePath: "roles[0]", AllowAssignGrafanaAdmin: true, RoleAttributeStrict: true,
		})
		id, err := m.Map(decode(t, token))
		require.NoError(t, err)
		assert.Nil(t, id.Groups, "no groups without GroupsAttributePath (Grafana: [] and SyncTeams=false)")
		assert.Equal(t, map[string]claims.Role{"1": claims.RoleAdmin}, id.OrgRoles)
	})

	t.Run("Valid Use case with org_mapping", func(t *testing.T) {
		m := mustMapper(t, mapper.Config{
			UsernameClaim: "preferred_username", EmailClaim: "email",
			RoleAttributePath: "roles[0]", OrgAttributePath: "orgs",
			OrgMapping: []string{"org1:Org4:Editor", "org2:Org5:Viewer"},
		})
		id, err := m.Map(decode(t, strings.Replace(token, `["Admin"]`, `["None"]`, 1)))
		require.NoError(t, err)
		assert.Equal(t, claims.RoleNone, id.Role)
		assert.Equal(t, map[string]claims.Role{"Org4": claims.RoleEditor, "Org5": claims.RoleViewer}, id.OrgRoles)
	})

	t.Run("Invalid Use case with org_mapping and invalid roles", func(t *testing.T) {
		m := mustMapper(t, mapper.Config{
			UsernameClaim: "preferred_username", EmailClaim: "email",
			RoleAttributePath: "roles[0]", OrgAttributePath: "orgs", RoleAttributeStrict: true,
			OrgMapping: []string{"org1:Org4:Editor", "org2:Org5:Viewer"},
		})
		id, err := m.Map(decode(t, strings.Replace(token, `["Admin"]`, `["Invalid"]`, 1)))
		require.NoError(t, err)
		assert.Equal(t, claims.Role(""), id.Role)
		assert.Equal(t, map[string]claims.Role{"Org4": claims.RoleEditor, "Org5": claims.RoleViewer}, id.OrgRoles)
	})
}

// TestJWTClaimConfig mirrors Grafana's test: with both sources configured,
// a token needs a login or an email.
func TestJWTClaimConfig(t *testing.T) {
	m := mustMapper(t, mapper.Config{UsernameClaim: "preferred_username", EmailClaim: "email"})
	for _, tc := range []struct {
		name, claims string
		wantErr      error
	}{
		{"email and username", `{"sub":"1","email":"a@b","preferred_username":"a"}`, nil},
		{"email only", `{"sub":"1","email":"a@b"}`, nil},
		{"username only", `{"sub":"1","preferred_username":"a"}`, nil},
		{"neither", `{"sub":"1","name":"A"}`, claims.ErrMissing},
		{"both empty", `{"sub":"1","email":"","preferred_username":""}`, claims.ErrMissing},
		{"both not strings", `{"sub":"1","email":1,"preferred_username":["a"]}`, claims.ErrMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Map(decode(t, tc.claims))
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			ce := requireOnly(t, err, tc.wantErr)
			assert.Equal(t, "login", ce.Claim)
		})
	}
}

// TestJWTSubClaimsConfig mirrors Grafana's test of attribute paths.
func TestJWTSubClaimsConfig(t *testing.T) {
	m := mustMapper(t, mapper.Config{EmailAttributePath: "emails[2]", UsernameAttributePath: "name"})
	id, err := m.Map(decode(t, `{"sub":"1234567890","name":"Eai Doe",
		"emails":["first@cor.com","second@cor.com","thirdemail@cor.com"]}`))
	require.NoError(t, err)
	assert.Equal(t, "Eai Doe", id.Login)
	assert.Equal(t, "thirdemail@cor.com", id.Email)
	assert.Equal(t, "Eai Doe", id.Name)
}

func TestMap_loginAndEmailSources(t *testing.T) {
	c := decode(t, `{"sub":"s1","login":"claim-login","mail":"claim@x","nested":{"login":"path-login","mail":"path@x"},"num":5,"name":""}`)
	for _, tc := range []struct {
		name             string
		cfg              mapper.Config
		login, email     string
		wantErr          error
		wantDetailPrefix string
	}{
		{name: "claim wins over path", cfg: mapper.Config{UsernameClaim: "login", UsernameAttributePath: "nested.login"}, login: "claim-login"},
		{name: "path when no claim", cfg: mapper.Config{UsernameAttributePath: "nested.login", EmailAttributePath: "nested.mail"}, login: "path-login", email: "path@x"},
		{name: "email claim wins", cfg: mapper.Config{EmailClaim: "mail", EmailAttributePath: "nested.mail"}, email: "claim@x"},
		{name: "non-string claim is empty", cfg: mapper.Config{UsernameClaim: "num", EmailClaim: "mail"}, email: "claim@x"},
		{name: "non-string path result is empty", cfg: mapper.Config{UsernameAttributePath: "nested", EmailClaim: "mail"}, email: "claim@x"},
		// Deviation: Grafana rejects every token when no source is configured.
		{name: "no source: login is sub", cfg: mapper.Config{}, login: "s1"},
		{name: "configured but absent", cfg: mapper.Config{UsernameClaim: "nope"}, wantErr: claims.ErrMissing},
		{name: "username path error", cfg: mapper.Config{UsernameAttributePath: "abs(login)"}, wantErr: claims.ErrPath, wantDetailPrefix: "UsernameAttributePath "},
		{name: "email path error", cfg: mapper.Config{EmailAttributePath: "abs(mail)"}, wantErr: claims.ErrPath, wantDetailPrefix: "EmailAttributePath "},
		{name: "groups path error", cfg: mapper.Config{GroupsAttributePath: "abs(login)"}, wantErr: claims.ErrPath, wantDetailPrefix: "GroupsAttributePath "},
		{name: "org path error", cfg: mapper.Config{OrgAttributePath: "abs(login)", OrgMapping: []string{"a:1"}}, wantErr: claims.ErrPath, wantDetailPrefix: "OrgAttributePath "},
		{name: "role path error is no role", cfg: mapper.Config{RoleAttributePath: "abs(login)"}, login: "s1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := mustMapper(t, tc.cfg).Map(c)
			if tc.wantErr != nil {
				ce := requireOnly(t, err, tc.wantErr)
				assert.True(t, strings.HasPrefix(ce.Detail, tc.wantDetailPrefix), ce.Detail)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.login, id.Login)
			assert.Equal(t, tc.email, id.Email)
			assert.Empty(t, id.Name, "an empty name claim stays empty")
		})
	}
}

// TestMap_roleExamples uses role_attribute_path examples from Grafana's
// Generic OAuth documentation that work with this JMESPath engine.
func TestMap_roleExamples(t *testing.T) {
	const (
		groupsAdmin        = `contains(groups[*], 'admin') && 'Admin' || 'Viewer'`
		groupsAdminGuarded = "contains(not_null(groups, `[]`), 'admin') && 'Admin' || 'Viewer'"
		rolesEditor        = `contains(roles[*], 'editor') && 'Editor' || 'Viewer'`
		threeLevels        = `contains(info.roles[*], 'admin') && 'Admin' || contains(info.roles[*], 'editor') && 'Editor' || 'Viewer'`
		grafanaAdmin       = `contains(roles[*], 'grafanaadmin') && 'GrafanaAdmin' || contains(roles[*], 'admin') && 'Admin' || 'Viewer'`
		noFallback         = `contains(roles[*], 'admin') && 'Admin'`
		emailCompare       = `email == 'boss@example.com' && 'Admin' || 'Editor'`
		realmAccess        = `contains(realm_access.roles[*], 'admin') && 'Admin' || contains(realm_access.roles[*], 'editor') && 'Editor' || 'Viewer'`
		lowerCaseRole      = `'admin'`
	)
	for _, tc := range []struct {
		name      string
		path      string
		claims    string
		strict    bool
		allowGA   bool
		wantRole  claims.Role
		wantAdmin *bool
		wantOrgs  map[string]claims.Role
		wantErr   error
	}{
		{name: "groups admin", path: groupsAdmin, claims: `{"groups":["admin","dev"]}`, wantRole: claims.RoleAdmin},
		{name: "groups other", path: groupsAdmin, claims: `{"groups":["dev"]}`, wantRole: claims.RoleViewer},
		// contains(null, …) is a run-time error in this engine, and a failing
		// role path means "no role", not the fallback after ||.
		{name: "groups absent: no role", path: groupsAdmin, claims: `{}`, wantRole: "", wantOrgs: map[string]claims.Role{"1": claims.RoleViewer}},
		{name: "groups absent, strict: denied", path: groupsAdmin, claims: `{}`, strict: true, wantErr: claims.ErrNoRole},
		{name: "groups absent, guarded", path: groupsAdminGuarded, claims: `{}`, strict: true, wantRole: claims.RoleViewer},
		{name: "roles editor", path: rolesEditor, claims: `{"roles":["editor"]}`, wantRole: claims.RoleEditor},
		{name: "roles none", path: rolesEditor, claims: `{"roles":[]}`, wantRole: claims.RoleViewer},
		{name: "nested admin", path: threeLevels, claims: `{"info":{"roles":["admin"]}}`, wantRole: claims.RoleAdmin},
		{name: "nested editor", path: threeLevels, claims: `{"info":{"roles":["editor"]}}`, wantRole: claims.RoleEditor},
		{name: "keycloak realm roles", path: realmAccess, claims: `{"realm_access":{"roles":["editor","offline_access"]}}`, wantRole: claims.RoleEditor},
		{name: "email comparison", path: emailCompare, claims: `{"email":"boss@example.com"}`, wantRole: claims.RoleAdmin},
		{name: "GrafanaAdmin allowed", path: grafanaAdmin, claims: `{"roles":["grafanaadmin"]}`, allowGA: true, wantRole: claims.RoleAdmin, wantAdmin: ptr(true)},
		{name: "GrafanaAdmin not allowed", path: grafanaAdmin, claims: `{"roles":["grafanaadmin"]}`, wantRole: claims.RoleAdmin},
		{name: "allowed, not GrafanaAdmin: demoted", path: grafanaAdmin, claims: `{"roles":["admin"]}`, allowGA: true, wantRole: claims.RoleAdmin, wantAdmin: ptr(false)},
		{name: "allowed, no role path match", path: noFallback, claims: `{"roles":["x"]}`, allowGA: true, wantRole: "", wantAdmin: ptr(false), wantOrgs: map[string]claims.Role{"1": claims.RoleViewer}},
		{name: "no fallback, non-strict: auto-assign role", path: noFallback, claims: `{"roles":["x"]}`, wantRole: "", wantOrgs: map[string]claims.Role{"1": claims.RoleViewer}},
		{name: "no fallback, strict: denied", path: noFallback, claims: `{"roles":["x"]}`, strict: true, wantErr: claims.ErrNoRole},
		{name: "no fallback, strict: admin", path: noFallback, claims: `{"roles":["admin"]}`, strict: true, wantRole: claims.RoleAdmin},
		{name: "role strings are case-sensitive", path: lowerCaseRole, claims: `{}`, wantRole: "", wantOrgs: map[string]claims.Role{"1": claims.RoleViewer}},
		{name: "case-sensitive, strict", path: lowerCaseRole, claims: `{}`, strict: true, wantErr: claims.ErrNoRole},
		{name: "None is a valid role", path: `'None'`, claims: `{}`, strict: true, wantRole: claims.RoleNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustMapper(t, mapper.Config{
				RoleAttributePath: tc.path, RoleAttributeStrict: tc.strict, AllowAssignGrafanaAdmin: tc.allowGA,
			})
			id, err := m.Map(decode(t, tc.claims))
			if tc.wantErr != nil {
				requireOnly(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantRole, id.Role)
			assert.Equal(t, tc.wantAdmin, id.IsGrafanaAdmin)
			wantOrgs := tc.wantOrgs
			if wantOrgs == nil {
				wantOrgs = map[string]claims.Role{"1": tc.wantRole}
			}
			assert.Equal(t, wantOrgs, id.OrgRoles)
		})
	}
}

func TestMap_grafanaAdminPointerIsFresh(t *testing.T) {
	m := mustMapper(t, mapper.Config{RoleAttributePath: `'Editor'`, AllowAssignGrafanaAdmin: true})
	a, err := m.Map(nil)
	require.NoError(t, err)
	*a.IsGrafanaAdmin = true
	b, err := m.Map(nil)
	require.NoError(t, err)
	assert.Equal(t, ptr(false), b.IsGrafanaAdmin)
}

func TestMap_strictChecksComeFirst(t *testing.T) {
	m := mustMapper(t, mapper.Config{UsernameClaim: "login", RoleAttributePath: "role", RoleAttributeStrict: true})
	// No login and no valid role: the 403 is reported before the 401.
	ce := requireOnly(t, func() error { _, err := m.Map(decode(t, `{"role":"Boss\r\n"}`)); return err }(), claims.ErrNoRole)
	assert.Equal(t, `role "Boss\r\n" is not valid and no OrgMapping entry matches`, ce.Detail)
	_, err := m.Map(decode(t, `{"role":"Viewer"}`))
	requireOnly(t, err, claims.ErrMissing)
}

func TestMap_skipOrgRoleSync(t *testing.T) {
	m := mustMapper(t, mapper.Config{
		SkipOrgRoleSync: true, RoleAttributePath: "role", RoleAttributeStrict: true, AllowAssignGrafanaAdmin: true,
		GroupsAttributePath: "groups", OrgAttributePath: "abs(orgs)", OrgMapping: []string{"*:1:Admin"},
	})
	id, err := m.Map(decode(t, `{"sub":"s","role":"GrafanaAdmin","groups":["g"],"orgs":"x"}`))
	require.NoError(t, err)
	assert.Equal(t, mapper.Identity{Login: "s", Groups: []string{"g"}}, id)
}

func TestMap_orgRoles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     mapper.Config
		claims  string
		want    map[string]claims.Role
		wantErr error
	}{
		{
			name: "no mapping, no role: auto-assign in the default org",
			cfg:  mapper.Config{}, claims: `{}`,
			want: map[string]claims.Role{"1": claims.RoleViewer},
		},
		{
			name: "custom default org and auto-assign role",
			cfg:  mapper.Config{DefaultOrg: "main", AutoAssignOrgRole: claims.RoleEditor}, claims: `{}`,
			want: map[string]claims.Role{"main": claims.RoleEditor},
		},
		{
			name: "role wins over auto-assign",
			cfg:  mapper.Config{RoleAttributePath: "r", AutoAssignOrgRole: claims.RoleEditor}, claims: `{"r":"None"}`,
			want: map[string]claims.Role{"1": claims.RoleNone},
		},
		{
			name:   "nothing matched: default org",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{"g1:2:Admin"}},
			claims: `{"orgs":["g2"]}`, want: map[string]claims.Role{"1": claims.RoleViewer},
		},
		{
			name:   "nothing matched, strict, valid role: default org",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{"g1:2:Admin"}, RoleAttributePath: "r", RoleAttributeStrict: true},
			claims: `{"orgs":["g2"],"r":"Editor"}`, want: map[string]claims.Role{"1": claims.RoleEditor},
		},
		{
			name:   "nothing matched, strict, no role",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{"g1:2:Admin"}, RoleAttributeStrict: true},
			claims: `{"orgs":["g2"]}`, wantErr: claims.ErrNoRole,
		},
		{
			name:   "highest mapped role per org",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{"g1:1:Viewer", "g2:1:Editor", "g2:2:Viewer", "g3:3:Admin"}},
			claims: `{"orgs":["g1","g2"]}`, want: map[string]claims.Role{"1": claims.RoleEditor, "2": claims.RoleViewer},
		},
		{
			name:   "star external matches everyone, even without orgs",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{"*:1:Editor", "g1:1:Admin"}},
			claims: `{}`, want: map[string]claims.Role{"1": claims.RoleEditor},
		},
		{
			name:   "star external merged with a match",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{"*:1:Editor", "g1:1:Admin"}},
			claims: `{"orgs":["g1"]}`, want: map[string]claims.Role{"1": claims.RoleAdmin},
		},
		{
			name:   "star org means all orgs",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{"g1:*:Editor"}},
			claims: `{"orgs":["g1"]}`, want: map[string]claims.Role{"*": claims.RoleEditor},
		},
		{
			name:   "role raises mapped orgs",
			cfg:    mapper.Config{OrgAttributePath: "orgs", RoleAttributePath: "r", OrgMapping: []string{"g1:1:Viewer", "g1:2:Admin"}},
			claims: `{"orgs":["g1"],"r":"Editor"}`, want: map[string]claims.Role{"1": claims.RoleEditor, "2": claims.RoleAdmin},
		},
		{
			name:   "GrafanaAdmin raises mapped orgs to Admin",
			cfg:    mapper.Config{OrgAttributePath: "orgs", RoleAttributePath: "r", OrgMapping: []string{"g1:1:Viewer"}},
			claims: `{"orgs":["g1"],"r":"GrafanaAdmin"}`, want: map[string]claims.Role{"1": claims.RoleAdmin},
		},
		{
			name:   "external org names are case-sensitive",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{"G1:5:Admin"}},
			claims: `{"orgs":["g1"]}`, want: map[string]claims.Role{"1": claims.RoleViewer},
		},
		{
			name:   "escaped colons",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{`team\:ops:org\:x:Admin`}},
			claims: `{"orgs":["team:ops"]}`, want: map[string]claims.Role{"org:x": claims.RoleAdmin},
		},
		{
			name:   "org names and IDs kept as written",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{"g1:Main Org.:Editor", "g1:042"}},
			claims: `{"orgs":["g1"]}`, want: map[string]claims.Role{"Main Org.": claims.RoleEditor, "042": claims.RoleViewer},
		},
		{
			name:   "non-string orgs are ignored",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{"g1:2:Editor"}},
			claims: `{"orgs":[1,["g1"],"g1"]}`, want: map[string]claims.Role{"2": claims.RoleEditor},
		},
		{
			name:   "orgs not an array: no external orgs",
			cfg:    mapper.Config{OrgAttributePath: "orgs", OrgMapping: []string{"g1:2:Editor"}},
			claims: `{"orgs":"g1"}`, want: map[string]claims.Role{"1": claims.RoleViewer},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := mustMapper(t, tc.cfg).Map(decode(t, tc.claims))
			if tc.wantErr != nil {
				requireOnly(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, id.OrgRoles)
		})
	}
}

// TestNewMapper_orgMappingParse is the org_mapping parse matrix, in strict
// mode (an error naming the entry) and non-strict mode (a warning, the entry
// skipped or its role replaced by Viewer).
func TestNewMapper_orgMappingParse(t *testing.T) {
	for _, tc := range []struct {
		entry string
		// strictErr is the expected NewMapper error text under strict mode
		// ("" when the entry is valid in strict mode).
		strictErr string
		// orgs is what the entry maps a member of external org "ext" (and
		// "team:ops") to in non-strict mode; nil when it is skipped.
		orgs map[string]claims.Role
		warn bool
	}{
		{entry: "ext:4:Editor", orgs: map[string]claims.Role{"4": claims.RoleEditor}},
		{entry: "ext:Org Name:Admin", orgs: map[string]claims.Role{"Org Name": claims.RoleAdmin}},
		{entry: "*:1:None", orgs: map[string]claims.Role{"1": claims.RoleNone}},
		{entry: "ext:*:Viewer", orgs: map[string]claims.Role{"*": claims.RoleViewer}},
		{entry: "*:*:Editor", orgs: map[string]claims.Role{"*": claims.RoleEditor}},
		{entry: `team\:ops:4:Editor`, orgs: map[string]claims.Role{"4": claims.RoleEditor}},
		{entry: `ext:a\:b:Editor`, orgs: map[string]claims.Role{"a:b": claims.RoleEditor}},
		{entry: "ext:4", strictErr: `OrgMapping[0] "ext:4": no role (required with RoleAttributeStrict)`, orgs: map[string]claims.Role{"4": claims.RoleViewer}},
		{entry: "ext:4:Boss", strictErr: `OrgMapping[0] "ext:4:Boss": invalid role "Boss" (want None, Viewer, Editor or Admin)`, orgs: map[string]claims.Role{"4": claims.RoleViewer}, warn: true},
		{entry: "ext:4:editor", strictErr: `invalid role "editor"`, orgs: map[string]claims.Role{"4": claims.RoleViewer}, warn: true},
		{entry: "ext:4:GrafanaAdmin", strictErr: `invalid role "GrafanaAdmin"`, orgs: map[string]claims.Role{"4": claims.RoleViewer}, warn: true},
		{entry: "ext:4:", strictErr: `invalid role ""`, orgs: map[string]claims.Role{"4": claims.RoleViewer}, warn: true},
		{entry: "ext:4:Editor:x", strictErr: `OrgMapping[0] "ext:4:Editor:x": has 4 part(s), want external:org or external:org:role`, warn: true},
		{entry: "ext", strictErr: `has 1 part(s)`, warn: true},
		{entry: "", strictErr: `has 1 part(s)`, warn: true},
		{entry: "ext::Editor", strictErr: `empty org`, warn: true},
		{entry: ":4:Editor", strictErr: `empty external org`, warn: true},
		{entry: `ext\:4:Editor`, strictErr: `no role`, orgs: map[string]claims.Role{"1": claims.RoleViewer}}, // external "ext:4", org "Editor"
	} {
		t.Run(tc.entry, func(t *testing.T) {
			strictCfg := mapper.Config{RoleAttributeStrict: true, OrgAttributePath: "orgs", OrgMapping: []string{tc.entry}}
			_, err := mapper.New(strictCfg)
			if tc.strictErr == "" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.True(t, strings.HasPrefix(err.Error(), "OrgMapping[0] "), err.Error())
				assert.Contains(t, err.Error(), tc.strictErr)
			}

			var logs bytes.Buffer
			m := mustMapper(t, mapper.Config{
				OrgAttributePath: "orgs", OrgMapping: []string{tc.entry},
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			})
			if tc.warn {
				assert.Contains(t, logs.String(), "level=WARN")
			} else {
				assert.Empty(t, logs.String())
			}
			id, err := m.Map(decode(t, `{"orgs":["ext","team:ops"]}`))
			require.NoError(t, err)
			want := tc.orgs
			if want == nil {
				want = map[string]claims.Role{"1": claims.RoleViewer} // skipped: default org
			}
			assert.Equal(t, want, id.OrgRoles)
		})
	}

	t.Run("error names the index", func(t *testing.T) {
		_, err := mapper.New(mapper.Config{RoleAttributeStrict: true, OrgMapping: []string{"a:1:Admin", "b:2:Admin", "bad"}})
		require.ErrorContains(t, err, `OrgMapping[2] "bad": has 1 part(s)`)
	})

	t.Run("the caller's slice is not kept", func(t *testing.T) {
		mapping := []string{"*:1:Admin"}
		m := mustMapper(t, mapper.Config{OrgMapping: mapping})
		mapping[0] = "*:1:Viewer"
		id, err := m.Map(nil)
		require.NoError(t, err)
		assert.Equal(t, map[string]claims.Role{"1": claims.RoleAdmin}, id.OrgRoles)
	})
}

func TestNewMapper_errors(t *testing.T) {
	for _, tc := range []struct {
		cfg  mapper.Config
		want string
	}{
		{mapper.Config{RoleAttributePath: "foo["}, `RoleAttributePath: claims: invalid JMESPath expression "foo[": `},
		{mapper.Config{UsernameAttributePath: "a..b"}, `UsernameAttributePath: claims: invalid JMESPath expression "a..b": `},
		{mapper.Config{EmailAttributePath: "lower(email)"}, `EmailAttributePath: claims: invalid JMESPath expression "lower(email)": unknown function lower()`},
		{mapper.Config{GroupsAttributePath: "groups[?"}, `GroupsAttributePath: claims: invalid JMESPath expression`},
		{mapper.Config{OrgAttributePath: "length()"}, `OrgAttributePath: claims: invalid JMESPath expression "length()": function length() takes 1 argument(s), got 0`},
		{mapper.Config{AutoAssignOrgRole: "viewer"}, `AutoAssignOrgRole: invalid role "viewer" (want None, Viewer, Editor or Admin)`},
		{mapper.Config{AutoAssignOrgRole: "GrafanaAdmin"}, `AutoAssignOrgRole: invalid role "GrafanaAdmin"`},
	} {
		t.Run(tc.want, func(t *testing.T) {
			m, err := mapper.New(tc.cfg)
			require.Error(t, err)
			assert.Nil(t, m)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), err.Error())
		})
	}
}

func TestMap_cheapWithClaimsOnly(t *testing.T) {
	m := mustMapper(t, mapper.Config{UsernameClaim: "preferred_username", EmailClaim: "email"})
	c := decode(t, `{"sub":"s","preferred_username":"u","email":"e@x","name":"N"}`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := m.Map(c); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 2.0, "only the OrgRoles map")
}
