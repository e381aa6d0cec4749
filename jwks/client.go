package jwks

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// maxRedirects is how many redirects one fetch follows.
const maxRedirects = 3

// tlsConfig builds the default client's TLS settings from the Options. With
// TLSClientCA empty, RootCAs stays nil (the system roots).
func tlsConfig(o *Options) (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: o.TLSSkipVerifyInsecure, //nolint:gosec // opt-in, documented as insecure
	}
	if o.TLSClientCA != "" {
		pemData, err := os.ReadFile(o.TLSClientCA)
		if err != nil {
			return nil, optionErr("TLSClientCA", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			return nil, optionErr("TLSClientCA", fmt.Errorf("no PEM certificate in %s", o.TLSClientCA))
		}
		cfg.RootCAs = pool
	}
	switch {
	case o.TLSClientCert == "" && o.TLSClientKey == "":
	case o.TLSClientCert == "":
		return nil, optionErr("TLSClientCert", errors.New("required with TLSClientKey"))
	case o.TLSClientKey == "":
		return nil, optionErr("TLSClientKey", errors.New("required with TLSClientCert"))
	default:
		cert, err := tls.LoadX509KeyPair(o.TLSClientCert, o.TLSClientKey)
		if err != nil {
			return nil, optionErr("TLSClientCert", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// newClient returns the client every fetch uses, and the transport to close
// on Close when the client is the default one (nil otherwise).
// idleConnTimeout is how long the default client keeps a connection to
// the key server open after a fetch: long enough to reuse it for the JWKS
// right after the discovery document, or for a retry, but not across
// refreshes minutes apart, where it would only hold a socket, two
// goroutines and 8 KiB of buffers per Remote.
const idleConnTimeout = 5 * time.Second

func newClient(s *settings) (*http.Client, *http.Transport, error) {
	check := redirectPolicy(s.InsecureAllowHTTP)
	if s.HTTPClient != nil {
		c := *s.HTTPClient // shallow copy: the caller's client is left as is
		if own := c.CheckRedirect; own != nil {
			c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				if err := check(req, via); err != nil {
					return err
				}
				return own(req, via)
			}
		} else {
			c.CheckRedirect = check
		}
		return &c, nil, nil
	}
	tc, err := tlsConfig(&s.Options)
	if err != nil {
		return nil, nil, err
	}
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: defaultTimeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          4,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       idleConnTimeout,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr, Timeout: defaultTimeout, CheckRedirect: check}, tr, nil
}

// redirectPolicy follows at most maxRedirects redirects, to https only
// unless allowHTTP.
func redirectPolicy(allowHTTP bool) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("jwks: stopped after %d redirects", maxRedirects)
		}
		switch req.URL.Scheme {
		case "https":
			return nil
		case "http":
			if allowHTTP {
				return nil
			}
		}
		return fmt.Errorf("jwks: refusing redirect to a %q URL (https only)", req.URL.Scheme)
	}
}

// bearerToken reads the token file and returns the Authorization value.
// Errors name the file, never the token.
func bearerToken(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	tok := string(bytes.TrimSpace(data))
	if tok == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	if strings.ContainsAny(tok, "\r\n") {
		return "", fmt.Errorf("%s holds more than one line", path)
	}
	if len(tok) > 7 && strings.EqualFold(tok[:7], "Bearer ") {
		return tok, nil
	}
	return "Bearer " + tok, nil
}
