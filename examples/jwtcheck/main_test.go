package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
)

var epoch = jwttest.Epoch.Format(time.RFC3339)

type result struct {
	code           int
	stdout, stderr string
}

func check(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// noSecrets asserts that neither the token nor key material shows.
func noSecrets(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		assert.NotContains(t, r.stdout, s)
		assert.NotContains(t, r.stderr, s)
		// Nor any of its dot-separated parts (header, payload, signature).
		for _, p := range strings.Split(s, ".") {
			if len(p) >= 16 {
				assert.NotContains(t, r.stdout, p)
				assert.NotContains(t, r.stderr, p)
			}
		}
	}
}

type fixture struct {
	ini     string
	key     *jwttest.Key
	hmac    *jwttest.Key
	jwksVal string
}

func writeINI(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "grafana.ini")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func setup(t *testing.T) fixture {
	t.Helper()
	key := jwttest.Ed25519(1, "k1")
	second := jwttest.Ed25519(2, "k2")
	hmac := jwttest.HMAC("HS256", []byte("0123456789abcdef0123456789abcdef"), "h1")
	val := jwttest.Base64(jwttest.JWKS(key, second, hmac))
	ini := writeINI(t, `[auth.jwt]
enabled = true
header_name = X-JWT-Assertion
jwk_set_value = `+val+`
algorithms = EdDSA RS256
expect_claims = {"iss": "https://idp.example.com", "aud": "grafana"}
username_claim = preferred_username
email_claim = email
role_attribute_path = role
groups_attribute_path = groups
org_attribute_path = orgs
org_mapping = ops:1:Admin dev:Engineering:Editor
[users]
auto_assign_org_role = Viewer
`)
	return fixture{ini: ini, key: key, hmac: hmac, jwksVal: val}
}

func claims(mod ...func(jwttest.Claims)) jwttest.Claims {
	c := jwttest.Claims{
		"sub": "alice", "iss": "https://idp.example.com", "aud": "grafana",
		"iat": jwttest.Unix(-time.Minute), "exp": jwttest.Unix(time.Hour),
		"preferred_username": "alice", "email": "alice@example.com", "name": "Alice Liddell",
		"role": "Editor", "groups": []any{"dev", "ops"}, "orgs": []any{"ops", "dev"},
	}
	for _, m := range mod {
		m(c)
	}
	return c
}

func TestValid(t *testing.T) {
	f := setup(t)
	tok := f.key.Sign(claims())
	r := check(t, "", "-config", f.ini, "-now", epoch, "-token", tok)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	for _, want := range []string{
		"[auth.jwt]",
		"header_name                X-JWT-Assertion",
		"jwk_set_value              (set: ",
		"algorithms                 EdDSA, RS256",
		`expect_claims              {"aud":"grafana","iss":"https://idp.example.com"}`,
		"source     jwk_set_value (static",
		`kids       "k1", "k2", "h1"`,
		`alg        "EdDSA"`,
		`kid        "k1"`,
		"VALID",
		"login      alice",
		"email      alice@example.com",
		"name       Alice Liddell",
		"role       Editor",
		"groups     dev, ops",
		"org roles  1=Admin, Engineering=Editor",
		"expires    2026-11-23T13:00:00Z (in 1h0m0s)",
	} {
		assert.Contains(t, r.stdout, want)
	}
	noSecrets(t, r, tok, f.jwksVal)
}

func TestRefused(t *testing.T) {
	f := setup(t)
	other := jwttest.Ed25519(9, "k1") // same kid, another key
	rsa := jwttest.RSA("jwtcheck", 2048, "k1")
	for _, tc := range []struct {
		name  string
		token string
		want  []string
	}{
		{"expired", f.key.Sign(claims(func(c jwttest.Claims) { c["exp"] = jwttest.Unix(-3*time.Minute - 12*time.Second) })), []string{
			"REFUSED", "reason     ErrExpired", "claim      exp",
			"detail     exp 2026-11-23T11:56:48Z", "hint       checked at 2026-11-23T12:00:00Z",
		}},
		{"unknown kid", f.key.WithKID("rotated-7").Sign(claims()), []string{
			"reason     ErrUnknownKey", "claim      kid", `kid        "rotated-7"`,
			`hint       the key set has kids: "k1", "k2", "h1"`,
		}},
		{"bad signature", other.Sign(claims()), []string{
			"reason     ErrSignature", `a key with kid "k1" exists but did not verify`,
		}},
		{"disallowed alg", f.hmac.Sign(claims()), []string{
			"reason     ErrAlgorithm", "claim      alg", `hint       token alg "HS256"; allowed: EdDSA, RS256`,
		}},
		{"alg of the wrong key type", rsa.Sign(claims()), []string{"reason     ErrAlgorithm"}},
		{"wrong audience", f.key.Sign(claims(func(c jwttest.Claims) { c["aud"] = "other-app" })), []string{
			"reason     ErrClaimMismatch", "claim      aud", `hint       expect_claims wants aud = "grafana"; the token has "other-app"`,
		}},
		{"not a JWT", "hello", []string{"reason     ErrMalformed", "3 dot-separated parts; this input has 1", "(not a readable JWS header)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := check(t, "", "-config", f.ini, "-now", epoch, "-token", tc.token)
			require.Equal(t, 1, r.code, r.stdout+r.stderr)
			for _, w := range tc.want {
				assert.Contains(t, r.stdout, w)
			}
			assert.NotContains(t, r.stdout, "VALID\n")
			noSecrets(t, r, tc.token, f.jwksVal)
		})
	}
}

func TestTokenFromStdin(t *testing.T) {
	f := setup(t)
	tok := f.key.Sign(claims())
	for name, in := range map[string]string{
		"bare":          tok + "\n",
		"bearer":        "Bearer " + tok,
		"header line":   "Authorization: bearer " + tok + "\r\n",
		"surrounded ws": "\n\t " + tok + " \n",
	} {
		t.Run(name, func(t *testing.T) {
			r := check(t, in, "-config", f.ini, "-now", epoch)
			require.Equal(t, 0, r.code, r.stdout+r.stderr)
			assert.Contains(t, r.stdout, "from standard input; not shown")
			assert.Contains(t, r.stdout, "VALID")
			noSecrets(t, r, tok)
		})
	}
}

func TestRemoteKeySet(t *testing.T) {
	key := jwttest.EC("jwtcheck", "ES256", "es-1")
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write(jwttest.JWKSOf(key.JWK(true), map[string]any{"kty": "OKP", "crv": "X25519", "kid": "enc-1", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}))
	}))
	t.Cleanup(srv.Close)
	ini := writeINI(t, "[auth.jwt]\nenabled = true\njwk_set_url = "+srv.URL+"/jwks.json\ninsecure_allow_http = true\ncache_ttl = 10m\n")

	tok := key.Sign(jwttest.Default())
	r := check(t, tok, "-config", ini, "-now", epoch)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	for _, w := range []string{
		"jwk_set_url                " + srv.URL + "/jwks.json",
		"cache_ttl                  10m0s",
		"source     jwk_set_url (remote)",
		"url        " + srv.URL + "/jwks.json",
		"cache ttl  10m0s",
		"fetches    1, 0 failed",
		`kids       "es-1"`,
		`skipped    key 1 kid "enc-1" kty "OKP"`,
		"VALID", "subject    alice", "login      alice",
	} {
		assert.Contains(t, r.stdout, w)
	}
	assert.EqualValues(t, 1, hits.Load())
	noSecrets(t, r, tok)

	t.Run("unreachable", func(t *testing.T) {
		down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		}))
		t.Cleanup(down.Close)
		ini := writeINI(t, "[auth.jwt]\nenabled = true\njwk_set_url = "+down.URL+"/jwks.json\ninsecure_allow_http = true\n")
		r := check(t, tok, "-config", ini, "-now", epoch)
		require.Equal(t, 1, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stdout, "reason     ErrKeysUnavailable")
		assert.Contains(t, r.stdout, "hint       fetching "+down.URL+"/jwks.json failed")
	})
}

func TestConfigErrors(t *testing.T) {
	f := setup(t)
	tok := f.key.Sign(claims())
	for _, tc := range []struct {
		name string
		args []string
		ini  string
		want string
	}{
		{"no -config", []string{"-token", tok}, "", "usage: jwtcheck"},
		{"missing file", []string{"-config", "/no/such/grafana.ini", "-token", tok}, "", "no such file"},
		{"unknown key", nil, "[auth.jwt]\nenabled = true\nexpected_claims = {}\n", "grafana.ini:3: [auth.jwt] expected_claims: unknown key (did you mean expect_claims?)"},
		{"bad duration", nil, "[auth.jwt]\nenabled = true\ncache_ttl = 60\n", `[auth.jwt] cache_ttl: "60" has no unit`},
		{"disabled", nil, "[auth.jwt]\nenabled = false\n", "[auth.jwt] is disabled"},
		{"no key source", nil, "[auth.jwt]\nenabled = true\n", "invalid config"},
		{"bad -now", []string{"-config", f.ini, "-now", "yesterday", "-token", tok}, "", "-now"},
		{"empty token", []string{"-config", f.ini, "-token", "  "}, "", "no token"},
		{"stray argument", []string{"-config", f.ini, tok}, "", "usage: jwtcheck"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.ini != "" {
				args = []string{"-config", writeINI(t, tc.ini), "-token", tok}
			}
			r := check(t, "", args...)
			require.Equal(t, 2, r.code, r.stdout+r.stderr)
			assert.Contains(t, r.stderr, tc.want)
			noSecrets(t, r, tok, f.jwksVal)
		})
	}
}

func TestEnvironmentOverride(t *testing.T) {
	f := setup(t)
	t.Setenv("GF_AUTH_JWT_ALGORITHMS", "HS256")
	tok := f.key.Sign(claims())
	r := check(t, "", "-config", f.ini, "-now", epoch, "-token", tok)
	require.Equal(t, 1, r.code, r.stdout)
	assert.Contains(t, r.stdout, "algorithms                 HS256\n")
	assert.Contains(t, r.stdout, `hint       token alg "EdDSA"; allowed: HS256`)
}

func TestSeveralIssuers(t *testing.T) {
	a := jwttest.Ed25519(3, "a1")
	b := jwttest.Ed25519(4, "b1")
	ini := writeINI(t, `[auth.jwt]
enabled = true
jwk_set_value = `+jwttest.Base64(jwttest.JWKS(a))+`
expect_claims = {"iss": "https://a.example"}
[auth.jwt.b]
enabled = true
jwk_set_value = `+jwttest.Base64(jwttest.JWKS(b))+`
expect_claims = {"iss": "https://b.example"}
`)
	tok := b.Sign(jwttest.Claims{"sub": "svc", "iss": "https://b.example", "exp": jwttest.Unix(time.Hour)})
	r := check(t, tok, "-config", ini, "-now", epoch)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "extra issuer 2 of 2")
	assert.Contains(t, r.stdout, "issuer     https://b.example")

	tok = a.Sign(jwttest.Claims{"sub": "svc", "iss": "https://c.example", "exp": jwttest.Unix(time.Hour)})
	r = check(t, tok, "-config", ini, "-now", epoch)
	require.Equal(t, 1, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "reason     ErrClaimMismatch")
	assert.Contains(t, r.stdout, `configured issuers: https://a.example, https://b.example; the token has iss "https://c.example"`)
}
