package jwtauth

import (
	"context"
	"hash/maphash"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
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
	perShard     int
	shards       [cacheShards]cacheShard
	hits, misses atomic.Uint64
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[string]*cacheEntry
}

type cacheEntry struct {
	id       *Identity
	is       *issuer
	kid, alg string
	key      any // the Key.Public that verified the token
}

func newTokenCache(size int) *tokenCache {
	c := &tokenCache{seed: maphash.MakeSeed(), perShard: max(1, size/cacheShards)}
	for i := range c.shards {
		c.shards[i].m = make(map[string]*cacheEntry)
	}
	return c
}

func (c *tokenCache) shard(token string) *cacheShard {
	return &c.shards[maphash.String(c.seed, token)%cacheShards]
}

// get returns a copy of the cached identity of token, or nil. An entry
// whose token has expired (or whose key left the key set) is dropped.
func (c *tokenCache) get(ctx context.Context, token string) (*Identity, *issuer) {
	s := c.shard(token)
	s.mu.RLock()
	e := s.m[token]
	s.mu.RUnlock()
	if e == nil {
		c.misses.Add(1)
		return nil, nil
	}
	if !e.valid(ctx) {
		s.mu.Lock()
		if s.m[token] == e {
			delete(s.m, token)
		}
		s.mu.Unlock()
		c.misses.Add(1)
		return nil, nil
	}
	c.hits.Add(1)
	return cloneIdentity(e.id), e.is
}

// cloneIdentity copies id with its own Groups, Scopes, OrgRoles and IsGrafanaAdmin,
// so that neither the cache nor another caller sees a change a caller makes
// to them. Claims is shared and documented read-only.
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
	return &c
}

// valid re-runs the claim checks (exp, nbf, iat against the clock now; the
// expected claims cannot have changed) and looks the key up again.
func (e *cacheEntry) valid(ctx context.Context) bool {
	if e.is.validator.Validate(e.id.Claims) != nil {
		return false
	}
	ks, err := e.is.source.KeysFor(ctx, e.kid, e.alg)
	if err != nil {
		return false
	}
	for _, k := range ks {
		if sameKey(k.Public, e.key) {
			return true
		}
	}
	return false
}

func (c *tokenCache) put(token string, id *Identity, is *issuer, kid, alg string, key any) {
	if len(token) > maxCachedTokenBytes {
		return
	}
	// kid shares memory with the token's decoded header; keep a copy.
	e := &cacheEntry{id: cloneIdentity(id), is: is, kid: string([]byte(kid)), alg: alg, key: key}
	s := c.shard(token)
	s.mu.Lock()
	if _, ok := s.m[token]; !ok && len(s.m) >= c.perShard {
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
