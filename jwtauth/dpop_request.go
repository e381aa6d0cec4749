package jwtauth

import (
	"net/http"
	"strings"
)

// This file ties sender-constrained tokens into the request path: which
// authorization scheme a request used, the checks that run after the
// access token has verified, and what a refusal adds to the response.

// dpopScheme reports whether r's credentials use the DPoP authorization
// scheme (RFC 9449 §7.1), matched case-insensitively (RFC 9110 §11.1). The
// header, when present and non-empty, is always the token's source (see
// VerifyRequest), so this is the scheme of the token that was verified.
func (v *Verifier) dpopScheme(r *http.Request) bool {
	if r == nil {
		return false
	}
	vals := r.Header[v.headerName]
	return len(vals) == 1 && hasScheme(vals[0], "DPoP")
}

// hasScheme reports whether h starts with scheme and one space, the scheme
// compared case-insensitively.
func hasScheme(h, scheme string) bool {
	return len(h) > len(scheme)+1 && h[len(scheme)] == ' ' && strings.EqualFold(h[:len(scheme)], scheme)
}

// headerToken returns the token of an authorization header value: after
// one "Bearer " or, with DPoP on, one "DPoP " prefix, or the bare value.
// With DPoP off, the DPoP scheme is refused with ErrMalformed.
func (v *Verifier) headerToken(h string) (string, error) {
	if hasScheme(h, "DPoP") {
		if v.sc == nil || v.sc.dpop == DPoPOff {
			return "", fail(ErrMalformed, "", "the DPoP authorization scheme is not accepted (DPoP is off)")
		}
		return h[len("DPoP "):], nil
	}
	return stripBearer(h), nil
}

// check enforces the sender constraints of a verified token: a DPoP
// binding (cnf.jkt) and, with CertBoundTokens, a certificate binding
// (cnf["x5t#S256"]). r is nil when Verify was called without a request:
// then any binding that needs the request is refused (fail closed), and
// under DPoPRequired every token is.
func (s *sender) check(r *http.Request, dpopScheme bool, token string, id *Identity) error {
	cnf, present := id.Claims["cnf"]
	jkt, x5t := "", ""
	if present {
		m, ok := cnf.(map[string]any)
		if !ok {
			return fail(ErrMalformed, "cnf", "cnf is not a JSON object (RFC 7800 §3.1)")
		}
		var okJ, okX bool
		raw, hasJ := m["jkt"]
		jkt, okJ = raw.(string)
		if hasJ && (!okJ || jkt == "") && s.dpop != DPoPOff {
			return fail(ErrMalformed, "cnf", "cnf.jkt is not a non-empty string")
		}
		raw, hasX := m["x5t#S256"]
		x5t, okX = raw.(string)
		if hasX && (!okX || x5t == "") && s.certBound {
			return fail(ErrMalformed, "cnf", "cnf[\"x5t#S256\"] is not a non-empty string")
		}
	}
	if s.certBound && x5t != "" {
		if err := s.checkCert(r, x5t); err != nil {
			return err
		}
	}
	switch {
	case s.dpop == DPoPOff:
		return nil
	case r == nil && (jkt != "" || s.dpop == DPoPRequired):
		return fail(ErrDPoP, "", "a DPoP proof can only be checked with the request (VerifyRequest or Middleware)")
	case r == nil:
		return nil
	case !dpopScheme && s.dpop == DPoPRequired:
		return fail(ErrDPoP, "", "DPoP is required: the token must come with the DPoP scheme and a proof")
	case !dpopScheme && jkt != "":
		return fail(ErrDPoP, "cnf", "a DPoP-bound token (cnf.jkt) came with the Bearer scheme (RFC 9449 §7.2)")
	case !dpopScheme:
		return nil
	case jkt == "":
		return fail(ErrDPoP, "cnf", "the token came with the DPoP scheme but is not DPoP-bound (no cnf.jkt)")
	}
	return s.checkProof(r, token, jkt)
}

// annotate returns err carrying what SetErrorHeaders needs about the
// request: whether it used the DPoP scheme and, with server nonces on, a
// fresh nonce for the client's next proof. s may be nil.
func (s *sender) annotate(err error, dpopScheme bool) error {
	ve, ok := err.(*ValidationError)
	if s == nil || s.dpop == DPoPOff || !ok {
		return err
	}
	c := *ve
	c.dpopScheme = dpopScheme
	if s.nonceKey != nil && (dpopScheme || c.Reason == ErrDPoP) {
		c.dpopNonce = s.nonce(s.now())
	}
	return &c
}

// setNonce sets DPoP-Nonce on a successful DPoP request's response, with
// server nonces on, so the client has the next one before it needs it.
func (v *Verifier) setNonce(w http.ResponseWriter, r *http.Request) {
	if v.sc != nil && v.sc.nonceKey != nil && v.dpopScheme(r) {
		w.Header().Set("DPoP-Nonce", v.sc.nonce(v.sc.now()))
	}
}
