package jwtauth

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// StatusCode returns the HTTP status DefaultErrorHandler sends for err:
// 401 for token faults (and any error it does not recognise: fail closed),
// 403 for ErrNoRole and ErrInsufficientScope, 400 for ErrAttributePath,
// 503 for ErrKeysUnavailable, 500 for ErrInvalidConfig and ErrDisabled,
// and 200 for a nil error.
func StatusCode(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrNoRole), errors.Is(err, ErrInsufficientScope):
		return http.StatusForbidden
	case errors.Is(err, ErrAttributePath):
		return http.StatusBadRequest
	case errors.Is(err, ErrKeysUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, ErrInvalidConfig), errors.Is(err, ErrDisabled):
		return http.StatusInternalServerError
	default:
		return http.StatusUnauthorized
	}
}

// messages are the response bodies: stable ids, generic text. They never
// carry the error text, a claim value or the token.
var (
	bodyNoToken   = []byte(`{"message":"Missing JWT","messageId":"jwt.missing"}` + "\n")
	bodyInvalid   = []byte(`{"message":"Failed to verify JWT","messageId":"jwt.invalid"}` + "\n")
	bodyMissing   = []byte(`{"message":"Missing mandatory claim in JWT","messageId":"jwt.missing_claim"}` + "\n")
	bodyNoRole    = []byte(`{"message":"Invalid Role in claim","messageId":"jwt.invalid_role"}` + "\n")
	bodyScope     = []byte(`{"message":"Insufficient scope","messageId":"jwt.insufficient_scope"}` + "\n")
	bodyDPoP      = []byte(`{"message":"Invalid DPoP proof","messageId":"jwt.invalid_dpop_proof"}` + "\n")
	bodyPath      = []byte(`{"message":"Failed to search JSON with provided path","messageId":"jwt.attribute_path"}` + "\n")
	bodyKeys      = []byte(`{"message":"Keys for JWT verification are unavailable","messageId":"jwt.keys_unavailable"}` + "\n")
	bodyInternal  = []byte(`{"message":"JWT authentication is misconfigured","messageId":"jwt.config"}` + "\n")
	defaultRetry  = 30 * time.Second
	retryCapValue = 10 * time.Minute
)

// SetErrorHeaders sets on h exactly the headers DefaultErrorHandler sends
// for err, so that a custom Config.ErrorHandler can restyle the body alone:
//   - Cache-Control: no-store, on every error;
//   - 401: WWW-Authenticate: Bearer (RFC 6750 §3), with
//     error="invalid_token" unless the request carried no token;
//   - 403: WWW-Authenticate: Bearer error="insufficient_scope", with
//     scope="..." when RequireScope named the scopes;
//   - 503: Retry-After, from the key source's backoff when known (else
//     30 s, at most 10 min).
//
// Errors returned by a Verifier whose Config sets ResourceMetadataURL also
// carry resource_metadata="..." (RFC 9728 §5.1) in every challenge. With
// DPoP on, a DPoP challenge with algs="..." (RFC 9449 §7.1) is added after
// the Bearer one (which DPoPRequired leaves out), and the error attribute
// goes on the challenge of the scheme the request used: a refused DPoP
// proof gives DPoP error="invalid_dpop_proof", a missing or stale server
// nonce DPoP error="use_dpop_nonce" with a fresh DPoP-Nonce header
// (RFC 9449 §9). Headers that
// describe the body (Content-Type, Content-Length, X-Content-Type-Options)
// are left to the caller. A nil err sets nothing.
func SetErrorHeaders(h http.Header, err error) {
	if err == nil {
		return
	}
	h.Set("Cache-Control", "no-store")
	var ve *ValidationError
	errors.As(err, &ve)
	var ch *challenge
	var scope, nonce string
	if ve != nil {
		ch, scope, nonce = ve.ch, ve.scope, ve.dpopNonce
	}
	status := StatusCode(err)
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
	case http.StatusServiceUnavailable:
		d := defaultRetry
		if ra, ok := retryAfter(err); ok && ra > 0 {
			d = min(ra, retryCapValue)
		}
		h.Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
		return
	default:
		return
	}
	code := ""
	switch {
	case status == http.StatusForbidden:
		code = "insufficient_scope"
	case errors.Is(err, ErrNoToken):
	default:
		code = "invalid_token"
	}
	h.Del("WWW-Authenticate")
	// With DPoP on, Bearer (unless DPoPRequired) and DPoP challenges are
	// both sent, and the error goes on the challenge of the scheme the
	// request used, or on the only one offered; without a token, on
	// neither (RFC 9449 §7.1, §7.2; Figures 15-18).
	bearer := ch == nil || ch.bearer
	dpop := ch != nil && ch.dpopAlgs != ""
	dpopScheme := ve != nil && ve.dpopScheme
	errOnDPoP := dpop && (dpopScheme || !bearer)
	if bearer {
		var b challengeBuilder
		b.scheme("Bearer")
		if !errOnDPoP {
			b.attr("error", code)
			if status == http.StatusForbidden {
				b.attr("scope", scope)
			}
		}
		if ch != nil {
			b.attr("resource_metadata", ch.resourceMetadata)
		}
		h.Add("WWW-Authenticate", b.String())
	}
	if dpop {
		var b challengeBuilder
		b.scheme("DPoP")
		if errOnDPoP {
			switch {
			case dpopScheme && errors.Is(err, ErrDPoP) && ve.Claim == "nonce":
				b.attr("error", "use_dpop_nonce") // §9: with a fresh DPoP-Nonce
			case dpopScheme && errors.Is(err, ErrDPoP):
				b.attr("error", "invalid_dpop_proof") // the proof fails a §4.3 check
			default:
				b.attr("error", code)
			}
			if status == http.StatusForbidden {
				b.attr("scope", scope)
			}
		}
		b.attr("algs", ch.dpopAlgs)
		b.attr("resource_metadata", ch.resourceMetadata)
		h.Add("WWW-Authenticate", b.String())
	}
	if nonce != "" {
		h.Set("DPoP-Nonce", nonce)
	}
}

// challenge holds what one Verifier adds to the WWW-Authenticate
// challenges of the errors it returns. It is immutable once built.
type challenge struct {
	resourceMetadata string // RFC 9728 resource_metadata; "" for none
	dpopAlgs         string // space-separated DPoP proof algs; "" when DPoP is off
	bearer           bool   // the Bearer scheme is offered (not under DPoPRequired)
}

// challengeBuilder writes one RFC 9110 §11.6.1 challenge: a scheme and
// auth-params, each value a quoted-string (§5.6.4).
type challengeBuilder struct {
	b      strings.Builder
	params int
}

func (c *challengeBuilder) scheme(s string) { c.b.WriteString(s) }

// attr adds name="value", escaping '"' and '\'; an empty value adds
// nothing.
func (c *challengeBuilder) attr(name, value string) {
	if value == "" {
		return
	}
	if c.params == 0 {
		c.b.WriteByte(' ')
	} else {
		c.b.WriteString(", ")
	}
	c.params++
	c.b.WriteString(name)
	c.b.WriteString(`="`)
	for i := 0; i < len(value); i++ {
		if value[i] == '"' || value[i] == '\\' {
			c.b.WriteByte('\\')
		}
		c.b.WriteByte(value[i])
	}
	c.b.WriteByte('"')
}

func (c *challengeBuilder) String() string { return c.b.String() }

// DefaultErrorHandler answers a refused request: the status of
// [StatusCode], the headers of [SetErrorHeaders], and a small JSON body
// {"message":...,"messageId":...} with a stable messageId ("jwt.missing",
// "jwt.invalid", "jwt.missing_claim", "jwt.invalid_role",
// "jwt.insufficient_scope", "jwt.invalid_dpop_proof",
// "jwt.attribute_path", "jwt.keys_unavailable").
//
// The body never contains the error text, a claim or the token.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	h := w.Header()
	SetErrorHeaders(h, err)
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	status := StatusCode(err)
	var body []byte
	switch status {
	case http.StatusUnauthorized:
		switch {
		case errors.Is(err, ErrNoToken):
			body = bodyNoToken
		case errors.Is(err, ErrMissingClaim):
			body = bodyMissing
		case errors.Is(err, ErrDPoP):
			body = bodyDPoP
		default:
			body = bodyInvalid
		}
	case http.StatusForbidden:
		body = bodyNoRole
		if errors.Is(err, ErrInsufficientScope) {
			body = bodyScope
		}
	case http.StatusBadRequest:
		body = bodyPath
	case http.StatusServiceUnavailable:
		body = bodyKeys
	default:
		body = bodyInternal
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// retryAfter finds a retry hint in err's chain: any error with a
// RetryAfter() time.Duration method.
func retryAfter(err error) (time.Duration, bool) {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfter(), true
	}
	return 0, false
}
