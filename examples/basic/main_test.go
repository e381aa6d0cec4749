package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemo(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	d, err := newDemo(func() time.Time { return now })
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.verifier.Close() })
	srv := httptest.NewServer(d.handler())
	t.Cleanup(srv.Close)

	get := func(path, auth string) (*http.Response, string) {
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

	_, tok := get("/token?sub=bob&groups=admin,dev", "")
	tok = strings.TrimSpace(tok)

	resp, body := get("/api/whoami", "Bearer "+tok)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var id map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &id))
	assert.Equal(t, "bob", id["login"])
	assert.Equal(t, "bob@demo.invalid", id["email"])
	assert.Equal(t, "Admin", id["role"])
	assert.Equal(t, []any{"admin", "dev"}, id["groups"])
	assert.Equal(t, map[string]any{"1": "Admin"}, id["orgRoles"])

	_, tok = get("/token?sub=carol", "")
	resp, body = get("/api/whoami", "Bearer "+strings.TrimSpace(tok))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Contains(t, body, `"role": "Viewer"`)

	resp, body = get("/api/whoami", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "Bearer", resp.Header.Get("WWW-Authenticate"))

	resp, body = get("/api/whoami", "Bearer "+tok[:len(tok)-4]+"AAAA")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, `Bearer error="invalid_token"`, resp.Header.Get("WWW-Authenticate"))
	assert.NotContains(t, body, tok[:20])

	// Two hours later the token has expired.
	now = now.Add(2 * time.Hour)
	resp, _ = get("/api/whoami", "Bearer "+strings.TrimSpace(tok))
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestRunRejectsBadFlags(t *testing.T) {
	require.Error(t, run([]string{"-nope"}, io.Discard))
}
