package jwks

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtgate/jwtgate/internal/keyeq"
	"github.com/jwtgate/jwtgate/keys"
)

// errNoSet is the cause reported when no fetch has failed yet but none may
// start (it should not be seen in practice).
var errNoSet = errors.New("jwks: no key set fetched yet")

// minNotFoundTTL is the least time a {{kid}} URL's "no such kid" answer is
// remembered, so that re-sent junk kids are answered without a fetch.
const minNotFoundTTL = time.Hour

// maxBackoff caps the retry interval while a stale set is served (it is
// raised to MinRefreshInterval when that is longer).
const maxBackoff = 5 * time.Minute

// snapshot is one fetched key set with its timing. It is immutable once
// published, so the warm path reads it without locks.
type snapshot struct {
	set        *keys.Set         // nil: a per-kid entry whose kid does not exist
	sum        [sha256.Size]byte // of the response body the set was parsed from
	fetched    time.Time         // when the fetch ended
	ttl        time.Duration
	refreshAt  time.Time // start a background refresh from here (80 % of ttl)
	expires    time.Time
	staleUntil time.Time // serve while fetches fail until here
}

func (s *snapshot) fresh(now time.Time) bool { return now.Before(s.expires) }

// usable reports whether s may answer at now: fresh, or stale within MaxStale.
func (s *snapshot) usable(now time.Time) bool {
	return s != nil && (now.Before(s.expires) || now.Before(s.staleUntil))
}

// call is one in-flight fetch shared by every caller that needs it.
type call struct {
	done chan struct{}
	snap *snapshot // set on success
	err  error     // set on failure
}

// fetchKind says why a fetch runs; it decides Cache-Control and discovery.
type fetchKind int

const (
	fetchTTL     fetchKind = iota // cold, expired, refresh-ahead, or a retry
	fetchUnknown                  // an unknown kid, or a signature that failed with a known kid
	fetchForced                   // Refresh
)

// entry is a cached key set with its own single-flight, rate limit, backoff
// and stale window: the whole set of a JWKS URL, or one kid of a {{kid}} URL.
type entry struct {
	r   *Remote
	kid string // the kid of a per-kid entry; "" for a whole set

	snap      atomic.Pointer[snapshot]
	busy      atomic.Bool  // a fetch is in flight
	gateNS    atomic.Int64 // unix ns before which a usable set triggers no TTL fetch
	kidGateNS atomic.Int64 // unix ns before which the kid budget allows no refresh

	mu           sync.Mutex
	inflight     *call
	failures     int       // consecutive failed fetches
	lastErr      error     // cause of the last failure
	lastEnd      time.Time // when the last fetch ended
	backoffUntil time.Time // no retry before this while a stale set is usable
	kidSpent     time.Time // when the kid budget was last used (a fetchUnknown started)
	unknown      map[string]struct{}
	unknownUntil time.Time // unknown is valid until here (the next allowed refresh)
}

// keysFor answers a lookup. The warm path (a fresh snapshot holding kid)
// is two atomic loads and two map reads; it does not allocate.
func (e *entry) keysFor(ctx context.Context, kid, alg string) ([]keys.Key, error) {
	now := e.r.now()
	if s := e.snap.Load(); s != nil && s.fresh(now) {
		if !now.Before(s.refreshAt) {
			e.refreshAhead(now)
		}
		return e.lookup(ctx, s, now, kid, alg)
	}
	return e.slow(ctx, kid, alg)
}

// lookup reads a usable snapshot; an unknown kid in a whole set may refresh.
func (e *entry) lookup(ctx context.Context, s *snapshot, now time.Time, kid, alg string) ([]keys.Key, error) {
	ks, err := s.set.KeysFor(ctx, kid, alg)
	if err != nil && e.kid == "" && errors.Is(err, keys.ErrUnknownKey) {
		return e.unknownKid(ctx, s, now, kid, alg)
	}
	return ks, err
}

// refreshAhead starts one background refresh of a set past 80 % of its TTL,
// unless one runs or the rate limit forbids it.
func (e *entry) refreshAhead(now time.Time) {
	if e.busy.Load() || now.UnixNano() < e.gateNS.Load() {
		return
	}
	e.mu.Lock()
	if e.inflight == nil && !now.Before(e.gateLocked(true)) {
		e.startLocked(fetchTTL)
	}
	e.mu.Unlock()
}

// unknownKid handles a kid missing from a usable whole set: it waits for
// a fetch in flight, or starts one from the kid budget (one per
// MinRefreshInterval, shared with signature failures, not used up by TTL
// fetches), then answers keys.ErrUnknownKey if the kid is still missing.
// Kids still unknown after a refresh are answered from memory until the
// budget allows the next one.
//
// A refusal re-reads the current set first: a refresh that finished
// between the caller's lookup in the older set seen and this point (the
// refresh that now rate-limits it) may hold the kid.
func (e *entry) unknownKid(ctx context.Context, seen *snapshot, now time.Time, kid, alg string) ([]keys.Key, error) {
	// The gate is read before busy: a fetch sets busy before it moves the
	// gate, and stores its set before it clears busy, so a caller that
	// sees the new gate and busy clear also finds that fetch's set in
	// recheck. Read the other way round, a fetch starting between the two
	// loads would refuse the caller without waiting for it.
	if now.UnixNano() < e.kidGateNS.Load() && !e.busy.Load() {
		return e.recheck(ctx, seen, kid, alg) // rate limited: no lock, no allocation
	}
	c := e.kidFetch(now, kid, true)
	if c == nil {
		return e.recheck(ctx, seen, kid, alg)
	}
	return e.await(ctx, c, kid, alg)
}

// kidFetch returns the fetch in flight, or starts one from the kid budget;
// nil when the budget is spent, or (with unknownKid) when kid is
// remembered as unknown.
func (e *entry) kidFetch(now time.Time, kid string, unknownKid bool) *call {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.unknown[kid]; unknownKid && ok && now.Before(e.unknownUntil) {
		return nil
	}
	if e.inflight != nil {
		return e.inflight
	}
	if now.Before(e.kidGateLocked()) {
		return nil
	}
	c := e.startLocked(fetchUnknown)
	if c != nil {
		e.kidSpent = now
		e.kidGateNS.Store(e.kidGateLocked().UnixNano())
	}
	return c
}

// kidGateLocked returns the earliest time the kid budget allows a refresh:
// MinRefreshInterval after the last one, and not before the backoff while
// fetches fail.
func (e *entry) kidGateLocked() time.Time {
	var gate time.Time
	if !e.kidSpent.IsZero() {
		gate = e.kidSpent.Add(e.r.s.MinRefreshInterval)
	}
	if e.failures > 0 && e.backoffUntil.After(gate) {
		gate = e.backoffUntil
	}
	return gate
}

// keysAfterFailure serves Remote.KeysAfterFailure for one entry.
func (e *entry) keysAfterFailure(ctx context.Context, kid, alg string, failed []keys.Key) []keys.Key {
	s := e.snap.Load()
	if s == nil || s.set == nil {
		return nil
	}
	if ks := changedKeys(ctx, s, kid, alg, failed); ks != nil {
		return ks // another caller's refresh already brought a new key
	}
	now := e.r.now()
	if now.Sub(s.fetched) < e.r.s.MinRefreshInterval {
		return nil
	}
	if now.UnixNano() < e.kidGateNS.Load() && !e.busy.Load() { // in this order: see unknownKid
		return nil
	}
	c := e.kidFetch(now, kid, false)
	if c == nil {
		return nil
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		return nil
	}
	if c.snap == nil || c.snap.set == nil {
		return nil
	}
	return changedKeys(ctx, c.snap, kid, alg, failed)
}

// changedKeys returns the keys of s for kid and alg that equal none of
// failed; nil if there are none.
func changedKeys(ctx context.Context, s *snapshot, kid, alg string, failed []keys.Key) []keys.Key {
	ks, err := s.set.KeysFor(ctx, kid, alg)
	if err != nil {
		return nil
	}
	var out []keys.Key
	for _, k := range ks {
		if !slices.ContainsFunc(failed, func(f keys.Key) bool { return keyeq.Equal(f.Public, k.Public) }) {
			out = append(out, k)
		}
	}
	return out
}

// recheck answers an unknown kid from the current set when it is newer
// than the set the caller looked in, and with keys.ErrUnknownKey otherwise.
func (e *entry) recheck(ctx context.Context, seen *snapshot, kid, alg string) ([]keys.Key, error) {
	if cur := e.snap.Load(); cur != nil && cur != seen && cur.set != nil {
		return cur.set.KeysFor(ctx, kid, alg)
	}
	return nil, keys.ErrUnknownKey
}

// slow handles a cold or expired entry.
func (e *entry) slow(ctx context.Context, kid, alg string) ([]keys.Key, error) {
	e.mu.Lock()
	now := e.r.now()
	s := e.snap.Load()
	if s != nil && s.fresh(now) { // refreshed meanwhile
		e.mu.Unlock()
		return e.lookup(ctx, s, now, kid, alg)
	}
	usable := s.usable(now)
	if usable && e.failures > 0 {
		// Degraded: serve the stale set and retry in the background with
		// backoff, so that no caller waits on a failing server.
		if e.inflight == nil && !now.Before(e.gateLocked(true)) {
			e.startLocked(fetchTTL)
		}
		e.mu.Unlock()
		return e.lookup(ctx, s, now, kid, alg)
	}
	c := e.inflight
	if c == nil {
		if gate := e.gateLocked(usable); now.Before(gate) {
			err := unavailable(cmp.Or(e.lastErr, errNoSet), gate.Sub(now))
			e.mu.Unlock()
			return nil, err
		}
		if c = e.startLocked(fetchTTL); c == nil {
			// The {{kid}} fetch bound is reached: a stale key still
			// serves, anything else is asked to come back.
			e.mu.Unlock()
			if usable {
				return e.lookup(ctx, s, now, kid, alg)
			}
			return nil, unavailable(errFetchLimit, e.r.kidLimitWait(now))
		}
	}
	e.mu.Unlock()
	return e.await(ctx, c, kid, alg)
}

// await waits for c or ctx, then answers from c's set, or from the current
// set if c failed and that set is still usable.
func (e *entry) await(ctx context.Context, c *call, kid, alg string) ([]keys.Key, error) {
	select {
	case <-c.done:
	case <-ctx.Done():
		return nil, unavailable(ctx.Err(), 0)
	}
	s := c.snap
	if s == nil {
		now := e.r.now()
		if s = e.snap.Load(); !s.usable(now) {
			e.mu.Lock()
			err := unavailable(c.err, e.gateLocked(false).Sub(now))
			e.mu.Unlock()
			return nil, err
		}
	}
	ks, err := s.set.KeysFor(ctx, kid, alg)
	if err != nil && e.kid == "" && errors.Is(err, keys.ErrUnknownKey) {
		e.rememberUnknown(kid)
	}
	return ks, err
}

// rememberUnknown records a kid still unknown after a refresh, until the
// next refresh is allowed; the memory holds at most MaxKeyIDs kids.
func (e *entry) rememberUnknown(kid string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.r.now()
	if !now.Before(e.unknownUntil) {
		clear(e.unknown)
	}
	e.unknownUntil = e.kidGateLocked()
	if e.unknown == nil {
		e.unknown = make(map[string]struct{})
	}
	if len(e.unknown) < e.r.s.MaxKeyIDs {
		e.unknown[kid] = struct{}{}
	}
}

// gateLocked returns the earliest time a fetch may start on its own (not by
// Refresh). usable says whether a usable set exists: while none does,
// retries are limited only by MinRefreshInterval.
func (e *entry) gateLocked(usable bool) time.Time {
	switch {
	case e.lastEnd.IsZero():
		return time.Time{}
	case e.failures == 0 && e.r.s.noCache:
		return e.lastEnd
	case e.failures == 0 || !usable:
		return e.lastEnd.Add(e.r.s.MinRefreshInterval)
	default:
		return e.backoffUntil
	}
}

// startLocked starts a fetch in the background and returns its call. If
// the Remote is closed, the call fails at once. It returns nil, starting
// nothing, when the {{kid}} fetch bound forbids the fetch.
func (e *entry) startLocked(kind fetchKind) *call {
	if e.kid != "" && kind != fetchForced && !e.r.takeKidFetch(e.r.now()) {
		return nil
	}
	c := &call{done: make(chan struct{})}
	e.inflight = c
	e.busy.Store(true)
	ok := e.r.spawn(func(ctx context.Context) {
		res, err := e.r.fetch(ctx, e, kind)
		e.complete(c, res, err)
	})
	if !ok {
		c.err = errClosed
		e.inflight = nil
		e.busy.Store(false)
		close(c.done)
	}
	return c
}

// complete publishes a fetch's outcome and releases its waiters.
func (e *entry) complete(c *call, res fetched, err error) {
	r := e.r
	e.mu.Lock()
	now := r.now()
	old := e.snap.Load()
	e.lastEnd = now
	if err == nil {
		ttl := cacheTTL(res.header, r.s.CacheTTL, r.s.MinRefreshInterval)
		if res.set == nil { // a kid the server does not have
			ttl = max(ttl, minNotFoundTTL)
		}
		s := &snapshot{
			set:       res.set,
			sum:       res.sum,
			fetched:   now,
			ttl:       ttl,
			refreshAt: now.Add(ttl - ttl/5),
			expires:   now.Add(ttl),
		}
		s.staleUntil = s.expires
		if r.s.MaxStale > 0 {
			s.staleUntil = s.expires.Add(r.s.MaxStale)
		}
		e.snap.Store(s)
		e.failures = 0
		e.lastErr = nil
		clear(e.unknown)
		c.snap = s
	} else {
		e.failures++
		e.lastErr = err
		e.backoffUntil = now.Add(backoff(e.failures, r.s.MinRefreshInterval))
		c.err = err
	}
	e.gateNS.Store(e.gateLocked(true).UnixNano())
	e.kidGateNS.Store(e.kidGateLocked().UnixNano())
	e.inflight = nil
	e.busy.Store(false)
	e.mu.Unlock()
	r.recordFetch(e, old, c.snap, err, now) // before waiters see the outcome
	close(c.done)
}

// backoff is the wait before retry n (n >= 1) while a stale set is served:
// MinRefreshInterval doubled per failure, capped at 5 minutes (or at
// MinRefreshInterval if that is longer).
func backoff(n int, floor time.Duration) time.Duration {
	ceiling := max(maxBackoff, floor)
	d := floor
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}

// cacheTTL computes how long a response may be used: min(ttl, max-age),
// floored at minimum. ttl < 0 (caching off) gives 0. A max-age that is not a
// non-negative integer is ignored. "no-cache" and "no-store" without a
// max-age mean the floor; with one, max-age rules (as in Grafana, where
// "max-age=300, no-cache" gives 5m).
func cacheTTL(h http.Header, ttl, minimum time.Duration) time.Duration {
	if ttl < 0 {
		return 0
	}
	maxAge, found, noStore := time.Duration(-1), false, false
	for _, line := range h.Values("Cache-Control") {
		for part := range strings.SplitSeq(line, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "max-age":
				if found {
					continue // the first max-age counts
				}
				n, err := strconv.ParseUint(strings.Trim(strings.TrimSpace(value), `"`), 10, 63)
				var ne *strconv.NumError
				switch {
				case err == nil:
					found = true
					maxAge = time.Duration(min(n, uint64(ttl/time.Second)+1)) * time.Second
				case errors.As(err, &ne) && ne.Err == strconv.ErrRange:
					found = true // huge: no limit below ttl
				}
			case "no-cache", "no-store":
				noStore = true
			}
		}
	}
	switch {
	case found && maxAge >= 0 && maxAge < ttl:
		ttl = maxAge
	case !found && noStore:
		ttl = 0
	}
	return max(ttl, minimum)
}
