package claims

import "errors"

var (
	// ErrExpired reports an "exp" more than the leeway in the past.
	ErrExpired = errors.New("claims: token expired")
	// ErrNotYetValid reports an "nbf" more than the leeway in the future.
	ErrNotYetValid = errors.New("claims: token not valid yet")
	// ErrIssuedInFuture reports an "iat" more than the leeway in the future.
	ErrIssuedInFuture = errors.New("claims: token issued in the future")
	// ErrMismatch reports a claim whose value differs from the expected one.
	ErrMismatch = errors.New("claims: claim mismatch")
	// ErrMissing reports an expected or required claim that is absent.
	ErrMissing = errors.New("claims: claim missing")
	// ErrNoRole reports that strict role mapping found no valid role.
	ErrNoRole = errors.New("claims: no valid role")
	// ErrPath reports a JMESPath expression that failed at evaluation time.
	ErrPath = errors.New("claims: attribute path failed")
	// ErrType reports a registered claim of the wrong JSON type (an "exp"
	// that is a string, an "aud" holding a number, ...). jwtauth reports it
	// as jwtauth.ErrMalformed.
	ErrType = errors.New("claims: claim has the wrong type")
)

// Error describes one failed claim check. It wraps one of the sentinels of
// this package, so errors.Is works on it.
type Error struct {
	Err    error  // one of the Err* sentinels above
	Claim  string // the claim concerned ("exp", "aud", "tenant"); may be empty
	Detail string // human-readable, safe to log: token values are quoted and truncated
}

// Error formats the sentinel's text, then the claim in parentheses and the
// detail, when they are set: "claims: token expired (exp): exp … in the past".
func (e *Error) Error() string {
	s := e.Err.Error()
	if e.Claim != "" {
		s += " (" + e.Claim + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }
