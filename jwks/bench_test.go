package jwks_test

import (
	"testing"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/keys"
)

// BenchmarkKeysFor measures lookups on a warm cache: a map read, with no
// allocation and no lock.
func BenchmarkKeysFor(b *testing.B) {
	b.Run("cached", func(b *testing.B) {
		p := newIDP(jwttest.JWKS(key1, key2, key3), "")
		r := newRemote(b, p, jwks.Options{})
		mustFind(b, r, "k2")
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.KeysFor(ctx, "k2", "EdDSA"); err != nil {
				b.Fatal(err)
			}
		}
		if p.count() != 1 {
			b.Fatalf("%d fetches", p.count())
		}
	})
	b.Run("cached/fixed-clock", func(b *testing.B) {
		// The same without time.Now, which dominates "cached" on machines
		// whose clock read is a system call (some VMs).
		p := newIDP(jwttest.JWKS(key1, key2, key3), "")
		r := newRemote(b, p, jwks.Options{Now: jwttest.Clock()})
		mustFind(b, r, "k2")
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.KeysFor(ctx, "k2", "EdDSA"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached/parallel", func(b *testing.B) {
		p := newIDP(jwttest.JWKS(key1, key2, key3), "")
		r := newRemote(b, p, jwks.Options{})
		mustFind(b, r, "k2")
		ctx := b.Context()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := r.KeysFor(ctx, "k2", "EdDSA"); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("unknown-kid/rate-limited", func(b *testing.B) {
		p := newIDP(jwttest.JWKS(key1), "")
		r := newRemote(b, p, jwks.Options{Now: jwttest.Clock()})
		mustFind(b, r, "k1")
		ctx := b.Context()
		wantErr(b, r, "first", keys.ErrUnknownKey) // spends this interval's refresh
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.KeysFor(ctx, "attacker", "EdDSA"); err == nil {
				b.Fatal("found")
			}
		}
		if p.count() != 2 {
			b.Fatalf("%d fetches", p.count())
		}
	})
}
