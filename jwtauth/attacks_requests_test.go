package jwtauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// Attack catalog entries (see attacks_test.go) for request handling: token sources,
// header parsing and what reaches the next handler.

func TestAttackRequests(t *testing.T) {
	t.Run("ATK-25_bearer_prefix_variants", testATK25)
	t.Run("ATK-27_token_source_precedence", testATK27)
	t.Run("ATK-28_no_echo_crlf", testATK28)

	// jwtgate's own entries.
	t.Run("ATK-108_repeated_authorization_header", testATK108)
	t.Run("ATK-109_repeated_auth_token", testATK109)
	t.Run("ATK-110_identity_header_injection", testATK110)
	t.Run("ATK-111_whitespace_around_token", testATK111)
}

// ------------------------------------------------------ E. request handling

func testATK25(t *testing.T) {
	h := atkNewHarness(t)
	tok := atkToken()
	for name, v := range map[string]string{
		"Bearer": "Bearer " + tok,
		"bearer": "bearer " + tok,
		"BEARER": "BEARER " + tok,
		"bare":   tok,
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header["Authorization"] = []string{v}
			res := h.serve(t, r)
			require.NoError(t, res.err)
			require.True(t, res.next)
			require.Equal(t, "alice", res.id.Subject)
		})
	}
	for name, v := range map[string]string{
		"two_spaces":    "Bearer  " + tok,
		"tab":           "Bearer\t" + tok,
		"bearer_bearer": "Bearer Bearer " + tok,
		"basic":         "Basic dXNlcjpwYXNz",
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header["Authorization"] = []string{v}
			res := h.serve(t, r)
			require.False(t, res.next)
			requireOnly(t, res.err, jwtauth.ErrMalformed)
			atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrMalformed)
		})
	}
	t.Run("no_header", func(t *testing.T) {
		res := h.serve(t, httptest.NewRequest(http.MethodGet, "/", nil))
		require.False(t, res.next)
		requireOnly(t, res.err, jwtauth.ErrNoToken)
		atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrNoToken)
		require.NotContains(t, res.header.Get("WWW-Authenticate"), "error")
	})
}

func testATK27(t *testing.T) {
	tok := atkToken()
	urlLogin := func(c *jwtauth.Config) { c.URLLogin = true }
	t.Run("garbage_header_wins_over_query", func(t *testing.T) {
		h := atkNewHarness(t, urlLogin)
		r := httptest.NewRequest(http.MethodGet, "/?auth_token="+tok, nil)
		r.Header.Set("Authorization", "Bearer garbage")
		res := h.serve(t, r)
		require.False(t, res.next)
		requireOnly(t, res.err, jwtauth.ErrMalformed)
		atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrMalformed)
	})
	t.Run("query_served_and_removed", func(t *testing.T) {
		h := atkNewHarness(t, urlLogin)
		res := h.serve(t, httptest.NewRequest(http.MethodGet, "/?auth_token="+tok+"&panel=2", nil))
		require.NoError(t, res.err)
		require.True(t, res.next)
		require.Equal(t, "alice", res.id.Subject)
		require.Equal(t, "panel=2", res.nextReq.URL.RawQuery)
		require.NotContains(t, res.nextReq.RequestURI, "auth_token")
		require.NotContains(t, res.nextReq.URL.String(), tok)
	})
	t.Run("query_ignored_without_URLLogin", func(t *testing.T) {
		h := atkNewHarness(t)
		res := h.serve(t, httptest.NewRequest(http.MethodGet, "/?auth_token="+tok, nil))
		require.False(t, res.next)
		requireOnly(t, res.err, jwtauth.ErrNoToken)
		atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrNoToken)
	})
	cookieReq := func(value string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(&http.Cookie{Name: "jwt", Value: value})
		return r
	}
	t.Run("cookie_ignored_without_CookieName", func(t *testing.T) {
		h := atkNewHarness(t)
		res := h.serve(t, cookieReq(tok))
		require.False(t, res.next)
		requireOnly(t, res.err, jwtauth.ErrNoToken)
		atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrNoToken)
	})
	t.Run("cookie_served_with_CookieName", func(t *testing.T) {
		h := atkNewHarness(t, func(c *jwtauth.Config) { c.CookieName = "jwt" })
		res := h.serve(t, cookieReq(tok))
		require.NoError(t, res.err)
		require.True(t, res.next)
		require.Equal(t, "alice", res.id.Subject)
	})
	t.Run("valid_header_garbage_cookie", func(t *testing.T) {
		h := atkNewHarness(t, func(c *jwtauth.Config) { c.CookieName = "jwt" })
		r := cookieReq("garbage")
		r.Header.Set("Authorization", "Bearer "+tok)
		res := h.serve(t, r)
		require.NoError(t, res.err)
		require.True(t, res.next)
		require.Equal(t, "alice", res.id.Subject)
	})
	t.Run("expired_query_token_not_echoed", func(t *testing.T) {
		h := atkNewHarness(t, urlLogin)
		expired := atkGood.Sign(claimsWith(map[string]any{"iat": jwttest.Unix(-3 * time.Hour), "exp": jwttest.Unix(-2 * time.Hour)}))
		res := h.serve(t, httptest.NewRequest(http.MethodGet, "/?auth_token="+expired, nil))
		require.False(t, res.next)
		requireOnly(t, res.err, jwtauth.ErrExpired)
		atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrExpired)
		for _, seg := range strings.Split(expired, ".") {
			require.NotContains(t, res.body, seg)
		}
		for _, vals := range res.header {
			for _, v := range vals {
				require.NotContains(t, v, expired)
			}
		}
	})
}

func testATK28(t *testing.T) {
	const evil = "https://evil\r\nSet-Cookie: s=1\r\n<script>alert(1)</script>"
	noEcho := func(t *testing.T, res atkResponse, fragments ...string) {
		t.Helper()
		require.False(t, res.next)
		// Any token fault: 401, invalid_token, small JSON, no Set-Cookie.
		atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrMalformed)
		require.Empty(t, res.header.Values("Set-Cookie"))
		require.NotContains(t, res.body, "\r")
		require.NotContains(t, res.body, "<script")
		require.NotContains(t, res.body, res.err.Error())
		for _, f := range fragments {
			require.NotContains(t, res.body, f)
			for _, vals := range res.header {
				for _, v := range vals {
					require.NotContains(t, v, f)
				}
			}
		}
	}
	t.Run("a_crlf_in_iss", func(t *testing.T) {
		h := atkNewHarness(t, func(c *jwtauth.Config) {
			c.ExpectClaims = map[string]any{"iss": "https://idp.example.com"}
		})
		tok := atkGood.Sign(claimsWith(map[string]any{"iss": evil}))
		res := h.serve(t, atkBearer(tok))
		requireOnly(t, res.err, jwtauth.ErrClaimMismatch)
		noEcho(t, res, tok, "evil", "s=1", "iss")
	})
	t.Run("b_crlf_in_unknown_kid", func(t *testing.T) {
		h := atkNewHarness(t)
		kid := "x\r\nSet-Cookie: s=1\r\n<script>alert(1)</script>"
		tok := atkAttacker.WithKID(kid).Sign(jwttest.Default())
		res := h.serve(t, atkBearer(tok))
		requireOnly(t, res.err, jwtauth.ErrUnknownKey)
		noEcho(t, res, tok, "s=1", "kid")
	})
	t.Run("c_crlf_in_sub", func(t *testing.T) {
		h := atkNewHarness(t)
		sub := "alice\r\nX-Injected: 1"
		tok := atkGood.Sign(claimsWith(map[string]any{"sub": sub}))
		res := h.serve(t, atkBearer(tok))
		if res.err != nil {
			requireOnly(t, res.err, jwtauth.ErrMalformed)
			require.False(t, res.next)
		} else {
			require.True(t, res.next)
			require.Equal(t, sub, res.id.Subject)
			require.Empty(t, res.nextReq.Header.Values("X-Injected"))
		}
		require.Empty(t, res.header.Values("X-Injected"))
	})
	t.Run("d_crlf_in_malformed_token", func(t *testing.T) {
		h := atkNewHarness(t)
		hd, p, s := atkSplit(t, atkToken())
		tok := hd + "\r\nSet-Cookie: s=1\r\n." + p + "." + s
		res := h.serve(t, atkBearer(tok))
		requireOnly(t, res.err, jwtauth.ErrMalformed)
		noEcho(t, res, hd, "s=1")
	})
}

// --------------------------------------------------- jwtgate's own entries

// ATK-108: the Authorization header repeated (two proxies, or a smuggled
// second value): which one would be verified is ambiguous.
func testATK108(t *testing.T) {
	h := atkNewHarness(t)
	tok := atkToken()
	for name, vals := range map[string][]string{
		"valid_then_garbage": {"Bearer " + tok, "Bearer garbage"},
		"garbage_then_valid": {"Bearer garbage", "Bearer " + tok},
		"valid_twice":        {"Bearer " + tok, "Bearer " + tok},
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header["Authorization"] = vals
			res := h.serve(t, r)
			require.False(t, res.next)
			requireOnly(t, res.err, jwtauth.ErrMalformed)
			atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrMalformed)
		})
	}
}

// ATK-109: auth_token repeated in the query; it is refused, and removed from
// the URL either way.
func testATK109(t *testing.T) {
	h := atkNewHarness(t, func(c *jwtauth.Config) { c.URLLogin = true })
	tok := atkToken()
	for name, q := range map[string]string{
		"valid_then_garbage": "auth_token=" + tok + "&auth_token=garbage&panel=2",
		"garbage_then_valid": "auth_token=garbage&panel=2&auth_token=" + tok,
		"escaped_name":       "auth_token=" + tok + "&auth%5Ftoken=garbage&panel=2",
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/?"+q, nil)
			res := h.serve(t, r)
			require.False(t, res.next)
			requireOnly(t, res.err, jwtauth.ErrMalformed)
			atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrMalformed)
			require.NotContains(t, r.URL.RawQuery, "auth")
		})
	}
}

// ATK-110: header-style claims (X-WEBAUTH-USER, as an auth proxy would set)
// never become request headers, and never change the Identity's login.
func testATK110(t *testing.T) {
	h := atkNewHarness(t, func(c *jwtauth.Config) { c.EmailClaim = "email" })
	tok := atkGood.Sign(claimsWith(map[string]any{
		"X-WEBAUTH-USER":   "admin",
		"X-WEBAUTH-EMAIL":  "admin@example.com",
		"X-Grafana-Org-Id": "1",
		"email":            "alice@example.com\r\nX-WEBAUTH-USER: admin",
		"login":            "admin",
	}))
	r := atkBearer(tok)
	res := h.serve(t, r)
	require.NoError(t, res.err)
	require.True(t, res.next)
	require.Equal(t, "alice", res.id.Subject)
	require.Equal(t, "alice", res.id.Login)
	require.Equal(t, "alice@example.com\r\nX-WEBAUTH-USER: admin", res.id.Email)
	for _, name := range []string{"X-Webauth-User", "X-Webauth-Email", "X-Grafana-Org-Id"} {
		require.Empty(t, res.nextReq.Header.Values(name))
		require.Empty(t, res.header.Values(name))
	}
	require.Equal(t, http.Header{"Authorization": {"Bearer " + tok}}, res.nextReq.Header)
}

// ATK-111: whitespace around the token is not trimmed by Verify; the token
// is taken byte for byte.
func testATK111(t *testing.T) {
	h := atkNewHarness(t)
	tok := atkToken()
	for name, in := range map[string]string{
		"leading_space":   " " + tok,
		"trailing_space":  tok + " ",
		"trailing_lf":     tok + "\n",
		"trailing_crlf":   tok + "\r\n",
		"leading_tab":     "\t" + tok,
		"trailing_nbsp":   tok + "\u00a0",
		"trailing_nul":    tok + "\x00",
		"bom":             "\ufeff" + tok,
		"inner_space_dot": strings.Replace(tok, ".", " .", 1),
	} {
		t.Run(name, func(t *testing.T) { h.refused(t, in, jwtauth.ErrMalformed) })
	}
}
