package keyhealth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

func TestOf(t *testing.T) {
	fetched := jwttest.Epoch.Add(-time.Minute)
	for _, tc := range []struct {
		name   string
		keys   jwtauth.KeyStats
		code   int
		status string
	}{
		{"static keys", jwtauth.KeyStats{Source: "KeyFile", KeyIDs: []string{""}}, 200, "ok"},
		{"remote with keys", jwtauth.KeyStats{Source: "JWKSetURL", Remote: true, Fetches: 3, FetchErrors: 2, Failures: 2, LastFetch: fetched, KeyIDs: []string{"a", "b"}}, 200, "ok"},
		{"remote not fetched yet", jwtauth.KeyStats{Source: "JWKSetURL", Remote: true}, 200, "pending"},
		{"remote failing, nothing cached", jwtauth.KeyStats{Source: "JWKSetURL", Remote: true, Fetches: 2, FetchErrors: 2, Failures: 2, LastError: "dial tcp: refused"}, 503, "unavailable"},
		{"remote answered, no key cached", jwtauth.KeyStats{Source: "JWKSetURL", Remote: true, Fetches: 1, LastFetch: fetched}, 200, "ok"},
		{"remote answered before, failing now, nothing cached", jwtauth.KeyStats{Source: "JWKSetURL", Remote: true, Fetches: 2, FetchErrors: 1, Failures: 1, LastFetch: fetched, LastError: "dial tcp: refused"}, 503, "unavailable"},
		{"custom source", jwtauth.KeyStats{Source: "Keys"}, 200, "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, h := Of(jwtauth.Stats{Keys: tc.keys, Issuers: []jwtauth.IssuerStats{{Keys: tc.keys}}})
			assert.Equal(t, tc.code, code)
			require.Len(t, h.Issuers, 1)
			assert.Equal(t, tc.status, h.Issuers[0].Status)
			b, err := json.Marshal(h)
			require.NoError(t, err)
			assert.NotContains(t, string(b), "dial tcp", "error text stays in /debug/vars")
		})
	}
}

func TestOfReport(t *testing.T) {
	fetched := time.Date(2026, 11, 23, 13, 0, 0, 0, time.FixedZone("CET", 3600))
	code, h := Of(jwtauth.Stats{Issuers: []jwtauth.IssuerStats{
		{Issuer: "https://a.test", Keys: jwtauth.KeyStats{Source: "JWKSetURL", Remote: true, Fetches: 4, Failures: 1, LastFetch: fetched, KeyIDs: []string{"k1", "k2"}}},
		{Issuer: "https://b.test", Keys: jwtauth.KeyStats{Source: "JWKSetURL", Remote: true, Fetches: 1, Failures: 1}},
	}})
	assert.Equal(t, http.StatusServiceUnavailable, code, "one issuer unavailable makes the whole unavailable")
	utc := fetched.UTC()
	assert.Equal(t, Report{Status: "unavailable", Issuers: []Issuer{
		{Issuer: "https://a.test", Status: "ok", Keys: jwtauth.KeyStats{Source: "JWKSetURL", Remote: true, Fetches: 4, Failures: 1, LastFetch: utc, KeyIDs: []string{"k1", "k2"}}},
		{Issuer: "https://b.test", Status: "unavailable", Keys: jwtauth.KeyStats{Source: "JWKSetURL", Remote: true, Fetches: 1, Failures: 1}},
	}}, h)
	assert.Equal(t, time.UTC, h.Issuers[0].Keys.LastFetch.Location())

	code, h = Of(jwtauth.Stats{})
	assert.Equal(t, http.StatusOK, code)
	b, err := json.Marshal(h)
	require.NoError(t, err)
	assert.JSONEq(t, `{"status":"ok","issuers":[]}`, string(b))
}

func TestWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, http.StatusServiceUnavailable, Report{Status: "unavailable", Issuers: []Issuer{{Status: "unknown", Keys: jwtauth.KeyStats{Source: "Keys"}}}})
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	assert.Equal(t, `{"status":"unavailable","issuers":[{"status":"unknown","keys":{"source":"Keys","remote":false,"fetches":0,"kids":null}}]}`+"\n", rec.Body.String())
}

// TestOfKidURL: with a {{kid}} URL, a forged token whose kid the key server
// does not have (404) leaves /healthz at 200: the server answered. Only a
// failing key server makes it 503, and its next answer makes it 200 again.
func TestOfKidURL(t *testing.T) {
	real := jwttest.EC("keyhealth-kid", "ES256", "real")
	var down atomic.Bool
	srv := jwttest.NewFaultServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case down.Load():
			http.Error(w, "down", http.StatusInternalServerError)
		case r.URL.Path == "/keys/real":
			_, _ = w.Write(real.PublicPEM())
		default:
			http.NotFound(w, r)
		}
	}))
	v, err := jwtauth.New(jwtauth.Config{
		JWKSetURL:  "https://idp.test/keys/{{kid}}",
		HTTPClient: srv.Client(),
		Algorithms: []string{"ES256"},
		Now:        jwttest.Clock(),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	health := func() (int, string) {
		rec := httptest.NewRecorder()
		code, rep := Of(v.Stats())
		Write(rec, code, rep)
		return rec.Code, rec.Body.String()
	}
	forged := jwttest.EC("keyhealth-attacker", "ES256", "")

	_, err = v.Verify(t.Context(), forged.WithKID("stranger").Sign(jwttest.Default()))
	require.ErrorIs(t, err, jwtauth.ErrUnknownKey)
	code, body := health()
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, `{"status":"ok","issuers":[{"status":"ok","keys":{"source":"JWKSetURL","remote":true,"fetches":1,"lastFetch":"2026-11-23T12:00:00Z","kids":null,"cacheTTL":3600}}]}`+"\n", body)

	down.Store(true)
	_, err = v.Verify(t.Context(), forged.WithKID("stranger-2").Sign(jwttest.Default()))
	require.ErrorIs(t, err, jwtauth.ErrKeysUnavailable)
	code, body = health()
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, `{"status":"unavailable","issuers":[{"status":"unavailable","keys":{"source":"JWKSetURL","remote":true,"fetches":2,"fetchErrors":1,"failures":1,"lastFetch":"2026-11-23T12:00:00Z","kids":null,"cacheTTL":3600}}]}`+"\n", body)

	down.Store(false)
	_, err = v.Verify(t.Context(), real.Sign(jwttest.Default()))
	require.NoError(t, err)
	code, body = health()
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, `{"status":"ok","issuers":[{"status":"ok","keys":{"source":"JWKSetURL","remote":true,"fetches":3,"fetchErrors":1,"lastFetch":"2026-11-23T12:00:00Z","usable":true,"kids":["real"],"cacheTTL":3600,"ttl":3600}}]}`+"\n", body)
}
