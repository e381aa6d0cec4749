package claims_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/jwtgate/jwtgate/claims"
)

// fuzzClaims is a fixed, Keycloak-shaped claim set every expression runs on.
const fuzzClaims = `{"sub":"f:1","iss":"https://idp/realms/x","aud":["api","account"],"exp":1900000000,
	"preferred_username":"jane","email":"jane@example.com","name":"Jane",
	"realm_access":{"roles":["admin","offline_access"]},"groups":["/ops","/dev"],
	"resource_access":{"api":{"roles":["editor"]}},"orgs":["o1","o2"],"n":[1,2.5,-3],
	"nested":[[1],[2,[3]],{"k":null}],"flag":true,"nil":null,"objs":[{"v":2,"n":"b"},{"v":1,"n":"a"}]}`

// FuzzAttributePath checks that no expression, against the fixed claims or
// any JSON object, panics, modifies the claims, or fails with anything but a
// compile error or an *Error wrapping ErrPath.
func FuzzAttributePath(f *testing.F) {
	for _, expr := range []string{
		"preferred_username",
		"emails[2]",
		"realm_access.roles",
		"contains(realm_access.roles[*], 'admin') && 'Admin' || 'Viewer'",
		"contains(groups[*], '/ops') && 'GrafanaAdmin' || contains(groups[*], '/dev') && 'Editor' || 'Viewer'",
		"resource_access.*.roles[]",
		"groups[?starts_with(@, '/o')]",
		"sort_by(objs, &v)[*].n",
		"sort_by(`[{\"v\":2},{\"v\":1}]`, &v)",
		"contains(nested, nested[0])",
		"n[1::9223372036854775807]",
		"n[::-9223372036854775807]",
		"max_by(objs, &n).v",
		"to_number(name) || length(@)",
		"join(',', keys(@))",
		"merge(@, realm_access)",
		"not_null(missing, nil, flag)",
		"[@, @][][@, @][]",
		"nested[].[0][][]",
		"{a: sub, b: `[1,{\"x\":null}]`} | values(@)",
		"lower(email)",
		"length (name) || sort_by (objs, &v)[0].n",
		"join(', ', map(&join('-', [n, v]), objs))",
		"'it\\'s lower(x)' || `\"f(\\`\"`",
		"foo[",
		"",
	} {
		f.Add(expr, []byte(`{"groups":["a",1,null],"x":{"y":[[]]}}`))
	}
	f.Add("a[0]", []byte(`{"a":[[1],[1]]}`))
	f.Add("contains(a, a[0])", []byte(`{"a":[{"k":1},{"k":1}]}`))

	fixed := decode(f, fuzzClaims)
	fixedJSON, err := json.Marshal(fixed)
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, expr string, doc []byte) {
		p, err := claims.CompilePath(expr)
		if err != nil {
			if errors.Is(err, claims.ErrPath) || !strings.HasPrefix(err.Error(), "claims: ") {
				t.Fatalf("compile error %q is not a plain configuration error", err)
			}
			return
		}
		inputs := []map[string]any{fixed}
		var docClaims map[string]any
		if json.Unmarshal(doc, &docClaims) == nil && docClaims != nil {
			inputs = append(inputs, docClaims)
		}
		for _, c := range inputs {
			before, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			_, err1 := p.String(c)
			_, err2 := p.Strings(c)
			for _, err := range []error{err1, err2} {
				if err == nil {
					continue
				}
				var ce *claims.Error
				if !errors.As(err, &ce) || ce.Err != claims.ErrPath {
					t.Fatalf("evaluation error %v (%T) does not wrap ErrPath", err, err)
				}
				// Unknown functions and wrong arities are compile errors.
				for _, msg := range []string{"unknown function", "incorrect number of args", "Invalid arity"} {
					if strings.Contains(ce.Detail, msg) {
						t.Fatalf("CompilePath(%q) accepted an expression that fails with %s", expr, ce.Detail)
					}
				}
			}
			after, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			if string(before) != string(after) {
				t.Fatalf("evaluating %q modified the claims", expr)
			}
		}
		if after, _ := json.Marshal(fixed); string(after) != string(fixedJSON) {
			t.Fatalf("evaluating %q modified the fixed claims", expr)
		}
	})
}
