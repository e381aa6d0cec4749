// Command mcp is a Model Context Protocol server whose streamable-HTTP
// endpoint is an OAuth 2.0 protected resource, as the MCP authorization
// specification requires:
//
//   - a request without a valid token gets 401 with
//     WWW-Authenticate: Bearer resource_metadata="<metadata URL>";
//   - the metadata document (RFC 9728) names the authorization server
//     (the configured issuer) and the scope the tools need;
//   - only RFC 9068 access tokens (typ at+jwt) issued for this resource
//     (aud) are accepted: an ID token from the same issuer is refused;
//   - calling a tool needs the mcp:tools scope, else 403
//     insufficient_scope;
//   - each MCP session is bound to the user who opened it.
//
// Usage:
//
//	mcp -issuer https://sso.example.com/realms/acme -resource https://mcp.example.com/mcp
//
// It listens on plain HTTP (-addr, default 127.0.0.1:8080) behind a
// TLS-terminating proxy serving the -resource URL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"maps"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// toolsScope is the scope a token needs to use the tools.
const toolsScope = "mcp:tools"

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	issuer := flag.String("issuer", "", "OpenID Connect issuer URL of the authorization server (required)")
	resource := flag.String("resource", "", "public https URL of the MCP endpoint, e.g. https://mcp.example.com/mcp (required)")
	flag.Parse()
	if *issuer == "" || *resource == "" {
		flag.Usage()
		os.Exit(2)
	}
	h, v, err := newHandler(jwtauth.Config{OIDCIssuerURL: *issuer}, *resource)
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("MCP endpoint %s (listening on %s)", *resource, *addr)
	log.Fatal(srv.ListenAndServe())
}

// newHandler returns the server's routes for the MCP endpoint at
// resource (an https URL; its path is the route) and its metadata at the
// path-suffixed well-known URL (RFC 9728 §3.1), with cfg's key source
// and issuer. The caller closes the Verifier.
func newHandler(cfg jwtauth.Config, resource string) (http.Handler, *jwtauth.Verifier, error) {
	u, err := url.Parse(resource)
	if err != nil || u.Host == "" {
		return nil, nil, fmt.Errorf("mcp: resource %q is not an absolute URL", resource)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	wellKnown := "/.well-known/oauth-protected-resource" + strings.TrimSuffix(path, "/")

	// Access tokens for this resource only (RFC 8707 audience, as the MCP
	// specification requires), typed as RFC 9068 access tokens.
	expect := maps.Clone(cfg.ExpectClaims)
	if expect == nil {
		expect = map[string]any{}
	}
	expect["aud"] = resource
	cfg.ExpectClaims = expect
	cfg.TokenTypes = []string{"at+jwt"}
	cfg.ResourceMetadataURL = u.Scheme + "://" + u.Host + wellKnown

	v, err := jwtauth.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	md, err := v.ResourceMetadataHandler(jwtauth.ResourceMetadata{
		Resource:        resource,
		ScopesSupported: []string{toolsScope},
	})
	if err != nil {
		_ = v.Close()
		return nil, nil, err
	}

	server := mcp.NewServer(&mcp.Implementation{Name: "jwtgate-mcp-example", Version: "v1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami", Description: "Says who the access token was issued to."}, whoami)
	stream := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{
		// The SDK refuses a request reaching a loopback address with
		// another Host, against DNS rebinding of unauthenticated local
		// servers. Here a TLS-terminating proxy on the same host forwards
		// the public Host, and every request has already shown an access
		// token for this resource, which a rebinding page cannot have.
		DisableLocalhostProtection: true,
	})

	mux := http.NewServeMux()
	mux.Handle(wellKnown, md)
	mux.Handle(path, v.Middleware(v.RequireScope(toolsScope)(bindUser(stream))))
	return mux, v, nil
}

// bindUser hands the verified identity to the SDK, whose streamable
// handler then ties each session to the user who opened it: another
// user's token with that session's Mcp-Session-Id gets 403. It runs after
// jwtauth's Middleware, which has checked the token.
func bindUser(next http.Handler) http.Handler {
	verified := func(ctx context.Context, _ string, _ *http.Request) (*auth.TokenInfo, error) {
		id, ok := jwtauth.FromContext(ctx)
		if !ok {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{
			Scopes:     id.Scopes,
			Expiration: id.ExpiresAt,
			UserID:     id.Issuer + " " + id.Subject,
			Extra:      map[string]any{"sub": id.Subject},
		}, nil
	}
	// jwtauth has checked exp (and RequireExp decides whether it is
	// needed); the SDK's own check would refuse tokens without one.
	return auth.RequireBearerToken(verified, &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(next)
}

type whoamiOut struct {
	Subject string   `json:"subject"`
	Scopes  []string `json:"scopes"`
}

func whoami(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, whoamiOut, error) {
	ti := req.Extra.TokenInfo
	if ti == nil {
		return nil, whoamiOut{}, errors.New("no token")
	}
	sub, _ := ti.Extra["sub"].(string)
	return nil, whoamiOut{Subject: sub, Scopes: ti.Scopes}, nil
}
