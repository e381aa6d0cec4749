package jwtauth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

func typVerifier(t *testing.T, types []string, k *jwttest.Key) *jwtauth.Verifier {
	t.Helper()
	return newV(t, jwtauth.Config{JWKSetValue: jwksValue(k), TokenTypes: types})
}

// withTyp signs the default claims with the given typ header; nil leaves
// typ out.
func withTyp(k *jwttest.Key, typ any) string {
	return k.Sign(jwttest.Default(), map[string]any{"typ": typ})
}

func TestTokenTypes(t *testing.T) {
	k := rsaGood()
	for _, tc := range []struct {
		name  string
		types []string
		typ   any
		want  error
	}{
		{"exact", []string{"at+jwt"}, "at+jwt", nil},
		{"upper case", []string{"at+jwt"}, "AT+JWT", nil},
		{"application/ prefix", []string{"at+jwt"}, "application/at+jwt", nil},
		{"prefix in mixed case", []string{"at+jwt"}, "Application/At+Jwt", nil},
		{"configured with the prefix", []string{"application/AT+JWT"}, "at+jwt", nil},
		{"second listed type", []string{"at+jwt", "JWT"}, "jwt", nil},
		{"absent", []string{"at+jwt"}, nil, jwtauth.ErrClaimMismatch},
		{"empty string", []string{"at+jwt"}, "", jwtauth.ErrClaimMismatch},
		{"unlisted JWT", []string{"at+jwt"}, "JWT", jwtauth.ErrClaimMismatch},
		{"ID token typ", []string{"at+jwt"}, "id_token+jwt", jwtauth.ErrClaimMismatch},
		{"other media type top level", []string{"at+jwt"}, "text/at+jwt", jwtauth.ErrClaimMismatch},
		{"prefix alone", []string{"at+jwt"}, "application/", jwtauth.ErrClaimMismatch},
		{"trailing space", []string{"at+jwt"}, "at+jwt ", jwtauth.ErrClaimMismatch},
		{"prefix twice", []string{"at+jwt"}, "application/application/at+jwt", jwtauth.ErrClaimMismatch},
		{"nil list: absent", nil, nil, nil},
		{"nil list: JWT", nil, "JWT", nil},
		{"nil list: anything", nil, "dpop+jwt", nil},
		{"number", []string{"at+jwt"}, 1, jwtauth.ErrMalformed},
		{"nil list: number", nil, 1, jwtauth.ErrMalformed},
		{"nil list: array", nil, []string{"at+jwt"}, jwtauth.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := typVerifier(t, tc.types, k)
			id, err := verify(t, v, withTyp(k, tc.typ))
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, "alice", id.Subject)
				return
			}
			requireOnly(t, err, tc.want)
			ve, ok := errors.AsType[*jwtauth.ValidationError](err)
			require.True(t, ok)
			assert.Equal(t, "typ", ve.Claim)
		})
	}
}

// The typ check comes after the signature: a forged token with the wrong
// typ is a signature fault, not a typ one.
func TestTokenTypesAfterSignature(t *testing.T) {
	k := rsaGood()
	v := typVerifier(t, []string{"at+jwt"}, k)
	forged := jwttest.RSA("other", 2048, "good").Sign(jwttest.Default(), map[string]any{"typ": "JWT"})
	_, err := verify(t, v, forged)
	requireOnly(t, err, jwtauth.ErrSignature)
}

// A refused typ is refused every time (refusals are not cached), and an
// accepted token is still accepted from the cache.
func TestTokenTypesWithCache(t *testing.T) {
	k := rsaGood()
	v := typVerifier(t, []string{"at+jwt"}, k)
	idTok := withTyp(k, "JWT")
	atTok := withTyp(k, "at+jwt")
	for range 3 {
		_, err := verify(t, v, idTok)
		requireOnly(t, err, jwtauth.ErrClaimMismatch)
		_, err = verify(t, v, atTok)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 2, v.Stats().TokenCacheHits)
}

// Under NewMulti each issuer has its own TokenTypes.
func TestTokenTypesPerIssuer(t *testing.T) {
	a, b := jwttest.Ed25519(1, "a"), jwttest.Ed25519(2, "b")
	v, err := jwtauth.NewMulti(
		jwtauth.Config{JWKSetValue: jwksValue(a), ExpectClaims: map[string]any{"iss": "https://a.example"}, TokenTypes: []string{"at+jwt"}, Now: jwttest.Clock()},
		jwtauth.Config{JWKSetValue: jwksValue(b), ExpectClaims: map[string]any{"iss": "https://b.example"}},
	)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	sign := func(k *jwttest.Key, iss string, typ any) string {
		return k.Sign(claimsWith(map[string]any{"iss": iss}), map[string]any{"typ": typ})
	}
	_, err = verify(t, v, sign(a, "https://a.example", "JWT"))
	requireOnly(t, err, jwtauth.ErrClaimMismatch)
	_, err = verify(t, v, sign(a, "https://a.example", "at+jwt"))
	require.NoError(t, err)
	_, err = verify(t, v, sign(b, "https://b.example", "JWT"))
	require.NoError(t, err)
}

func TestTokenTypesConfig(t *testing.T) {
	k := rsaGood()
	for _, types := range [][]string{{}, {""}, {"application/"}, {"at jwt"}, {"at+jwt\n"}} {
		_, err := jwtauth.New(jwtauth.Config{JWKSetValue: jwksValue(k), TokenTypes: types})
		require.ErrorIs(t, err, jwtauth.ErrInvalidConfig, "%q", types)
		assert.Contains(t, err.Error(), "TokenTypes")
	}
}

// An ID token refused where at+jwt is required, with a jwtauthtest issuer
// minting both: same issuer, key, aud, sub and scope; only typ differs.
// Without TokenTypes the same ID token passes: that is the substitution
// TokenTypes closes.
func TestIDTokenRefusedWhereAccessTokenRequired(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	claims := map[string]any{"sub": "alice", "aud": "https://api.example.com", "scope": "orders:read"}
	accessToken := iss.SignWith(map[string]any{"typ": "at+jwt"}, claims)
	idToken := iss.Sign(claims) // typ "JWT", as providers type ID tokens

	cfg := iss.Config()
	cfg.ExpectClaims["aud"] = "https://api.example.com"
	cfg.TokenTypes = []string{"at+jwt"}
	cfg.Now = time.Now // the issuer signs with the real clock
	v := newV(t, cfg)
	id, err := verify(t, v, accessToken)
	require.NoError(t, err)
	assert.Equal(t, []string{"orders:read"}, id.Scopes)
	_, err = verify(t, v, idToken)
	requireOnly(t, err, jwtauth.ErrClaimMismatch)
	ve, ok := errors.AsType[*jwtauth.ValidationError](err)
	require.True(t, ok)
	assert.Equal(t, "typ", ve.Claim)

	// Through the middleware: 401 invalid_token.
	w := scopeRequest(t, v, v.RequireScope("orders:read")(okHandler()), idToken)
	assert.Equal(t, 401, w.Code)
	assert.Equal(t, `Bearer error="invalid_token"`, w.Header().Get("WWW-Authenticate"))

	cfg = iss.Config()
	cfg.ExpectClaims["aud"] = "https://api.example.com"
	cfg.Now = time.Now
	_, err = verify(t, newV(t, cfg), idToken)
	require.NoError(t, err, "without TokenTypes an ID token with the API's aud passes")
}
