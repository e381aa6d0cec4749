package main

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// issuerCA writes the certificate iss serves (the test server's own CA
// certificate) to a PEM file for tls_client_ca, and returns its path: an
// ini file cannot take iss.Client(), so jwtcheck trusts the issuer this
// way.
func issuerCA(t *testing.T, iss *jwtauthtest.Issuer) string {
	t.Helper()
	resp, err := iss.Client().Get(iss.URL() + "/.well-known/openid-configuration")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.NotNil(t, resp.TLS)
	certs := resp.TLS.PeerCertificates
	require.NotEmpty(t, certs)
	p := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certs[len(certs)-1].Raw}), 0o600))
	return p
}

// jwtcheck explains a token of a jwtauthtest issuer found by OIDC
// discovery, at the current time (no -now): the way to check a token of a
// provider a service's tests run.
func TestIssuerDiscovery(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t)
	ini := writeINI(t, "[auth.jwt]\nenabled = true\n"+
		"oidc_issuer_url = "+iss.URL()+"\n"+
		"tls_client_ca = "+issuerCA(t, iss)+"\n"+
		"username_claim = preferred_username\n")
	tok := iss.Sign(map[string]any{"sub": "alice", "preferred_username": "alice"})

	r := check(t, "", "-config", ini, "-token", tok)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	for _, w := range []string{
		"oidc_issuer_url            " + iss.URL(),
		`kids       "jwtauthtest-1"`,
		`alg        "RS256"`,
		"VALID", "subject    alice", "login      alice",
	} {
		assert.Contains(t, r.stdout, w)
	}
	assert.Equal(t, 1, iss.Fetches())
	noSecrets(t, r, tok)

	// A token another provider signed under the same kid is refused on
	// its signature.
	other := jwtauthtest.NewIssuer(t)
	forged := other.Sign(map[string]any{"sub": "mallory", "iss": iss.URL()})
	r = check(t, "", "-config", ini, "-token", forged)
	require.Equal(t, 1, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "reason     ErrSignature")
	noSecrets(t, r, forged)
}
