package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// TestDPoPProofExplained: with -dpop-proof the token is checked with its
// proof, and a refused proof is explained by what it was made for.
func TestDPoPProofExplained(t *testing.T) {
	issuer := jwttest.RSA("jwtcheck", 2048, "k1")
	cfg := jwtauth.Config{JWKSetValue: jwttest.Base64(jwttest.JWKS(issuer)), DPoP: jwtauth.DPoPAllowed, Now: jwttest.Clock()}
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	defer v.Close()
	key := jwtauthtest.NewDPoPKey(t)
	key.Now = jwttest.Clock()
	token := issuer.Sign(key.Bind(jwttest.Default()))
	proof := key.Proof(httptest.NewRequest("POST", "https://api.example.com/orders", nil), token)

	_, err = verify(context.Background(), v, token, proofRequest{})
	require.ErrorIs(t, err, jwtauth.ErrDPoP, "a bound token without its proof")

	pr := proofRequest{proof: proof, method: "POST", url: "https://api.example.com/items"}
	_, err = verify(context.Background(), v, token, pr)
	require.ErrorIs(t, err, jwtauth.ErrDPoP)
	var out bytes.Buffer
	printDPoPHints(&out, err, cfg, pr, jwttest.Epoch)
	require.Contains(t, out.String(), "the proof was made for POST https://api.example.com/orders; this check used -method POST -url https://api.example.com/items")
	require.NotContains(t, out.String(), proof)
	require.NotContains(t, out.String(), token)

	pr.url = "https://api.example.com/orders"
	id, err := verify(context.Background(), v, token, pr)
	require.NoError(t, err)
	require.Equal(t, key.Thumbprint(), id.Confirmation["jkt"])
}
