package jwtauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// The examples are written as the body of a test: t is the test's
// *testing.T, and jwtauthtest.NewIssuer(t) runs an identity provider for
// it. Here t is a stand-in whose cleanups TestMain runs.
var t = &jwttest.ExampleTB{}

func TestMain(m *testing.M) {
	code := m.Run()
	t.RunCleanups()
	os.Exit(code)
}

func ExampleNew() {
	iss := jwtauthtest.NewIssuer(t) // serves OIDC discovery and the JWKS, signs tokens

	cfg := iss.Config() // OIDCIssuerURL, its HTTPClient, and ExpectClaims {"iss": ...}
	cfg.ExpectClaims["aud"] = "grafana"
	cfg.UsernameClaim = "preferred_username"
	cfg.EmailClaim = "email"
	v, err := jwtauth.New(cfg)
	if err != nil {
		panic(err)
	}
	defer v.Close()

	id, err := v.Verify(context.Background(), iss.Sign(map[string]any{
		"aud": "grafana", "sub": "u-1", "preferred_username": "jdoe", "email": "jdoe@example.com",
	}))
	fmt.Println(id.Login, id.Email, err)
	// Output: jdoe jdoe@example.com <nil>
}

func ExampleNew_invalidConfig() {
	_, err := jwtauth.New(jwtauth.Config{})
	fmt.Println(errors.Is(err, jwtauth.ErrInvalidConfig))
	fmt.Println(err)
	// Output:
	// true
	// jwtauth: invalid config: no key source: set one of KeyFile, KeyValue, JWKSetFile, JWKSetValue, JWKSetURL, OIDCIssuerURL or Keys
}

func ExampleVerifier_Verify_expired() {
	iss := jwtauthtest.NewIssuer(t)
	v, _ := jwtauth.New(iss.Config())
	defer v.Close()

	exp := time.Now().Add(-5 * time.Minute).Unix()
	_, err := v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1", "exp": exp}))
	fmt.Println(errors.Is(err, jwtauth.ErrExpired), jwtauth.ReasonName(err))
	var ve *jwtauth.ValidationError
	if errors.As(err, &ve) {
		fmt.Println("claim:", ve.Claim)
	}
	// Output:
	// true ErrExpired
	// claim: exp
}

func ExampleVerifier_Middleware() {
	iss := jwtauthtest.NewIssuer(t)
	cfg := iss.Config()
	cfg.UsernameClaim = "preferred_username"
	v, _ := jwtauth.New(cfg)
	defer v.Close()
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwtauth.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s", id.Login)
	}))

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+iss.Sign(map[string]any{"sub": "u-1", "preferred_username": "jdoe"}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body.String())

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"), w.Body.String())
	// Output:
	// 200 hello jdoe
	// 401 Bearer {"message":"Missing JWT","messageId":"jwt.missing"}
}

func ExampleFromContext() {
	ctx := jwtauth.NewContext(context.Background(), &jwtauth.Identity{Subject: "u-1", Login: "jdoe"})
	id, ok := jwtauth.FromContext(ctx)
	fmt.Println(ok, id.Login)
	_, ok = jwtauth.FromContext(context.Background())
	fmt.Println(ok)
	// Output:
	// true jdoe
	// false
}

func ExampleStatusCode() {
	for _, err := range []error{jwtauth.ErrExpired, jwtauth.ErrNoRole, jwtauth.ErrKeysUnavailable, jwtauth.ErrAttributePath} {
		fmt.Println(jwtauth.ReasonName(err), jwtauth.StatusCode(err))
	}
	// Output:
	// ErrExpired 401
	// ErrNoRole 403
	// ErrKeysUnavailable 503
	// ErrAttributePath 400
}

func ExampleVerifier_OptionalMiddleware() {
	iss := jwtauthtest.NewIssuer(t)
	cfg := iss.Config()
	cfg.UsernameClaim = "preferred_username"
	v, _ := jwtauth.New(cfg)
	defer v.Close()
	h := v.OptionalMiddleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := jwtauth.FromContext(r.Context()); ok {
			fmt.Fprintf(w, "welcome back, %s", id.Login)
			return
		}
		fmt.Fprint(w, "welcome, visitor")
	}))

	for _, auth := range []string{
		"", // no token: anonymous
		"Bearer " + iss.Sign(map[string]any{"sub": "u-1", "preferred_username": "jdoe"}),
		"Bearer not-a-token", // a bad token is refused, never anonymous
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	s := v.Stats()
	fmt.Println("anonymous:", s.Anonymous, "verified:", s.Verified, "refused:", s.Refused)
	// Output:
	// 200 welcome, visitor
	// 200 welcome back, jdoe
	// 401 {"message":"Failed to verify JWT","messageId":"jwt.invalid"}
	//
	// anonymous: 1 verified: 1 refused: map[ErrMalformed:1]
}

func ExampleIdentity_DecodeClaims() {
	iss := jwtauthtest.NewIssuer(t)
	v, _ := jwtauth.New(iss.Config())
	defer v.Close()
	id, _ := v.Verify(context.Background(), iss.Sign(map[string]any{
		"sub": "u-1", "tenant": map[string]any{"id": 42, "plan": "pro"}, "groups": []string{"dev", "ops"},
	}))

	var c struct {
		Subject string   `json:"sub"`
		Groups  []string `json:"groups"`
		Tenant  struct {
			ID   int64  `json:"id"`
			Plan string `json:"plan"`
		} `json:"tenant"`
	}
	if err := id.DecodeClaims(&c); err != nil {
		panic(err)
	}
	fmt.Println(c.Subject, c.Groups, c.Tenant.ID, c.Tenant.Plan)

	var wrong struct {
		Groups int `json:"groups"`
	}
	fmt.Println(id.DecodeClaims(&wrong) != nil)
	// Output:
	// u-1 [dev ops] 42 pro
	// true
}

func ExampleSetErrorHeaders() {
	iss := jwtauthtest.NewIssuer(t)
	cfg := iss.Config()
	// A custom ErrorHandler restyles the body and keeps the standard
	// headers: WWW-Authenticate, Cache-Control, Retry-After.
	cfg.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		jwtauth.SetErrorHeaders(w.Header(), err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(jwtauth.StatusCode(err))
		fmt.Fprintln(w, "please sign in again")
	}
	v, _ := jwtauth.New(cfg)
	defer v.Close()
	h := v.Middleware(http.NotFoundHandler())

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+iss.Sign(map[string]any{"sub": "u-1", "exp": 1700000000}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"), w.Header().Get("Cache-Control"))
	fmt.Print(w.Body.String())
	// Output:
	// 401 Bearer error="invalid_token" no-store
	// please sign in again
}

// A token in a renamed query parameter (?access_token=...). The extractor
// removes the parameter from r.URL and r.RequestURI whatever it finds, so
// the token never reaches the next handler, an upstream or an access log.
func ExampleConfig_tokenExtractor() {
	iss := jwtauthtest.NewIssuer(t)
	cfg := iss.Config()
	cfg.TokenExtractor = func(r *http.Request) (string, error) {
		q := r.URL.Query()
		vals, ok := q["access_token"]
		if !ok {
			return "", jwtauth.ErrNoToken
		}
		q.Del("access_token")
		r.URL.RawQuery = q.Encode() // note: Encode sorts the other parameters
		if r.RequestURI != "" {
			r.RequestURI = r.URL.RequestURI()
		}
		if len(vals) != 1 {
			return "", fmt.Errorf("access_token is repeated: %w", jwtauth.ErrMalformed)
		}
		return vals[0], nil
	}
	v, _ := jwtauth.New(cfg)
	defer v.Close()
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "next sees", r.RequestURI)
	}))

	tok := iss.Sign(map[string]any{"sub": "u-1"})
	for _, target := range []string{"/report?access_token=" + tok + "&day=mon", "/report?day=mon"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		fmt.Print(w.Code, " ", w.Body.String())
	}
	// Output:
	// 200 next sees /report?day=mon
	// 401 {"message":"Missing JWT","messageId":"jwt.missing"}
}

func ExampleRole_AtLeast() {
	for _, r := range []jwtauth.Role{jwtauth.RoleAdmin, jwtauth.RoleEditor, jwtauth.RoleViewer, jwtauth.RoleNone, ""} {
		fmt.Printf("%q %v\n", r, r.AtLeast(jwtauth.RoleEditor))
	}
	// Output:
	// "Admin" true
	// "Editor" true
	// "Viewer" false
	// "None" false
	// "" false
}

func ExampleVerifier_RequireRole() {
	iss := jwtauthtest.NewIssuer(t)
	cfg := iss.Config()
	cfg.RoleAttributePath = "contains(groups, 'admins') && 'Admin' || 'Viewer'"
	v, _ := jwtauth.New(cfg)
	defer v.Close()

	mux := http.NewServeMux()
	admin := v.RequireRole(jwtauth.RoleAdmin)
	mux.Handle("/settings", v.Middleware(admin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "settings")
	}))))

	for _, groups := range [][]string{{"admins"}, {"staff"}} {
		r := httptest.NewRequest(http.MethodGet, "/settings", nil)
		r.Header.Set("Authorization", "Bearer "+iss.Sign(map[string]any{"sub": "u-1", "groups": groups}))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(groups, w.Code, w.Body.String())
	}
	// Output:
	// [admins] 200 settings
	//
	// [staff] 403 {"message":"Insufficient scope","messageId":"jwt.insufficient_scope"}
}

// OnVerify feeds metrics or traces: here a count of outcomes by reason.
// A histogram of e.Duration per outcome is the usual next step.
func ExampleConfig_onVerify() {
	iss := jwtauthtest.NewIssuer(t)
	outcomes := map[string]int{}
	cfg := iss.Config()
	cfg.OnVerify = func(ctx context.Context, e jwtauth.Event) {
		switch {
		case e.Err != nil:
			outcomes[jwtauth.ReasonName(e.Err)]++
		case e.Cached:
			outcomes["ok (cached)"]++
		default:
			outcomes["ok"]++
		}
	}
	v, _ := jwtauth.New(cfg)
	defer v.Close()

	tok := iss.Sign(map[string]any{"sub": "u-1"})
	_, _ = v.Verify(context.Background(), tok)
	_, _ = v.Verify(context.Background(), tok)
	_, _ = v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1", "exp": 1700000000}))
	fmt.Println(outcomes)
	// Output: map[ErrExpired:1 ok:1 ok (cached):1]
}

// Stats encodes to JSON with lower camel case names, for expvar or a
// health endpoint.
func ExampleStats_json() {
	iss := jwtauthtest.NewIssuer(t)
	v, _ := jwtauth.New(iss.Config())
	defer v.Close()
	_, _ = v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1"}))
	_, _ = v.Verify(context.Background(), "not-a-token")
	v.OptionalMiddleware(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))

	b, _ := json.Marshal(v.Stats())
	var s struct {
		Verified  uint64            `json:"verified"`
		Refused   map[string]uint64 `json:"refused"`
		Anonymous uint64            `json:"anonymous"`
	}
	_ = json.Unmarshal(b, &s)
	fmt.Printf("%+v\n", s)
	// Output: {Verified:1 Refused:map[ErrMalformed:1] Anonymous:1}
}
