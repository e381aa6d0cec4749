package jwtauth

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Without ResourceMetadataURL no challenge is built, so SetErrorHeaders
// sends today's exact headers.
func TestBuildChallenge(t *testing.T) {
	assert.Nil(t, buildChallenge(Config{}, nil))
	assert.Equal(t, &challenge{resourceMetadata: "https://a.example/md", bearer: true},
		buildChallenge(Config{ResourceMetadataURL: "https://a.example/md"}, nil))
}

// The sender-constraint members of the metadata document, from the DPoP
// and certificate fields, driven from configs directly so that every
// combination of issuers is covered without key sources.
func TestResourceMetadataSenderConstraints(t *testing.T) {
	const iss = "https://as.example"
	for _, tc := range []struct {
		name string
		cfgs []Config
		want string
	}{
		{"off", []Config{{}}, `"bearer_methods_supported":["header"]}`},
		{"DPoP allowed, default algs", []Config{{DPoP: DPoPAllowed}},
			`"bearer_methods_supported":["header"],"dpop_signing_alg_values_supported":["ES256","ES384","ES512","EdDSA","RS256","PS256"]}`},
		{"DPoP required, configured algs", []Config{{DPoP: DPoPRequired, DPoPAlgorithms: []string{"ES256"}}},
			`"bearer_methods_supported":["header"],"dpop_signing_alg_values_supported":["ES256"],"dpop_bound_access_tokens_required":true}`},
		{"required only if every issuer requires it", []Config{{DPoP: DPoPRequired, DPoPAlgorithms: []string{"ES256"}}, {DPoP: DPoPAllowed, DPoPAlgorithms: []string{"EdDSA", "ES256"}}},
			`"bearer_methods_supported":["header"],"dpop_signing_alg_values_supported":["ES256","EdDSA"]}`},
		{"certificate-bound tokens", []Config{{}, {CertBoundTokens: true}},
			`"bearer_methods_supported":["header"],"tls_client_certificate_bound_access_tokens":true}`},
		{"custom extractor: methods unknown", []Config{{TokenExtractor: func(*http.Request) (string, error) { return "", ErrNoToken }, URLLogin: true}},
			`}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{issuers: []*issuer{{iss: iss}}, rs: resourceInfoOf(tc.cfgs)}
			h, err := v.ResourceMetadataHandler(ResourceMetadata{Resource: "https://api.example"})
			require.NoError(t, err)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			body, _ := io.ReadAll(w.Body)
			prefix := `{"resource":"https://api.example","authorization_servers":["` + iss + `"]`
			if tc.want != "}" {
				prefix += ","
			}
			assert.Equal(t, prefix+tc.want+"\n", string(body))
		})
	}
}
