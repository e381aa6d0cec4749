// Package fetch performs one bounded HTTP GET: a deadline, a status check
// and a cap on the body size. It is shared by every part of jwtgate that
// reads documents from the network (JWKS, OIDC discovery, per-kid keys).
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrTooLarge reports a response body longer than [Request.MaxBytes].
var ErrTooLarge = errors.New("fetch: response body too large")

// StatusError reports a response whose status is not 2xx. Its body is never
// read.
type StatusError struct {
	URL    string // the request URL, password removed
	Code   int    // e.g. 404
	Status string // as received, e.g. "404 Not Found"
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("fetch: GET %s: unexpected status %d %s", e.URL, e.Code, http.StatusText(e.Code))
}

// Request describes one GET.
type Request struct {
	URL string
	// Header is sent as is (nil: none). net/http adds Host and, unless set
	// here, User-Agent and Accept-Encoding.
	Header http.Header
	// Timeout bounds the whole exchange, body included, on top of ctx.
	// 0 means ctx alone bounds it.
	Timeout time.Duration
	// MaxBytes caps the body. Reading stops after MaxBytes+1 bytes and a
	// longer body fails with ErrTooLarge, so no more than MaxBytes+1 bytes
	// are ever buffered. It must be positive.
	MaxBytes int64
}

// Response is a 2xx response with its body read in full.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Get sends req with client and returns the response if its status is 2xx
// and its body fits in req.MaxBytes. It fails with a *[StatusError] for any
// other status, an error wrapping [ErrTooLarge] for an oversized body, and
// otherwise with the transport's error (which wraps ctx.Err() or
// [context.DeadlineExceeded] when the deadline passes).
func Get(ctx context.Context, client *http.Client, req Request) (*Response, error) {
	if req.MaxBytes <= 0 {
		return nil, errors.New("fetch: MaxBytes must be positive")
	}
	if req.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.Timeout)
		defer cancel()
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return nil, errors.New("fetch: invalid URL") // its text may hold a credential
	}
	for k, v := range req.Header {
		hr.Header[k] = v
	}
	resp, err := client.Do(hr)
	if err != nil {
		// Transport and redirect errors name the URL: keep its query (which
		// may carry a credential) out of error texts and logs.
		var ue *url.Error
		if errors.As(err, &ue) {
			if u, perr := url.Parse(ue.URL); perr == nil {
				ue.URL = Redact(u)
			} else {
				ue.URL = Redact(hr.URL)
			}
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &StatusError{URL: Redact(hr.URL), Code: resp.StatusCode, Status: resp.Status}
	}
	if resp.ContentLength > req.MaxBytes {
		return nil, fmt.Errorf("%w: GET %s: Content-Length %d exceeds %d bytes",
			ErrTooLarge, Redact(hr.URL), resp.ContentLength, req.MaxBytes)
	}
	body, err := readCapped(resp.Body, resp.ContentLength, req.MaxBytes)
	if errors.Is(err, ErrTooLarge) {
		return nil, fmt.Errorf("%w: GET %s: body exceeds %d bytes", ErrTooLarge, Redact(hr.URL), req.MaxBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("fetch: GET %s: reading body: %w", Redact(hr.URL), err)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// readCapped reads r to EOF, failing with ErrTooLarge as soon as more than
// limit bytes arrive. size is a hint (the Content-Length, or -1).
func readCapped(r io.Reader, size, limit int64) ([]byte, error) {
	initial := int64(512)
	if size > 0 {
		initial = size + 1 // room to see EOF without growing
	}
	buf := make([]byte, 0, min(initial, limit+1))
	lr := io.LimitReader(r, limit+1)
	for {
		if len(buf) == cap(buf) {
			// Grow by doubling, never past limit+1 bytes.
			grown := make([]byte, len(buf), min(2*int64(cap(buf))+512, limit+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, ErrTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// Redact returns u as a string with any password replaced by "xxxxx" and the
// query removed, so it is safe to log.
func Redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.RawQuery = ""
	c.ForceQuery = false
	c.Fragment = ""
	c.RawFragment = ""
	return strings.TrimSuffix(c.Redacted(), "?")
}
