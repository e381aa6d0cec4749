package jwtauth

import "github.com/jwtgate/jwtgate/jwks"

// Stats is a snapshot of a Verifier's counters. Reading it is safe
// concurrently with verification. Its zero value is a Verifier that has
// seen nothing.
//
// It encodes to JSON (for expvar, a health endpoint) with lower camel
// case names: {"verified":3,"refused":{"ErrExpired":1},"anonymous":0,...};
// times are RFC 3339 strings.
type Stats struct {
	Verified         uint64            `json:"verified"`         // tokens accepted (cache hits included)
	Refused          map[string]uint64 `json:"refused"`          // refusals by reason: sentinel name ("ErrExpired", ...)
	Anonymous        uint64            `json:"anonymous"`        // requests without a token let through by OptionalMiddleware (not in Refused)
	TokenCacheHits   uint64            `json:"tokenCacheHits"`   // verified-token cache hits
	TokenCacheMisses uint64            `json:"tokenCacheMisses"` // verified-token cache misses (cache on)
	TokenCacheSize   int               `json:"tokenCacheSize"`   // entries now in the verified-token cache
	Keys             KeyStats          `json:"keys"`             // the (first) issuer's key source
	Issuers          []IssuerStats     `json:"issuers"`          // one per issuer; one entry for New
}

// IssuerStats are the counters of one issuer of a Verifier (see NewMulti).
// Its JSON names are lower camel case, as Stats'.
type IssuerStats struct {
	Issuer   string   `json:"issuer"`   // pinned issuer; "" when the config pins none
	Verified uint64   `json:"verified"` // tokens of this issuer accepted
	Refused  uint64   `json:"refused"`  // tokens routed to this issuer and refused
	Keys     KeyStats `json:"keys"`     // its key source
}

// KeyStats describes a key source: Source (the Config field that set it:
// "KeyFile", "JWKSetURL", "Keys", ...), Remote, Fetches, LastFetch, KeyIDs
// and the rest, documented on [jwks.Health], which it is. For a static
// source only Source, KeyIDs and Skipped are set; for a custom Config.Keys
// source only Source.
type KeyStats = jwks.Health

// Stats returns a snapshot of the counters. It is safe to call
// concurrently with verification.
func (v *Verifier) Stats() Stats {
	s := Stats{Refused: map[string]uint64{}, Anonymous: v.anonymous.Load()}
	for i := range v.refused {
		if n := v.refused[i].Load(); n > 0 {
			s.Refused[reasons[i].name] = n
		}
	}
	if v.cache != nil {
		s.TokenCacheHits = v.cache.hits.Load()
		s.TokenCacheMisses = v.cache.misses.Load()
		s.TokenCacheSize = v.cache.len()
	}
	for _, is := range v.issuers {
		s.Verified += is.verified.Load()
		s.Issuers = append(s.Issuers, IssuerStats{
			Issuer:   is.iss,
			Verified: is.verified.Load(),
			Refused:  is.refused.Load(),
			Keys:     is.keyStats(),
		})
	}
	if len(s.Issuers) > 0 {
		s.Keys = s.Issuers[0].Keys
	}
	return s
}

func (is *issuer) keyStats() KeyStats {
	ks := KeyStats{Source: is.sourceName}
	switch {
	case is.static != nil:
		ks.KeyIDs = is.static.KeyIDs()
		ks.Skipped = is.static.Skipped()
		ks.Warnings = is.static.Warnings()
	case is.remote != nil:
		ks = is.remote.Health()
		ks.Source = is.sourceName
	}
	return ks
}
