package jwtauth

import (
	"context"
	"time"
)

// Event is the outcome of one verification, passed to Config.OnVerify.
// Its zero value describes nothing; every Event has Identity or Err set,
// never both.
type Event struct {
	Issuer   string        // the pinned issuer of the config the token was routed to; "" when it was not routed (malformed, no token) or that config pins none
	Identity *Identity     // nil on failure
	Err      error         // nil on success
	Cached   bool          // answered from the verified-token cache
	Duration time.Duration // time spent verifying, measured with time.Now (never Config.Now)
}

// report passes the outcome of one verification, which started at start,
// to the OnVerify of the issuer the token was routed to, or config 0's.
func (v *Verifier) report(ctx context.Context, start time.Time, is *issuer, id *Identity, err error, cached bool) {
	hook := v.onVerify
	e := Event{Identity: id, Err: err, Cached: cached, Duration: time.Since(start)}
	if is != nil {
		e.Issuer = is.iss
		if is.onVerify != nil {
			hook = is.onVerify
		}
	}
	if hook != nil {
		hook(ctx, e)
	}
}
