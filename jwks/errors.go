package jwks

import "errors"

// ErrUnavailable reports that the key set cannot be fetched and no usable
// cached copy exists. jwtauth re-exports it as ErrKeysUnavailable (503).
var ErrUnavailable = errors.New("jwks: keys unavailable")
