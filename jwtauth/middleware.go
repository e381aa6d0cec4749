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
// there). Otherwise the token is taken from, in order, and without
// falling back once a source is present:
//   - the HeaderName header (default Authorization): one "Bearer " prefix
//     is removed, its scheme matched case-insensitively (RFC 9110 §11.1),
//     and a bare token is accepted; a request with the header repeated is
//     refused with ErrMalformed;
//   - with URLLogin, the auth_token query parameter, which is then removed
//     from r.URL (and r.RequestURI) in place, whatever the outcome, so it
//     cannot leak into upstream requests or logs; a request with it
//     repeated is refused with ErrMalformed. An auth_token joined to
//     another pair by ';' (a=1;auth_token=...), which net/url ignores but
//     other parsers split, is removed too, and refused with ErrMalformed
//     when the query is the token source, since parsers disagree on it;
//   - with CookieName, that cookie; a request carrying it more than once
//     (in one Cookie header or several) is refused with ErrMalformed, since
//     which copy comes first depends on the cookies' paths, which a sibling
//     domain can set (RFC 6265 §4.2.2, §8.6).
//
// Without any of them the error is ErrNoToken.
func (v *Verifier) VerifyRequest(r *http.Request) (*Identity, error) {
	id, _, err := v.verifyRequest(r, false)
	return id, err
}

func (v *Verifier) extract(r *http.Request) (string, error) {
	// With URLLogin, auth_token leaves the URL whatever the token source,
	// so a second token in the query never reaches next or its logs.
	var query string
	var nQuery int
	var semi bool
	if v.urlLogin && r.URL != nil && r.URL.RawQuery != "" {
		query, nQuery, semi = stripQueryParam(r, "auth_token")
	}
	if vals := r.Header[v.headerName]; len(vals) > 0 {
		if len(vals) > 1 {
			return "", fail(ErrMalformed, "", "the "+v.headerName+" header is repeated")
		}
		if h := vals[0]; h != "" {
			return v.headerToken(h)
		}
	}
	switch {
	case semi:
		return "", fail(ErrMalformed, "", "auth_token is joined to another query parameter by ';'")
	case nQuery > 1:
		return "", fail(ErrMalformed, "", "auth_token is repeated")
	case nQuery == 1 && query != "":
		return stripBearer(query), nil
	}
	if v.cookie != "" {
		switch cs := r.CookiesNamed(v.cookie); {
		case len(cs) > 1:
			return "", fail(ErrMalformed, "", "the "+v.cookie+" cookie is repeated")
		case len(cs) == 1 && cs[0].Value != "":
			return cs[0].Value, nil
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
// of the first one and how many there were. A name=... piece joined to
// others by ';' within one '&'-separated pair is removed as well, keeping
// the rest of that pair; semi reports that there was one.
func stripQueryParam(r *http.Request, name string) (value string, n int, semi bool) {
	raw := r.URL.RawQuery
	var kept []string
	for part := range strings.SplitSeq(raw, "&") {
		if strings.Contains(part, ";") {
			var rest []string
			for piece := range strings.SplitSeq(part, ";") {
				if isParam(piece, name) {
					semi = true
					continue
				}
				rest = append(rest, piece)
			}
			if len(rest) > 0 {
				kept = append(kept, strings.Join(rest, ";"))
			}
			continue
		}
		if isParam(part, name) {
			if n == 0 {
				_, val, _ := strings.Cut(part, "=")
				if uv, err := url.QueryUnescape(val); err == nil {
					value = uv
				}
			}
			n++
			continue
		}
		kept = append(kept, part)
	}
	if n > 0 || semi {
		r.URL.RawQuery = strings.Join(kept, "&")
		if r.RequestURI != "" {
			r.RequestURI = r.URL.RequestURI()
		}
	}
	return value, n, semi
}

// isParam reports whether the query pair "k=v" (or "k") names name, after
// unescaping.
func isParam(pair, name string) bool {
	k, _, _ := strings.Cut(pair, "=")
	uk, err := url.QueryUnescape(k)
	return err == nil && uk == name
}

// Middleware returns a handler that verifies each request before calling
// next. It fails closed: a refused request is answered by
// Config.ErrorHandler (default DefaultErrorHandler; see NewMulti for
// several issuers) and never reaches next; on success next reads the
// Identity with FromContext. Middleware panics if next is nil.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	if next == nil {
		panic("jwtauth: Middleware called with a nil handler")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, is, err := v.verifyRequest(r, false)
		if err != nil {
			v.errorHandler(is)(w, r, err)
			return
		}
		v.setNonce(w, r)
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), id)))
	})
}
