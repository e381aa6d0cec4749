package jwtauth

import (
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/claims"
	"github.com/jwtgate/jwtgate/internal/algs"
	"github.com/jwtgate/jwtgate/internal/mapper"
	"github.com/jwtgate/jwtgate/internal/smallfile"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/keys"
)

const defaultTokenCacheSize = 4096

func configErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}

// New validates cfg, loads static keys, compiles every JMESPath expression
// and returns a Verifier. It does no network I/O: a remote key set is
// fetched on first use. New copies cfg's slices and maps.
//
// Every error wraps [ErrInvalidConfig] and names the offending field. For a
// Config that [LoadINI] or [ParseINI] returned, and whose ini-settable
// fields were not changed since, it names the ini key, the section and the
// line (or environment variable) instead, as the loader's errors do.
func New(cfg Config) (*Verifier, error) {
	return newVerifier([]Config{cfg}, false)
}

// NewMulti returns one Verifier over several issuers. Each config must pin
// its issuer, with OIDCIssuerURL or ExpectClaims["iss"], and the issuers
// must differ. A token is routed by its (unverified) "iss" claim to the
// issuer with that name, which then checks everything as if it were alone;
// a token whose iss names no configured issuer is refused with
// [ErrClaimMismatch] before any key lookup or network I/O.
//
// Fields that belong to one issuer may differ from config to config; a
// later config that leaves one of them zero gets config 0's:
//   - Now is the clock of that issuer's token times and key cache;
//   - Logger receives that issuer's key-fetch and mapping events and the
//     refusals of tokens routed to it (refusals before routing, such as a
//     missing token or an unknown iss, go to config 0's Logger);
//   - ErrorHandler answers, in Middleware, the refusals of tokens routed to
//     that issuer (refusals before routing go to config 0's);
//   - OnVerify receives the events of tokens routed to that issuer (events
//     before routing go to config 0's).
//
// HeaderName, URLLogin, CookieName, TokenExtractor and TokenCacheSize
// decide how a request is read before any issuer is known, and
// ResourceMetadataURL is the resource's own, so they are shared: a later
// config must leave them zero or give the same value, compared as New
// would use it (HeaderName case-insensitively,
// TokenCacheSize after its default), and ErrInvalidConfig otherwise. A
// function cannot be compared, so a later TokenExtractor is accepted only
// when config 0 sets one too, and config 0's is used. Errors name the
// config index ("config 1"), or its section ("[auth.jwt.k8s]") for a
// Config from [LoadINIAll] or [ParseINIAll].
func NewMulti(cfgs ...Config) (*Verifier, error) {
	if len(cfgs) == 0 {
		return nil, configErr("NewMulti needs at least one Config")
	}
	return newVerifier(cfgs, true)
}

func newVerifier(cfgs []Config, multi bool) (_ *Verifier, err error) {
	first := cfgs[0]
	v := &Verifier{
		urlLogin:   first.URLLogin,
		cookie:     first.CookieName,
		onError:    first.ErrorHandler,
		log:        first.Logger,
		now:        first.Now,
		multi:      multi,
		byIssuer:   map[string]*issuer{},
		headerName: first.HeaderName,
		extractor:  first.TokenExtractor,
		onVerify:   first.OnVerify,
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.onError == nil {
		v.onError = DefaultErrorHandler
	}
	if v.headerName == "" {
		v.headerName = "Authorization"
	}
	errs0 := errorsFor(first, multi, 0)
	if !validToken(v.headerName) {
		return nil, errs0.field("HeaderName", "%q is not a valid header name", first.HeaderName)
	}
	v.headerName = http.CanonicalHeaderKey(v.headerName)
	v.noTokenDetail = "no " + v.headerName + " header"
	if v.urlLogin {
		v.noTokenDetail += ", no auth_token parameter"
	}
	if first.CookieName != "" {
		v.noTokenDetail += ", no " + first.CookieName + " cookie"
	}
	if v.cookie != "" && !validToken(v.cookie) {
		return nil, errs0.field("CookieName", "%q is not a valid cookie name", v.cookie)
	}
	defer func() {
		if err != nil {
			_ = v.Close()
		}
	}()
	errs := make([]configErrors, len(cfgs))
	for i, cfg := range cfgs {
		errs[i] = errorsFor(cfg, multi, i)
	}
	if err := checkChallengeConfig(cfgs, errs); err != nil {
		return nil, err
	}
	v.rs = resourceInfoOf(cfgs)
	for i, cfg := range cfgs {
		errs := errs[i]
		if multi && i > 0 {
			if err := sameShared(first, cfg); err != nil {
				return nil, errs.whole("%v", err)
			}
		}
		now, log := v.now, v.log
		if cfg.Now != nil {
			now = cfg.Now
		}
		if cfg.Logger != nil {
			log = cfg.Logger
		}
		is, err := newIssuer(cfg, now, log, errs)
		if err != nil {
			return nil, err
		}
		is.log, is.onError, is.onVerify = log, v.onError, v.onVerify
		if cfg.ErrorHandler != nil {
			is.onError = cfg.ErrorHandler
		}
		if cfg.OnVerify != nil {
			is.onVerify = cfg.OnVerify
			v.hooked = true
		}
		v.issuers = append(v.issuers, is)
		if multi {
			if is.iss == "" {
				return nil, errs.whole("no pinned issuer: set %s or %s[\"iss\"]", errs.name("OIDCIssuerURL"), errs.name("ExpectClaims"))
			}
			if _, dup := v.byIssuer[is.iss]; dup {
				return nil, errs.whole("issuer %q is configured twice", is.iss)
			}
			v.byIssuer[is.iss] = is
		}
	}
	if v.sc, err = newSender(cfgs, v.now, errs); err != nil {
		return nil, err
	}
	v.ch = buildChallenge(first, v.sc)
	if size := cacheSize(first.TokenCacheSize); size > 0 {
		v.cache = newTokenCache(size)
	}
	return v, nil
}

// sameShared checks that a later NewMulti config leaves the fields read
// before routing zero or equal, as New would use them, to the first
// config's.
func sameShared(first, c Config) error {
	switch {
	case c.HeaderName != "" && http.CanonicalHeaderKey(c.HeaderName) != http.CanonicalHeaderKey(cmp.Or(first.HeaderName, "Authorization")):
		return errors.New("HeaderName differs from config 0")
	case c.URLLogin && !first.URLLogin:
		return errors.New("URLLogin differs from config 0")
	case c.CookieName != "" && c.CookieName != first.CookieName:
		return errors.New("CookieName differs from config 0")
	case c.TokenCacheSize != 0 && cacheSize(c.TokenCacheSize) != cacheSize(first.TokenCacheSize):
		return errors.New("TokenCacheSize differs from config 0")
	case c.TokenExtractor != nil && first.TokenExtractor == nil:
		return errors.New("TokenExtractor is set but config 0 has none")
	}
	return nil
}

// cacheSize is the number of entries TokenCacheSize n gives; 0 is off.
func cacheSize(n int) int {
	switch {
	case n == 0:
		return defaultTokenCacheSize
	case n < 0:
		return 0
	}
	return n
}

// validToken reports whether s is a non-empty RFC 9110 token (header field
// names and cookie names).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// newIssuer builds one issuer of a Verifier from cfg; errs names cfg's
// fields in its errors.
func newIssuer(cfg Config, now func() time.Time, log *slog.Logger, errs configErrors) (_ *issuer, err error) {
	is := &issuer{signUp: cfg.AutoSignUp}
	if is.allowed, err = allowedAlgorithms(cfg.Algorithms, errs); err != nil {
		return nil, err
	}
	if is.types, err = newTokenTypes(cfg.TokenTypes, errs); err != nil {
		return nil, err
	}
	exp, err := claims.ParseExpected(cfg.ExpectClaims)
	if err != nil {
		return nil, errs.field("ExpectClaims", "%v", err)
	}
	if cfg.OIDCIssuerURL != "" && exp.Issuer == "" {
		exp.Issuer = cfg.OIDCIssuerURL
	}
	is.iss = exp.Issuer
	// The Validator reads Leeway as Config does: 0 is 60s, negative none.
	is.validator = claims.Validator{Expected: exp, Leeway: cfg.Leeway, RequireExp: cfg.RequireExp, Now: now}
	if is.mapper, err = newMapper(cfg, log); err != nil {
		return nil, errs.whole("%w", err)
	}
	if is.sourceName, err = keySource(cfg, errs); err != nil {
		return nil, err
	}
	if err := is.loadKeys(cfg, now, log, errs); err != nil {
		return nil, err
	}
	return is, nil
}

// allowedAlgorithms returns the bit set (bit i for algs.Name(i)) of the
// algorithms names (nil for all) allows.
func allowedAlgorithms(names []string, errs configErrors) (uint32, error) {
	if names == nil {
		names = algs.Names()
	} else if len(names) == 0 {
		return 0, errs.field("Algorithms", "empty; leave it nil for the default list")
	}
	var allowed uint32
	for _, a := range names {
		if strings.EqualFold(a, "none") {
			return 0, errs.field("Algorithms", "%q is never allowed", a)
		}
		i := algs.Index(a)
		if i < 0 {
			return 0, errs.field("Algorithms", "unknown algorithm %q (known: %s)", a, strings.Join(algs.Names(), ", "))
		}
		allowed |= 1 << i
	}
	return allowed, nil
}

// newMapper compiles the identity mapping of cfg.
func newMapper(cfg Config, log *slog.Logger) (*mapper.Mapper, error) {
	return mapper.New(mapper.Config{
		UsernameClaim:           cfg.UsernameClaim,
		EmailClaim:              cfg.EmailClaim,
		UsernameAttributePath:   cfg.UsernameAttributePath,
		EmailAttributePath:      cfg.EmailAttributePath,
		RoleAttributePath:       cfg.RoleAttributePath,
		GroupsAttributePath:     cfg.GroupsAttributePath,
		OrgAttributePath:        cfg.OrgAttributePath,
		RoleAttributeStrict:     cfg.RoleAttributeStrict,
		AllowAssignGrafanaAdmin: cfg.AllowAssignGrafanaAdmin,
		SkipOrgRoleSync:         cfg.SkipOrgRoleSync,
		OrgMapping:              slices.Clone(cfg.OrgMapping),
		AutoAssignOrgRole:       cfg.AutoAssignOrgRole,
		DefaultOrg:              cfg.DefaultOrg,
		Logger:                  log,
	})
}

// keySource returns the name of the one key source field cfg sets, and
// checks that the fields which apply only to a remote source are unset
// otherwise.
func keySource(cfg Config, errs configErrors) (string, error) {
	var set []string
	for _, f := range []struct {
		name string
		on   bool
	}{
		{"KeyFile", cfg.KeyFile != ""},
		{"KeyValue", cfg.KeyValue != ""},
		{"JWKSetFile", cfg.JWKSetFile != ""},
		{"JWKSetValue", cfg.JWKSetValue != ""},
		{"JWKSetURL", cfg.JWKSetURL != ""},
		{"OIDCIssuerURL", cfg.OIDCIssuerURL != ""},
		{"Keys", cfg.Keys != nil},
	} {
		if f.on {
			set = append(set, f.name)
		}
	}
	switch len(set) {
	case 0:
		return "", errs.whole("no key source: set one of %s, %s, %s, %s, %s, %s or Keys", errs.names("KeyFile", "KeyValue", "JWKSetFile", "JWKSetValue", "JWKSetURL", "OIDCIssuerURL")...)
	case 1:
	default:
		names := make([]string, len(set))
		for i, f := range set {
			names[i] = errs.name(f)
		}
		return "", errs.at(set[len(set)-1], "several key sources (%s): set only one", strings.Join(names, ", "))
	}
	source := set[0]
	if cfg.KeyID != "" && cfg.KeyFile == "" && cfg.KeyValue == "" {
		return "", errs.field("KeyID", "used only with %s or %s; a JWKS carries its own kids", errs.name("KeyFile"), errs.name("KeyValue"))
	}
	if source == "JWKSetURL" || source == "OIDCIssuerURL" {
		return source, nil
	}
	for _, f := range []struct {
		name string
		on   bool
	}{
		{"JWKSetBearerTokenFile", cfg.JWKSetBearerTokenFile != ""},
		{"TLSClientCA", cfg.TLSClientCA != ""},
		{"TLSClientCert", cfg.TLSClientCert != ""},
		{"TLSClientKey", cfg.TLSClientKey != ""},
		{"TLSSkipVerifyInsecure", cfg.TLSSkipVerifyInsecure},
		{"InsecureAllowHTTP", cfg.InsecureAllowHTTP},
		{"HTTPClient", cfg.HTTPClient != nil},
	} {
		if f.on {
			return "", errs.field(f.name, "applies only to %s or %s, not to %s", errs.name("JWKSetURL"), errs.name("OIDCIssuerURL"), errs.name(source))
		}
	}
	return source, nil
}

// loadKeys reads the static key source of cfg, or sets up the remote one.
func (is *issuer) loadKeys(cfg Config, now func() time.Time, log *slog.Logger, errs configErrors) (err error) {
	switch is.sourceName {
	case "KeyFile":
		data, err := smallfile.Read(cfg.KeyFile)
		if err != nil {
			return errs.field("KeyFile", "%v", err)
		}
		if is.static, err = keys.ParsePEM(data, cfg.KeyID); err != nil {
			return errs.field("KeyFile", "%s: %w", cfg.KeyFile, err)
		}
	case "KeyValue":
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cfg.KeyValue))
		if err != nil {
			return errs.field("KeyValue", "not standard base64 (it holds the PEM text, base64-encoded): %v", err)
		}
		if is.static, err = keys.ParsePEM(data, cfg.KeyID); err != nil {
			return errs.field("KeyValue", "%w", err)
		}
	case "JWKSetFile":
		data, err := smallfile.Read(cfg.JWKSetFile)
		if err != nil {
			return errs.field("JWKSetFile", "%v", err)
		}
		if is.static, err = keys.ParseJWKS(data); err != nil {
			return errs.field("JWKSetFile", "%s: %w", cfg.JWKSetFile, err)
		}
	case "JWKSetValue":
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cfg.JWKSetValue))
		if err != nil {
			return errs.field("JWKSetValue", "not standard base64 (it holds the JWKS JSON, base64-encoded): %v", err)
		}
		if is.static, err = keys.ParseJWKS(data); err != nil {
			return errs.field("JWKSetValue", "%w", err)
		}
	case "Keys":
		is.source = cfg.Keys
		return nil
	default:
		r, err := jwks.NewRemote(jwks.Options{
			URL:                   cfg.JWKSetURL,
			Issuer:                cfg.OIDCIssuerURL,
			HTTPClient:            cfg.HTTPClient,
			CacheTTL:              cfg.CacheTTL,
			BearerTokenFile:       cfg.JWKSetBearerTokenFile,
			MinRefreshInterval:    cfg.MinRefreshInterval,
			MaxStale:              cfg.MaxStale,
			Now:                   now,
			Logger:                log,
			TLSClientCA:           cfg.TLSClientCA,
			TLSClientCert:         cfg.TLSClientCert,
			TLSClientKey:          cfg.TLSClientKey,
			TLSSkipVerifyInsecure: cfg.TLSSkipVerifyInsecure,
			InsecureAllowHTTP:     cfg.InsecureAllowHTTP,
		})
		if err != nil {
			return remoteConfigErr(err, errs)
		}
		is.remote, is.source = r, r
		return nil
	}
	is.source = is.static
	if w := is.static.Warnings(); len(w) > 0 {
		log.Info("jwt: keys loaded leniently", "source", is.sourceName, "warnings", w)
	}
	return nil
}

// remoteConfigErr reports an error of jwks.NewRemote against the Config
// field behind the jwks.Options field it names, or against the Config as
// a whole when it names none.
func remoteConfigErr(err error, errs configErrors) error {
	var named interface {
		error
		Option() string
	}
	if !errors.As(err, &named) {
		return errs.whole("%w", err)
	}
	field := named.Option()
	switch field {
	case "URL":
		field = "JWKSetURL"
	case "Issuer":
		field = "OIDCIssuerURL"
	case "BearerTokenFile":
		field = "JWKSetBearerTokenFile"
	}
	return errs.field(field, "%w", errors.Unwrap(named))
}
