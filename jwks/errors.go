package jwks

import (
	"errors"
	"time"
)

// ErrUnavailable reports that the key set cannot be fetched and no usable
// cached copy exists. jwtauth re-exports it as ErrKeysUnavailable (503).
//
// Errors wrapping it also wrap the cause (a network error, a
// *fetch.StatusError, a parse error, or the caller's ctx.Err()), and usually
// carry a retry hint that [RetryAfter] reads.
var ErrUnavailable = errors.New("jwks: keys unavailable")

// errClosed is the cause reported once Close has run and a fetch is needed.
var errClosed = errors.New("jwks: remote closed")

// unavailableError is ErrUnavailable with its cause and a retry hint.
type unavailableError struct {
	cause      error
	retryAfter time.Duration // 0: no hint
}

func (e *unavailableError) Error() string {
	return ErrUnavailable.Error() + ": " + e.cause.Error()
}

func (e *unavailableError) Unwrap() []error { return []error{ErrUnavailable, e.cause} }

// RetryAfter returns the hint (0: none), so that callers can find it with
// errors.As on interface{ RetryAfter() time.Duration } as well as through
// the package-level [RetryAfter].
func (e *unavailableError) RetryAfter() time.Duration {
	d, _ := RetryAfter(e)
	return d
}

func unavailable(cause error, retryAfter time.Duration) error {
	return &unavailableError{cause: cause, retryAfter: max(retryAfter, 0)}
}

// RetryAfter returns how long a caller should wait before the keys may be
// available again, for a Retry-After header: the time until the next fetch
// that [Remote] will allow, rounded up to a whole second (at least 1 s).
// It reports false when err carries no such hint (err is nil, is not an
// [ErrUnavailable] error from this package, or came from a cancelled ctx).
func RetryAfter(err error) (time.Duration, bool) {
	var ue *unavailableError
	if !errors.As(err, &ue) || ue.retryAfter <= 0 {
		return 0, false
	}
	return (ue.retryAfter + time.Second - 1).Truncate(time.Second), true
}
