// Package exampletest holds the fixtures that the tests of the runnable
// examples (examples/gateway, examples/nginx) share: an identity provider
// with its key and issuer, claims for a user, a jwtauth.Config that trusts
// them, a key source that is always down, a grafana.ini writer, a
// recording upstream, a client call that reads the body, and helpers that
// start and stop an example's run. Keys and tokens come from
// internal/jwttest.
//
// It is for tests only: helpers fail the test instead of returning errors.
package exampletest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/keys"
)

// Issuer is the identity provider's iss.
const Issuer = "https://idp.test.invalid/realms/demo"

var (
	// IDP is the identity provider's signing key, kid "idp-1".
	IDP = jwttest.Ed25519(7, "idp-1")
	// Forger is another key under the same kid: its tokens must never
	// verify.
	Forger = jwttest.Ed25519(8, "idp-1")
)

// Claims returns the claims IDP issues for login: jwttest.Default's times
// (valid at jwttest.Epoch), iss Issuer, sub "sub-<login>", the login as
// preferred_username, email <login>@example.test, name "Alice Liddell",
// role Editor and groups dev and ops.
func Claims(login string) jwttest.Claims {
	c := jwttest.Default()
	c["iss"] = Issuer
	c["sub"] = "sub-" + login
	c["preferred_username"] = login
	c["email"] = login + "@example.test"
	c["name"] = "Alice Liddell"
	c["role"] = "Editor"
	c["groups"] = []string{"dev", "ops"}
	return c
}

// Config returns a jwtauth.Config that verifies IDP's EdDSA tokens for
// Issuer at the time now tells, mapping the claims of [Claims] to the
// login, email, role and groups, with url_login on.
func Config(now func() time.Time) jwtauth.Config {
	return jwtauth.Config{
		JWKSetValue:         jwttest.Base64(jwttest.JWKS(IDP)),
		Algorithms:          []string{"EdDSA"},
		ExpectClaims:        map[string]any{"iss": Issuer},
		UsernameClaim:       "preferred_username",
		EmailClaim:          "email",
		RoleAttributePath:   "role",
		GroupsAttributePath: "groups",
		URLLogin:            true,
		Now:                 now,
	}
}

// Bearer returns an Authorization header carrying tok.
func Bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

// FailingSource is a key source that is always down.
type FailingSource struct{}

// KeysFor fails.
func (FailingSource) KeysFor(context.Context, string, string) ([]keys.Key, error) {
	return nil, errors.New("idp unreachable")
}

// WriteINI writes a grafana.ini into a temporary directory and returns its
// path. The file is ini followed by the two [auth.jwt] lines that trust
// IDP for Issuer (expect_claims and jwk_set_value), so ini ends inside an
// [auth.jwt] section.
func WriteINI(t testing.TB, ini string) string {
	t.Helper()
	ini += `expect_claims = {"iss": "` + Issuer + `"}` + "\n" +
		"jwk_set_value = " + jwttest.Base64(jwttest.JWKS(IDP)) + "\n"
	path := filepath.Join(t.TempDir(), "grafana.ini")
	require.NoError(t, os.WriteFile(path, []byte(ini), 0o600))
	return path
}

// Do sends req with c and returns the response with its body read and
// closed.
func Do(t testing.TB, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// Upstream is an HTTP server, closed at the test's cleanup, that records
// the requests reaching it.
type Upstream struct {
	URL  string // base URL, http://127.0.0.1:port
	mu   sync.Mutex
	reqs []*http.Request
}

// NewUpstream starts an Upstream that answers with h, or with
// "upstream ok\n" when h is nil.
func NewUpstream(t testing.TB, h http.HandlerFunc) *Upstream {
	u := &Upstream{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.reqs = append(u.reqs, r.Clone(context.Background()))
		u.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		_, _ = io.WriteString(w, "upstream ok\n")
	}))
	t.Cleanup(srv.Close)
	u.URL = srv.URL
	return u
}

// Count returns how many requests reached the upstream.
func (u *Upstream) Count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.reqs)
}

// Last returns the latest request that reached the upstream; the test
// fails when none did.
func (u *Upstream) Last(t testing.TB) *http.Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	require.NotEmpty(t, u.reqs, "upstream was never reached")
	return u.reqs[len(u.reqs)-1]
}

// startTimeout bounds how long Start and Wait wait for run.
const startTimeout = 10 * time.Second

// listening is run's stdout: it hands out the addresses of the
// "<name> listening on <address>" lines.
type listening struct{ addrs chan string }

func (l *listening) Write(p []byte) (int, error) {
	sc := bufio.NewScanner(strings.NewReader(string(p)))
	for sc.Scan() {
		if _, addr, ok := strings.Cut(sc.Text(), " listening on "); ok {
			select {
			case l.addrs <- addr:
			default: // more than Start waits for: not needed
			}
		}
	}
	return len(p), nil
}

// Start calls run in the background with a stdout that collects the
// addresses run prints ("<name> listening on <address>"), waits for n of
// them and returns them in order, with the channel run's result arrives
// on. The test fails when run returns or takes 10 s before that.
func Start(t testing.TB, n int, run func(stdout io.Writer) error) ([]string, <-chan error) {
	t.Helper()
	out := &listening{addrs: make(chan string, n)}
	done := make(chan error, 1)
	go func() { done <- run(out) }()
	addrs := make([]string, 0, n)
	for len(addrs) < n {
		select {
		case a := <-out.addrs:
			addrs = append(addrs, a)
		case err := <-done:
			t.Fatalf("run: %v", err)
		case <-time.After(startTimeout):
			t.Fatal("run did not start listening")
		}
	}
	return addrs, done
}

// Wait returns run's result from done, as Start returned it; the test
// fails when run takes 10 s to return after what (a cancel, a SIGTERM).
func Wait(t testing.TB, done <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(startTimeout):
		t.Fatalf("run did not return after %s", what)
		return nil
	}
}
