// Package jwks fetches and caches remote JSON Web Key Sets: a JWKS URL
// (Grafana's jwk_set_url), an OpenID Connect issuer (through its discovery
// document), or a URL with a {{kid}} placeholder that serves one key per
// kid (AWS ALB).
//
// A [Remote] implements keys.Source. It fetches on first use, never in
// [NewRemote], and then follows these rules.
//
// Caching:
//
//   - A set is kept for min(CacheTTL, Cache-Control max-age), never less
//     than MinRefreshInterval, so "max-age=0" means "every 30 s" and not
//     "every request" (nor Grafana's 24 h). "no-cache" or "no-store"
//     without a max-age also mean the floor; next to a max-age, max-age
//     wins ("max-age=300, no-cache" keeps the set 5 minutes, as Grafana
//     does). A provider that sends "no-store" (Ory Hydra does) therefore
//     costs one fetch per MinRefreshInterval while tokens arrive: at most
//     120 an hour with the default 30 s, plus the refreshes below.
//   - Past 80 % of that TTL the set is refreshed in the background, so
//     requests do not wait on the server in steady state.
//   - A response whose body is byte for byte the one already cached keeps
//     the parsed keys, so caches keyed on a key (jwtauth's token cache)
//     stay valid.
//
// Rotation. Refreshes caused by tokens have a budget of their own: at most
// one per MinRefreshInterval, which TTL and refresh-ahead fetches do not
// use up. A spray of bad tokens therefore costs at most one TTL fetch plus
// one such refresh per interval, and never more.
//
//   - An unknown kid refreshes the set at once if the budget allows (so a
//     key that is signed with right after a fetch verifies on its first
//     token), shared by concurrent callers. Kids still unknown after it are
//     answered from memory (at most MaxKeyIDs) until the next refresh is
//     allowed.
//   - A key replaced under the same kid: when no key of a known kid
//     verifies a signature, the caller asks [Remote.KeysAfterFailure],
//     which refreshes from the same budget once the cached set is older
//     than MinRefreshInterval. Only a key that differs from those that
//     failed is returned, so the token is accepted only if the refreshed
//     key verifies it, and tampered signatures cost no more fetches than
//     unknown kids.
//
// A URL with {{kid}} keeps one cache entry per kid (at most MaxKeyIDs).
// Every request it sends, for a new kid, an expired one or a failed
// signature, counts against one bound: at most 8 in any MinRefreshInterval
// (a sliding window), whatever the tokens say; only [Remote.Refresh] is
// exempt. A kid the server does not have (404, 410, or a JWKS without it)
// is remembered for the TTL, and at least an hour, so re-sent junk kids
// cost nothing. While the bound is reached, a kid whose key is cached
// (even stale, within MaxStale) still verifies, and a kid that needs a
// fetch gets [ErrUnavailable] with a [RetryAfter] hint (jwtauth: 503 with
// Retry-After), never a definitive keys.ErrUnknownKey: the kid of a
// genuine new key cannot be told from junk before the fetch, so a token
// bucket would spend the same 8 requests on the attacker's kids, while a
// 503 tells clients to retry and keeps the provider's load at the bound.
// Under a sustained spray a genuine new kid competes with junk for each
// freed request.
//
// CacheTTL negative (Grafana's cache_ttl = 0): every lookup fetches, one
// request per verification, shared among concurrent ones; nothing is
// refreshed in the background while the server answers.
//
// Failures: a non-2xx, oversized or unparsable response is never cached;
// the last good set keeps being served for MaxStale past its expiry while
// fetches fail, and retries back off instead of running on every request.
// [ErrUnavailable], wrapping the cause, is answered only when nothing
// usable is cached; [RetryAfter] tells when to try again.
//
// Every cache duration is measured with Options.Now, so tests can drive it
// with a fake clock or testing/synctest. A warm lookup reads an immutable
// snapshot through an atomic pointer: no lock, no allocation.
//
// Usage:
//
//	remote, err := jwks.NewRemote(jwks.Options{URL: "https://idp.example/jwks"})
//	if err != nil {
//		return err // "jwks: URL: must be https ..."
//	}
//	defer remote.Close()
//	ks, err := remote.KeysFor(ctx, kid, alg)
package jwks
