package jwtauth_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

const (
	issA = "https://sso.example.com/realms/acme"
	issB = "https://kubernetes.default.svc.cluster.local"
)

// jwksServer serves a JWKS over plain http and counts requests.
func jwksServer(t testing.TB, ks ...*jwttest.Key) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	body := jwttest.JWKS(ks...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func twoIssuers(t testing.TB) (*jwtauth.Verifier, *jwttest.Key, *jwttest.Key, *atomic.Int64) {
	a := jwttest.RSA("issA", 2048, "a-1")
	b := jwttest.EC("issB", "ES256", "b-1")
	srv, hits := jwksServer(t, b)
	v, err := jwtauth.NewMulti(
		jwtauth.Config{
			JWKSetValue:       jwksValue(a),
			Algorithms:        []string{"RS256"},
			ExpectClaims:      map[string]any{"iss": issA, "aud": "grafana"},
			UsernameClaim:     "preferred_username",
			RoleAttributePath: "contains(groups[*], 'admins') && 'Admin' || 'Viewer'",
			Now:               jwttest.Clock(),
		},
		jwtauth.Config{
			JWKSetURL:         srv.URL,
			InsecureAllowHTTP: true,
			Algorithms:        []string{"ES256"},
			ExpectClaims:      map[string]any{"iss": issB},
			RoleAttributePath: "'Editor'",
		},
	)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return v, a, b, hits
}

func TestMultiIssuer(t *testing.T) {
	v, a, b, hits := twoIssuers(t)
	tokA := a.Sign(map[string]any{"iss": issA, "aud": "grafana", "sub": "u1", "preferred_username": "jdoe", "groups": []string{"admins"}, "exp": jwttest.Unix(time.Hour)})
	tokB := b.Sign(map[string]any{"iss": issB, "sub": "system:serviceaccount:ns:sa", "exp": jwttest.Unix(time.Hour)})

	id, err := verify(t, v, tokA)
	require.NoError(t, err)
	assert.Equal(t, issA, id.Issuer)
	assert.Equal(t, "jdoe", id.Login)
	assert.Equal(t, jwtauth.RoleAdmin, id.Role)
	assert.Zero(t, hits.Load(), "issuer A never touches B's JWKS")

	id, err = verify(t, v, tokB)
	require.NoError(t, err)
	assert.Equal(t, issB, id.Issuer)
	assert.Equal(t, "system:serviceaccount:ns:sa", id.Login, "no login source: the subject")
	assert.Equal(t, jwtauth.RoleEditor, id.Role)
	assert.Equal(t, int64(1), hits.Load())

	t.Run("A's key claiming B", func(t *testing.T) {
		forged := a.Sign(map[string]any{"iss": issB, "sub": "admin", "exp": jwttest.Unix(time.Hour)})
		_, err := verify(t, v, forged)
		requireOnly(t, err, jwtauth.ErrAlgorithm) // B allows ES256 only
		forged = a.WithAlg("RS256").WithKID("b-1").Sign(map[string]any{"iss": issB, "sub": "admin"})
		_, err = verify(t, v, forged)
		requireOnly(t, err, jwtauth.ErrAlgorithm)
		other := jwttest.EC("attacker", "ES256", "b-1")
		_, err = verify(t, v, other.Sign(map[string]any{"iss": issB, "sub": "admin"}))
		requireOnly(t, err, jwtauth.ErrSignature)
		other = jwttest.EC("attacker", "ES256", "zzz")
		_, err = verify(t, v, other.Sign(map[string]any{"iss": issB, "sub": "admin"}))
		requireOnly(t, err, jwtauth.ErrUnknownKey)
	})
	t.Run("B's key claiming A", func(t *testing.T) {
		_, err := verify(t, v, b.Sign(map[string]any{"iss": issA, "aud": "grafana", "sub": "x", "preferred_username": "x"}))
		requireOnly(t, err, jwtauth.ErrAlgorithm)
		forged := jwttest.RSA("attackerA", 2048, "a-1").Sign(map[string]any{"iss": issA, "aud": "grafana", "sub": "x", "preferred_username": "x"})
		_, err = verify(t, v, forged)
		requireOnly(t, err, jwtauth.ErrSignature)
	})
	t.Run("unknown issuers reach no JWKS", func(t *testing.T) {
		before := hits.Load()
		for i := range 200 {
			tok := b.WithKID(fmt.Sprintf("kid-%d", i)).Sign(map[string]any{"iss": fmt.Sprintf("https://evil-%d.example", i), "sub": "x"})
			_, err := verify(t, v, tok)
			requireOnly(t, err, jwtauth.ErrClaimMismatch)
			var ve *jwtauth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "iss", ve.Claim)
		}
		assert.Equal(t, before, hits.Load())
	})
	t.Run("no iss", func(t *testing.T) {
		_, err := verify(t, v, b.Sign(map[string]any{"sub": "x"}))
		requireOnly(t, err, jwtauth.ErrClaimMismatch)
		_, err = verify(t, v, b.Sign(map[string]any{"sub": "x", "iss": nil}))
		requireOnly(t, err, jwtauth.ErrClaimMismatch)
		_, err = verify(t, v, b.Sign(map[string]any{"sub": "x", "iss": 7}))
		requireOnly(t, err, jwtauth.ErrMalformed)
	})
	t.Run("stats per issuer", func(t *testing.T) {
		s := v.Stats()
		require.Len(t, s.Issuers, 2)
		assert.Equal(t, issA, s.Issuers[0].Issuer)
		assert.Equal(t, "JWKSetValue", s.Issuers[0].Keys.Source)
		assert.Equal(t, issB, s.Issuers[1].Issuer)
		assert.True(t, s.Issuers[1].Keys.Remote)
		assert.Equal(t, []string{"b-1"}, s.Issuers[1].Keys.KeyIDs)
		assert.GreaterOrEqual(t, s.Issuers[0].Verified, uint64(1))
		assert.GreaterOrEqual(t, s.Issuers[1].Refused, uint64(3))
	})
}

func TestNewMultiValidation(t *testing.T) {
	a := jwttest.RSA("issA", 2048, "a-1")
	base := func(iss string) jwtauth.Config {
		c := jwtauth.Config{JWKSetValue: jwksValue(a)}
		if iss != "" {
			c.ExpectClaims = map[string]any{"iss": iss}
		}
		return c
	}
	for name, tc := range map[string]struct {
		cfgs []jwtauth.Config
		msg  string
	}{
		"none":             {nil, "at least one"},
		"unpinned":         {[]jwtauth.Config{base(issA), base("")}, "config 1"},
		"duplicate":        {[]jwtauth.Config{base(issA), base(issA)}, "config 1"},
		"oidc duplicate":   {[]jwtauth.Config{base(issA), {OIDCIssuerURL: issA}}, "config 1"},
		"header differs":   {[]jwtauth.Config{base(issA), func() jwtauth.Config { c := base(issB); c.HeaderName = "X-Token"; return c }()}, "HeaderName"},
		"cache differs":    {[]jwtauth.Config{base(issA), func() jwtauth.Config { c := base(issB); c.TokenCacheSize = 100; return c }()}, "TokenCacheSize"},
		"bad later config": {[]jwtauth.Config{base(issA), func() jwtauth.Config { c := base(issB); c.Algorithms = []string{"XS1"}; return c }()}, "config 1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := jwtauth.NewMulti(tc.cfgs...)
			requireOnly(t, err, jwtauth.ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	v, err := jwtauth.NewMulti(base(issA), func() jwtauth.Config { c := base(issB); c.HeaderName = ""; return c }())
	require.NoError(t, err)
	require.NoError(t, v.Close())
}

// BenchmarkMultiRouting measures what routing by iss adds: compare
// issuers=1 (New), issuers=1 (NewMulti) and issuers=10 (NewMulti).
func BenchmarkMultiRouting(b *testing.B) {
	k := benchKey("HS256") // the cheapest crypto, so routing shows
	tok := k.Sign(benchClaims())
	mk := func(n int, multi bool) *jwtauth.Verifier {
		var cfgs []jwtauth.Config
		for i := range n {
			iss := fmt.Sprintf("https://issuer-%d.example", i)
			if i == n-1 {
				iss = "https://sso.example.com/realms/acme"
			}
			c := jwtauth.Config{JWKSetValue: jwksValue(k), ExpectClaims: map[string]any{"iss": iss}}
			if i == 0 {
				c.TokenCacheSize, c.Now = -1, jwttest.Clock()
			}
			cfgs = append(cfgs, c)
		}
		var v *jwtauth.Verifier
		var err error
		if multi {
			v, err = jwtauth.NewMulti(cfgs...)
		} else {
			v, err = jwtauth.New(cfgs[0])
		}
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = v.Close() })
		return v
	}
	for _, tc := range []struct {
		name  string
		n     int
		multi bool
	}{{"single", 1, false}, {"multi=1", 1, true}, {"multi=10", 10, true}} {
		b.Run(tc.name, func(b *testing.B) {
			v := mk(tc.n, tc.multi)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(b.Context(), tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// With one algorithm for both issuers, A's key cannot pass as B's: B's own
// key set refuses it by kid, or by signature when the kid is copied.
func TestMultiIssuerSameAlgorithm(t *testing.T) {
	a := jwttest.RSA("issA", 2048, "a-1")
	b := jwttest.RSA("issB", 2048, "b-1")
	v, err := jwtauth.NewMulti(
		jwtauth.Config{JWKSetValue: jwksValue(a), ExpectClaims: map[string]any{"iss": issA}, Now: jwttest.Clock()},
		jwtauth.Config{JWKSetValue: jwksValue(b), ExpectClaims: map[string]any{"iss": issB}},
	)
	require.NoError(t, err)
	defer v.Close()
	_, err = verify(t, v, a.Sign(map[string]any{"iss": issB, "sub": "x"}))
	requireOnly(t, err, jwtauth.ErrUnknownKey)
	_, err = verify(t, v, a.WithKID("b-1").Sign(map[string]any{"iss": issB, "sub": "x"}))
	requireOnly(t, err, jwtauth.ErrSignature)
	_, err = verify(t, v, b.Sign(map[string]any{"iss": issB, "sub": "x"}))
	require.NoError(t, err)
	_, err = verify(t, v, a.Sign(map[string]any{"iss": issA, "sub": "x"}))
	require.NoError(t, err)
}

// Two issuers from one grafana.ini: [auth.jwt] and [auth.jwt.k8s].
func TestMultiIssuerFromINI(t *testing.T) {
	a := jwttest.RSA("issA", 2048, "a-1")
	b := jwttest.EC("issB", "ES256", "b-1")
	ini := fmt.Sprintf(`
[auth.jwt]
enabled = true
header_name = Authorization
jwk_set_value = %s
expect_claims = {"iss": %q, "aud": "grafana"}
username_claim = preferred_username

[auth.jwt.k8s]
enabled = true
jwk_set_value = %s
expect_claims = {"iss": %q}
algorithms = ES256
role_attribute_path = sub && 'Viewer'
`, jwksValue(a), issA, jwksValue(b), issB)
	cfgs, err := jwtauth.ParseINIAll([]byte(ini), nil)
	require.NoError(t, err)
	require.Len(t, cfgs, 2)
	cfgs[0].Now = jwttest.Clock()
	v, err := jwtauth.NewMulti(cfgs...)
	require.NoError(t, err)
	defer v.Close()

	id, err := verify(t, v, a.Sign(map[string]any{"iss": issA, "aud": "grafana", "sub": "u", "preferred_username": "jdoe"}))
	require.NoError(t, err)
	assert.Equal(t, "jdoe", id.Login)
	id, err = verify(t, v, b.Sign(map[string]any{"iss": issB, "sub": "system:serviceaccount:ns:sa"}))
	require.NoError(t, err)
	assert.Equal(t, jwtauth.RoleViewer, id.Role)
	_, err = verify(t, v, a.Sign(map[string]any{"iss": issB, "sub": "x"}))
	requireOnly(t, err, jwtauth.ErrAlgorithm)
	_, err = verify(t, v, b.Sign(map[string]any{"iss": "https://other", "sub": "x"}))
	requireOnly(t, err, jwtauth.ErrClaimMismatch)
}
