package jwks_test

// Tests over real TLS sockets (httptest.NewTLSServer, its CA given as
// TLSClientCA): the default client, hostile servers (ATK-17), redirects and
// fetch storms (ATK-30). Everything time-driven lives in cache_test.go.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtgate/jwtgate/internal/fetch"
	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/keys"
)

func newTLSServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	ts := httptest.NewTLSServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// tlsRemote returns a Remote on ts (URL ts.URL+"/jwks" unless set) that
// trusts ts's certificate through TLSClientCA.
func tlsRemote(t testing.TB, ts *httptest.Server, o jwks.Options) *jwks.Remote {
	t.Helper()
	if o.URL == "" && o.Issuer == "" {
		o.URL = ts.URL + "/jwks"
	}
	o.TLSClientCA = writeFile(t, "ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}))
	r, err := jwks.NewRemote(o)
	if err != nil {
		t.Fatalf("NewRemote: %v", err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func TestTLS_defaultClient(t *testing.T) {
	var ua, accept atomic.Value
	ts := newTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.UserAgent())
		accept.Store(r.Header.Get("Accept"))
		w.Write(jwttest.JWKS(key1))
	})
	r := tlsRemote(t, ts, jwks.Options{})
	mustFind(t, r, "k1")
	if got := ua.Load(); got != "jwtgate (+https://github.com/jwtgate/jwtgate)" {
		t.Errorf("User-Agent = %q", got)
	}
	if got := accept.Load().(string); !strings.Contains(got, "application/jwk-set+json") {
		t.Errorf("Accept = %q", got)
	}

	t.Run("unknown CA refused", func(t *testing.T) {
		r, err := jwks.NewRemote(jwks.Options{URL: ts.URL + "/jwks"})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		wantErr(t, r, "k1", jwks.ErrUnavailable)
	})
	t.Run("TLSSkipVerifyInsecure", func(t *testing.T) {
		r, err := jwks.NewRemote(jwks.Options{URL: ts.URL + "/jwks", TLSSkipVerifyInsecure: true})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		mustFind(t, r, "k1")
	})
}

// watchdog fails the test when done does not close within a minute: it
// catches a hang, not a slow machine, so it asserts no timing.
func watchdog(t *testing.T, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("watchdog: %s did not happen within a minute", what)
	}
}

// The default client does not hold a connection open between refreshes:
// the one used for a fetch is closed by the client after its idle timeout,
// while the Remote stays open.
func TestTLS_idleConnectionClosed(t *testing.T) {
	t.Parallel()
	var open atomic.Int64
	closed := make(chan struct{}, 1)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(jwttest.JWKS(key1))
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			if open.Add(-1) == 0 {
				select {
				case closed <- struct{}{}:
				default:
				}
			}
		}
	}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	r := tlsRemote(t, ts, jwks.Options{})
	mustFind(t, r, "k1")
	if n := open.Load(); n != 1 {
		t.Fatalf("%d connections open right after the fetch, want 1 (kept for reuse)", n)
	}
	watchdog(t, "closing the idle connection", closed)
	mustFind(t, r, "k1") // the cached set still answers
}

// TestATK17_huge: a 64 MiB body fails with ErrUnavailable and
// fetch.ErrTooLarge; the client stops reading at the cap and hangs up, so
// the server gets rid of little more than the cap plus socket buffers.
func TestATK17_huge(t *testing.T) {
	var written atomic.Int64
	ts := newTLSServer(t, jwttest.HugeJWKS(64<<20, &written))
	r := tlsRemote(t, ts, jwks.Options{})
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		_, err = r.KeysFor(context.Background(), "k1", "EdDSA")
	}()
	watchdog(t, "the fetch of a 64 MiB body to fail", done)
	if !errors.Is(err, jwks.ErrUnavailable) || !errors.Is(err, fetch.ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if n := written.Load(); n >= 32<<20 {
		t.Errorf("the server wrote %d MiB: the client kept reading past the 1 MiB cap", n>>20)
	}
	t.Logf("%v; server wrote %d KiB before the client hung up", err, written.Load()>>10)
}

// TestATK17_slow: a server that never answers, or trickles one byte per
// second, cannot hold a caller past its deadline: the caller gets
// ErrUnavailable wrapping context.DeadlineExceeded, and Close ends the
// fetch (a watchdog catches a hang).
func TestATK17_slow(t *testing.T) {
	for _, mode := range []string{"never writes", "trickles"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			ts := newTLSServer(t, jwttest.StalledJWKS(mode == "trickles"))
			r := tlsRemote(t, ts, jwks.Options{})
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer cancel()
			done := make(chan struct{})
			var err error
			go func() {
				defer close(done)
				_, err = r.KeysFor(ctx, "k1", "EdDSA")
			}()
			watchdog(t, "KeysFor to return at its deadline", done)
			if !errors.Is(err, jwks.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v", err)
			}
			closed := make(chan struct{})
			go func() {
				defer close(closed)
				r.Close()
			}()
			watchdog(t, "Close to end the stalled fetch", closed)
		})
	}
}

// TestATK17_garbage: no 2xx garbage, and no non-2xx body, yields a key set.
func TestATK17_garbage(t *testing.T) {
	bodies := map[string]struct {
		status int
		body   string
	}{
		"html":          {200, "<!doctype html><html><body>Login</body></html>"},
		"error object":  {200, `{"error":"x"}`},
		"keys string":   {200, `{"keys":"x"}`},
		"keys empty":    {200, `{"keys":[]}`},
		"null":          {200, `null`},
		"only kty foo":  {200, `{"keys":[{"kty":"foo","kid":"k1"}]}`},
		"empty body":    {200, ``},
		"500 with JWKS": {500, string(jwttest.JWKS(key1))},
		"404 with JWKS": {404, string(jwttest.JWKS(key1))},
	}
	ts := newTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		b := bodies[r.URL.Query().Get("case")]
		w.WriteHeader(b.status)
		w.Write([]byte(b.body))
	})
	for name := range bodies {
		t.Run(name, func(t *testing.T) {
			r := tlsRemote(t, ts, jwks.Options{URL: ts.URL + "/jwks?case=" + strings.ReplaceAll(name, " ", "+")})
			wantErr(t, r, "k1", jwks.ErrUnavailable)
			if h := r.Health(); h.Usable || h.FetchErrors != 1 || h.LastError == "" {
				t.Errorf("Health = %+v", h)
			}
		})
	}
}

func TestTLS_redirects(t *testing.T) {
	var ts *httptest.Server
	ts = newTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/jwks":
			w.Write(jwttest.JWKS(key1))
		case p == "/to-http":
			http.Redirect(w, r, "http://"+ts.Listener.Addr().String()+"/jwks", http.StatusFound)
		case strings.HasPrefix(p, "/hops/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(p, "/hops/"))
			next := "/jwks"
			if n > 1 {
				next = "/hops/" + strconv.Itoa(n-1)
			}
			http.Redirect(w, r, next, http.StatusFound)
		}
	})
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{"/hops/1", true},
		{"/hops/3", true},
		{"/hops/4", false},
		{"/to-http", false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := tlsRemote(t, ts, jwks.Options{URL: ts.URL + tc.path})
			if tc.ok {
				mustFind(t, r, "k1")
				return
			}
			wantErr(t, r, "k1", jwks.ErrUnavailable)
		})
	}
}

func randomKID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// TestATK30_storms: sprays of random kids and a cold stampede cost one
// fetch each; after MinRefreshInterval, at most one more.
func TestATK30_storms(t *testing.T) {
	var hits atomic.Int64
	ts := newTLSServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(jwttest.JWKS(key1))
	})

	t.Run("spray", func(t *testing.T) {
		hits.Store(0)
		clk := jwttest.NewFakeClock(jwttest.Epoch)
		r := tlsRemote(t, ts, jwks.Options{Now: clk.Now})
		mustFind(t, r, "k1")
		for range 500 {
			wantErr(t, r, randomKID(), keys.ErrUnknownKey)
		}
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				for range 10 {
					if _, err := r.KeysFor(context.Background(), randomKID(), "EdDSA"); !errors.Is(err, keys.ErrUnknownKey) {
						t.Errorf("err = %v", err)
					}
				}
			})
		}
		wg.Wait()
		if n := hits.Load(); n > 2 {
			t.Errorf("%d fetches, want at most 2", n)
		}
		before := hits.Load()
		clk.Advance(31 * time.Second)
		wantErr(t, r, randomKID(), keys.ErrUnknownKey)
		if n := hits.Load() - before; n > 1 {
			t.Errorf("%d more fetches after the interval, want at most 1", n)
		}
	})

	t.Run("stampede", func(t *testing.T) {
		hits.Store(0)
		r := tlsRemote(t, ts, jwks.Options{Now: jwttest.Clock()})
		var wg sync.WaitGroup
		for range 64 {
			wg.Go(func() {
				if _, err := r.KeysFor(context.Background(), "k1", "EdDSA"); err != nil {
					t.Errorf("err = %v", err)
				}
			})
		}
		wg.Wait()
		if n := hits.Load(); n != 1 {
			t.Errorf("%d fetches, want 1", n)
		}
	})
}
