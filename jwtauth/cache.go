package jwtauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"hash/maphash"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jwtgate/jwtgate/internal/keyeq"
)

// maxCachedTokenBytes: longer tokens are never cached, bounding the
// cache's memory to about entries × (this + the claims).
const maxCachedTokenBytes = 8 << 10

const cacheShards = 16

// tokenCache maps a token, byte for byte, to the identity it verified to.
// It is sharded so that concurrent hits rarely share a lock, bounded in
// entries (random eviction when a shard is full), and every hit re-checks
// the time claims and that the verifying key is still in the key set.
type tokenCache struct {
	seed         maphash.Seed
	n            uint64 // shards in use: min(cacheShards, size)
	shards       [cacheShards]cacheShard
	hits, misses atomic.Uint64
}

type cacheShard struct {
	mu    sync.RWMutex
	m     map[string]*cacheEntry
	limit int // entries this shard holds at most
}

type cacheEntry struct {
	id       *Identity
	is       *issuer
	kid, alg string
	key      any // the Key.Public that verified the token
}

// newTokenCache returns a cache of at most size (> 0) entries, spread over
// min(cacheShards, size) shards whose limits add up to size exactly.
func newTokenCache(size int) *tokenCache {
	n := min(cacheShards, size)
	c := &tokenCache{seed: maphash.MakeSeed(), n: uint64(n)}
	for i := range n {
		c.shards[i].m = make(map[string]*cacheEntry)
		c.shards[i].limit = size / n
		if i < size%n {
			c.shards[i].limit++
		}
	}
	return c
}

func (c *tokenCache) shard(token string) *cacheShard {
	return &c.shards[maphash.String(c.seed, token)%c.n]
}

// get returns a copy of the cached identity of token (see cloneIdentity),
// or nil. An entry whose token has expired (or whose key left the key set)
// is dropped.
func (c *tokenCache) get(ctx context.Context, token string) (*Identity, *issuer) {
	s := c.shard(token)
	s.mu.RLock()
	e := s.m[token]
	s.mu.RUnlock()
	if e == nil {
		c.misses.Add(1)
		return nil, nil
	}
	key, ok := e.valid(ctx)
	if !ok {
		s.mu.Lock()
		if s.m[token] == e {
			delete(s.m, token)
		}
		s.mu.Unlock()
		c.misses.Add(1)
		return nil, nil
	}
	switch key.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
		// The key set was rebuilt with this key unchanged: bind the entry
		// to the new object, so that later hits compare pointers again.
		if key != e.key {
			s.mu.Lock()
			if s.m[token] == e {
				rebound := *e
				rebound.key = key
				s.m[token] = &rebound
			}
			s.mu.Unlock()
		}
	}
	c.hits.Add(1)
	return cloneIdentity(e.id), e.is
}

// cloneIdentity copies id with its own Groups, OrgRoles, IsGrafanaAdmin,
// Scopes, and a deep copy of Claims and Confirmation, so that neither the
// cache nor another caller sees a change a caller makes to any of them.
func cloneIdentity(id *Identity) *Identity {
	c := *id
	c.Groups = slices.Clone(id.Groups)
	c.Scopes = slices.Clone(id.Scopes)
	if id.OrgRoles != nil {
		c.OrgRoles = maps.Clone(id.OrgRoles)
	}
	if id.IsGrafanaAdmin != nil {
		b := *id.IsGrafanaAdmin
		c.IsGrafanaAdmin = &b
	}
	c.Claims = cloneObject(id.Claims)
	c.Confirmation = cloneObject(id.Confirmation)
	return &c
}

// cloneObject deep-copies a decoded JSON object: its maps and slices are
// new, its strings, numbers, booleans and nulls (immutable) are shared.
func cloneObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := maps.Clone(m)
	for k, v := range c {
		switch v.(type) {
		case map[string]any, []any:
			c[k] = cloneValue(v)
		}
	}
	return c
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneObject(x)
	case []any:
		c := slices.Clone(x)
		for i, e := range c {
			switch e.(type) {
			case map[string]any, []any:
				c[i] = cloneValue(e)
			}
		}
		return c
	}
	return v
}

// valid re-runs the claim checks as the first verification ran them (exp,
// nbf, iat against the clock now; expected numbers by every digit of the
// payload) and looks the key up again; it
// returns the key set's current object for the entry's key.
func (e *cacheEntry) valid(ctx context.Context) (any, bool) {
	if e.is.validator.ValidatePayload(e.id.Claims, e.id.payload) != nil {
		return nil, false
	}
	ks, err := e.is.source.KeysFor(ctx, e.kid, e.alg)
	if err != nil {
		return nil, false
	}
	for _, k := range ks {
		if keyeq.Equal(k.Public, e.key) {
			return k.Public, true
		}
	}
	return nil, false
}

func (c *tokenCache) put(token string, id *Identity, is *issuer, kid, alg string, key any) {
	if len(token) > maxCachedTokenBytes {
		return
	}
	// kid shares the decoded header's memory, which the entry keeps anyway
	// (Identity's payload is part of it): no copy.
	e := &cacheEntry{id: cloneIdentity(id), is: is, kid: kid, alg: alg, key: key}
	s := c.shard(token)
	s.mu.Lock()
	if _, ok := s.m[token]; !ok && len(s.m) >= s.limit {
		for k := range s.m { // map iteration order is random: random eviction
			delete(s.m, k)
			break
		}
	}
	s.m[token] = e
	s.mu.Unlock()
}

func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
