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

// TestDPoPCommandLine: the whole command with dpop = allowed in the ini,
// the proof on the command line, a refusal explained and no secret shown.
func TestDPoPCommandLine(t *testing.T) {
	issuer := jwttest.Ed25519(1, "k1")
	ini := writeINI(t, "[auth.jwt]\nenabled = true\njwk_set_value = "+jwttest.Base64(jwttest.JWKS(issuer))+"\ndpop = allowed\n")
	key := jwtauthtest.NewDPoPKey(t)
	key.Now = jwttest.Clock()
	token := issuer.Sign(key.Bind(jwttest.Default()))
	proof := key.Proof(httptest.NewRequest("GET", "https://api.example.com/a", nil), token)

	r := check(t, "", "-config", ini, "-now", epoch, "-token", token, "-dpop-proof", proof, "-url", "https://api.example.com/b")
	require.Equal(t, exitRefused, r.code, r.stdout+r.stderr)
	require.Contains(t, r.stdout, "ErrDPoP")
	require.Contains(t, r.stdout, "claim      htu")
	require.Contains(t, r.stdout, "the proof was made for GET https://api.example.com/a; this check used -method GET -url https://api.example.com/b")
	noSecrets(t, r, token, proof)

	r = check(t, "", "-config", ini, "-now", epoch, "-token", token, "-dpop-proof", proof, "-url", "https://api.example.com/a")
	require.Equal(t, exitValid, r.code, r.stdout+r.stderr)

	r = check(t, "", "-config", ini, "-now", epoch, "-token", token)
	require.Equal(t, exitRefused, r.code)
	require.Contains(t, r.stdout, "pass -dpop-proof with -method and -url")
}
