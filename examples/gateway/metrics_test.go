package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/examples/internal/exampletest"
	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// issuerEnv is a gateway trusting a jwtauthtest issuer (keys found by
// OIDC discovery) in front of a recording upstream, with servers for its
// public and admin handlers. It maps preferred_username and email.
type issuerEnv struct {
	iss          *jwtauthtest.Issuer
	gw           *gateway
	up           *exampletest.Upstream
	front, admin *httptest.Server
}

func newIssuerEnv(t *testing.T) *issuerEnv {
	t.Helper()
	e := &issuerEnv{iss: jwtauthtest.NewIssuer(t), up: exampletest.NewUpstream(t, nil)}
	cfg := e.iss.Config()
	cfg.UsernameClaim = "preferred_username"
	cfg.EmailClaim = "email"
	var err error
	e.gw, err = newGateway(cfg, defaultOptions(t, e.up.URL), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.gw.Close() })
	e.front = httptest.NewServer(e.gw.handler())
	t.Cleanup(e.front.Close)
	e.admin = httptest.NewServer(e.gw.adminHandler())
	t.Cleanup(e.admin.Close)
	return e
}

// get sends GET / to the gateway with the Authorization header auth (none
// when "") and returns the status code.
func (e *issuerEnv) get(t *testing.T, auth string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.front.URL+"/", nil)
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, _ := exampletest.Do(t, http.DefaultClient, req)
	return resp.StatusCode
}

// scrape returns GET url's body, which must be a 200 in the Prometheus
// text format.
func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4"), resp.Header.Get("Content-Type"))
	return string(body)
}

// jwtgateLines returns the "# TYPE jwtgate_..." lines and the samples of
// the jwtgate_ metrics, in exposition order, leaving out the lines whose
// value depends on time: the histogram's _bucket and _sum samples (its
// _count stays) and the last-fetch timestamp, which it returns apart.
func jwtgateLines(t *testing.T, body string) (lines []string, lastFetch string) {
	t.Helper()
	for line := range strings.SplitSeq(strings.TrimSpace(body), "\n") {
		name := strings.TrimPrefix(line, "# TYPE ")
		switch {
		case !strings.HasPrefix(name, "jwtgate_"):
		case strings.HasPrefix(line, "jwtgate_verify_duration_seconds_bucket"),
			strings.HasPrefix(line, "jwtgate_verify_duration_seconds_sum"):
		case strings.HasPrefix(line, "jwtgate_key_last_fetch_timestamp_seconds{"):
			lastFetch = line
		default:
			lines = append(lines, line)
		}
	}
	return lines, lastFetch
}

func TestMetrics(t *testing.T) {
	e := newIssuerEnv(t)
	iss, gw, get := e.iss, e.gw, func(auth string) int { return e.get(t, auth) }
	claims := map[string]any{"sub": "sub-alice", "preferred_username": "alice", "email": "alice@example.test"}
	tok := iss.Sign(claims)
	require.Equal(t, http.StatusOK, get("Bearer "+tok))                // verified, a cache miss
	require.Equal(t, http.StatusOK, get("Bearer "+tok))                // verified, a cache hit
	require.Equal(t, http.StatusUnauthorized, get(""))                 // ErrNoToken
	require.Equal(t, http.StatusUnauthorized, get("Bearer not.a.jwt")) // ErrMalformed
	expired := map[string]any{"exp": time.Now().Add(-time.Hour).Unix(), "iat": time.Now().Add(-2 * time.Hour).Unix()}
	for k, v := range claims {
		expired[k] = v
	}
	require.Equal(t, http.StatusUnauthorized, get("Bearer "+iss.Sign(expired))) // ErrExpired

	body := scrape(t, e.admin.URL+"/metrics")
	lines, lastFetch := jwtgateLines(t, body)
	u := iss.URL()
	assert.Equal(t, []string{
		`# TYPE jwtgate_anonymous_total counter`,
		`jwtgate_anonymous_total 0`,
		`# TYPE jwtgate_gateway_exchanged_total counter`,
		`jwtgate_gateway_exchanged_total 0`,
		`# TYPE jwtgate_gateway_forwarded_total counter`,
		`jwtgate_gateway_forwarded_total 2`,
		`# TYPE jwtgate_gateway_refused_identity_total counter`,
		`jwtgate_gateway_refused_identity_total 0`,
		`# TYPE jwtgate_gateway_refused_total counter`,
		`jwtgate_gateway_refused_total 3`,
		`# TYPE jwtgate_issuer_refused_total counter`,
		`jwtgate_issuer_refused_total{issuer="` + u + `"} 1`,
		`# TYPE jwtgate_issuer_verified_total counter`,
		`jwtgate_issuer_verified_total{issuer="` + u + `"} 2`,
		`# TYPE jwtgate_key_fetch_errors_total counter`,
		`jwtgate_key_fetch_errors_total{issuer="` + u + `"} 0`,
		`# TYPE jwtgate_key_fetch_failures gauge`,
		`jwtgate_key_fetch_failures{issuer="` + u + `"} 0`,
		`# TYPE jwtgate_key_fetches_total counter`,
		`jwtgate_key_fetches_total{issuer="` + u + `"} 1`, // one key set fetch (discovery, then the JWKS)
		`# TYPE jwtgate_key_last_fetch_timestamp_seconds gauge`,
		`# TYPE jwtgate_keys gauge`,
		`jwtgate_keys{issuer="` + u + `"} 1`,
		`# TYPE jwtgate_keys_skipped gauge`,
		`jwtgate_keys_skipped{issuer="` + u + `"} 0`,
		`# TYPE jwtgate_keys_stale gauge`,
		`jwtgate_keys_stale{issuer="` + u + `"} 0`,
		`# TYPE jwtgate_keys_usable gauge`,
		`jwtgate_keys_usable{issuer="` + u + `"} 1`,
		`# TYPE jwtgate_refused_total counter`,
		`jwtgate_refused_total{reason="ErrAlgorithm"} 0`,
		`jwtgate_refused_total{reason="ErrAttributePath"} 0`,
		`jwtgate_refused_total{reason="ErrCertBinding"} 0`,
		`jwtgate_refused_total{reason="ErrClaimMismatch"} 0`,
		`jwtgate_refused_total{reason="ErrDPoP"} 0`,
		`jwtgate_refused_total{reason="ErrExpired"} 1`,
		`jwtgate_refused_total{reason="ErrInsufficientScope"} 0`,
		`jwtgate_refused_total{reason="ErrIssuedInFuture"} 0`,
		`jwtgate_refused_total{reason="ErrKeysUnavailable"} 0`,
		`jwtgate_refused_total{reason="ErrMalformed"} 1`,
		`jwtgate_refused_total{reason="ErrMissingClaim"} 0`,
		`jwtgate_refused_total{reason="ErrNoRole"} 0`,
		`jwtgate_refused_total{reason="ErrNoToken"} 1`,
		`jwtgate_refused_total{reason="ErrNotYetValid"} 0`,
		`jwtgate_refused_total{reason="ErrSignature"} 0`,
		`jwtgate_refused_total{reason="ErrUnknownKey"} 0`,
		`# TYPE jwtgate_token_cache_entries gauge`,
		`jwtgate_token_cache_entries 1`,
		`# TYPE jwtgate_token_cache_hits_total counter`,
		`jwtgate_token_cache_hits_total 1`,
		`# TYPE jwtgate_token_cache_misses_total counter`,
		`jwtgate_token_cache_misses_total 3`, // every token looked up and not found: good, malformed, expired
		`# TYPE jwtgate_verified_total counter`,
		`jwtgate_verified_total 2`,
		`# TYPE jwtgate_verify_duration_seconds histogram`,
		`jwtgate_verify_duration_seconds_count{cached="false",outcome="ErrExpired"} 1`,
		`jwtgate_verify_duration_seconds_count{cached="false",outcome="ErrMalformed"} 1`,
		`jwtgate_verify_duration_seconds_count{cached="false",outcome="ErrNoToken"} 1`,
		`jwtgate_verify_duration_seconds_count{cached="false",outcome="ok"} 1`,
		`jwtgate_verify_duration_seconds_count{cached="true",outcome="ok"} 1`,
	}, lines)

	assert.Equal(t, 1, iss.Fetches(), "the issuer served one key set")

	// The last fetch is a Unix time in seconds, between the issuer's start
	// and now.
	prefix := `jwtgate_key_last_fetch_timestamp_seconds{issuer="` + u + `"} `
	require.True(t, strings.HasPrefix(lastFetch, prefix), lastFetch)
	at, err := strconv.ParseFloat(strings.TrimPrefix(lastFetch, prefix), 64)
	require.NoError(t, err)
	assert.InDelta(t, float64(time.Now().Unix()), at, 300, "last fetch time")

	assert.NotContains(t, body, tok, "no token in /metrics")
	problems, err := testutil.GatherAndLint(gw.metrics)
	require.NoError(t, err)
	assert.Empty(t, problems, "metric names, units and help follow the Prometheus conventions")
	assert.Contains(t, body, "\ngo_goroutines ", "the Go runtime collector is registered")
}

// A refused request that matches no sentinel would be labelled "other";
// every sentinel keeps its own name.
func TestOutcomeLabel(t *testing.T) {
	assert.Equal(t, "ok", outcome(nil))
	assert.Equal(t, "other", outcome(errors.New("upstream went away")))
	assert.Equal(t, "ErrExpired", outcome(fmt.Errorf("wrapped: %w", jwtauth.ErrExpired)))
	assert.Equal(t, "ErrSignature", outcome(&jwtauth.ValidationError{Reason: jwtauth.ErrSignature}))

	// Every listed sentinel has a name of its own.
	assert.Len(t, refusalReasons, 16)
	assert.NotContains(t, refusalReasons, "")
	assert.ElementsMatch(t, slices.Compact(slices.Sorted(slices.Values(refusalReasons))), refusalReasons)
}

// The histogram observes every verification the Verifier reports, also
// when the config already has an OnVerify hook, which still runs.
func TestOnVerifyChained(t *testing.T) {
	hist, hook := newVerifyHistogram()
	var seen []jwtauth.Event
	chained := chainOnVerify(func(_ context.Context, e jwtauth.Event) { seen = append(seen, e) }, hook)
	chained(context.Background(), jwtauth.Event{Err: jwtauth.ErrExpired, Duration: 3 * time.Microsecond})
	chained(context.Background(), jwtauth.Event{Identity: &jwtauth.Identity{}, Cached: true, Duration: time.Microsecond})
	assert.Len(t, seen, 2)
	// A hit of 1 µs falls in the first bucket (le is inclusive), 3 µs in
	// the second.
	require.NoError(t, testutil.CollectAndCompare(hist, strings.NewReader(`
# HELP jwtgate_verify_duration_seconds Time spent verifying a token or request, by outcome and whether the verified-token cache answered.
# TYPE jwtgate_verify_duration_seconds histogram
`+histogramLines(`cached="false",outcome="ErrExpired"`, 3e-6, 1)+histogramLines(`cached="true",outcome="ok"`, 1e-6, 0))))
}

// histogramLines returns the text exposition of one series of
// jwtgate_verify_duration_seconds holding one observation of sum seconds,
// in bucket first (0 for the first bucket).
func histogramLines(labels string, sum float64, first int) string {
	var b strings.Builder
	for i, le := range verifyBuckets {
		n := 0
		if i >= first {
			n = 1
		}
		fmt.Fprintf(&b, "jwtgate_verify_duration_seconds_bucket{%s,le=\"%s\"} %d\n", labels, strconv.FormatFloat(le, 'g', -1, 64), n)
	}
	fmt.Fprintf(&b, "jwtgate_verify_duration_seconds_bucket{%s,le=\"+Inf\"} 1\n", labels)
	fmt.Fprintf(&b, "jwtgate_verify_duration_seconds_sum{%s} %s\n", labels, strconv.FormatFloat(sum, 'g', -1, 64))
	fmt.Fprintf(&b, "jwtgate_verify_duration_seconds_count{%s} 1\n", labels)
	return b.String()
}
