package jwtauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

func TestRoleAtLeast(t *testing.T) {
	roles := []jwtauth.Role{"", "admin", "GrafanaAdmin", jwtauth.RoleNone, jwtauth.RoleViewer, jwtauth.RoleEditor, jwtauth.RoleAdmin}
	rank := map[jwtauth.Role]int{jwtauth.RoleViewer: 1, jwtauth.RoleEditor: 2, jwtauth.RoleAdmin: 3}
	for _, r := range roles {
		for _, min := range roles {
			want := rank[min] > 0 && rank[r] >= rank[min]
			assert.Equal(t, want, r.AtLeast(min), "%q.AtLeast(%q)", r, min)
		}
	}
	assert.True(t, jwtauth.RoleAdmin.AtLeast(jwtauth.RoleViewer))
	assert.False(t, jwtauth.RoleViewer.AtLeast(jwtauth.RoleEditor))
	assert.False(t, jwtauth.RoleNone.AtLeast(jwtauth.RoleNone), "None never satisfies a min")
}

// roleRoute puts RequireRole(min) behind Middleware; the role comes from
// the "role" claim, and the ErrorHandler records the error.
func roleRoute(t *testing.T, iss *jwtauthtest.Issuer, min jwtauth.Role) (*jwtauth.Verifier, http.Handler, *error) {
	t.Helper()
	cfg := iss.Config()
	cfg.RoleAttributePath = "role"
	cfg.AllowAssignGrafanaAdmin = true
	var got error
	cfg.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		jwtauth.DefaultErrorHandler(w, r, err)
	}
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	return v, v.Middleware(v.RequireRole(min)(ok)), &got
}

func TestRequireRole(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	cases := []struct {
		role any // the "role" claim; nil: none
		min  jwtauth.Role
		ok   bool
	}{
		{"Viewer", jwtauth.RoleViewer, true},
		{"Viewer", jwtauth.RoleEditor, false},
		{"Editor", jwtauth.RoleEditor, true},
		{"Editor", jwtauth.RoleAdmin, false},
		{"Admin", jwtauth.RoleAdmin, true},
		{"GrafanaAdmin", jwtauth.RoleAdmin, true},
		{"None", jwtauth.RoleViewer, false},
		{"admin", jwtauth.RoleViewer, false}, // not a role: no role
		{nil, jwtauth.RoleViewer, false},
	}
	for _, tc := range cases {
		v, h, got := roleRoute(t, iss, tc.min)
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+iss.Sign(map[string]any{"sub": "u-1", "role": tc.role}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if tc.ok {
			assert.Equal(t, http.StatusOK, w.Code, "%v on %s", tc.role, tc.min)
			assert.Equal(t, "ok", w.Body.String())
			continue
		}
		assert.Equal(t, http.StatusForbidden, w.Code, "%v on %s", tc.role, tc.min)
		requireOnly(t, *got, jwtauth.ErrInsufficientScope)
		assert.Equal(t, `Bearer error="insufficient_scope"`, w.Header().Get("WWW-Authenticate"))
		assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		assert.JSONEq(t, `{"message":"Insufficient scope","messageId":"jwt.insufficient_scope"}`, w.Body.String())
		s := v.Stats()
		assert.Equal(t, uint64(1), s.Refused["ErrInsufficientScope"])
		assert.Equal(t, uint64(1), s.Verified, "the token itself was good")
	}
}

// IsGrafanaAdmin true counts as Admin, whatever Role says.
func TestRequireRoleGrafanaAdminFlag(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v, _, got := roleRoute(t, iss, jwtauth.RoleAdmin)
	h := v.RequireRole(jwtauth.RoleAdmin)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	yes, no := true, false
	for _, tc := range []struct {
		id   *jwtauth.Identity
		want int
	}{
		{&jwtauth.Identity{Subject: "u", Role: jwtauth.RoleViewer, IsGrafanaAdmin: &yes}, http.StatusOK},
		{&jwtauth.Identity{Subject: "u", IsGrafanaAdmin: &yes}, http.StatusOK},
		{&jwtauth.Identity{Subject: "u", Role: jwtauth.RoleEditor, IsGrafanaAdmin: &no}, http.StatusForbidden},
		{&jwtauth.Identity{Subject: "u", Role: jwtauth.RoleEditor}, http.StatusForbidden},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r = r.WithContext(jwtauth.NewContext(r.Context(), tc.id))
		w := httptest.NewRecorder()
		*got = nil
		h.ServeHTTP(w, r)
		assert.Equal(t, tc.want, w.Code)
	}
}

// Without Middleware (or an anonymous request let through by
// OptionalMiddleware) there is no Identity: ErrNoToken, 401.
func TestRequireRoleNoIdentity(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v, _, got := roleRoute(t, iss, jwtauth.RoleViewer)
	reached := false
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true })
	for _, h := range []http.Handler{
		v.RequireRole(jwtauth.RoleViewer)(next),
		v.OptionalMiddleware(v.RequireRole(jwtauth.RoleViewer)(next)),
	} {
		*got = nil
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(context.Background()))
		assert.Equal(t, http.StatusUnauthorized, w.Code)
		assert.Equal(t, "Bearer", w.Header().Get("WWW-Authenticate"))
		requireOnly(t, *got, jwtauth.ErrNoToken)
	}
	assert.False(t, reached)
}

func TestRequireRolePanics(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v, _, _ := roleRoute(t, iss, jwtauth.RoleViewer)
	for _, min := range []jwtauth.Role{"", jwtauth.RoleNone, "admin", "GrafanaAdmin"} {
		assert.Panics(t, func() { v.RequireRole(min) }, "%q", min)
	}
	assert.PanicsWithValue(t, "jwtauth: RequireRole called with a nil handler", func() { v.RequireRole(jwtauth.RoleAdmin)(nil) })
}

// Under NewMulti, a role refusal is answered by the ErrorHandler of the
// issuer whose token was accepted, as its token refusals are.
func TestRequireRoleIssuerErrorHandler(t *testing.T) {
	a, b := jwtauthtest.NewIssuer(t), jwtauthtest.NewIssuer(t)
	ca, cb := a.Config(), b.Config()
	ca.RoleAttributePath, cb.RoleAttributePath = "role", "role"
	var answered []string
	handler := func(name string) func(http.ResponseWriter, *http.Request, error) {
		return func(w http.ResponseWriter, r *http.Request, err error) {
			answered = append(answered, name+" "+jwtauth.ReasonName(err))
			w.WriteHeader(jwtauth.StatusCode(err))
		}
	}
	ca.ErrorHandler, cb.ErrorHandler = handler("a"), handler("b")
	v, err := jwtauth.NewMulti(ca, cb)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	h := v.Middleware(v.RequireRole(jwtauth.RoleAdmin)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	for _, tok := range []string{b.Sign(map[string]any{"sub": "u", "role": "Viewer"}), a.Sign(map[string]any{"sub": "u", "role": "Viewer"})} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, http.StatusForbidden, w.Code)
	}
	assert.Equal(t, []string{"b ErrInsufficientScope", "a ErrInsufficientScope"}, answered)
}
