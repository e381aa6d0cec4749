// Command nginx is an endpoint for nginx's auth_request module: nginx asks
// GET /auth before serving each request, passing the client's headers on,
// and this server verifies the JWT they carry, configured by the
// [auth.jwt] section of a grafana.ini-style file:
//
//	go run ./examples/nginx -config grafana.ini -listen 127.0.0.1:9091
//
// A verified token is answered with 204 No Content and the identity in
// X-Auth-User (the login, or the email when the token maps no login),
// X-Auth-Email, X-Auth-Name, X-Auth-Role and X-Auth-Groups, which nginx
// copies with auth_request_set and forwards with proxy_set_header (the
// README has the nginx.conf). Anything else is answered by jwtauth's error
// handler: 401 (no, bad or expired token), 403 (role_attribute_strict and
// no role), 400 (a JMESPath failed) or 503 (keys unavailable). nginx passes
// 401 and 403 on to the client (401 with its WWW-Authenticate) and turns
// every other status into 500, unless an error_page maps it.
//
// The token is read from the header_name header (default Authorization),
// the cookie_name cookie, and, with url_login, the auth_token parameter of
// the original URI that nginx sends in X-Original-URI. Identity values a
// header cannot carry faithfully (control characters such as CR or LF,
// surrounding spaces, and in comma-joined groups a comma or white space
// inside a group name) refuse the request with 401.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jwtgate/jwtgate/examples/internal/identhdr"
	"github.com/jwtgate/jwtgate/examples/internal/keyhealth"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// identityHeaders are the response headers that carry the identity to
// nginx.
var identityHeaders = identhdr.Names{
	User:   "X-Auth-User",
	Email:  "X-Auth-Email",
	Name:   "X-Auth-Name",
	Role:   "X-Auth-Role",
	Groups: "X-Auth-Groups",
}

// authServer answers nginx's auth subrequests.
type authServer struct {
	v          *jwtauth.Verifier
	onError    func(http.ResponseWriter, *http.Request, error)
	log        *slog.Logger
	urlLogin   bool
	groupsJSON bool
}

// newAuthServer builds an authServer from a jwtauth Config (as LoadINI
// returns it). With groupsJSON, X-Auth-Groups is a JSON array instead of a
// comma-joined list. Close releases it.
func newAuthServer(cfg jwtauth.Config, groupsJSON bool, logger *slog.Logger) (*authServer, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Logger == nil {
		cfg.Logger = logger
	}
	a := &authServer{onError: cfg.ErrorHandler, log: logger, urlLogin: cfg.URLLogin, groupsJSON: groupsJSON}
	if a.onError == nil {
		a.onError = jwtauth.DefaultErrorHandler
	}
	v, err := jwtauth.New(cfg)
	if err != nil {
		return nil, err
	}
	a.v = v
	return a, nil
}

// Close releases the verifier.
func (a *authServer) Close() error { return a.v.Close() }

// handler serves GET /auth and GET /healthz.
func (a *authServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth", a.serveAuth)
	mux.HandleFunc("GET /healthz", a.serveHealth)
	return mux
}

func (a *authServer) serveAuth(w http.ResponseWriter, r *http.Request) {
	req := r
	if a.urlLogin {
		// Verify against the client's URI, so that url_login finds
		// auth_token there (after the header and before the cookie).
		if ou := r.Header.Get("X-Original-URI"); ou != "" {
			if u, err := url.ParseRequestURI(ou); err == nil {
				req = r.Clone(r.Context())
				req.URL, req.RequestURI = u, ou
			}
		}
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store") // an identity must never be cached for someone else
	id, err := a.v.VerifyRequest(req)
	if err != nil {
		a.onError(w, r, err)
		return
	}
	vals, err := identhdr.Encode(id, identityHeaders, a.groupsJSON)
	if err != nil {
		a.log.LogAttrs(r.Context(), slog.LevelInfo, "jwt refused", slog.String("reason", "unsafe identity"), slog.String("detail", err.Error()))
		a.onError(w, r, err)
		return
	}
	for k, vs := range vals {
		h[k] = vs
	}
	w.WriteHeader(http.StatusNoContent)
}

// serveHealth answers with keyhealth's report: 200 when every issuer has
// usable keys, a key server that answered its last request, a remote set
// not fetched yet, or a custom source; 503 otherwise. It holds no key
// material, no URLs and no error text.
func (a *authServer) serveHealth(w http.ResponseWriter, r *http.Request) {
	code, rep := keyhealth.Of(a.v.Stats())
	keyhealth.Write(w, code, rep)
}

// run serves until ctx ends or SIGINT/SIGTERM arrives, then shuts down
// gracefully. It prints the address it serves on to stdout; logs go to
// stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nginx", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "grafana.ini-style file whose [auth.jwt] section configures token verification (required)")
	listen := fs.String("listen", "127.0.0.1:9091", "address to serve /auth and /healthz on (keep it private to nginx)")
	groupsJSON := fs.Bool("groups-json", false, "send X-Auth-Groups as a JSON array (Grafana accepts it) instead of comma-joined")
	timeout := fs.Duration("shutdown-timeout", 10*time.Second, "how long in-flight requests may run after SIGTERM")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case *config == "":
		return errors.New("-config is required")
	case *timeout <= 0:
		return errors.New("-shutdown-timeout must be positive")
	}
	cfg, err := jwtauth.LoadINI(*config)
	if errors.Is(err, jwtauth.ErrDisabled) {
		return fmt.Errorf("%s: set enabled = true in [auth.jwt]: %w", *config, err)
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	a, err := newAuthServer(cfg, *groupsJSON, logger)
	if err != nil {
		return err
	}
	defer a.Close()

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "auth endpoint listening on http://%s/auth\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", *timeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), *timeout)
	defer cancel()
	return srv.Shutdown(sctx)
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		log.Fatal(err)
	}
}
