package jwtauth

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// scopesOf reads the granted scopes of a verified claims set: "scope"
// (RFC 9068 §2.2.3, RFC 8693 §4.2: space-delimited) when present, else
// "scp" (the claim Okta and Microsoft Entra use). Either may be a string
// of space-separated scopes or an array of strings, one scope each. A
// claim of any other type (null included) is ErrMalformed, even when the
// other claim is used. nil when neither claim is present.
func scopesOf(c map[string]any) ([]string, error) {
	scope, hasScope, err := scopeClaim(c, "scope")
	if err != nil {
		return nil, err
	}
	scp, hasScp, err := scopeClaim(c, "scp")
	if err != nil {
		return nil, err
	}
	switch {
	case hasScope:
		return scope, nil
	case hasScp:
		return scp, nil
	}
	return nil, nil
}

// scopeClaim parses one scope claim; present reports whether c has it.
// A present claim gives a non-nil slice, empty when it names no scope.
func scopeClaim(c map[string]any, name string) (scopes []string, present bool, err error) {
	raw, present := c[name]
	if !present {
		return nil, false, nil
	}
	switch x := raw.(type) {
	case string:
		// One allocation: at most one scope more than there are spaces.
		scopes = make([]string, 0, strings.Count(x, " ")+1)
		for s := range strings.SplitSeq(x, " ") {
			if s != "" {
				scopes = append(scopes, s)
			}
		}
		return scopes, true, nil
	case []any:
		scopes = make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, true, fail(ErrMalformed, name, name+" is an array holding a non-string")
			}
			scopes = append(scopes, s)
		}
		return scopes, true, nil
	}
	return nil, true, fail(ErrMalformed, name, name+" is neither a string nor an array of strings")
}

// validScope reports whether s is an RFC 6749 §3.3 scope-token: one or
// more of %x21 / %x23-5B / %x5D-7E (no space, '"' or '\').
func validScope(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// RequireScope returns middleware, to run after [Verifier.Middleware] (or
// OptionalMiddleware), that lets a request through only when its
// [Identity] was granted every one of scopes (Identity.Scopes, compared
// exactly and case-sensitively). A request lacking one is refused with
// ErrInsufficientScope through Config.ErrorHandler: by default 403 with
//
//	WWW-Authenticate: Bearer error="insufficient_scope", scope="<scopes>"
//
// listing all of scopes, space-separated, in the order given (RFC 6750
// §3.1), plus resource_metadata when ResourceMetadataURL is set. A request
// without an Identity in its context (Middleware did not run before it,
// or OptionalMiddleware let an anonymous request through) is refused with
// ErrNoToken (401). Refusals count in Stats().Refused and are logged like
// those of Verify.
//
// RequireScope panics when scopes is empty or holds a value that is not
// an RFC 6749 §3.3 scope-token (empty, or with a space, '"', '\' or a
// non-ASCII or control byte), and the returned function panics if next
// is nil. The middleware is safe for concurrent use.
func (v *Verifier) RequireScope(scopes ...string) func(http.Handler) http.Handler {
	if len(scopes) == 0 {
		panic("jwtauth: RequireScope needs at least one scope")
	}
	for _, s := range scopes {
		if !validScope(s) {
			panic(fmt.Sprintf("jwtauth: RequireScope: %q is not a valid scope (RFC 6749 §3.3)", s))
		}
	}
	need := slices.Clone(scopes)
	joined := strings.Join(need, " ")
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("jwtauth: RequireScope middleware called with a nil handler")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, ok := FromContext(r.Context())
			if !ok {
				v.deny(w, r, nil, fail(ErrNoToken, "", "no verified identity in the request context: RequireScope runs after Middleware"))
				return
			}
			for _, s := range need {
				if !slices.Contains(id.Scopes, s) {
					v.deny(w, r, id, &ValidationError{Reason: ErrInsufficientScope, Claim: "scope", Detail: "scope " + quote(s) + " not granted", scope: joined})
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}
