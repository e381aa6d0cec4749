package jwtauth

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ResourceMetadata is the part of an RFC 9728 protected-resource metadata
// document that the caller supplies; see
// [Verifier.ResourceMetadataHandler].
type ResourceMetadata struct {
	Resource             string   // required: this resource's identifier, an https URL
	AuthorizationServers []string // nil: the issuers the Verifier pins (ExpectClaims "iss", OIDCIssuerURL)
	ScopesSupported      []string // optional
}

// metadataMaxAge is the Cache-Control max-age of the metadata document, in
// seconds: an hour, as the document changes only with the configuration.
const metadataMaxAge = 3600

// resourceInfo is what a Verifier's configs say for its metadata
// document, beyond the pinned issuers and the sender constraints (v.sc).
type resourceInfo struct {
	allowHTTP     bool
	bearerMethods []string // nil: unknown (a custom TokenExtractor)
}

func resourceInfoOf(cfgs []Config) resourceInfo {
	first := cfgs[0]
	ri := resourceInfo{allowHTTP: allowHTTP(cfgs)}
	if first.TokenExtractor == nil {
		ri.bearerMethods = []string{}
		if h := first.HeaderName; h == "" || http.CanonicalHeaderKey(h) == "Authorization" {
			ri.bearerMethods = append(ri.bearerMethods, "header")
		}
		if first.URLLogin {
			ri.bearerMethods = append(ri.bearerMethods, "query")
		}
	}
	return ri
}

// metadataDocument is the RFC 9728 §2 JSON document.
type metadataDocument struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers"`
	ScopesSupported        []string `json:"scopes_supported,omitempty"`
	BearerMethodsSupported []string `json:"bearer_methods_supported,omitzero"`
	DPoPAlgs               []string `json:"dpop_signing_alg_values_supported,omitempty"`
	DPoPRequired           bool     `json:"dpop_bound_access_tokens_required,omitempty"`
	CertBound              bool     `json:"tls_client_certificate_bound_access_tokens,omitempty"`
}

// ResourceMetadataHandler returns a handler serving this resource's RFC
// 9728 §2 protected-resource metadata, built once from md and v's
// configuration:
//   - resource: md.Resource;
//   - authorization_servers: md.AuthorizationServers, or when nil the
//     issuers v pins (OIDCIssuerURL or ExpectClaims "iss" of each config);
//   - scopes_supported: md.ScopesSupported, omitted when empty;
//   - bearer_methods_supported: "header" when the token comes in the
//     Authorization header (HeaderName unset or "Authorization"), and
//     "query" with URLLogin (whose parameter is auth_token, Grafana's
//     name, not RFC 6750's access_token); an empty list when neither; the
//     member is omitted with a TokenExtractor, whose sources are unknown.
//     CookieName adds nothing: RFC 9728 defines no cookie method;
//   - with DPoP on, dpop_signing_alg_values_supported (DPoPAlgorithms, or
//     their default) and, under DPoPRequired,
//     dpop_bound_access_tokens_required: true; with CertBoundTokens,
//     tls_client_certificate_bound_access_tokens: true.
//
// The handler answers GET and HEAD with 200, Content-Type
// application/json and Cache-Control "public, max-age=3600" (the document
// changes only with the configuration), and any other method with 405 and
// Allow: GET, HEAD. It does not look at the request path: mount it at
// /.well-known/oauth-protected-resource, or for a resource with a path
// such as https://api.example.com/v1 at
// /.well-known/oauth-protected-resource/v1 (RFC 9728 §3.1), and point
// Config.ResourceMetadataURL at that URL. It is safe for concurrent use.
//
// The error wraps ErrInvalidConfig when md.Resource is empty or not an
// absolute https URL without a fragment (http is allowed when a config
// sets InsecureAllowHTTP), when an authorization server is not such a
// URL, when a scope is not an RFC 6749 scope-token, or when no
// authorization server is known (md.AuthorizationServers is nil and no
// config pins an issuer, or it is empty).
func (v *Verifier) ResourceMetadataHandler(md ResourceMetadata) (http.Handler, error) {
	if md.Resource == "" {
		return nil, configErr("ResourceMetadata.Resource is required")
	}
	if err := checkPublicURL(md.Resource, v.rs.allowHTTP); err != nil {
		return nil, configErr("ResourceMetadata.Resource: %v", err)
	}
	servers := md.AuthorizationServers
	if servers == nil {
		for _, is := range v.issuers {
			if is.iss != "" && !slices.Contains(servers, is.iss) {
				servers = append(servers, is.iss)
			}
		}
	}
	if len(servers) == 0 {
		return nil, configErr("ResourceMetadata: no authorization server: set AuthorizationServers, or pin the issuer with OIDCIssuerURL or ExpectClaims[\"iss\"]")
	}
	for _, s := range servers {
		if err := checkPublicURL(s, v.rs.allowHTTP); err != nil {
			return nil, configErr("ResourceMetadata: authorization server (an issuer URL): %v", err)
		}
	}
	for _, s := range md.ScopesSupported {
		if !validScope(s) {
			return nil, configErr("ResourceMetadata.ScopesSupported: %q is not a scope (RFC 6749 §3.3)", s)
		}
	}
	doc := metadataDocument{
		Resource:               md.Resource,
		AuthorizationServers:   servers,
		ScopesSupported:        md.ScopesSupported,
		BearerMethodsSupported: v.rs.bearerMethods,
	}
	if sc := v.sc; sc != nil {
		if sc.dpop != DPoPOff {
			doc.DPoPAlgs = strings.Fields(sc.algNames)
			doc.DPoPRequired = sc.dpop == DPoPRequired
		}
		doc.CertBound = sc.certBound
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil { // only strings and bools: cannot fail
		return nil, configErr("ResourceMetadata: %v", err)
	}
	return &metadataHandler{body: buf.Bytes(), length: strconv.Itoa(buf.Len())}, nil
}

// metadataHandler serves a fixed metadata document.
type metadataHandler struct {
	body   []byte
	length string
}

func (h *metadataHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "public, max-age="+strconv.Itoa(metadataMaxAge))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Length", h.length)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(h.body)
	}
}
