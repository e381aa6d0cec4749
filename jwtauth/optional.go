package jwtauth

import "net/http"

// OptionalMiddleware is [Verifier.Middleware] for routes that also serve
// anonymous visitors. A request that carries no token at all reaches next
// with no Identity in its context (FromContext reports false); it is
// counted in Stats().Anonymous, not as a refusal, and is neither logged
// nor reported to Config.OnVerify. A request whose token fails, including
// a malformed or repeated Authorization header, is refused exactly as
// Middleware refuses it: it is never downgraded to anonymous. On success
// next reads the Identity with FromContext. OptionalMiddleware panics if
// next is nil.
func (v *Verifier) OptionalMiddleware(next http.Handler) http.Handler {
	if next == nil {
		panic("jwtauth: OptionalMiddleware called with a nil handler")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, is, err := v.verifyRequest(r, true)
		if err != nil {
			v.errorHandler(is)(w, r, err)
			return
		}
		if id != nil {
			v.setNonce(w, r)
			r = r.WithContext(NewContext(r.Context(), id))
		}
		next.ServeHTTP(w, r)
	})
}
