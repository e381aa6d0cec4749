package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
func (c *countingReader) Close() error { return nil }

func client(status int, body io.ReadCloser, length int64) *http.Client {
	return &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: status, Status: http.StatusText(status), Header: http.Header{"X-Req-Ua": {r.UserAgent()}},
			Body: body, ContentLength: length, Request: r,
		}, nil
	})}
}

func TestGet(t *testing.T) {
	const limit = 16
	for _, tc := range []struct {
		name     string
		status   int
		body     string
		length   int64
		wantErr  error
		wantCode int
	}{
		{"empty", 200, "", 0, nil, 0},
		{"under the cap", 200, "hello", -1, nil, 0},
		{"exactly the cap", 204, strings.Repeat("x", limit), -1, nil, 0},
		{"exactly the cap with length", 200, strings.Repeat("x", limit), limit, nil, 0},
		{"one byte over", 200, strings.Repeat("x", limit+1), -1, ErrTooLarge, 0},
		{"far over", 200, strings.Repeat("x", 10*limit), -1, ErrTooLarge, 0},
		{"Content-Length over", 200, strings.Repeat("x", 10*limit), 10 * limit, ErrTooLarge, 0},
		{"404", 404, "not found", -1, nil, 404},
		{"500", 500, `{"keys":[]}`, -1, nil, 500},
		{"302 unfollowed", 302, "", -1, nil, 302},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &countingReader{r: strings.NewReader(tc.body)}
			resp, err := Get(t.Context(), client(tc.status, body, tc.length), Request{
				URL: "https://user:secret@idp.test/jwks?token=secret", MaxBytes: limit,
				Header: http.Header{"User-Agent": {"test-agent"}},
			})
			if body.n > limit+1 {
				t.Errorf("read %d bytes, more than MaxBytes+1", body.n)
			}
			if tc.wantCode != 0 {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != tc.wantCode {
					t.Fatalf("err = %v, want StatusError %d", err, tc.wantCode)
				}
				if body.n != 0 {
					t.Errorf("read %d bytes of a %d body", body.n, tc.wantCode)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error leaks the password or query: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error leaks the password or query: %v", err)
				}
				return
			}
			if string(resp.Body) != tc.body || resp.StatusCode != tc.status {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, resp.Body, tc.status, tc.body)
			}
			if got := resp.Header.Get("X-Req-Ua"); got != "test-agent" {
				t.Errorf("User-Agent sent = %q", got)
			}
		})
	}
}

func TestGet_bigBodyBoundedBuffer(t *testing.T) {
	const limit = 1 << 20
	body := &countingReader{r: io.LimitReader(zeros{}, 64<<20)}
	_, err := Get(t.Context(), client(200, body, -1), Request{URL: "https://idp.test/", MaxBytes: limit})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if body.n > limit+1 {
		t.Errorf("read %d bytes, want at most %d", body.n, limit+1)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestGet_timeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hang := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		})}
		start := time.Now()
		_, err := Get(t.Context(), hang, Request{URL: "https://idp.test/", MaxBytes: 1, Timeout: 3 * time.Second})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("returned after %v, want 3s", d)
		}
	})
}

func TestGet_slowBodyTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Headers arrive, then the body trickles: the timeout covers it.
		c := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Body: io.NopCloser(&trickle{ctx: r.Context()}), ContentLength: -1}, nil
		})}
		_, err := Get(t.Context(), c, Request{URL: "https://idp.test/", MaxBytes: 1 << 20, Timeout: 2 * time.Second})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
	})
}

// trickle yields one byte per second until its context ends.
type trickle struct{ ctx context.Context }

func (tr *trickle) Read(p []byte) (int, error) {
	select {
	case <-tr.ctx.Done():
		return 0, tr.ctx.Err()
	case <-time.After(time.Second):
		p[0] = ' '
		return 1, nil
	}
}

func TestGet_badInput(t *testing.T) {
	if _, err := Get(t.Context(), http.DefaultClient, Request{URL: "https://idp.test/"}); err == nil {
		t.Error("MaxBytes 0 accepted")
	}
	if _, err := Get(t.Context(), http.DefaultClient, Request{URL: "::", MaxBytes: 1}); err == nil {
		t.Error("bad URL accepted")
	}
}

func TestRedact(t *testing.T) {
	u, _ := url.Parse("https://alice:pw@idp.test/keys?access_token=x#frag")
	if got, want := Redact(u), "https://alice:xxxxx@idp.test/keys"; got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
	if Redact(nil) != "" {
		t.Error("Redact(nil) not empty")
	}
}
