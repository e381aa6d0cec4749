// Package keyhealth judges the key sources of a [jwtauth.Verifier] for the
// examples' GET /healthz (examples/gateway and examples/nginx), so that
// both answer a readiness probe by the same rule. The report holds no key
// material, no URLs and no error text.
package keyhealth

import (
	"encoding/json"
	"net/http"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// Report is the health of a Verifier's key sources.
type Report struct {
	Status  string   `json:"status"` // ok, unavailable
	Issuers []Issuer `json:"issuers"`
}

// Issuer is the health of one issuer's key source: its verdict, and the
// key-health fields jwtauth reports for it (jwtauth.KeyStats, which is
// jwks.Health), without URLs, error text or skipped-key reasons.
type Issuer struct {
	Issuer string           `json:"issuer,omitempty"`
	Status string           `json:"status"` // ok, pending, unknown, unavailable
	Keys   jwtauth.KeyStats `json:"keys"`
}

// Of judges a Verifier's key sources: "ok" with usable keys, or when the
// remote key server answered its last request (a {{kid}} URL fetches one
// kid at a time, and "no such kid" for a stranger's kid is an answer, not
// an outage); "pending" for a remote set not fetched yet (it is fetched on
// the first token, so a readiness probe must not wait for it); "unknown"
// for a custom Config.Keys source, which cannot be inspected;
// "unavailable" when the key server's last answer was a failure and no
// usable key is cached. The status is 503 when any issuer is unavailable,
// else 200.
func Of(s jwtauth.Stats) (int, Report) {
	h := Report{Status: "ok", Issuers: []Issuer{}}
	code := http.StatusOK
	for _, is := range s.Issuers {
		k := is.Keys
		k.URL, k.Issuer, k.LastError, k.Skipped = "", "", "", nil
		k.LastFetch = k.LastFetch.UTC()
		ih := Issuer{Issuer: is.Issuer, Keys: k}
		switch {
		case len(k.KeyIDs) > 0:
			ih.Status = "ok"
		case k.Source == "Keys":
			ih.Status = "unknown"
		case k.Remote && k.Fetches == 0:
			ih.Status = "pending"
		case k.Remote && k.Failures == 0:
			ih.Status = "ok"
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
