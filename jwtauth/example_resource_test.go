package jwtauth_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// RFC 9068 access tokens only: an ID token from the same issuer, for the
// same audience, is refused by its typ.
func ExampleNew_tokenTypes() {
	iss := jwtauthtest.NewIssuer(t)
	cfg := iss.Config()
	cfg.ExpectClaims["aud"] = "https://api.example.com"
	cfg.TokenTypes = []string{"at+jwt"}
	v, err := jwtauth.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	claims := map[string]any{"sub": "u-1", "aud": "https://api.example.com"}
	accessToken := iss.SignWith(map[string]any{"typ": "at+jwt"}, claims)
	idToken := iss.Sign(claims) // typ "JWT"

	_, err = v.Verify(context.Background(), accessToken)
	fmt.Println(err)
	_, err = v.Verify(context.Background(), idToken)
	fmt.Println(errors.Is(err, jwtauth.ErrClaimMismatch), err)
	// Output:
	// <nil>
	// true claims: claim mismatch (typ): typ "JWT" is not "at+jwt"
}

// A route that needs a scope; the 403 names it.
func ExampleVerifier_RequireScope() {
	iss := jwtauthtest.NewIssuer(t)
	v, err := jwtauth.New(iss.Config())
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	orders := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwtauth.FromContext(r.Context())
		fmt.Println("granted", id.Scopes)
	})
	h := v.Middleware(v.RequireScope("orders:write")(orders))

	for _, scope := range []string{"orders:read orders:write", "orders:read"} {
		r := httptest.NewRequest(http.MethodPost, "/orders", nil)
		r.Header.Set("Authorization", "Bearer "+iss.Sign(map[string]any{"sub": "u-1", "scope": scope}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Values("WWW-Authenticate"))
	}
	// Output:
	// granted [orders:read orders:write]
	// 200 []
	// 403 [Bearer error="insufficient_scope", scope="orders:write"]
}

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
