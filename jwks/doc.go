// Package jwks fetches and caches remote JSON Web Key Sets: a JWKS URL
// (Grafana's jwk_set_url), an OpenID Connect issuer (through its discovery
// document), or a URL with a {{kid}} placeholder that serves one key per
// kid (AWS ALB).
//
// A [Remote] implements keys.Source. It fetches on first use, never in
// [NewRemote], and then:
//
//   - keeps the set for min(CacheTTL, Cache-Control max-age), never less
//     than MinRefreshInterval, so "max-age=0" means "every 30 s" and not
//     "every request" (nor Grafana's 24 h);
//   - refreshes in the background past 80 % of that TTL, so requests do not
//     wait on the server in steady state;
//   - on an unknown kid, refreshes once (at most every MinRefreshInterval,
//     shared by concurrent callers) so that a rotated-in key verifies on its
//     first token, and answers sprays of random kids without requests;
//   - shares one request among all callers that need a fetch;
//   - never caches a non-2xx, oversized or unparsable response, keeps
//     serving the last good set for MaxStale past its expiry while fetches
//     fail, and retries with backoff instead of on every request;
//   - answers [ErrUnavailable], wrapping the cause, only when nothing usable
//     is cached; [RetryAfter] tells when to try again.
//
// Every cache duration is measured with Options.Now, so tests can drive it
// with a fake clock or testing/synctest. A warm lookup reads an immutable
// snapshot through an atomic pointer: no lock, no allocation.
//
// Usage:
//
//	remote, err := jwks.NewRemote(jwks.Options{URL: "https://idp.example/jwks"})
//	if err != nil {
//		return err // "JWKSetURL: must be https ..."
//	}
//	defer remote.Close()
//	ks, err := remote.KeysFor(ctx, kid, alg)
package jwks
