package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/examples/internal/exampletest"
	"github.com/jwtgate/jwtgate/examples/internal/identhdr"
	"github.com/jwtgate/jwtgate/examples/internal/keyhealth"
	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// env is a gateway in front of a recording upstream.
type env struct {
	clk   *jwttest.FakeClock
	gw    *gateway
	front *httptest.Server
	up    *exampletest.Upstream
	// refusedHeaders are the request headers the error handler saw.
	mu             sync.Mutex
	refusedHeaders []http.Header
}

func defaultOptions(t *testing.T, upstreamURL string) options {
	o, err := parseFlags([]string{"-config", "unused.ini", "-upstream", upstreamURL}, io.Discard)
	require.NoError(t, err)
	return o
}

func newEnv(t *testing.T, mutate func(*jwtauth.Config, *options)) *env {
	t.Helper()
	e := &env{clk: jwttest.NewFakeClock(jwttest.Epoch), up: exampletest.NewUpstream(t, nil)}
	cfg := exampletest.Config(e.clk.Now)
	cfg.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		e.mu.Lock()
		e.refusedHeaders = append(e.refusedHeaders, r.Header.Clone())
		e.mu.Unlock()
		jwtauth.DefaultErrorHandler(w, r, err)
	}
	o := defaultOptions(t, e.up.URL)
	if mutate != nil {
		mutate(&cfg, &o)
	}
	gw, err := newGateway(cfg, o, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = gw.Close() })
	e.gw = gw
	e.front = httptest.NewServer(gw.handler())
	t.Cleanup(e.front.Close)
	return e
}

// do sends req without following redirects and returns the response with
// its body read.
func (e *env) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return exampletest.Do(t, client, req)
}

func (e *env) get(t *testing.T, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.front.URL+path, nil)
	require.NoError(t, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	return e.do(t, req)
}

func webauthHeaders(h http.Header) map[string][]string {
	out := map[string][]string{}
	for k, v := range h {
		if strings.HasPrefix(normalizeHeader(k), "X-WEBAUTH-") {
			out[k] = v
		}
	}
	return out
}

func TestForwardsIdentity(t *testing.T) {
	e := newEnv(t, nil)
	tok := exampletest.IDP.Sign(exampletest.Claims("alice"))
	resp, body := e.get(t, "/api/dashboards?x=1", exampletest.Bearer(tok))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, "upstream ok\n", body)

	got := e.up.Last(t)
	assert.Equal(t, map[string][]string{
		"X-Webauth-User":   {"alice"},
		"X-Webauth-Email":  {"alice@example.test"},
		"X-Webauth-Name":   {"Alice Liddell"},
		"X-Webauth-Role":   {"Editor"},
		"X-Webauth-Groups": {"dev,ops"},
	}, webauthHeaders(got.Header))
	assert.Empty(t, got.Header.Values("Authorization"), "the token header must not be forwarded")
	assert.Equal(t, "/api/dashboards?x=1", got.URL.RequestURI())
	assert.Equal(t, "127.0.0.1", got.Header.Get("X-Forwarded-For"))
}

func TestClientAddressNotSpoofable(t *testing.T) {
	e := newEnv(t, nil)
	h := exampletest.Bearer(exampletest.IDP.Sign(exampletest.Claims("alice")))
	h.Set("X-Forwarded-For", "10.9.9.9")
	h.Set("X-Real-IP", "10.9.9.9")
	resp, body := e.get(t, "/", h)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	got := e.up.Last(t).Header
	assert.Equal(t, []string{"127.0.0.1"}, got.Values("X-Forwarded-For"))
	assert.Empty(t, got.Values("X-Real-Ip"))
}

func TestForwardsEmailAsUserWithoutLogin(t *testing.T) {
	e := newEnv(t, nil)
	c := exampletest.Claims("alice")
	delete(c, "preferred_username")
	delete(c, "name")
	delete(c, "groups")
	resp, body := e.get(t, "/", exampletest.Bearer(exampletest.IDP.Sign(c)))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, map[string][]string{
		"X-Webauth-User":  {"alice@example.test"},
		"X-Webauth-Email": {"alice@example.test"},
		"X-Webauth-Role":  {"Editor"},
	}, webauthHeaders(e.up.Last(t).Header))
}

func TestHeaderSpoofing(t *testing.T) {
	spoof := http.Header{
		"X-Webauth-User":   {"admin"},
		"x-webauth-role":   {"Admin"}, // sent as is, canonicalized by the server
		"X-WEBAUTH-ORG":    {"2"},
		"X_WEBAUTH_USER":   {"admin"}, // CGI-style servers read this as X-WEBAUTH-USER
		"X-Webauth-Groups": {"admins"},
		"X-Webauth-Name":   {"Mallory"},
	}
	with := func(h http.Header) http.Header {
		out := spoof.Clone()
		for k, v := range h {
			out[k] = v
		}
		return out
	}

	t.Run("valid token", func(t *testing.T) {
		e := newEnv(t, nil)
		c := exampletest.Claims("alice")
		delete(c, "name") // a spoofed name must not fill the gap
		resp, body := e.get(t, "/", with(exampletest.Bearer(exampletest.IDP.Sign(c))))
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, map[string][]string{
			"X-Webauth-User":   {"alice"},
			"X-Webauth-Email":  {"alice@example.test"},
			"X-Webauth-Role":   {"Editor"},
			"X-Webauth-Groups": {"dev,ops"},
		}, webauthHeaders(e.up.Last(t).Header))
	})

	t.Run("Connection header cannot drop the identity", func(t *testing.T) {
		e := newEnv(t, nil)
		h := with(exampletest.Bearer(exampletest.IDP.Sign(exampletest.Claims("alice"))))
		h.Set("Connection", "X-Webauth-User, X-Webauth-Role")
		resp, body := e.get(t, "/", h)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		got := e.up.Last(t).Header
		assert.Equal(t, "alice", got.Get("X-Webauth-User"))
		assert.Equal(t, "Editor", got.Get("X-Webauth-Role"))
	})

	t.Run("refused request", func(t *testing.T) {
		e := newEnv(t, nil)
		for _, h := range []http.Header{
			with(nil), // no token
			with(exampletest.Bearer(exampletest.Forger.Sign(exampletest.Claims("alice")))),
		} {
			resp, _ := e.get(t, "/", h)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		}
		assert.Zero(t, e.up.Count(), "a refused request reached the upstream")
		e.mu.Lock()
		defer e.mu.Unlock()
		require.Len(t, e.refusedHeaders, 2)
		for _, h := range e.refusedHeaders {
			assert.Empty(t, webauthHeaders(h), "identity headers were still on the refused request")
		}
	})

	t.Run("configured header names", func(t *testing.T) {
		e := newEnv(t, func(_ *jwtauth.Config, o *options) {
			o.headers = identhdr.Names{User: "X-Forwarded-User", Email: "X-Forwarded-Email"}
		})
		h := with(exampletest.Bearer(exampletest.IDP.Sign(exampletest.Claims("alice"))))
		h.Set("X-Forwarded-User", "admin")
		h["x_forwarded_email"] = []string{"admin@example.test"}
		resp, body := e.get(t, "/", h)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		got := e.up.Last(t).Header
		assert.Empty(t, webauthHeaders(got))
		assert.Equal(t, []string{"alice"}, got.Values("X-Forwarded-User"))
		assert.Equal(t, []string{"alice@example.test"}, got.Values("X-Forwarded-Email"))
		assert.Empty(t, got.Values("X_forwarded_email"))
	})
}

func TestUnsafeIdentityRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(jwttest.Claims)
	}{
		{"CRLF in login", func(c jwttest.Claims) { c["preferred_username"] = "alice\r\nX-WEBAUTH-ROLE: Admin" }},
		{"LF in login", func(c jwttest.Claims) { c["preferred_username"] = "alice\n" }},
		{"NUL in email", func(c jwttest.Claims) { c["email"] = "alice@example.test\x00admin" }},
		{"DEL in name", func(c jwttest.Claims) { c["name"] = "Alice\x7f" }},
		{"C1 control in name", func(c jwttest.Claims) { c["name"] = "Alice\u0085" }},
		{"TAB in login", func(c jwttest.Claims) { c["preferred_username"] = "al\tice" }},
		{"leading space in login", func(c jwttest.Claims) { c["preferred_username"] = " admin" }},
		{"trailing space in email", func(c jwttest.Claims) { c["email"] = "admin@example.test " }},
		{"comma in a group", func(c jwttest.Claims) { c["groups"] = []string{"dev,admins"} }},
		{"space in a group", func(c jwttest.Claims) { c["groups"] = []string{"dev admins"} }},
		{"CRLF in a group", func(c jwttest.Claims) { c["groups"] = []string{"dev\r\nX-A: b"} }},
		{"group read as JSON", func(c jwttest.Claims) { c["groups"] = []string{`["admins"]`} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			c := exampletest.Claims("alice")
			tc.change(c)
			tok := exampletest.IDP.Sign(c)

			resp, body := e.get(t, "/", exampletest.Bearer(tok))
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Equal(t, `Bearer error="invalid_token"`, resp.Header.Get("WWW-Authenticate"))
			assert.NotContains(t, body, "admin")

			// The url_login exchange refuses it too, without a cookie.
			resp, _ = e.get(t, "/?auth_token="+tok, nil)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Empty(t, resp.Cookies())

			assert.Zero(t, e.up.Count(), "an unsafe identity reached the upstream")
			assert.Equal(t, uint64(2), e.gw.refusedIdentity.Load())
		})
	}

	t.Run("CRLF in sub used as login", func(t *testing.T) {
		// Without username_claim and email_claim the login is the subject.
		e := newEnv(t, func(c *jwtauth.Config, _ *options) {
			c.UsernameClaim, c.EmailClaim = "", ""
		})
		c := jwttest.Default()
		c["iss"] = exampletest.Issuer
		c["sub"] = "alice\r\nX-WEBAUTH-ROLE: Admin"
		resp, _ := e.get(t, "/", exampletest.Bearer(exampletest.IDP.Sign(c)))
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

		c["sub"] = "alice"
		resp, body := e.get(t, "/", exampletest.Bearer(exampletest.IDP.Sign(c)))
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, "alice", e.up.Last(t).Header.Get("X-Webauth-User"))
		assert.Equal(t, 1, e.up.Count())
	})

	t.Run("groups as JSON allow commas and spaces", func(t *testing.T) {
		e := newEnv(t, func(_ *jwtauth.Config, o *options) { o.groupsJSON = true })
		c := exampletest.Claims("alice")
		c["groups"] = []string{"Team A", "b,c", "ünïcode"}
		resp, body := e.get(t, "/", exampletest.Bearer(exampletest.IDP.Sign(c)))
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		var groups []string
		require.NoError(t, json.Unmarshal([]byte(e.up.Last(t).Header.Get("X-Webauth-Groups")), &groups))
		assert.Equal(t, []string{"Team A", "b,c", "ünïcode"}, groups)

		c["groups"] = []string{"dev\nops"}
		resp, _ = e.get(t, "/", exampletest.Bearer(exampletest.IDP.Sign(c)))
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	})

	t.Run("a header turned off is neither sent nor checked", func(t *testing.T) {
		e := newEnv(t, func(_ *jwtauth.Config, o *options) { o.headers.Name, o.headers.Groups = "", "" })
		c := exampletest.Claims("alice")
		c["name"] = "Alice\r\n"
		c["groups"] = []string{"a,b"}
		resp, body := e.get(t, "/", exampletest.Bearer(exampletest.IDP.Sign(c)))
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, map[string][]string{
			"X-Webauth-User":  {"alice"},
			"X-Webauth-Email": {"alice@example.test"},
			"X-Webauth-Role":  {"Editor"},
		}, webauthHeaders(e.up.Last(t).Header))
	})

	t.Run("non-ASCII is forwarded as UTF-8", func(t *testing.T) {
		e := newEnv(t, nil)
		c := exampletest.Claims("jürgen")
		c["name"] = "Jürgen Groß"
		resp, body := e.get(t, "/", exampletest.Bearer(exampletest.IDP.Sign(c)))
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, "Jürgen Groß", e.up.Last(t).Header.Get("X-Webauth-Name"))
	})
}

func TestRefusedRequestsNeverReachUpstream(t *testing.T) {
	expired := exampletest.Claims("alice")
	expired["exp"] = jwttest.Unix(-time.Hour)
	wrongIss := exampletest.Claims("alice")
	wrongIss["iss"] = "https://evil.test"
	noRole := exampletest.Claims("alice")
	noRole["role"] = "Superuser"

	for _, tc := range []struct {
		name   string
		cfg    func(*jwtauth.Config)
		header http.Header
		status int
		auth   string
	}{
		{"no token", nil, nil, http.StatusUnauthorized, "Bearer"},
		{"garbage", nil, exampletest.Bearer("not.a.jwt"), http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"forged", nil, exampletest.Bearer(exampletest.Forger.Sign(exampletest.Claims("alice"))), http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"expired", nil, exampletest.Bearer(exampletest.IDP.Sign(expired)), http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"wrong issuer", nil, exampletest.Bearer(exampletest.IDP.Sign(wrongIss)), http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"no valid role, strict", func(c *jwtauth.Config) { c.RoleAttributeStrict = true },
			exampletest.Bearer(exampletest.IDP.Sign(noRole)), http.StatusForbidden, `Bearer error="insufficient_scope"`},
		{"keys unavailable", func(c *jwtauth.Config) { c.JWKSetValue, c.Keys = "", exampletest.FailingSource{} },
			exampletest.Bearer(exampletest.IDP.Sign(exampletest.Claims("alice"))), http.StatusServiceUnavailable, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *jwtauth.Config, _ *options) {
				if tc.cfg != nil {
					tc.cfg(c)
				}
			})
			resp, body := e.get(t, "/", tc.header)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.auth, resp.Header.Get("WWW-Authenticate"))
			assert.Contains(t, body, `"messageId":"jwt.`)
			assert.NotContains(t, body, "upstream ok")
			if tc.status == http.StatusServiceUnavailable {
				assert.NotEmpty(t, resp.Header.Get("Retry-After"))
			}
			assert.Zero(t, e.up.Count())
		})
	}
}

func TestTokenHeaderNotForwarded(t *testing.T) {
	tok := exampletest.IDP.Sign(exampletest.Claims("alice"))

	t.Run("default", func(t *testing.T) {
		e := newEnv(t, nil)
		h := exampletest.Bearer(tok)
		h.Set("Cookie", "grafana_session=abc; jwtgate_token="+tok+"; theme=dark")
		resp, body := e.get(t, "/", h)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		got := e.up.Last(t).Header
		assert.Empty(t, got.Values("Authorization"))
		assert.Equal(t, []string{"grafana_session=abc; theme=dark"}, got.Values("Cookie"))
	})

	t.Run("keep-token", func(t *testing.T) {
		e := newEnv(t, func(_ *jwtauth.Config, o *options) { o.keepToken = true })
		resp, body := e.get(t, "/", exampletest.Bearer(tok))
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, "Bearer "+tok, e.up.Last(t).Header.Get("Authorization"))
	})

	t.Run("custom header_name", func(t *testing.T) {
		e := newEnv(t, func(c *jwtauth.Config, _ *options) { c.HeaderName = "X-JWT-Assertion" })
		h := http.Header{"X-Jwt-Assertion": {tok}, "Authorization": {"Basic dXNlcjpwYXNz"}}
		resp, body := e.get(t, "/", h)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		got := e.up.Last(t).Header
		assert.Empty(t, got.Values("X-Jwt-Assertion"))
		assert.Equal(t, "Basic dXNlcjpwYXNz", got.Get("Authorization"), "only the token header is removed")
		assert.Equal(t, "alice", got.Get("X-Webauth-User"))
	})
}

func TestURLLoginExchange(t *testing.T) {
	e := newEnv(t, nil)
	tok := exampletest.IDP.Sign(exampletest.Claims("alice"))
	exp := jwttest.Epoch.Add(time.Hour)

	resp, _ := e.get(t, "/d/abc/cpu?orgId=1&auth_token="+tok+"&kiosk&from=now-1h", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Zero(t, e.up.Count(), "the exchange itself is not forwarded")
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))

	loc := resp.Header.Get("Location")
	assert.Equal(t, "./cpu?orgId=1&kiosk&from=now-1h", loc)
	assert.NotContains(t, loc, "auth_token")
	base, err := url.Parse(e.front.URL + "/d/abc/cpu?orgId=1&auth_token=x")
	require.NoError(t, err)
	next, err := base.Parse(loc)
	require.NoError(t, err)
	assert.Equal(t, e.front.URL+"/d/abc/cpu?orgId=1&kiosk&from=now-1h", next.String())

	require.Len(t, resp.Cookies(), 1)
	c := resp.Cookies()[0]
	assert.Equal(t, "jwtgate_token", c.Name)
	assert.Equal(t, tok, c.Value)
	assert.Equal(t, "/", c.Path)
	assert.True(t, c.HttpOnly)
	assert.True(t, c.Secure)
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.False(t, c.Partitioned)
	assert.True(t, exp.Equal(c.Expires), "cookie expires %v, token at %v", c.Expires, exp)
	assert.Equal(t, 3600, c.MaxAge)

	// The browser follows the redirect with the cookie.
	h := http.Header{"Cookie": {"grafana_session=s1; jwtgate_token=" + c.Value}}
	resp, body := e.get(t, next.RequestURI(), h)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	got := e.up.Last(t)
	assert.Equal(t, "/d/abc/cpu?orgId=1&kiosk&from=now-1h", got.URL.RequestURI())
	assert.Equal(t, "alice", got.Header.Get("X-Webauth-User"))
	assert.Equal(t, "grafana_session=s1", got.Header.Get("Cookie"), "the login cookie is not forwarded")
	assert.Equal(t, uint64(1), e.gw.exchanged.Load())

	t.Run("root path", func(t *testing.T) {
		resp, _ := e.get(t, "/?auth_token="+tok, nil)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		assert.Equal(t, "./", resp.Header.Get("Location"))
	})

	t.Run("invalid token gets no cookie", func(t *testing.T) {
		n := e.up.Count()
		resp, _ := e.get(t, "/?auth_token="+exampletest.Forger.Sign(exampletest.Claims("alice")), nil)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.Empty(t, resp.Cookies())
		assert.Equal(t, n, e.up.Count())
	})

	t.Run("repeated auth_token", func(t *testing.T) {
		resp, _ := e.get(t, "/?auth_token="+tok+"&auth_token="+tok, nil)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.Empty(t, resp.Cookies())
	})

	t.Run("POST is verified and forwarded without the token", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, e.front.URL+"/api/ds/query?a=1&auth_token="+tok+"&b=2", strings.NewReader("{}"))
		require.NoError(t, err)
		resp, body := e.do(t, req)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Empty(t, resp.Cookies())
		assert.Equal(t, "/api/ds/query?a=1&b=2", e.up.Last(t).URL.RequestURI())
	})

	t.Run("auth_token next to a header never reaches the upstream", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPut, e.front.URL+"/api/x?auth_token=leak", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, body := e.do(t, req)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, "/api/x", e.up.Last(t).URL.RequestURI())
	})

	t.Run("iframe", func(t *testing.T) {
		e := newEnv(t, func(_ *jwtauth.Config, o *options) { o.iframe = true })
		resp, _ := e.get(t, "/d/abc?auth_token="+tok, nil)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.Len(t, resp.Cookies(), 1)
		c := resp.Cookies()[0]
		assert.Equal(t, http.SameSiteNoneMode, c.SameSite)
		assert.True(t, c.Secure)
		assert.True(t, c.Partitioned)
	})

	t.Run("token without exp gets a session cookie", func(t *testing.T) {
		c := exampletest.Claims("alice")
		delete(c, "exp")
		resp, _ := e.get(t, "/?auth_token="+exampletest.IDP.Sign(c), nil)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.Len(t, resp.Cookies(), 1)
		ck := resp.Cookies()[0]
		assert.True(t, ck.Expires.IsZero())
		assert.Zero(t, ck.MaxAge)
		assert.NotContains(t, resp.Header.Get("Set-Cookie"), "Expires")
		assert.NotContains(t, resp.Header.Get("Set-Cookie"), "Max-Age")
	})

	t.Run("custom cookie_name", func(t *testing.T) {
		e := newEnv(t, func(c *jwtauth.Config, _ *options) { c.CookieName = "__Host-grafana_jwt" })
		resp, _ := e.get(t, "/?auth_token="+tok, nil)
		require.Len(t, resp.Cookies(), 1)
		assert.Equal(t, "__Host-grafana_jwt", resp.Cookies()[0].Name)
		resp, body := e.get(t, "/", http.Header{"Cookie": {"__Host-grafana_jwt=" + tok}})
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
	})
}

func TestCookieExpiry(t *testing.T) {
	e := newEnv(t, nil)
	c := exampletest.Claims("alice")
	c["exp"] = jwttest.Unix(30 * time.Minute)
	tok := exampletest.IDP.Sign(c)

	resp, _ := e.get(t, "/?auth_token="+tok, nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	ck := resp.Cookies()[0]
	assert.True(t, jwttest.Epoch.Add(30*time.Minute).Equal(ck.Expires))
	assert.Equal(t, 1800, ck.MaxAge)
	cookie := http.Header{"Cookie": {ck.Name + "=" + ck.Value}}

	e.clk.Advance(29 * time.Minute)
	resp, body := e.get(t, "/", cookie)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, 1, e.up.Count())

	// Past exp and the leeway: a browser would have dropped the cookie;
	// one that still sends it is refused, and told to drop it.
	e.clk.Advance(5 * time.Minute)
	resp, body = e.get(t, "/", cookie)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, body, "jwt.invalid")
	require.Len(t, resp.Cookies(), 1)
	assert.Equal(t, "jwtgate_token", resp.Cookies()[0].Name)
	assert.Equal(t, "", resp.Cookies()[0].Value)
	assert.Contains(t, resp.Header.Get("Set-Cookie"), "Max-Age=0")
	assert.Equal(t, 1, e.up.Count(), "the expired cookie reached the upstream")
	assert.Equal(t, uint64(1), e.gw.v.Stats().Refused["ErrExpired"])
}

func TestHealthz(t *testing.T) {
	e := newEnv(t, nil)
	admin := httptest.NewServer(e.gw.adminHandler())
	t.Cleanup(admin.Close)
	for _, srv := range []string{e.front.URL, admin.URL} {
		req, err := http.NewRequest(http.MethodGet, srv+"/healthz", nil)
		require.NoError(t, err)
		resp, body := e.do(t, req)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
		var h keyhealth.Report
		require.NoError(t, json.Unmarshal([]byte(body), &h))
		assert.Equal(t, keyhealth.Report{Status: "ok", Issuers: []keyhealth.Issuer{{
			Issuer: exampletest.Issuer, Status: "ok", Keys: jwtauth.KeyStats{Source: "JWKSetValue", KeyIDs: []string{"idp-1"}},
		}}}, h)
		pub := exampletest.IDP.JWK(false)["x"].(string)
		assert.NotContains(t, body, pub, "no key material in /healthz")
	}
	assert.Zero(t, e.up.Count(), "/healthz is answered by the gateway")
}

// TestHealthz_kidURL: with a {{kid}} URL, a forged token whose kid the key
// server does not have is refused (401), and /healthz stays 200: the key
// server answered. A readiness probe does not take the gateway out of
// rotation because of strangers' kids.
func TestHealthz_kidURL(t *testing.T) {
	keySrv := jwttest.NewFaultServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/keys/idp-1" {
			_, _ = w.Write(exampletest.IDP.PublicPEM())
			return
		}
		http.NotFound(w, r)
	}))
	e := newEnv(t, func(c *jwtauth.Config, _ *options) {
		c.JWKSetValue = ""
		c.JWKSetURL = "https://idp.test/keys/{{kid}}"
		c.HTTPClient = keySrv.Client()
	})
	forged := jwttest.Ed25519(99, "stranger").Sign(jwttest.Default())
	resp, _ := e.get(t, "/", exampletest.Bearer(forged))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Equal(t, 1, keySrv.Hits())

	resp, body := e.get(t, "/healthz", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, `{"status":"ok","issuers":[{"issuer":"`+exampletest.Issuer+`","status":"ok","keys":{"source":"JWKSetURL","remote":true,"fetches":1,"lastFetch":"2026-11-23T12:00:00Z","kids":null,"cacheTTL":3600}}]}`+"\n", body)
	assert.Zero(t, e.up.Count())
}

func TestDebugVars(t *testing.T) {
	// Several gateways in one process (as in these tests) share the
	// process-wide expvar names; the newest one is shown.
	_ = newEnv(t, nil)
	e := newEnv(t, nil)
	admin := httptest.NewServer(e.gw.adminHandler())
	t.Cleanup(admin.Close)

	tok := exampletest.IDP.Sign(exampletest.Claims("alice"))
	for range 2 {
		resp, _ := e.get(t, "/", exampletest.Bearer(tok))
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	resp, _ := e.get(t, "/", nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, _ = e.get(t, "/", exampletest.Bearer(exampletest.Forger.Sign(exampletest.Claims("alice"))))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	resp, body := e.get(t, "/debug/vars", exampletest.Bearer(tok))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "upstream ok\n", body, "/debug/vars is not on the public listener")

	req, err := http.NewRequest(http.MethodGet, admin.URL+"/debug/vars", nil)
	require.NoError(t, err)
	resp, body = e.do(t, req)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var vars struct {
		JWTGate jwtauth.Stats   `json:"jwtgate"`
		Gateway counters        `json:"gateway"`
		Cmdline []string        `json:"cmdline"`
		Mem     json.RawMessage `json:"memstats"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &vars))
	assert.Equal(t, uint64(3), vars.JWTGate.Verified)
	assert.Equal(t, map[string]uint64{"ErrNoToken": 1, "ErrSignature": 1}, vars.JWTGate.Refused)
	assert.Equal(t, []string{"idp-1"}, vars.JWTGate.Keys.KeyIDs)
	assert.Equal(t, counters{Forwarded: 3, Refused: 2}, vars.Gateway)
	assert.NotEmpty(t, vars.Mem)
	assert.NotContains(t, body, tok)
}

func TestSameURL(t *testing.T) {
	for in, want := range map[string]string{
		"/":                      "./",
		"/d/abc":                 "./abc",
		"/d/abc/":                "./",
		"/d/a:b?x=1":             "./a:b?x=1",
		"//evil.example/x":       "./x",
		"//evil.example":         "./evil.example",
		"/a%2Fb?c=%20":           "./a%2Fb?c=%20",
		"/%5C%5Cevil.example/?q": "./?q",
	} {
		u, err := url.ParseRequestURI(in)
		require.NoError(t, err, in)
		got := sameURL(u)
		assert.Equal(t, want, got, in)
		base, _ := url.Parse("https://grafana.example" + in)
		next, err := base.Parse(got)
		require.NoError(t, err)
		assert.Equal(t, "grafana.example", next.Host, "%s redirected off-site", in)
	}
}

func TestNewGatewayRejects(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg func(*jwtauth.Config)
		opt func(*options)
	}{
		"ftp upstream":            {opt: func(o *options) { o.upstream = "ftp://x" }},
		"upstream without host":   {opt: func(o *options) { o.upstream = "http:///x" }},
		"upstream with user info": {opt: func(o *options) { o.upstream = "http://u:p@x" }},
		"bad header name":         {opt: func(o *options) { o.headers.User = "X User" }},
		"duplicate header":        {opt: func(o *options) { o.headers.Email = "x-webauth_user" }},
		"header is the token":     {opt: func(o *options) { o.headers.Name = "authorization" }},
		"no key source":           {cfg: func(c *jwtauth.Config) { c.JWKSetValue = "" }},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := exampletest.Config(jwttest.NewFakeClock(jwttest.Epoch).Now)
			o := defaultOptions(t, "http://127.0.0.1:1")
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			if tc.opt != nil {
				tc.opt(&o)
			}
			_, err := newGateway(cfg, o, nil)
			require.Error(t, err)
		})
	}
}

// writeINI writes a grafana.ini for the gateway and returns its path.
func writeINI(t *testing.T, enabled bool) string {
	t.Helper()
	return exampletest.WriteINI(t, "[server]\nhttp_port = 3000\n\n[auth.jwt]\n"+
		"enabled = "+map[bool]string{true: "true", false: "false"}[enabled]+"\n"+
		"header_name = Authorization\n"+
		"url_login = true\n"+
		"username_claim = preferred_username\n"+
		"email_claim = email\n"+
		"role_attribute_path = role\n"+
		"groups_attribute_path = groups\n")
}

// startRun runs the gateway in the background and returns its address,
// its admin address and the channel run's result arrives on.
func startRun(t *testing.T, ctx context.Context, upstreamURL string, extra ...string) (string, string, <-chan error) {
	t.Helper()
	args := append([]string{"-config", writeINI(t, true), "-listen", "127.0.0.1:0", "-admin-listen", "127.0.0.1:0",
		"-upstream", upstreamURL, "-shutdown-timeout", "5s"}, extra...)
	addrs, done := exampletest.Start(t, 2, func(stdout io.Writer) error { return run(ctx, args, stdout, io.Discard) })
	return addrs[0], addrs[1], done
}

func TestRunServesAndShutsDownOnCancel(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	up := exampletest.NewUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			arrived <- struct{}{}
			<-release
		}
		_, _ = io.WriteString(w, "upstream ok\n")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, admin, done := startRun(t, ctx, up.URL)

	// A real token through the real listener (the clock is the real one).
	c := exampletest.Claims("alice")
	c["iat"], c["exp"] = time.Now().Add(-time.Minute).Unix(), time.Now().Add(time.Hour).Unix()
	tok := exampletest.IDP.Sign(c)
	req, err := http.NewRequest(http.MethodGet, addr+"/api/health", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "alice", up.Last(t).Header.Get("X-Webauth-User"))

	resp, err = http.Get(admin + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// An in-flight request survives the shutdown.
	slow := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, addr+"/slow", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			slow <- 0
			return
		}
		resp.Body.Close()
		slow <- resp.StatusCode
	}()
	<-arrived
	cancel()
	select {
	case err := <-done:
		t.Fatalf("run returned (%v) with a request in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	assert.Equal(t, http.StatusOK, <-slow)
	require.NoError(t, exampletest.Wait(t, done, "cancel"))

	_, err = http.Get(addr + "/")
	assert.Error(t, err, "still listening after shutdown")
}

func TestRunShutsDownOnSIGTERM(t *testing.T) {
	up := exampletest.NewUpstream(t, nil)
	_, _, done := startRun(t, context.Background(), up.URL)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	require.NoError(t, exampletest.Wait(t, done, "SIGTERM"))
}

func TestRunRejects(t *testing.T) {
	ctx := t.Context()
	for name, args := range map[string][]string{
		"unknown flag":    {"-nope"},
		"no config":       {"-upstream", "http://127.0.0.1:1"},
		"no upstream":     {"-config", "x.ini"},
		"missing file":    {"-config", filepath.Join(t.TempDir(), "none.ini"), "-upstream", "http://127.0.0.1:1"},
		"half TLS":        {"-config", "x.ini", "-upstream", "http://127.0.0.1:1", "-tls-cert", "c.pem"},
		"stray argument":  {"-config", "x.ini", "-upstream", "http://127.0.0.1:1", "extra"},
		"bad listen addr": {"-config", writeINI(t, true), "-upstream", "http://127.0.0.1:1", "-listen", "256.0.0.1:-1"},
	} {
		t.Run(name, func(t *testing.T) {
			require.Error(t, run(ctx, args, io.Discard, io.Discard))
		})
	}
	t.Run("disabled", func(t *testing.T) {
		err := run(ctx, []string{"-config", writeINI(t, false), "-upstream", "http://127.0.0.1:1"}, io.Discard, io.Discard)
		require.ErrorIs(t, err, jwtauth.ErrDisabled)
		assert.Contains(t, err.Error(), "enabled = true")
	})
}
