package jwtauthtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// t stands in for the *testing.T a real test passes to NewIssuer.
var t = &jwttest.ExampleTB{}

func TestMain(m *testing.M) {
	code := m.Run()
	t.RunCleanups()
	os.Exit(code)
}

func ExampleNewIssuer() {
	// In a test: iss := jwtauthtest.NewIssuer(t)
	iss := jwtauthtest.NewIssuer(t)

	cfg := iss.Config() // OIDC discovery of iss, over TLS, iss pinned
	cfg.UsernameClaim = "preferred_username"
	v, err := jwtauth.New(cfg)
	if err != nil {
		panic(err)
	}
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
	fmt.Println("key set fetches:", iss.Fetches())
	// Output:
	// 200 hello jdoe
	// key set fetches: 1
}

func ExampleIssuer_Sign() {
	iss := jwtauthtest.NewIssuer(t)
	v, _ := jwtauth.New(iss.Config())
	defer v.Close()

	id, err := v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1", "groups": []string{"dev"}}))
	fmt.Println(id.Subject, id.Issuer == iss.URL(), id.Claims["groups"], err)

	// Claims given replace the defaults: here an expired token.
	_, err = v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1", "exp": 1700000000}))
	fmt.Println(errors.Is(err, jwtauth.ErrExpired))
	// Output:
	// u-1 true [dev] <nil>
	// true
}

func ExampleIssuer_SignWith() {
	iss := jwtauthtest.NewIssuer(t)
	v, _ := jwtauth.New(iss.Config())
	defer v.Close()

	// An RFC 9068 access token: typ "at+jwt" in the protected header.
	tok := iss.SignWith(map[string]any{"typ": "at+jwt"}, map[string]any{"sub": "u-1", "scope": "read"})
	id, err := v.Verify(context.Background(), tok)
	fmt.Println(id.Claims["scope"], err)
	// Output: read <nil>
}

func ExampleIssuer_Rotate() {
	iss := jwtauthtest.NewIssuer(t)
	v, _ := jwtauth.New(iss.Config())
	defer v.Close()

	before := iss.Sign(map[string]any{"sub": "u-1"})
	_, err := v.Verify(context.Background(), before)
	fmt.Println(err, iss.Fetches())

	iss.Rotate() // a new kid: the Verifier fetches the key set again
	_, err = v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1"}))
	fmt.Println(err, iss.Fetches())
	_, err = v.Verify(context.Background(), before) // the old key is still published
	fmt.Println(err, v.Stats().Keys.KeyIDs)
	// Output:
	// <nil> 1
	// <nil> 2
	// <nil> [jwtauthtest-1 jwtauthtest-2]
}

func ExampleIssuer_URL() {
	iss := jwtauthtest.NewIssuer(t)
	resp, err := iss.Client().Get(iss.URL() + "/.well-known/openid-configuration")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	fmt.Println(resp.StatusCode, doc.Issuer == iss.URL(), doc.JWKSURI == iss.URL()+"/jwks")
	// Output: 200 true true
}

func ExampleIssuer_Client() {
	iss := jwtauthtest.NewIssuer(t)
	// The server's certificate is made for the test: Client trusts it,
	// http.DefaultClient does not.
	resp, err := iss.Client().Get(iss.URL() + "/jwks")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"), iss.Fetches())
	// Output: 200 application/json 1
}

func ExampleIssuer_Config() {
	iss := jwtauthtest.NewIssuer(t)
	cfg := iss.Config()
	fmt.Println(cfg.OIDCIssuerURL == iss.URL(), cfg.HTTPClient == iss.Client(), cfg.ExpectClaims["iss"] == iss.URL())

	// Add what the service under test configures, then build its Verifier.
	cfg.ExpectClaims["aud"] = "my-api"
	cfg.RoleAttributePath = "role"
	v, err := jwtauth.New(cfg)
	if err != nil {
		panic(err)
	}
	defer v.Close()
	id, err := v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1", "aud": "my-api", "role": "Editor"}))
	fmt.Println(id.Role, err)
	// Output:
	// true true true
	// Editor <nil>
}

func ExampleIssuer_Fetches() {
	iss := jwtauthtest.NewIssuer(t)
	v, _ := jwtauth.New(iss.Config())
	defer v.Close()
	for range 3 {
		_, _ = v.Verify(context.Background(), iss.Sign(map[string]any{"sub": "u-1"}))
	}
	fmt.Println(iss.Fetches()) // the key set is cached after the first fetch
	// Output: 1
}
