package jwtauth

import "time"

// Event is the outcome of one verification, passed to Config.OnVerify.
type Event struct {
	Issuer   string        // the issuer the token was routed to; "" when it was not routed
	Identity *Identity     // nil on failure
	Err      error         // nil on success
	Cached   bool          // answered from the verified-token cache
	Duration time.Duration // time spent verifying
}
