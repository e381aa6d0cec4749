package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// rig is the example server over loopback TLS, trusting a jwtauthtest
// issuer.
type rig struct {
	issuer   *jwtauthtest.Issuer
	srv      *httptest.Server
	resource string // the MCP endpoint's URL
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{issuer: jwtauthtest.NewIssuer(t)}
	var h http.Handler
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { h.ServeHTTP(w, req) }))
	r.srv.StartTLS()
	t.Cleanup(r.srv.Close)
	r.resource = r.srv.URL + "/mcp"
	var v interface{ Close() error }
	var err error
	h, v, err = newHandler(r.issuer.Config(), r.resource)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return r
}

// accessToken is an RFC 9068 access token for the example's resource.
func (r *rig) accessToken(sub, scope string) string {
	return r.issuer.SignWith(map[string]any{"typ": "at+jwt"}, map[string]any{
		"sub": sub, "aud": r.resource, "scope": scope, "client_id": "test-client", "jti": sub + "-1",
	})
}

// idToken is an OpenID Connect ID token from the same issuer (typ JWT),
// here even with the resource as audience.
func (r *rig) idToken(sub string) string {
	return r.issuer.Sign(map[string]any{"sub": sub, "aud": r.resource, "scope": toolsScope, "nonce": "n"})
}

// post sends one JSON-RPC initialize request with token (none when "").
func (r *rig) post(t *testing.T, token string) *http.Response {
	t.Helper()
	return r.postHost(t, token, "")
}

// postHost is post with the Host header set to host ("" leaves it alone).
func (r *rig) postHost(t *testing.T, token, host string) *http.Response {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	req, err := http.NewRequest(http.MethodPost, r.resource, strings.NewReader(body))
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := r.srv.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = res.Body.Close() })
	return res
}

// The discovery flow of the MCP authorization spec: a 401 names the
// metadata, which names the issuer and the scope.
func TestUnauthenticatedDiscovery(t *testing.T) {
	r := newRig(t)
	res := r.post(t, "")
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	mdURL := r.srv.URL + "/.well-known/oauth-protected-resource/mcp"
	assert.Equal(t, `Bearer resource_metadata="`+mdURL+`"`, res.Header.Get("WWW-Authenticate"))

	md, err := r.srv.Client().Get(mdURL)
	require.NoError(t, err)
	defer md.Body.Close()
	require.Equal(t, http.StatusOK, md.StatusCode)
	assert.Equal(t, "application/json", md.Header.Get("Content-Type"))
	var doc map[string]any
	require.NoError(t, json.NewDecoder(md.Body).Decode(&doc))
	assert.Equal(t, map[string]any{
		"resource":                 r.resource,
		"authorization_servers":    []any{r.issuer.URL()},
		"scopes_supported":         []any{toolsScope},
		"bearer_methods_supported": []any{"header"},
	}, doc)
}

// An ID token refused where at+jwt is required, with a jwtauthtest issuer
// minting both: same issuer, same key, same aud and scope, only the typ
// differs.
func TestIDTokenRefused(t *testing.T) {
	r := newRig(t)
	res := r.post(t, r.idToken("alice"))
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Equal(t, `Bearer error="invalid_token", resource_metadata="`+r.srv.URL+`/.well-known/oauth-protected-resource/mcp"`,
		res.Header.Get("WWW-Authenticate"))

	res = r.post(t, r.accessToken("alice", toolsScope))
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestRefusals(t *testing.T) {
	r := newRig(t)
	rm := `, resource_metadata="` + r.srv.URL + `/.well-known/oauth-protected-resource/mcp"`
	other := r.issuer.SignWith(map[string]any{"typ": "at+jwt"}, map[string]any{"sub": "alice", "aud": "https://other.example/mcp", "scope": toolsScope})
	for _, tc := range []struct {
		name      string
		token     string
		status    int
		challenge string
	}{
		{"token for another resource", other, 401, `Bearer error="invalid_token"` + rm},
		{"without the tools scope", r.accessToken("alice", "profile"), 403, `Bearer error="insufficient_scope", scope="mcp:tools"` + rm},
		{"not a token", "not-a-jwt", 401, `Bearer error="invalid_token"` + rm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := r.post(t, tc.token)
			assert.Equal(t, tc.status, res.StatusCode)
			assert.Equal(t, tc.challenge, res.Header.Get("WWW-Authenticate"))
			body, _ := io.ReadAll(res.Body)
			assert.NotContains(t, string(body), tc.token)
		})
	}
}

// bearer adds a token to every request of an MCP client.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(req)
}

// The whole flow with the official SDK's client: connect with an access
// token carrying the scope, list and call the tool.
func TestEndToEnd(t *testing.T) {
	r := newRig(t)
	hc := &http.Client{Transport: bearer{r.accessToken("alice", "openid "+toolsScope), r.srv.Client().Transport}}
	client := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "v1"}, nil)
	cs, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: r.resource, HTTPClient: hc, DisableStandaloneSSE: true, MaxRetries: -1}, nil)
	require.NoError(t, err)
	defer cs.Close()

	tools, err := cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	require.Len(t, tools.Tools, 1)
	assert.Equal(t, "whoami", tools.Tools[0].Name)

	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami", Arguments: map[string]any{}})
	require.NoError(t, err)
	require.False(t, res.IsError)
	out, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	assert.JSONEq(t, `{"subject":"alice","scopes":["openid","mcp:tools"]}`, string(out))

	// Another user's valid token cannot use alice's session.
	id := cs.ID()
	require.NotEmpty(t, id, "a stateful session")
	{
		body := `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`
		req, err := http.NewRequest(http.MethodPost, r.resource, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Session-Id", id)
		req.Header.Set("Authorization", "Bearer "+r.accessToken("mallory", toolsScope))
		res, err := r.srv.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
	}
}

// Behind a TLS-terminating proxy on the same host, requests reach the
// loopback listener with the public Host: they are served on the strength
// of the token alone.
func TestBehindProxy(t *testing.T) {
	r := newRig(t)
	for _, tc := range []struct {
		token  string
		status int
	}{
		{r.accessToken("alice", toolsScope), http.StatusOK},
		{"", http.StatusUnauthorized},
	} {
		res := r.postHost(t, tc.token, "mcp.example.com")
		assert.Equal(t, tc.status, res.StatusCode)
	}
}
