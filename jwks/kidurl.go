package jwks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/internal/fetch"
	"github.com/jwtgate/jwtgate/keys"
)

const (
	// maxKIDLen bounds a kid substituted into a {{kid}} URL.
	maxKIDLen = 128
	// kidBurst is how many kids never seen before may be fetched per
	// MinRefreshInterval, so a spray of random kids costs at most this
	// many requests per interval.
	kidBurst = 4
)

const acceptKey = "application/x-pem-file, application/jwk-set+json, application/json;q=0.9, */*;q=0.1"

// validKID reports whether kid may be put in a URL: 1 to 128 characters of
// [A-Za-z0-9._-], neither "." nor containing "..".
func validKID(kid string) bool {
	if kid == "" || len(kid) > maxKIDLen || kid == "." || strings.Contains(kid, "..") {
		return false
	}
	for i := 0; i < len(kid); i++ {
		switch c := kid[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// kidEntry returns the cache entry of kid for a {{kid}} URL, creating it
// if the kid is valid and the new-kid budget allows; nil otherwise.
func (r *Remote) kidEntry(kid string) *entry {
	if e := (*r.kids.Load())[kid]; e != nil {
		return e
	}
	if !validKID(kid) {
		return nil
	}
	r.kmu.Lock()
	defer r.kmu.Unlock()
	m := *r.kids.Load()
	if e := m[kid]; e != nil {
		return e
	}
	now := r.now()
	if r.kidWindow.IsZero() || now.Sub(r.kidWindow) >= r.s.MinRefreshInterval || now.Before(r.kidWindow) {
		r.kidWindow, r.kidCreated = now, 0
	}
	if r.kidCreated >= kidBurst {
		return nil
	}
	r.kidCreated++
	next := make(map[string]*entry, len(m)+1)
	for k, e := range m {
		next[k] = e
	}
	if len(next) >= r.s.MaxKeyIDs {
		victim := evictionVictim(next, now)
		delete(next, victim)
		r.s.Logger.Debug("jwks: evicted cached kid", "kid", victim)
	}
	e := &entry{r: r, kid: kid}
	next[kid] = e
	r.kids.Store(&next)
	return e
}

// evictionVictim picks the entry to drop from a full per-kid cache: one
// holding no usable key if any, otherwise any (map order is random).
func evictionVictim(m map[string]*entry, now time.Time) string {
	var fallback string
	for k, e := range m {
		s := e.snap.Load()
		if !e.busy.Load() && (s == nil || s.set == nil || !s.usable(now)) {
			return k
		}
		if fallback == "" {
			fallback = k
		}
	}
	return fallback
}

// fetchKid GETs the key of one kid. 404 and 410 mean "no such kid" (a nil
// set, cached for MinRefreshInterval). The body may be a PEM public key or
// a JWKS; a JWKS without the kid also means "no such kid".
func (r *Remote) fetchKid(ctx context.Context, kid string, noCache bool) (*keys.Set, http.Header, error) {
	u := strings.ReplaceAll(r.s.URL, kidPlaceholder, kid)
	resp, err := r.get(ctx, u, acceptKey, true, noCache)
	var se *fetch.StatusError
	if errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var set *keys.Set
	if body := bytes.TrimSpace(resp.Body); bytes.HasPrefix(body, []byte("-----BEGIN ")) {
		set, err = keys.ParsePEM(body, kid)
	} else {
		set, err = keys.ParseJWKS(body)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("jwks: key of kid %q: %w", kid, err)
	}
	if !slices.Contains(set.KeyIDs(), kid) {
		return nil, resp.Header, nil
	}
	return set, resp.Header, nil
}
