package jwtauth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

// unfold joins an example printed with RFC 8792 "\" line wrapping (or
// plain line breaks): every backslash and white space goes.
func unfold(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\\' || r == ' ' || r == '\n' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// RFC 9449 §4.1 Figure 2 (also Figure 5): a proof for a token request.
var rfc9449Figure2 = unfold(`
eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6Ik
VDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCR
nMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JE
QSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIj
oiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwia
WF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg
4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg`)

// RFC 9449 §7.1 Figure 13: a protected-resource request with a DPoP-bound
// access token and its proof (decoded in Figure 14).
const (
	rfc9449Figure13Token  = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
	rfc9449Figure13Method = "GET"
	rfc9449Figure13URL    = "https://resource.example.org/protectedresource"
	rfc9449Figure13IAT    = 1562262618
	rfc9449Figure14ATH    = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
	// RFC 9449 §6.1 Figure 7 (and §6.2): the cnf.jkt of tokens bound to
	// the example key, its RFC 7638 SHA-256 thumbprint.
	rfc9449JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
)

var rfc9449Figure13 = unfold(`
eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6Ik\
VDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCR\
nMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JE\
QSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIj\
oiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0Z\
WRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNF\
c05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71E\
OptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA`)

// RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
const (
	rfc7638N     = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	rfc7638Thumb = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
)

func thumbprintOf(t *testing.T, jwk *jose.JSONWebKey) string {
	t.Helper()
	tp, err := jwk.Thumbprint(crypto.SHA256)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(tp)
}

// TestDPoPVectorRFC7638Thumbprint reproduces RFC 7638 §3.1 with the
// thumbprint function the proof check uses.
func TestDPoPVectorRFC7638Thumbprint(t *testing.T) {
	var jwk jose.JSONWebKey
	require.NoError(t, jwk.UnmarshalJSON([]byte(`{"kty":"RSA","n":"`+rfc7638N+`","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`)))
	require.Equal(t, rfc7638Thumb, thumbprintOf(t, &jwk))
}

// TestDPoPVectorRFC9449Figure2 verifies the RFC's token-request proof with
// its embedded key, decodes the claims of Figure 4, and computes the
// thumbprint of RFC 9449 §6.1.
func TestDPoPVectorRFC9449Figure2(t *testing.T) {
	jws, err := jose.ParseSignedCompact(rfc9449Figure2, []jose.SignatureAlgorithm{jose.ES256})
	require.NoError(t, err)
	require.Equal(t, "dpop+jwt", jws.Signatures[0].Protected.ExtraHeaders[jose.HeaderType])
	jwk := jws.Signatures[0].Protected.JSONWebKey
	require.NotNil(t, jwk)
	require.True(t, jwk.IsPublic())
	payload, err := jws.Verify(jwk)
	require.NoError(t, err)
	require.JSONEq(t, `{"jti":"-BwC3ESc6acc2lTc","htm":"POST","htu":"https://server.example.com/token","iat":1562262616}`, string(payload))
	require.Equal(t, rfc9449JKT, thumbprintOf(t, jwk))
}

// TestDPoPVectorRFC9449Figure13 runs the RFC's protected-resource proof
// through the proof check itself, at the RFC's own time, for the RFC's
// access token bound to the RFC's key: accepted once, then a replay.
func TestDPoPVectorRFC9449Figure13(t *testing.T) {
	sum := sha256.Sum256([]byte(rfc9449Figure13Token))
	require.Equal(t, rfc9449Figure14ATH, base64.RawURLEncoding.EncodeToString(sum[:]), "ath of Figure 14")

	at := time.Unix(rfc9449Figure13IAT, 0).Add(30 * time.Second)
	s, err := newSender([]Config{{DPoP: DPoPAllowed}}, func() time.Time { return at }, []configErrors{{}})
	require.NoError(t, err)
	r := httptest.NewRequest(rfc9449Figure13Method, rfc9449Figure13URL, nil)
	r.Header.Set("DPoP", rfc9449Figure13)

	require.NoError(t, s.checkProof(r, rfc9449Figure13Token, rfc9449JKT))
	err = s.checkProof(r, rfc9449Figure13Token, rfc9449JKT)
	require.ErrorIs(t, err, ErrDPoP)
	require.Equal(t, "jti", err.(*ValidationError).Claim)

	// The same proof for another token, method, URI or key fails.
	s, _ = newSender([]Config{{DPoP: DPoPAllowed}}, func() time.Time { return at }, []configErrors{{}})
	require.ErrorIs(t, s.checkProof(r, rfc9449Figure13Token+"x", rfc9449JKT), ErrDPoP)
	require.ErrorIs(t, s.checkProof(r, rfc9449Figure13Token, rfc7638Thumb), ErrDPoP)
	post := httptest.NewRequest("POST", rfc9449Figure13URL, nil)
	post.Header.Set("DPoP", rfc9449Figure13)
	require.ErrorIs(t, s.checkProof(post, rfc9449Figure13Token, rfc9449JKT), ErrDPoP)
}

// TestDPoPGoJoseRefusesNonPublicJWK pins the go-jose behaviour the proof
// check relies on behind its own member check: ParseSignedCompact refuses
// an embedded jwk that is a symmetric key or carries a private key.
func TestDPoPGoJoseRefusesNonPublicJWK(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	// Parsing refuses the header before any signature is looked at, so
	// the signature segment is a placeholder.
	sign := func(jwk any, alg jose.SignatureAlgorithm) string {
		hdr, err := json.Marshal(map[string]any{"typ": "dpop+jwt", "alg": alg, "jwk": jwk})
		require.NoError(t, err)
		return base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString([]byte(`{}`)) + ".AAAA"
	}
	private := jose.JSONWebKey{Key: ec}
	privJSON, err := private.MarshalJSON()
	require.NoError(t, err)
	var privMap map[string]any
	require.NoError(t, json.Unmarshal(privJSON, &privMap))
	require.Contains(t, privMap, "d")
	_, err = jose.ParseSignedCompact(sign(privMap, jose.ES256), []jose.SignatureAlgorithm{jose.ES256})
	require.Error(t, err, "embedded private EC jwk")

	secret := make([]byte, 32)
	oct := map[string]any{"kty": "oct", "k": base64.RawURLEncoding.EncodeToString(secret)}
	_, err = jose.ParseSignedCompact(sign(oct, jose.HS256), []jose.SignatureAlgorithm{jose.HS256})
	require.Error(t, err, "embedded symmetric jwk")
}
