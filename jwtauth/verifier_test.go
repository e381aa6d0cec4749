package jwtauth_test

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/keys"
)

// Grafana's TestIntegrationVerifyUsingPKIXPublicKeyFile.
func TestVerifyPKIXPublicKeyFile(t *testing.T) {
	k := rsaGood().WithKID("")
	v := newV(t, jwtauth.Config{KeyFile: writeFile(t, "key.pem", k.PublicPEM())})

	t.Run("verifies a token", func(t *testing.T) {
		id, err := verify(t, v, k.Sign(jwttest.Default()))
		require.NoError(t, err)
		assert.Equal(t, "alice", id.Subject)
	})
	t.Run("rejects a token signed by unknown key", func(t *testing.T) {
		other := jwttest.RSA("other", 2048, "")
		_, err := verify(t, v, other.Sign(jwttest.Default()))
		requireOnly(t, err, jwtauth.ErrSignature)
	})
	t.Run("rejects a token with a kid when key_id is unset", func(t *testing.T) {
		_, err := verify(t, v, k.WithKID("k1").Sign(jwttest.Default()))
		requireOnly(t, err, jwtauth.ErrUnknownKey)
	})
	t.Run("verifies a token with a specified kid", func(t *testing.T) {
		v := newV(t, jwtauth.Config{KeyFile: writeFile(t, "key.pem", k.PublicPEM()), KeyID: "k1"})
		_, err := verify(t, v, k.WithKID("k1").Sign(jwttest.Default()))
		require.NoError(t, err)
		_, err = verify(t, v, k.Sign(jwttest.Default())) // no kid
		requireOnly(t, err, jwtauth.ErrUnknownKey)
		_, err = verify(t, v, k.WithKID("K1").Sign(jwttest.Default())) // case
		requireOnly(t, err, jwtauth.ErrUnknownKey)
	})
	t.Run("key_value holds the base64 PEM", func(t *testing.T) {
		v := newV(t, jwtauth.Config{KeyValue: jwttest.Base64(k.PublicPEM())})
		_, err := verify(t, v, k.Sign(jwttest.Default()))
		require.NoError(t, err)
	})
}

// The PEM block matrix: PKIX (RSA, EC, Ed25519), PKCS#1, CERTIFICATE.
func TestVerifyPEMKinds(t *testing.T) {
	rsaK := rsaGood().WithKID("")
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(rsaK.Public.(*rsaPub))})
	for name, tc := range map[string]struct {
		key *jwttest.Key
		pem []byte
	}{
		"PKIX RSA":  {rsaK, rsaK.PublicPEM()},
		"PKCS1 RSA": {rsaK, pkcs1},
		"PKIX P256": {jwttest.EC("pem", "ES256", ""), nil},
		"PKIX P384": {jwttest.EC("pem", "ES384", ""), nil},
		"PKIX P521": {jwttest.EC("pem", "ES512", ""), nil},
		"Ed25519":   {jwttest.Ed25519(3, ""), nil},
		"CERT":      {rsaK, selfSignedCert(t, rsaK)},
	} {
		t.Run(name, func(t *testing.T) {
			p := tc.pem
			if p == nil {
				p = tc.key.PublicPEM()
			}
			v := newV(t, jwtauth.Config{KeyValue: jwttest.Base64(p)})
			_, err := verify(t, v, tc.key.Sign(jwttest.Default()))
			require.NoError(t, err)
		})
	}
}

// Grafana's TestIntegrationVerifyUsingJWKSetFile.
func TestVerifyJWKSetFile(t *testing.T) {
	k0 := jwttest.RSA("k0", 2048, "key0")
	k1 := jwttest.EC("k1", "ES256", "key1")
	v := newV(t, jwtauth.Config{JWKSetFile: writeFile(t, "jwks.json", jwttest.JWKS(k0, k1))})
	_, err := verify(t, v, k0.Sign(jwttest.Default()))
	require.NoError(t, err, "key 0")
	_, err = verify(t, v, k1.Sign(jwttest.Default()))
	require.NoError(t, err, "key 1")
	_, err = verify(t, v, jwttest.RSA("k2", 2048, "key2").Sign(jwttest.Default()))
	requireOnly(t, err, jwtauth.ErrUnknownKey)
	// A token without kid matches only kid-less keys (none here).
	_, err = verify(t, v, k0.WithKID("").Sign(jwttest.Default()))
	requireOnly(t, err, jwtauth.ErrUnknownKey)
}

func TestJWKSKidlessKeysAndDuplicates(t *testing.T) {
	a := jwttest.RSA("dupA", 2048, "dup")
	b := jwttest.RSA("dupB", 2048, "dup")
	nokid := jwttest.Ed25519(9, "")
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(a, b, nokid)})
	// Duplicate kids: every matching key is tried.
	_, err := verify(t, v, a.Sign(jwttest.Default()))
	require.NoError(t, err)
	_, err = verify(t, v, b.Sign(jwttest.Default()))
	require.NoError(t, err)
	// Kid-less token matches the kid-less key.
	_, err = verify(t, v, nokid.Sign(jwttest.Default()))
	require.NoError(t, err)
	// Kid-less key is not tried for a token with a kid.
	_, err = verify(t, v, nokid.WithKID("x").Sign(jwttest.Default()))
	requireOnly(t, err, jwtauth.ErrUnknownKey)
}

// Grafana's TestIntegrationSignatureWithNoneAlgorithm, any case.
func TestAlgNone(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
	genuine := strings.Split(k.Sign(jwttest.Default()), ".")[2]
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		h, _ := json.Marshal(map[string]any{"alg": alg, "kid": "good"})
		p, _ := json.Marshal(jwttest.Default())
		for _, sig := range []string{"", genuine} {
			tok := jwttest.B64(h) + "." + jwttest.B64(p) + "." + sig
			_, err := verify(t, v, tok)
			requireOnly(t, err, jwtauth.ErrAlgorithm) // unsecured JWS or copied signature

		}
	}
	for _, algs := range [][]string{{"none"}, {"RS256", "NONE"}} {
		_, err := jwtauth.New(jwtauth.Config{JWKSetValue: jwksValue(k), Algorithms: algs})
		requireOnly(t, err, jwtauth.ErrInvalidConfig)
	}
}

func TestAlgorithms(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} {
		_, err := verify(t, v, k.WithAlg(alg).Sign(jwttest.Default()))
		require.NoError(t, err, "%s (RS384 included, unlike Grafana)", alg)
	}
	only := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), Algorithms: []string{"PS256"}})
	_, err := verify(t, only, k.Sign(jwttest.Default()))
	requireOnly(t, err, jwtauth.ErrAlgorithm)
	// HS256 signed with the RSA public key as secret: the key cannot verify HS256.
	hs := jwttest.HMAC("HS256", k.PublicPEM(), "good")
	_, err = verify(t, v, hs.Sign(jwttest.Default()))
	requireOnly(t, err, jwtauth.ErrAlgorithm)
}

// Grafana's TestIntegrationClaimValidation, through the full verifier.
func TestClaimValidation(t *testing.T) {
	k := rsaGood()
	mk := func(expect map[string]any) *jwtauth.Verifier {
		return newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), ExpectClaims: expect})
	}
	with := func(extra map[string]any) string { return k.Sign(claimsWith(extra)) }
	check := func(t *testing.T, v *jwtauth.Verifier, tok string, want error) {
		t.Helper()
		_, err := verify(t, v, tok)
		if want == nil {
			require.NoError(t, err)
			return
		}
		requireOnly(t, err, want)
	}
	t.Run("iss", func(t *testing.T) {
		v := mk(map[string]any{"iss": "http://foo"})
		check(t, v, with(map[string]any{"iss": "http://foo"}), nil)
		check(t, v, with(map[string]any{"iss": "http://bar"}), jwtauth.ErrClaimMismatch)
		check(t, v, with(nil), jwtauth.ErrMissingClaim)
	})
	t.Run("sub", func(t *testing.T) {
		v := mk(map[string]any{"sub": "foo"})
		check(t, v, with(map[string]any{"sub": "foo"}), nil)
		check(t, v, with(map[string]any{"sub": "bar"}), jwtauth.ErrClaimMismatch)
	})
	t.Run("aud any-of", func(t *testing.T) {
		// Grafana with go-jose v2/v3 required every expected audience; jwtgate
		// (like go-jose v4) requires at least one.
		v := mk(map[string]any{"aud": []any{"foo", "bar"}})
		check(t, v, with(map[string]any{"aud": []any{"bar", "foo"}}), nil)
		check(t, v, with(map[string]any{"aud": []any{"foo", "bar", "baz"}}), nil)
		check(t, v, with(map[string]any{"aud": []any{"foo"}}), nil)
		check(t, v, with(map[string]any{"aud": []any{"bar", "baz"}}), nil)
		check(t, v, with(map[string]any{"aud": []any{"baz"}}), jwtauth.ErrClaimMismatch)
		check(t, v, with(map[string]any{"aud": "foo"}), nil)
		check(t, v, with(nil), jwtauth.ErrMissingClaim)
	})
	t.Run("custom", func(t *testing.T) {
		v := mk(map[string]any{"my-str": "foo", "my-number": 123})
		check(t, v, with(map[string]any{"my-str": "foo", "my-number": 123}), nil)
		check(t, v, with(map[string]any{"my-str": "bar", "my-number": 123}), jwtauth.ErrClaimMismatch)
		check(t, v, with(map[string]any{"my-str": "foo", "my-number": 100}), jwtauth.ErrClaimMismatch)
		check(t, v, with(map[string]any{"my-number": 123}), jwtauth.ErrMissingClaim)
		check(t, v, with(map[string]any{"my-str": "foo"}), jwtauth.ErrMissingClaim)
		check(t, v, with(map[string]any{"my-str": "foo", "my-number": "123"}), jwtauth.ErrClaimMismatch)
	})
	v := mk(nil)
	t.Run("exp", func(t *testing.T) {
		check(t, v, with(map[string]any{"exp": jwttest.Unix(time.Hour)}), nil)
		check(t, v, with(map[string]any{"exp": jwttest.Unix(-time.Hour)}), jwtauth.ErrExpired)
		check(t, v, with(map[string]any{"exp": jwttest.Unix(-59 * time.Second)}), nil)
		check(t, v, with(map[string]any{"exp": jwttest.Unix(-61 * time.Second)}), jwtauth.ErrExpired)
		check(t, v, with(map[string]any{"exp": "1900000000"}), jwtauth.ErrMalformed)
		check(t, v, with(map[string]any{"exp": nil}), nil) // absent: Grafana accepts
		check(t, v, k.Sign(`{"sub":"alice","exp":null}`), nil)
		strict := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), RequireExp: true})
		check(t, strict, with(map[string]any{"exp": nil}), jwtauth.ErrMissingClaim)
		none := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), Leeway: -1})
		check(t, none, with(map[string]any{"exp": jwttest.Unix(-time.Second)}), jwtauth.ErrExpired)
	})
	t.Run("nbf", func(t *testing.T) {
		check(t, v, with(map[string]any{"nbf": jwttest.Unix(-time.Hour)}), nil)
		check(t, v, with(map[string]any{"nbf": jwttest.Unix(time.Hour)}), jwtauth.ErrNotYetValid)
		check(t, v, with(map[string]any{"nbf": jwttest.Unix(59 * time.Second)}), nil)
		check(t, v, with(map[string]any{"nbf": jwttest.Unix(61 * time.Second)}), jwtauth.ErrNotYetValid)
	})
	t.Run("iat", func(t *testing.T) {
		check(t, v, with(map[string]any{"iat": jwttest.Unix(-time.Hour)}), nil)
		check(t, v, with(map[string]any{"iat": jwttest.Unix(time.Hour)}), jwtauth.ErrIssuedInFuture)
		check(t, v, with(map[string]any{"iat": jwttest.Unix(59 * time.Second)}), nil)
		check(t, v, with(map[string]any{"iat": jwttest.Unix(61 * time.Second)}), jwtauth.ErrIssuedInFuture)
	})
	t.Run("sub required", func(t *testing.T) {
		check(t, v, with(map[string]any{"sub": nil}), jwtauth.ErrMissingClaim)
		check(t, v, with(map[string]any{"sub": ""}), jwtauth.ErrMissingClaim)
		check(t, v, with(map[string]any{"sub": 123}), jwtauth.ErrMalformed)
	})
}

// Grafana's TestIntegrationBase64Paddings, plus AWS ALB's padded signing input.
func TestBase64Paddings(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
	for pad := 0; pad <= 2; pad++ {
		t.Run(fmt.Sprint(pad), func(t *testing.T) {
			// Find a payload whose encoding needs exactly pad '='.
			for i := 0; ; i++ {
				c := jwttest.Default()
				c["x"] = strings.Repeat("y", i)
				tok := k.Sign(c)
				parts := strings.Split(tok, ".")
				if (4-len(parts[1])%4)%4 != pad {
					continue
				}
				parts[1] += strings.Repeat("=", pad)
				for len(parts[0])%4 != 0 {
					parts[0] += "="
				}
				_, err := verify(t, v, strings.Join(parts, "."))
				require.NoError(t, err)
				return
			}
		})
	}
	t.Run("signed over the padded form", func(t *testing.T) {
		c, _ := json.Marshal(jwttest.Default())
		h := pad64(jwttest.B64([]byte(`{"alg":"RS256","kid":"good"}`)))
		p := pad64(jwttest.B64(c))
		in := h + "." + p
		_, err := verify(t, v, in+"."+pad64(jwttest.B64(k.SignInput("RS256", []byte(in)))))
		require.NoError(t, err)
	})
}

func pad64(s string) string {
	for len(s)%4 != 0 {
		s += "="
	}
	return s
}

// The published RFC vectors through the full verifier, fixed clock.
func TestVectorsFullVerifier(t *testing.T) {
	for _, vec := range jwttest.Vectors() {
		t.Run(vec.File, func(t *testing.T) {
			v := newV(t, jwtauth.Config{
				JWKSetValue: jwttest.Base64(vec.JWKS()),
				Now:         func() time.Time { return time.Unix(1300819000, 0) },
			})
			_, err := verify(t, v, vec.Token)
			if strings.HasPrefix(vec.Payload, "{") {
				// RFC 7515 A.1-A.3: signature and times pass, no sub.
				requireOnly(t, err, jwtauth.ErrMissingClaim)
				var ve *jwtauth.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "sub", ve.Claim)
			} else {
				requireOnly(t, err, jwtauth.ErrMalformed) // plain-text payload
			}
			real := newV(t, jwtauth.Config{JWKSetValue: jwttest.Base64(vec.JWKS()), Now: time.Now})
			_, err = verify(t, real, vec.Token)
			if strings.HasPrefix(vec.Payload, "{") {
				requireOnly(t, err, jwtauth.ErrExpired)
			}
		})
	}
}

// Grafana's TestJWTClaimConfig and the login fallback.
func TestLoginAndEmail(t *testing.T) {
	k := rsaGood()
	tok := k.Sign(map[string]any{"sub": "s-1", "login": "al", "email": "al@x", "name": "Al", "exp": jwttest.Unix(time.Hour)})
	for name, tc := range map[string]struct {
		cfg                jwtauth.Config
		login, email, fail string
	}{
		"email and username": {jwtauth.Config{UsernameClaim: "login", EmailClaim: "email"}, "al", "al@x", ""},
		"email only":         {jwtauth.Config{EmailClaim: "email"}, "", "al@x", ""},
		"username only":      {jwtauth.Config{UsernameClaim: "login"}, "al", "", ""},
		"neither configured": {jwtauth.Config{}, "s-1", "", ""},
		"configured, absent": {jwtauth.Config{UsernameClaim: "nope", EmailClaim: "nada"}, "", "", "login"},
		"attribute paths":    {jwtauth.Config{UsernameAttributePath: "name", EmailAttributePath: "email"}, "Al", "al@x", ""},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.JWKSetValue = jwksValue(k)
			v := newV(t, cfg)
			id, err := verify(t, v, tok)
			if tc.fail != "" {
				requireOnly(t, err, jwtauth.ErrMissingClaim)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.login, id.Login)
			assert.Equal(t, tc.email, id.Email)
			assert.Equal(t, "Al", id.Name)
			assert.Equal(t, "s-1", id.Subject)
			assert.Equal(t, jwttest.Epoch.Add(time.Hour).Unix(), id.ExpiresAt.Unix())
			assert.Equal(t, "al@x", id.Claims["email"])
		})
	}
}

func TestIdentityMapping(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{
		JWKSetValue:             jwksValue(k),
		UsernameClaim:           "preferred_username",
		RoleAttributePath:       "contains(groups[*], 'admins') && 'GrafanaAdmin' || 'Viewer'",
		AllowAssignGrafanaAdmin: true,
		GroupsAttributePath:     "groups",
		OrgAttributePath:        "orgs",
		OrgMapping:              []string{"acme:4:Editor", "*:1:Viewer"},
		AutoSignUp:              true,
	})
	id, err := verify(t, v, k.Sign(map[string]any{
		"sub": "u1", "preferred_username": "jdoe", "iss": "https://idp",
		"groups": []string{"admins", "dev"}, "orgs": []string{"acme"},
	}))
	require.NoError(t, err)
	assert.Equal(t, "jdoe", id.Login)
	assert.Equal(t, "https://idp", id.Issuer)
	assert.Equal(t, jwtauth.RoleAdmin, id.Role)
	require.NotNil(t, id.IsGrafanaAdmin)
	assert.True(t, *id.IsGrafanaAdmin)
	assert.Equal(t, []string{"admins", "dev"}, id.Groups)
	assert.Equal(t, map[string]jwtauth.Role{"4": jwtauth.RoleAdmin, "1": jwtauth.RoleAdmin}, id.OrgRoles)
	assert.True(t, id.AllowSignUp)
	assert.True(t, id.ExpiresAt.IsZero(), "no exp")

	strict := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), RoleAttributePath: "role", RoleAttributeStrict: true, EmailClaim: "email"})
	_, err = verify(t, strict, k.Sign(map[string]any{"sub": "u1", "role": "Superuser"}))
	requireOnly(t, err, jwtauth.ErrNoRole) // before the login/email rule

	bad := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), UsernameAttributePath: "abs(name)"})
	_, err = verify(t, bad, k.Sign(map[string]any{"sub": "u1", "name": "x"}))
	requireOnly(t, err, jwtauth.ErrAttributePath)
}

func TestNewValidation(t *testing.T) {
	k := rsaGood()
	jv := jwksValue(k)
	for name, tc := range map[string]struct {
		cfg   jwtauth.Config
		field string
	}{
		"no source":           {jwtauth.Config{}, "key source"},
		"two sources":         {jwtauth.Config{JWKSetValue: jv, KeyValue: jwttest.Base64(k.PublicPEM())}, "JWKSetValue"},
		"url and issuer":      {jwtauth.Config{JWKSetURL: "https://a/jwks", OIDCIssuerURL: "https://a"}, "OIDCIssuerURL"},
		"unknown alg":         {jwtauth.Config{JWKSetValue: jv, Algorithms: []string{"RS256", "XS999"}}, "Algorithms"},
		"lowercase alg":       {jwtauth.Config{JWKSetValue: jv, Algorithms: []string{"rs256"}}, "Algorithms"},
		"empty algs":          {jwtauth.Config{JWKSetValue: jv, Algorithms: []string{}}, "Algorithms"},
		"bad header":          {jwtauth.Config{JWKSetValue: jv, HeaderName: "X Token"}, "HeaderName"},
		"header CRLF":         {jwtauth.Config{JWKSetValue: jv, HeaderName: "X-T\r\nY"}, "HeaderName"},
		"bad cookie":          {jwtauth.Config{JWKSetValue: jv, CookieName: "a;b"}, "CookieName"},
		"key id with jwks":    {jwtauth.Config{JWKSetValue: jv, KeyID: "x"}, "KeyID"},
		"tls with static":     {jwtauth.Config{JWKSetValue: jv, TLSClientCA: "/x"}, "TLSClientCA"},
		"bad expect":          {jwtauth.Config{JWKSetValue: jv, ExpectClaims: map[string]any{"iss": 5}}, "ExpectClaims"},
		"bad path":            {jwtauth.Config{JWKSetValue: jv, RoleAttributePath: "foo["}, "RoleAttributePath"},
		"bad key value":       {jwtauth.Config{KeyValue: "!!!"}, "KeyValue"},
		"bad jwks value":      {jwtauth.Config{JWKSetValue: jwttest.Base64([]byte(`{"keys":[]}`))}, "JWKSetValue"},
		"missing key file":    {jwtauth.Config{KeyFile: "/nonexistent/key.pem"}, "KeyFile"},
		"private key":         {jwtauth.Config{KeyValue: jwttest.Base64(privatePEM(t, k))}, "KeyValue"},
		"http jwks url":       {jwtauth.Config{JWKSetURL: "http://idp/jwks"}, "JWKSetURL"},
		"bad auto assign":     {jwtauth.Config{JWKSetValue: jv, AutoAssignOrgRole: "Owner"}, "AutoAssignOrgRole"},
		"bad strict org map":  {jwtauth.Config{JWKSetValue: jv, RoleAttributeStrict: true, OrgMapping: []string{"a:b:c:d"}}, "OrgMapping"},
		"http client and tls": {jwtauth.Config{JWKSetURL: "https://idp/jwks", HTTPClient: http.DefaultClient, TLSClientCA: "/x"}, "TLSClientCA"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := jwtauth.New(tc.cfg)
			requireOnly(t, err, jwtauth.ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
}

func TestNewDoesNoNetworkIO(t *testing.T) {
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	v, err := jwtauth.New(jwtauth.Config{JWKSetURL: srv.URL, InsecureAllowHTTP: true})
	require.NoError(t, err)
	require.NoError(t, v.Close())
	require.NoError(t, v.Close(), "Close is idempotent")
	assert.Zero(t, hits)
}

func TestTokenSources(t *testing.T) {
	k := rsaGood()
	good := k.Sign(jwttest.Default())
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), URLLogin: true, CookieName: "jwt"})
	req := func(target, auth string, cookie string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: "jwt", Value: cookie})
		}
		return r
	}
	for name, tc := range map[string]struct {
		r    *http.Request
		want error
	}{
		"Bearer":                  {req("/", "Bearer "+good, ""), nil},
		"bearer":                  {req("/", "bearer "+good, ""), nil},
		"BEARER":                  {req("/", "BEARER "+good, ""), nil},
		"bare":                    {req("/", good, ""), nil},
		"two spaces":              {req("/", "Bearer  "+good, ""), jwtauth.ErrMalformed},
		"tab":                     {req("/", "Bearer\t"+good, ""), jwtauth.ErrMalformed},
		"double Bearer":           {req("/", "Bearer Bearer "+good, ""), jwtauth.ErrMalformed},
		"Basic":                   {req("/", "Basic dXNlcjpwYXNz", ""), jwtauth.ErrMalformed},
		"none":                    {req("/", "", ""), jwtauth.ErrNoToken},
		"query":                   {req("/?auth_token="+good, "", ""), nil},
		"cookie":                  {req("/", "", good), nil},
		"header beats query":      {req("/?auth_token="+good, "Bearer garbage", ""), jwtauth.ErrMalformed},
		"header beats bad cookie": {req("/", "Bearer "+good, "garbage"), nil},
	} {
		t.Run(name, func(t *testing.T) {
			w, id, _ := serve(v, tc.r)
			if tc.want == nil {
				require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
				require.NotNil(t, id)
				assert.Equal(t, "alice", id.Subject)
				return
			}
			assert.Equal(t, http.StatusUnauthorized, w.Code)
			_, err := v.VerifyRequest(tc.r)
			requireOnly(t, err, tc.want)
			if tc.want == jwtauth.ErrNoToken {
				assert.Equal(t, "Bearer", w.Header().Get("WWW-Authenticate"))
			} else {
				assert.Equal(t, `Bearer error="invalid_token"`, w.Header().Get("WWW-Authenticate"))
			}
		})
	}
	t.Run("repeated header", func(t *testing.T) {
		r := req("/", "Bearer "+good, "")
		r.Header.Add("Authorization", "Bearer "+good)
		_, err := v.VerifyRequest(r)
		requireOnly(t, err, jwtauth.ErrMalformed)
	})
	t.Run("custom header", func(t *testing.T) {
		cv := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), HeaderName: "x-jwt-assertion"})
		r := req("/", "", "")
		r.Header.Set("X-JWT-Assertion", good)
		_, err := cv.VerifyRequest(r)
		require.NoError(t, err)
		_, err = cv.VerifyRequest(req("/", "Bearer "+good, ""))
		requireOnly(t, err, jwtauth.ErrNoToken)
	})
	t.Run("url_login off", func(t *testing.T) {
		off := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
		_, err := off.VerifyRequest(req("/?auth_token="+good, "", ""))
		requireOnly(t, err, jwtauth.ErrNoToken)
		_, err = off.VerifyRequest(req("/", "", good))
		requireOnly(t, err, jwtauth.ErrNoToken)
	})
}

// Grafana's TestJWTStripParam, with order and encoding of the rest kept.
func TestURLLoginStripsToken(t *testing.T) {
	k := rsaGood()
	good := k.Sign(jwttest.Default())
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), URLLogin: true})
	r := httptest.NewRequest(http.MethodGet, "/d/abc?panel=2&auth_token="+good+"&other_param=other%20value", nil)
	w, id, seen := serve(v, r)
	require.Equal(t, http.StatusNoContent, w.Code)
	require.NotNil(t, id)
	assert.Equal(t, "panel=2&other_param=other%20value", seen.URL.RawQuery)
	assert.NotContains(t, seen.RequestURI, "auth_token")

	expired := k.Sign(map[string]any{"sub": "alice", "exp": jwttest.Unix(-time.Hour)})
	r = httptest.NewRequest(http.MethodGet, "/?auth_token="+expired+"&panel=2", nil)
	w, id, _ = serve(v, r)
	assert.Nil(t, id)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.NotContains(t, w.Body.String(), expired[:30])
	assert.Equal(t, "panel=2", r.URL.RawQuery, "stripped even when refused")
}

func TestErrorResponses(t *testing.T) {
	k := rsaGood()
	tok := k.Sign(jwttest.Default())
	for name, tc := range map[string]struct {
		src    *countingSource
		status int
		header string
	}{
		"unavailable": {&countingSource{err: retryErr{fmt.Errorf("%w: idp down", jwks.ErrUnavailable)}}, 503, "Retry-After"},
		"custom err":  {&countingSource{err: errBoom}, 503, "Retry-After"},
	} {
		t.Run(name, func(t *testing.T) {
			v := newV(t, jwtauth.Config{Keys: tc.src})
			w, id, _ := serve(v, httptest.NewRequest(http.MethodGet, "/", nil))
			assert.Equal(t, 401, w.Code, "no token first")
			assert.Nil(t, id)
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			w, id, _ = serve(v, r)
			assert.Nil(t, id)
			assert.Equal(t, tc.status, w.Code)
			assert.NotEmpty(t, w.Header().Get(tc.header))
			assert.NotContains(t, w.Body.String(), "idp down")
			assert.NotContains(t, w.Body.String(), "boom")
			_, err := v.Verify(t.Context(), tok)
			requireOnly(t, err, jwtauth.ErrKeysUnavailable)
		})
	}
	assert.Equal(t, "42", func() string {
		w := httptest.NewRecorder()
		jwtauth.DefaultErrorHandler(w, httptest.NewRequest("GET", "/", nil), &jwtauth.ValidationError{Reason: jwtauth.ErrKeysUnavailable, Err: retryErr{errBoom}})
		return w.Header().Get("Retry-After")
	}())
	for err, code := range map[error]int{
		nil: 200, jwtauth.ErrNoToken: 401, jwtauth.ErrExpired: 401, jwtauth.ErrNoRole: 403,
		jwtauth.ErrAttributePath: 400, jwtauth.ErrKeysUnavailable: 503, errBoom: 401, jwtauth.ErrInvalidConfig: 500,
	} {
		assert.Equal(t, code, jwtauth.StatusCode(err), "%v", err)
	}
	w := httptest.NewRecorder()
	jwtauth.DefaultErrorHandler(w, nil, &jwtauth.ValidationError{Reason: jwtauth.ErrNoRole})
	assert.Equal(t, `Bearer error="insufficient_scope"`, w.Header().Get("WWW-Authenticate"))
	var body map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, "jwt.invalid_role", body["messageId"])
}

func TestTokenCache(t *testing.T) {
	k := rsaGood()
	now := jwttest.Epoch
	src := &countingSource{set: mustSet(t, k)}
	v := newV(t, jwtauth.Config{Keys: src, Now: func() time.Time { return now }, Leeway: -1})
	tok := k.Sign(map[string]any{"sub": "alice", "exp": jwttest.Unix(10 * time.Minute), "groups": []string{"a"}})

	id1, err := verify(t, v, tok)
	require.NoError(t, err)
	id1.Login = "mallory"
	id1.Groups = append(id1.Groups[:0], "evil")
	id1.OrgRoles["1"] = jwtauth.RoleAdmin

	id2, err := verify(t, v, tok)
	require.NoError(t, err)
	st := v.Stats()
	assert.Equal(t, uint64(1), st.TokenCacheHits)
	assert.Equal(t, 1, st.TokenCacheSize)
	assert.Equal(t, "alice", id2.Login, "a caller cannot corrupt the cache")
	assert.NotEqual(t, jwtauth.RoleAdmin, id2.OrgRoles["1"])

	// Expiry while cached.
	now = now.Add(11 * time.Minute)
	_, err = verify(t, v, tok)
	requireOnly(t, err, jwtauth.ErrExpired)

	// Key removal evicts.
	now = jwttest.Epoch
	_, err = verify(t, v, tok)
	require.NoError(t, err)
	src.set = mustSet(t, jwttest.RSA("rotated", 2048, "good2"))
	_, err = verify(t, v, tok)
	requireOnly(t, err, jwtauth.ErrUnknownKey)

	off := newV(t, jwtauth.Config{Keys: &countingSource{set: mustSet(t, k)}, TokenCacheSize: -1})
	_, err = verify(t, off, tok)
	require.NoError(t, err)
	_, err = verify(t, off, tok)
	require.NoError(t, err)
	assert.Zero(t, off.Stats().TokenCacheHits)
}

func TestStats(t *testing.T) {
	k := rsaGood()
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
	_, _ = verify(t, v, k.Sign(jwttest.Default()))
	_, _ = verify(t, v, "garbage")
	_, _ = verify(t, v, k.Sign(map[string]any{"sub": "a", "exp": jwttest.Unix(-time.Hour)}))
	s := v.Stats()
	assert.Equal(t, uint64(1), s.Verified)
	assert.Equal(t, map[string]uint64{"ErrMalformed": 1, "ErrExpired": 1}, s.Refused)
	assert.Equal(t, "JWKSetValue", s.Keys.Source)
	assert.Equal(t, []string{"good"}, s.Keys.KeyIDs)
	require.Len(t, s.Issuers, 1)
}

func mustSet(t testing.TB, ks ...*jwttest.Key) *keys.Set {
	t.Helper()
	var kk []keys.Key
	for _, k := range ks {
		kk = append(kk, keys.Key{ID: k.KID, Public: k.Public})
	}
	s, err := keys.NewSet(kk...)
	require.NoError(t, err)
	return s
}

func TestURLLoginStripsTokenWhateverTheSource(t *testing.T) {
	k := rsaGood()
	good := k.Sign(jwttest.Default())
	v := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), URLLogin: true})
	// The header wins, and a second token in the query still leaves the URL.
	r := httptest.NewRequest(http.MethodGet, "/x?auth_token=second-token&a=1", nil)
	r.Header.Set("Authorization", "Bearer "+good)
	_, err := v.VerifyRequest(r)
	require.NoError(t, err)
	assert.Equal(t, "a=1", r.URL.RawQuery)
	// The parameter name is matched after unescaping, as url.Query does.
	r = httptest.NewRequest(http.MethodGet, "/x?auth%5Ftoken="+good+"&b=2", nil)
	_, err = v.VerifyRequest(r)
	require.NoError(t, err)
	assert.Equal(t, "b=2", r.URL.RawQuery)
	// Repeated: refused, and both removed.
	r = httptest.NewRequest(http.MethodGet, "/x?auth_token="+good+"&auth_token="+good, nil)
	_, err = v.VerifyRequest(r)
	requireOnly(t, err, jwtauth.ErrMalformed)
	assert.Empty(t, r.URL.RawQuery)
}

func TestRefresh(t *testing.T) {
	k := rsaGood()
	srv, hits := jwksServer(t, k)
	v := newV(t, jwtauth.Config{JWKSetURL: srv.URL, InsecureAllowHTTP: true})
	require.NoError(t, v.Refresh(t.Context()))
	assert.Equal(t, int64(1), hits.Load())
	ks := v.Stats().Keys
	assert.Equal(t, []string{"good"}, ks.KeyIDs)
	assert.True(t, ks.Remote)
	assert.Equal(t, srv.URL, ks.URL)

	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 500) }))
	defer down.Close()
	v = newV(t, jwtauth.Config{JWKSetURL: down.URL, InsecureAllowHTTP: true})
	require.ErrorIs(t, v.Refresh(t.Context()), jwtauth.ErrKeysUnavailable)

	static := newV(t, jwtauth.Config{JWKSetValue: jwksValue(k)})
	require.NoError(t, static.Refresh(t.Context()))
}
