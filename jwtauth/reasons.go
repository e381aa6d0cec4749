package jwtauth

import (
	"errors"
	"strconv"
)

// reasons lists the sentinels in a fixed order; Stats reports refusals by
// these names.
var reasons = [...]struct {
	err  error
	name string
}{
	{ErrNoToken, "ErrNoToken"},
	{ErrMalformed, "ErrMalformed"},
	{ErrAlgorithm, "ErrAlgorithm"},
	{ErrUnknownKey, "ErrUnknownKey"},
	{ErrSignature, "ErrSignature"},
	{ErrKeysUnavailable, "ErrKeysUnavailable"},
	{ErrExpired, "ErrExpired"},
	{ErrNotYetValid, "ErrNotYetValid"},
	{ErrIssuedInFuture, "ErrIssuedInFuture"},
	{ErrClaimMismatch, "ErrClaimMismatch"},
	{ErrMissingClaim, "ErrMissingClaim"},
	{ErrNoRole, "ErrNoRole"},
	{ErrAttributePath, "ErrAttributePath"},
	{ErrInsufficientScope, "ErrInsufficientScope"},
	{ErrDPoP, "ErrDPoP"},
	{ErrCertBinding, "ErrCertBinding"},
	{ErrInvalidConfig, "ErrInvalidConfig"},
	{ErrDisabled, "ErrDisabled"},
}

// reasonIndex returns the index in reasons of the sentinel err matches, or
// -1.
func reasonIndex(err error) int {
	var ve *ValidationError
	if errors.As(err, &ve) {
		for i, r := range reasons {
			if ve.Reason == r.err {
				return i
			}
		}
	}
	for i, r := range reasons {
		if errors.Is(err, r.err) {
			return i
		}
	}
	return -1
}

// ReasonName returns the name of the sentinel err matches ("ErrExpired",
// ...), or "" when it matches none. Useful as a low-cardinality metric or
// log label.
func ReasonName(err error) string {
	if i := reasonIndex(err); i >= 0 {
		return reasons[i].name
	}
	return ""
}

// quote returns s quoted, cut to at most 64 bytes of its text first, so a
// detail built from token content stays short and unambiguous.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}
