package jwtauth

import (
	"errors"
	"net/http"
	"time"
)

// verifyRequest finds the token of r and verifies it, also returning the
// issuer the token was routed to (nil when it was refused before routing).
// With optional, a request without a token is let through: it returns
// (nil, nil, nil), counted in Stats().Anonymous and neither logged nor
// reported to OnVerify.
func (v *Verifier) verifyRequest(r *http.Request, optional bool) (*Identity, *issuer, error) {
	var start time.Time
	if v.hooked {
		start = time.Now()
	}
	token, err := v.token(r)
	if err == nil {
		return v.verifyFor(r.Context(), token, r)
	}
	if optional && errors.Is(err, ErrNoToken) {
		v.anonymous.Add(1)
		return nil, nil, nil
	}
	v.refuse(r.Context(), nil, err)
	err = v.withChallenge(err)
	if v.hooked {
		v.report(r.Context(), start, nil, nil, err, false)
	}
	return nil, nil, err
}

// token returns the token of r: from Config.TokenExtractor when set, else
// from the header, auth_token or the cookie (extract).
func (v *Verifier) token(r *http.Request) (string, error) {
	if v.extractor == nil {
		return v.extract(r)
	}
	token, err := v.extractor(r)
	// URLLogin: auth_token leaves the URL whatever the extractor read, so
	// it never reaches next or its logs.
	if v.urlLogin && r.URL != nil && r.URL.RawQuery != "" {
		stripQueryParam(r, "auth_token")
	}
	switch {
	case errors.Is(err, ErrNoToken):
		return "", fail(ErrNoToken, "", "TokenExtractor found no token")
	case err != nil:
		return "", extractorError(err)
	case token == "":
		return "", fail(ErrNoToken, "", "TokenExtractor returned an empty token")
	}
	return token, nil
}

// extractorError turns a TokenExtractor failure into a refusal: with the
// jwtauth sentinel it wraps, else ErrMalformed. The cause is kept for logs
// (never for responses); when it also matches another sentinel, only its
// text is kept, so that the error matches exactly one.
func extractorError(err error) error {
	reason := ErrMalformed
	if i := reasonIndex(err); i >= 0 && reasons[i].err != ErrInvalidConfig && reasons[i].err != ErrDisabled {
		reason = reasons[i].err
	}
	cause := err
	for _, r := range reasons {
		if r.err != reason && errors.Is(err, r.err) {
			cause = errors.New(err.Error())
			break
		}
	}
	return &ValidationError{Reason: reason, Detail: "TokenExtractor failed", Err: cause}
}
