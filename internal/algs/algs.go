// Package algs lists the JWS algorithms jwtgate verifies. Package keys
// uses the list to index its keys, and package jwtauth to hold an allow-list
// as a bitmask (bit i for the algorithm at index i).
package algs

import "slices"

// names is the list, in a stable order; "none" is never in it.
var names = [...]string{
	"EdDSA",
	"HS256", "HS384", "HS512",
	"RS256", "RS384", "RS512",
	"ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512",
}

// Count is the number of algorithms; it fits a uint32 bitmask.
const Count = len(names)

// Names returns a fresh copy of the list, in its stable order.
func Names() []string { return slices.Clone(names[:]) }

// Index returns the position of alg in the list (exact, case-sensitive),
// or -1 when alg is not one of them.
func Index(alg string) int {
	for i, a := range names {
		if a == alg {
			return i
		}
	}
	return -1
}

// Name returns the algorithm at position i, which must be in [0, Count).
// The string is the list's own, so it shares no memory with a token.
func Name(i int) string { return names[i] }
