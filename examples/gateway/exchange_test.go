package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/examples/internal/exampletest"
	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// requireCleanRedirect asserts the 303 to "./?a=1" that drops auth_token,
// with exactly the headers the gateway sets and no cookie unless want.
func requireCleanRedirect(t *testing.T, resp *http.Response, body string, cookie string) {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	assert.Equal(t, "./?a=1", resp.Header.Get("Location"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"))
	assert.Empty(t, body)
	if cookie == "" {
		assert.Empty(t, resp.Header.Values("Set-Cookie"))
		return
	}
	require.Len(t, resp.Cookies(), 1)
	assert.Equal(t, "jwtgate_token", resp.Cookies()[0].Name)
	assert.Equal(t, cookie, resp.Cookies()[0].Value)
}

// A link's auth_token never overrides the Authorization header, and never
// replaces a valid login cookie with another subject's (login CSRF,
// session fixation).
func TestExchangeKeepsExistingCredentials(t *testing.T) {
	alice := exampletest.IDP.Sign(exampletest.Claims("alice"))
	mallory := exampletest.IDP.Sign(exampletest.Claims("mallory"))

	t.Run("header wins on a GET", func(t *testing.T) {
		e := newEnv(t, nil)
		resp, body := e.get(t, "/?a=1&auth_token="+mallory, exampletest.Bearer(alice))
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Empty(t, resp.Header.Values("Set-Cookie"))
		got := e.up.Last(t)
		assert.Equal(t, "/?a=1", got.URL.RequestURI())
		assert.Equal(t, "alice", got.Header.Get("X-Webauth-User"))
		assert.Zero(t, e.gw.exchanged.Load())
	})

	t.Run("valid session of another subject is kept", func(t *testing.T) {
		e := newEnv(t, nil)
		h := http.Header{"Cookie": {"jwtgate_token=" + alice}}
		resp, body := e.get(t, "/?a=1&auth_token="+mallory, h)
		requireCleanRedirect(t, resp, body, "")
		assert.Zero(t, e.up.Count())
		assert.Zero(t, e.gw.exchanged.Load())

		// The browser follows the redirect as alice still.
		resp, body = e.get(t, "/?a=1", h)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, "alice", e.up.Last(t).Header.Get("X-Webauth-User"))
	})

	t.Run("valid session, invalid link token: session kept", func(t *testing.T) {
		e := newEnv(t, nil)
		h := http.Header{"Cookie": {"jwtgate_token=" + alice}}
		resp, body := e.get(t, "/?a=1&auth_token="+exampletest.Forger.Sign(exampletest.Claims("alice")), h)
		requireCleanRedirect(t, resp, body, "")
	})

	t.Run("same subject refreshes the session", func(t *testing.T) {
		e := newEnv(t, nil)
		c := exampletest.Claims("alice")
		c["jti"] = "fresher"
		fresher := exampletest.IDP.Sign(c)
		resp, body := e.get(t, "/?a=1&auth_token="+fresher, http.Header{"Cookie": {"jwtgate_token=" + alice}})
		requireCleanRedirect(t, resp, body, fresher)
		assert.Equal(t, uint64(1), e.gw.exchanged.Load())
	})

	t.Run("expired session is replaced", func(t *testing.T) {
		e := newEnv(t, nil)
		c := exampletest.Claims("alice")
		c["exp"] = jwttest.Unix(-time.Hour)
		expired := exampletest.IDP.Sign(c)
		resp, body := e.get(t, "/?a=1&auth_token="+mallory, http.Header{"Cookie": {"jwtgate_token=" + expired}})
		requireCleanRedirect(t, resp, body, mallory)
	})

	t.Run("no session: exchanged", func(t *testing.T) {
		e := newEnv(t, nil)
		resp, body := e.get(t, "/?a=1&auth_token="+mallory, nil)
		requireCleanRedirect(t, resp, body, mallory)
	})
}

// A login cookie written with white space before '=' is read by the
// parser, so it is removed before proxying as well.
func TestLoginCookieWithSpacedNameNotForwarded(t *testing.T) {
	tok := exampletest.IDP.Sign(exampletest.Claims("alice"))
	for name, line := range map[string]string{
		"space":  "grafana_session=abc; jwtgate_token =" + tok + "; theme=dark",
		"tab":    "grafana_session=abc; jwtgate_token\t=" + tok + "; theme=dark",
		"spaces": "grafana_session=abc;  jwtgate_token \t =" + tok + ";theme=dark",
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			resp, body := e.get(t, "/", http.Header{"Cookie": {line}})
			require.Equal(t, http.StatusOK, resp.StatusCode, body)
			got := e.up.Last(t).Header
			assert.Equal(t, "alice", got.Get("X-Webauth-User"), "the cookie was read as the login cookie")
			assert.Equal(t, []string{"grafana_session=abc; theme=dark"}, got.Values("Cookie"))
		})
	}
	t.Run("keep-token forwards it", func(t *testing.T) {
		e := newEnv(t, func(_ *jwtauth.Config, o *options) { o.keepToken = true })
		line := "grafana_session=abc; jwtgate_token =" + tok
		resp, body := e.get(t, "/", http.Header{"Cookie": {line}})
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, []string{line}, e.up.Last(t).Header.Values("Cookie"))
	})
}
