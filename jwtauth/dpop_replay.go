package jwtauth

import (
	"crypto/sha256"
	"encoding/binary"
	"hash/maphash"
	"sync"
)

// replayMemoryEntries bounds the DPoP replay memory of one Verifier: at
// most this many proofs are remembered at once, about 24 MiB (96 bytes per
// entry, BenchmarkDPoPReplayMemory). With the default 5-minute
// DPoPProofMaxAge that is about 870 proofs a second, sustained; beyond it
// new proofs are refused until remembered ones expire.
const replayMemoryEntries = 1 << 18

const replayShards = 16

// replayMemory remembers the proofs a Verifier accepted until their iat
// leaves the acceptance window, so that each proof is accepted once.
//
// An entry is a SHA-256 over the proof key's thumbprint and the jti (a
// fixed 32 bytes whatever the jti's length) and the time it may be
// forgotten. The memory is bounded: when a shard is full and none of its
// entries has expired, a new proof is refused (fail closed) rather than an
// unexpired one forgotten, which would let that proof be replayed.
//
// It is per Verifier and per process: replicas do not share it (RFC 9449
// §11.1), so a proof replayed to another replica within the window is
// accepted there. Server nonces (Config.DPoPNonceKey) narrow that window.
// Safe for concurrent use: the check and the insertion happen under one
// lock, so of several identical proofs arriving at once exactly one is
// accepted.
type replayMemory struct {
	seed     maphash.Seed
	perShard int
	shards   [replayShards]replayShard
}

type replayShard struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]int64 // entry -> forget after (Unix seconds)
	// next is the earliest forget-after time in m, so that a full shard
	// is swept only when a sweep can free something.
	next int64
}

func newReplayMemory(entries int) *replayMemory {
	r := &replayMemory{seed: maphash.MakeSeed(), perShard: max(1, entries/replayShards)}
	for i := range r.shards {
		r.shards[i].m = make(map[[sha256.Size]byte]int64)
	}
	return r
}

// replayKey is the memory's key for a proof: SHA-256 of the length of
// the proof key's thumbprint (8 bytes, big-endian), the thumbprint and the
// jti, so that no two (jkt, jti) pairs share an input.
func replayKey(jkt, jti string) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(jkt)))
	h.Write(n[:])
	h.Write([]byte(jkt))
	h.Write([]byte(jti))
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// replayResult is the outcome of remember.
type replayResult int

const (
	replayFresh  replayResult = iota // first sighting: remembered
	replaySeen                       // remembered already: a replay
	replayIsFull                     // not remembered: the memory is full
)

// remember records key until forgetAt (Unix seconds) unless it is already
// there, at time now.
func (r *replayMemory) remember(key [sha256.Size]byte, forgetAt, now int64) replayResult {
	s := &r.shards[maphash.Comparable(r.seed, key)%replayShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	if exp, ok := s.m[key]; ok && exp >= now {
		return replaySeen
	}
	if len(s.m) >= r.perShard {
		if now <= s.next { // nothing has expired yet
			return replayIsFull
		}
		s.sweep(now)
		if len(s.m) >= r.perShard {
			return replayIsFull
		}
	}
	s.m[key] = forgetAt
	if len(s.m) == 1 || forgetAt < s.next {
		s.next = forgetAt
	}
	return replayFresh
}

// sweep drops the expired entries and recomputes next.
func (s *replayShard) sweep(now int64) {
	next := int64(1<<63 - 1)
	for k, exp := range s.m {
		if exp < now {
			delete(s.m, k)
		} else if exp < next {
			next = exp
		}
	}
	s.next = next
}

// len returns the number of entries (tests and benchmarks).
func (r *replayMemory) len() int {
	n := 0
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}
