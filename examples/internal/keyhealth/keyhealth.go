// Package keyhealth judges the key sources of a [jwtauth.Verifier] for the
// examples' GET /healthz (examples/gateway and examples/nginx), so that
// both answer a readiness probe by the same rule. The report holds no key
// material, no URLs and no error text.
package keyhealth

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// Report is the health of a Verifier's key sources.
type Report struct {
	Status  string   `json:"status"` // ok, unavailable
	Issuers []Issuer `json:"issuers"`
}

// Issuer is the health of one issuer's key source.
type Issuer struct {
	Issuer              string     `json:"issuer,omitempty"`
	Source              string     `json:"source"`
	Remote              bool       `json:"remote"`
	Status              string     `json:"status"` // ok, pending, unknown, unavailable
	Keys                int        `json:"keys"`
	KeyIDs              []string   `json:"kids,omitempty"`
	LastFetch           *time.Time `json:"lastFetch,omitempty"`
	ConsecutiveFailures int        `json:"consecutiveFailures,omitempty"`
}

// Of judges a Verifier's key sources: "ok" with usable keys; "pending" for
// a remote set not fetched yet (it is fetched on the first token, so a
// readiness probe must not wait for it); "unknown" for a custom
// Config.Keys source, which cannot be inspected; "unavailable" otherwise.
// The status is 503 when any issuer is unavailable, else 200.
func Of(s jwtauth.Stats) (int, Report) {
	h := Report{Status: "ok", Issuers: []Issuer{}}
	code := http.StatusOK
	for _, is := range s.Issuers {
		k := is.Keys
		ih := Issuer{
			Issuer:              is.Issuer,
			Source:              k.Source,
			Remote:              k.Remote,
			Keys:                len(k.KeyIDs),
			KeyIDs:              k.KeyIDs,
			ConsecutiveFailures: k.Failures,
		}
		if !k.LastFetch.IsZero() {
			t := k.LastFetch.UTC()
			ih.LastFetch = &t
		}
		switch {
		case len(k.KeyIDs) > 0:
			ih.Status = "ok"
		case k.Source == "Keys":
			ih.Status = "unknown"
		case k.Remote && k.Fetches == 0:
			ih.Status = "pending"
		default:
			ih.Status = "unavailable"
			h.Status = "unavailable"
			code = http.StatusServiceUnavailable
		}
		h.Issuers = append(h.Issuers, ih)
	}
	return code, h
}

// Write answers with code and body as JSON, never to be cached.
func Write(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
