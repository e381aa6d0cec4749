package jwtauth_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// What operators see: the records Config.Logger receives and the counters
// of Verifier.Stats.

// obsRecord is one log record, its attributes flattened ("group.key") and
// resolved, including those added with Logger.With.
type obsRecord struct {
	level slog.Level
	msg   string
	attrs map[string]slog.Value
}

func (r obsRecord) str(key string) string {
	v, ok := r.attrs[key]
	if !ok {
		return ""
	}
	return v.String()
}

// obsLog keeps every record of every level in memory.
type obsLog struct {
	mu   sync.Mutex
	recs []obsRecord
}

func (l *obsLog) logger() *slog.Logger { return slog.New(&obsHandler{log: l}) }

// take returns the records so far and forgets them.
func (l *obsLog) take() []obsRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	recs := l.recs
	l.recs = nil
	return recs
}

type obsHandler struct {
	log    *obsLog
	prefix string // group prefix, "" or "g."
	attrs  []slog.Attr
}

func (h *obsHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *obsHandler) Handle(_ context.Context, r slog.Record) error {
	rec := obsRecord{level: r.Level, msg: r.Message, attrs: map[string]slog.Value{}}
	for _, a := range h.attrs {
		obsFlatten(rec.attrs, "", a)
	}
	r.Attrs(func(a slog.Attr) bool {
		obsFlatten(rec.attrs, h.prefix, a)
		return true
	})
	h.log.mu.Lock()
	h.log.recs = append(h.log.recs, rec)
	h.log.mu.Unlock()
	return nil
}

func (h *obsHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = slices.Clone(h.attrs)
	for _, a := range as {
		a.Key = h.prefix + a.Key
		c.attrs = append(c.attrs, a)
	}
	return &c
}

func (h *obsHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.prefix = h.prefix + name + "."
	return &c
}

func obsFlatten(m map[string]slog.Value, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		for _, g := range v.Group() {
			obsFlatten(m, prefix+a.Key+".", g)
		}
		return
	}
	m[prefix+a.Key] = v
}

// obsOne returns the only record with message msg.
func obsOne(t testing.TB, recs []obsRecord, msg string) obsRecord {
	t.Helper()
	var found []obsRecord
	for _, r := range recs {
		if r.msg == msg {
			found = append(found, r)
		}
	}
	require.Len(t, found, 1, "records %q in %v", msg, recs)
	return found[0]
}

// obsNoSecret fails if the message or any attribute value of any record
// contains one of the secrets.
func obsNoSecret(t testing.TB, recs []obsRecord, secrets ...string) {
	t.Helper()
	for _, r := range recs {
		for _, s := range secrets {
			assert.NotContains(t, r.msg, s, "message of %q", r.msg)
			for k, v := range r.attrs {
				assert.NotContains(t, v.String(), s, "attribute %s of %q", k, r.msg)
			}
		}
	}
}

// obsTokenParts returns a token and its three segments, each long enough
// that finding it in a log line cannot be a coincidence.
func obsTokenParts(t testing.TB, tok string) []string {
	t.Helper()
	parts := []string{tok}
	for _, seg := range strings.Split(tok, ".") {
		require.GreaterOrEqual(t, len(seg), 16, "segment %q too short to look for", seg)
		parts = append(parts, seg)
	}
	return parts
}

func obsRequest(tok string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	return r
}

func TestObservability(t *testing.T) {
	t.Run("one_record_per_refusal", testObsRefusals)
	t.Run("debug_records_for_cache_and_fetches", testObsDebug)
	t.Run("jwks_url_query_never_logged", testObsURLQuery)
	t.Run("stats_after_script", testObsStats)
	t.Run("stats_concurrent", testObsStatsConcurrent)
}

// testObsRefusals: each kind of refusal gives exactly one "jwt refused"
// record carrying the reason, claim and detail of the error, and neither
// it nor any other record holds the token or one of its segments.
func testObsRefusals(t *testing.T) {
	k := jwttest.EC("obs-k", "ES256", "obs-k")
	attacker := jwttest.EC("obs-attacker", "ES256", "obs-k")
	idp := newFaultIdP(faultJWKS(k))
	srv := faultHTTP(t, idp)
	var log obsLog
	v := newV(t, jwtauth.Config{
		JWKSetURL:         srv.URL + "/jwks",
		InsecureAllowHTTP: true,
		Algorithms:        []string{"ES256"},
		Logger:            log.logger(),
	})
	good := k.Sign(jwttest.Default())
	_, err := verify(t, v, good) // fetch the keys before the cases
	require.NoError(t, err)

	down := newFaultIdP(faultStatus(http.StatusInternalServerError))
	downSrv := faultHTTP(t, down)
	vDown := newV(t, jwtauth.Config{
		JWKSetURL:         downSrv.URL + "/jwks",
		InsecureAllowHTTP: true,
		Algorithms:        []string{"ES256"},
		Logger:            log.logger(),
	})

	badPayload := strings.Split(good, ".")
	badPayload[1] += "*"
	big := jwttest.Default()
	big["pad"] = strings.Repeat("p", jwtauth.MaxTokenBytes)
	noSub := jwttest.Default()
	delete(noSub, "sub")
	hs := jwttest.HMAC("HS256", []byte("obs-hmac-secret-obs-hmac-secret!"), "obs-k")

	for _, tc := range []struct {
		name  string
		v     *jwtauth.Verifier
		tok   string // "" sends no token
		want  error
		level slog.Level
		mw    bool // through Middleware rather than Verify
	}{
		{"malformed_base64", v, strings.Join(badPayload, "."), jwtauth.ErrMalformed, slog.LevelInfo, false},
		{"malformed_two_segments", v, strings.Join(strings.Split(good, ".")[:2], "."), jwtauth.ErrMalformed, slog.LevelInfo, false},
		{"malformed_oversized", v, k.Sign(big), jwtauth.ErrMalformed, slog.LevelInfo, false},
		{"algorithm", v, hs.Sign(jwttest.Default()), jwtauth.ErrAlgorithm, slog.LevelInfo, false},
		{"expired", v, k.Sign(map[string]any{"sub": "alice", "exp": jwttest.Unix(-2 * time.Hour)}), jwtauth.ErrExpired, slog.LevelInfo, false},
		{"bad_signature", v, attacker.Sign(jwttest.Default()), jwtauth.ErrSignature, slog.LevelInfo, false},
		{"unknown_kid", v, k.WithKID("obs-unknown").Sign(jwttest.Default()), jwtauth.ErrUnknownKey, slog.LevelInfo, false},
		{"missing_claim", v, k.Sign(noSub), jwtauth.ErrMissingClaim, slog.LevelInfo, false},
		{"missing_claim_middleware", v, k.Sign(noSub), jwtauth.ErrMissingClaim, slog.LevelInfo, true},
		{"no_token", v, "", jwtauth.ErrNoToken, slog.LevelDebug, true},
		{"keys_unavailable", vDown, good, jwtauth.ErrKeysUnavailable, slog.LevelInfo, false},
		{"keys_unavailable_middleware", vDown, good, jwtauth.ErrKeysUnavailable, slog.LevelInfo, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log.take()
			var err error
			if tc.mw {
				r := obsRequest(tc.tok)
				_, err = tc.v.VerifyRequest(r)
				w, id, _ := serve(tc.v, obsRequest(tc.tok))
				assert.Nil(t, id)
				assert.Equal(t, jwtauth.StatusCode(err), w.Code)
			} else {
				_, err = verify(t, tc.v, tc.tok)
			}
			requireOnly(t, err, tc.want)
			ve, ok := errors.AsType[*jwtauth.ValidationError](err)
			require.True(t, ok)
			recs := log.take()

			var refusals []obsRecord
			for _, r := range recs {
				if r.msg == "jwt refused" {
					refusals = append(refusals, r)
				}
			}
			calls := 1
			if tc.mw {
				calls = 2 // VerifyRequest, then the middleware
			}
			require.Len(t, refusals, calls, "records: %v", recs)
			for _, rec := range refusals {
				assert.Equal(t, tc.level, rec.level)
				assert.Equal(t, jwtauth.ReasonName(tc.want), rec.str("reason"))
				assert.Equal(t, ve.Detail, rec.str("detail"))
				assert.NotEmpty(t, rec.str("detail"))
				if ve.Claim != "" {
					assert.Equal(t, ve.Claim, rec.str("claim"))
				} else {
					assert.NotContains(t, rec.attrs, "claim")
				}
			}
			if tc.tok != "" {
				obsNoSecret(t, recs, obsTokenParts(t, tc.tok)...)
			}
		})
	}
}

// testObsDebug: the debug records of the token cache and of fetches, and
// what jwks logs through Config.Logger: key-set changes with the kids
// added and removed, skipped keys, failures.
func testObsDebug(t *testing.T) {
	k1 := jwttest.EC("obs-d1", "ES256", "obs-d1")
	k2 := jwttest.EC("obs-d2", "ES256", "obs-d2")
	odd := map[string]any{"kty": "XYZ", "kid": "obs-odd"}
	idp := newFaultIdP(faultBody("application/json", jwttest.JWKSOf(k1.JWK(false), odd), true))
	srv := faultHTTP(t, idp)
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	var log obsLog
	v := newV(t, jwtauth.Config{
		JWKSetURL:         srv.URL + "/jwks",
		InsecureAllowHTTP: true,
		Algorithms:        []string{"ES256"},
		CacheTTL:          10 * time.Minute,
		Logger:            log.logger(),
		Now:               clk.Now,
	})
	tok := k1.Sign(jwttest.Default())

	// First use: fetch, change from nothing, a skipped key.
	_, err := verify(t, v, tok)
	require.NoError(t, err)
	recs := log.take()
	require.Len(t, recs, 3, "%v", recs)
	fetched := obsOne(t, recs, "jwks: fetched")
	assert.Equal(t, slog.LevelDebug, fetched.level)
	assert.Equal(t, srv.URL+"/jwks", fetched.str("url"))
	assert.Equal(t, int64(1), fetched.attrs["keys"].Int64())
	assert.Equal(t, 10*time.Minute, fetched.attrs["ttl"].Duration())
	changed := obsOne(t, recs, "jwks: key set changed")
	assert.Equal(t, slog.LevelInfo, changed.level)
	assert.Equal(t, []string{"obs-d1"}, changed.attrs["added"].Any())
	assert.Empty(t, changed.attrs["removed"].Any())
	skipped := obsOne(t, recs, "jwks: keys skipped")
	assert.Equal(t, slog.LevelInfo, skipped.level, "a newly skipped key is info")
	assert.Contains(t, skipped.str("skipped"), `"obs-odd" (XYZ)`)

	// Second use: a token-cache hit, nothing else.
	_, err = verify(t, v, tok)
	require.NoError(t, err)
	recs = log.take()
	require.Len(t, recs, 1, "%v", recs)
	assert.Equal(t, "jwt verified from cache", recs[0].msg)
	assert.Equal(t, slog.LevelDebug, recs[0].level)

	// Rotation: k2 replaces k1, the odd key stays skipped (now debug).
	idp.set(faultBody("application/json", jwttest.JWKSOf(k2.JWK(false), odd), true))
	require.NoError(t, v.Refresh(t.Context()))
	recs = log.take()
	require.Len(t, recs, 3, "%v", recs)
	assert.Equal(t, slog.LevelDebug, obsOne(t, recs, "jwks: fetched").level)
	changed = obsOne(t, recs, "jwks: key set changed")
	assert.Equal(t, []string{"obs-d2"}, changed.attrs["added"].Any())
	assert.Equal(t, []string{"obs-d1"}, changed.attrs["removed"].Any())
	assert.Equal(t, slog.LevelDebug, obsOne(t, recs, "jwks: keys skipped").level, "an unchanged skip is debug")

	// Same set again: fetched, nothing changed.
	require.NoError(t, v.Refresh(t.Context()))
	recs = log.take()
	obsOne(t, recs, "jwks: fetched")
	for _, r := range recs {
		assert.NotEqual(t, "jwks: key set changed", r.msg)
	}

	// The IdP fails: one warning, the cached set still served.
	idp.set(faultStatus(http.StatusBadGateway))
	require.ErrorIs(t, v.Refresh(t.Context()), jwtauth.ErrKeysUnavailable)
	recs = log.take()
	require.Len(t, recs, 1, "%v", recs)
	failed := recs[0]
	assert.Equal(t, "jwks: fetch failed", failed.msg)
	assert.Equal(t, slog.LevelWarn, failed.level)
	assert.Equal(t, srv.URL+"/jwks", failed.str("url"))
	assert.Contains(t, failed.str("error"), "502")
	assert.Equal(t, int64(1), failed.attrs["consecutive_failures"].Int64())
	assert.True(t, failed.attrs["serving_cached"].Bool())
	_, err = verify(t, v, k2.Sign(jwttest.Default()))
	require.NoError(t, err)
}

// testObsURLQuery: a JWKS URL may carry a credential in its query; jwtgate
// removes the query from the URLs it logs and reports, and should do so in
// error texts too.
func testObsURLQuery(t *testing.T) {
	const secret = "obs-query-secret-0123456789"
	gone := httptest.NewServer(http.NotFoundHandler())
	u := gone.URL + "/jwks?api_key=" + secret
	gone.Close() // connection refused from now on
	var log obsLog
	v := newV(t, jwtauth.Config{
		JWKSetURL:         u,
		InsecureAllowHTTP: true,
		Algorithms:        []string{"ES256"},
		Logger:            log.logger(),
	})
	_, err := verify(t, v, jwttest.EC("obs-k", "ES256", "obs-k").Sign(jwttest.Default()))
	requireOnly(t, err, jwtauth.ErrKeysUnavailable)
	recs := log.take()
	obsOne(t, recs, "jwks: fetch failed")
	obsOne(t, recs, "jwt refused")
	obsNoSecret(t, recs, secret)
	ks := v.Stats().Keys
	assert.NotContains(t, ks.URL, secret)
	assert.NotContains(t, ks.LastError, secret)
	assert.NotContains(t, err.Error(), secret)
}

// testObsStats: every counter after a scripted sequence.
func testObsStats(t *testing.T) {
	k1 := jwttest.EC("obs-s1", "ES256", "obs-s1")
	k2 := jwttest.EC("obs-s2", "ES256", "obs-s2")
	idp := newFaultIdP(faultJWKS(k1))
	srv := faultHTTP(t, idp)
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	v := newV(t, jwtauth.Config{
		JWKSetURL:          srv.URL + "/jwks",
		InsecureAllowHTTP:  true,
		Algorithms:         []string{"ES256"},
		CacheTTL:           10 * time.Minute,
		MinRefreshInterval: 30 * time.Second,
		Now:                clk.Now,
	})
	a := k1.Sign(map[string]any{"sub": "a", "exp": jwttest.Unix(time.Hour)})
	b := k1.Sign(map[string]any{"sub": "b", "exp": jwttest.Unix(time.Hour)})

	s := v.Stats()
	assert.Zero(t, s.Verified)
	assert.Empty(t, s.Refused)
	assert.Zero(t, s.Keys.Fetches)
	assert.True(t, s.Keys.LastFetch.IsZero())
	assert.Empty(t, s.Keys.KeyIDs)

	ok := func(tok string) {
		t.Helper()
		_, err := verify(t, v, tok)
		require.NoError(t, err)
	}
	ok(a) // fetch 1 at Epoch; cache miss
	ok(a) // hit
	ok(a) // hit
	ok(b) // miss
	_, err := verify(t, v, k1.Sign(map[string]any{"sub": "a", "exp": jwttest.Unix(-time.Hour)}))
	requireOnly(t, err, jwtauth.ErrExpired) // miss
	_, err = verify(t, v, "")
	requireOnly(t, err, jwtauth.ErrMalformed) // refused before the cache
	_, err = v.VerifyRequest(obsRequest(""))
	requireOnly(t, err, jwtauth.ErrNoToken)

	idp.set(faultJWKS(k1, k2))
	clk.Advance(time.Minute)
	_, err = verify(t, v, k1.WithKID("obs-nope").Sign(jwttest.Default()))
	requireOnly(t, err, jwtauth.ErrUnknownKey) // miss; fetch 2 at Epoch+1m
	lastGood := clk.Now()

	idp.set(faultStatus(http.StatusInternalServerError))
	clk.Advance(time.Minute)
	require.ErrorIs(t, v.Refresh(t.Context()), jwtauth.ErrKeysUnavailable) // fetch 3 fails
	// A hit: the refetched set still holds a's key, unchanged in content,
	// so the cached entry survives the refetch.
	ok(a)

	s = v.Stats()
	assert.Equal(t, uint64(5), s.Verified)
	assert.Equal(t, map[string]uint64{"ErrExpired": 1, "ErrMalformed": 1, "ErrNoToken": 1, "ErrUnknownKey": 1}, s.Refused)
	assert.Equal(t, uint64(3), s.TokenCacheHits)
	assert.Equal(t, uint64(4), s.TokenCacheMisses)
	assert.Equal(t, 2, s.TokenCacheSize)
	ks := s.Keys
	assert.Equal(t, "JWKSetURL", ks.Source)
	assert.True(t, ks.Remote)
	assert.Equal(t, srv.URL+"/jwks", ks.URL)
	assert.Equal(t, 10*time.Minute, ks.CacheTTL)
	assert.Equal(t, uint64(3), ks.Fetches)
	assert.Equal(t, uint64(1), ks.FetchErrors)
	assert.Equal(t, 1, ks.Failures)
	assert.Contains(t, ks.LastError, "500")
	assert.True(t, lastGood.Equal(ks.LastFetch), "LastFetch %v, want %v", ks.LastFetch, lastGood)
	assert.Equal(t, []string{"obs-s1", "obs-s2"}, ks.KeyIDs)
	require.Len(t, s.Issuers, 1)
	assert.Equal(t, uint64(5), s.Issuers[0].Verified)
	assert.Equal(t, uint64(2), s.Issuers[0].Refused, "refusals after the issuer is known: expired, unknown kid")
	assert.Equal(t, ks, s.Issuers[0].Keys)
	assert.Equal(t, 3, idp.Hits())
}

// testObsStatsConcurrent: Stats is read in a loop while 8 goroutines
// verify (run with -race); counters only grow and end exact.
func testObsStatsConcurrent(t *testing.T) {
	const (
		workers   = 8
		perWorker = 150
	)
	k := jwttest.EC("obs-c", "ES256", "obs-c")
	idp := newFaultIdP(faultJWKS(k))
	srv := faultHTTP(t, idp)
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	v := newV(t, jwtauth.Config{
		JWKSetURL:         srv.URL + "/jwks",
		InsecureAllowHTTP: true,
		Algorithms:        []string{"ES256"},
		Now:               clk.Now,
	})
	valid := faultTokens(k, 4)
	expired := k.Sign(map[string]any{"sub": "old", "exp": jwttest.Unix(-time.Hour)})

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	done := make(chan struct{})
	var reads atomic.Int64
	var readerErr atomic.Pointer[string]
	var reader sync.WaitGroup
	reader.Go(func() {
		var last jwtauth.Stats
		for range 1_000_000 {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			default:
			}
			s := v.Stats()
			reads.Add(1)
			switch {
			case s.Verified < last.Verified,
				s.Refused["ErrExpired"] < last.Refused["ErrExpired"],
				s.TokenCacheHits < last.TokenCacheHits,
				s.TokenCacheMisses < last.TokenCacheMisses,
				s.Keys.Fetches < last.Keys.Fetches:
				msg := "a counter went down"
				readerErr.CompareAndSwap(nil, &msg)
			case len(s.Keys.KeyIDs) > 0 && !slices.Equal(s.Keys.KeyIDs, []string{"obs-c"}):
				msg := "KeyIDs " + strings.Join(s.Keys.KeyIDs, ",")
				readerErr.CompareAndSwap(nil, &msg)
			}
			last = s
		}
	})

	var failed atomic.Int64
	var workersWG sync.WaitGroup
	for w := range workers {
		workersWG.Go(func() {
			for i := range perWorker {
				tok, want := valid[(w+i)%len(valid)], error(nil)
				if i%5 == 4 {
					tok, want = expired, jwtauth.ErrExpired
				}
				_, err := v.Verify(ctx, tok)
				if (want == nil && err != nil) || (want != nil && !faultOnly(err, want)) {
					failed.Add(1)
				}
			}
		})
	}
	workersWG.Wait()
	close(done)
	reader.Wait()

	if p := readerErr.Load(); p != nil {
		t.Error(*p)
	}
	assert.Zero(t, failed.Load())
	t.Logf("%d Stats reads during %d verifications", reads.Load(), workers*perWorker)
	s := v.Stats()
	total := uint64(workers * perWorker)
	assert.Equal(t, total*4/5, s.Verified)
	assert.Equal(t, map[string]uint64{"ErrExpired": total / 5}, s.Refused)
	assert.Equal(t, total, s.TokenCacheHits+s.TokenCacheMisses)
	assert.Equal(t, uint64(1), s.Keys.Fetches)
	assert.Zero(t, s.Keys.FetchErrors)
	assert.True(t, clk.Now().Equal(s.Keys.LastFetch))
	assert.Equal(t, []string{"obs-c"}, s.Keys.KeyIDs)
}
