package jwtauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/url"
)

// maxClientCertHeaderBytes caps the ClientCertHeader value: a URL-escaped
// PEM certificate is a few KiB.
const maxClientCertHeaderBytes = 16 << 10

// checkCert enforces an RFC 8705 §3 certificate binding: the SHA-256
// thumbprint of the client certificate's DER must equal x5t (the token's
// cnf["x5t#S256"]). The certificate is r.TLS.PeerCertificates[0] or, with
// ClientCertHeader, only that header (the connection is then the proxy's,
// and its peer certificate, if any, is the proxy's own). Anything else is
// ErrCertBinding.
func (s *sender) checkCert(r *http.Request, x5t string) error {
	if r == nil {
		return fail(ErrCertBinding, "cnf", "a certificate-bound token can only be checked with the request (VerifyRequest or Middleware)")
	}
	der, err := s.clientCert(r)
	if err != nil {
		return err
	}
	if der == nil {
		return fail(ErrCertBinding, "cnf", "the token is certificate-bound and the request has no client certificate")
	}
	sum := sha256.Sum256(der)
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(got), []byte(x5t)) != 1 {
		return fail(ErrCertBinding, "cnf", "the client certificate is not the one the token is bound to (x5t#S256)")
	}
	return nil
}

// clientCert returns the DER of the request's client certificate, nil when
// there is none.
func (s *sender) clientCert(r *http.Request) ([]byte, error) {
	if s.certHeader == "" {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			return nil, nil
		}
		return r.TLS.PeerCertificates[0].Raw, nil
	}
	vals := r.Header[s.certHeader]
	switch {
	case len(vals) == 0 || len(vals) == 1 && vals[0] == "":
		return nil, nil
	case len(vals) > 1:
		return nil, fail(ErrCertBinding, s.certHeader, "the client certificate header is repeated")
	case len(vals[0]) > maxClientCertHeaderBytes:
		return nil, fail(ErrCertBinding, s.certHeader, "the client certificate header is over 16 KiB")
	}
	// nginx's $ssl_client_escaped_cert: the PEM, percent-encoded. A '+'
	// stays a '+' (PathUnescape), as base64 needs.
	text, err := url.PathUnescape(vals[0])
	if err != nil {
		return nil, fail(ErrCertBinding, s.certHeader, "the client certificate header is not URL-escaped PEM")
	}
	block, _ := pem.Decode([]byte(text))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fail(ErrCertBinding, s.certHeader, "the client certificate header holds no PEM CERTIFICATE")
	}
	return block.Bytes, nil
}
