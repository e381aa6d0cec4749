package main

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// proofRequest is the request a DPoP proof was made for (-dpop-proof,
// -method, -url). Without a proof jwtcheck verifies the token alone, which
// refuses DPoP-bound tokens when DPoP is on: their proof needs a request.
type proofRequest struct {
	proof, method, url string
}

// verify checks token alone, or, with a proof, as the request
// "Authorization: DPoP <token>" plus "DPoP: <proof>" to method url.
func verify(ctx context.Context, v *jwtauth.Verifier, token string, pr proofRequest) (*jwtauth.Identity, error) {
	if pr.proof == "" {
		return v.Verify(ctx, token)
	}
	r, err := http.NewRequestWithContext(ctx, pr.method, pr.url, nil)
	if err != nil || r.URL.Scheme == "" || r.URL.Host == "" {
		return nil, fmt.Errorf("-url %q: want the absolute URL the proof was made for", pr.url)
	}
	// As the server sees it: Host, and TLS for an https URL.
	r.Host = r.URL.Host
	if r.URL.Scheme == "https" {
		r.TLS = &tls.ConnectionState{}
	}
	r.Header.Set("Authorization", "DPoP "+token)
	r.Header.Set("DPoP", pr.proof)
	return v.VerifyRequest(r)
}

// dpopHints explains a refused DPoP proof (ErrDPoP) or certificate
// binding (ErrCertBinding), by the claim the refusal names. It prints
// what the proof says about its request (htm, htu, iat), never the proof.
func dpopHints(ve *jwtauth.ValidationError, cfg jwtauth.Config, pr proofRequest, now time.Time) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if errors.Is(ve, jwtauth.ErrCertBinding) {
		add("the token is bound to a TLS client certificate (cnf x5t#S256); jwtcheck has no TLS connection, so check through the service")
		if cfg.ClientCertHeader != "" {
			add("behind a proxy the certificate comes only from the %s header (URL-escaped PEM, nginx $ssl_client_escaped_cert)", cfg.ClientCertHeader)
		}
		return out
	}
	if !errors.Is(ve, jwtauth.ErrDPoP) {
		return nil
	}
	pc := proofClaimsOf(pr.proof)
	switch ve.Claim {
	case "":
		add("with DPoP on, a DPoP-bound token (cnf.jkt), and under dpop = required every token, needs its proof: pass -dpop-proof with -method and -url")
	case "DPoP":
		add("the DPoP header must hold exactly one compact JWS (at most 8 KiB) with JSON claims of the right types")
	case "typ":
		add("the proof's JOSE header needs typ \"dpop+jwt\" (RFC 9449 §4.2)")
	case "alg":
		algs := cfg.DPoPAlgorithms
		if algs == nil {
			algs = []string{"ES256", "ES384", "ES512", "EdDSA", "RS256", "PS256"}
		}
		add("accepted proof algs: %s (asymmetric only)", strings.Join(algs, " "))
	case "jwk":
		add("the header's jwk must be the client's public key alone (no d, p, q, dp, dq, qi, oth or k), fit the alg (RSA of 2048 bits or more), and verify the proof's signature")
	case "htm", "htu":
		add("the proof was made for %s %s; this check used -method %s -url %s", orNone(pc.str("htm"), "(no htm)"), orNone(pc.str("htu"), "(no htu)"), pr.method, pr.url)
		add("htu is compared without query and fragment, after lower-casing scheme and host, dropping default ports and normalizing percent-encoding; behind a proxy, public_url gives the scheme and host clients use")
	case "iat":
		if iat, ok := pc["iat"].(float64); ok {
			add("proof iat %s, checked at %s: proofs are accepted for dpop_proof_max_age (default 5m) after iat and up to the leeway before it", time.Unix(int64(iat), 0).UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
	case "ath":
		add("ath must be base64url(SHA-256) of this exact access token: a proof is made for one token")
	case "cnf":
		add("the token's cnf.jkt must be the RFC 7638 SHA-256 thumbprint of the proof's jwk, and a DPoP-bound token must use the DPoP scheme, never Bearer (RFC 9449 §7.2)")
	case "jti":
		add("each proof is accepted once within the window: make a new proof (new jti) for every request")
	case "nonce":
		add("the server requires a nonce it issued: send the request, take the DPoP-Nonce response header and put it in the proof's nonce claim")
	}
	return out
}

// printDPoPHints prints dpopHints for err, after printRefusal's lines.
func printDPoPHints(w io.Writer, err error, cfg jwtauth.Config, pr proofRequest, now time.Time) {
	var ve *jwtauth.ValidationError
	if !errors.As(err, &ve) {
		return
	}
	for _, h := range dpopHints(ve, cfg, pr, now) {
		fmt.Fprintf(w, "  %-10s %s\n", "hint", h)
	}
}

type claimMap map[string]any

func (c claimMap) str(name string) string { s, _ := c[name].(string); return s }

// proofClaimsOf decodes a proof's claims without verifying it (for hints).
func proofClaimsOf(proof string) claimMap {
	parts := strings.Split(proof, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var c claimMap
	_ = json.Unmarshal(b, &c)
	return c
}
