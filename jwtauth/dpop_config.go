package jwtauth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/jwtgate/jwtgate/internal/algs"
)

const (
	defaultDPoPProofMaxAge = 5 * time.Minute
	minDPoPNonceKeyBytes   = 32
	defaultLeeway          = 60 * time.Second
)

// defaultDPoPAlgorithms are the proof algorithms accepted when
// Config.DPoPAlgorithms is nil.
var defaultDPoPAlgorithms = []string{"ES256", "ES384", "ES512", "EdDSA", "RS256", "PS256"}

// asymmetricAlgs are the proof algorithms DPoPAlgorithms may name: the
// asymmetric signature algorithms of internal/algs (RFC 9449 §4.2: never
// none, never a MAC).
var asymmetricAlgs = map[string]jose.SignatureAlgorithm{
	"EdDSA": jose.EdDSA,
	"RS256": jose.RS256, "RS384": jose.RS384, "RS512": jose.RS512,
	"ES256": jose.ES256, "ES384": jose.ES384, "ES512": jose.ES512,
	"PS256": jose.PS256, "PS384": jose.PS384, "PS512": jose.PS512,
}

// sender holds what a Verifier needs to check sender-constrained tokens:
// DPoP proofs (RFC 9449) and certificate-bound tokens (RFC 8705 §3). It is
// built once by New and read-only afterwards, except for the replay memory,
// which has its own locks. A nil *sender means neither is on.
type sender struct {
	dpop     DPoPMode
	maxAge   time.Duration
	leeway   time.Duration // into the future, for a proof's iat
	algs     []jose.SignatureAlgorithm
	algNames string // space-separated, for the DPoP challenge's algs
	nonceKey []byte // nil: no server nonces
	origin   string // normalized scheme://host[:port] from PublicURL; "" = from the request
	replay   *replayMemory
	now      func() time.Time

	certBound  bool
	certHeader string // canonical header name; "" = r.TLS only
}

// newSender validates the sender-constraint fields of cfgs (they apply to
// the whole Verifier, so under NewMulti only config 0 may set them) and
// returns nil when neither DPoP nor CertBoundTokens is on.
func newSender(cfgs []Config, now func() time.Time, errs []configErrors) (*sender, error) {
	first := cfgs[0]
	for i, c := range cfgs[1:] {
		if c.DPoP != DPoPOff || c.DPoPProofMaxAge != 0 || c.DPoPAlgorithms != nil || c.DPoPNonceKey != nil ||
			c.PublicURL != "" || c.CertBoundTokens || c.ClientCertHeader != "" {
			e := errs[i+1]
			return nil, e.whole("%s, %s, %s, %s, %s, %s and %s apply to the whole Verifier: set them on %s only",
				append(e.names("DPoP", "DPoPProofMaxAge", "DPoPAlgorithms", "DPoPNonceKey", "PublicURL", "CertBoundTokens", "ClientCertHeader"), errs[0].label(0))...)
		}
	}
	e := errs[0]
	if err := dpopFieldsNeedDPoP(first, e); err != nil {
		return nil, err
	}
	if first.ClientCertHeader != "" && !first.CertBoundTokens {
		return nil, e.field("ClientCertHeader", "set, but %s is false", e.name("CertBoundTokens"))
	}
	if first.DPoP == DPoPOff && !first.CertBoundTokens {
		return nil, nil
	}
	s := &sender{dpop: first.DPoP, now: now, certBound: first.CertBoundTokens}
	if first.ClientCertHeader != "" {
		if !validToken(first.ClientCertHeader) {
			return nil, e.field("ClientCertHeader", "%q is not a valid header name", first.ClientCertHeader)
		}
		s.certHeader = http.CanonicalHeaderKey(first.ClientCertHeader)
		if s.certHeader == "Authorization" || s.certHeader == "Dpop" {
			return nil, e.field("ClientCertHeader", "%q is a header the request's credentials use", first.ClientCertHeader)
		}
	}
	if s.dpop == DPoPOff {
		return s, nil
	}
	if s.dpop != DPoPAllowed && s.dpop != DPoPRequired {
		return nil, e.field("DPoP", "unknown mode %d", int(s.dpop))
	}

	s.maxAge = first.DPoPProofMaxAge
	switch {
	case s.maxAge == 0:
		s.maxAge = defaultDPoPProofMaxAge
	case s.maxAge < time.Second:
		return nil, e.field("DPoPProofMaxAge", "%v is below 1s (unset, it is 5m)", first.DPoPProofMaxAge)
	}
	// Config.Leeway: 0 means 60s, negative none (as claims.Validator reads it).
	s.leeway = first.Leeway
	if s.leeway == 0 {
		s.leeway = defaultLeeway
	} else if s.leeway < 0 {
		s.leeway = 0
	}

	names := first.DPoPAlgorithms
	if names == nil {
		names = defaultDPoPAlgorithms
	} else if len(names) == 0 {
		return nil, e.field("DPoPAlgorithms", "empty; leave it nil for the default list")
	}
	for _, n := range names {
		a, ok := asymmetricAlgs[n]
		switch {
		case ok:
		case strings.EqualFold(n, "none"):
			return nil, e.field("DPoPAlgorithms", "%q is never allowed", n)
		case algs.Index(n) >= 0:
			return nil, e.field("DPoPAlgorithms", "%q is symmetric; a DPoP proof needs an asymmetric algorithm (RFC 9449 §4.2)", n)
		default:
			return nil, e.field("DPoPAlgorithms", "unknown algorithm %q", n)
		}
		if !slices.Contains(s.algs, a) {
			s.algs = append(s.algs, a)
		}
	}
	algNames := make([]string, len(s.algs))
	for i, a := range s.algs {
		algNames[i] = string(a)
	}
	s.algNames = strings.Join(algNames, " ")

	if first.DPoPNonceKey != nil {
		if len(first.DPoPNonceKey) < minDPoPNonceKeyBytes {
			return nil, e.field("DPoPNonceKey", "%d bytes; it needs at least %d random bytes", len(first.DPoPNonceKey), minDPoPNonceKeyBytes)
		}
		s.nonceKey = slices.Clone(first.DPoPNonceKey)
	}
	if first.PublicURL != "" {
		o, err := publicOrigin(first.PublicURL)
		if err != nil {
			return nil, e.field("PublicURL", "%v", err)
		}
		s.origin = o
	}
	s.replay = newReplayMemory(replayMemoryEntries)
	return s, nil
}

// dpopFieldsNeedDPoP refuses DPoP settings that would do nothing because
// DPoP is off: a config that sets them expects proofs to be checked.
func dpopFieldsNeedDPoP(c Config, errs configErrors) error {
	if c.DPoP != DPoPOff {
		return nil
	}
	for _, f := range []struct {
		name string
		on   bool
	}{
		{"DPoPProofMaxAge", c.DPoPProofMaxAge != 0},
		{"DPoPAlgorithms", c.DPoPAlgorithms != nil},
		{"DPoPNonceKey", c.DPoPNonceKey != nil},
		{"PublicURL", c.PublicURL != ""},
	} {
		if f.on {
			return errs.field(f.name, "set, but %s is off", errs.name("DPoP"))
		}
	}
	return nil
}

// publicOrigin checks a PublicURL (scheme://host[:port], nothing else) and
// returns it normalized as htu comparisons need it.
func publicOrigin(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("scheme %q: want http or https", u.Scheme)
	case u.Host == "" || u.User != nil || u.Opaque != "":
		return "", errors.New("want scheme://host[:port]")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return "", errors.New("want scheme://host[:port] without path, query or fragment")
	}
	o, ok := normalizeHTU(u.Scheme + "://" + u.Host)
	if !ok {
		return "", errors.New("want scheme://host[:port]")
	}
	return strings.TrimSuffix(o, "/"), nil
}
