// Package claims validates registered JWT claims (exp, nbf, iat, iss, sub,
// aud), checks Grafana-style expect_claims, and evaluates JMESPath attribute
// paths. It also defines [Role], the Grafana org role that package jwtauth's
// identity mapping produces.
//
// It works on claim sets decoded from a token's JSON payload: numbers are
// float64, arrays []any and objects map[string]any. The package does no I/O
// and verifies no signatures; package jwtauth calls it after a token's
// signature has been checked.
//
//	expected, err := claims.ParseExpected(expectClaims) // once, at start-up
//	v := &claims.Validator{Expected: expected}          // leeway 60s
//	role, err := claims.CompilePath("contains(groups[*], 'admin') && 'Admin' || 'Viewer'")
//	...
//	if err := v.Validate(c); err != nil { ... } // per token
//	r, err := role.String(c)
//
// Every failure of [Validator.Validate], [Path.String] and [Path.Strings]
// is an *[Error] wrapping exactly one of the Err* sentinels; [ParseExpected]
// and [CompilePath] return plain configuration errors. Error details quote
// and truncate token-derived text and never contain a token.
//
// Attribute paths use github.com/jmespath/go-jmespath, the engine of older
// Grafana releases. Current Grafana uses jmespath-community/go-jmespath,
// which has more functions (lower, split, let-expressions, …); expressions
// that need them are rejected by [CompilePath].
package claims
