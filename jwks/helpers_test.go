package jwks_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
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

// idp is an in-memory identity provider on jwttest.FaultServer (which
// counts requests, holds them, fails them and answers without a socket, so
// it works inside synctest bubbles), serving a configurable response, or a
// response per path.
type idp struct {
	*jwttest.FaultServer
	mu     sync.Mutex
	status int
	body   []byte
	header http.Header
	byPath map[string]func(*http.Request) *http.Response
}

func newIDP(body []byte, cacheControl string) *idp {
	p := &idp{status: 200, body: body, header: http.Header{}}
	if cacheControl != "" {
		p.header.Set("Cache-Control", cacheControl)
	}
	p.FaultServer = jwttest.NewFaultServer(http.HandlerFunc(p.answer))
	return p
}

// serve replaces the response (and ends a fail).
func (p *idp) serve(status int, body []byte, cacheControl string) {
	p.mu.Lock()
	p.status, p.body = status, body
	p.header = http.Header{}
	if cacheControl != "" {
		p.header.Set("Cache-Control", cacheControl)
	}
	p.mu.Unlock()
	p.Serve(http.HandlerFunc(p.answer))
}

// fail makes every request fail at the transport.
func (p *idp) fail(err error) { p.Fail(err) }

// hold makes requests wait until the returned func is called.
func (p *idp) hold() (release func()) { return p.Hold() }

func (p *idp) count() int { return p.Hits() }

func (p *idp) last() *http.Request { return p.Last() }

func (p *idp) answer(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	h, status, body, header := p.byPath[r.URL.Path], p.status, p.body, p.header.Clone()
	p.mu.Unlock()
	if h != nil {
		resp := h(r)
		defer resp.Body.Close()
		status, header = resp.StatusCode, resp.Header
		body, _ = io.ReadAll(resp.Body)
	}
	maps.Copy(w.Header(), header)
	w.WriteHeader(status)
	_, _ = w.Write(body)
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
