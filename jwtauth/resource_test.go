package jwtauth_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

const rmURL = "https://api.example.com/.well-known/oauth-protected-resource"

// Every challenge a Verifier with ResourceMetadataURL sends carries
// resource_metadata, whatever the status; other headers are unchanged.
func TestResourceMetadataOnEveryChallenge(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{
		JWKSetValue:         jwksValue(k),
		ResourceMetadataURL: rmURL,
		RoleAttributePath:   "role",
		RoleAttributeStrict: true,
	})
	down := newV(t, jwtauth.Config{Keys: &countingSource{err: errBoom}, ResourceMetadataURL: rmURL})
	good := k.Sign(claimsWith(map[string]any{"role": "Viewer", "scope": "read"}))
	rm := `, resource_metadata="` + rmURL + `"`
	for _, tc := range []struct {
		name      string
		v         *jwtauth.Verifier
		h         func(*jwtauth.Verifier) http.Handler
		header    []string // Authorization values
		status    int
		challenge string // "" when none is sent
	}{
		{"401 no token", v, mw, nil, 401, `Bearer resource_metadata="` + rmURL + `"`},
		{"401 invalid token", v, mw, []string{"Bearer x.y.z"}, 401, `Bearer error="invalid_token"` + rm},
		{"401 expired", v, mw, []string{"Bearer " + k.Sign(claimsWith(map[string]any{"exp": jwttest.Unix(-2 * time.Hour)}))}, 401, `Bearer error="invalid_token"` + rm},
		{"401 repeated header", v, mw, []string{"Bearer a", "Bearer b"}, 401, `Bearer error="invalid_token"` + rm},
		{"403 no role", v, mw, []string{"Bearer " + k.Sign(jwttest.Default())}, 403, `Bearer error="insufficient_scope"` + rm},
		{"403 RequireScope", v, scoped("write"), []string{"Bearer " + good}, 403, `Bearer error="insufficient_scope", scope="write"` + rm},
		{"401 RequireScope without Middleware", v, bareScoped("write"), nil, 401, `Bearer resource_metadata="` + rmURL + `"`},
		{"403 RequireRole", v, roled(jwtauth.RoleEditor), []string{"Bearer " + good}, 403, `Bearer error="insufficient_scope"` + rm},
		{"401 RequireRole without Middleware", v, bareRoled(jwtauth.RoleViewer), nil, 401, `Bearer resource_metadata="` + rmURL + `"`},
		{"200", v, scoped("read"), []string{"Bearer " + good}, 204, ""},
		{"503 keys unavailable", down, mw, []string{"Bearer " + good}, 503, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api", nil)
			r.Header["Authorization"] = tc.header
			w := httptest.NewRecorder()
			tc.h(tc.v).ServeHTTP(w, r)
			assert.Equal(t, tc.status, w.Code)
			if tc.challenge == "" {
				assert.Empty(t, w.Header().Values("WWW-Authenticate"))
				return
			}
			assert.Equal(t, []string{tc.challenge}, w.Header().Values("WWW-Authenticate"))
		})
	}
}

func mw(v *jwtauth.Verifier) http.Handler { return v.Middleware(okHandler()) }

func scoped(scopes ...string) func(*jwtauth.Verifier) http.Handler {
	return func(v *jwtauth.Verifier) http.Handler { return v.Middleware(v.RequireScope(scopes...)(okHandler())) }
}

func roled(min jwtauth.Role) func(*jwtauth.Verifier) http.Handler {
	return func(v *jwtauth.Verifier) http.Handler { return v.Middleware(v.RequireRole(min)(okHandler())) }
}

func bareRoled(min jwtauth.Role) func(*jwtauth.Verifier) http.Handler {
	return func(v *jwtauth.Verifier) http.Handler { return v.RequireRole(min)(okHandler()) }
}

func bareScoped(scopes ...string) func(*jwtauth.Verifier) http.Handler {
	return func(v *jwtauth.Verifier) http.Handler { return v.RequireScope(scopes...)(okHandler()) }
}

// Errors from Verify carry it too, so a custom ErrorHandler using
// SetErrorHeaders sends it; a Verifier without it sends the plain
// challenge.
func TestResourceMetadataSetErrorHeaders(t *testing.T) {
	k := rsaGood()
	for _, tc := range []struct {
		url, want string
	}{
		{rmURL, `Bearer error="invalid_token", resource_metadata="` + rmURL + `"`},
		{"", `Bearer error="invalid_token"`},
	} {
		v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), ResourceMetadataURL: tc.url})
		_, err := verify(t, v, "x.y.z")
		h := http.Header{}
		jwtauth.SetErrorHeaders(h, err)
		assert.Equal(t, tc.want, h.Get("WWW-Authenticate"))
	}
}

// Under NewMulti the URL comes from config 0 and applies to every issuer.
func TestResourceMetadataMulti(t *testing.T) {
	a, b := jwttest.Ed25519(1, "a"), jwttest.Ed25519(2, "b")
	cfg := func(k *jwttest.Key, iss, url string) jwtauth.Config {
		return jwtauth.Config{JWKSetValue: jwksValue(k), ExpectClaims: map[string]any{"iss": iss}, ResourceMetadataURL: url}
	}
	v, err := jwtauth.NewMulti(cfg(a, "https://a.example", rmURL), cfg(b, "https://b.example", ""))
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	_, err = verify(t, v, b.Sign(claimsWith(map[string]any{"iss": "https://b.example", "exp": jwttest.Unix(-2 * time.Hour)})))
	h := http.Header{}
	jwtauth.SetErrorHeaders(h, err)
	assert.Equal(t, `Bearer error="invalid_token", resource_metadata="`+rmURL+`"`, h.Get("WWW-Authenticate"))

	_, err = jwtauth.NewMulti(cfg(a, "https://a.example", rmURL), cfg(b, "https://b.example", rmURL))
	require.NoError(t, err)
	_, err = jwtauth.NewMulti(cfg(a, "https://a.example", rmURL), cfg(b, "https://b.example", "https://other.example/md"))
	require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "ResourceMetadataURL: differs from config 0")
}

func TestResourceMetadataURLConfig(t *testing.T) {
	k := rsaGood()
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://api.example.com/.well-known/oauth-protected-resource", true},
		{"https://api.example.com:8443/.well-known/oauth-protected-resource/v1?x=1", true},
		{"http://api.example.com/md", false},
		{"ftp://api.example.com/md", false},
		{"/.well-known/oauth-protected-resource", false},
		{"api.example.com/md", false},
		{"https://", false},
		{"https:opaque", false},
		{"https://user:pw@api.example.com/md", false},
		{"https://api.example.com/md#frag", false},
		{"https://api.example.com/a b", false},
		{"https://api.example.com/a\r\nX-Evil: 1", false},
		{"https://api.example.com/\x00", false},
		{`https://api.example.com/a"b`, false},
		{`https://api.example.com/a\b`, false},
		{"https://api.example.com/é", false},
	} {
		_, err := jwtauth.New(jwtauth.Config{JWKSetValue: jwksValue(k), ResourceMetadataURL: tc.url})
		if tc.ok {
			require.NoError(t, err, "%q", tc.url)
			continue
		}
		require.ErrorIs(t, err, jwtauth.ErrInvalidConfig, "%q", tc.url)
		assert.Contains(t, err.Error(), "ResourceMetadataURL")
	}
	// http only with InsecureAllowHTTP.
	_, err := jwtauth.New(jwtauth.Config{JWKSetURL: "http://127.0.0.1:1/jwks", InsecureAllowHTTP: true, ResourceMetadataURL: "http://127.0.0.1:2/md"})
	require.NoError(t, err)
}

// getMetadata serves one request to h and returns the response.
func getMetadata(t *testing.T, h http.Handler, method string) (*http.Response, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, "/.well-known/oauth-protected-resource", nil))
	res := w.Result()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(body)
}

func TestResourceMetadataHandler(t *testing.T) {
	const iss = "https://sso.example.com/realms/acme"
	for _, tc := range []struct {
		name string
		cfgs []jwtauth.Config
		md   jwtauth.ResourceMetadata
		want string
	}{
		{
			"defaults from OIDCIssuerURL",
			[]jwtauth.Config{{OIDCIssuerURL: iss}},
			jwtauth.ResourceMetadata{Resource: "https://api.example.com"},
			`{"resource":"https://api.example.com","authorization_servers":["` + iss + `"],"bearer_methods_supported":["header"]}`,
		},
		{
			"issuer from ExpectClaims, scopes",
			[]jwtauth.Config{{JWKSetValue: jwksValue(rsaGood()), ExpectClaims: map[string]any{"iss": iss}}},
			jwtauth.ResourceMetadata{Resource: "https://api.example.com/v1", ScopesSupported: []string{"orders:read", "orders:write"}},
			`{"resource":"https://api.example.com/v1","authorization_servers":["` + iss + `"],"scopes_supported":["orders:read","orders:write"],"bearer_methods_supported":["header"]}`,
		},
		{
			"URLLogin adds query, a cookie adds nothing",
			[]jwtauth.Config{{OIDCIssuerURL: iss, URLLogin: true, CookieName: "jwt"}},
			jwtauth.ResourceMetadata{Resource: "https://api.example.com"},
			`{"resource":"https://api.example.com","authorization_servers":["` + iss + `"],"bearer_methods_supported":["header","query"]}`,
		},
		{
			"a custom header is no RFC 6750 method",
			[]jwtauth.Config{{OIDCIssuerURL: iss, HeaderName: "X-JWT-Assertion"}},
			jwtauth.ResourceMetadata{Resource: "https://api.example.com"},
			`{"resource":"https://api.example.com","authorization_servers":["` + iss + `"],"bearer_methods_supported":[]}`,
		},
		{
			"authorization header in another case",
			[]jwtauth.Config{{OIDCIssuerURL: iss, HeaderName: "authorization"}},
			jwtauth.ResourceMetadata{Resource: "https://api.example.com"},
			`{"resource":"https://api.example.com","authorization_servers":["` + iss + `"],"bearer_methods_supported":["header"]}`,
		},
		{
			"explicit authorization servers win",
			[]jwtauth.Config{{OIDCIssuerURL: iss}},
			jwtauth.ResourceMetadata{Resource: "https://api.example.com", AuthorizationServers: []string{"https://as.example.com", "https://as2.example.com/t?x=1&y=2"}},
			`{"resource":"https://api.example.com","authorization_servers":["https://as.example.com","https://as2.example.com/t?x=1&y=2"],"bearer_methods_supported":["header"]}`,
		},
		{
			"explicit servers with no pinned issuer",
			[]jwtauth.Config{{JWKSetValue: jwksValue(rsaGood())}},
			jwtauth.ResourceMetadata{Resource: "https://api.example.com", AuthorizationServers: []string{"https://as.example.com"}},
			`{"resource":"https://api.example.com","authorization_servers":["https://as.example.com"],"bearer_methods_supported":["header"]}`,
		},
		{
			"every issuer under NewMulti, in order",
			[]jwtauth.Config{{OIDCIssuerURL: "https://b.example"}, {JWKSetValue: jwksValue(rsaGood()), ExpectClaims: map[string]any{"iss": "https://a.example"}}},
			jwtauth.ResourceMetadata{Resource: "https://api.example.com"},
			`{"resource":"https://api.example.com","authorization_servers":["https://b.example","https://a.example"],"bearer_methods_supported":["header"]}`,
		},
		{
			"http with InsecureAllowHTTP",
			[]jwtauth.Config{{OIDCIssuerURL: "http://127.0.0.1:9", InsecureAllowHTTP: true}},
			jwtauth.ResourceMetadata{Resource: "http://127.0.0.1:8080/mcp"},
			`{"resource":"http://127.0.0.1:8080/mcp","authorization_servers":["http://127.0.0.1:9"],"bearer_methods_supported":["header"]}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v *jwtauth.Verifier
			var err error
			if len(tc.cfgs) == 1 {
				v, err = jwtauth.New(tc.cfgs[0])
			} else {
				v, err = jwtauth.NewMulti(tc.cfgs...)
			}
			require.NoError(t, err)
			t.Cleanup(func() { _ = v.Close() })
			h, err := v.ResourceMetadataHandler(tc.md)
			require.NoError(t, err)

			res, body := getMetadata(t, h, http.MethodGet)
			assert.Equal(t, http.StatusOK, res.StatusCode)
			assert.Equal(t, tc.want+"\n", body)
			assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
			assert.Equal(t, "public, max-age=3600", res.Header.Get("Cache-Control"))
			assert.Equal(t, strconv.Itoa(len(body)), res.Header.Get("Content-Length"))

			head, hbody := getMetadata(t, h, http.MethodHead)
			assert.Equal(t, http.StatusOK, head.StatusCode)
			assert.Empty(t, hbody)
			assert.Equal(t, res.Header, head.Header, "HEAD sends GET's headers")
		})
	}
}

func TestResourceMetadataHandlerMethods(t *testing.T) {
	v := newV(t, jwtauth.Config{OIDCIssuerURL: "https://sso.example.com"})
	h, err := v.ResourceMetadataHandler(jwtauth.ResourceMetadata{Resource: "https://api.example.com"})
	require.NoError(t, err)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions, "BREW"} {
		res, body := getMetadata(t, h, m)
		assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode, m)
		assert.Equal(t, "GET, HEAD", res.Header.Get("Allow"), m)
		assert.NotContains(t, body, "resource", m)
		assert.Empty(t, res.Header.Get("Cache-Control"), m)
	}
	// The handler ignores the path: mounting is the caller's business.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-protected-resource/v1", nil))
	assert.Equal(t, http.StatusOK, w.Code)
}

func TestResourceMetadataHandlerErrors(t *testing.T) {
	pinned := jwtauth.Config{OIDCIssuerURL: "https://sso.example.com"}
	for _, tc := range []struct {
		name string
		cfg  jwtauth.Config
		md   jwtauth.ResourceMetadata
		msg  string
	}{
		{"no resource", pinned, jwtauth.ResourceMetadata{}, "Resource is required"},
		{"http resource", pinned, jwtauth.ResourceMetadata{Resource: "http://api.example.com"}, "InsecureAllowHTTP"},
		{"relative resource", pinned, jwtauth.ResourceMetadata{Resource: "/api"}, "absolute https URL"},
		{"resource with a fragment", pinned, jwtauth.ResourceMetadata{Resource: "https://api.example.com/#x"}, "fragment"},
		{"resource with a space", pinned, jwtauth.ResourceMetadata{Resource: "https://api.example.com/a b"}, "space"},
		{"no issuer pinned", jwtauth.Config{JWKSetValue: jwksValue(rsaGood())}, jwtauth.ResourceMetadata{Resource: "https://api.example.com"}, "no authorization server"},
		{"empty server list", pinned, jwtauth.ResourceMetadata{Resource: "https://api.example.com", AuthorizationServers: []string{}}, "no authorization server"},
		{"pinned issuer not a URL", jwtauth.Config{JWKSetValue: jwksValue(rsaGood()), ExpectClaims: map[string]any{"iss": "my-issuer"}}, jwtauth.ResourceMetadata{Resource: "https://api.example.com"}, "my-issuer"},
		{"http server", pinned, jwtauth.ResourceMetadata{Resource: "https://api.example.com", AuthorizationServers: []string{"http://as.example.com"}}, "InsecureAllowHTTP"},
		{"bad scope", pinned, jwtauth.ResourceMetadata{Resource: "https://api.example.com", ScopesSupported: []string{"a b"}}, "ScopesSupported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newV(t, tc.cfg)
			h, err := v.ResourceMetadataHandler(tc.md)
			require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
			assert.Nil(t, h)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

// The handler keeps no reference to the caller's slices.
func TestResourceMetadataHandlerCopies(t *testing.T) {
	v := newV(t, jwtauth.Config{OIDCIssuerURL: "https://sso.example.com"})
	md := jwtauth.ResourceMetadata{Resource: "https://api.example.com", ScopesSupported: []string{"read"}}
	h, err := v.ResourceMetadataHandler(md)
	require.NoError(t, err)
	md.ScopesSupported[0] = "admin"
	_, body := getMetadata(t, h, http.MethodGet)
	assert.Contains(t, body, `"scopes_supported":["read"]`)
}

// The sender-constraint members follow what the Verifier enforces: the
// DPoP proof algorithms, DPoPRequired, CertBoundTokens; and a custom
// TokenExtractor leaves the bearer methods unsaid.
func TestResourceMetadataSenderConstraints(t *testing.T) {
	const iss = "https://sso.example.com"
	for _, tc := range []struct {
		name string
		cfg  jwtauth.Config
		want string
	}{
		{"off", jwtauth.Config{}, `,"bearer_methods_supported":["header"]}`},
		{"DPoP allowed, default algs", jwtauth.Config{DPoP: jwtauth.DPoPAllowed},
			`,"bearer_methods_supported":["header"],"dpop_signing_alg_values_supported":["ES256","ES384","ES512","EdDSA","RS256","PS256"]}`},
		{"DPoP required, configured algs", jwtauth.Config{DPoP: jwtauth.DPoPRequired, DPoPAlgorithms: []string{"EdDSA", "ES256", "EdDSA"}},
			`,"bearer_methods_supported":["header"],"dpop_signing_alg_values_supported":["EdDSA","ES256"],"dpop_bound_access_tokens_required":true}`},
		{"certificate-bound tokens", jwtauth.Config{CertBoundTokens: true},
			`,"bearer_methods_supported":["header"],"tls_client_certificate_bound_access_tokens":true}`},
		{"custom extractor: methods unknown",
			jwtauth.Config{TokenExtractor: func(*http.Request) (string, error) { return "", jwtauth.ErrNoToken }, URLLogin: true}, `}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.OIDCIssuerURL = iss
			v := newV(t, cfg)
			h, err := v.ResourceMetadataHandler(jwtauth.ResourceMetadata{Resource: "https://api.example.com"})
			require.NoError(t, err)
			_, body := getMetadata(t, h, http.MethodGet)
			assert.Equal(t, `{"resource":"https://api.example.com","authorization_servers":["`+iss+`"]`+tc.want+"\n", body)
		})
	}
}

// With DPoP on, the DPoP challenge carries resource_metadata too, on 401
// and 403 alike.
func TestResourceMetadataWithDPoP(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), ResourceMetadataURL: rmURL, DPoP: jwtauth.DPoPAllowed, DPoPAlgorithms: []string{"ES256"}})
	rm := `resource_metadata="` + rmURL + `"`
	for _, tc := range []struct {
		name   string
		h      func(*jwtauth.Verifier) http.Handler
		header []string
		status int
		want   []string
	}{
		{"401 no token", mw, nil, 401, []string{`Bearer ` + rm, `DPoP algs="ES256", ` + rm}},
		{"401 invalid token", mw, []string{"Bearer x.y.z"}, 401, []string{`Bearer error="invalid_token", ` + rm, `DPoP algs="ES256", ` + rm}},
		{"403 RequireScope", scoped("write"), []string{"Bearer " + k.Sign(jwttest.Default())}, 403,
			[]string{`Bearer error="insufficient_scope", scope="write", ` + rm, `DPoP algs="ES256", ` + rm}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api", nil)
			r.Header["Authorization"] = tc.header
			w := httptest.NewRecorder()
			tc.h(v).ServeHTTP(w, r)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, tc.want, w.Header().Values("WWW-Authenticate"))
		})
	}
}
