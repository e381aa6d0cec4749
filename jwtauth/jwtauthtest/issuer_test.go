package jwtauthtest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

func newVerifier(t *testing.T, cfg jwtauth.Config) *jwtauth.Verifier {
	t.Helper()
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// header decodes the protected header of a compact JWS.
func header(t *testing.T, token string) map[string]any {
	t.Helper()
	seg, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	require.NoError(t, err)
	var h map[string]any
	require.NoError(t, json.Unmarshal(raw, &h))
	return h
}

func TestSignVerifies(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v := newVerifier(t, iss.Config())
	claims := map[string]any{"sub": "u-1", "aud": "api"}
	before := time.Now().Truncate(time.Second)
	id, err := v.Verify(context.Background(), iss.Sign(claims))
	require.NoError(t, err)

	assert.Equal(t, "u-1", id.Subject)
	assert.Equal(t, iss.URL(), id.Issuer)
	assert.Equal(t, map[string]any{"sub": "u-1", "aud": "api"}, claims, "Sign must not modify its argument")
	iat := time.Unix(int64(id.Claims["iat"].(float64)), 0)
	assert.False(t, iat.Before(before))
	assert.Equal(t, time.Hour, id.ExpiresAt.Sub(iat))
	assert.Equal(t, 1, iss.Fetches())
}

func TestSignKeepsGivenClaims(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v := newVerifier(t, iss.Config())
	exp := time.Now().Add(10 * time.Minute).Unix()
	id, err := v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1", "exp": exp, "iat": nil}))
	require.NoError(t, err)
	assert.Equal(t, float64(exp), id.Claims["exp"])
	assert.NotContains(t, id.Claims, "iat")

	// A token without exp is accepted unless RequireExp.
	noExp := iss.Sign(map[string]any{"sub": "u-1", "exp": nil})
	_, err = v.Verify(context.Background(), noExp)
	require.NoError(t, err)
	cfg := iss.Config()
	cfg.RequireExp = true
	_, err = newVerifier(t, cfg).Verify(context.Background(), noExp)
	assert.ErrorIs(t, err, jwtauth.ErrMissingClaim)

	// An expired token and a foreign issuer are refused.
	_, err = v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1", "exp": time.Now().Add(-time.Hour).Unix()}))
	assert.ErrorIs(t, err, jwtauth.ErrExpired)
	_, err = v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1", "iss": "https://other.example"}))
	assert.ErrorIs(t, err, jwtauth.ErrClaimMismatch)
}

func TestTwoIssuersDoNotTrustEachOther(t *testing.T) {
	a, b := jwtauthtest.NewIssuer(t), jwtauthtest.NewIssuer(t)
	v := newVerifier(t, a.Config())
	// b's token with a's iss: same kid, another key.
	_, err := v.Verify(context.Background(), b.Sign(map[string]any{"sub": "u-1", "iss": a.URL()}))
	assert.ErrorIs(t, err, jwtauth.ErrSignature)
}

func TestRotate(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v := newVerifier(t, iss.Config())
	old := iss.Sign(map[string]any{"sub": "u-1"})
	_, err := v.Verify(context.Background(), old)
	require.NoError(t, err)
	require.Equal(t, 1, iss.Fetches())

	iss.Rotate()
	tok := iss.Sign(map[string]any{"sub": "u-2"})
	assert.Equal(t, "jwtauthtest-1", header(t, old)["kid"])
	assert.Equal(t, "jwtauthtest-2", header(t, tok)["kid"])
	id, err := v.Verify(context.Background(), tok)
	require.NoError(t, err, "the new kid is fetched at once")
	assert.Equal(t, "u-2", id.Subject)
	assert.Equal(t, 2, iss.Fetches())

	// The old key stays published.
	v2 := newVerifier(t, iss.Config())
	_, err = v2.Verify(context.Background(), old)
	assert.NoError(t, err)
	assert.Equal(t, []string{"jwtauthtest-1", "jwtauthtest-2"}, v2.Stats().Keys.KeyIDs)
}

func TestSignWithHeader(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	tok := iss.SignWith(map[string]any{"typ": "at+jwt"}, map[string]any{"sub": "u-1"})
	h := header(t, tok)
	assert.Equal(t, map[string]any{"alg": "RS256", "kid": "jwtauthtest-1", "typ": "at+jwt"}, h)

	tok = iss.SignWith(map[string]any{"typ": nil, "kid": nil}, map[string]any{"sub": "u-1"})
	assert.Equal(t, map[string]any{"alg": "RS256"}, header(t, tok))
	_, err := newVerifier(t, iss.Config()).Verify(context.Background(), tok)
	assert.ErrorIs(t, err, jwtauth.ErrUnknownKey, "the issuer's keys all have a kid")
}

// fatalTB records a Fatal instead of failing the test.
type fatalTB struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatal(args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprint(args...)
	f.mu.Unlock()
	panic(f)
}
func (f *fatalTB) Fatalf(format string, args ...any) { f.Fatal(fmt.Sprintf(format, args...)) }

// fatal runs fn and returns the message it passed to Fatal ("" if none).
func fatal(tb *fatalTB, fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			if r != tb {
				panic(r)
			}
			msg = tb.msg
		}
	}()
	fn()
	return ""
}

func TestSignFatal(t *testing.T) {
	tb := &fatalTB{TB: t}
	iss := jwtauthtest.NewIssuer(tb)
	assert.Contains(t, fatal(tb, func() { iss.SignWith(map[string]any{"alg": "none"}, nil) }), "cannot set the alg header")
	assert.Contains(t, fatal(tb, func() { iss.Sign(map[string]any{"sub": make(chan int)}) }), "jwtauthtest: claims")
	assert.Empty(t, fatal(tb, func() { iss.Sign(map[string]any{"sub": "ok"}) }))
}

func TestDiscoveryAndCleanup(t *testing.T) {
	var url string
	var client *http.Client
	t.Run("issuer", func(t *testing.T) {
		iss := jwtauthtest.NewIssuer(t)
		url, client = iss.URL(), iss.Client()
		require.True(t, strings.HasPrefix(url, "https://"), url)

		resp, err := client.Get(url + "/.well-known/openid-configuration")
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		var doc map[string]any
		require.NoError(t, json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc))
		assert.Equal(t, url, doc["issuer"])
		assert.Equal(t, url+"/jwks", doc["jwks_uri"])
		assert.Equal(t, 0, iss.Fetches(), "discovery is not a key set fetch")

		resp, err = client.Post(url+"/jwks", "text/plain", nil)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		assert.Equal(t, 0, iss.Fetches())
	})
	// t.Cleanup of the subtest closed the server.
	_, err := client.Get(url + "/jwks")
	require.Error(t, err)
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "refused at once, not timed out")
}
