package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/examples/internal/exampletest"
	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// findNginx returns the nginx binary: from PATH, else /usr/sbin/nginx.
func findNginx() (string, bool) {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p, true
	}
	const deb = "/usr/sbin/nginx"
	if fi, err := os.Stat(deb); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
		return deb, true
	}
	return "", false
}

// readmeServerBlock returns the nginx server block of README.md.
func readmeServerBlock(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)```nginx\n(.*?)```").FindSubmatch(b)
	require.NotNil(t, m, "README.md has no ```nginx block")
	return string(m[1])
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startNginx writes a config around server into a temporary directory and
// runs nginx in the foreground as a child process, stopped at cleanup. It
// returns nginx's base URL once nginx accepts connections.
func startNginx(t *testing.T, bin, server string) string {
	t.Helper()
	var err error
	for attempt := 0; attempt < 3; attempt++ { // the free port may be taken meanwhile
		var base string
		if base, err = tryStartNginx(t, bin, server); err == nil {
			return base
		}
		t.Logf("attempt %d: %v", attempt+1, err)
	}
	t.Fatalf("cannot start nginx: %v", err)
	return ""
}

func tryStartNginx(t *testing.T, bin, server string) (string, error) {
	dir := t.TempDir()
	port := freePort(t)
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/client_body_temp;
    proxy_temp_path %[1]s/proxy_temp;
    fastcgi_temp_path %[1]s/fastcgi_temp;
    uwsgi_temp_path %[1]s/uwsgi_temp;
    scgi_temp_path %[1]s/scgi_temp;
%[2]s
}
`, dir, strings.Replace(server, "listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", port), 1))
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return "", err
	}
	errorLog := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		return string(b)
	}

	args := []string{"-p", dir + "/", "-c", confPath}
	if supportsErrorLogFlag(bin) {
		args = append(args, "-e", filepath.Join(dir, "error.log"))
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT) // graceful shutdown
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for range 250 { // up to about 5 s
		select {
		case err := <-exited:
			return "", fmt.Errorf("nginx exited (%v): %s\n%s", err, out.String(), errorLog())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			t.Cleanup(func() {
				stop()
				if t.Failed() {
					t.Logf("nginx error.log:\n%s", errorLog())
				}
			})
			return "http://" + addr, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	return "", fmt.Errorf("nginx did not accept connections on %s within 5s:\n%s", addr, errorLog())
}

// supportsErrorLogFlag reports whether nginx knows -e (1.19.5 and later);
// without it nginx first opens its compiled-in error log.
func supportsErrorLogFlag(bin string) bool {
	out, _ := exec.Command(bin, "-h").CombinedOutput()
	return bytes.Contains(out, []byte("-e filename"))
}

// TestNginxIntegration runs the README's server block in a real nginx,
// with the auth endpoint and a recording upstream on loopback.
func TestNginxIntegration(t *testing.T) {
	bin, ok := findNginx()
	if !ok {
		t.Skip("no nginx binary in PATH or at /usr/sbin/nginx (Debian: apt-get install -y nginx); skipping the real-nginx test")
	}
	start := time.Now()
	t.Cleanup(func() { t.Logf("nginx integration test took %v", time.Since(start).Round(time.Millisecond)) })

	// The auth endpoint. Requests carrying X-Test-Keys: down are checked
	// by a verifier whose key source is down, to see a 503 through nginx.
	normal := newTestAuthServer(t, nil, false)
	down := newTestAuthServer(t, func(c *jwtauth.Config) { c.JWKSetValue, c.Keys = "", exampletest.FailingSource{} }, false)
	authSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test-Keys") == "down" {
			down.handler().ServeHTTP(w, r)
			return
		}
		normal.handler().ServeHTTP(w, r)
	}))
	t.Cleanup(authSrv.Close)
	up := exampletest.NewUpstream(t, nil)

	hostOf := func(s string) string { u, _ := url.Parse(s); return u.Host }
	server := readmeServerBlock(t)
	require.Contains(t, server, "127.0.0.1:9091")
	require.Contains(t, server, "127.0.0.1:3000")
	server = strings.ReplaceAll(server, "127.0.0.1:9091", hostOf(authSrv.URL))
	server = strings.ReplaceAll(server, "127.0.0.1:3000", hostOf(up.URL))
	base := startNginx(t, bin, server)

	client := &http.Client{Timeout: 10 * time.Second}
	get := func(t *testing.T, path string, h http.Header) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		require.NoError(t, err)
		for k, v := range h {
			req.Header[k] = v
		}
		return exampletest.Do(t, client, req)
	}
	identity := func(h http.Header) map[string]string {
		out := map[string]string{}
		for k := range h {
			n := strings.ToUpper(strings.ReplaceAll(k, "_", "-"))
			if strings.HasPrefix(n, "X-WEBAUTH-") || strings.HasPrefix(n, "X-AUTH-") {
				out[k] = h.Get(k)
			}
		}
		return out
	}
	tok := exampletest.IDP.Sign(exampletest.Claims("alice"))

	t.Run("valid token: upstream sees the identity", func(t *testing.T) {
		resp, body := get(t, "/api/user?x=1", exampletest.Bearer(tok))
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, "upstream ok\n", body)
		assert.Contains(t, resp.Header.Get("Server"), "nginx", "not answered through nginx")
		got := up.Last(t)
		require.NotNil(t, got)
		assert.Equal(t, map[string]string{
			"X-Webauth-User":   "alice",
			"X-Webauth-Email":  "alice@example.test",
			"X-Webauth-Name":   "Alice Liddell",
			"X-Webauth-Role":   "Editor",
			"X-Webauth-Groups": "dev,ops",
		}, identity(got.Header))
		assert.Empty(t, got.Header.Values("Authorization"), "the token reached the upstream")
		assert.Equal(t, "/api/user?x=1", got.URL.RequestURI())
	})

	t.Run("spoofed identity headers never reach the upstream", func(t *testing.T) {
		c := exampletest.Claims("alice")
		delete(c, "name")
		delete(c, "groups")
		h := exampletest.Bearer(exampletest.IDP.Sign(c))
		h.Set("X-Auth-User", "mallory")
		h.Set("X-Auth-Role", "Admin")
		h.Set("X-Auth-Groups", "admins")
		h.Set("X-WEBAUTH-USER", "mallory")
		h.Set("X-WEBAUTH-NAME", "Mallory") // the token has no name
		h.Set("X-WEBAUTH-GROUPS", "admins")
		h["X_WEBAUTH_USER"] = []string{"mallory"}
		h.Set("X-Real-IP", "10.9.9.9")
		h.Set("X-Forwarded-For", "10.9.9.9")
		resp, body := get(t, "/", h)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, []string{"127.0.0.1"}, up.Last(t).Header.Values("X-Real-Ip"))
		assert.Equal(t, []string{"127.0.0.1"}, up.Last(t).Header.Values("X-Forwarded-For"))
		assert.Equal(t, map[string]string{
			"X-Webauth-User":  "alice",
			"X-Webauth-Email": "alice@example.test",
			"X-Webauth-Role":  "Editor",
		}, identity(up.Last(t).Header))
	})

	expired := exampletest.Claims("alice")
	expired["exp"] = jwttest.Unix(-time.Hour)
	crlf := exampletest.Claims("alice")
	crlf["preferred_username"] = "alice\r\nX-WEBAUTH-ROLE: Admin"
	noRole := exampletest.Claims("alice")
	noRole["role"] = "Superuser"
	spoofOnly := http.Header{"X-Webauth-User": {"admin"}, "X-Auth-User": {"admin"}}

	for _, tc := range []struct {
		name   string
		header http.Header
		status int
		check  func(t *testing.T, resp *http.Response)
	}{
		{"missing token", nil, 401, func(t *testing.T, resp *http.Response) {
			assert.Equal(t, "Bearer", resp.Header.Get("WWW-Authenticate"))
		}},
		{"spoofed headers only", spoofOnly, 401, nil},
		{"expired token", exampletest.Bearer(exampletest.IDP.Sign(expired)), 401, func(t *testing.T, resp *http.Response) {
			assert.Equal(t, `Bearer error="invalid_token"`, resp.Header.Get("WWW-Authenticate"))
		}},
		{"forged token", exampletest.Bearer(exampletest.Forger.Sign(exampletest.Claims("alice"))), 401, func(t *testing.T, resp *http.Response) {
			assert.Equal(t, `Bearer error="invalid_token"`, resp.Header.Get("WWW-Authenticate"))
		}},
		{"CRLF in the login", exampletest.Bearer(exampletest.IDP.Sign(crlf)), 401, nil},
		{"no valid role, strict", exampletest.Bearer(exampletest.IDP.Sign(noRole)), 403, nil},
		{"keys unavailable", func() http.Header { h := exampletest.Bearer(tok); h.Set("X-Test-Keys", "down"); return h }(), 503,
			func(t *testing.T, resp *http.Response) {
				assert.Equal(t, "30", resp.Header.Get("Retry-After"))
			}},
	} {
		t.Run(tc.name+": refused, upstream not reached", func(t *testing.T) {
			n := up.Count()
			resp, body := get(t, "/api/user", tc.header)
			assert.Equal(t, tc.status, resp.StatusCode, body)
			assert.Contains(t, resp.Header.Get("Server"), "nginx")
			assert.Contains(t, body, "nginx", "the body is nginx's error page")
			assert.NotContains(t, body, "upstream ok")
			if tc.check != nil {
				tc.check(t, resp)
			}
			assert.Equal(t, n, up.Count(), "the upstream was reached")
		})
	}

	t.Run("url_login via X-Original-URI and the cookie", func(t *testing.T) {
		resp, body := get(t, "/d/abc?orgId=1&auth_token="+tok, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, "alice", up.Last(t).Header.Get("X-Webauth-User"))

		resp, body = get(t, "/d/abc", http.Header{"Cookie": {"jwtgate_token=" + tok}})
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, "alice", up.Last(t).Header.Get("X-Webauth-User"))
	})
}
