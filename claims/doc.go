// Package claims validates registered JWT claims (exp, nbf, iat, iss, sub,
// aud), checks Grafana-style expect_claims, evaluates JMESPath attribute
// paths, and maps a verified claim set to an identity (login, email, role,
// groups and org roles) the way Grafana's [auth.jwt] does.
package claims
