package jwtauth

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// maxProofBytes caps a DPoP header value; longer proofs are refused
// before any decoding. An RSA-4096 proof is about 1.5 KiB.
const maxProofBytes = 8 << 10

// minProofRSABits is the smallest RSA proof key accepted, as for token
// keys.
const minProofRSABits = 2048

// privateJWKMembers are the JWK members that carry private or symmetric
// key material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

func proofErr(claim, detail string) error { return fail(ErrDPoP, claim, detail) }

// proofHeader is the part of a proof's JOSE header read before go-jose
// parses it, to say precisely which rule a proof breaks.
type proofHeader struct {
	typ *string
	alg string
	jwk map[string]json.RawMessage
}

// proofClaims are the proof's claims (RFC 9449 §4.2). Pointers tell an
// absent claim from an empty one.
type proofClaims struct {
	jti, htm, htu, ath, nonce *string
	iat                       *float64
}

// members decodes a JSON object into its members, matched by exact name
// (encoding/json alone would also match "TYP" to a field typ), and then
// each wanted member into its destination; a member of the wrong JSON type
// is an error.
func members(data []byte, dst map[string]any) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	if m == nil {
		return errNotObject
	}
	for name, p := range dst {
		if v, ok := m[name]; ok {
			if err := json.Unmarshal(v, p); err != nil {
				return err
			}
		}
	}
	return nil
}

var errNotObject = errors.New("jwtauth: not a JSON object")

func (h *proofHeader) decode(data []byte) error {
	var typ, alg *string
	err := members(data, map[string]any{"typ": &typ, "alg": &alg, "jwk": &h.jwk})
	if alg != nil {
		h.alg = *alg
	}
	h.typ = typ
	return err
}

func (c *proofClaims) decode(data []byte) error {
	return members(data, map[string]any{"jti": &c.jti, "htm": &c.htm, "htu": &c.htu, "ath": &c.ath, "nonce": &c.nonce, "iat": &c.iat})
}

// checkProof checks the DPoP proof of r (RFC 9449 §4.3 and §7.1) for the
// access token that has already verified and is bound to the key with
// thumbprint jkt. The checks, each refused with ErrDPoP and the claim or
// header it concerns:
//  1. exactly one DPoP header, holding one compact JWS of at most 8 KiB;
//  2. typ "dpop+jwt";
//  3. alg one of DPoPAlgorithms (asymmetric only);
//  4. a jwk header with no private or symmetric key members, an RSA
//     modulus of at least 2048 bits, that verifies the signature (go-jose
//     parses the JWS, refuses a jwk that is not a public key, checks that
//     the alg fits the key and verifies);
//  5. jti, htm, htu and iat present, with their JSON types;
//  6. htm equal to r.Method;
//  7. htu equal to the request URI, both normalized (normalizeHTU);
//  8. iat no older than DPoPProofMaxAge and no further ahead than Leeway;
//  9. ath equal to base64url(SHA-256(token));
//  10. the RFC 7638 SHA-256 thumbprint of jwk equal to jkt;
//  11. with DPoPNonceKey, a nonce this key issued within DPoPProofMaxAge
//     (Claim "nonce": answered with use_dpop_nonce and a fresh nonce);
//  12. the (jwk, jti) pair not seen within the window; remembering it is
//     the last step, so only proofs that pass every other check take room
//     in the replay memory.
func (s *sender) checkProof(r *http.Request, token, jkt string) error {
	vals := r.Header.Values("DPoP")
	switch {
	case len(vals) == 0:
		return proofErr("DPoP", "no DPoP proof header")
	case len(vals) > 1:
		return proofErr("DPoP", "the DPoP header is repeated")
	}
	proof := vals[0]
	if len(proof) > maxProofBytes {
		return proofErr("DPoP", "the proof is over the 8 KiB cap")
	}
	if strings.Count(proof, ".") != 2 {
		return proofErr("DPoP", "not one compact JWS")
	}

	// The header, read first so that each rule gets its own message.
	// go-jose then parses the whole JWS again, authoritatively.
	seg, _, _ := strings.Cut(proof, ".")
	raw, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return proofErr("DPoP", "header: not base64url")
	}
	var h proofHeader
	if err := h.decode(raw); err != nil {
		return proofErr("DPoP", "header: not a JSON object with string typ and alg and an object jwk")
	}
	if h.typ == nil || *h.typ != "dpop+jwt" {
		return proofErr("typ", "typ is not \"dpop+jwt\"")
	}
	alg := jose.SignatureAlgorithm(h.alg)
	if !slices.Contains(s.algs, alg) {
		return proofErr("alg", "alg "+quote(h.alg)+" is not one of DPoPAlgorithms")
	}
	if h.jwk == nil {
		return proofErr("jwk", "no jwk header")
	}
	for _, m := range privateJWKMembers {
		if _, ok := h.jwk[m]; ok {
			return proofErr("jwk", "jwk carries the private or symmetric key member "+quote(m))
		}
	}

	jws, err := jose.ParseSignedCompact(proof, s.algs)
	if err != nil {
		return proofErr("jwk", "not a compact JWS with a public jwk (RFC 7515 §4.1.3)")
	}
	if len(jws.Signatures) != 1 {
		return proofErr("DPoP", "not one compact JWS")
	}
	sig := jws.Signatures[0]
	jwk := sig.Protected.JSONWebKey
	if jwk == nil || !jwk.IsPublic() {
		return proofErr("jwk", "jwk is not a public key")
	}
	if k, ok := jwk.Key.(*rsa.PublicKey); ok && k.N.BitLen() < minProofRSABits {
		return proofErr("jwk", "RSA jwk below 2048 bits")
	}
	payload, err := jws.Verify(jwk)
	if err != nil {
		return proofErr("jwk", "signature does not verify with the jwk header")
	}

	var c proofClaims
	if err := c.decode(payload); err != nil {
		return proofErr("DPoP", "claims: not a JSON object with string jti, htm, htu, ath, nonce and numeric iat")
	}
	switch {
	case c.jti == nil || *c.jti == "":
		return proofErr("jti", "no jti claim")
	case c.htm == nil:
		return proofErr("htm", "no htm claim")
	case c.htu == nil:
		return proofErr("htu", "no htu claim")
	case c.iat == nil:
		return proofErr("iat", "no iat claim")
	}
	if *c.htm != r.Method {
		return proofErr("htm", "htm "+quote(*c.htm)+" is not the request method "+quote(r.Method))
	}
	want, ok := s.requestHTU(r)
	if !ok {
		return proofErr("htu", "the request has no absolute http(s) URI to compare htu with")
	}
	if got, ok := normalizeHTU(*c.htu); !ok || got != want {
		return proofErr("htu", "htu "+quote(*c.htu)+" is not the request URI "+quote(want))
	}
	now := s.now()
	iat := *c.iat
	nowSec := float64(now.UnixNano()) / 1e9
	switch {
	case math.IsNaN(iat) || iat > nowSec+s.leeway.Seconds():
		return proofErr("iat", "iat is in the future beyond the leeway")
	case iat < nowSec-s.maxAge.Seconds():
		return proofErr("iat", "iat is older than DPoPProofMaxAge")
	}
	if c.ath == nil {
		return proofErr("ath", "no ath claim")
	}
	sum := sha256.Sum256([]byte(token))
	if *c.ath != base64.RawURLEncoding.EncodeToString(sum[:]) {
		return proofErr("ath", "ath is not the hash of the access token")
	}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return proofErr("jwk", "no RFC 7638 thumbprint for the jwk")
	}
	thumb := base64.RawURLEncoding.EncodeToString(tp)
	if thumb != jkt {
		return proofErr("cnf", "the proof's jwk is not the key the token is bound to (cnf.jkt)")
	}
	if s.nonceKey != nil {
		if c.nonce == nil {
			return proofErr("nonce", "no nonce claim; the server requires one")
		}
		if !s.validNonce(*c.nonce, now) {
			return proofErr("nonce", "the nonce is not one this server issued within DPoPProofMaxAge")
		}
	}
	forgetAt := int64(math.Ceil(iat + s.maxAge.Seconds()))
	switch s.replay.remember(replayKey(thumb, *c.jti), forgetAt, now.Unix()) {
	case replaySeen:
		return proofErr("jti", "the proof was used before (jti replay)")
	case replayIsFull:
		return proofErr("jti", "the replay memory is full; the proof cannot be remembered")
	}
	return nil
}
