package jwks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// jwksURL returns the JWKS URL of an Issuer, reading the discovery
// document when none is known yet, when the last fetch failed, on Refresh,
// and once the document is older than 80 % of the set's TTL (at least
// MinRefreshInterval) — that is, at every TTL-driven refresh but not for an
// unknown kid. fresh reports that the document was just read.
func (r *Remote) jwksURL(ctx context.Context, e *entry, kind fetchKind) (u string, fresh bool, err error) {
	e.mu.Lock()
	failed := e.failures > 0
	e.mu.Unlock()
	var ttl = r.s.MinRefreshInterval
	if s := e.snap.Load(); s != nil {
		ttl = max(ttl, s.ttl-s.ttl/5)
	}
	r.hmu.Lock()
	u, at := r.jwksURI, r.discoveredAt
	r.hmu.Unlock()
	if u != "" && !failed && kind != fetchForced && r.now().Sub(at) < ttl {
		return u, false, nil
	}
	u, err = r.discover(ctx)
	return u, err == nil, err
}

// discover reads <Issuer>/.well-known/openid-configuration, checks its
// issuer and returns its jwks_uri.
func (r *Remote) discover(ctx context.Context) (string, error) {
	resp, err := r.get(ctx, r.s.discovery, "application/json", true, false)
	if err != nil {
		return "", err
	}
	var doc struct {
		Issuer  *string `json:"issuer"`
		JWKSURI *string `json:"jwks_uri"`
	}
	where := redact(r.s.discovery)
	if err := json.Unmarshal(resp.Body, &doc); err != nil {
		return "", fmt.Errorf("jwks: %s: invalid discovery document: %w", where, err)
	}
	switch {
	case doc.Issuer == nil:
		return "", fmt.Errorf("jwks: %s: discovery document has no issuer", where)
	case *doc.Issuer != r.s.Issuer:
		return "", fmt.Errorf("jwks: %s: discovery issuer %q does not equal %q", where, truncate(*doc.Issuer), r.s.Issuer)
	case doc.JWKSURI == nil || *doc.JWKSURI == "":
		return "", fmt.Errorf("jwks: %s: discovery document has no jwks_uri", where)
	}
	if strings.Contains(*doc.JWKSURI, kidPlaceholder) {
		return "", fmt.Errorf("jwks: %s: jwks_uri must not contain %s", where, kidPlaceholder)
	}
	if _, err := checkURL(*doc.JWKSURI, r.s.InsecureAllowHTTP); err != nil {
		return "", fmt.Errorf("jwks: %s: jwks_uri %w", where, err)
	}
	r.hmu.Lock()
	changed := r.jwksURI != *doc.JWKSURI
	r.jwksURI, r.discoveredAt = *doc.JWKSURI, r.now()
	r.hmu.Unlock()
	if changed {
		r.s.Logger.Info("jwks: discovered jwks_uri", "issuer", r.s.Issuer, "jwks_uri", redact(*doc.JWKSURI))
	}
	return *doc.JWKSURI, nil
}

// sameHost reports whether u has the issuer's host, so that the bearer
// token is sent to it. A jwks_uri on another host gets no token.
func (r *Remote) sameHost(u string) bool {
	a, err1 := url.Parse(u)
	b, err2 := url.Parse(r.s.Issuer)
	return errors.Join(err1, err2) == nil && strings.EqualFold(a.Host, b.Host)
}

// truncate shortens server-provided text for error messages.
func truncate(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
