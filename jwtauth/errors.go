package jwtauth

import (
	"errors"
	"strings"

	"github.com/jwtgate/jwtgate/claims"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/keys"
)

// The sentinels. Every error from Verify, VerifyRequest and the Middleware
// satisfies errors.Is with exactly one of them; New fails only with
// ErrInvalidConfig, and LoadINI/ParseINI with ErrInvalidConfig or
// ErrDisabled. Some are the same values as the lower packages' sentinels, so
// either name matches.
var (
	// ErrInvalidConfig reports a bad or conflicting Config field (from New,
	// NewMulti, LoadINI and ParseINI only). The message names the field.
	ErrInvalidConfig = errors.New("jwtauth: invalid config")
	// ErrDisabled is returned by LoadINI and ParseINI when [auth.jwt]
	// enabled is false or missing.
	ErrDisabled = errors.New("jwtauth: [auth.jwt] is not enabled")
	// ErrNoToken: the request carries no token (401, bare WWW-Authenticate).
	ErrNoToken = errors.New("jwtauth: no token in request")
	// ErrMalformed: not a compact JWS, bad base64 or JSON, a claim of the
	// wrong type, a crit header, or a token over the size cap (401).
	ErrMalformed = errors.New("jwtauth: malformed token")
	// ErrAlgorithm: alg not allowed, "none", or not verifiable by the key
	// the kid names (401).
	ErrAlgorithm = errors.New("jwtauth: algorithm not allowed")
	// ErrSignature: the signature does not verify with any matching key (401).
	ErrSignature = errors.New("jwtauth: invalid signature")
	// ErrUnknownKey: no key has the token's kid, after at most one
	// rate-limited refresh of a remote set (401).
	ErrUnknownKey = keys.ErrUnknownKey
	// ErrKeysUnavailable: the remote key set cannot be fetched and no usable
	// cached copy exists (503 with Retry-After).
	ErrKeysUnavailable = jwks.ErrUnavailable
	// ErrExpired: exp is further in the past than the leeway (401).
	ErrExpired = claims.ErrExpired
	// ErrNotYetValid: nbf is further in the future than the leeway (401).
	ErrNotYetValid = claims.ErrNotYetValid
	// ErrIssuedInFuture: iat is further in the future than the leeway (401).
	ErrIssuedInFuture = claims.ErrIssuedInFuture
	// ErrClaimMismatch: iss, sub, aud or an expect_claims value differs (401).
	ErrClaimMismatch = claims.ErrMismatch
	// ErrMissingClaim: an expected claim is absent, no sub, neither login
	// nor email, or RequireExp without exp (401).
	ErrMissingClaim = claims.ErrMissing
	// ErrNoRole: RoleAttributeStrict and no valid role (403).
	ErrNoRole = claims.ErrNoRole
	// ErrAttributePath: a JMESPath expression failed at run time (400).
	ErrAttributePath = claims.ErrPath
	// ErrInsufficientScope: the verified identity lacks the role
	// (RequireRole) or the scopes (RequireScope) a route needs (403,
	// WWW-Authenticate: Bearer error="insufficient_scope").
	ErrInsufficientScope = errors.New("jwtauth: insufficient scope")
	// ErrDPoP: a DPoP proof (RFC 9449) is missing, invalid, replayed or not
	// bound to the token (401, WWW-Authenticate: DPoP
	// error="invalid_dpop_proof").
	ErrDPoP = errors.New("jwtauth: invalid DPoP proof")
	// ErrCertBinding: the token is bound to a client certificate (RFC 8705
	// cnf "x5t#S256") and the request has no matching one (401).
	ErrCertBinding = errors.New("jwtauth: certificate binding mismatch")
)

// ValidationError reports why a token was refused. Reason is one of the
// sentinels above; errors.Is matches it (and Err, the underlying cause,
// when there is one).
type ValidationError struct {
	Reason error  // one of the Err* sentinels
	Claim  string // claim or header involved ("exp", "kid", "alg"); may be empty
	Detail string // safe to log: token-derived text is quoted and truncated, never the raw token
	Err    error  // underlying cause (network, JMESPath); may be nil

	// What SetErrorHeaders adds to the challenges; set by the Verifier.
	ch         *challenge
	scope      string // required scopes, space-separated (insufficient_scope)
	dpopNonce  string // a fresh DPoP-Nonce to send (use_dpop_nonce and successes)
	dpopScheme bool   // the token came with the DPoP authorization scheme
}

// Error returns the reason, the claim and the detail. It never contains the
// token.
func (e *ValidationError) Error() string {
	s := e.Reason.Error()
	if e.Claim != "" {
		s += " (" + e.Claim + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		// A cause that wraps the same sentinel starts with its text: say it once.
		s += ": " + strings.TrimPrefix(e.Err.Error(), e.Reason.Error()+": ")
	}
	return s
}

// Unwrap returns the reason and, when set, the cause.
func (e *ValidationError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Reason}
	}
	return []error{e.Reason, e.Err}
}
