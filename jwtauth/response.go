package jwtauth

import (
	"errors"
	"net/http"
	"strconv"
	"time"
)

// StatusCode returns the HTTP status DefaultErrorHandler sends for err:
// 401 for token faults (and any error it does not recognise: fail closed),
// 403 for ErrNoRole, 400 for ErrAttributePath, 503 for ErrKeysUnavailable,
// 500 for ErrInvalidConfig and ErrDisabled, and 200 for a nil error.
func StatusCode(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrNoRole):
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
	bodyPath      = []byte(`{"message":"Failed to search JSON with provided path","messageId":"jwt.attribute_path"}` + "\n")
	bodyKeys      = []byte(`{"message":"Keys for JWT verification are unavailable","messageId":"jwt.keys_unavailable"}` + "\n")
	bodyInternal  = []byte(`{"message":"JWT authentication is misconfigured","messageId":"jwt.config"}` + "\n")
	defaultRetry  = 30 * time.Second
	retryCapValue = 10 * time.Minute
)

// DefaultErrorHandler answers a refused request: the status of
// [StatusCode], a small JSON body {"message":...,"messageId":...} with a
// stable messageId ("jwt.missing", "jwt.invalid", "jwt.missing_claim",
// "jwt.invalid_role", "jwt.attribute_path", "jwt.keys_unavailable"),
// `Cache-Control: no-store`, and:
//   - 401: WWW-Authenticate: Bearer (RFC 6750 §3), with
//     error="invalid_token" unless the request carried no token;
//   - 403: WWW-Authenticate: Bearer error="insufficient_scope";
//   - 503: Retry-After, from the key source's backoff when known.
//
// The body never contains the error text, a claim or the token.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	status := StatusCode(err)
	var body []byte
	switch status {
	case http.StatusUnauthorized:
		switch {
		case errors.Is(err, ErrNoToken):
			h.Set("WWW-Authenticate", `Bearer`)
			body = bodyNoToken
		case errors.Is(err, ErrMissingClaim):
			h.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			body = bodyMissing
		default:
			h.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			body = bodyInvalid
		}
	case http.StatusForbidden:
		h.Set("WWW-Authenticate", `Bearer error="insufficient_scope"`)
		body = bodyNoRole
	case http.StatusBadRequest:
		body = bodyPath
	case http.StatusServiceUnavailable:
		d := defaultRetry
		if ra, ok := retryAfter(err); ok && ra > 0 {
			d = min(ra, retryCapValue)
		}
		h.Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
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
