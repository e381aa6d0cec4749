package main

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// statsCollector is a prometheus.Collector over a Verifier's Stats: each
// scrape takes one snapshot and reports it as constant metrics, so the
// Verifier keeps its own counters and nothing is counted twice.
//
// Counters (type counter, name ending in _total):
//
//	jwtgate_verified_total                     tokens accepted, cache hits included
//	jwtgate_refused_total{reason}              refusals by sentinel name ("ErrExpired", ...), each from 0
//	jwtgate_anonymous_total                    requests without a token let through by OptionalMiddleware
//	jwtgate_token_cache_hits_total             verified-token cache hits
//	jwtgate_token_cache_misses_total           verified-token cache misses
//	jwtgate_issuer_verified_total{issuer}      tokens of that issuer accepted
//	jwtgate_issuer_refused_total{issuer}       tokens routed to that issuer and refused
//	jwtgate_key_fetches_total{issuer}          key fetch operations (JWKS, key or discovery requests)
//	jwtgate_key_fetch_errors_total{issuer}     key fetch operations that failed
//
// Gauges:
//
//	jwtgate_token_cache_entries                entries now in the verified-token cache
//	jwtgate_keys{issuer}                       usable keys of the issuer's current set
//	jwtgate_keys_skipped{issuer}               keys of the current set left out (unsafe or unusable)
//	jwtgate_key_fetch_failures{issuer}         consecutive failed fetches (0 after a success)
//	jwtgate_key_last_fetch_timestamp_seconds{issuer}  end of the last successful fetch (Unix time; absent before one)
//	jwtgate_keys_usable{issuer}                1 when a remote set can answer without the network (remote sources only)
//	jwtgate_keys_stale{issuer}                 1 when a remote set is past its TTL and served because fetches fail (remote sources only)
//
// The issuer label is the issuer a config pins ("" when it pins none); its
// values are the configured issuers, never taken from a token, so the label
// stays bounded. The reason label takes the sentinel names only.
type statsCollector struct {
	stats func() jwtauth.Stats

	verified, refused, anonymous, cacheHits, cacheMisses, cacheEntries *prometheus.Desc
	issuerVerified, issuerRefused                                      *prometheus.Desc
	fetches, fetchErrors, fetchFailures, lastFetch                     *prometheus.Desc
	keys, skipped, usable, stale                                       *prometheus.Desc
}

// newStatsCollector returns a collector reading stats, typically a
// Verifier's Stats method, on every scrape.
func newStatsCollector(stats func() jwtauth.Stats) *statsCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("jwtgate_"+name, help, labels, nil)
	}
	return &statsCollector{
		stats:          stats,
		verified:       d("verified_total", "Tokens accepted, verified-token cache hits included."),
		refused:        d("refused_total", "Tokens or requests refused, by reason (jwtauth sentinel name).", "reason"),
		anonymous:      d("anonymous_total", "Requests without a token let through by OptionalMiddleware."),
		cacheHits:      d("token_cache_hits_total", "Verified-token cache hits."),
		cacheMisses:    d("token_cache_misses_total", "Verified-token cache misses."),
		cacheEntries:   d("token_cache_entries", "Entries now in the verified-token cache."),
		issuerVerified: d("issuer_verified_total", "Tokens of the issuer accepted.", "issuer"),
		issuerRefused:  d("issuer_refused_total", "Tokens routed to the issuer and refused.", "issuer"),
		fetches:        d("key_fetches_total", "Key fetch operations (JWKS, key or discovery requests).", "issuer"),
		fetchErrors:    d("key_fetch_errors_total", "Key fetch operations that failed.", "issuer"),
		fetchFailures:  d("key_fetch_failures", "Consecutive failed key fetches since the last success.", "issuer"),
		lastFetch:      d("key_last_fetch_timestamp_seconds", "End of the last successful key fetch, Unix time.", "issuer"),
		keys:           d("keys", "Usable keys in the issuer's current key set.", "issuer"),
		skipped:        d("keys_skipped", "Keys of the current set left out as unsafe or unusable.", "issuer"),
		usable:         d("keys_usable", "1 when a remote key set can answer without the network.", "issuer"),
		stale:          d("keys_stale", "1 when a remote key set is past its TTL and served because fetches fail.", "issuer"),
	}
}

// Describe sends every descriptor the collector may use.
func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.verified, c.refused, c.anonymous, c.cacheHits, c.cacheMisses, c.cacheEntries,
		c.issuerVerified, c.issuerRefused,
		c.fetches, c.fetchErrors, c.fetchFailures, c.lastFetch,
		c.keys, c.skipped, c.usable, c.stale,
	} {
		ch <- d
	}
}

// Collect sends one snapshot of the Stats.
func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter(c.verified, s.Verified)
	for _, reason := range refusalReasons {
		if _, ok := s.Refused[reason]; !ok {
			counter(c.refused, 0, reason)
		}
	}
	for reason, n := range s.Refused {
		counter(c.refused, n, reason)
	}
	counter(c.anonymous, s.Anonymous)
	counter(c.cacheHits, s.TokenCacheHits)
	counter(c.cacheMisses, s.TokenCacheMisses)
	gauge(c.cacheEntries, float64(s.TokenCacheSize))
	for _, is := range s.Issuers {
		iss, k := is.Issuer, is.Keys
		counter(c.issuerVerified, is.Verified, iss)
		counter(c.issuerRefused, is.Refused, iss)
		counter(c.fetches, k.Fetches, iss)
		counter(c.fetchErrors, k.FetchErrors, iss)
		gauge(c.fetchFailures, float64(k.Failures), iss)
		if !k.LastFetch.IsZero() {
			gauge(c.lastFetch, float64(k.LastFetch.UnixNano())/1e9, iss)
		}
		gauge(c.keys, float64(len(k.KeyIDs)), iss)
		gauge(c.skipped, float64(len(k.Skipped)), iss)
		if k.Remote {
			gauge(c.usable, bool01(k.Usable), iss)
			gauge(c.stale, bool01(k.Stale), iss)
		}
	}
}

// refusalReasons are the names of the sentinels a verification can be
// refused with. jwtgate_refused_total reports each from the start, at 0
// until it happens, so that rate() and alerts see its first increase; a
// name Stats reports that is not listed here is reported too.
var refusalReasons = func() []string {
	var names []string
	for _, err := range []error{
		jwtauth.ErrNoToken, jwtauth.ErrMalformed, jwtauth.ErrAlgorithm, jwtauth.ErrUnknownKey,
		jwtauth.ErrSignature, jwtauth.ErrKeysUnavailable, jwtauth.ErrExpired, jwtauth.ErrNotYetValid,
		jwtauth.ErrIssuedInFuture, jwtauth.ErrClaimMismatch, jwtauth.ErrMissingClaim, jwtauth.ErrNoRole,
		jwtauth.ErrAttributePath, jwtauth.ErrInsufficientScope, jwtauth.ErrDPoP, jwtauth.ErrCertBinding,
	} {
		names = append(names, jwtauth.ReasonName(err))
	}
	return names
}()

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// verifyBuckets span a verified-token cache hit (about a microsecond) to a
// key fetch that times out (seconds): 1 µs × 4^n.
var verifyBuckets = prometheus.ExponentialBuckets(1e-6, 4, 12)

// newVerifyHistogram returns jwtgate_verify_duration_seconds, labelled by
// outcome ("ok", or the sentinel name from jwtauth.ReasonName: "ErrExpired",
// ...; "other" for an error that matches none) and cached ("true" when the
// verified-token cache answered), and the Config.OnVerify hook that
// observes it. Both labels take a small fixed set of values.
func newVerifyHistogram() (*prometheus.HistogramVec, func(context.Context, jwtauth.Event)) {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "jwtgate_verify_duration_seconds",
		Help:    "Time spent verifying a token or request, by outcome and whether the verified-token cache answered.",
		Buckets: verifyBuckets,
	}, []string{"outcome", "cached"})
	hook := func(_ context.Context, e jwtauth.Event) {
		h.WithLabelValues(outcome(e.Err), strconv.FormatBool(e.Cached)).Observe(e.Duration.Seconds())
	}
	return h, hook
}

// outcome is the outcome label of a verification that returned err.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	if name := jwtauth.ReasonName(err); name != "" {
		return name
	}
	return "other"
}

// chainOnVerify returns a hook that calls each non-nil hook in turn.
func chainOnVerify(hooks ...func(context.Context, jwtauth.Event)) func(context.Context, jwtauth.Event) {
	hooks = slices.DeleteFunc(hooks, func(h func(context.Context, jwtauth.Event)) bool { return h == nil })
	if len(hooks) == 1 {
		return hooks[0]
	}
	return func(ctx context.Context, e jwtauth.Event) {
		for _, h := range hooks {
			h(ctx, e)
		}
	}
}

// newMetrics returns the gateway's registry: the Stats collector over g's
// verifier, verify (the OnVerify histogram), the gateway's own request
// counters, and the Go runtime and process collectors. Each gateway has its
// own registry, so several can run in one process (as in tests).
func newMetrics(g *gateway, verify prometheus.Collector) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	count := func(name, help string, v func() uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jwtgate_gateway_" + name, Help: help},
			func() float64 { return float64(v()) })
	}
	reg.MustRegister(
		newStatsCollector(g.v.Stats),
		verify,
		count("forwarded_total", "Requests sent upstream.", g.forwarded.Load),
		count("exchanged_total", "auth_token links exchanged for a login cookie.", g.exchanged.Load),
		count("refused_total", "Requests answered with an error.", g.refused.Load),
		count("refused_identity_total", "Requests refused because an identity value cannot be sent in a header.", g.refusedIdentity.Load),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// metricsHandler serves reg in the Prometheus text (or negotiated) format.
func metricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
