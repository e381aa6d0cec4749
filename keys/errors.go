package keys

import "errors"

var (
	// ErrUnknownKey reports that no key in the set has the token's kid.
	ErrUnknownKey = errors.New("keys: no key matches kid")

	// ErrInvalidKey reports key material that cannot be used for
	// verification: a private key, an unsupported type or curve, an RSA
	// modulus below 2048 or above 4096 bits, an RSA exponent outside
	// [3, 2^31), a point not on its curve, or a JWKS with no usable key at
	// all.
	ErrInvalidKey = errors.New("keys: invalid key")

	// ErrAlgorithm reports that keys with the token's kid exist but none of
	// them can verify the token's algorithm (for example an HS256 token
	// naming an RSA key). jwtauth reports it as jwtauth.ErrAlgorithm.
	ErrAlgorithm = errors.New("keys: no key with this kid can verify the algorithm")
)
