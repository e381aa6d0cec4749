package jwtauth_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// A resource server at https://api.example.com: ID tokens are refused,
// every challenge points at the metadata, and the metadata names the
// issuer as the authorization server.
func ExampleVerifier_ResourceMetadataHandler() {
	v, err := jwtauth.New(jwtauth.Config{
		OIDCIssuerURL:       "https://sso.example.com/realms/acme",
		ExpectClaims:        map[string]any{"aud": "https://api.example.com"},
		TokenTypes:          []string{"at+jwt"}, // RFC 9068 access tokens only
		ResourceMetadataURL: "https://api.example.com/.well-known/oauth-protected-resource",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	md, err := v.ResourceMetadataHandler(jwtauth.ResourceMetadata{
		Resource:        "https://api.example.com",
		ScopesSupported: []string{"orders:read", "orders:write"},
	})
	if err != nil {
		log.Fatal(err)
	}
	orders := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})

	mux := http.NewServeMux()
	mux.Handle("/.well-known/oauth-protected-resource", md)
	mux.Handle("/orders", v.Middleware(v.RequireScope("orders:read")(orders)))

	// A client without a token learns where the metadata is...
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/orders", nil))
	fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"))

	// ...and the metadata tells it where to get one.
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-protected-resource", nil))
	fmt.Println(w.Code, w.Header().Get("Cache-Control"))
	fmt.Print(w.Body.String())
	// Output:
	// 401 Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"
	// 200 public, max-age=3600
	// {"resource":"https://api.example.com","authorization_servers":["https://sso.example.com/realms/acme"],"scopes_supported":["orders:read","orders:write"],"bearer_methods_supported":["header"]}
}

// A resource with a path, https://api.example.com/tenant1/mcp, has its
// metadata at the well-known URL with that path appended (RFC 9728 §3.1).
func ExampleVerifier_ResourceMetadataHandler_pathSuffix() {
	v, err := jwtauth.New(jwtauth.Config{
		OIDCIssuerURL:       "https://sso.example.com/realms/tenant1",
		ResourceMetadataURL: "https://api.example.com/.well-known/oauth-protected-resource/tenant1/mcp",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	md, err := v.ResourceMetadataHandler(jwtauth.ResourceMetadata{Resource: "https://api.example.com/tenant1/mcp"})
	if err != nil {
		log.Fatal(err)
	}
	mcp := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})

	mux := http.NewServeMux()
	mux.Handle("/.well-known/oauth-protected-resource/tenant1/mcp", md)
	mux.Handle("/tenant1/mcp", v.Middleware(mcp))

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/tenant1/mcp", nil))
	fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"))

	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-protected-resource/tenant1/mcp", nil))
	fmt.Print(w.Body.String())
	// Output:
	// 401 Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/tenant1/mcp"
	// {"resource":"https://api.example.com/tenant1/mcp","authorization_servers":["https://sso.example.com/realms/tenant1"],"bearer_methods_supported":["header"]}
}
