package jwks

import (
	"bytes"
	"context"
	"crypto/sha256"
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
	// kidFetchLimit is how many requests a {{kid}} URL gets in any
	// MinRefreshInterval, whatever their cause (a new kid, a kid whose
	// cache expired, a failed signature), Refresh excepted.
	kidFetchLimit = 8
)

// errFetchLimit is the cause of the ErrUnavailable answered when a kid
// needs a fetch and kidFetchLimit is reached.
var errFetchLimit = errors.New("jwks: key fetch limit reached")

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
// if the kid is valid. It fails with keys.ErrUnknownKey for a kid that may
// not go into the URL, and with ErrUnavailable when the kid is new and the
// fetch bound is reached (an entry would not be fetched anyway).
func (r *Remote) kidEntry(kid string) (*entry, error) {
	if e := (*r.kids.Load())[kid]; e != nil {
		return e, nil
	}
	if !validKID(kid) {
		return nil, keys.ErrUnknownKey
	}
	r.kmu.Lock()
	defer r.kmu.Unlock()
	m := *r.kids.Load()
	if e := m[kid]; e != nil {
		return e, nil
	}
	now := r.now()
	if wait := r.kidLimitWaitLocked(now); wait > 0 {
		return nil, unavailable(errFetchLimit, wait)
	}
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
	return e, nil
}

// takeKidFetch reports whether a {{kid}} URL may be fetched at now, and if
// so counts the fetch.
func (r *Remote) takeKidFetch(now time.Time) bool {
	r.kmu.Lock()
	defer r.kmu.Unlock()
	if r.kidLimitWaitLocked(now) > 0 {
		return false
	}
	r.kidStarts[r.kidNext] = now
	r.kidNext = (r.kidNext + 1) % kidFetchLimit
	return true
}

// kidLimitWait returns how long until the fetch bound allows a fetch (0:
// now).
func (r *Remote) kidLimitWait(now time.Time) time.Duration {
	r.kmu.Lock()
	defer r.kmu.Unlock()
	return r.kidLimitWaitLocked(now)
}

// kidLimitWaitLocked: the oldest of the last kidFetchLimit fetches must be
// at least MinRefreshInterval old (a sliding window).
func (r *Remote) kidLimitWaitLocked(now time.Time) time.Duration {
	oldest := r.kidStarts[r.kidNext]
	if oldest.IsZero() || now.Before(oldest) {
		return 0
	}
	return max(oldest.Add(r.s.MinRefreshInterval).Sub(now), 0)
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
// set, remembered for the set's TTL and at least an hour). The body may be
// a PEM public key or a JWKS; a JWKS without the kid also means "no such
// kid".
func (r *Remote) fetchKid(ctx context.Context, kid string, noCache bool, prev *snapshot) (fetched, error) {
	u := strings.ReplaceAll(r.s.URL, kidPlaceholder, kid)
	resp, err := r.get(ctx, u, acceptKey, true, noCache)
	var se *fetch.StatusError
	if errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone) {
		return fetched{}, nil
	}
	if err != nil {
		return fetched{}, err
	}
	res := fetched{header: resp.Header, sum: sha256.Sum256(resp.Body)}
	if res.set = sameBody(prev, res.sum); res.set != nil {
		return res, nil
	}
	var set *keys.Set
	if body := bytes.TrimSpace(resp.Body); bytes.HasPrefix(body, []byte("-----BEGIN ")) {
		set, err = keys.ParsePEM(body, kid)
	} else {
		set, err = keys.ParseJWKS(body)
	}
	if err != nil {
		return fetched{}, fmt.Errorf("jwks: key of kid %q: %w", kid, err)
	}
	if slices.Contains(set.KeyIDs(), kid) {
		res.set = set
	}
	return res, nil
}
