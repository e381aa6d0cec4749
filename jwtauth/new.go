package jwtauth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/claims"
	"github.com/jwtgate/jwtgate/internal/algs"
	"github.com/jwtgate/jwtgate/internal/mapper"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/keys"
)

const (
	defaultTokenCacheSize = 4096
	maxKeyFileBytes       = 1 << 20
)

func configErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}

// New validates cfg, loads static keys, compiles every JMESPath expression
// and returns a Verifier. It does no network I/O: a remote key set is
// fetched on first use. New copies cfg's slices and maps.
//
// Every error wraps [ErrInvalidConfig] and names the offending field.
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
// HeaderName, URLLogin, CookieName, TokenCacheSize, ErrorHandler, Logger
// and Now come from the first config; the others must leave them zero or
// set them identically (ErrInvalidConfig otherwise). Errors name the config
// index.
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
	if !validToken(v.headerName) {
		return nil, configErr("HeaderName %q is not a valid header name", first.HeaderName)
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
		return nil, configErr("CookieName %q is not a valid cookie name", v.cookie)
	}
	defer func() {
		if err != nil {
			_ = v.Close()
		}
	}()
	for i, cfg := range cfgs {
		where := ""
		if multi {
			where = fmt.Sprintf("config %d: ", i)
			if i > 0 {
				if err := sameShared(first, cfg); err != nil {
					return nil, configErr("%s%v", where, err)
				}
			}
		}
		is, err := newIssuer(cfg, v.now, v.log)
		if err != nil {
			return nil, fmt.Errorf("%s%w", where, err)
		}
		v.issuers = append(v.issuers, is)
		if multi {
			if is.iss == "" {
				return nil, configErr("%sno pinned issuer: set OIDCIssuerURL or ExpectClaims[\"iss\"]", where)
			}
			if _, dup := v.byIssuer[is.iss]; dup {
				return nil, configErr("%sissuer %q is configured twice", where, is.iss)
			}
			v.byIssuer[is.iss] = is
		}
	}
	size := first.TokenCacheSize
	if size == 0 {
		size = defaultTokenCacheSize
	}
	if size > 0 {
		v.cache = newTokenCache(size)
	}
	return v, nil
}

// sameShared checks that a later NewMulti config leaves the shared fields
// zero or equal to the first config's.
func sameShared(first, c Config) error {
	switch {
	case c.HeaderName != "" && c.HeaderName != first.HeaderName:
		return errors.New("HeaderName differs from config 0")
	case c.URLLogin && !first.URLLogin:
		return errors.New("URLLogin differs from config 0")
	case c.CookieName != "" && c.CookieName != first.CookieName:
		return errors.New("CookieName differs from config 0")
	case c.TokenCacheSize != 0 && c.TokenCacheSize != first.TokenCacheSize:
		return errors.New("TokenCacheSize differs from config 0")
	case c.ErrorHandler != nil:
		return errors.New("ErrorHandler must be set on config 0 only")
	case c.Logger != nil && c.Logger != first.Logger:
		return errors.New("Logger differs from config 0")
	case c.Now != nil:
		return errors.New("Now must be set on config 0 only")
	}
	return nil
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

func newIssuer(cfg Config, now func() time.Time, log *slog.Logger) (*issuer, error) {
	is := &issuer{signUp: cfg.AutoSignUp}

	// Algorithms.
	allowed := cfg.Algorithms
	if allowed == nil {
		allowed = algs.Names()
	} else if len(allowed) == 0 {
		return nil, configErr("Algorithms is empty; leave it nil for the default list")
	}
	for _, a := range allowed {
		if strings.EqualFold(a, "none") {
			return nil, configErr("Algorithms: %q is never allowed", a)
		}
		i := algs.Index(a)
		if i < 0 {
			return nil, configErr("Algorithms: unknown algorithm %q (known: %s)", a, strings.Join(algs.Names(), ", "))
		}
		is.allowed |= 1 << i
	}

	// Claims.
	exp, err := claims.ParseExpected(cfg.ExpectClaims)
	if err != nil {
		return nil, configErr("ExpectClaims: %v", err)
	}
	if cfg.OIDCIssuerURL != "" && exp.Issuer == "" {
		exp.Issuer = cfg.OIDCIssuerURL
	}
	is.iss = exp.Issuer
	// The Validator reads Leeway as Config does: 0 is 60s, negative none.
	is.validator = claims.Validator{Expected: exp, Leeway: cfg.Leeway, RequireExp: cfg.RequireExp, Now: now}

	// Identity mapping.
	is.mapper, err = mapper.New(mapper.Config{
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
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}

	// Key source: exactly one.
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
		return nil, configErr("no key source: set one of KeyFile, KeyValue, JWKSetFile, JWKSetValue, JWKSetURL, OIDCIssuerURL or Keys")
	case 1:
	default:
		return nil, configErr("several key sources (%s): set only one", strings.Join(set, ", "))
	}
	is.sourceName = set[0]
	if cfg.KeyID != "" && cfg.KeyFile == "" && cfg.KeyValue == "" {
		return nil, configErr("KeyID is used only with KeyFile or KeyValue; a JWKS carries its own kids")
	}
	remote := is.sourceName == "JWKSetURL" || is.sourceName == "OIDCIssuerURL"
	if !remote {
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
				return nil, configErr("%s applies only to JWKSetURL or OIDCIssuerURL, not to %s", f.name, is.sourceName)
			}
		}
	}

	switch is.sourceName {
	case "KeyFile":
		data, err := readLimited(cfg.KeyFile)
		if err != nil {
			return nil, configErr("KeyFile: %v", err)
		}
		if is.static, err = keys.ParsePEM(data, cfg.KeyID); err != nil {
			return nil, fmt.Errorf("%w: KeyFile %s: %w", ErrInvalidConfig, cfg.KeyFile, err)
		}
	case "KeyValue":
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cfg.KeyValue))
		if err != nil {
			return nil, configErr("KeyValue: not standard base64 (it holds the PEM text, base64-encoded): %v", err)
		}
		if is.static, err = keys.ParsePEM(data, cfg.KeyID); err != nil {
			return nil, fmt.Errorf("%w: KeyValue: %w", ErrInvalidConfig, err)
		}
	case "JWKSetFile":
		data, err := readLimited(cfg.JWKSetFile)
		if err != nil {
			return nil, configErr("JWKSetFile: %v", err)
		}
		if is.static, err = keys.ParseJWKS(data); err != nil {
			return nil, fmt.Errorf("%w: JWKSetFile %s: %w", ErrInvalidConfig, cfg.JWKSetFile, err)
		}
	case "JWKSetValue":
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cfg.JWKSetValue))
		if err != nil {
			return nil, configErr("JWKSetValue: not standard base64 (it holds the JWKS JSON, base64-encoded): %v", err)
		}
		if is.static, err = keys.ParseJWKS(data); err != nil {
			return nil, fmt.Errorf("%w: JWKSetValue: %w", ErrInvalidConfig, err)
		}
	case "Keys":
		is.source = cfg.Keys
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
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		is.remote, is.source = r, r
	}
	if is.static != nil {
		is.source = is.static
	}
	return is, nil
}

// readLimited reads a key file (or an ini $__file{}), refusing files over
// 1 MiB.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeyFileBytes {
		return nil, fmt.Errorf("%s is larger than 1 MiB", path)
	}
	return data, nil
}
