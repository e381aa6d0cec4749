// Command basic is a self-contained jwtgate demo: an in-memory identity
// provider (a fresh Ed25519 key each start) signs tokens, and a server
// protects /api/whoami with jwtauth.Verifier.Middleware, configured the
// way a Grafana [auth.jwt] section would be.
//
//	go run ./examples/basic
//
// It prints a ready-to-paste curl command with a freshly minted token.
// GET /token?sub=bob&groups=admin,dev mints more tokens.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/jwtgate/jwtgate/jwtauth"
)

const (
	issuer   = "https://idp.demo.invalid/realms/demo"
	audience = "grafana"
	keyID    = "demo-key-1"
)

// demo is the issuer and the protected server.
type demo struct {
	priv     ed25519.PrivateKey
	verifier *jwtauth.Verifier
	now      func() time.Time
}

func newDemo(now func() time.Time) (*demo, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	// Publish the public key as a JWKS, as an IdP would, and hand it to
	// jwtauth inline (jwk_set_value). A real deployment uses JWKSetURL.
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub, KeyID: keyID, Algorithm: "EdDSA", Use: "sig"}}})
	if err != nil {
		return nil, err
	}
	v, err := jwtauth.New(jwtauth.Config{
		JWKSetValue:         base64.StdEncoding.EncodeToString(jwks),
		Algorithms:          []string{"EdDSA"},
		ExpectClaims:        map[string]any{"iss": issuer, "aud": audience},
		RequireExp:          true,
		UsernameClaim:       "preferred_username",
		EmailClaim:          "email",
		GroupsAttributePath: "groups",
		// not_null guards tokens without groups: contains() on null fails,
		// which would mean "no role" rather than Viewer.
		RoleAttributePath: "contains(not_null(groups, `[]`), 'admin') && 'Admin' || contains(not_null(groups, `[]`), 'editor') && 'Editor' || 'Viewer'",
		URLLogin:          true,
		Now:               now,
	})
	if err != nil {
		return nil, err
	}
	return &demo{priv: priv, verifier: v, now: now}, nil
}

// mint signs a token for sub with the given groups, valid for one hour.
func (d *demo) mint(sub string, groups []string) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: d.priv},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", keyID))
	if err != nil {
		return "", err
	}
	now := d.now()
	return jwt.Signed(signer).Claims(jwt.Claims{
		Issuer:   issuer,
		Subject:  sub,
		Audience: jwt.Audience{audience},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(time.Hour)),
	}).Claims(map[string]any{
		"preferred_username": sub,
		"email":              sub + "@demo.invalid",
		"name":               strings.ToUpper(sub[:1]) + sub[1:],
		"groups":             groups,
	}).Serialize()
}

// handler serves the demo: / (help), /token (mint), /api/whoami (protected).
func (d *demo) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "jwtgate demo: GET /token?sub=alice&groups=admin mints a token; GET /api/whoami with Authorization: Bearer <token> shows who it proves you are.")
	})
	mux.HandleFunc("GET /token", func(w http.ResponseWriter, r *http.Request) {
		sub := r.URL.Query().Get("sub")
		if sub == "" {
			sub = "alice"
		}
		groups := []string{}
		if g := r.URL.Query().Get("groups"); g != "" {
			groups = strings.Split(g, ",")
		}
		tok, err := d.mint(sub, groups)
		if err != nil {
			http.Error(w, "cannot mint", http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, tok)
	})
	mux.Handle("GET /api/whoami", d.verifier.Middleware(http.HandlerFunc(whoami)))
	return mux
}

// whoami answers with the identity the middleware verified.
func whoami(w http.ResponseWriter, r *http.Request) {
	id, _ := jwtauth.FromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(map[string]any{
		"subject":   id.Subject,
		"login":     id.Login,
		"email":     id.Email,
		"name":      id.Name,
		"role":      id.Role,
		"groups":    id.Groups,
		"orgRoles":  id.OrgRoles,
		"expiresAt": id.ExpiresAt.UTC().Format(time.RFC3339),
	})
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("basic", flag.ContinueOnError)
	fs.SetOutput(out)
	listen := fs.String("listen", "localhost:8080", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := newDemo(time.Now)
	if err != nil {
		return err
	}
	defer d.verifier.Close()
	tok, err := d.mint("alice", []string{"admin", "dev"})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "jwtgate demo listening on http://%s\n\nTry:\n  curl -s -H 'Authorization: Bearer %s' http://%s/api/whoami\n\nWithout a token you get 401:\n  curl -si http://%s/api/whoami\n", *listen, tok, *listen, *listen)
	srv := &http.Server{Addr: *listen, Handler: d.handler(), ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
