package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// get sends GET path to srv with the Authorization header auth (if any).
func get(t *testing.T, srv *httptest.Server, path, auth string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// newApp serves the application's routes with a Verifier that trusts a
// jwtauthtest issuer, with the demo's identity mapping: how a service
// tests its handlers.
func newApp(t *testing.T) (*jwtauthtest.Issuer, *httptest.Server) {
	iss := jwtauthtest.NewIssuer(t)
	v, err := jwtauth.New(withMapping(iss.Config()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	srv := httptest.NewServer(routes(v))
	t.Cleanup(srv.Close)
	return iss, srv
}

func TestWhoami(t *testing.T) {
	iss, srv := newApp(t)
	tok := iss.Sign(map[string]any{
		"sub": "bob", "preferred_username": "bob", "email": "bob@example.com", "groups": []string{"admin", "dev"},
	})
	resp, body := get(t, srv, "/api/whoami", "Bearer "+tok)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var id map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &id))
	assert.Equal(t, "bob", id["login"])
	assert.Equal(t, "bob@example.com", id["email"])
	assert.Equal(t, "Admin", id["role"])
	assert.Equal(t, []any{"admin", "dev"}, id["groups"])
	assert.Equal(t, map[string]any{"1": "Admin"}, id["orgRoles"])

	resp, _ = get(t, srv, "/api/whoami", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "Bearer", resp.Header.Get("WWW-Authenticate"))

	resp, body = get(t, srv, "/api/whoami", "Bearer "+tok[:len(tok)-4]+"AAAA")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, `Bearer error="invalid_token"`, resp.Header.Get("WWW-Authenticate"))
	assert.NotContains(t, body, tok[:20])

	expired := iss.Sign(map[string]any{"sub": "bob", "preferred_username": "bob", "exp": time.Now().Add(-time.Hour).Unix()})
	resp, _ = get(t, srv, "/api/whoami", "Bearer "+expired)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// The demo requires exp (RequireExp).
	resp, _ = get(t, srv, "/api/whoami", "Bearer "+iss.Sign(map[string]any{"sub": "bob", "preferred_username": "bob", "exp": nil}))
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestAdminNeedsAdminRole(t *testing.T) {
	iss, srv := newApp(t)
	for groups, want := range map[string]int{"admin": 200, "editor": 403, "dev": 403} {
		tok := iss.Sign(map[string]any{"sub": "u", "preferred_username": "u", "groups": []string{groups}})
		resp, body := get(t, srv, "/api/admin", "Bearer "+tok)
		assert.Equal(t, want, resp.StatusCode, "%s: %s", groups, body)
		if want == 403 {
			assert.Equal(t, `Bearer error="insufficient_scope"`, resp.Header.Get("WWW-Authenticate"))
		}
	}
	resp, _ := get(t, srv, "/api/admin", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// / is open: no token, a good token and a bad token.
func TestHomeOptional(t *testing.T) {
	iss, srv := newApp(t)
	resp, body := get(t, srv, "/", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, "jwtgate demo")

	resp, body = get(t, srv, "/", "Bearer "+iss.Sign(map[string]any{"sub": "u", "preferred_username": "carol"}))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, "Hello carol.")

	resp, body = get(t, srv, "/", "Bearer "+iss.Sign(map[string]any{"sub": "u", "preferred_username": "carol", "iss": "https://evil.example"}))
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a bad token is refused, not treated as anonymous")
	assert.NotContains(t, body, "carol")
}

// The demo's own issuer: /token mints what /api/whoami accepts.
func TestDemoMints(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	d, err := newDemo(func() time.Time { return now })
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.verifier.Close() })
	srv := httptest.NewServer(d.handler())
	t.Cleanup(srv.Close)

	_, tok := get(t, srv, "/token?sub=bob&groups=editor", "")
	resp, body := get(t, srv, "/api/whoami", "Bearer "+strings.TrimSpace(tok))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Contains(t, body, `"role": "Editor"`)
	assert.Contains(t, body, `"login": "bob"`)

	_, tok = get(t, srv, "/token?sub=carol", "")
	resp, body = get(t, srv, "/api/whoami", "Bearer "+strings.TrimSpace(tok))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Contains(t, body, `"role": "Viewer"`)

	// Two hours later the token has expired.
	now = now.Add(2 * time.Hour)
	resp, _ = get(t, srv, "/api/whoami", "Bearer "+strings.TrimSpace(tok))
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestRunRejectsBadFlags(t *testing.T) {
	require.Error(t, run(context.Background(), []string{"-nope"}, io.Discard))
}

// syncBuffer is a bytes.Buffer safe to read while run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// run prints its curl line only once it listens, serves, and returns nil
// when its context ends.
func TestRunListensThenShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, out) }()

	// Wait for the banner (a watchdog, not a timing assertion).
	var base string
	deadline := time.After(30 * time.Second)
	for base == "" {
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v", err)
		case <-deadline:
			t.Fatal("no banner after 30 s")
		case <-time.After(10 * time.Millisecond):
		}
		if line, _, ok := strings.Cut(out.String(), "\n"); ok {
			base = strings.TrimPrefix(line, "jwtgate demo listening on ")
		}
	}
	require.True(t, strings.HasPrefix(base, "http://127.0.0.1:"), base)
	resp, err := http.Get(base + "/api/whoami")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	assert.Contains(t, out.String(), "shutting down")
}

// A taken port is an error that says how to pick another, with no curl
// line printed first.
func TestRunAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var out bytes.Buffer
	err = run(context.Background(), []string{"-addr", ln.Addr().String()}, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-addr")
	assert.NotContains(t, out.String(), "curl")
}
