package jwtauth

import (
	"fmt"
	"net/url"
	"strings"
)

// buildChallenge returns what the errors of a Verifier built from cfg
// (config 0 under NewMulti) add to their WWW-Authenticate challenges, or
// nil when nothing is configured, which keeps the plain RFC 6750 headers.
// cfg has passed checkChallengeConfig.
func buildChallenge(cfg Config, s *sender) *challenge {
	ch := &challenge{bearer: true}
	ch.resourceMetadata = cfg.ResourceMetadataURL
	if s != nil && s.dpop != DPoPOff {
		ch.dpopAlgs = s.algNames
		ch.bearer = s.dpop == DPoPAllowed
	}
	if *ch == (challenge{bearer: true}) {
		return nil
	}
	return ch
}

// checkChallengeConfig validates the fields buildChallenge reads. They
// describe the whole Verifier, so under NewMulti they come from config 0
// and the other configs leave them zero or equal.
func checkChallengeConfig(cfgs []Config, errs []configErrors) error {
	first := cfgs[0]
	for i, c := range cfgs[1:] {
		if c.ResourceMetadataURL != "" && c.ResourceMetadataURL != first.ResourceMetadataURL {
			return errs[i+1].field("ResourceMetadataURL", "differs from %s", errs[0].label(0))
		}
	}
	if first.ResourceMetadataURL != "" {
		if err := checkPublicURL(first.ResourceMetadataURL, allowHTTP(cfgs)); err != nil {
			return errs[0].field("ResourceMetadataURL", "%v", err)
		}
	}
	return nil
}

// allowHTTP reports whether any config sets InsecureAllowHTTP, which then
// also allows http for the resource's own URLs.
func allowHTTP(cfgs []Config) bool {
	for _, c := range cfgs {
		if c.InsecureAllowHTTP {
			return true
		}
	}
	return false
}

// checkPublicURL checks a URL this resource publishes (in a challenge or
// its metadata): absolute, https (or http when allowed), a host, no user
// info, no fragment, and only printable ASCII without spaces, '"' or '\'.
func checkPublicURL(s string, allowHTTP bool) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return fmt.Errorf("%q has a space, quote, backslash, control or non-ASCII byte (percent-encode it)", s)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL", s)
	}
	switch {
	case u.Scheme == "https", u.Scheme == "http" && allowHTTP:
	case u.Scheme == "http":
		return fmt.Errorf("%q must be https (http needs InsecureAllowHTTP)", s)
	default:
		return fmt.Errorf("%q must be an absolute https URL", s)
	}
	switch {
	case u.Host == "":
		return fmt.Errorf("%q has no host", s)
	case u.User != nil:
		return fmt.Errorf("%q must not carry user info", s)
	case strings.Contains(s, "#"):
		return fmt.Errorf("%q must not have a fragment", s)
	}
	return nil
}
