// Package jwtauth authenticates HTTP requests by a JSON Web Token the way
// Grafana's [auth.jwt] does, configured by the same keys, and goes further
// where Grafana falls short: remote key sets that survive rotation and
// outages, several issuers behind one middleware, a verified-token cache,
// strict standards checks and a fail-closed middleware.
//
// Build a [Verifier] from a [Config] with [New] (or from a grafana.ini with
// [LoadINI]), then wrap a handler:
//
//	v, err := jwtauth.New(jwtauth.Config{
//		JWKSetURL:     "https://idp.example.com/realms/acme/protocol/openid-connect/certs",
//		ExpectClaims:  map[string]any{"iss": "https://idp.example.com/realms/acme", "aud": "grafana"},
//		UsernameClaim: "preferred_username",
//		EmailClaim:    "email",
//	})
//	if err != nil { ... }
//	defer v.Close()
//	http.Handle("/", v.Middleware(app))
//
// The handler reads the verified identity with [FromContext]. A refused
// request never reaches it: [DefaultErrorHandler] (or Config.ErrorHandler)
// answers with 401, 403, 400 or 503 and a small JSON body that never echoes
// the token or the error text. Every failure satisfies errors.Is with
// exactly one sentinel (ErrExpired, ErrSignature, ...) and errors.As with
// [*ValidationError].
//
// A Verifier is safe for concurrent use by multiple goroutines.
package jwtauth
