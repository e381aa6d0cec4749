package jwtauth

import "net/http"

// RequireRole returns middleware for routes behind [Verifier.Middleware]
// (or OptionalMiddleware) that need at least the org role min, in the
// order Viewer < Editor < Admin (see [claims.Role.AtLeast]). The Identity's
// Role must be at least min; IsGrafanaAdmin true counts as Admin. A request
// with a lower role, or none, is refused with ErrInsufficientScope (403,
// WWW-Authenticate: Bearer error="insufficient_scope"); a request with no
// Identity in its context (Middleware did not run, or OptionalMiddleware
// let an anonymous request through) is refused with ErrNoToken (401).
// Refusals go through Config.ErrorHandler and count in Stats().Refused.
//
// RequireRole panics if min is not Viewer, Editor or Admin, and the
// returned function panics if next is nil: both are programming errors
// caught at start-up.
func (v *Verifier) RequireRole(min Role) func(http.Handler) http.Handler {
	if min != RoleViewer && min != RoleEditor && min != RoleAdmin {
		panic("jwtauth: RequireRole: min must be Viewer, Editor or Admin, not " + quote(string(min)))
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("jwtauth: RequireRole called with a nil handler")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, ok := FromContext(r.Context())
			if !ok {
				v.deny(w, r, nil, fail(ErrNoToken, "", "no Identity in the request context"))
				return
			}
			role := id.Role
			if id.IsGrafanaAdmin != nil && *id.IsGrafanaAdmin {
				role = RoleAdmin
			}
			if !role.AtLeast(min) {
				v.deny(w, r, id, fail(ErrInsufficientScope, "", "role "+quote(string(id.Role))+" is below "+string(min)))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// deny refuses a request after verification (an authorization check) of
// id (nil when the context holds none): counted and logged as a refusal
// (not of the issuer's tokens: the token was accepted), and answered by
// the ErrorHandler of id's issuer (see NewMulti). With DPoP on, the error
// goes on the challenge of the scheme the request used.
func (v *Verifier) deny(w http.ResponseWriter, r *http.Request, id *Identity, err error) {
	var is *issuer
	if id != nil && v.multi {
		is = v.byIssuer[id.Issuer]
	}
	v.refuse(r.Context(), nil, err)
	v.errorHandler(is)(w, r, v.withChallenge(v.sc.annotate(err, v.dpopScheme(r))))
}
