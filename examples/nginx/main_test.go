package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/examples/internal/exampletest"
	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

func testConfig() jwtauth.Config {
	cfg := exampletest.Config(jwttest.Clock())
	cfg.RoleAttributeStrict = true
	cfg.CookieName = "jwtgate_token"
	return cfg
}

func newTestAuthServer(t *testing.T, mutate func(*jwtauth.Config), groupsJSON bool) *authServer {
	t.Helper()
	cfg := testConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	a, err := newAuthServer(cfg, groupsJSON, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	return a
}

func auth(t *testing.T, a *authServer, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/auth", nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	a.handler().ServeHTTP(rec, req)
	return rec
}

func authHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k := range h {
		if strings.HasPrefix(k, "X-Auth-") {
			out[k] = h.Get(k)
		}
	}
	return out
}

func TestAuthVerified(t *testing.T) {
	a := newTestAuthServer(t, nil, false)
	rec := auth(t, a, exampletest.Bearer(exampletest.IDP.Sign(exampletest.Claims("alice"))))
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assert.Empty(t, rec.Body.String())
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	assert.Equal(t, map[string]string{
		"X-Auth-User":   "alice",
		"X-Auth-Email":  "alice@example.test",
		"X-Auth-Name":   "Alice Liddell",
		"X-Auth-Role":   "Editor",
		"X-Auth-Groups": "dev,ops",
	}, authHeaders(rec.Header()))
}

func TestAuthTokenSources(t *testing.T) {
	a := newTestAuthServer(t, nil, false)
	tok := exampletest.IDP.Sign(exampletest.Claims("alice"))
	for name, h := range map[string]http.Header{
		"auth_token in X-Original-URI": {"X-Original-Uri": {"/d/abc?orgId=1&auth_token=" + tok}},
		"cookie":                       {"Cookie": {"grafana_session=x; jwtgate_token=" + tok}},
	} {
		t.Run(name, func(t *testing.T) {
			rec := auth(t, a, h)
			require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
			assert.Equal(t, "alice", rec.Header().Get("X-Auth-User"))
		})
	}
	t.Run("X-Original-URI is ignored without url_login", func(t *testing.T) {
		a := newTestAuthServer(t, func(c *jwtauth.Config) { c.URLLogin = false }, false)
		rec := auth(t, a, http.Header{"X-Original-Uri": {"/?auth_token=" + tok}})
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
	})
}

func TestAuthRefused(t *testing.T) {
	expired := exampletest.Claims("alice")
	expired["exp"] = jwttest.Unix(-time.Hour)
	noRole := exampletest.Claims("alice")
	delete(noRole, "role")

	for _, tc := range []struct {
		name   string
		cfg    func(*jwtauth.Config)
		header http.Header
		status int
		auth   string
	}{
		{"no token", nil, nil, 401, "Bearer"},
		{"forged", nil, exampletest.Bearer(exampletest.Forger.Sign(exampletest.Claims("alice"))), 401, `Bearer error="invalid_token"`},
		{"expired", nil, exampletest.Bearer(exampletest.IDP.Sign(expired)), 401, `Bearer error="invalid_token"`},
		{"no role, strict", nil, exampletest.Bearer(exampletest.IDP.Sign(noRole)), 403, `Bearer error="insufficient_scope"`},
		{"keys unavailable", func(c *jwtauth.Config) { c.JWKSetValue, c.Keys = "", exampletest.FailingSource{} },
			exampletest.Bearer(exampletest.IDP.Sign(exampletest.Claims("alice"))), 503, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestAuthServer(t, tc.cfg, false)
			rec := auth(t, a, tc.header)
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.auth, rec.Header().Get("WWW-Authenticate"))
			assert.Empty(t, authHeaders(rec.Header()))
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
		})
	}
}

func TestAuthUnsafeIdentity(t *testing.T) {
	a := newTestAuthServer(t, nil, false)
	for name, change := range map[string]func(jwttest.Claims){
		"CRLF in login":          func(c jwttest.Claims) { c["preferred_username"] = "alice\r\nX-Auth-Role: Admin" },
		"LF in email":            func(c jwttest.Claims) { c["email"] = "a@b\nX: y" },
		"NUL in name":            func(c jwttest.Claims) { c["name"] = "Al\x00ice" },
		"leading space in login": func(c jwttest.Claims) { c["preferred_username"] = " admin" },
		"comma in a group":       func(c jwttest.Claims) { c["groups"] = []string{"dev,admins"} },
		"space in a group":       func(c jwttest.Claims) { c["groups"] = []string{"dev admins"} },
		"group read as JSON":     func(c jwttest.Claims) { c["groups"] = []string{`["admins"]`} },
	} {
		t.Run(name, func(t *testing.T) {
			c := exampletest.Claims("alice")
			change(c)
			rec := auth(t, a, exampletest.Bearer(exampletest.IDP.Sign(c)))
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Equal(t, `Bearer error="invalid_token"`, rec.Header().Get("WWW-Authenticate"))
			assert.Empty(t, authHeaders(rec.Header()))
		})
	}
	t.Run("groups as JSON", func(t *testing.T) {
		a := newTestAuthServer(t, nil, true)
		c := exampletest.Claims("alice")
		c["groups"] = []string{"Team A", "b,c"}
		rec := auth(t, a, exampletest.Bearer(exampletest.IDP.Sign(c)))
		require.Equal(t, http.StatusNoContent, rec.Code)
		var groups []string
		require.NoError(t, json.Unmarshal([]byte(rec.Header().Get("X-Auth-Groups")), &groups))
		assert.Equal(t, []string{"Team A", "b,c"}, groups)
	})
}

func TestHealthz(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    func(*jwtauth.Config)
		code   int
		status string
	}{
		{"static keys", nil, 200, "ok"},
		{"custom source", func(c *jwtauth.Config) { c.JWKSetValue, c.Keys = "", exampletest.FailingSource{} }, 200, "ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestAuthServer(t, tc.cfg, false)
			rec := httptest.NewRecorder()
			a.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			assert.Equal(t, tc.code, rec.Code)
			var h struct{ Status string }
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &h))
			assert.Equal(t, tc.status, h.Status)
		})
	}
}

func writeINI(t *testing.T) string {
	t.Helper()
	return exampletest.WriteINI(t, "[auth.jwt]\nenabled = true\nusername_claim = preferred_username\nemail_claim = email\n")
}

// startRun runs the server in the background on a free port and returns
// its address and the channel run's result arrives on.
func startRun(t *testing.T, ctx context.Context) (string, <-chan error) {
	t.Helper()
	args := []string{"-config", writeINI(t), "-listen", "127.0.0.1:0"}
	addrs, done := exampletest.Start(t, 1, func(stdout io.Writer) error { return run(ctx, args, stdout, io.Discard) })
	return addrs[0], done
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, done := startRun(t, ctx)

	c := exampletest.Claims("alice")
	c["iat"], c["exp"] = time.Now().Add(-time.Minute).Unix(), time.Now().Add(time.Hour).Unix()
	req, err := http.NewRequest(http.MethodGet, addr, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+exampletest.IDP.Sign(c))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "alice", resp.Header.Get("X-Auth-User"))

	cancel()
	require.NoError(t, exampletest.Wait(t, done, "cancel"))
}

func TestRunShutsDownOnSIGTERM(t *testing.T) {
	_, done := startRun(t, context.Background())
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	require.NoError(t, exampletest.Wait(t, done, "SIGTERM"))
}

func TestRunRejects(t *testing.T) {
	for name, args := range map[string][]string{
		"unknown flag": {"-nope"},
		"no config":    {},
		"missing file": {"-config", filepath.Join(t.TempDir(), "none.ini")},
		"stray arg":    {"-config", "x.ini", "extra"},
	} {
		t.Run(name, func(t *testing.T) {
			require.Error(t, run(t.Context(), args, io.Discard, io.Discard))
		})
	}
}
