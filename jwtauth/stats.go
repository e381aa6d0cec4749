package jwtauth

import "github.com/jwtgate/jwtgate/jwks"

// Stats is a snapshot of a Verifier's counters. Reading it is safe
// concurrently with verification.
type Stats struct {
	Verified         uint64            // tokens accepted (cache hits included)
	Refused          map[string]uint64 // refusals by reason: sentinel name ("ErrExpired", ...)
	TokenCacheHits   uint64            // verified-token cache hits
	TokenCacheMisses uint64            // verified-token cache misses (cache on)
	TokenCacheSize   int               // entries now in the verified-token cache
	Keys             KeyStats          // the (first) issuer's key source
	Issuers          []IssuerStats     // one per issuer; one entry for New
}

// IssuerStats are the counters of one issuer of a Verifier (see NewMulti).
type IssuerStats struct {
	Issuer   string   // pinned issuer; "" when the config pins none
	Verified uint64   // tokens of this issuer accepted
	Refused  uint64   // tokens routed to this issuer and refused
	Keys     KeyStats // its key source
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
	s := Stats{Refused: map[string]uint64{}}
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
	case is.remote != nil:
		ks = is.remote.Health()
		ks.Source = is.sourceName
	}
	return ks
}
