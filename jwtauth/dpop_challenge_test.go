package jwtauth

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDPoPChallengeRendering pins SetErrorHeaders for DPoP challenges with
// resource_metadata (RFC 9728 §5.1) on both challenges, and where the
// error attribute goes (RFC 9449 §7.1, §7.2).
func TestDPoPChallengeRendering(t *testing.T) {
	both := &challenge{resourceMetadata: "https://rs.example/.well-known/oauth-protected-resource", dpopAlgs: "ES256 EdDSA", bearer: true}
	only := &challenge{resourceMetadata: both.resourceMetadata, dpopAlgs: "ES256 EdDSA"}
	rm := `resource_metadata="https://rs.example/.well-known/oauth-protected-resource"`
	for _, tc := range []struct {
		name   string
		err    *ValidationError
		want   []string
		nonce  string
		status int
	}{
		{"no token", &ValidationError{Reason: ErrNoToken, ch: both},
			[]string{"Bearer " + rm, `DPoP algs="ES256 EdDSA", ` + rm}, "", 401},
		{"bearer token refused", &ValidationError{Reason: ErrExpired, ch: both},
			[]string{`Bearer error="invalid_token", ` + rm, `DPoP algs="ES256 EdDSA", ` + rm}, "", 401},
		{"DPoP token refused", &ValidationError{Reason: ErrExpired, ch: both, dpopScheme: true},
			[]string{"Bearer " + rm, `DPoP error="invalid_token", algs="ES256 EdDSA", ` + rm}, "", 401},
		{"proof refused", &ValidationError{Reason: ErrDPoP, Claim: "htu", ch: both, dpopScheme: true},
			[]string{"Bearer " + rm, `DPoP error="invalid_dpop_proof", algs="ES256 EdDSA", ` + rm}, "", 401},
		{"nonce needed", &ValidationError{Reason: ErrDPoP, Claim: "nonce", ch: both, dpopScheme: true, dpopNonce: "n0"},
			[]string{"Bearer " + rm, `DPoP error="use_dpop_nonce", algs="ES256 EdDSA", ` + rm}, "n0", 401},
		{"insufficient scope with DPoP", &ValidationError{Reason: ErrInsufficientScope, ch: both, dpopScheme: true, scope: "a b"},
			[]string{"Bearer " + rm, `DPoP error="insufficient_scope", scope="a b", algs="ES256 EdDSA", ` + rm}, "", 403},
		{"DPoPRequired, no token", &ValidationError{Reason: ErrNoToken, ch: only},
			[]string{`DPoP algs="ES256 EdDSA", ` + rm}, "", 401},
		{"DPoPRequired, Bearer-scheme token", &ValidationError{Reason: ErrDPoP, ch: only},
			[]string{`DPoP error="invalid_token", algs="ES256 EdDSA", ` + rm}, "", 401},
		{"certificate binding", &ValidationError{Reason: ErrCertBinding, ch: both},
			[]string{`Bearer error="invalid_token", ` + rm, `DPoP algs="ES256 EdDSA", ` + rm}, "", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			SetErrorHeaders(h, tc.err)
			require.Equal(t, tc.status, StatusCode(tc.err))
			require.Equal(t, tc.want, h.Values("WWW-Authenticate"))
			require.Equal(t, tc.nonce, h.Get("DPoP-Nonce"))
		})
	}
}
