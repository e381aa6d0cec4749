package jwks

// STUB: the jwks helper replaces this file with the real implementation and
// deletes it.

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/jwtgate/jwtgate/keys"
)

type Options struct {
	URL                string
	HTTPClient         *http.Client
	CacheTTL           time.Duration
	BearerTokenFile    string
	MinRefreshInterval time.Duration
	MaxStale           time.Duration
	MaxBodyBytes       int64
	Now                func() time.Time
	Logger             *slog.Logger

	TLSClientCA           string
	TLSClientCert         string
	TLSClientKey          string
	TLSSkipVerifyInsecure bool
	InsecureAllowHTTP     bool
	Issuer                string
}

type Remote struct{}

var errTODO = errors.New("jwks: not implemented")

func NewRemote(opts Options) (*Remote, error) { return nil, errTODO }
func (r *Remote) KeysFor(ctx context.Context, kid, alg string) ([]keys.Key, error) {
	return nil, errTODO
}
func (r *Remote) Refresh(ctx context.Context) error { return errTODO }
func (r *Remote) Close() error                      { return nil }

type Health struct {
	LastSuccess         time.Time
	SetAge              time.Duration
	ConsecutiveFailures int
	LastError           string
	KeyIDs              []string
	Skipped             []keys.Skipped
	Fetches             uint64
	FetchErrors         uint64
}

func (r *Remote) Health() Health { return Health{} }
