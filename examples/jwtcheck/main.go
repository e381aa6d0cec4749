// Command jwtcheck loads a grafana.ini-style [auth.jwt] section and says
// whether a token passes it, and if not, exactly why.
//
//	jwtcheck -config grafana.ini < token.txt
//	jwtcheck -config grafana.ini -token eyJhbGciOi...
//
// It prints the configuration it understood (inline keys redacted), the
// state of the key source after one verification (remote sets are fetched
// then), and either the identity the token maps to or the refusal: the
// sentinel, the claim, the detail and a hint. It never prints the token or
// any key material, and it prints a value taken from the token or a key
// server Go-quoted when it holds a control character (a terminal escape
// sequence, say), a bidirectional override or invalid UTF-8. The process environment applies, as GF_AUTH_JWT_*
// overrides, exactly as it would for jwtauth.LoadINI.
//
// Exit status: 0 when the token is valid, 1 when it is refused, 2 for a
// usage or configuration error (including [auth.jwt] being disabled).
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jwtgate/jwtgate/internal/algs"
	"github.com/jwtgate/jwtgate/jwtauth"
)

const (
	exitValid   = 0
	exitRefused = 1
	exitUsage   = 2

	maxTokenInput = 1 << 20
	verifyTimeout = 20 * time.Second
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("jwtcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "grafana.ini-style `file` with an [auth.jwt] section (required)")
	tokenFlag := fs.String("token", "", "the `token` to check (visible to other users in ps and shell history; prefer standard input)")
	nowFlag := fs.String("now", "", "check as of this `time` (RFC 3339) instead of the clock")
	var pr proofRequest
	fs.StringVar(&pr.proof, "dpop-proof", "", "the DPoP `proof` sent with the token (the DPoP header); the token is then checked as \"Authorization: DPoP\"")
	fs.StringVar(&pr.method, "method", http.MethodGet, "with -dpop-proof: the request `method`")
	fs.StringVar(&pr.url, "url", "", "with -dpop-proof: the absolute request `URL`")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: jwtcheck -config grafana.ini [-token T] [-now 2006-01-02T15:04:05Z] [< token]\n\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nexit status: 0 valid, 1 refused, 2 usage or config error\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitValid
		}
		return exitUsage
	}
	if *configPath == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	var now func() time.Time
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			fmt.Fprintf(stderr, "jwtcheck: -now: %v\n", err)
			return exitUsage
		}
		now = func() time.Time { return t }
	}

	cfgs, err := jwtauth.LoadINIAll(*configPath)
	if errors.Is(err, jwtauth.ErrDisabled) {
		fmt.Fprintf(stderr, "jwtcheck: %s: [auth.jwt] is disabled (enabled = true is missing); nothing to check\n", *configPath)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "jwtcheck: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "config %s\n", *configPath)
	for i, c := range cfgs {
		printConfig(stdout, sectionLabel(i, len(cfgs)), c)
	}

	token, source, err := readToken(*tokenFlag, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "jwtcheck: %v\n", err)
		return exitUsage
	}

	cfgs[0].Now = now
	var v *jwtauth.Verifier
	if len(cfgs) == 1 {
		v, err = jwtauth.New(cfgs[0])
	} else {
		v, err = jwtauth.NewMulti(cfgs...)
	}
	if err != nil {
		fmt.Fprintf(stderr, "jwtcheck: %s: %v\n", *configPath, err)
		return exitUsage
	}
	defer v.Close()

	ctx, cancel := context.WithTimeout(context.Background(), verifyTimeout)
	defer cancel()
	id, verr := verify(ctx, v, token, pr)

	st := v.Stats()
	for i, is := range st.Issuers {
		printKeys(stdout, sectionLabel(i, len(st.Issuers)), is, cfgs[i])
	}
	clock := time.Now
	if now != nil {
		clock = now
	}
	printTokenHeader(stdout, token, source)
	if verr != nil {
		printRefusal(stdout, verr, token, cfgs, st, clock())
		printDPoPHints(stdout, verr, cfgs[0], pr, clock())
		return exitRefused
	}
	printIdentity(stdout, id, clock())
	return exitValid
}

func sectionLabel(i, n int) string {
	if i == 0 {
		return "[auth.jwt]"
	}
	return fmt.Sprintf("extra issuer %d of %d ([auth.jwt.<name>])", i+1, n)
}

// readToken returns the token from -token or stdin, without white space or
// one "Bearer " prefix (so a copied Authorization value works).
func readToken(flagValue string, stdin io.Reader) (tok, source string, err error) {
	source = "-token"
	tok = flagValue
	if tok == "" {
		source = "standard input"
		b, err := io.ReadAll(io.LimitReader(stdin, maxTokenInput+1))
		if err != nil {
			return "", "", fmt.Errorf("reading the token: %w", err)
		}
		if len(b) > maxTokenInput {
			return "", "", errors.New("standard input is over 1 MiB; that is not a token")
		}
		tok = string(b)
	}
	tok = strings.TrimSpace(tok)
	if strings.HasPrefix(strings.ToLower(tok), "authorization:") {
		tok = strings.TrimSpace(tok[len("authorization:"):])
	}
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" {
		return "", "", errors.New("no token: pass -token or pipe it on standard input")
	}
	return tok, source, nil
}

// row is one line of the configuration listing.
type row struct{ key, value string }

func printConfig(w io.Writer, label string, c jwtauth.Config) {
	fmt.Fprintf(w, "\n%s\n", label)
	for _, r := range configRows(c) {
		fmt.Fprintf(w, "  %-26s %s\n", r.key, r.value)
	}
}

func dur(d, def time.Duration, zero string) string {
	switch {
	case d < 0:
		return zero
	case d == 0:
		return def.String() + " (default)"
	}
	return d.String()
}

// redacted describes an inline key without showing it.
func redacted(v string) string {
	n := len(v)
	if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v)); err == nil {
		return fmt.Sprintf("(set: %d bytes of base64, %d decoded; not shown)", n, len(b))
	}
	return fmt.Sprintf("(set: %d bytes; not shown)", n)
}

func configRows(c jwtauth.Config) []row {
	var rows []row
	add := func(key, value string) {
		if value != "" {
			rows = append(rows, row{key, value})
		}
	}
	flag := func(key string, b bool) {
		if b {
			add(key, "true")
		}
	}
	header := c.HeaderName
	if header == "" {
		header = "Authorization (default)"
	}
	add("header_name", header)
	flag("url_login", c.URLLogin)
	add("cookie_name", c.CookieName)

	add("key_file", c.KeyFile)
	if c.KeyValue != "" {
		add("key_value", redacted(c.KeyValue))
	}
	add("key_id", c.KeyID)
	add("jwk_set_file", c.JWKSetFile)
	if c.JWKSetValue != "" {
		add("jwk_set_value", redacted(c.JWKSetValue))
	}
	add("jwk_set_url", c.JWKSetURL)
	add("oidc_issuer_url", c.OIDCIssuerURL)
	add("jwk_set_bearer_token_file", c.JWKSetBearerTokenFile)
	if c.JWKSetURL != "" || c.OIDCIssuerURL != "" {
		add("cache_ttl", dur(c.CacheTTL, time.Hour, "0 (caching off)"))
		add("min_refresh_interval", dur(c.MinRefreshInterval, 30*time.Second, ""))
		add("max_stale", dur(c.MaxStale, time.Hour, "0 (never serve stale keys)"))
		add("tls_client_ca", c.TLSClientCA)
		add("tls_client_cert", c.TLSClientCert)
		add("tls_client_key", c.TLSClientKey)
		flag("tls_skip_verify_insecure", c.TLSSkipVerifyInsecure)
		flag("insecure_allow_http", c.InsecureAllowHTTP)
	}

	if len(c.Algorithms) > 0 {
		add("algorithms", strings.Join(c.Algorithms, ", "))
	} else {
		add("algorithms", strings.Join(algs.Names(), ", ")+" (default)")
	}
	if len(c.ExpectClaims) > 0 {
		b, err := json.Marshal(c.ExpectClaims)
		if err == nil {
			add("expect_claims", string(b))
		}
	}
	add("leeway", dur(c.Leeway, time.Minute, "0 (none)"))
	flag("require_exp", c.RequireExp)

	add("username_claim", c.UsernameClaim)
	add("email_claim", c.EmailClaim)
	add("username_attribute_path", c.UsernameAttributePath)
	add("email_attribute_path", c.EmailAttributePath)
	add("role_attribute_path", c.RoleAttributePath)
	flag("role_attribute_strict", c.RoleAttributeStrict)
	flag("allow_assign_grafana_admin", c.AllowAssignGrafanaAdmin)
	flag("skip_org_role_sync", c.SkipOrgRoleSync)
	add("groups_attribute_path", c.GroupsAttributePath)
	add("org_attribute_path", c.OrgAttributePath)
	if len(c.OrgMapping) > 0 {
		add("org_mapping", strings.Join(c.OrgMapping, " | "))
	}
	flag("auto_sign_up", c.AutoSignUp)
	if c.AutoAssignOrgRole != "" {
		add("auto_assign_org_role", string(c.AutoAssignOrgRole))
	} else {
		add("auto_assign_org_role", "Viewer (default)")
	}
	if c.DefaultOrg != "" {
		add("default_org", c.DefaultOrg)
	}
	switch {
	case c.TokenCacheSize < 0:
		add("token_cache_size", "0 (off)")
	case c.TokenCacheSize > 0:
		add("token_cache_size", fmt.Sprint(c.TokenCacheSize))
	}
	return rows
}

func printKeys(w io.Writer, label string, is jwtauth.IssuerStats, c jwtauth.Config) {
	ks := is.Keys
	fmt.Fprintf(w, "\nkeys %s\n", label)
	kind := "static, loaded at start"
	if ks.Remote {
		kind = "remote"
	}
	fmt.Fprintf(w, "  %-10s %s (%s)\n", "source", iniKeyOf(ks.Source), kind)
	if is.Issuer != "" {
		fmt.Fprintf(w, "  %-10s %s\n", "issuer", clean(is.Issuer))
	}
	if ks.Remote {
		fmt.Fprintf(w, "  %-10s %s\n", "url", clean(ks.URL))
		ttl := ks.CacheTTL.String()
		if ks.CacheTTL < 0 {
			ttl = "caching off"
		}
		fmt.Fprintf(w, "  %-10s %s\n", "cache ttl", ttl)
		fetch := fmt.Sprintf("%d, %d failed", ks.Fetches, ks.FetchErrors)
		if !ks.LastFetch.IsZero() {
			fetch += ", last success " + ks.LastFetch.UTC().Format(time.RFC3339)
		}
		if ks.Fetches == 0 {
			fetch += " (the token was refused before any key lookup)"
		}
		fmt.Fprintf(w, "  %-10s %s\n", "fetches", fetch)
		if ks.LastError != "" {
			fmt.Fprintf(w, "  %-10s %s\n", "last error", clean(ks.LastError))
		}
	}
	fmt.Fprintf(w, "  %-10s %s\n", "kids", kidList(ks.KeyIDs))
	if (ks.Source == "KeyFile" || ks.Source == "KeyValue") && c.KeyID == "" {
		fmt.Fprintf(w, "  %-10s %s\n", "", "(key_id unset: only tokens without a kid header match this key)")
	}
	for _, s := range ks.Skipped {
		fmt.Fprintf(w, "  %-10s key %d kid %q kty %q: %s\n", "skipped", s.Index, s.KeyID, s.Type, clean(s.Reason))
	}
}

// iniKeyOf names the ini key of a KeyStats.Source field name.
func iniKeyOf(field string) string {
	switch field {
	case "KeyFile":
		return "key_file"
	case "KeyValue":
		return "key_value"
	case "JWKSetFile":
		return "jwk_set_file"
	case "JWKSetValue":
		return "jwk_set_value"
	case "JWKSetURL":
		return "jwk_set_url"
	case "OIDCIssuerURL":
		return "oidc_issuer_url"
	}
	return field
}

func kidList(kids []string) string {
	if len(kids) == 0 {
		return "(none)"
	}
	out := make([]string, len(kids))
	for i, k := range kids {
		if k == "" {
			out[i] = "(no kid)"
		} else {
			out[i] = fmt.Sprintf("%q", k)
		}
	}
	return strings.Join(out, ", ")
}

// tokenHeader is the unverified JOSE header, decoded only for display.
type tokenHeader struct {
	Alg, Kid, Typ string
	ok            bool
}

func parseHeader(tok string) tokenHeader {
	h, _, ok := strings.Cut(tok, ".")
	if !ok {
		return tokenHeader{}
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(h, "="))
	if err != nil {
		return tokenHeader{}
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return tokenHeader{}
	}
	s := func(k string) string { v, _ := m[k].(string); return v }
	return tokenHeader{Alg: s("alg"), Kid: s("kid"), Typ: s("typ"), ok: true}
}

// unverifiedClaims decodes the payload for hints only; nil when it cannot.
func unverifiedClaims(tok string) map[string]any {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

func printTokenHeader(w io.Writer, tok, source string) {
	fmt.Fprintf(w, "\ntoken (%d bytes from %s; not shown)\n", len(tok), source)
	h := parseHeader(tok)
	if !h.ok {
		fmt.Fprintf(w, "  header     (not a readable JWS header)\n")
		return
	}
	kid := "(none)"
	if h.Kid != "" {
		kid = fmt.Sprintf("%q", h.Kid)
	}
	fmt.Fprintf(w, "  %-10s %q\n  %-10s %s\n", "alg", h.Alg, "kid", kid)
	if h.Typ != "" {
		fmt.Fprintf(w, "  %-10s %q\n", "typ", h.Typ)
	}
}

func printIdentity(w io.Writer, id *jwtauth.Identity, now time.Time) {
	fmt.Fprintf(w, "\nVALID\n")
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-10s %s\n", k, clean(v))
		}
	}
	line("subject", id.Subject)
	line("issuer", id.Issuer)
	line("login", id.Login)
	line("email", id.Email)
	line("name", id.Name)
	role := string(id.Role)
	if id.IsGrafanaAdmin != nil {
		role += fmt.Sprintf(" (Grafana server admin: %v)", *id.IsGrafanaAdmin)
	}
	line("role", role)
	if len(id.Groups) > 0 {
		line("groups", strings.Join(id.Groups, ", "))
	}
	if id.OrgRoles != nil {
		orgs := make([]string, 0, len(id.OrgRoles))
		for org, r := range id.OrgRoles {
			orgs = append(orgs, org+"="+string(r))
		}
		slices.Sort(orgs)
		v := strings.Join(orgs, ", ")
		if v == "" {
			v = "(none)"
		}
		line("org roles", v)
	} else {
		line("org roles", "(not synced: skip_org_role_sync)")
	}
	if id.Scopes != nil {
		scopes := strings.Join(id.Scopes, " ")
		if scopes == "" {
			scopes = "(none)"
		}
		line("scopes", scopes)
	}
	if id.AllowSignUp {
		line("sign up", "allowed (auto_sign_up)")
	}
	if id.ExpiresAt.IsZero() {
		line("expires", "never (no exp claim)")
	} else {
		line("expires", fmt.Sprintf("%s (in %s)", id.ExpiresAt.UTC().Format(time.RFC3339), id.ExpiresAt.Sub(now).Round(time.Second)))
	}
}

func printRefusal(w io.Writer, err error, tok string, cfgs []jwtauth.Config, st jwtauth.Stats, now time.Time) {
	fmt.Fprintf(w, "\nREFUSED\n")
	name := jwtauth.ReasonName(err)
	var ve *jwtauth.ValidationError
	if !errors.As(err, &ve) {
		fmt.Fprintf(w, "  %-10s %s\n  %-10s %s\n", "reason", name, "error", clean(err.Error()))
		return
	}
	fmt.Fprintf(w, "  %-10s %s (%v)\n", "reason", name, ve.Reason)
	if ve.Claim != "" {
		fmt.Fprintf(w, "  %-10s %s\n", "claim", clean(ve.Claim))
	}
	if ve.Detail != "" {
		fmt.Fprintf(w, "  %-10s %s\n", "detail", clean(ve.Detail))
	}
	if ve.Err != nil {
		fmt.Fprintf(w, "  %-10s %s\n", "cause", clean(ve.Err.Error()))
	}
	for _, h := range hints(ve, tok, cfgs, st, now) {
		fmt.Fprintf(w, "  %-10s %s\n", "hint", clean(h))
	}
}

// issuerFor guesses which config a refused token was checked against: the
// only one, or the one whose pinned issuer equals the token's iss.
func issuerFor(c map[string]any, cfgs []jwtauth.Config, st jwtauth.Stats) (jwtauth.Config, jwtauth.KeyStats) {
	if len(cfgs) > 1 {
		iss, _ := c["iss"].(string)
		for i, is := range st.Issuers {
			if is.Issuer == iss && i < len(cfgs) {
				return cfgs[i], is.Keys
			}
		}
	}
	return cfgs[0], st.Keys
}

func hints(ve *jwtauth.ValidationError, tok string, cfgs []jwtauth.Config, st jwtauth.Stats, now time.Time) []string {
	h := parseHeader(tok)
	claims := unverifiedClaims(tok)
	cfg, ks := issuerFor(claims, cfgs, st)
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	leeway := cfg.Leeway
	switch {
	case leeway == 0:
		leeway = time.Minute
	case leeway < 0:
		leeway = 0
	}
	timeClaim := func(name string) (time.Time, bool) {
		f, ok := claims[name].(float64)
		return time.Unix(int64(f), 0).UTC(), ok
	}

	switch {
	case errors.Is(ve, jwtauth.ErrUnknownKey):
		add("the key set has kids: %s", kidList(ks.KeyIDs))
		switch {
		case (ks.Source == "KeyFile" || ks.Source == "KeyValue") && cfg.KeyID == "" && h.Kid != "":
			add("key_id is unset, so the PEM key has no kid and only tokens without kid match; set key_id = %s", h.Kid)
		case (ks.Source == "KeyFile" || ks.Source == "KeyValue") && h.Kid == "":
			add("key_id is %q, so tokens must carry that kid; this one has none", cfg.KeyID)
		case ks.Remote:
			add("the remote set was refreshed at most once for this kid; if the IdP rotated keys just now, retry after min_refresh_interval")
		case ks.Source == "JWKSetFile" || ks.Source == "JWKSetValue":
			add("%s is static, read at start: a token signed with a newly rotated key needs the updated set (or jwk_set_url)", iniKeyOf(ks.Source))
		}
	case errors.Is(ve, jwtauth.ErrAlgorithm):
		allowed := cfg.Algorithms
		if len(allowed) == 0 {
			allowed = algs.Names()
		}
		add("token alg %q; allowed: %s", h.Alg, strings.Join(allowed, ", "))
		if strings.HasPrefix(h.Alg, "HS") {
			add("HS* needs a JWKS \"oct\" key; a PEM public key never verifies HMAC tokens")
		}
	case errors.Is(ve, jwtauth.ErrSignature):
		add("a key with kid %q exists but did not verify the signature: the token was signed by another key (another environment, or a rotated key reusing the kid), or it was altered", h.Kid)
	case errors.Is(ve, jwtauth.ErrExpired):
		add("checked at %s; get a fresh token (or, if it was just issued, compare this host's clock with the issuer's)", now.UTC().Format(time.RFC3339))
		if exp, ok := timeClaim("exp"); ok {
			if iat, ok := timeClaim("iat"); ok && exp.After(iat) {
				add("the token lived %s (iat %s)", exp.Sub(iat), iat.Format(time.RFC3339))
			}
		}
	case errors.Is(ve, jwtauth.ErrNotYetValid):
		if nbf, ok := timeClaim("nbf"); ok {
			add("nbf %s is %s after now (%s); leeway %s: check both clocks", nbf.Format(time.RFC3339), nbf.Sub(now).Round(time.Second), now.UTC().Format(time.RFC3339), leeway)
		}
	case errors.Is(ve, jwtauth.ErrIssuedInFuture):
		if iat, ok := timeClaim("iat"); ok {
			add("iat %s is %s after now (%s); leeway %s: check both clocks", iat.Format(time.RFC3339), iat.Sub(now).Round(time.Second), now.UTC().Format(time.RFC3339), leeway)
		}
	case errors.Is(ve, jwtauth.ErrClaimMismatch), errors.Is(ve, jwtauth.ErrMissingClaim):
		if want, ok := cfg.ExpectClaims[ve.Claim]; ok {
			add("expect_claims wants %s = %s; the token has %s", ve.Claim, jsonText(want), jsonOrAbsent(claims, ve.Claim))
		}
		if ve.Claim == "iss" && len(cfgs) > 1 {
			var pinned []string
			for _, is := range st.Issuers {
				pinned = append(pinned, is.Issuer)
			}
			add("configured issuers: %s; the token has iss %s", strings.Join(pinned, ", "), jsonOrAbsent(claims, "iss"))
		}
		if errors.Is(ve, jwtauth.ErrMissingClaim) && ve.Claim == "exp" {
			add("require_exp is set and the token has no exp")
		}
		if errors.Is(ve, jwtauth.ErrMissingClaim) && ve.Claim != "sub" && ve.Claim != "exp" && cfg.ExpectClaims[ve.Claim] == nil {
			add("login comes from %s, email from %s", orNone(cfg.UsernameClaim, cfg.UsernameAttributePath), orNone(cfg.EmailClaim, cfg.EmailAttributePath))
		}
	case errors.Is(ve, jwtauth.ErrNoRole):
		add("role_attribute_strict is on and role_attribute_path %q (with org_mapping) gave no valid role (None, Viewer, Editor, Admin, GrafanaAdmin)", cfg.RoleAttributePath)
	case errors.Is(ve, jwtauth.ErrKeysUnavailable):
		if ks.URL != "" {
			add("fetching %s failed: %s", ks.URL, orNone(ks.LastError, "see cause"))
		}
	case errors.Is(ve, jwtauth.ErrAttributePath):
		add("a JMESPath expression failed on this token's claims; test it at jmespath.org against the payload")
	case errors.Is(ve, jwtauth.ErrMalformed):
		if strings.Count(tok, ".") != 2 {
			add("a compact JWT has 3 dot-separated parts; this input has %d", strings.Count(tok, ".")+1)
		}
	}
	return out
}

// jsonText shows a (token-derived) value, cut to a readable length.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(fmt.Sprint(v))
	}
	if len(b) > 120 {
		return string(b[:120]) + "…"
	}
	return string(b)
}

func jsonOrAbsent(c map[string]any, k string) string {
	v, ok := c[k]
	if !ok {
		return "none"
	}
	return jsonText(v)
}

// clean returns s as it is when every character of it prints as itself on
// a terminal, else Go-quoted: a token's claims (or a key server's text) must
// not put control characters, terminal escape sequences, bidirectional
// overrides or invalid UTF-8 on the operator's screen.
func clean(s string) string {
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

func orNone(a, b string) string {
	switch {
	case a != "":
		return a
	case b != "":
		return b
	}
	return "(not configured)"
}
