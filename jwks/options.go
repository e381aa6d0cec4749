package jwks

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by [NewRemote] to zero fields of [Options].
const (
	defaultCacheTTL           = 60 * time.Minute
	defaultMinRefreshInterval = 30 * time.Second
	defaultMaxStale           = time.Hour
	defaultMaxBodyBytes       = 1 << 20
	defaultMaxKeyIDs          = 1024
	defaultTimeout            = 10 * time.Second
)

// userAgent is the User-Agent header of every request a [Remote] sends.
const userAgent = "jwtgate (+https://github.com/jwtgate/jwtgate)"

// kidPlaceholder in Options.URL is replaced by the token's kid.
const kidPlaceholder = "{{kid}}"

// Options configures a [Remote]. The zero value of each field is its
// documented default. Exactly one of URL and Issuer must be set.
//
// [NewRemote] reports an invalid field with an error that names it
// ("jwks: URL: must be https ...", "jwks: BearerTokenFile: ...").
type Options struct {
	// URL is the JWKS URL (jwtauth: JWKSetURL, Grafana: jwk_set_url). It
	// must be an absolute https URL with a host, or http when
	// InsecureAllowHTTP is set; any other scheme fails NewRemote.
	//
	// A URL containing {{kid}} (AWS ALB style) fetches one key per kid:
	// {{kid}} is replaced by the token's kid, which must be 1 to 128 of
	// [A-Za-z0-9._-] and must not contain ".."; any other kid is answered
	// with keys.ErrUnknownKey without a request. The body may be a PEM
	// public key (given the kid) or a JWKS. {{kid}} may appear in the path
	// or query only, never in the host. Such a URL gets at most 8 requests
	// per MinRefreshInterval, whatever the tokens say (see the package doc).
	URL string
	// Issuer is an OpenID Connect issuer (jwtauth: OIDCIssuerURL). The key
	// set URL is the jwks_uri of <Issuer>/.well-known/openid-configuration,
	// whose "issuer" must equal Issuer exactly. Issuer and jwks_uri follow
	// the same scheme rule as URL. The document is re-read when a JWKS
	// fetch fails and when the set is refreshed after its TTL.
	Issuer string

	// HTTPClient sends the requests. nil means a client with a 10 s
	// overall timeout, TLS 1.2 or later, the TLS fields below, proxies from
	// the environment (HTTPS_PROXY, NO_PROXY), and redirects followed at
	// most 3 times and only to https (or http with InsecureAllowHTTP);
	// its connections are reused for 5 s after a fetch, then closed.
	// When set, the TLS fields must be empty; its Timeout (10 s when 0)
	// bounds each fetch, and the redirect rule above is added to its own
	// CheckRedirect (the client itself is not modified).
	HTTPClient *http.Client

	// CacheTTL is the longest a fetched set is used before it is fetched
	// again (jwtauth: CacheTTL, Grafana: cache_ttl). A smaller
	// Cache-Control max-age wins; the result is never below
	// MinRefreshInterval. 0 means 60m. Negative disables caching: every
	// KeysFor fetches, concurrent calls sharing one request, nothing is
	// fetched in the background (Grafana's cache_ttl = 0); when such a
	// fetch fails, the last good set is still served within MaxStale. The
	// {{kid}} URL bound applies all the same.
	CacheTTL time.Duration
	// MinRefreshInterval is the least time between two fetches that the
	// cache starts on its own: the TTL floor, so "max-age=0", "no-cache"
	// and "no-store" mean "refresh every MinRefreshInterval"; the rate
	// limit of refreshes caused by tokens (an unknown kid, or a signature
	// that fails with a known kid), which have a budget of their own; and
	// the window of the {{kid}} URL bound. 0 means 30s; negative fails
	// NewRemote.
	MinRefreshInterval time.Duration
	// MaxStale is how long past its expiry the last good set keeps being
	// served while fetches fail. 0 means 1h; negative means never.
	MaxStale time.Duration
	// MaxBodyBytes caps every response body; a longer body is a fetch
	// error and no more than MaxBodyBytes+1 bytes are read. 0 means 1 MiB;
	// negative fails NewRemote.
	MaxBodyBytes int64
	// MaxKeyIDs bounds the kids remembered per Remote: the per-kid cache of
	// a {{kid}} URL (kids found and kids the server does not have), and
	// the kids found unknown since the last refresh of a whole set. 0 means
	// 1024; negative fails NewRemote.
	MaxKeyIDs int

	// BearerTokenFile holds a token sent as "Authorization: Bearer <token>"
	// with every JWKS request (jwtauth: JWKSetBearerTokenFile). It is read
	// on every fetch and trimmed; "Bearer " is added unless present. It must
	// be readable and non-empty when NewRemote runs; later, an unreadable or
	// empty file fails the fetch. The token is never logged. With Issuer,
	// it is sent to the discovery document, and to the jwks_uri only when
	// that has the issuer's host. Go's client drops it on a redirect to
	// another host.
	BearerTokenFile string

	// TLSClientCA is a PEM CA bundle that replaces the system roots for
	// the default client (jwtauth: TLSClientCA). Unreadable, or without a
	// certificate, fails NewRemote.
	TLSClientCA string
	// TLSClientCert and TLSClientKey are a PEM client certificate and key
	// for mTLS. Both or neither; unloadable fails NewRemote.
	TLSClientCert string
	TLSClientKey  string
	// TLSSkipVerifyInsecure disables verification of the server's
	// certificate. Default false.
	TLSSkipVerifyInsecure bool
	// InsecureAllowHTTP allows http URLs (URL, Issuer, jwks_uri and
	// redirect targets). Default false.
	InsecureAllowHTTP bool

	// Now is the clock of every cache duration: TTL, refresh-ahead, rate
	// limits, backoff and MaxStale. nil means time.Now. Network timeouts
	// use the real clock.
	Now func() time.Time
	// Logger receives fetches (debug), failures (warn), key-set changes and
	// skipped keys (info). nil means no logging.
	Logger *slog.Logger
}

// errNegative is the cause for a negative count or duration.
var errNegative = errors.New("must not be negative")

// optionError reports an invalid Options field.
type optionError struct {
	field string // the Options field, e.g. "URL"
	err   error
}

func optionErr(field string, err error) error { return &optionError{field: field, err: err} }

func (e *optionError) Error() string { return "jwks: " + e.field + ": " + e.err.Error() }
func (e *optionError) Unwrap() error { return e.err }

// Option returns the name of the invalid Options field, so that a caller
// that fills Options from its own configuration can name its own field
// (see [NewRemote]).
func (e *optionError) Option() string { return e.field }

// settings are validated Options with defaults applied.
type settings struct {
	Options
	timeout   time.Duration
	noCache   bool
	template  bool // URL contains {{kid}}
	discovery string
}

func (o Options) validate() (*settings, error) {
	s := &settings{Options: o}
	switch {
	case o.URL == "" && o.Issuer == "":
		return nil, optionErr("URL", errors.New("a JWKS URL or an OIDC Issuer is required"))
	case o.URL != "" && o.Issuer != "":
		return nil, optionErr("Issuer", errors.New("cannot be combined with URL"))
	case o.URL != "":
		s.template = strings.Contains(o.URL, kidPlaceholder)
		probe := o.URL
		if s.template {
			probe = strings.ReplaceAll(o.URL, kidPlaceholder, "kid")
		}
		if _, err := checkURL(probe, o.InsecureAllowHTTP); err != nil {
			return nil, optionErr("URL", err)
		}
		if s.template && kidInAuthority(o.URL) {
			return nil, optionErr("URL", errors.New("{{kid}} may only appear in the path or query"))
		}
	default:
		u, err := checkURL(o.Issuer, o.InsecureAllowHTTP)
		if err != nil {
			return nil, optionErr("Issuer", err)
		}
		if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
			return nil, optionErr("Issuer", errors.New("must not have a query or fragment"))
		}
		s.discovery = strings.TrimSuffix(o.Issuer, "/") + "/.well-known/openid-configuration"
	}

	if o.CacheTTL == 0 {
		s.CacheTTL = defaultCacheTTL
	}
	s.noCache = s.CacheTTL < 0
	switch {
	case o.MinRefreshInterval < 0:
		return nil, optionErr("MinRefreshInterval", errNegative)
	case o.MinRefreshInterval == 0:
		s.MinRefreshInterval = defaultMinRefreshInterval
	}
	if o.MaxStale == 0 {
		s.MaxStale = defaultMaxStale
	}
	switch {
	case o.MaxBodyBytes < 0:
		return nil, optionErr("MaxBodyBytes", errNegative)
	case o.MaxBodyBytes == 0:
		s.MaxBodyBytes = defaultMaxBodyBytes
	}
	switch {
	case o.MaxKeyIDs < 0:
		return nil, optionErr("MaxKeyIDs", errNegative)
	case o.MaxKeyIDs == 0:
		s.MaxKeyIDs = defaultMaxKeyIDs
	}
	if o.BearerTokenFile != "" {
		if _, err := bearerToken(o.BearerTokenFile); err != nil {
			return nil, optionErr("BearerTokenFile", err)
		}
	}
	if o.HTTPClient != nil {
		var set []string
		for _, f := range []struct {
			name string
			on   bool
		}{
			{"TLSClientCA", o.TLSClientCA != ""},
			{"TLSClientCert", o.TLSClientCert != ""},
			{"TLSClientKey", o.TLSClientKey != ""},
			{"TLSSkipVerifyInsecure", o.TLSSkipVerifyInsecure},
		} {
			if f.on {
				set = append(set, f.name)
			}
		}
		if len(set) > 0 {
			return nil, optionErr("HTTPClient", fmt.Errorf("cannot be combined with %s (configure TLS on the client)", strings.Join(set, ", ")))
		}
		s.timeout = o.HTTPClient.Timeout
	}
	if s.timeout <= 0 {
		s.timeout = defaultTimeout
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// checkURL parses raw and applies the scheme and host rules.
func checkURL(raw string, allowHTTP bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the URL, which may hold a password.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	case u.Scheme == "http":
		return nil, errors.New(`must be https (http needs InsecureAllowHTTP)`)
	default:
		return nil, fmt.Errorf("must be https, not %q", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("must have a host")
	}
	return u, nil
}

// kidInAuthority reports whether {{kid}} appears before the path of the
// template, where it would let a token choose the host.
func kidInAuthority(template string) bool {
	rest := template
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	return strings.Contains(rest[:end], kidPlaceholder)
}
