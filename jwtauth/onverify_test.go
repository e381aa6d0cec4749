package jwtauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

type ctxKey struct{}

// recorder collects OnVerify events and the context value each came with.
type recorder struct {
	mu     sync.Mutex
	events []jwtauth.Event
	ctxVal []any
}

func (rec *recorder) onVerify(ctx context.Context, e jwtauth.Event) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.events = append(rec.events, e)
	rec.ctxVal = append(rec.ctxVal, ctx.Value(ctxKey{}))
}

// take returns the events so far and forgets them.
func (rec *recorder) take() []jwtauth.Event {
	e, _ := rec.takeWithContext()
	return e
}

// takeWithContext is take, with the ctxKey value each event came with.
func (rec *recorder) takeWithContext() ([]jwtauth.Event, []any) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	e, vals := rec.events, rec.ctxVal
	rec.events, rec.ctxVal = nil, nil
	return e, vals
}

func onVerifyVerifier(t *testing.T, cfg jwtauth.Config) (*jwtauth.Verifier, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg.OnVerify = rec.onVerify
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return v, rec
}

func TestOnVerifyVerify(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v, rec := onVerifyVerifier(t, iss.Config())
	ctx := context.WithValue(context.Background(), ctxKey{}, "req-1")
	tok := iss.Sign(map[string]any{"sub": "u-1"})

	id, err := v.Verify(ctx, tok)
	require.NoError(t, err)
	ev := rec.take()
	require.Len(t, ev, 1)
	assert.Same(t, id, ev[0].Identity, "the Identity the caller receives")
	assert.NoError(t, ev[0].Err)
	assert.False(t, ev[0].Cached)
	assert.Equal(t, iss.URL(), ev[0].Issuer)
	assert.Positive(t, ev[0].Duration)

	// The same token again comes from the cache.
	_, err = v.Verify(ctx, tok)
	require.NoError(t, err)
	ev, vals := rec.takeWithContext()
	require.Len(t, ev, 1)
	assert.True(t, ev[0].Cached)
	assert.Equal(t, []any{"req-1"}, vals, "OnVerify gets the caller's context")

	// A failure after routing names the issuer; before it, not.
	_, err = v.Verify(ctx, iss.Sign(map[string]any{"sub": "u-1", "exp": time.Now().Add(-time.Hour).Unix()}))
	ev = rec.take()
	require.Len(t, ev, 1)
	assert.Nil(t, ev[0].Identity)
	assert.Same(t, err, ev[0].Err, "the error the caller receives")
	requireOnly(t, ev[0].Err, jwtauth.ErrExpired)
	assert.Equal(t, iss.URL(), ev[0].Issuer)
	assert.False(t, ev[0].Cached)

	_, err = v.Verify(ctx, "not-a-token")
	ev = rec.take()
	require.Len(t, ev, 1)
	requireOnly(t, ev[0].Err, jwtauth.ErrMalformed)
	assert.Equal(t, "", ev[0].Issuer)
	assert.Equal(t, err, ev[0].Err)
}

// Through the middlewares: one event per request, none for an anonymous
// request under OptionalMiddleware or for a RequireRole refusal.
func TestOnVerifyRequests(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	cfg := iss.Config()
	cfg.RoleAttributePath = "role"
	v, rec := onVerifyVerifier(t, cfg)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	strict := v.Middleware(v.RequireRole(jwtauth.RoleAdmin)(ok))
	optional := v.OptionalMiddleware(ok)
	viewer := "Bearer " + iss.Sign(map[string]any{"sub": "u-1", "role": "Viewer"})

	run := func(h http.Handler, auth ...string) []jwtauth.Event {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, "req"))
		for _, a := range auth {
			r.Header.Add("Authorization", a)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		return rec.take()
	}

	ev := run(strict)
	require.Len(t, ev, 1, "no token is reported under Middleware")
	requireOnly(t, ev[0].Err, jwtauth.ErrNoToken)
	assert.Equal(t, "", ev[0].Issuer)

	ev = run(strict, viewer, viewer)
	require.Len(t, ev, 1, "a repeated header is refused before Verify, and reported")
	requireOnly(t, ev[0].Err, jwtauth.ErrMalformed)

	ev = run(strict, viewer)
	require.Len(t, ev, 1, "the RequireRole refusal that follows adds no event")
	assert.NoError(t, ev[0].Err)
	assert.Equal(t, jwtauth.RoleViewer, ev[0].Identity.Role)

	assert.Empty(t, run(optional), "an anonymous request is not a verification")
	ev = run(optional, "Bearer x")
	require.Len(t, ev, 1)
	requireOnly(t, ev[0].Err, jwtauth.ErrMalformed)
	ev = run(optional, viewer)
	require.Len(t, ev, 1)
	assert.True(t, ev[0].Cached)
}

func TestOnVerifyNewMulti(t *testing.T) {
	a, b := jwtauthtest.NewIssuer(t), jwtauthtest.NewIssuer(t)
	rec := &recorder{}
	ca, cb := a.Config(), b.Config()
	ca.OnVerify = rec.onVerify
	v, err := jwtauth.NewMulti(ca, cb)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	_, err = v.Verify(context.Background(), b.Sign(map[string]any{"sub": "u-2"}))
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), b.Sign(map[string]any{"sub": "u-2", "iss": "https://unknown.example"}))
	requireOnly(t, err, jwtauth.ErrClaimMismatch)
	ev := rec.take()
	require.Len(t, ev, 2)
	assert.Equal(t, b.URL(), ev[0].Issuer)
	assert.Equal(t, "", ev[1].Issuer, "an unknown iss is not routed")

	// A later config may bring its own OnVerify (a loop over LoadINIAll
	// setting one on each): it receives the events of its issuer, and
	// config 0's keeps those of the others and of unrouted tokens.
	own := &recorder{}
	cb.OnVerify = own.onVerify
	v2, err := jwtauth.NewMulti(ca, cb)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v2.Close() })
	_, err = v2.Verify(context.Background(), b.Sign(map[string]any{"sub": "u-3"}))
	require.NoError(t, err)
	_, err = v2.Verify(context.Background(), a.Sign(map[string]any{"sub": "u-4"}))
	require.NoError(t, err)
	_, _ = v2.Verify(context.Background(), "x")
	evB := own.take()
	require.Len(t, evB, 1)
	assert.Equal(t, b.URL(), evB[0].Issuer)
	ev = rec.take()
	require.Len(t, ev, 2)
	assert.Equal(t, a.URL(), ev[0].Issuer)
	requireOnly(t, ev[1].Err, jwtauth.ErrMalformed)
}

func TestStatsJSON(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	v, _ := onVerifyVerifier(t, iss.Config())
	h := v.OptionalMiddleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	_, err := v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1"}))
	require.NoError(t, err)
	_, _ = v.Verify(context.Background(), "x")

	b, err := json.Marshal(v.Stats())
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, 1.0, m["verified"])
	assert.Equal(t, map[string]any{"ErrMalformed": 1.0}, m["refused"])
	assert.Equal(t, 1.0, m["anonymous"])
	for _, k := range []string{"tokenCacheHits", "tokenCacheMisses", "tokenCacheSize", "keys", "issuers"} {
		assert.Contains(t, m, k)
	}
	issuers := m["issuers"].([]any)
	require.Len(t, issuers, 1)
	is := issuers[0].(map[string]any)
	assert.Equal(t, iss.URL(), is["issuer"])
	assert.Equal(t, 1.0, is["verified"])
	assert.Contains(t, is, "refused")
	assert.Contains(t, is, "keys")
}
