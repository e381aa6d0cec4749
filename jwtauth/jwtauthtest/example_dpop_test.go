package jwtauthtest_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

func ExampleDPoPKey() {
	iss := jwtauthtest.NewIssuer(t)
	cfg := iss.Config()
	cfg.DPoP = jwtauth.DPoPRequired
	v, err := jwtauth.New(cfg)
	if err != nil {
		panic(err)
	}
	defer v.Close()

	// The client's proof key, and an access token bound to it (cnf.jkt).
	key := jwtauthtest.NewDPoPKey(t)
	token := iss.Sign(key.Bind(map[string]any{"sub": "u-1"}))

	r := httptest.NewRequest(http.MethodGet, "https://api.example.com/items", nil)
	key.Authorize(r, token) // Authorization: DPoP <token>, DPoP: <proof>
	id, err := v.VerifyRequest(r)
	fmt.Println(id.Subject, err)

	_, err = v.VerifyRequest(r) // the same proof again
	fmt.Println(errors.Is(err, jwtauth.ErrDPoP))

	r.Header.Set("Authorization", "Bearer "+token) // the bound token as a bearer token
	_, err = v.VerifyRequest(r)
	fmt.Println(errors.Is(err, jwtauth.ErrDPoP))
	// Output:
	// u-1 <nil>
	// true
	// true
}

func ExampleClientCert() {
	iss := jwtauthtest.NewIssuer(t)
	cfg := iss.Config()
	cfg.CertBoundTokens = true
	v, err := jwtauth.New(cfg)
	if err != nil {
		panic(err)
	}
	defer v.Close()

	cert := jwtauthtest.NewClientCert(t, "client")
	token := iss.Sign(cert.Bind(map[string]any{"sub": "u-1"}))

	r := httptest.NewRequest(http.MethodGet, "https://api.example.com/items", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	_, err = v.VerifyRequest(r) // no client certificate
	fmt.Println(errors.Is(err, jwtauth.ErrCertBinding))

	r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert.Leaf}}
	id, err := v.VerifyRequest(r)
	fmt.Println(id.Subject, err)
	// Output:
	// true
	// u-1 <nil>
}
