package jwks

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtgate/jwtgate/internal/fetch"
	"github.com/jwtgate/jwtgate/keys"
)

// Remote is a key source backed by a JWKS URL, an OIDC issuer, or a
// {{kid}} URL. It implements [keys.Source] and is safe for concurrent use.
//
// A Remote does no network I/O until the first [Remote.KeysFor]. It then
// keeps the fetched set for its TTL, refreshes it in the background past
// 80 % of the TTL, fetches again (at most once per MinRefreshInterval, from
// a budget TTL fetches do not use) when a token names an unknown kid or a
// known kid's key may have been replaced ([Remote.KeysAfterFailure]), and
// keeps serving the last good set for up to MaxStale past its expiry while
// the server fails. Concurrent callers
// that need a fetch share one request. A warm lookup is a map read that
// does not allocate.
type Remote struct {
	s         *settings
	client    *http.Client
	transport *http.Transport // the default client's, closed by Close; nil otherwise

	set  *entry                            // the whole set (URL without {{kid}}, or Issuer)
	kids atomic.Pointer[map[string]*entry] // per-kid entries of a {{kid}} URL
	kmu  sync.Mutex                        // serializes kids updates and the fetch bound
	// kidStarts holds the start times of the last kidFetchLimit fetches of
	// a {{kid}} URL (a ring; kidNext is the oldest).
	kidStarts [kidFetchLimit]time.Time
	kidNext   int

	bg      context.Context // parent of every fetch; cancelled by Close
	stop    context.CancelFunc
	spawnMu sync.Mutex
	closed  bool
	wg      sync.WaitGroup

	hmu          sync.Mutex // guards the fields below
	jwksURI      string     // the URL fetched (discovered jwks_uri with Issuer)
	discoveredAt time.Time
	lastSuccess  time.Time
	failures     int
	lastErr      string
	fetches      uint64
	fetchErrors  uint64
}

var _ keys.Source = (*Remote)(nil)

// NewRemote validates opts and returns a Remote. It does no network I/O.
// An invalid or conflicting field fails with an error that names the
// [Options] field ("jwks: URL: must be https ..."); it also has a method
// Option() string returning that name, for callers that translate it into
// their own configuration's terms (errors.As with
// interface{ Option() string }). Call [Remote.Close] when done.
func NewRemote(opts Options) (*Remote, error) {
	s, err := opts.validate()
	if err != nil {
		return nil, err
	}
	client, tr, err := newClient(s)
	if err != nil {
		return nil, err
	}
	r := &Remote{s: s, client: client, transport: tr}
	r.bg, r.stop = context.WithCancel(context.Background())
	if s.template {
		r.kids.Store(&map[string]*entry{})
	} else {
		r.set = &entry{r: r}
	}
	if s.URL != "" {
		r.jwksURI = s.URL
	}
	return r, nil
}

// KeysFor returns the keys with this kid that can verify alg, fetching the
// set if nothing usable is cached. It fails with an error wrapping
// [keys.ErrUnknownKey] when no key has the kid (after at most one
// rate-limited refresh), [keys.ErrAlgorithm] when keys have the kid but
// none fits alg, and an error wrapping [ErrUnavailable] and its cause when
// no usable set exists; [RetryAfter] reads its retry hint. When ctx ends
// first, the error wraps ErrUnavailable and ctx.Err(); a fetch shared with
// other callers carries on.
//
// The returned slice is shared: do not modify it.
func (r *Remote) KeysFor(ctx context.Context, kid, alg string) ([]keys.Key, error) {
	if r.set != nil {
		return r.set.keysFor(ctx, kid, alg)
	}
	e, err := r.kidEntry(kid)
	if err != nil {
		return nil, err
	}
	return e.keysFor(ctx, kid, alg)
}

// KeysAfterFailure is for a caller whose signature check failed with every
// key that KeysFor returned for kid and alg (failed): the provider may have
// replaced the key under the same kid. It returns the keys for kid and alg
// that differ from failed, after at most one refresh, and nil when there
// are none. The refresh happens only once the cached set is older than
// MinRefreshInterval, and it uses the same budget as an unknown kid (one
// per MinRefreshInterval, and the {{kid}} URL bound), so a spray of
// tampered signatures costs no more fetches than a spray of unknown kids.
// Concurrent callers share the fetch. It does not fail: a fetch error, or
// ctx ending first, gives nil.
func (r *Remote) KeysAfterFailure(ctx context.Context, kid, alg string, failed []keys.Key) []keys.Key {
	e := r.set
	if e == nil {
		e = (*r.kids.Load())[kid]
		if e == nil {
			return nil
		}
	}
	return e.keysAfterFailure(ctx, kid, alg, failed)
}

// Refresh fetches the key set now, ignoring TTL and rate limits, and waits
// for the result (or ctx). A fetch already running for another reason is
// waited for first. With Issuer, the discovery document is read again.
// With a {{kid}} URL, every cached kid is fetched again, one after the
// other. It fails with an error wrapping [ErrUnavailable] and the cause; the
// cached set is then kept.
func (r *Remote) Refresh(ctx context.Context) error {
	if r.set != nil {
		return r.set.refresh(ctx)
	}
	var errs []error
	for _, e := range *r.kids.Load() {
		if s := e.snap.Load(); s == nil || s.set == nil {
			continue
		}
		if err := e.refresh(ctx); err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// Close stops background fetches and waits for them to end. It is
// idempotent and always returns nil. After Close, KeysFor still answers
// from the cached set, and fails with [ErrUnavailable] where it would
// fetch.
func (r *Remote) Close() error {
	r.spawnMu.Lock()
	first := !r.closed
	r.closed = true
	r.spawnMu.Unlock()
	if first {
		r.stop()
	}
	r.wg.Wait()
	if r.transport != nil {
		r.transport.CloseIdleConnections()
	}
	return nil
}

func (r *Remote) now() time.Time { return r.s.Now() }

// spawn runs f in a goroutine tracked for Close, unless closed.
func (r *Remote) spawn(f func(ctx context.Context)) bool {
	r.spawnMu.Lock()
	defer r.spawnMu.Unlock()
	if r.closed {
		return false
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		f(r.bg)
	}()
	return true
}

// refresh forces a fetch of e and waits for it. A fetch already running
// is waited for first, since it may have started before what the caller
// wants to see.
func (e *entry) refresh(ctx context.Context) error {
	var c *call
	for c == nil {
		e.mu.Lock()
		running := e.inflight
		if running == nil {
			c = e.startLocked(fetchForced)
		}
		e.mu.Unlock()
		if running != nil {
			select {
			case <-running.done:
			case <-ctx.Done():
				return unavailable(ctx.Err(), 0)
			}
		}
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		return unavailable(ctx.Err(), 0)
	}
	if c.err != nil {
		return unavailable(c.err, 0)
	}
	return nil
}

// get sends one GET with the common headers and the body cap.
func (r *Remote) get(ctx context.Context, rawURL, accept string, auth, noCache bool) (*fetch.Response, error) {
	h := http.Header{"User-Agent": {userAgent}, "Accept": {accept}}
	if noCache {
		h.Set("Cache-Control", "no-cache")
	}
	if auth && r.s.BearerTokenFile != "" {
		tok, err := bearerToken(r.s.BearerTokenFile)
		if err != nil {
			return nil, fmt.Errorf("jwks: BearerTokenFile: %w", err)
		}
		h.Set("Authorization", tok)
	}
	return fetch.Get(ctx, r.client, fetch.Request{
		URL:      rawURL,
		Header:   h,
		Timeout:  r.s.timeout,
		MaxBytes: r.s.MaxBodyBytes,
	})
}

// redact returns raw without password or query, for logs and Health.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return strings.ReplaceAll(fetch.Redact(u), "%7B%7Bkid%7D%7D", kidPlaceholder)
}

const acceptJWKS = "application/jwk-set+json, application/json;q=0.9"

// fetched is the outcome of a successful fetch.
type fetched struct {
	set    *keys.Set // nil: a per-kid URL said the kid does not exist
	header http.Header
	sum    [sha256.Size]byte // of the body
}

// fetch runs one fetch operation for e; it is called by the goroutine that
// startLocked spawned.
func (r *Remote) fetch(ctx context.Context, e *entry, kind fetchKind) (fetched, error) {
	noCache := kind == fetchUnknown || kind == fetchForced
	prev := e.snap.Load()
	if e.kid != "" {
		return r.fetchKid(ctx, e.kid, noCache, prev)
	}
	if r.s.discovery == "" {
		return r.fetchSet(ctx, r.s.URL, true, noCache, prev)
	}
	u, fresh, err := r.jwksURL(ctx, e, kind)
	if err != nil {
		return fetched{}, err
	}
	res, err := r.fetchSet(ctx, u, r.sameHost(u), noCache, prev)
	if err != nil && !fresh && ctx.Err() == nil {
		// The issuer may have moved its jwks_uri: read the discovery
		// document again and retry once if it changed.
		if u2, derr := r.discover(ctx); derr == nil && u2 != u {
			res, err = r.fetchSet(ctx, u2, r.sameHost(u2), noCache, prev)
		}
	}
	return res, err
}

// fetchSet GETs a JWKS and parses it once. Skipped keys are logged.
func (r *Remote) fetchSet(ctx context.Context, u string, auth, noCache bool, prev *snapshot) (fetched, error) {
	resp, err := r.get(ctx, u, acceptJWKS, auth, noCache)
	if err != nil {
		return fetched{}, err
	}
	res := fetched{header: resp.Header, sum: sha256.Sum256(resp.Body)}
	if res.set = sameBody(prev, res.sum); res.set != nil {
		return res, nil
	}
	set, err := keys.ParseJWKS(resp.Body)
	if err != nil {
		return fetched{}, fmt.Errorf("jwks: %s: %w", redact(u), err)
	}
	if set.Len() == 0 { // ParseJWKS promises an error instead; be sure
		return fetched{}, fmt.Errorf("jwks: %s: %w", redact(u), keys.ErrInvalidKey)
	}
	res.set = set
	return res, nil
}

// sameBody returns the set of prev when the new body's sum equals the one
// prev was parsed from: the keys are unchanged, so they keep their
// identity (a cache keyed on a key stays valid) and are not parsed again.
func sameBody(prev *snapshot, sum [sha256.Size]byte) *keys.Set {
	if prev != nil && prev.set != nil && prev.sum == sum {
		return prev.set
	}
	return nil
}
