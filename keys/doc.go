// Package keys parses verification keys (PEM and JSON Web Key Sets) and
// defines [Source], the interface every key source implements.
//
// Keys are parsed once, when a [Set] is built; looking a key up by kid and
// algorithm is a map read that does not allocate. A [Set] is immutable and
// safe for concurrent use.
//
// Only public keys are accepted: RSA (2048 to 4096 bits, with an odd
// exponent from 3 to 2^31-1, whatever the source), ECDSA on P-256,
// P-384 and P-521, Ed25519, and symmetric "oct" keys (from a JWKS only) for
// HS256, HS384 and HS512. A key is tried only for algorithms its type can
// verify, and, when its JWK carries "alg", only for that algorithm.
//
// [ParsePEM] reads Grafana's key_file / key_value (one public key, or a
// certificate whose dates and chain are not checked) and refuses any input
// that holds a private key. [ParseJWKS] reads a JWK Set and, as RFC 7517 §5
// recommends, skips each JWK it cannot use instead of failing the whole set;
// it checks the members of every JWK against RFC 7517 and RFC 7518 itself,
// more strictly than go-jose does, and reports what it skipped through
// [Set.Skipped]. Two formalities go-jose accepts (zero-padded RSA integers,
// key_ops ["sign"]) are tolerated on purpose and reported through
// [Set.Warnings]. [NewSet] applies the same key checks to keys built in
// code.
//
// Every parse failure wraps [ErrInvalidKey]; lookups fail with
// [ErrUnknownKey] or [ErrAlgorithm].
package keys
