package jwtauth

// DPoPMode says how a Verifier treats DPoP (RFC 9449). The zero value is
// DPoPOff.
//
// A DPoP proof is checked against the request, after the access token has
// verified, by VerifyRequest, Middleware and OptionalMiddleware; Verify,
// which has no request, refuses tokens that need a proof. A failure is
// ErrDPoP naming the check that failed in ValidationError.Claim.
//
// Each accepted proof is remembered until its iat leaves the
// DPoPProofMaxAge window, so it is accepted once. That memory is per
// Verifier, bounded (262,144 proofs; when full, new proofs are refused
// rather than remembered ones forgotten) and not shared between replicas:
// a proof captured in transit can be replayed once to each other replica
// within the window (RFC 9449 §11.1). Server nonces (DPoPNonceKey) stop
// proofs made in advance and a short DPoPProofMaxAge narrows the window;
// closing it across replicas entirely would need a shared store.
type DPoPMode int

const (
	// DPoPOff refuses the "DPoP" authorization scheme with ErrMalformed;
	// tokens bound with cnf.jkt are treated as bearer tokens (RFC 9449 §7.2
	// leaves this to resource servers without DPoP support).
	DPoPOff DPoPMode = iota
	// DPoPAllowed accepts Bearer and DPoP; a token carrying cnf.jkt needs
	// the DPoP scheme and a valid proof.
	DPoPAllowed
	// DPoPRequired accepts only DPoP-bound tokens with a valid proof.
	DPoPRequired
)
