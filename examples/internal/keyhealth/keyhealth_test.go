package keyhealth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
		{"remote set with no usable key", jwtauth.KeyStats{Source: "OIDCIssuerURL", Remote: true, Fetches: 1, LastFetch: fetched}, 503, "unavailable"},
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
		{Issuer: "https://a.test", Source: "JWKSetURL", Remote: true, Status: "ok", Keys: 2, KeyIDs: []string{"k1", "k2"}, LastFetch: &utc, ConsecutiveFailures: 1},
		{Issuer: "https://b.test", Source: "JWKSetURL", Remote: true, Status: "unavailable", ConsecutiveFailures: 1},
	}}, h)
	assert.Equal(t, time.UTC, h.Issuers[0].LastFetch.Location())

	code, h = Of(jwtauth.Stats{})
	assert.Equal(t, http.StatusOK, code)
	b, err := json.Marshal(h)
	require.NoError(t, err)
	assert.JSONEq(t, `{"status":"ok","issuers":[]}`, string(b))
}

func TestWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, http.StatusServiceUnavailable, Report{Status: "unavailable", Issuers: []Issuer{{Source: "Keys", Status: "unknown"}}})
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	assert.Equal(t, `{"status":"unavailable","issuers":[{"source":"Keys","remote":false,"status":"unknown","keys":0}]}`+"\n", rec.Body.String())
}
