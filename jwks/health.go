package jwks

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/keys"
)

// Health describes a key source for readiness probes and metrics: a
// [Remote] fills it (see [Remote.Health]), and jwtauth.KeyStats is the
// same type, filled for every key source. The zero value describes a
// source that has not been used yet.
//
// It encodes to JSON with lower camel-case names, durations in seconds
// (cacheTTL, ttl) and times in RFC 3339; empty and zero fields are left
// out, except source, remote, fetches and kids.
type Health struct {
	// Source names the option that set the key source: "URL" or "Issuer"
	// from a Remote; jwtauth names its Config field ("JWKSetURL",
	// "KeyFile", "Keys", ...).
	Source string `json:"source"`
	Remote bool   `json:"remote"` // fetched over the network

	URL      string        `json:"url,omitempty"`      // JWKS URL fetched, {{kid}} kept; with Issuer, the discovered jwks_uri ("" before discovery). Password and query removed.
	Issuer   string        `json:"issuer,omitempty"`   // Options.Issuer
	CacheTTL time.Duration `json:"cacheTTL,omitempty"` // configured TTL, default applied (negative: caching off)
	TTL      time.Duration `json:"ttl,omitempty"`      // TTL of the current set, after Cache-Control and the floor; 0 if none

	Fetches     uint64    `json:"fetches"`               // fetch operations so far (each a JWKS or key request, plus discovery with Issuer)
	FetchErrors uint64    `json:"fetchErrors,omitempty"` // fetch operations that failed
	Failures    int       `json:"failures,omitempty"`    // consecutive failed fetches: since the last success
	LastFetch   time.Time `json:"lastFetch,omitzero"`    // end of the last successful fetch; zero if none
	LastError   string    `json:"lastError,omitempty"`   // text of the last fetch error; "" after a success

	Usable bool `json:"usable,omitempty"` // a remote set can answer without the network (fresh, or stale within MaxStale)
	Stale  bool `json:"stale,omitempty"`  // the set is past its TTL and served only because fetches fail

	KeyIDs  []string       `json:"kids"`              // kids of the usable keys ("" for a key without kid)
	Skipped []keys.Skipped `json:"skipped,omitempty"` // keys of the current set that were left out, and why
	// Warnings lists the keys of the current set that were loaded although
	// they depart from RFC 7517/7518 in a way with no security meaning (an
	// RSA n or e with a leading zero octet, key_ops "sign" without
	// "verify"), as go-jose and so Grafana accept them; see
	// [keys.Set.Warnings].
	Warnings []string `json:"warnings,omitempty"`
}

// MarshalJSON encodes h as described on [Health].
func (h Health) MarshalJSON() ([]byte, error) {
	type plain Health // without this method
	return json.Marshal(struct {
		plain
		CacheTTL float64 `json:"cacheTTL,omitempty"`
		TTL      float64 `json:"ttl,omitempty"`
	}{plain(h), h.CacheTTL.Seconds(), h.TTL.Seconds()})
}

// Health returns the current state of r. It is safe to call concurrently
// with lookups and does no network I/O. Usable, or (with a {{kid}} URL,
// where kids are fetched one by one) Fetches > 0 with no Failures, is what
// a readiness probe should test.
func (r *Remote) Health() Health {
	now := r.now()
	r.hmu.Lock()
	h := Health{
		Source:      "URL",
		Remote:      true,
		URL:         redact(r.jwksURI),
		Issuer:      r.s.Issuer,
		CacheTTL:    r.s.CacheTTL,
		LastFetch:   r.lastSuccess,
		Failures:    r.failures,
		LastError:   r.lastErr,
		Fetches:     r.fetches,
		FetchErrors: r.fetchErrors,
	}
	r.hmu.Unlock()
	if r.s.Issuer != "" {
		h.Source = "Issuer"
	}
	for _, e := range r.entries() {
		s := e.snap.Load()
		if s == nil || s.set == nil {
			continue
		}
		h.TTL = max(h.TTL, s.ttl)
		h.Skipped = append(h.Skipped, s.set.Skipped()...)
		h.Warnings = append(h.Warnings, s.set.Warnings()...)
		if !s.usable(now) {
			continue
		}
		h.Usable = true
		h.Stale = h.Stale || !s.fresh(now)
		for _, id := range s.set.KeyIDs() {
			if !slices.Contains(h.KeyIDs, id) {
				h.KeyIDs = append(h.KeyIDs, id)
			}
		}
	}
	if r.set == nil {
		slices.Sort(h.KeyIDs)
	}
	return h
}

// entries returns the whole-set entry, or every per-kid entry.
func (r *Remote) entries() []*entry {
	if r.set != nil {
		return []*entry{r.set}
	}
	m := *r.kids.Load()
	out := make([]*entry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	return out
}

// recordFetch updates the counters and logs the outcome of a fetch.
func (r *Remote) recordFetch(e *entry, old, cur *snapshot, err error, now time.Time) {
	r.hmu.Lock()
	r.fetches++
	if err != nil {
		r.fetchErrors++
		r.failures++
		r.lastErr = err.Error()
	} else {
		r.failures = 0
		r.lastErr = ""
		r.lastSuccess = now
	}
	failures, where := r.failures, redact(cmp.Or(r.jwksURI, r.s.discovery))
	r.hmu.Unlock()

	log := r.s.Logger
	if e.kid != "" {
		log = log.With("kid", e.kid)
	}
	if err != nil {
		log.Warn("jwks: fetch failed", "url", where, "error", err,
			"consecutive_failures", failures, "serving_cached", old.usable(now))
		return
	}
	if cur.set == nil {
		log.Debug("jwks: kid not found", "url", where)
		return
	}
	log.Debug("jwks: fetched", "url", where, "keys", cur.set.Len(), "ttl", cur.ttl)

	var before, warningsBefore []string
	var skippedBefore []keys.Skipped
	if old != nil {
		before, skippedBefore, warningsBefore = old.set.KeyIDs(), old.set.Skipped(), old.set.Warnings()
	}
	after := cur.set.KeyIDs()
	added, removed := diff(after, before), diff(before, after)
	if len(added) > 0 || len(removed) > 0 {
		log.Info("jwks: key set changed", "url", where, "added", added, "removed", removed)
	}
	if skipped := cur.set.Skipped(); len(skipped) > 0 {
		level := slog.LevelDebug
		if !slices.Equal(skipped, skippedBefore) {
			level = slog.LevelInfo
		}
		log.Log(context.Background(), level, "jwks: keys skipped", "url", where, "skipped", describe(skipped))
	}
	if warnings := cur.set.Warnings(); len(warnings) > 0 {
		// Said at Info once, when the lenient keys first appear or change;
		// every refetch after that at Debug.
		level := slog.LevelDebug
		if !slices.Equal(warnings, warningsBefore) {
			level = slog.LevelInfo
		}
		log.Log(context.Background(), level, "jwks: keys loaded leniently", "url", where, "warnings", warnings)
	}
}

// diff returns the elements of a that are not in b.
func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// describe renders skipped keys as "kid (kty): reason" for logs.
func describe(skipped []keys.Skipped) string {
	parts := make([]string, len(skipped))
	for i, s := range skipped {
		parts[i] = fmt.Sprintf("%q (%s): %s", s.KeyID, s.Type, s.Reason)
	}
	return strings.Join(parts, "; ")
}
