package jwtauth

import (
	"net/http"
	"net/url"
	"strings"
)

// VerifyRequest finds the token of r and verifies it. It writes no
// response; use it to build custom middleware ([Verifier.OptionalMiddleware]
// lets requests without a token through).
//
// With Config.TokenExtractor set, the token is what it returns (see
// there). Otherwise the token is taken from, in order, and without falling back once a
// source is present:
//   - the HeaderName header (default Authorization): one "Bearer " prefix
//     is removed, its scheme matched case-insensitively (RFC 9110 §11.1),
//     and a bare token is accepted; a request with the header repeated is
//     refused with ErrMalformed;
//   - with URLLogin, the auth_token query parameter, which is then removed
//     from r.URL (and r.RequestURI) in place, whatever the outcome, so it
//     cannot leak into upstream requests or logs;
//   - with CookieName, that cookie.
//
// Without any of them the error is ErrNoToken.
func (v *Verifier) VerifyRequest(r *http.Request) (*Identity, error) {
	return v.verifyRequest(r, false)
}

func (v *Verifier) extract(r *http.Request) (string, error) {
	// With URLLogin, auth_token leaves the URL whatever the token source,
	// so a second token in the query never reaches next or its logs.
	var query string
	var nQuery int
	if v.urlLogin && r.URL != nil && r.URL.RawQuery != "" {
		query, nQuery = stripQueryParam(r, "auth_token")
	}
	if vals := r.Header[v.headerName]; len(vals) > 0 {
		if len(vals) > 1 {
			return "", fail(ErrMalformed, "", "the "+v.headerName+" header is repeated")
		}
		if h := vals[0]; h != "" {
			return stripBearer(h), nil
		}
	}
	switch {
	case nQuery > 1:
		return "", fail(ErrMalformed, "", "auth_token is repeated")
	case nQuery == 1 && query != "":
		return stripBearer(query), nil
	}
	if v.cookie != "" {
		if c, err := r.Cookie(v.cookie); err == nil && c.Value != "" {
			return c.Value, nil
		}
	}
	return "", fail(ErrNoToken, "", v.noTokenDetail)
}

// stripBearer removes one "Bearer " prefix, its scheme matched
// case-insensitively (RFC 9110 §11.1).
func stripBearer(h string) string {
	if len(h) > 7 && h[6] == ' ' && strings.EqualFold(h[:6], "bearer") {
		return h[7:]
	}
	return h
}

// stripQueryParam removes every name=... pair from r's query, keeping the
// other pairs byte for byte and in order, and returns the (unescaped) value
// of the first one and how many there were.
func stripQueryParam(r *http.Request, name string) (string, int) {
	raw := r.URL.RawQuery
	var kept []string
	var value string
	n := 0
	for part := range strings.SplitSeq(raw, "&") {
		k, val, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == name {
			if n == 0 {
				if uv, err := url.QueryUnescape(val); err == nil {
					value = uv
				}
			}
			n++
			continue
		}
		kept = append(kept, part)
	}
	if n > 0 {
		r.URL.RawQuery = strings.Join(kept, "&")
		if r.RequestURI != "" {
			r.RequestURI = r.URL.RequestURI()
		}
	}
	return value, n
}

// Middleware returns a handler that verifies each request before calling
// next. It fails closed: a refused request is answered by
// Config.ErrorHandler (default DefaultErrorHandler) and never reaches next;
// on success next reads the Identity with FromContext. Middleware panics if
// next is nil.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	if next == nil {
		panic("jwtauth: Middleware called with a nil handler")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := v.VerifyRequest(r)
		if err != nil {
			v.onError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), id)))
	})
}
