package jwtauth_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// The DPoP tests: a resource at https://api.example.com/r, an issuer key
// (rsaGood) signing access tokens bound with cnf.jkt to a client's ES256
// proof key, the fixed clock jwttest.Epoch.

const dpopURL = "https://api.example.com/r"

var senderSentinels = append(append([]error(nil), allSentinels...), jwtauth.ErrDPoP, jwtauth.ErrCertBinding)

// requireReason asserts err matches want, and no other sentinel, and names
// claim.
func requireReason(t testing.TB, err, want error, claim string) {
	t.Helper()
	require.ErrorIs(t, err, want)
	for _, s := range senderSentinels {
		if s != want {
			require.NotErrorIs(t, err, s, "error %q also matches %v", err, s)
		}
	}
	var ve *jwtauth.ValidationError
	require.True(t, errors.As(err, &ve))
	require.Equal(t, claim, ve.Claim, "claim of %q", err)
}

func dpopClientKey() *jwttest.Key { return jwttest.EC("dpop-client", "ES256", "") }

func jkt(t testing.TB, k *jwttest.Key) string {
	t.Helper()
	tp, err := (&jose.JSONWebKey{Key: k.Public}).Thumbprint(crypto.SHA256)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(tp)
}

func ath(token string) string {
	s := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(s[:])
}

var jtiSeq atomic.Int64

// proofClaims returns valid proof claims for a GET of dpopURL with token.
func proofClaims(token string) map[string]any {
	return map[string]any{
		"jti": fmt.Sprintf("jti-%d", jtiSeq.Add(1)),
		"htm": "GET",
		"htu": dpopURL,
		"iat": jwttest.Epoch.Unix(),
		"ath": ath(token),
	}
}

// signProof signs claims as a proof with k, its public jwk in the header;
// header entries override (nil deletes).
func signProof(k *jwttest.Key, claims map[string]any, header map[string]any) string {
	h := map[string]any{"typ": "dpop+jwt", "jwk": k.JWK(false)}
	for n, v := range header {
		h[n] = v
	}
	return k.Sign(claims, h)
}

// boundToken is an access token bound to k (cnf.jkt), plus extra claims.
func boundToken(t testing.TB, k *jwttest.Key, extra map[string]any) string {
	c := claimsWith(map[string]any{"cnf": map[string]any{"jkt": jkt(t, k)}})
	for n, v := range extra {
		c[n] = v
	}
	return rsaGood().Sign(c)
}

func dpopV(t testing.TB, mode jwtauth.DPoPMode, mod ...func(*jwtauth.Config)) *jwtauth.Verifier {
	cfg := jwtauth.Config{JWKSetValue: jwksValue(rsaGood()), DPoP: mode}
	for _, m := range mod {
		m(&cfg)
	}
	return newV(t, cfg)
}

// dpopRequest is a GET of dpopURL with Authorization: DPoP token and the
// proof.
func dpopRequest(token, proof string) *http.Request {
	r := httptest.NewRequest("GET", dpopURL+"?q=1", nil)
	r.Header.Set("Authorization", "DPoP "+token)
	if proof != "" {
		r.Header.Set("DPoP", proof)
	}
	return r
}

func TestDPoPValidProof(t *testing.T) {
	v := dpopV(t, jwtauth.DPoPAllowed)
	k := dpopClientKey()
	tok := boundToken(t, k, nil)
	id, err := v.VerifyRequest(dpopRequest(tok, signProof(k, proofClaims(tok), nil)))
	require.NoError(t, err)
	require.Equal(t, "alice", id.Subject)
	require.Equal(t, map[string]any{"jkt": jkt(t, k)}, id.Confirmation)

	// Through the middleware, and with the scheme in any case.
	r := dpopRequest(tok, signProof(k, proofClaims(tok), nil))
	r.Header.Set("Authorization", "dPoP "+tok)
	w, seen, _ := serve(v, r)
	require.Equal(t, http.StatusNoContent, w.Code)
	require.Equal(t, jkt(t, k), seen.Confirmation["jkt"])
	require.Empty(t, w.Header().Get("DPoP-Nonce"), "no nonces without DPoPNonceKey")
}

// TestDPoPAlgorithms: each default proof algorithm is accepted, with its
// key type.
func TestDPoPAlgorithms(t *testing.T) {
	v := dpopV(t, jwtauth.DPoPAllowed)
	for _, k := range []*jwttest.Key{
		jwttest.EC("dpop-client", "ES256", ""),
		jwttest.EC("dpop-client", "ES384", ""),
		jwttest.EC("dpop-client", "ES512", ""),
		jwttest.Ed25519(7, ""),
		jwttest.RSA("dpop-client", 2048, ""),
		jwttest.RSA("dpop-client", 2048, "").WithAlg("PS256"),
	} {
		t.Run(k.Alg, func(t *testing.T) {
			tok := boundToken(t, k, nil)
			_, err := v.VerifyRequest(dpopRequest(tok, signProof(k, proofClaims(tok), nil)))
			require.NoError(t, err)
		})
	}
}

// TestDPoPAttacks has one case per proof check (attack catalog ATK-2xx in
// the notes), each with the broken or malicious proof itself.
func TestDPoPAttacks(t *testing.T) {
	k := dpopClientKey()
	other := jwttest.EC("dpop-attacker", "ES256", "")
	hmac := jwttest.HMAC("HS256", []byte("0123456789abcdef0123456789abcdef"), "")
	small := jwttest.RSA("dpop-small", 1024, "")
	p384 := jwttest.EC("dpop-client", "ES384", "")
	v := dpopV(t, jwtauth.DPoPAllowed)
	tok := boundToken(t, k, nil)
	with := func(kv map[string]any) map[string]any {
		c := proofClaims(tok)
		for n, val := range kv {
			if val == nil {
				delete(c, n)
			} else {
				c[n] = val
			}
		}
		return c
	}
	valid := func() string { return signProof(k, proofClaims(tok), nil) }
	for _, tc := range []struct {
		name  string
		req   func() *http.Request
		claim string
	}{
		{"ATK-201 no DPoP header", func() *http.Request { return dpopRequest(tok, "") }, "DPoP"},
		{"ATK-202 DPoP header repeated", func() *http.Request {
			r := dpopRequest(tok, valid())
			r.Header.Add("DPoP", valid())
			return r
		}, "DPoP"},
		{"ATK-203 two proofs in one header", func() *http.Request { return dpopRequest(tok, valid()+","+valid()) }, "DPoP"},
		{"ATK-203 not a JWS", func() *http.Request { return dpopRequest(tok, "not-a-jws") }, "DPoP"},
		{"ATK-203 proof over 8 KiB", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"pad": strings.Repeat("a", 9000)}), nil))
		}, "DPoP"},
		{"ATK-204 typ missing", func() *http.Request {
			return dpopRequest(tok, signProof(k, proofClaims(tok), map[string]any{"typ": nil}))
		}, "typ"},
		{"ATK-204 typ JWT", func() *http.Request {
			return dpopRequest(tok, signProof(k, proofClaims(tok), map[string]any{"typ": "JWT"}))
		}, "typ"},
		{"ATK-204 typ only in another case", func() *http.Request {
			return dpopRequest(tok, signProof(k, proofClaims(tok), map[string]any{"typ": nil, "TYP": "dpop+jwt"}))
		}, "typ"},
		{"ATK-205 alg none", func() *http.Request {
			h := jwttest.B64([]byte(`{"typ":"dpop+jwt","alg":"none","jwk":{}}`))
			return dpopRequest(tok, h+"."+jwttest.B64([]byte(`{}`))+".")
		}, "alg"},
		{"ATK-205 alg not in DPoPAlgorithms (PS384)", func() *http.Request {
			return dpopRequest(tok, signProof(jwttest.RSA("dpop-client", 2048, "").WithAlg("PS384"), proofClaims(tok), nil))
		}, "alg"},
		{"ATK-206 HMAC-signed proof with the key as an oct jwk", func() *http.Request {
			jwk := map[string]any{"kty": "oct", "k": jwttest.B64(hmac.Private.([]byte))}
			return dpopRequest(tok, hmac.Sign(proofClaims(tok), map[string]any{"typ": "dpop+jwt", "jwk": jwk}))
		}, "alg"},
		{"ATK-206 HS256 relabelled as ES256 with an oct jwk", func() *http.Request {
			jwk := map[string]any{"kty": "oct", "k": jwttest.B64(hmac.Private.([]byte))}
			return dpopRequest(tok, hmac.WithAlg("HS256").Sign(proofClaims(tok), map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}))
		}, "jwk"},
		{"ATK-207 jwk carries the private d", func() *http.Request {
			jwk := k.JWK(false)
			priv, _ := (&jose.JSONWebKey{Key: k.Private}).MarshalJSON()
			jwk["d"] = jsonField(t, priv, "d")
			return dpopRequest(tok, signProof(k, proofClaims(tok), map[string]any{"jwk": jwk}))
		}, "jwk"},
		{"ATK-207 jwk carries an RSA prime", func() *http.Request {
			rk := jwttest.RSA("dpop-client", 2048, "")
			jwk := rk.JWK(false)
			jwk["p"] = jwttest.B64(rk.Private.(*rsa.PrivateKey).Primes[0].Bytes())
			return dpopRequest(tok, signProof(rk, proofClaims(tok), map[string]any{"jwk": jwk}))
		}, "jwk"},
		{"ATK-207 no jwk", func() *http.Request {
			return dpopRequest(tok, signProof(k, proofClaims(tok), map[string]any{"jwk": nil}))
		}, "jwk"},
		{"ATK-208 signed by another key than the jwk", func() *http.Request {
			return dpopRequest(tok, signProof(other, proofClaims(tok), map[string]any{"jwk": k.JWK(false)}))
		}, "jwk"},
		{"ATK-208 signature cut", func() *http.Request {
			p := valid()
			return dpopRequest(tok, p[:len(p)-4])
		}, "jwk"},
		{"ATK-208 ES256 proof with a P-384 jwk", func() *http.Request {
			return dpopRequest(tok, signProof(k, proofClaims(tok), map[string]any{"jwk": p384.JWK(false)}))
		}, "jwk"},
		{"ATK-208 RSA jwk below 2048 bits", func() *http.Request {
			return dpopRequest(tok, signProof(small, proofClaims(tok), nil))
		}, "jwk"},
		{"ATK-209 no jti", func() *http.Request { return dpopRequest(tok, signProof(k, with(map[string]any{"jti": nil}), nil)) }, "jti"},
		{"ATK-209 empty jti", func() *http.Request { return dpopRequest(tok, signProof(k, with(map[string]any{"jti": ""}), nil)) }, "jti"},
		{"ATK-209 no htm", func() *http.Request { return dpopRequest(tok, signProof(k, with(map[string]any{"htm": nil}), nil)) }, "htm"},
		{"ATK-209 no htu", func() *http.Request { return dpopRequest(tok, signProof(k, with(map[string]any{"htu": nil}), nil)) }, "htu"},
		{"ATK-209 no iat", func() *http.Request { return dpopRequest(tok, signProof(k, with(map[string]any{"iat": nil}), nil)) }, "iat"},
		{"ATK-209 iat as a string", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"iat": fmt.Sprint(jwttest.Epoch.Unix())}), nil))
		}, "DPoP"},
		{"ATK-210 htm POST on a GET", func() *http.Request { return dpopRequest(tok, signProof(k, with(map[string]any{"htm": "POST"}), nil)) }, "htm"},
		{"ATK-210 htm in lower case", func() *http.Request { return dpopRequest(tok, signProof(k, with(map[string]any{"htm": "get"}), nil)) }, "htm"},
		{"ATK-211 htu of another path", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"htu": "https://api.example.com/admin"}), nil))
		}, "htu"},
		{"ATK-211 htu path differing only in case", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"htu": "https://api.example.com/R"}), nil))
		}, "htu"},
		{"ATK-211 htu with a trailing slash", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"htu": "https://api.example.com/r/"}), nil))
		}, "htu"},
		{"ATK-211 htu with a dot segment", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"htu": "https://api.example.com/x/../r"}), nil))
		}, "htu"},
		{"ATK-211 htu of another host", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"htu": "https://evil.example.com/r"}), nil))
		}, "htu"},
		{"ATK-211 htu with http instead of https", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"htu": "http://api.example.com/r"}), nil))
		}, "htu"},
		{"ATK-211 htu with userinfo", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"htu": "https://u@api.example.com/r"}), nil))
		}, "htu"},
		{"ATK-212 iat older than DPoPProofMaxAge", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"iat": jwttest.Unix(-5*time.Minute - time.Second)}), nil))
		}, "iat"},
		{"ATK-212 iat beyond the leeway ahead", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"iat": jwttest.Unix(61 * time.Second)}), nil))
		}, "iat"},
		{"ATK-214 no ath", func() *http.Request { return dpopRequest(tok, signProof(k, with(map[string]any{"ath": nil}), nil)) }, "ath"},
		{"ATK-214 ath of another token", func() *http.Request {
			return dpopRequest(tok, signProof(k, with(map[string]any{"ath": ath(tok + "x")}), nil))
		}, "ath"},
		{"ATK-214 ath as hex", func() *http.Request {
			s := sha256.Sum256([]byte(tok))
			return dpopRequest(tok, signProof(k, with(map[string]any{"ath": fmt.Sprintf("%x", s)}), nil))
		}, "ath"},
		{"ATK-215 valid proof by a key the token is not bound to", func() *http.Request {
			return dpopRequest(tok, signProof(other, proofClaims(tok), nil))
		}, "cnf"},
		{"ATK-216 unbound token with the DPoP scheme", func() *http.Request {
			plain := rsaGood().Sign(jwttest.Default())
			return dpopRequest(plain, signProof(k, proofClaims(plain), nil))
		}, "cnf"},
		{"ATK-217 bound token with the Bearer scheme and a valid proof", func() *http.Request {
			r := dpopRequest(tok, valid())
			r.Header.Set("Authorization", "Bearer "+tok)
			return r
		}, "cnf"},
		{"ATK-217 bound token bare, without a scheme", func() *http.Request {
			r := dpopRequest(tok, "")
			r.Header.Set("Authorization", tok)
			return r
		}, "cnf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.VerifyRequest(tc.req())
			requireReason(t, err, jwtauth.ErrDPoP, tc.claim)
			require.Equal(t, http.StatusUnauthorized, jwtauth.StatusCode(err))
			require.NotContains(t, err.Error(), tok, "the error never carries the token")
		})
	}
}

func jsonField(t *testing.T, obj []byte, name string) any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(obj, &m))
	return m[name]
}

// TestATK224DPoPOnlyAfterTokenVerifies: a token that fails is refused for what
// it is, before any proof is looked at.
func TestATK224DPoPOnlyAfterTokenVerifies(t *testing.T) {
	v := dpopV(t, jwtauth.DPoPAllowed)
	k := dpopClientKey()
	expired := boundToken(t, k, map[string]any{"exp": jwttest.Unix(-time.Hour)})
	_, err := v.VerifyRequest(dpopRequest(expired, "garbage"))
	requireReason(t, err, jwtauth.ErrExpired, "exp")
	forged := jwttest.RSA("attacker", 2048, "good").Sign(claimsWith(map[string]any{"cnf": map[string]any{"jkt": jkt(t, k)}}))
	_, err = v.VerifyRequest(dpopRequest(forged, signProof(k, proofClaims(forged), nil)))
	requireReason(t, err, jwtauth.ErrSignature, "")
}

// TestATK213DPoPReplayConcurrent (ATK-213): the same proof from 16 goroutines at
// once is accepted exactly once; the others are replays.
func TestATK213DPoPReplayConcurrent(t *testing.T) {
	v := dpopV(t, jwtauth.DPoPAllowed)
	k := dpopClientKey()
	tok := boundToken(t, k, nil)
	proof := signProof(k, proofClaims(tok), nil)
	var ok, replay atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 16 {
		wg.Go(func() {
			r := dpopRequest(tok, proof)
			<-start
			_, err := v.VerifyRequest(r)
			var ve *jwtauth.ValidationError
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, jwtauth.ErrDPoP) && errors.As(err, &ve) && ve.Claim == "jti":
				replay.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	require.EqualValues(t, 1, ok.Load())
	require.EqualValues(t, 15, replay.Load())
}

// TestATK213DPoPReplayWindow: a jti is remembered for the whole window; another
// Verifier (a replica) does not share the memory.
func TestATK213DPoPReplayWindow(t *testing.T) {
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	v := dpopV(t, jwtauth.DPoPAllowed, func(c *jwtauth.Config) { c.Now = clk.Now; c.ExpectClaims = nil })
	k := dpopClientKey()
	tok := boundToken(t, k, nil)
	proof := signProof(k, proofClaims(tok), nil)
	_, err := v.VerifyRequest(dpopRequest(tok, proof))
	require.NoError(t, err)
	clk.Advance(5 * time.Minute) // the last second the proof's iat is in the window
	_, err = v.VerifyRequest(dpopRequest(tok, proof))
	requireReason(t, err, jwtauth.ErrDPoP, "jti")
	clk.Advance(time.Second) // now the iat check refuses it
	_, err = v.VerifyRequest(dpopRequest(tok, proof))
	requireReason(t, err, jwtauth.ErrDPoP, "iat")

	// RFC 9449 §11.1: another replica accepts the captured proof once.
	replica := dpopV(t, jwtauth.DPoPAllowed)
	_, err = replica.VerifyRequest(dpopRequest(tok, proof))
	require.NoError(t, err)
}

// TestDPoPHTUNormalization: htu differing from the request URI only in
// scheme or host case, an explicit default port, an empty path, or in
// percent-encoding is accepted; query and fragment are ignored.
func TestDPoPHTUNormalization(t *testing.T) {
	v := dpopV(t, jwtauth.DPoPAllowed)
	k := dpopClientKey()
	tok := boundToken(t, k, nil)
	for _, tc := range []struct{ target, htu string }{
		{dpopURL, "HTTPS://API.Example.COM/r"},
		{dpopURL, "https://api.example.com:443/r"},
		{dpopURL, "https://api.example.com/r?other=1#frag"},
		{dpopURL, "https://api.example.com/%72"},                           // %72 is 'r', unreserved
		{"https://api.example.com/a%2fb", "https://api.example.com/a%2Fb"}, // hex case
		{"https://api.example.com", "https://api.example.com"},
		{"https://api.example.com/", "https://api.example.com"},
		{"https://api.example.com:8443/r", "https://API.example.com:8443/r"},
		{"http://api.example.com/r", "http://api.example.com:80/r"},
	} {
		t.Run(tc.target+" "+tc.htu, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.target, nil)
			r.Header.Set("Authorization", "DPoP "+tok)
			c := proofClaims(tok)
			c["htu"] = tc.htu
			r.Header.Set("DPoP", signProof(k, c, nil))
			_, err := v.VerifyRequest(r)
			require.NoError(t, err)
		})
	}
	t.Run("non-default port differs", func(t *testing.T) {
		r := httptest.NewRequest("GET", "https://api.example.com:8443/r", nil)
		r.Header.Set("Authorization", "DPoP "+tok)
		r.Header.Set("DPoP", signProof(k, proofClaims(tok), nil)) // htu without :8443
		_, err := v.VerifyRequest(r)
		requireReason(t, err, jwtauth.ErrDPoP, "htu")
	})
}

// TestATK223DPoPPublicURL: behind a proxy, htu is compared with PublicURL, not
// with what the proxy sends (Host, plain http); X-Forwarded-* is ignored.
func TestATK223DPoPPublicURL(t *testing.T) {
	v := dpopV(t, jwtauth.DPoPAllowed, func(c *jwtauth.Config) { c.PublicURL = "https://API.example.com:443" })
	k := dpopClientKey()
	tok := boundToken(t, k, nil)
	r := httptest.NewRequest("GET", "http://10.0.0.7:8080/r", nil)
	r.Header.Set("Authorization", "DPoP "+tok)
	r.Header.Set("DPoP", signProof(k, proofClaims(tok), nil))
	_, err := v.VerifyRequest(r)
	require.NoError(t, err)

	c := proofClaims(tok)
	c["htu"] = "http://10.0.0.7:8080/r"
	r.Header.Set("DPoP", signProof(k, c, nil))
	r.Header.Set("X-Forwarded-Host", "10.0.0.7:8080")
	r.Header.Set("X-Forwarded-Proto", "http")
	_, err = v.VerifyRequest(r)
	requireReason(t, err, jwtauth.ErrDPoP, "htu")
}

// TestATK222DPoPModes: what each mode does with each scheme and token kind.
func TestATK222DPoPModes(t *testing.T) {
	k := dpopClientKey()
	bound := boundToken(t, k, nil)
	plain := rsaGood().Sign(jwttest.Default())
	bearer := func(tok string) *http.Request {
		r := httptest.NewRequest("GET", dpopURL, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		return r
	}
	withProof := func(tok string) *http.Request { return dpopRequest(tok, signProof(k, proofClaims(tok), nil)) }

	off := dpopV(t, jwtauth.DPoPOff)
	_, err := off.VerifyRequest(withProof(bound))
	requireReason(t, err, jwtauth.ErrMalformed, "")
	id, err := off.VerifyRequest(bearer(bound)) // RFC 9449 §7.2: unaware servers take it as bearer
	require.NoError(t, err)
	require.Equal(t, jkt(t, k), id.Confirmation["jkt"])
	_, err = verify(t, off, bound)
	require.NoError(t, err)

	allowed := dpopV(t, jwtauth.DPoPAllowed)
	_, err = allowed.VerifyRequest(bearer(plain))
	require.NoError(t, err)
	_, err = allowed.VerifyRequest(bearer(bound))
	requireReason(t, err, jwtauth.ErrDPoP, "cnf")
	_, err = allowed.VerifyRequest(withProof(bound))
	require.NoError(t, err)
	_, err = verify(t, allowed, plain)
	require.NoError(t, err)
	_, err = verify(t, allowed, bound) // no request: the proof cannot be checked
	requireReason(t, err, jwtauth.ErrDPoP, "")

	required := dpopV(t, jwtauth.DPoPRequired)
	_, err = required.VerifyRequest(bearer(plain))
	requireReason(t, err, jwtauth.ErrDPoP, "")
	_, err = required.VerifyRequest(withProof(plain))
	requireReason(t, err, jwtauth.ErrDPoP, "cnf")
	_, err = required.VerifyRequest(withProof(bound))
	require.NoError(t, err)
	_, err = verify(t, required, plain)
	requireReason(t, err, jwtauth.ErrDPoP, "")

	// A cnf that is not an object is malformed once DPoP is on.
	odd := rsaGood().Sign(claimsWith(map[string]any{"cnf": "jkt"}))
	_, err = allowed.VerifyRequest(bearer(odd))
	requireReason(t, err, jwtauth.ErrMalformed, "cnf")
	oddJKT := rsaGood().Sign(claimsWith(map[string]any{"cnf": map[string]any{"jkt": 42}}))
	_, err = allowed.VerifyRequest(bearer(oddJKT))
	requireReason(t, err, jwtauth.ErrMalformed, "cnf")
}

// TestDPoPCacheHit: a token answered from the verified-token cache still
// needs its proof, and keeps its Confirmation.
func TestDPoPCacheHit(t *testing.T) {
	v := dpopV(t, jwtauth.DPoPAllowed)
	k := dpopClientKey()
	tok := boundToken(t, k, nil)
	for range 2 {
		id, err := v.VerifyRequest(dpopRequest(tok, signProof(k, proofClaims(tok), nil)))
		require.NoError(t, err)
		require.Equal(t, jkt(t, k), id.Confirmation["jkt"])
	}
	require.EqualValues(t, 1, v.Stats().TokenCacheHits)
	_, err := v.VerifyRequest(dpopRequest(tok, ""))
	requireReason(t, err, jwtauth.ErrDPoP, "DPoP")
}

// TestDPoPChallenges pins the WWW-Authenticate rendering of RFC 9449 §7.1
// and §7.2 (Figures 15-18).
func TestDPoPChallenges(t *testing.T) {
	k := dpopClientKey()
	tok := boundToken(t, k, nil)
	algs := `algs="ES256 ES384 ES512 EdDSA RS256 PS256"`
	allowed := dpopV(t, jwtauth.DPoPAllowed)
	required := dpopV(t, jwtauth.DPoPRequired)
	nonces := dpopV(t, jwtauth.DPoPAllowed, func(c *jwtauth.Config) { c.DPoPNonceKey = []byte(strings.Repeat("k", 32)) })
	noAuth := httptest.NewRequest("GET", dpopURL, nil)
	badBearer := httptest.NewRequest("GET", dpopURL, nil)
	badBearer.Header.Set("Authorization", "Bearer x.y.z")
	badDPoPToken := dpopRequest("x.y.z", "p")
	for _, tc := range []struct {
		name string
		v    *jwtauth.Verifier
		r    *http.Request
		want []string
	}{
		{"no token (Figure 17)", allowed, noAuth, []string{"Bearer", "DPoP " + algs}},
		{"invalid Bearer token (Figure 18)", allowed, badBearer, []string{`Bearer error="invalid_token"`, "DPoP " + algs}},
		{"invalid token with the DPoP scheme", allowed, badDPoPToken, []string{"Bearer", `DPoP error="invalid_token", ` + algs}},
		{"invalid proof", allowed, dpopRequest(tok, "bad"), []string{"Bearer", `DPoP error="invalid_dpop_proof", ` + algs}},
		{"bound token as Bearer", allowed, func() *http.Request {
			r := httptest.NewRequest("GET", dpopURL, nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			return r
		}(), []string{`Bearer error="invalid_token"`, "DPoP " + algs}},
		{"DPoPRequired, no token (Figure 15)", required, noAuth, []string{"DPoP " + algs}},
		{"DPoPRequired, Bearer token", required, badBearer, []string{`DPoP error="invalid_token", ` + algs}},
		{"DPoPRequired, invalid proof", required, dpopRequest(tok, "bad"), []string{`DPoP error="invalid_dpop_proof", ` + algs}},
		{"missing nonce", nonces, dpopRequest(tok, signProof(k, proofClaims(tok), nil)), []string{"Bearer", `DPoP error="use_dpop_nonce", ` + algs}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, seen, _ := serve(tc.v, tc.r)
			require.Nil(t, seen)
			require.Equal(t, http.StatusUnauthorized, w.Code)
			require.Equal(t, tc.want, w.Header().Values("WWW-Authenticate"))
			require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		})
	}
}

// A 403 from RequireScope after a DPoP request puts insufficient_scope on
// the DPoP challenge, the scheme the client used (RFC 9449 §7.1), and
// leaves the Bearer challenge bare; a Bearer request keeps it on Bearer.
func TestDPoPInsufficientScopeChallenge(t *testing.T) {
	k := dpopClientKey()
	v := dpopV(t, jwtauth.DPoPAllowed)
	h := v.Middleware(v.RequireScope("orders:write")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("next ran without the scope")
	})))
	algs := `algs="ES256 ES384 ES512 EdDSA RS256 PS256"`

	tok := boundToken(t, k, map[string]any{"scope": "orders:read"})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, dpopRequest(tok, signProof(k, proofClaims(tok), nil)))
	require.Equal(t, http.StatusForbidden, w.Code)
	require.Equal(t, []string{"Bearer", `DPoP error="insufficient_scope", scope="orders:write", ` + algs}, w.Header().Values("WWW-Authenticate"))

	bearer := rsaGood().Sign(claimsWith(map[string]any{"scope": "orders:read"}))
	r := httptest.NewRequest("GET", dpopURL, nil)
	r.Header.Set("Authorization", "Bearer "+bearer)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusForbidden, w.Code)
	require.Equal(t, []string{`Bearer error="insufficient_scope", scope="orders:write"`, "DPoP " + algs}, w.Header().Values("WWW-Authenticate"))
}

// TestATK219DPoPNonces (RFC 9449 §9): a proof without a nonce gets 401
// use_dpop_nonce with a nonce; the retry with it passes and gets the next
// one before next runs; stale, foreign and forged nonces fail; a replica
// with the same key accepts the nonce.
func TestATK219DPoPNonces(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	mk := func(key []byte) *jwtauth.Verifier {
		return dpopV(t, jwtauth.DPoPAllowed, func(c *jwtauth.Config) { c.Now = clk.Now; c.DPoPNonceKey = key })
	}
	v, replica, foreign := mk(key), mk(key), mk([]byte(strings.Repeat("z", 32)))
	k := dpopClientKey()
	tok := boundToken(t, k, map[string]any{"exp": jwttest.Unix(24 * time.Hour)})
	withNonce := func(n any) *http.Request {
		c := proofClaims(tok)
		c["iat"] = clk.Now().Unix()
		if n != nil {
			c["nonce"] = n
		}
		return dpopRequest(tok, signProof(k, c, nil))
	}

	w, seen, _ := serve(v, withNonce(nil))
	require.Nil(t, seen)
	require.Equal(t, http.StatusUnauthorized, w.Code)
	nonce := w.Header().Get("DPoP-Nonce")
	require.NotEmpty(t, nonce)
	require.Contains(t, w.Header().Values("WWW-Authenticate")[1], `error="use_dpop_nonce"`)

	var nonceBeforeNext string
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonceBeforeNext = w.Header().Get("DPoP-Nonce")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, withNonce(nonce))
	require.Equal(t, http.StatusOK, rec.Code)
	require.NotEmpty(t, nonceBeforeNext, "the next nonce is set before next runs")

	_, err := replica.VerifyRequest(withNonce(nonce))
	require.NoError(t, err, "replicas sharing DPoPNonceKey accept each other's nonces")
	_, err = foreign.VerifyRequest(withNonce(nonce))
	requireReason(t, err, jwtauth.ErrDPoP, "nonce")
	_, err = v.VerifyRequest(withNonce(nonce[:len(nonce)-2] + "AA"))
	requireReason(t, err, jwtauth.ErrDPoP, "nonce")
	_, err = v.VerifyRequest(withNonce(42))
	requireReason(t, err, jwtauth.ErrDPoP, "DPoP")

	clk.Advance(5*time.Minute + time.Second)
	_, err = v.VerifyRequest(withNonce(nonce))
	requireReason(t, err, jwtauth.ErrDPoP, "nonce")
	var ve *jwtauth.ValidationError
	require.True(t, errors.As(err, &ve))
	hdr := http.Header{}
	jwtauth.SetErrorHeaders(hdr, err)
	require.NotEmpty(t, hdr.Get("DPoP-Nonce"))
	require.NotEqual(t, nonce, hdr.Get("DPoP-Nonce"), "a fresh nonce, not the stale one")
}

func TestDPoPConfig(t *testing.T) {
	base := func(mod func(*jwtauth.Config)) jwtauth.Config {
		c := jwtauth.Config{JWKSetValue: jwksValue(rsaGood()), DPoP: jwtauth.DPoPAllowed}
		mod(&c)
		return c
	}
	for _, tc := range []struct {
		name string
		mod  func(*jwtauth.Config)
		want string
	}{
		{"HS256 proof alg", func(c *jwtauth.Config) { c.DPoPAlgorithms = []string{"ES256", "HS256"} }, "DPoPAlgorithms"},
		{"none proof alg", func(c *jwtauth.Config) { c.DPoPAlgorithms = []string{"none"} }, "DPoPAlgorithms"},
		{"unknown proof alg", func(c *jwtauth.Config) { c.DPoPAlgorithms = []string{"ES256K"} }, "DPoPAlgorithms"},
		{"empty proof algs", func(c *jwtauth.Config) { c.DPoPAlgorithms = []string{} }, "DPoPAlgorithms"},
		{"short nonce key", func(c *jwtauth.Config) { c.DPoPNonceKey = make([]byte, 31) }, "DPoPNonceKey"},
		{"PublicURL with a path", func(c *jwtauth.Config) { c.PublicURL = "https://api.example.com/base" }, "PublicURL"},
		{"PublicURL with a query", func(c *jwtauth.Config) { c.PublicURL = "https://api.example.com?x" }, "PublicURL"},
		{"PublicURL ftp", func(c *jwtauth.Config) { c.PublicURL = "ftp://api.example.com" }, "PublicURL"},
		{"PublicURL userinfo", func(c *jwtauth.Config) { c.PublicURL = "https://u@api.example.com" }, "PublicURL"},
		{"proof max age below 1s", func(c *jwtauth.Config) { c.DPoPProofMaxAge = time.Millisecond }, "DPoPProofMaxAge"},
		{"DPoP fields with DPoPOff", func(c *jwtauth.Config) { c.DPoP = jwtauth.DPoPOff; c.DPoPAlgorithms = []string{"ES256"} }, "DPoPAlgorithms"},
		{"unknown mode", func(c *jwtauth.Config) { c.DPoP = 7 }, "DPoP"},
		{"ClientCertHeader without CertBoundTokens", func(c *jwtauth.Config) { c.ClientCertHeader = "X-Client-Cert" }, "ClientCertHeader"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jwtauth.New(base(tc.mod))
			require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	t.Run("NewMulti: only config 0", func(t *testing.T) {
		a := jwtauth.Config{JWKSetValue: jwksValue(rsaGood()), ExpectClaims: map[string]any{"iss": "a"}, DPoP: jwtauth.DPoPAllowed}
		b := jwtauth.Config{JWKSetValue: jwksValue(rsaGood()), ExpectClaims: map[string]any{"iss": "b"}, DPoP: jwtauth.DPoPAllowed}
		_, err := jwtauth.NewMulti(a, b)
		require.ErrorIs(t, err, jwtauth.ErrInvalidConfig)
		require.Contains(t, err.Error(), "config 1")
	})
	t.Run("defaults", func(t *testing.T) {
		v, err := jwtauth.New(base(func(c *jwtauth.Config) { c.DPoPAlgorithms = []string{"EdDSA", "PS512"} }))
		require.NoError(t, err)
		require.NoError(t, v.Close())
	})
}
