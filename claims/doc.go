// Package claims validates registered JWT claims (exp, nbf, iat, iss, sub,
// aud), checks Grafana-style expect_claims, evaluates JMESPath attribute
// paths, and maps a verified claim set to an identity (login, email, role,
// groups and org roles) the way Grafana's [auth.jwt] does.
//
// It works on claim sets decoded from a token's JSON payload: numbers are
// float64, arrays []any and objects map[string]any. The package does no I/O
// and verifies no signatures; package jwtauth calls it after a token's
// signature has been checked.
//
//	expected, err := claims.ParseExpected(expectClaims) // once, at start-up
//	v := &claims.Validator{Expected: expected}          // leeway 60s
//	m, err := claims.NewMapper(claims.MapperConfig{
//		UsernameClaim:     "preferred_username",
//		RoleAttributePath: "contains(groups[*], 'admin') && 'Admin' || 'Viewer'",
//	})
//	...
//	if err := v.Validate(c); err != nil { ... } // per token
//	id, err := m.Map(c)
//
// Every failure of [Validator.Validate], [Path.String], [Path.Strings] and
// [Mapper.Map] is an *[Error] wrapping exactly one of the Err* sentinels;
// [ParseExpected], [CompilePath] and [NewMapper] return plain configuration
// errors. Error details quote and truncate token-derived text and never
// contain a token.
//
// Attribute paths use github.com/jmespath/go-jmespath, the engine of older
// Grafana releases. Current Grafana uses jmespath-community/go-jmespath,
// which has more functions (lower, split, let-expressions, …); expressions
// that need them are rejected by [CompilePath].
package claims
