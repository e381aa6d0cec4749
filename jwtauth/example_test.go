package jwtauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// exampleKey is an Ed25519 key from a fixed seed; jwttest signs tokens the
// way an identity provider would.
var exampleKey = jwttest.Ed25519(42, "idp-key-1")

var exampleNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func exampleConfig() jwtauth.Config {
	return jwtauth.Config{
		JWKSetValue:   jwttest.Base64(jwttest.JWKS(exampleKey)), // jwk_set_value
		ExpectClaims:  map[string]any{"iss": "https://idp.example.com", "aud": "grafana"},
		UsernameClaim: "preferred_username",
		EmailClaim:    "email",
		Now:           func() time.Time { return exampleNow },
	}
}

func exampleToken(exp time.Time) string {
	return exampleKey.Sign(map[string]any{
		"iss": "https://idp.example.com", "aud": []string{"grafana"}, "sub": "u-1",
		"preferred_username": "jdoe", "email": "jdoe@example.com", "exp": exp.Unix(),
	})
}

func ExampleNew() {
	v, err := jwtauth.New(exampleConfig())
	if err != nil {
		panic(err)
	}
	defer v.Close()
	id, err := v.Verify(context.Background(), exampleToken(exampleNow.Add(time.Hour)))
	fmt.Println(id.Login, id.Email, id.ExpiresAt.UTC().Format(time.RFC3339), err)
	// Output: jdoe jdoe@example.com 2026-11-23T13:00:00Z <nil>
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
	v, _ := jwtauth.New(exampleConfig())
	defer v.Close()
	_, err := v.Verify(context.Background(), exampleToken(exampleNow.Add(-5*time.Minute)))
	fmt.Println(errors.Is(err, jwtauth.ErrExpired))
	var ve *jwtauth.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Claim, "|", ve.Detail)
	}
	// Output:
	// true
	// exp | exp 2026-11-23T11:55:00Z is 5m0s in the past (leeway 1m0s)
}

func ExampleVerifier_Middleware() {
	v, _ := jwtauth.New(exampleConfig())
	defer v.Close()
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwtauth.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s", id.Login)
	}))

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+exampleToken(exampleNow.Add(time.Hour)))
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
