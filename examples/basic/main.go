// Command basic is a self-contained jwtgate demo: an in-memory identity
// provider (a fresh Ed25519 key each start) signs tokens, and a server
// protects /api/whoami and /api/admin with jwtauth.Verifier.Middleware and
// RequireRole, and greets visitors on / with OptionalMiddleware,
// configured the way a Grafana [auth.jwt] section would be.
//
//	go run ./examples/basic
//
// Once it listens, it prints a ready-to-paste curl command with a freshly
// minted token; -addr picks another address. GET /token?sub=bob&groups=admin,dev
// mints more tokens. It stops cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
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
	v, err := jwtauth.New(withMapping(jwtauth.Config{
		JWKSetValue:  base64.StdEncoding.EncodeToString(jwks),
		Algorithms:   []string{"EdDSA"},
		ExpectClaims: map[string]any{"iss": issuer, "aud": audience},
		Now:          now,
	}))
	if err != nil {
		return nil, err
	}
	return &demo{priv: priv, verifier: v, now: now}, nil
}

// withMapping adds to cfg (the key source and expected claims) what the
// rest of a Grafana [auth.jwt] section says: how a token maps to a user.
func withMapping(cfg jwtauth.Config) jwtauth.Config {
	cfg.RequireExp = true
	cfg.UsernameClaim = "preferred_username"
	cfg.EmailClaim = "email"
	cfg.GroupsAttributePath = "groups"
	// not_null guards tokens without groups: contains() on null fails,
	// which would mean "no role" rather than Viewer.
	cfg.RoleAttributePath = "contains(not_null(groups, `[]`), 'admin') && 'Admin' || contains(not_null(groups, `[]`), 'editor') && 'Editor' || 'Viewer'"
	cfg.URLLogin = true
	return cfg
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

// handler serves the demo: the routes of [routes] and /token (mint).
func (d *demo) handler() http.Handler {
	mux := routes(d.verifier)
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
	return mux
}

// routes are the application's routes, protected by v: / greets anyone
// (by name when a token is sent), /api/whoami needs a token, /api/admin a
// token with the Admin role.
func routes(v *jwtauth.Verifier) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", v.OptionalMiddleware(http.HandlerFunc(home)))
	mux.Handle("GET /api/whoami", v.Middleware(http.HandlerFunc(whoami)))
	mux.Handle("GET /api/admin", v.Middleware(v.RequireRole(jwtauth.RoleAdmin)(http.HandlerFunc(admin))))
	return mux
}

// home greets the visitor, by name when the request carried a valid token.
func home(w http.ResponseWriter, r *http.Request) {
	if id, ok := jwtauth.FromContext(r.Context()); ok {
		fmt.Fprintf(w, "Hello %s. GET /api/whoami shows who your token proves you are.\n", id.Login)
		return
	}
	fmt.Fprintln(w, "jwtgate demo: GET /token?sub=alice&groups=admin mints a token; GET /api/whoami with Authorization: Bearer <token> shows who it proves you are.")
}

// admin is for Admins only (RequireRole).
func admin(w http.ResponseWriter, r *http.Request) {
	id, _ := jwtauth.FromContext(r.Context())
	fmt.Fprintf(w, "welcome to the admin area, %s\n", id.Login)
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

// run serves the demo until ctx ends. It prints the curl lines only once
// it listens.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("basic", flag.ContinueOnError)
	fs.SetOutput(out)
	addr := fs.String("addr", "localhost:8080", "address to listen on")
	fs.StringVar(addr, "listen", "localhost:8080", "same as -addr")
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
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("%w (pick another address with -addr, for example -addr localhost:8081)", err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "jwtgate demo listening on %s\n\nTry:\n  curl -s -H 'Authorization: Bearer %s' %s/api/whoami\n\nWithout a token you get 401:\n  curl -si %s/api/whoami\n", base, tok, base, base)

	srv := &http.Server{Handler: d.handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(out, "shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		log.Fatal(err)
	}
}
