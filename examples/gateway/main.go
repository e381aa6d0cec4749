// Command gateway is a reverse proxy that authenticates every request by a
// JWT, configured by the [auth.jwt] section of a grafana.ini-style file, and
// forwards verified requests to an upstream that trusts identity headers,
// such as Grafana with [auth.proxy] enabled:
//
//	cd examples/gateway # a module of its own (it needs Prometheus's client)
//	go run . -config gateway.ini -upstream http://127.0.0.1:3000
//
// A verified request is forwarded with X-WEBAUTH-USER (the login, or the
// email when the token maps no login), X-WEBAUTH-EMAIL, X-WEBAUTH-NAME,
// X-WEBAUTH-ROLE and X-WEBAUTH-GROUPS; the -header-* flags rename them (an
// empty name turns one off). Before anything else, every inbound header
// named X-WEBAUTH-* or like one of the configured names (in any case, "_"
// read as "-") is deleted, so a client can never choose its identity. A
// refused request is answered with jwtauth's responses (401, 403, 400 or
// 503) and never reaches the upstream. Identity values that a header cannot
// carry faithfully (control characters, surrounding white space, and for
// comma-joined groups a comma or white space inside a group name) refuse the
// request with 401 instead of being forwarded.
//
// With url_login = true, a GET or HEAD carrying ?auth_token=<jwt> is
// verified, answered with a cookie holding the token (HttpOnly, Secure,
// SameSite=Lax, or SameSite=None with -iframe) and a 303 redirect to the
// same URL without auth_token; later requests authenticate with the cookie.
// A link never overrides credentials the browser already holds (login CSRF,
// session fixation): a request with the token header is authenticated by
// the header, and a valid login cookie is replaced only by a token of the
// same subject; otherwise the redirect drops auth_token and sets no cookie.
//
// GET /healthz reports the key source's health; GET /metrics (Prometheus:
// the verifier's Stats, a verification-time histogram fed by
// Config.OnVerify, the gateway's counters) and GET /debug/vars (expvar,
// with the verifier's counters under "jwtgate") are served on -admin-listen
// only. SIGINT and SIGTERM shut the server down gracefully.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"expvar"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jwtgate/jwtgate/examples/internal/identhdr"
	"github.com/jwtgate/jwtgate/examples/internal/keyhealth"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// defaultCookieName names the login cookie when url_login is on and the
// ini file sets no cookie_name.
const defaultCookieName = "jwtgate_token"

// maxCookieBytes is what browsers store at most for one cookie (name and
// value together, RFC 6265 §6.1 asks for at least 4096).
const maxCookieBytes = 4096

// headerList lists the request headers that carry the identity upstream,
// "" for one turned off.
func headerList(h identhdr.Names) []string {
	return []string{h.User, h.Email, h.Name, h.Role, h.Groups}
}

// options are the gateway's own settings (flags); the token settings come
// from the ini file.
type options struct {
	config          string
	listen          string
	adminListen     string
	upstream        string
	keepToken       bool
	iframe          bool
	groupsJSON      bool
	headers         identhdr.Names // identity headers; an empty name is not sent
	tlsCert         string
	tlsKey          string
	shutdownTimeout time.Duration
}

func parseFlags(args []string, out io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.config, "config", "", "grafana.ini-style file whose [auth.jwt] section configures token verification (required)")
	fs.StringVar(&o.listen, "listen", "localhost:8080", "address to serve the gateway on")
	fs.StringVar(&o.adminListen, "admin-listen", "127.0.0.1:9090", "address to serve /healthz, /metrics and /debug/vars on; empty turns it off")
	fs.StringVar(&o.upstream, "upstream", "", "base URL of the upstream, e.g. http://127.0.0.1:3000 (required)")
	fs.BoolVar(&o.keepToken, "keep-token", false, "forward the token header and login cookie to the upstream (default: removed)")
	fs.BoolVar(&o.iframe, "iframe", false, "issue the login cookie with SameSite=None; Partitioned, for an upstream embedded in a cross-site iframe")
	fs.BoolVar(&o.groupsJSON, "groups-json", false, "send groups as a JSON array (Grafana accepts it) instead of comma-joined, allowing commas and spaces in group names")
	fs.StringVar(&o.headers.User, "header-user", "X-WEBAUTH-USER", "header carrying the login (or the email when there is no login)")
	fs.StringVar(&o.headers.Email, "header-email", "X-WEBAUTH-EMAIL", "header carrying the email")
	fs.StringVar(&o.headers.Name, "header-name", "X-WEBAUTH-NAME", "header carrying the display name")
	fs.StringVar(&o.headers.Role, "header-role", "X-WEBAUTH-ROLE", "header carrying the role")
	fs.StringVar(&o.headers.Groups, "header-groups", "X-WEBAUTH-GROUPS", "header carrying the groups")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "PEM certificate to serve HTTPS with (with -tls-key)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM private key to serve HTTPS with (with -tls-cert)")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long in-flight requests may run after SIGTERM")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.config == "":
		return o, errors.New("-config is required")
	case o.upstream == "":
		return o, errors.New("-upstream is required")
	case (o.tlsCert == "") != (o.tlsKey == ""):
		return o, errors.New("-tls-cert and -tls-key go together")
	case o.shutdownTimeout <= 0:
		return o, errors.New("-shutdown-timeout must be positive")
	}
	return o, nil
}

// gateway verifies requests and proxies the verified ones.
type gateway struct {
	v           *jwtauth.Verifier
	proxy       *httputil.ReverseProxy
	onError     func(http.ResponseWriter, *http.Request, error)
	now         func() time.Time
	log         *slog.Logger
	tokenHeader string // canonical
	urlLogin    bool
	cookieName  string
	keepToken   bool
	iframe      bool
	groupsJSON  bool
	headers     identhdr.Names
	strip       []string // configured identity header names, normalized
	metrics     *prometheus.Registry

	forwarded, exchanged, refused, refusedIdentity atomic.Uint64
}

// newGateway builds a gateway from a jwtauth Config (as LoadINI returns it)
// and the gateway options. When URLLogin is on and CookieName is empty,
// CookieName becomes defaultCookieName. Close releases it.
func newGateway(cfg jwtauth.Config, o options, logger *slog.Logger) (*gateway, error) {
	up, err := url.Parse(o.upstream)
	if err != nil || (up.Scheme != "http" && up.Scheme != "https") || up.Host == "" || up.User != nil {
		return nil, fmt.Errorf("-upstream %q: want an http or https URL with a host and no user info", o.upstream)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Logger == nil {
		cfg.Logger = logger
	}
	if cfg.URLLogin && cfg.CookieName == "" {
		cfg.CookieName = defaultCookieName
	}
	g := &gateway{
		onError:    cfg.ErrorHandler,
		now:        cfg.Now,
		log:        logger,
		urlLogin:   cfg.URLLogin,
		cookieName: cfg.CookieName,
		keepToken:  o.keepToken,
		iframe:     o.iframe,
		groupsJSON: o.groupsJSON,
		headers:    o.headers,
	}
	if g.onError == nil {
		g.onError = jwtauth.DefaultErrorHandler
	}
	if g.now == nil {
		g.now = time.Now
	}
	g.tokenHeader = cfg.HeaderName
	if g.tokenHeader == "" {
		g.tokenHeader = "Authorization"
	}
	g.tokenHeader = http.CanonicalHeaderKey(g.tokenHeader)
	seen := map[string]string{}
	for _, h := range headerList(o.headers) {
		if h == "" {
			continue
		}
		n := normalizeHeader(h)
		if !validHeaderName(h) {
			return nil, fmt.Errorf("identity header %q is not a valid header name", h)
		}
		if n == normalizeHeader(g.tokenHeader) {
			return nil, fmt.Errorf("identity header %q is the token header", h)
		}
		if prev, dup := seen[n]; dup {
			return nil, fmt.Errorf("identity headers %q and %q are the same header", prev, h)
		}
		seen[n] = h
		g.strip = append(g.strip, n)
	}
	verifyHist, onVerify := newVerifyHistogram()
	cfg.OnVerify = chainOnVerify(cfg.OnVerify, onVerify)
	g.v, err = jwtauth.New(cfg)
	if err != nil {
		return nil, err
	}
	g.metrics = newMetrics(g, verifyHist)
	g.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up)
			pr.SetXForwarded()
			g.rewrite(pr)
		},
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	publishVars(g)
	return g, nil
}

// Close releases the verifier.
func (g *gateway) Close() error {
	active.CompareAndSwap(g, nil)
	return g.v.Close()
}

// handler serves the gateway: GET /healthz, everything else proxied.
// It does not route through a ServeMux, so paths reach the upstream as
// they came (no cleaning redirects).
func (g *gateway) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			g.serveHealth(w, r)
			return
		}
		g.serveProxy(w, r)
	})
}

// adminHandler serves GET /healthz, GET /metrics (Prometheus) and GET
// /debug/vars (expvar).
func (g *gateway) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", g.serveHealth)
	mux.Handle("GET /metrics", metricsHandler(g.metrics))
	mux.Handle("GET /debug/vars", expvar.Handler())
	return mux
}

// forwardKey carries the identity headers from serveProxy to Rewrite.
type forwardKey struct{}

func (g *gateway) serveProxy(w http.ResponseWriter, r *http.Request) {
	// First, whatever happens next: no client-chosen identity headers.
	stripIdentityHeaders(r.Header, g.strip)

	if g.urlLogin && r.URL != nil && strings.Contains(r.URL.RawQuery, "auth_token") {
		// Header first: with the token header, the header authenticates
		// and auth_token is only removed (by VerifyRequest).
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && len(r.Header.Values(g.tokenHeader)) == 0 {
			if g.exchange(w, r) {
				return
			}
		}
	}
	fromCookie := g.cookieName != "" && len(r.Header.Values(g.tokenHeader)) == 0 && hasCookie(r, g.cookieName)
	id, err := g.v.VerifyRequest(r)
	if err != nil {
		if fromCookie && jwtauth.StatusCode(err) == http.StatusUnauthorized {
			// The cookie holds a token that will never verify again:
			// drop it so the browser stops sending it.
			http.SetCookie(w, g.cookie("", time.Time{}, true))
		}
		g.refuse(w, r, err)
		return
	}
	if g.urlLogin {
		// VerifyRequest removes auth_token only when it used it; never
		// let one reach the upstream.
		if _, n, rest := cutQueryParam(r.URL.RawQuery, "auth_token"); n > 0 {
			r.URL.RawQuery = rest
		}
	}
	fwd, err := identhdr.Encode(id, g.headers, g.groupsJSON)
	if err != nil {
		g.refuseIdentity(w, r, err)
		return
	}
	g.forwarded.Add(1)
	g.proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), forwardKey{}, fwd)))
}

// exchange handles ?auth_token= on a GET or HEAD: verify it, set the login
// cookie and redirect to the URL without the token. It returns false when
// the request carries no usable auth_token after all, and serveProxy should
// go on with the auth_token-free URL.
func (g *gateway) exchange(w http.ResponseWriter, r *http.Request) bool {
	token, n, rest := cutQueryParam(r.URL.RawQuery, "auth_token")
	if n == 0 {
		return false
	}
	r.URL.RawQuery = rest
	if r.RequestURI != "" {
		r.RequestURI = r.URL.RequestURI()
	}
	if n > 1 {
		g.refuse(w, r, &jwtauth.ValidationError{Reason: jwtauth.ErrMalformed, Detail: "auth_token is repeated"})
		return true
	}
	if len(token) > 7 && token[6] == ' ' && strings.EqualFold(token[:6], "bearer") {
		token = token[7:]
	}
	if token == "" {
		return false
	}
	id, err := g.v.Verify(r.Context(), token)
	if session := g.session(r); session != nil {
		// A signed-in browser keeps its session unless the link's token
		// is valid and of the same subject (a fresher token): a GET must
		// not switch it to another account.
		if err != nil || id.Issuer != session.Issuer || id.Subject != session.Subject {
			g.log.LogAttrs(r.Context(), slog.LevelInfo, "auth_token ignored", slog.String("detail", "a valid login cookie of another subject is kept"))
			g.redirectClean(w, r)
			return true
		}
	}
	if err != nil {
		g.refuse(w, r, err)
		return true
	}
	if _, err := identhdr.Encode(id, g.headers, g.groupsJSON); err != nil {
		g.refuseIdentity(w, r, err)
		return true
	}
	if len(g.cookieName)+len(token) > maxCookieBytes {
		g.refuse(w, r, &jwtauth.ValidationError{Reason: jwtauth.ErrMalformed, Detail: fmt.Sprintf("token of %d bytes does not fit in a cookie", len(token))})
		return true
	}
	g.exchanged.Add(1)
	http.SetCookie(w, g.cookie(token, id.ExpiresAt, false))
	g.redirectClean(w, r)
	return true
}

// session returns the identity of the request's login cookie when it is
// sent once and holds a token that verifies, else nil.
func (g *gateway) session(r *http.Request) *jwtauth.Identity {
	cs := r.CookiesNamed(g.cookieName)
	if len(cs) != 1 || cs[0].Value == "" {
		return nil
	}
	id, err := g.v.Verify(r.Context(), cs[0].Value)
	if err != nil {
		return nil
	}
	return id
}

// redirectClean answers with a 303 to r's URL, from which auth_token has
// been removed.
func (g *gateway) redirectClean(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Location", sameURL(r.URL))
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusSeeOther)
}

// cookie returns the login cookie holding token, ending at exp (a session
// cookie when exp is zero), or, with remove, one that deletes it.
func (g *gateway) cookie(token string, exp time.Time, remove bool) *http.Cookie {
	c := &http.Cookie{
		Name:     g.cookieName,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	}
	if g.iframe {
		c.SameSite = http.SameSiteNoneMode
		c.Partitioned = true
	}
	switch {
	case remove:
		c.MaxAge = -1
	case !exp.IsZero():
		c.Expires = exp.UTC()
		// A token accepted within the leeway after its exp still gets a
		// cookie that lives a second, rather than one deleted at once.
		c.MaxAge = max(1, int(math.Ceil(exp.Sub(g.now()).Seconds())))
	}
	return c
}

func (g *gateway) refuse(w http.ResponseWriter, r *http.Request, err error) {
	g.refused.Add(1)
	g.onError(w, r, err)
}

func (g *gateway) refuseIdentity(w http.ResponseWriter, r *http.Request, err error) {
	g.refusedIdentity.Add(1)
	g.log.LogAttrs(r.Context(), slog.LevelInfo, "jwt refused", slog.String("reason", "unsafe identity"), slog.String("detail", err.Error()))
	g.refuse(w, r, err)
}

// rewrite runs in the proxy's Rewrite, after hop-by-hop headers are gone
// (so a "Connection: X-WEBAUTH-USER" cannot remove what is set here).
func (g *gateway) rewrite(pr *httputil.ProxyRequest) {
	h := pr.Out.Header
	stripIdentityHeaders(h, g.strip)
	// Grafana takes the client address (for logs and the auth proxy
	// whitelist) from X-Real-IP, else the first X-Forwarded-For entry:
	// give it the address the gateway saw, not one the client chose.
	h.Del("X-Real-Ip")
	if ip, _, err := net.SplitHostPort(pr.In.RemoteAddr); err == nil {
		h.Set("X-Forwarded-For", ip)
	}
	if !g.keepToken {
		for k := range h {
			if strings.EqualFold(k, g.tokenHeader) {
				delete(h, k)
			}
		}
		if g.cookieName != "" {
			removeCookie(h, g.cookieName)
		}
	}
	fwd, _ := pr.In.Context().Value(forwardKey{}).(http.Header)
	for k, vs := range fwd {
		h[k] = vs
	}
}

// normalizeHeader upper-cases a header name and reads "_" as "-", the way
// CGI-style servers fold names (X_WEBAUTH_USER and X-WEBAUTH-USER both
// become HTTP_X_WEBAUTH_USER there).
func normalizeHeader(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "_", "-"))
}

// stripIdentityHeaders deletes every header whose normalized name starts
// with X-WEBAUTH- or is one of names (normalized).
func stripIdentityHeaders(h http.Header, names []string) {
	for k := range h {
		n := normalizeHeader(k)
		if strings.HasPrefix(n, "X-WEBAUTH-") {
			delete(h, k)
			continue
		}
		for _, s := range names {
			if n == s {
				delete(h, k)
				break
			}
		}
	}
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func hasCookie(r *http.Request, name string) bool {
	c, err := r.Cookie(name)
	return err == nil && c.Value != ""
}

// removeCookie drops the name=... pairs from the Cookie headers, keeping
// the other pairs as they were. A pair's name is trimmed of spaces and
// tabs as net/http's cookie parser trims it, so that every pair the parser
// reads as the cookie (jwtgate_token =x, too) is removed.
func removeCookie(h http.Header, name string) {
	vals := h.Values("Cookie")
	if len(vals) == 0 {
		return
	}
	var out []string
	for _, line := range vals {
		var kept []string
		for part := range strings.SplitSeq(line, ";") {
			p := textproto.TrimString(part)
			if k, _, _ := strings.Cut(p, "="); textproto.TrimString(k) == name || p == "" {
				continue
			}
			kept = append(kept, p)
		}
		if len(kept) > 0 {
			out = append(out, strings.Join(kept, "; "))
		}
	}
	h.Del("Cookie")
	if len(out) > 0 {
		h["Cookie"] = out
	}
}

// cutQueryParam removes every name=... pair from a raw query, keeping the
// other pairs byte for byte and in order. It returns the unescaped value of
// the first pair, how many pairs there were, and the remaining query.
func cutQueryParam(raw, name string) (value string, n int, rest string) {
	if raw == "" {
		return "", 0, ""
	}
	var kept []string
	for part := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == name {
			if n == 0 {
				value, _ = url.QueryUnescape(v)
			}
			n++
			continue
		}
		kept = append(kept, part)
	}
	return value, n, strings.Join(kept, "&")
}

// sameURL returns a relative reference to u's path and query as seen by
// the client: "./<last segment>[?query]". Being relative to the current
// path, it keeps any prefix a proxy in front added, and it can never point
// at another host (unlike a Location starting with "//").
func sameURL(u *url.URL) string {
	p := u.EscapedPath()
	loc := "./" + p[strings.LastIndexByte(p, '/')+1:]
	if u.RawQuery != "" {
		loc += "?" + u.RawQuery
	}
	return loc
}

func (g *gateway) serveHealth(w http.ResponseWriter, r *http.Request) {
	code, h := keyhealth.Of(g.v.Stats())
	keyhealth.Write(w, code, h)
}

// counters are the gateway's own expvar counters.
type counters struct {
	Forwarded       uint64 `json:"forwarded"`       // requests sent upstream
	Exchanged       uint64 `json:"exchanged"`       // auth_token exchanged for a cookie
	Refused         uint64 `json:"refused"`         // requests answered with an error
	RefusedIdentity uint64 `json:"refusedIdentity"` // of which: unsafe identity values
}

// active is the gateway whose counters /debug/vars shows: the last one
// built and not closed. expvar names are process-wide and can be
// published only once, so the published funcs read through it.
var (
	active      atomic.Pointer[gateway]
	publishOnce sync.Once
)

func publishVars(g *gateway) {
	active.Store(g)
	publishOnce.Do(func() {
		expvar.Publish("jwtgate", expvar.Func(func() any {
			if g := active.Load(); g != nil {
				return g.v.Stats()
			}
			return nil
		}))
		expvar.Publish("gateway", expvar.Func(func() any {
			if g := active.Load(); g != nil {
				return counters{
					Forwarded:       g.forwarded.Load(),
					Exchanged:       g.exchanged.Load(),
					Refused:         g.refused.Load(),
					RefusedIdentity: g.refusedIdentity.Load(),
				}
			}
			return nil
		}))
	})
}

// run starts the gateway and serves until ctx ends or SIGINT/SIGTERM
// arrives, then shuts down gracefully. It prints the addresses it serves
// on to stdout; logs go to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	cfg, err := jwtauth.LoadINI(o.config)
	if errors.Is(err, jwtauth.ErrDisabled) {
		return fmt.Errorf("%s: set enabled = true in [auth.jwt]: %w", o.config, err)
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	g, err := newGateway(cfg, o, logger)
	if err != nil {
		return err
	}
	defer g.Close()

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Warm remote key sets, so /healthz reports the IdP's state from the
	// start; a failure is not fatal (the first token retries).
	warm, cancel := context.WithTimeout(ctx, 15*time.Second)
	if err := g.v.Refresh(warm); err != nil {
		logger.Warn("key sets not fetched at start-up", "reason", jwtauth.ReasonName(err))
	}
	cancel()

	errorLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	var servers []*http.Server
	errc := make(chan error, 2)
	serve := func(name, addr string, h http.Handler, tlsOn bool) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: errorLog}
		scheme := "http"
		if tlsOn {
			scheme = "https"
			srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		servers = append(servers, srv)
		fmt.Fprintf(stdout, "%s listening on %s://%s\n", name, scheme, ln.Addr())
		go func() {
			var err error
			if tlsOn {
				err = srv.ServeTLS(ln, o.tlsCert, o.tlsKey)
			} else {
				err = srv.Serve(ln)
			}
			if !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s: %w", name, err)
			}
		}()
		return nil
	}
	shutdown := func() error {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.shutdownTimeout)
		defer cancel()
		var errs []error
		for _, srv := range servers {
			errs = append(errs, srv.Shutdown(sctx))
		}
		return errors.Join(errs...)
	}

	if err := serve("gateway", o.listen, g.handler(), o.tlsCert != ""); err != nil {
		return err
	}
	if o.adminListen != "" {
		if err := serve("admin", o.adminListen, g.adminHandler(), false); err != nil {
			_ = shutdown()
			return err
		}
	}
	fmt.Fprintf(stdout, "forwarding verified requests to %s\n", o.upstream)
	select {
	case err := <-errc:
		_ = shutdown()
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", o.shutdownTimeout)
	return shutdown()
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		log.Fatal(err)
	}
}
