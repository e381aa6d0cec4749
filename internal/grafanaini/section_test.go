package grafanaini

import (
	"reflect"
	"testing"
)

// Origins say which key, section and line (or variable) set each field,
// including the [users] defaults and auto_assign_org_id's DefaultOrg.
func TestSectionOrigins(t *testing.T) {
	doc := "[users]\nauto_assign_org_role = Editor\nauto_assign_org_id = 3\n\n[auth.jwt]\nenabled = true\njwk_set_url = https://idp.example.com/jwks\n"
	sec, err := Parse([]byte(doc), []string{"GF_AUTH_JWT_CACHE_TTL=5m"}, "grafana.ini")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Origin{
		"JWKSetURL":         {Section: "auth.jwt", Key: "jwk_set_url", Loc: Loc{Line: 7}},
		"CacheTTL":          {Section: "auth.jwt", Key: "cache_ttl", Loc: Loc{Env: "GF_AUTH_JWT_CACHE_TTL"}},
		"AutoAssignOrgRole": {Section: "users", Key: "auto_assign_org_role", Loc: Loc{Line: 2}},
		"DefaultOrg":        {Section: "users", Key: "auto_assign_org_id", Loc: Loc{Line: 3}},
	}
	if !reflect.DeepEqual(sec.Origins, want) {
		t.Errorf("Origins = %+v\nwant %+v", sec.Origins, want)
	}
	if sec.Name != "auth.jwt" || sec.Line != 5 {
		t.Errorf("section %q at line %d, want auth.jwt at line 5", sec.Name, sec.Line)
	}
}
