package jwtauth

// DPoPMode says how a Verifier treats DPoP (RFC 9449). The zero value is
// DPoPOff.
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
