package jwtauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// Server-provided DPoP nonces (RFC 9449 §9) are stateless: a nonce is the
// second it was issued and an HMAC-SHA-256 of that second keyed by
// Config.DPoPNonceKey, truncated to 128 bits:
//
//	base64url( issued (8 bytes, big-endian Unix seconds) || HMAC(key, label || issued)[:16] )
//
// A nonce is valid from its issue time for DPoPProofMaxAge (Leeway
// applies into the future, for replicas whose clocks differ), on any
// replica that has the same key. Nothing is stored.
const (
	nonceLabel   = "jwtgate dpop nonce v1\x00"
	nonceMACLen  = 16
	nonceRawLen  = 8 + nonceMACLen
	nonceTextLen = (nonceRawLen*8 + 5) / 6 // unpadded base64url
)

// nonce returns the nonce for time t.
func (s *sender) nonce(t time.Time) string {
	var raw [nonceRawLen]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(t.Unix()))
	s.nonceMAC(raw[8:8], raw[:8])
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// nonceMAC appends the truncated MAC of issued to dst.
func (s *sender) nonceMAC(dst, issued []byte) []byte {
	m := hmac.New(sha256.New, s.nonceKey)
	m.Write([]byte(nonceLabel))
	m.Write(issued)
	var sum [sha256.Size]byte
	return append(dst, m.Sum(sum[:0])[:nonceMACLen]...)
}

// validNonce reports whether n is a nonce this key issued within the
// window ending at now.
func (s *sender) validNonce(n string, now time.Time) bool {
	if len(n) != nonceTextLen {
		return false
	}
	var raw [nonceRawLen]byte
	if k, err := base64.RawURLEncoding.Decode(raw[:], []byte(n)); err != nil || k != nonceRawLen {
		return false
	}
	var want [nonceMACLen]byte
	if !hmac.Equal(s.nonceMAC(want[:0], raw[:8]), raw[8:]) {
		return false
	}
	issued := int64(binary.BigEndian.Uint64(raw[:8]))
	age := now.Unix() - issued
	return age <= int64(s.maxAge/time.Second) && -age <= int64(s.leeway/time.Second)
}
