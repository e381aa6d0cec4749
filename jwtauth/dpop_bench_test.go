//go:build unix

package jwtauth

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/jwtgate/jwtgate/internal/jwttest"
)

// benchDPoP is a Verifier with DPoP allowed, a token bound to proofKey,
// and n fresh proofs for GET https://api.example.com/r.
func benchDPoP(b *testing.B, proofKey *jwttest.Key, n int) (*Verifier, string, []string) {
	issuer := jwttest.RSA("bench", 2048, "bench-rsa")
	v, err := New(Config{
		JWKSetValue: jwttest.Base64(jwttest.JWKS(issuer)),
		DPoP:        DPoPAllowed,
		Now:         jwttest.Clock(),
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = v.Close() })
	tp, err := (&jose.JSONWebKey{Key: proofKey.Public}).Thumbprint(crypto.SHA256)
	if err != nil {
		b.Fatal(err)
	}
	c := jwttest.Default()
	c["cnf"] = map[string]any{"jkt": base64.RawURLEncoding.EncodeToString(tp)}
	token := issuer.Sign(c)
	sum := sha256.Sum256([]byte(token))
	proofs := make([]string, n)
	for i := range proofs {
		proofs[i] = proofKey.Sign(map[string]any{
			"jti": fmt.Sprintf("bench-%d", i), "htm": "GET", "htu": "https://api.example.com/r",
			"iat": jwttest.Epoch.Unix(), "ath": base64.RawURLEncoding.EncodeToString(sum[:]),
		}, map[string]any{"typ": "dpop+jwt", "jwk": proofKey.JWK(false), "kid": nil})
	}
	return v, token, proofs
}

// BenchmarkDPoPVerifyRequest measures what a proof adds to a request:
// scheme=Bearer is the same Verifier and token path without a proof (an
// unbound token, answered from the token cache); scheme=DPoP adds the
// proof check (parse, one signature verification, thumbprint, replay
// memory). Every iteration uses a fresh proof; the replay memory is
// replaced every 4096 proofs, so its growth is part of the figure.
func BenchmarkDPoPVerifyRequest(b *testing.B) {
	const n = 4096
	b.Run("scheme=Bearer", func(b *testing.B) {
		v, _, _ := benchDPoP(b, jwttest.EC("bench-dpop", "ES256", ""), 0)
		token := jwttest.RSA("bench", 2048, "bench-rsa").Sign(jwttest.Default())
		r := httptest.NewRequest("GET", "https://api.example.com/r", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		b.ReportAllocs()
		cpu, n := cpuTime(), 0
		for b.Loop() {
			n++
			if _, err := v.VerifyRequest(r); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu, n)
	})
	for _, k := range []*jwttest.Key{
		jwttest.EC("bench-dpop", "ES256", ""),
		jwttest.Ed25519(9, ""),
		jwttest.RSA("bench-dpop", 2048, ""),
	} {
		b.Run("scheme=DPoP/proof="+k.Alg, func(b *testing.B) {
			v, token, proofs := benchDPoP(b, k, n)
			r := httptest.NewRequest("GET", "https://api.example.com/r", nil)
			r.Header.Set("Authorization", "DPoP "+token)
			r.Header.Set("DPoP", "")
			dpop := r.Header[http.CanonicalHeaderKey("DPoP")]
			i := 0
			b.ReportAllocs()
			cpu, iters := cpuTime(), 0
			for b.Loop() {
				iters++
				if i == n {
					i = 0
					v.sc.replay = newReplayMemory(replayMemoryEntries)
				}
				dpop[0] = proofs[i]
				i++
				if _, err := v.VerifyRequest(r); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu, iters)
		})
	}
}

// cpuTime is the process's user+system CPU time. On a shared machine the
// wall-clock ns/op counts time spent waiting for a core; cpu-ns/op
// (reportCPU) does not, and is the figure to compare.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration, n int) {
	if n > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
	}
}

// BenchmarkDPoPReplayMemory reports the heap bytes one remembered proof
// takes in the replay memory (bytes/entry), filled to its bound.
func BenchmarkDPoPReplayMemory(b *testing.B) {
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m := newReplayMemory(replayMemoryEntries)
		now := time.Unix(1_800_000_000, 0).Unix()
		n := 0
		for i := 0; n < replayMemoryEntries; i++ {
			if m.remember(replayKey("jkt", fmt.Sprint(i)), now+300, now) == replayFresh {
				n++
			} else if i > 4*replayMemoryEntries {
				break // the shards fill unevenly; stop when the bound is near
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(m.len()), "bytes/entry")
		b.ReportMetric(float64(m.len()), "entries")
		runtime.KeepAlive(m)
	}
}
