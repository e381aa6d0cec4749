package jwks_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/keys"
)

// Keys used throughout: Ed25519 from fixed seeds (cheap to make).
var (
	key1 = jwttest.Ed25519(1, "k1")
	key2 = jwttest.Ed25519(2, "k2")
	key3 = jwttest.Ed25519(3, "k3")
)

const testURL = "https://idp.test/jwks"

// idp is an in-memory identity provider: an http.RoundTripper serving a
// configurable response and counting requests. It never opens a socket, so
// it works inside synctest bubbles.
type idp struct {
	mu       sync.Mutex
	status   int
	body     []byte
	header   http.Header
	err      error         // transport error instead of a response
	hang     bool          // block until the request's ctx ends
	gate     chan struct{} // if non-nil, wait for it to close before answering
	requests []*http.Request
	byPath   map[string]func(*http.Request) *http.Response
}

func newIDP(body []byte, cacheControl string) *idp {
	p := &idp{status: 200, body: body, header: http.Header{}}
	if cacheControl != "" {
		p.header.Set("Cache-Control", cacheControl)
	}
	return p
}

// serve replaces the response.
func (p *idp) serve(status int, body []byte, cacheControl string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status, p.body, p.err, p.hang = status, body, nil, false
	p.header = http.Header{}
	if cacheControl != "" {
		p.header.Set("Cache-Control", cacheControl)
	}
}

// fail makes every request fail at the transport.
func (p *idp) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.err = err
}

// hold makes requests wait until the returned func is called.
func (p *idp) hold() (release func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan struct{})
	p.gate = ch
	return sync.OnceFunc(func() {
		p.mu.Lock()
		p.gate = nil
		p.mu.Unlock()
		close(ch)
	})
}

func (p *idp) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.requests)
}

func (p *idp) last() *http.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.requests) == 0 {
		return nil
	}
	return p.requests[len(p.requests)-1]
}

func (p *idp) RoundTrip(req *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.requests = append(p.requests, req)
	gate, hang := p.gate, p.hang
	p.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	if hang {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if h := p.byPath[req.URL.Path]; h != nil {
		resp := h(req)
		resp.Request = req
		return resp, nil
	}
	if p.err != nil {
		return nil, p.err
	}
	return &http.Response{
		StatusCode:    p.status,
		Status:        http.StatusText(p.status),
		Header:        p.header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(p.body)),
		ContentLength: int64(len(p.body)),
		Request:       req,
	}, nil
}

// newRemote returns a Remote on p (URL testURL unless set), closed with t.
func newRemote(t testing.TB, p *idp, o jwks.Options) *jwks.Remote {
	t.Helper()
	if o.URL == "" && o.Issuer == "" {
		o.URL = testURL
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Transport: p}
	}
	r, err := jwks.NewRemote(o)
	if err != nil {
		t.Fatalf("NewRemote: %v", err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// mustFind asserts that kid is found for EdDSA.
func mustFind(t testing.TB, r *jwks.Remote, kid string) {
	t.Helper()
	ks, err := r.KeysFor(context.Background(), kid, "EdDSA")
	if err != nil {
		t.Fatalf("KeysFor(%q): %v", kid, err)
	}
	if len(ks) != 1 || ks[0].ID != kid {
		t.Fatalf("KeysFor(%q) = %v", kid, ks)
	}
}

// wantErr asserts KeysFor(kid) fails with every target.
func wantErr(t testing.TB, r *jwks.Remote, kid string, targets ...error) error {
	t.Helper()
	_, err := r.KeysFor(context.Background(), kid, "EdDSA")
	if err == nil {
		t.Fatalf("KeysFor(%q) succeeded, want %v", kid, targets)
	}
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Fatalf("KeysFor(%q) = %v, want errors.Is %v", kid, err, target)
		}
	}
	return err
}

func wantCount(t testing.TB, p *idp, want int) {
	t.Helper()
	if got := p.count(); got != want {
		t.Fatalf("requests = %d, want %d", got, want)
	}
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var _ keys.Source = (*jwks.Remote)(nil)

// slogDebug logs everything, as text, to w.
func slogDebug(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
